"""Rich display in a real browser: Debian's classic notebook server (jupyter-notebook) on
127.0.0.1 with the kernelspec from tests/integration/run's temporary JUPYTER_DATA_DIR,
headless Debian chromium driven by tests/browser/run-notebook.mjs (playwright-core) runs
all cells of testdata/browser.ipynb from the page, and the test checks the page's DOM: the
matrix as a <table>, the LaTeX typeset by MathJax, the plot as an <svg>. And a shipped
lecture opened as a student first opens it, untrusted and not run: its stored plots show
as PNG images and its tables keep their layout (issue 13).

Also a script that prints what the page shows and keeps a screenshot (tests/browser/screenshot
sets up the kernelspec first):
    python3 test_browser.py [--screenshot OUT.png] [--no-run [--trust]] NOTEBOOK.ipynb"""

import argparse
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from contextlib import contextmanager

import psutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DRIVER = os.path.join(ROOT, "tests", "browser", "run-notebook.mjs")
SERVER_START_TIMEOUT = 30  # seconds until the server answers
DRIVER_TIMEOUT = 45  # seconds for the browser: load, run all cells, typeset, collect
STOP_TIMEOUT = 10  # seconds for the server and its kernels to exit


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class NotebookServer:
    """`jupyter notebook` serving directory root on 127.0.0.1 at a free port with a token.
    stop() shuts it down with its kernels and returns the processes it had to kill."""

    def __init__(self, root, log_path):
        self.root = root
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        self.proc = None

    def start(self):
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                ["jupyter", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1",
                 f"--port={self.port}", "--port-retries=0", f"--NotebookApp.token={self.token}",
                 f"--NotebookApp.notebook_dir={self.root}"],
                cwd=self.root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter notebook exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with self.request("api/status", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter notebook did not answer in {SERVER_START_TIMEOUT} s:\n{self.log()}")
            time.sleep(0.1)

    def request(self, path, method="GET", timeout=5):
        req = urllib.request.Request(self.base + path, method=method, data=b"" if method == "POST" else None,
                                     headers={"Authorization": f"token {self.token}"})
        return urllib.request.urlopen(req, timeout=timeout)

    def url(self, notebook):
        return f"{self.base}notebooks/{notebook}?token={self.token}"

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        """Asks the server to shut down (it shuts its kernels down first); kills whatever
        is still running after STOP_TIMEOUT. Returns descriptions of killed processes."""
        if self.proc is None:
            return []
        try:
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        try:
            self.request("api/shutdown", method="POST").close()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            self.proc.terminate()
        killed = []
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            killed.append(f"jupyter notebook (pid {self.proc.pid})")
            kill_group(self.proc.pid)
            self.proc.wait()
        _, alive = psutil.wait_procs(family, timeout=STOP_TIMEOUT)
        for p in alive:
            try:
                killed.append(f"{' '.join(p.cmdline())} (pid {p.pid})")
                p.kill()
            except psutil.NoSuchProcess:
                pass
        return killed


def set_subreaper(on):
    """Linux's PR_SET_CHILD_SUBREAPER: orphaned descendants become this process's children."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, int(on), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def run_driver(url, user_data_dir, screenshot=None, run=True, prompt=None):
    """Runs the browser driver; returns (exit status, facts, stderr). The browser and
    anything it started are gone afterwards; leftovers raise."""
    cmd = ["node", DRIVER, "--url", url, "--user-data-dir", user_data_dir,
           "--timeout-ms", str(DRIVER_TIMEOUT * 1000)]
    if screenshot:
        cmd += ["--screenshot", screenshot]
    if prompt:
        cmd += ["--prompt", str(prompt)]
    if not run:
        cmd.append("--no-run")
    others = {c.pid for c in psutil.Process().children()}
    # Chromium daemonizes its crash handler: as a subreaper this process adopts whatever the
    # browser leaves behind, so it can be found, stopped and reaped below.
    set_subreaper(True)
    try:
        proc = subprocess.Popen(cmd, cwd=os.path.dirname(DRIVER), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8",
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=DRIVER_TIMEOUT + 15)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid)
            out, err = proc.communicate()
            err += f"\nthe driver did not finish in {DRIVER_TIMEOUT + 15} s"
        finally:
            kill_group(proc.pid)
    finally:
        set_subreaper(False)
    leftovers = []
    for _ in range(5):  # killing one may orphan its own children to this process
        adopted = [p for p in psutil.Process().children() if p.pid not in others]
        if not adopted:
            break
        for p in adopted:
            try:
                if p.status() != psutil.STATUS_ZOMBIE:
                    leftovers.append(f"{' '.join(p.cmdline())} (pid {p.pid})")
                    p.kill()
                os.waitpid(p.pid, 0)
            except (psutil.NoSuchProcess, ChildProcessError):
                pass
    if leftovers:
        raise AssertionError(f"the browser left processes running: {leftovers}")
    try:
        facts = json.loads(out)
    except ValueError:
        facts = {"error": f"no JSON from the driver: {out[:2000]!r}"}
    return proc.returncode, facts, err


def show_notebook(path, screenshot=None, run=True, trust=False, prompt=None):
    """Serves a copy of the notebook at path, runs it in the browser (with run false, only
    opens it: the page shows its stored outputs); returns (status, facts, stderr, server
    log). With trust, the copy is trusted first (`jupyter trust`, in this JUPYTER_DATA_DIR);
    otherwise it is untrusted, as a notebook from elsewhere is."""
    with tempfile.TemporaryDirectory(prefix="gomatcalc-browser-") as tmp:
        root = os.path.join(tmp, "notebooks")
        os.mkdir(root)
        name = os.path.basename(path)
        shutil.copy(path, os.path.join(root, name))
        if trust:
            # `jupyter trust`, which Debian's packages leave out: nbformat's own entry point.
            subprocess.run([sys.executable, "-m", "nbformat.sign", os.path.join(root, name)], check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        server = NotebookServer(root, os.path.join(tmp, "server.log"))
        killed = []
        try:
            server.start()
            status, facts, err = run_driver(server.url(name), os.path.join(tmp, "chromium-profile"), screenshot, run, prompt)
        finally:
            killed = server.stop()
        log = server.log()
        if killed:
            raise AssertionError(f"killed after shutdown: {killed}\n{log}")
    return status, facts, err, log


class TestBrowser(unittest.TestCase):
    """The classic notebook shows what the kernel displays, in a real browser."""

    def test_rich_display(self):
        status, facts, err, log = show_notebook(os.path.join(HERE, "testdata", "browser.ipynb"),
                                                os.environ.get("GOMATCALC_SCREENSHOT"))
        about = json.dumps(facts, indent=1, ensure_ascii=False)[:8000]
        self.assertEqual(status, 0, f"the browser could not run the notebook: {facts.get('error')}\n"
                                    f"{err[-2000:]}\n{about}\nserver log:\n{log}")
        self.assertEqual(facts["kernel"]["name"], "gomatcalc")
        cells = facts["cells"]
        self.assertEqual(len(cells), 3, about)
        self.assertEqual([c["prompt"] for c in cells], ["In [1]:", "In [2]:", "In [3]:"], about)
        matrix, latex, plot = cells

        def shown(cell):
            return json.dumps(cell, indent=1, ensure_ascii=False)

        # Each part is checked and reported on its own, as one failure of this test.
        problems = []

        @contextmanager
        def part(name):
            try:
                yield
            except (AssertionError, ValueError) as e:
                problems.append(f"--- {name}: {e}")

        with part("matrix as a table"):
            self.assertEqual(matrix["errors"], [], shown(matrix))
            self.assertEqual(len(matrix["tables"]), 1, shown(matrix))
            table = matrix["tables"][0]
            self.assertIn("2×3", table["caption"] or "", shown(matrix))
            # mat.NewDense(2, 3, {1, 2, 3, 4, 5, 6}) is row-major: rows [1 2 3] and [4 5 6].
            self.assertEqual([float(t) for t in table["dataCells"]], [1, 2, 3, 4, 5, 6], shown(matrix))

        with part("LaTeX typeset by MathJax"):
            self.assertEqual(latex["errors"], [], shown(latex))
            self.assertIsNotNone(facts.get("mathjax"), "MathJax did not load")
            self.assertEqual(len(latex["math"]), 1, shown(latex))
            self.assertGreater(latex["math"][0]["width"], 0, shown(latex))
            self.assertEqual(latex["mathErrors"], [], shown(latex))
            self.assertFalse(latex["untypesetTeX"], f"raw TeX shown: {shown(latex)}")

        with part("plot as SVG"):
            self.assertEqual(plot["errors"], [], shown(plot))
            self.assertEqual(len(plot["svgs"]), 1, shown(plot))
            svg = plot["svgs"][0]
            self.assertGreater(svg["width"], 0, shown(plot))
            self.assertGreater(svg["height"], 0, shown(plot))
            self.assertGreater(svg["paths"], 0, shown(plot))
            self.assertIn("f(x) = x²", svg["texts"], shown(plot))
        if problems:
            self.fail(f"{len(problems)} of 3 displays wrong in the browser:\n" + "\n".join(problems))

    def test_untrusted_lecture(self):
        """Lecture 1 as a student first opens it: untrusted, not run. The classic notebook's
        sanitizer drops SVG and style attributes; the plots must show as PNG and the
        tables keep rows, cells and one-line captions."""
        lecture = os.path.join(ROOT, "notebooks", "lecture01-derivatives-as-linear-operators.ipynb")
        status, facts, err, log = show_notebook(lecture, run=False)
        about = json.dumps(facts, indent=1, ensure_ascii=False)[:8000]
        self.assertEqual(status, 0, f"the browser could not open the notebook: {facts.get('error')}\n"
                                    f"{err[-2000:]}\n{about}\nserver log:\n{log}")
        self.assertIs(facts["trusted"], False, "the copy of the lecture is trusted")
        cells = {(c["source"] or "").strip().splitlines()[-1]: c for c in facts["cells"] if c["source"]}
        problems = []
        for last in ["checkSquare", "checkWrong"]:
            # matcalc.Check as a cell's value: the table of h against relative error,
            # and under it the log-log plot as a PNG of 6×4 inches at 96 dpi.
            cell = cells.get(last)
            if cell is None:
                problems.append(f"no cell ends with {last}")
                continue
            shown = json.dumps(cell, indent=1, ensure_ascii=False)
            imgs = [i for i in cell["images"] if i["src"].startswith("data:image/png")]
            if len(imgs) != 1 or not imgs[0]["visible"] or (imgs[0]["width"], imgs[0]["height"]) != (576, 384) \
                    or imgs[0]["shownWidth"] < 300:
                problems.append(f"{last}: the plot is not a visible 576×384 PNG: {shown}")
            if len(cell["tables"]) != 1:
                problems.append(f"{last}: not one table: {shown}")
                continue
            table = cell["tables"][0]
            if table["headerCells"] != ["h", "relative error"] or len(table["dataCells"]) != 2 * (table["rows"] - 1) \
                    or table["rows"] < 5 or table["captionLines"] != 1:
                problems.append(f"{last}: the table lost its layout: {shown}")
        # Matrices: a table whose rows and cells are the matrix's, its caption on one line.
        matrices = [t for c in facts["cells"] for t in c["tables"] if "×" in (t["caption"] or "")]
        if not matrices:
            problems.append("no matrix tables")
        for t in matrices:
            if t["rows"] < 1 or len(t["dataCells"]) % t["rows"] != 0 or t["captionLines"] != 1:
                problems.append(f"a matrix table lost its layout: {t}")
        # The sanitizer removed every <svg>: the outputs must not have needed one.
        for c in facts["cells"]:
            if c["svgs"] or c["errors"]:
                problems.append(f"cell {c['index']} shows an svg or an error: {c['svgs']} {c['errors']}")
        if problems:
            self.fail(f"{len(problems)} problems in the untrusted lecture:\n" + "\n".join(problems) + f"\n{about}")

    def test_lecture7s_comparison_table_keeps_its_header(self):
        """Lecture 7's Markdown table of Newton and BFGS, run: six header cells, the error's
        formula among them (it broke apart when written with x^* and \\lvert)."""
        lecture = os.path.join(ROOT, "notebooks", "lecture07-second-derivatives-hessians.ipynb")
        status, facts, err, log = show_notebook(lecture, run=True)
        about = json.dumps(facts, indent=1, ensure_ascii=False)[:6000]
        self.assertEqual(status, 0, f"the browser could not open the notebook: {facts.get('error')}\n{err[-2000:]}\n{log}")
        about = json.dumps([c for c in facts["cells"] if "display.Markdown" in (c["source"] or "")], indent=1, ensure_ascii=False)[:6000]
        tables = [t for c in facts["cells"] for t in c["tables"] if "method" in t["headerCells"]]
        self.assertEqual(len(tables), 1, about)
        header = tables[0]["headerCells"]
        self.assertEqual(len(header), 6, header)
        self.assertEqual(header[:5], ["method", "iterations", "evaluations of f", "gradients", "Hessians"], header)
        self.assertTrue(header[5].startswith("error"), header)
        self.assertEqual(len(tables[0]["dataCells"]), 18, tables[0])
        # The formula typeset by MathJax, no TeX left.
        [cell] = [c for c in facts["cells"] if c["tables"] and "method" in c["tables"][0]["headerCells"]]
        self.assertFalse(cell["untypesetTeX"] or cell["mathErrors"] or "$" in header[5], about)
        self.assertEqual(len(cell["math"]), 1, about)

    def test_a_markdown_output_shows_as_a_table_untrusted(self):
        """display.Markdown's table in lecture 7, opened untrusted and not run: the classic
        notebook shows no text/markdown of an untrusted notebook, so the bundle's HTML form
        must carry the table."""
        lecture = os.path.join(ROOT, "notebooks", "lecture07-second-derivatives-hessians.ipynb")
        status, facts, err, log = show_notebook(lecture, run=False)
        about = json.dumps([c for c in facts["cells"] if "display.Markdown" in (c["source"] or "")], indent=1, ensure_ascii=False)[:6000]
        self.assertEqual(status, 0, f"the browser could not open the notebook: {facts.get('error')}\n{err[-2000:]}\n{log}")
        self.assertIs(facts["trusted"], False)
        tables = [t for c in facts["cells"] for t in c["tables"] if "method" in t["headerCells"]]
        self.assertEqual(len(tables), 1, about)
        self.assertEqual(len(tables[0]["headerCells"]), 6, about)
        self.assertEqual(len(tables[0]["dataCells"]), 18, about)


def main():
    ap = argparse.ArgumentParser(description="Runs a notebook in headless Chromium through the classic "
                                 "notebook server and prints what the page shows as JSON.")
    ap.add_argument("notebook")
    ap.add_argument("--screenshot", help="PNG file to write")
    ap.add_argument("--no-run", action="store_true", help="run nothing: show the stored outputs")
    ap.add_argument("--trust", action="store_true", help="trust the notebook first (jupyter trust)")
    ap.add_argument("--prompt", help="screenshot only the cell In [PROMPT]")
    args = ap.parse_args()
    status, facts, err, log = show_notebook(os.path.abspath(args.notebook),
                                            args.screenshot and os.path.abspath(args.screenshot),
                                            run=not args.no_run, trust=args.trust, prompt=args.prompt)
    print(json.dumps(facts, indent=1, ensure_ascii=False))
    if status != 0:
        print(err, log, sep="\n", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
