"""gomatcalc run, the headless notebook runner: its notebooks must be valid for Jupyter's
own nbformat and hold the outputs Jupyter's nbconvert gets from the kernel."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import nbformat

from support import binary, run

HERE = os.path.dirname(os.path.abspath(__file__))


def copy_testdata(tmp, name):
    path = os.path.join(tmp, name)
    shutil.copy(os.path.join(HERE, "testdata", name), path)
    return path


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


class TestRunner(unittest.TestCase):
    def run_notebook(self, tmp, name, *flags):
        """Runs gomatcalc run -o on a copy of testdata/name; returns the validated result."""
        src = copy_testdata(tmp, name)
        out = os.path.join(tmp, "run-" + name)
        result = run([binary(), "run", src, "-o", out, *flags])
        self.assertEqual(result.returncode, 0, result.stderr)
        nb = nbformat.read(out, as_version=4)
        nbformat.validate(nb)
        self.assertEqual((nb.nbformat, nb.nbformat_minor), (4, 5))
        return nb

    def nbconvert(self, tmp, name):
        src = copy_testdata(tmp, name)
        result = run(["jupyter", "nbconvert", "--to", "notebook", "--execute",
                      "--output", "nbconvert-" + name, src])
        self.assertEqual(result.returncode, 0, result.stderr)
        return nbformat.read(os.path.join(tmp, "nbconvert-" + name), as_version=4)

    def test_outputs_are_those_nbconvert_gets_from_the_kernel(self):
        for name in ["small.ipynb", "semantics.ipynb"]:
            with self.subTest(name), tempfile.TemporaryDirectory() as tmp:
                ours, theirs = self.run_notebook(tmp, name), self.nbconvert(tmp, name)
                for mine, other in zip(code_cells(ours), code_cells(theirs)):
                    self.assertEqual(mine.execution_count, other.execution_count, mine.source)
                    if "go func()" in mine.source:
                        # A goroutine's panic reaches stderr whenever it happens.
                        mine.outputs = [o for o in mine.outputs if o.get("name") != "stderr"]
                        other.outputs = [o for o in other.outputs if o.get("name") != "stderr"]
                    self.assertEqual(mine.outputs, other.outputs, mine.source)
                self.assertEqual(ours.metadata.kernelspec.name, "gomatcalc")
                self.assertEqual(ours.metadata.language_info.name, "go")

    def test_values_from_mathematics(self):
        with tempfile.TemporaryDirectory() as tmp:
            nb = self.run_notebook(tmp, "small.ipynb")
        hello, det, product, markdown, decl, square = code_cells(nb)
        self.assertEqual(hello.outputs[0].text, "hello from Go\n")
        # det [[2 1] [1 3]] = 2*3 - 1*1
        self.assertAlmostEqual(float(det.outputs[0].data["text/plain"]), 5.0, places=12)
        # sqrt(2)^2 = 2
        self.assertAlmostEqual(float(square.outputs[0].data["text/plain"]), 2.0, places=12)
        self.assertEqual(markdown.outputs[0].data["text/markdown"], "**bold**")

    def test_old_notebooks_get_cell_ids(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(HERE, "testdata", "small.ipynb")) as f:
                old = json.load(f)
            old["nbformat_minor"] = 4
            for cell in old["cells"]:
                cell.pop("id", None)
            with open(os.path.join(tmp, "old.ipynb"), "w") as f:
                json.dump(old, f)
            result = run([binary(), "run", "--inplace", os.path.join(tmp, "old.ipynb")])
            self.assertEqual(result.returncode, 0, result.stderr)
            nb = nbformat.read(os.path.join(tmp, "old.ipynb"), as_version=4)
        nbformat.validate(nb)
        ids = [c.id for c in nb.cells]
        self.assertEqual(len(set(ids)), len(ids))

    def test_html_page(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = copy_testdata(tmp, "small.ipynb")
            page = os.path.join(tmp, "small.html")
            result = run([binary(), "run", "--html", page, src])
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(page) as f:
                html = f.read()
            self.assertFalse(os.path.exists(os.path.join(tmp, "run-small.ipynb")))
        self.assertTrue(html.startswith("<!DOCTYPE html>"))
        self.assertIn("<p>A small notebook the integration suite executes with nbconvert.</p>", html)
        # The source, highlighted as Go (chroma's classes) and escaped.
        self.assertIn('<span class="nf">Println</span><span class="p">(</span><span class="s">&#34;hello from Go&#34;</span>', html)
        self.assertIn('<pre class="stdout">hello from Go\n</pre>', html)
        self.assertRegex(html, r"Out\[2\]:</div><div class=\"body\"><pre>5(\.0*\d*)?</pre>")
        self.assertIn("<strong>bold</strong>", html)  # text/markdown output, rendered
        self.assertIn("MathJax.js", html)

    def test_failing_notebook(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "fails.ipynb")
            nb = nbformat.v4.new_notebook(metadata={
                "kernelspec": {"name": "gomatcalc", "display_name": "Go (matcalc)"}})
            nb.cells = [nbformat.v4.new_code_cell("x := 1"),
                        nbformat.v4.new_code_cell("y := []int{x}\n_ = y[3]"),
                        nbformat.v4.new_code_cell("x")]
            nbformat.write(nb, path)
            result = run([binary(), "run", path])
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn("cell 2 of 3 (In [2]) failed at line 2:\n    _ = y[3]\n", result.stderr)
            self.assertIn("index out of range", result.stderr)
            self.assertNotIn("cell 3 of 3", result.stderr)

            result = run([binary(), "run", "--allow-errors", path])
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("cell 3 of 3", result.stderr)

    def test_python_notebook_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "py.ipynb")
            nb = nbformat.v4.new_notebook(metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3"},
                "language_info": {"name": "python"}})
            nb.cells = [nbformat.v4.new_code_cell("print(1)")]
            nbformat.write(nb, path)
            result = run([binary(), "run", path, "-o", os.path.join(tmp, "out.ipynb")])
            self.assertEqual(result.returncode, 1)
            self.assertIn("py.ipynb", result.stderr)
            self.assertIn("python3", result.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "out.ipynb")))
