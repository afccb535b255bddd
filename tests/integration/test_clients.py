"""The kernel as Jupyter's own front ends use it: nbconvert, jupyter console, and a raw
ZeroMQ peer that forges messages."""

import hashlib
import hmac
import json
import os
import re
import shutil
import tempfile
import time
import unittest
import uuid
from datetime import datetime, timezone

import nbformat
import zmq
from jupyter_client import KernelManager

from support import TIMEOUT, binary, kernel, run, run_cell

HERE = os.path.dirname(os.path.abspath(__file__))


class TestKernelspec(unittest.TestCase):
    def test_listed_by_jupyter(self):
        result = run(["jupyter", "kernelspec", "list", "--json"])
        self.assertEqual(result.returncode, 0, result.stderr)
        spec = json.loads(result.stdout)["kernelspecs"]["gomatcalc"]["spec"]
        self.assertEqual(spec["display_name"], "Go (matcalc)")
        self.assertEqual(spec["language"], "go")
        self.assertEqual(spec["interrupt_mode"], "message")
        self.assertEqual(spec["argv"], [binary(), "kernel", "{connection_file}"])


class TestNbconvert(unittest.TestCase):
    def test_execute_notebook(self):
        nb = self.execute("small.ipynb")
        code = [c for c in nb.cells if c.cell_type == "code"]
        self.assertEqual([c.execution_count for c in code], [1, 2, 3, 4, 5, 6])

        hello, det, product, markdown, decl, square = code
        self.assertEqual(hello.outputs[0].output_type, "stream")
        self.assertEqual(hello.outputs[0].text, "hello from Go\n")
        # det [[2 1] [1 3]] = 2*3 - 1*1
        self.assertAlmostEqual(float(det.outputs[0].data["text/plain"]), 5.0, places=12)
        # [[2 1] [1 3]]^2 = [[5 5] [5 10]]
        text = product.outputs[0].data["text/plain"]
        self.assertEqual([float(n) for n in re.findall(r"-?\d+(?:\.\d*)?", text)], [5, 5, 5, 10])
        self.assertEqual(len(text.splitlines()), 2)
        self.assertEqual(markdown.outputs[0].output_type, "display_data")
        self.assertEqual(markdown.outputs[0].data["text/markdown"], "**bold**")
        self.assertEqual(decl.outputs, [])
        self.assertAlmostEqual(float(square.outputs[0].data["text/plain"]), 2.0, places=12)

    def test_notebook_semantics(self):
        nb = self.execute("semantics.ipynb")
        code = [c for c in nb.cells if c.cell_type == "code"]
        shout, range_int, closures, max_, sort, failing, goroutine = code
        self.assertEqual(shout.outputs[0].data["text/plain"], '"GO!"')
        self.assertEqual(range_int.outputs[0].text, "0\n1\n2\n")
        # Each closure sees its own iteration's i: 0 + 10*1 + 100*2.
        self.assertEqual(closures.outputs[0].data["text/plain"], "210")
        self.assertEqual(max_.outputs[0].data["text/plain"], "7")
        self.assertEqual(sort.outputs[0].data["text/plain"], "[1 2 3]")
        [err] = failing.outputs
        self.assertEqual(err.output_type, "error")
        self.assertIn("index out of range", err.evalue)
        self.assertIn("at line 2 of this cell", "\n".join(err.traceback))
        self.assertEqual(goroutine.outputs[-1].data["text/plain"], '"STILL HERE!"')

    def execute(self, name):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, name)
            shutil.copy(os.path.join(HERE, "testdata", name), src)
            result = run(["jupyter", "nbconvert", "--to", "notebook", "--execute",
                          "--output", "executed.ipynb", src])
            self.assertEqual(result.returncode, 0, result.stderr)
            nb = nbformat.read(os.path.join(tmp, "executed.ipynb"), as_version=4)
        nbformat.validate(nb)
        return nb

    def test_failing_cell_fails_the_run(self):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "gomatcalc", "display_name": "Go (matcalc)", "language": "go"}
        nb.cells = [nbformat.v4.new_code_cell('panic("in a notebook")'),
                    nbformat.v4.new_code_cell("1")]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "failing.ipynb")
            nbformat.write(nb, path)
            result = run(["jupyter", "nbconvert", "--to", "notebook", "--execute", path])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("in a notebook", result.stderr)


class TestConsole(unittest.TestCase):
    def test_piped_session(self):
        cells = ["x := 21", "x * 2", 'fmt.Println("printed", x)', 'panic("bad input")', "x + 1"]
        result = run(["jupyter", "console", "--kernel", "gomatcalc", "--simple-prompt"],
                     input="\n".join(cells) + "\n")
        out = result.stdout
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("gomatcalc", out)  # the kernel's banner
        self.assertIn("Out[2]: 42", out)
        self.assertIn("printed 21", out)
        self.assertIn("panic: bad input", result.stderr)
        self.assertIn("Out[5]: 22", out, "the session must survive the panic")


class TestLateIOPub(unittest.TestCase):
    """jupyter console sends its first cell once kernel_info is answered, without waiting
    for iopub; a kernel that starts quickly can publish that cell's statuses before the
    console's SUB socket is connected. They must reach it all the same, or the console
    waits for an idle status that never comes."""

    def test_first_cell_statuses_reach_an_iopub_connected_later(self):
        km = KernelManager(kernel_name="gomatcalc")
        km.start_kernel()
        kc = km.client()
        try:
            kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
            kc.kernel_info(reply=True, timeout=TIMEOUT)
            msg_id = kc.execute("x := 20\nx + 22")
            reply = kc.get_shell_msg(timeout=TIMEOUT)
            self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
            self.assertEqual(reply["content"]["status"], "ok")

            kc.start_channels(shell=False, iopub=True, stdin=False, hb=False, control=False)
            seen = []
            deadline = time.time() + TIMEOUT
            while time.time() < deadline:
                msg = kc.get_iopub_msg(timeout=TIMEOUT)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                seen.append(msg["msg_type"])
                if msg["msg_type"] == "execute_result":
                    self.assertEqual(msg["content"]["data"]["text/plain"], "42")
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            self.assertEqual(seen, ["status", "execute_input", "execute_result", "status"])
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def sign(key, scheme, frames):
    mac = hmac.new(key, digestmod=scheme)
    for f in frames:
        mac.update(f)
    return mac.hexdigest().encode()


def execute_frames(code):
    header = {"msg_id": uuid.uuid4().hex, "session": uuid.uuid4().hex, "username": "attacker",
              "date": datetime.now(timezone.utc).isoformat(), "msg_type": "execute_request",
              "version": "5.3"}
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
               "allow_stdin": False, "stop_on_error": False}
    return [json.dumps(header).encode(), b"{}", b"{}", json.dumps(content).encode()]


def raw_shell(km):
    """A DEALER socket on the kernel's shell port, outside jupyter_client's Session."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.connect(f"tcp://{km.ip}:{km.shell_port}")
    return sock


class TestForgedMessages(unittest.TestCase):
    def test_unsigned_or_misssigned_code_never_runs(self):
        with kernel() as (km, kc), tempfile.TemporaryDirectory() as tmp:
            key = km.session.key
            sock = raw_shell(km)

            def code_writing(name):
                return f'import "os"\nos.WriteFile({json.dumps(os.path.join(tmp, name))}, []byte("x"), 0o644)'

            def send(name, signature, frames=None):
                frames = frames or execute_frames(code_writing(name))
                sock.send_multipart([b"<IDS|MSG>", signature(frames)] + frames)

            send("wrong-key", lambda f: sign(b"not the key", hashlib.sha256, f))
            send("no-signature", lambda f: b"")
            send("wrong-scheme", lambda f: sign(key, hashlib.sha1, f))
            changed = execute_frames(code_writing("changed-byte"))
            good_sig = sign(key, hashlib.sha256, changed)
            changed[3] = changed[3].replace(b'"silent": false', b'"silent": true ')
            send("changed-byte", lambda f: good_sig, changed)
            sock.send_multipart([b"no delimiter", b"garbage"])
            sock.send_multipart([b"<IDS|MSG>", b"sig", b"not json", b"{}", b"{}", b"{}"])
            # A properly signed message is executed: the control that the test can fail.
            send("signed", lambda f: sign(key, hashlib.sha256, f))

            deadline = time.monotonic() + TIMEOUT
            while not os.path.exists(os.path.join(tmp, "signed")) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertTrue(os.path.exists(os.path.join(tmp, "signed")))
            reply, _ = run_cell(kc, "1 + 1")
            self.assertEqual(reply["status"], "ok", "the kernel goes on after forged messages")
            self.assertEqual(sorted(os.listdir(tmp)), ["signed"])
            sock.close(linger=0)

    def test_a_replayed_request_runs_once(self):
        # jupyter_client's Session refuses a signature it has seen: so does the kernel, so
        # that a signed execute_request captured on the wire cannot be run again.
        with kernel() as (km, kc), tempfile.TemporaryDirectory() as tmp:
            key = km.session.key
            sock = raw_shell(km)
            path = os.path.join(tmp, "count")
            code = ('import "os"\nold, _ := os.ReadFile(' + json.dumps(path) + ')\n'
                    'os.WriteFile(' + json.dumps(path) + ', append(old, "x"...), 0o644)')
            frames = execute_frames(code)
            message = [b"<IDS|MSG>", sign(key, hashlib.sha256, frames)] + frames
            sock.send_multipart(message)
            sock.send_multipart(message)
            deadline = time.monotonic() + TIMEOUT
            while not os.path.exists(path) and time.monotonic() < deadline:
                time.sleep(0.05)
            reply, _ = run_cell(kc, "1 + 1")  # after both, in the kernel's order
            self.assertEqual(reply["status"], "ok")
            with open(path, "rb") as f:
                self.assertEqual(f.read(), b"x", "the replayed request ran again")
            sock.close(linger=0)


if __name__ == "__main__":
    unittest.main()
