"""The course notebooks in notebooks/, executed by Jupyter's own nbconvert against the
installed "gomatcalc" kernelspec, as a user's Jupyter would: every cell must run without an
error or stderr output, and the checks they print (CHECK <what>: <value> ✓ or ✗) must come
out as in the stored notebook. The executed copies go to a temporary directory;
notebooks/ is never written."""

import glob
import os
import re
import shutil
import tempfile
import unittest

import nbformat

from support import run

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOKS = os.path.normpath(os.path.join(HERE, "..", "..", "notebooks"))
CHECK = re.compile(r"^CHECK (.+): (\S+)(?: ([✓✗]))?$", re.M)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def checks(nb):
    """The CHECK lines of the notebook's standard output: what -> its ✓ or ✗ (or "")."""
    found = {}
    for cell in code_cells(nb):
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stdout":
                for what, _, mark in CHECK.findall(out.text):
                    found[what] = mark
    return found


class TestNotebooks(unittest.TestCase):
    def test_the_notebooks_are_there(self):
        names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(NOTEBOOKS, "*.ipynb")))
        self.assertEqual(names, [
            "assignment-template.ipynb",
            "forward-mode.ipynb",
            "hessian-lesson.ipynb",
            "lecture01-derivatives-as-linear-operators.ipynb",
            "lecture07-second-derivatives-hessians.ipynb",
        ])

    def execute(self, name):
        """Runs nbconvert --execute on a copy of notebooks/name; returns (stored, executed)."""
        source = os.path.join(NOTEBOOKS, name)
        stored = nbformat.read(source, as_version=4)
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, name)
            shutil.copy(source, copy)
            result = run(["jupyter", "nbconvert", "--to", "notebook", "--execute",
                          "--output", "executed.ipynb", copy])
            self.assertEqual(result.returncode, 0, result.stderr)
            executed = nbformat.read(os.path.join(tmp, "executed.ipynb"), as_version=4)
        nbformat.validate(executed)
        return stored, executed

    def check_notebook(self, name):
        stored, executed = self.execute(name)
        self.assertEqual(executed.metadata.kernelspec.name, "gomatcalc")
        cells = code_cells(executed)
        self.assertEqual([c.execution_count for c in cells], list(range(1, len(cells) + 1)))
        for cell in cells:
            for out in cell.outputs:
                self.assertNotEqual(out.output_type, "error", f"{cell.id}: {out.get('evalue')}")
                if out.output_type == "stream":
                    self.assertEqual(out.name, "stdout", f"{cell.id}: {out.text}")
                else:
                    self.assertIn("text/plain", out.data, cell.id)
        # The same checks with the same verdicts as the stored notebook (the Go tests in
        # notebooks/ bound their values).
        found = checks(executed)
        self.assertTrue(found, "no CHECK lines")
        self.assertEqual(found, checks(stored))
        # What each cell shows is of the same kinds as in the stored notebook.
        kinds = lambda nb: [[(o.output_type, sorted(o.get("data", {}))) for o in c.outputs] for c in code_cells(nb)]
        self.assertEqual(kinds(executed), kinds(stored))

    def test_lecture01(self):
        self.check_notebook("lecture01-derivatives-as-linear-operators.ipynb")

    def test_lecture07(self):
        self.check_notebook("lecture07-second-derivatives-hessians.ipynb")

    def test_hessian_lesson(self):
        self.check_notebook("hessian-lesson.ipynb")

    def test_assignment_template(self):
        self.check_notebook("assignment-template.ipynb")

    def test_forward_mode(self):
        self.check_notebook("forward-mode.ipynb")


if __name__ == "__main__":
    unittest.main()
