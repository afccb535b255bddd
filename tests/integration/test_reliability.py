"""The kernel under abuse, through Jupyter's own clients and raw ZeroMQ/TCP peers: interrupts
of every kind, output floods, a front end that stops reading, bad frames and forged
signatures, the address it listens on, shutdown, restart and a vanished parent, cells
that try to take the process down, and "Run All" with a failing first cell.
docs/reliability.md says what each test shows; bench/ measures the same things at length."""

import hashlib
import hmac
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from datetime import datetime, timezone

import psutil
import zmq
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.session import Session

from support import TIMEOUT, KernelTestCase, binary, kernel, outputs, run_cell, stdout_text

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import zmtp  # noqa: E402  (a raw ZMTP peer, shared with the benchmarks)

# Cells that run until interrupted, each waiting in a different way.
ENDLESS = {
    "busy loop": "for {}",
    "sleep": 'import "time"\ntime.Sleep(time.Hour)',
    "channel receive": "ch := make(chan int)\n<-ch",
    "deep recursion": "func fib(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nfib(90)",
    "Hessian of a slow function": "matcalc.Hessian(func(x []float64) float64 { s := 0.0; "
                                  "for i := 0; i < 200000; i++ { s += x[0] }; return s }, make([]float64, 50), "
                                  "matcalc.Numerically())",
    # In forward mode: f takes about 10 ms, its tangent in 300 directions to second order
    # far longer (every step carries 45,150 second derivatives).
    "exact Hessian of a slow function": "matcalc.Hessian(func(x []float64) float64 { s := 0.0; "
                                        "for i := 0; i < 20000; i++ { s += x[i%300] * x[(i+1)%300] }; return s }, "
                                        "make([]float64, 300))",
}

STREAM_LIMIT = 4_000_000  # kernel/execute.go: streamLimit


def gone(pid):
    """Whether process pid has exited (a zombie counts as exited)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_gone(pid, seconds):
    deadline = time.monotonic() + seconds
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return gone(pid)


def listening(ports):
    """The ports of ports that some socket on this machine listens on."""
    return sorted({c.laddr.port for c in psutil.net_connections(kind="tcp")
                   if c.status == psutil.CONN_LISTEN and c.laddr.port in ports})


def kernel_ports(km):
    return {km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port}


def wait_reply(kc, msg_id, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]


def wait_idle(kc, msg_id, timeout=TIMEOUT):
    """The iopub messages of msg_id up to its idle status."""
    msgs = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return msgs


def sign(key, frames, digest=hashlib.sha256):
    mac = hmac.new(key, digestmod=digest)
    for f in frames:
        mac.update(f)
    return mac.hexdigest().encode()


def request_frames(msg_type, content, session=None):
    header = {"msg_id": uuid.uuid4().hex, "session": session or uuid.uuid4().hex, "username": "test",
              "date": datetime.now(timezone.utc).isoformat(), "msg_type": msg_type, "version": "5.3"}
    return [json.dumps(header).encode(), b"{}", b"{}", json.dumps(content).encode()]


def execute_content(code):
    return {"code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": False}


class TestInterrupts(KernelTestCase):
    def test_every_kind_of_wait_is_interrupted_and_state_is_kept(self):
        self.run_cell("before := 41")
        for name, code in ENDLESS.items():
            with self.subTest(name):
                msg_id = self.kc.execute(code)
                time.sleep(0.3)
                self.km.interrupt_kernel()
                reply = wait_reply(self.kc, msg_id)
                self.assertEqual(reply["status"], "error")
                self.assertEqual(reply["ename"], "Interrupted")
                wait_idle(self.kc, msg_id)
                reply, msgs = self.run_cell("before + 1")
                self.assertEqual(outputs(msgs, "execute_result")[0]["data"]["text/plain"], "42")


class TestOutputFlood(KernelTestCase):
    def check_truncated(self, code):
        reply, msgs = self.run_cell(code)
        self.assertEqual(reply["status"], "ok")
        text = stdout_text(msgs)
        self.assertGreater(len(text), STREAM_LIMIT * 0.99, "output up to the limit is delivered")
        self.assertLessEqual(len(text.encode()), STREAM_LIMIT)
        notes = "".join(c["text"] for c in outputs(msgs, "stream") if c["name"] == "stderr")
        self.assertIn("the rest of its output is not shown", notes)
        self.assertIn("of output not shown", notes)
        return text

    def test_a_million_lines(self):
        text = self.check_truncated('for i := 0; i < 1000000; i++ { fmt.Println("line", i) }')
        self.assertTrue(text.startswith("line 0\nline 1\n"))
        reply, msgs = self.run_cell('fmt.Println("next")')
        self.assertEqual(stdout_text(msgs), "next\n", "the next cell runs and prints in full")

    def test_a_100_MB_string(self):
        self.check_truncated('import "strings"\nhuge := strings.Repeat("x", 100<<20)\nfmt.Print(huge)')
        # As a value it is shown cut too, and the session keeps it whole.
        reply, msgs = self.run_cell("huge")
        [result] = outputs(msgs, "execute_result")
        self.assertLess(len(result["data"]["text/plain"]), STREAM_LIMIT + 1000)
        self.assertIn("only its text is shown", result["data"]["text/plain"])
        reply, msgs = self.run_cell("len(huge)")
        self.assertEqual(outputs(msgs, "execute_result")[0]["data"]["text/plain"], str(100 << 20))


class TestSlowFrontEnd(KernelTestCase):
    # 3.1 MB, under the output limit of a cell; four of them are more than a subscriber
    # may have queued.
    FLOOD = 'for i := 0; i < 100000; i++ { fmt.Println("a line of output number", i) }'

    def test_a_stalled_subscriber_holds_nobody_up(self):
        stalled = zmtp.stalled_subscriber(self.km.ip, self.km.iopub_port)
        try:
            for _ in range(4):
                msg_id = self.kc.execute(self.FLOOD)
                self.assertEqual(wait_reply(self.kc, msg_id)["status"], "ok")
                text = "".join(m["content"]["text"] for m in wait_idle(self.kc, msg_id)
                               if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")
                self.assertTrue(text.endswith("number 99999\n"), "the reading front end gets all of it")
            # A browser reload: a new front end connects while the stalled one hangs on.
            fresh = self.km.blocking_client()
            fresh.start_channels()
            try:
                fresh.wait_for_ready(timeout=TIMEOUT)
                reply, msgs = run_cell(fresh, 'fmt.Println("to the new front end")')
                self.assertEqual(stdout_text(msgs), "to the new front end\n")
                stalled.close()
                stalled = None
                reply, msgs = run_cell(fresh, "6 * 7")
                self.assertEqual(outputs(msgs, "execute_result")[0]["data"]["text/plain"], "42")
            finally:
                fresh.stop_channels()
        finally:
            if stalled:
                stalled.close()


class TestBadInputOnTheWire(KernelTestCase):
    def assert_kernel_answers(self):
        self.assertTrue(self.km.is_alive())
        reply, msgs = self.run_cell("1 + 2")
        self.assertEqual(outputs(msgs, "execute_result")[0]["data"]["text/plain"], "3")

    def assert_closed(self, s):
        """The kernel closes the connection s."""
        s.settimeout(10)
        try:
            while s.recv(65536):
                pass
        except ConnectionResetError:
            pass
        s.close()

    def test_raw_frames(self):
        ports = {"shell": self.km.shell_port, "control": self.km.control_port, "stdin": self.km.stdin_port,
                 "heartbeat": self.km.hb_port}
        for name, port in ports.items():
            socket_type = b"REQ" if name == "heartbeat" else b"DEALER"
            with self.subTest(name):
                # Frames announcing 2^62 and 64 GiB bytes (zmq4 alone would allocate them).
                for size in (1 << 62, 1 << 36, 65 << 20):
                    s = zmtp.connect(self.km.ip, port, socket_type)
                    s.sendall(zmtp.frame(b"", size=size))
                    self.assert_closed(s)
                # A message of frames that add up to too much.
                s = zmtp.connect(self.km.ip, port, socket_type)
                try:
                    for _ in range(4):
                        s.sendall(zmtp.frame(b"x" * (20 << 20), more=True))
                except OSError:
                    pass
                self.assert_closed(s)
                # A truncated frame, and a connection that never finishes its handshake.
                truncated = zmtp.connect(self.km.ip, port, socket_type)
                truncated.sendall(zmtp.frame(b"0123456789", size=1000))
                silent = socket.create_connection((self.km.ip, port))
                junk = socket.create_connection((self.km.ip, port))
                junk.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"\0" * 100)
                self.assert_kernel_answers()
                for s in (truncated, silent, junk):
                    s.close()
        # iopub takes only subscriptions, and small ones.
        s = zmtp.connect(self.km.ip, self.km.iopub_port, b"SUB")
        s.sendall(zmtp.frame(b"", size=1 << 40))
        s.close()
        with self.assertRaises(ConnectionError):
            zmtp.connect(self.km.ip, self.km.iopub_port, b"DEALER")
        self.assert_kernel_answers()

    def test_malformed_messages(self):
        key = self.km.session.key
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.connect(f"tcp://{self.km.ip}:{self.km.shell_port}")
        try:
            def signed(frames):
                return [b"<IDS|MSG>", sign(key, frames)] + frames

            good = request_frames("kernel_info_request", {})
            sock.send_multipart(good)  # missing delimiter and signature
            sock.send_multipart([b"<IDS|MSG>"])
            sock.send_multipart(signed(good)[:4])  # too few frames
            sock.send_multipart([b"<IDS|MSG>", b""] + good[:3])
            for i, bad in enumerate([b"not json", b"[1, 2]", b'"a string"', b"{", b"\xff\xfe", b"null"]):
                frames = list(good)
                frames[i % 4] = bad
                sock.send_multipart(signed(frames))
            sock.send_multipart(signed([json.dumps({"msg_id": "1", "msg_type": 5}).encode(), b"{}", b"{}", b"{}"]))
            sock.send_multipart(signed([json.dumps({"msg_id": "1"}).encode(), b"{}", b"{}", b"{}"]))
            sock.send_multipart(signed(request_frames("no_such_request", {})))
            sock.send_multipart(signed(request_frames("execute_reply", {"status": "ok"})))
            sock.send_multipart([b"<IDS|MSG>", sign(key, good)] + good + [b"\0" * 1000] * 50)  # buffers
            # Wrong types in content: an error reply, not a crash.
            for content in ({"code": 5}, {"code": "1", "silent": "yes"}, {"code": "1", "user_expressions": [1]},
                            {"code": "1", "store_history": 1}):
                frames = request_frames("execute_request", content)
                sock.send_multipart(signed(frames))
                reply = self.recv_reply(sock, json.loads(frames[0])["msg_id"])
                self.assertEqual(reply["status"], "error", content)
                self.assertEqual(reply["ename"], "BadRequest")
            for msg_type, content in (("complete_request", {"code": [], "cursor_pos": "x"}),
                                      ("inspect_request", {"code": 1}),
                                      ("history_request", {"hist_access_type": 3}),
                                      ("is_complete_request", {"code": None, "x": {}})):
                frames = request_frames(msg_type, content)
                sock.send_multipart(signed(frames))
                reply = self.recv_reply(sock, json.loads(frames[0])["msg_id"])
                self.assertIn(reply["status"], ("error", "ok", "complete", "invalid", "unknown"), msg_type)
        finally:
            sock.close(linger=0)
        self.assert_kernel_answers()

    def recv_reply(self, sock, msg_id):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if sock.poll(1000):
                frames = sock.recv_multipart()
                i = frames.index(b"<IDS|MSG>")
                if json.loads(frames[i + 3]).get("msg_id") == msg_id:
                    return json.loads(frames[i + 5])
        self.fail(f"no reply to {msg_id}")


class TestSignatures(unittest.TestCase):
    def test_bad_signatures_never_run_and_the_kernel_goes_on(self):
        with kernel() as (km, kc), tempfile.TemporaryDirectory() as tmp:
            key = km.session.key
            ctx = zmq.Context.instance()
            shell = ctx.socket(zmq.DEALER)
            shell.connect(f"tcp://{km.ip}:{km.shell_port}")
            control = ctx.socket(zmq.DEALER)
            control.connect(f"tcp://{km.ip}:{km.control_port}")

            def frames_writing(name):
                path = json.dumps(os.path.join(tmp, name))
                return request_frames("execute_request", execute_content(
                    f'import "os"\nos.WriteFile({path}, []byte("x"), 0o644)'))

            def send(sock, name, signature, frames=None):
                frames = frames or frames_writing(name)
                sock.send_multipart([b"<IDS|MSG>", signature(frames)] + frames)

            send(shell, "wrong-key", lambda f: sign(b"not the key", f))
            send(shell, "empty-key", lambda f: sign(b"", f))
            send(shell, "missing", lambda f: b"")
            send(shell, "sha1", lambda f: sign(key, f, hashlib.sha1))
            send(shell, "sha512", lambda f: sign(key, f, hashlib.sha512))
            send(shell, "md5", lambda f: sign(key, f, hashlib.md5))
            send(shell, "upper-case", lambda f: sign(key, f).upper())
            send(shell, "truncated", lambda f: sign(key, f)[:32])
            send(shell, "content-only", lambda f: sign(key, f[3:]))
            send(shell, "frames-reordered", lambda f: sign(key, [f[1], f[0], f[2], f[3]]))
            for i in range(4):  # a byte changed in each signed frame
                frames = frames_writing(f"changed-{i}")
                sig = sign(key, frames)
                frames[i] = frames[i].replace(b"{", b"{ ", 1)
                send(shell, "", lambda f, sig=sig: sig, frames)
            # A real message's signature on other code (a replay with new content).
            seen = frames_writing("original")
            replay = frames_writing("replayed")
            send(shell, "", lambda f: sign(key, seen), replay)
            # Forged control requests: neither shutdown nor interrupt.
            for msg_type in ("shutdown_request", "interrupt_request"):
                send(control, "", lambda f: sign(b"not the key", f), request_frames(msg_type, {"restart": False}))
            # The control that the test can fail: the same, signed properly, runs.
            send(shell, "signed", lambda f: sign(key, f))

            deadline = time.monotonic() + TIMEOUT
            while not os.path.exists(os.path.join(tmp, "signed")) and time.monotonic() < deadline:
                time.sleep(0.05)
            reply, _ = run_cell(kc, "1 + 1")
            self.assertEqual(reply["status"], "ok", "the kernel goes on")
            self.assertEqual(sorted(os.listdir(tmp)), ["signed"], "only the properly signed cell ran")
            self.assertTrue(km.is_alive())
            shell.close(linger=0)
            control.close(linger=0)


class TestSignatureSchemes(unittest.TestCase):
    def test_the_schemes_of_hashlib_serve(self):
        # jupyter_client signs with any hmac-NAME of hashlib; ipykernel serves them all.
        for scheme in ("hmac-sha512", "hmac-sha384", "hmac-sha1", "hmac-sha3_256"):
            with self.subTest(scheme), kernel(session=Session(signature_scheme=scheme)) as (km, kc):
                with open(km.connection_file) as f:
                    self.assertEqual(json.load(f)["signature_scheme"], scheme)
                reply, msgs = run_cell(kc, "6 * 7")
                self.assertEqual(outputs(msgs, "execute_result")[0]["data"]["text/plain"], "42")

    def test_an_unknown_scheme_is_refused_with_a_clear_error(self):
        # hashlib has blake2b (jupyter_client would sign with it); Go's standard library does not.
        with tempfile.TemporaryDirectory() as tmp:
            conn, _ = write_connection_file(os.path.join(tmp, "kernel.json"), ip="127.0.0.1",
                                            key=b"k", signature_scheme="hmac-blake2b")
            result = subprocess.run([binary(), "kernel", conn], capture_output=True, text=True, timeout=30)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn('signature scheme "hmac-blake2b" is not supported (hmac- with md5, sha1,', result.stderr)


class TestIdentityReuse(KernelTestCase):
    """A peer presenting a front end's ZeroMQ identity (jupyter_client's is its session id,
    in the header of every message on iopub) receives none of that front end's replies."""

    def test_a_peer_with_a_front_ends_identity_gets_none_of_its_replies(self):
        ctx = zmq.Context.instance()
        impostors = {}
        for name, port in (("shell", self.km.shell_port), ("control", self.km.control_port)):
            s = ctx.socket(zmq.DEALER)
            s.setsockopt(zmq.IDENTITY, self.kc.session.bsession)
            s.connect(f"tcp://{self.km.ip}:{port}")
            impostors[name] = s
        try:
            time.sleep(0.5)  # connected before the front end asks anything
            reply, _ = self.run_cell('secret := "s3cret"\nsecret')
            self.assertEqual(reply["status"], "ok")
            history = self.kc.history(hist_access_type="tail", n=10, reply=True, timeout=TIMEOUT)
            self.assertIn("s3cret", str(history["content"]["history"]), "the front end gets its history")
            self.kc.control_channel.send(self.kc.session.msg("kernel_info_request"))
            self.assertEqual(self.kc.get_control_msg(timeout=TIMEOUT)["msg_type"], "kernel_info_reply")
            for name, s in impostors.items():
                self.assertEqual(s.poll(500), 0, f"the peer on {name} received a reply of the front end")
        finally:
            for s in impostors.values():
                s.close(linger=0)


def non_loopback_ipv4():
    """An IPv4 address of this machine that is not loopback, or None."""
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            addr = line.split()[3].split("/")[0]
            if not addr.startswith("127."):
                return addr
    except (OSError, IndexError, subprocess.SubprocessError):
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent
            addr = s.getsockname()[0]
            return None if addr.startswith("127.") else addr
        except OSError:
            return None


class TestBinding(unittest.TestCase):
    def test_listens_only_on_the_connection_files_ip(self):
        other = non_loopback_ipv4()
        if other is None:
            self.skipTest("this machine has no non-loopback IPv4 address to try the kernel's ports on")
        with kernel() as (km, kc):
            self.assertEqual(km.ip, "127.0.0.1")
            pid = km.provisioner.process.pid
            addrs = {c.laddr.ip for c in psutil.Process(pid).connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN}
            self.assertEqual(addrs, {"127.0.0.1"})
            for port in kernel_ports(km):
                for addr in (other, "127.0.0.2"):
                    with self.subTest(port=port, addr=addr), socket.socket() as s:
                        s.settimeout(5)
                        self.assertNotEqual(s.connect_ex((addr, port)), 0, f"{addr}:{port} must not answer")
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    pass
        # The same probe reaches a socket that does listen on every address: the refusals
        # above are the kernel's doing, not the network's.
        with socket.socket() as server:
            server.bind(("0.0.0.0", 0))
            server.listen()
            with socket.socket() as s:
                s.settimeout(5)
                self.assertEqual(s.connect_ex((other, server.getsockname()[1])), 0)


PARENT = """
import subprocess, sys, time
kernel = subprocess.Popen(sys.argv[1:])
print(kernel.pid, flush=True)
time.sleep(3600)
"""


class TestIPC(unittest.TestCase):
    """transport ipc: the five sockets are Unix sockets named "{ip}-{port}", as
    jupyter_client and ipykernel name them; the kernel removes them when it ends."""

    def test_a_cell_runs_end_to_end_over_unix_sockets(self):
        with kernel(transport="ipc") as (km, kc):
            with open(km.connection_file) as f:
                info = json.load(f)
            self.assertEqual(info["transport"], "ipc")
            paths = [f"{info['ip']}-{info[name]}" for name in
                     ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
            for path in paths:
                self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode), path)
            self.assertTrue(kc.is_alive(), "heartbeat")
            reply, msgs = run_cell(kc, 'fmt.Println("over ipc")\n6 * 7')
            self.assertEqual(reply["status"], "ok")
            self.assertEqual(stdout_text(msgs), "over ipc\n")
            self.assertEqual(outputs(msgs, "execute_result")[0]["data"]["text/plain"], "42")
            reply, msgs = run_cell(kc, 'var name string\nfmt.Scanln(&name)\nfmt.Println("hello", name)',
                                   allow_stdin=True, stdin_hook=lambda msg: kc.input("Ada"))
            self.assertIn("hello Ada", stdout_text(msgs))
            kc.shutdown()  # on control
            self.assertEqual(kc.get_control_msg(timeout=TIMEOUT)["msg_type"], "shutdown_reply")
            self.assertTrue(wait_gone(km.provisioner.process.pid, 10))
            # Before jupyter_client's own clean-up (in shutdown_kernel) runs.
            self.assertEqual([p for p in paths if os.path.lexists(p)], [], "socket files left behind")


class TestProcessLifecycle(unittest.TestCase):
    def test_shutdown_and_restart_leave_no_process_and_no_port(self):
        with kernel() as (km, kc):
            first_pid, first_ports = km.provisioner.process.pid, kernel_ports(km)
            self.assertEqual(listening(first_ports), sorted(first_ports))
            km.restart_kernel(now=False)
            kc.wait_for_ready(timeout=TIMEOUT)
            second_pid, second_ports = km.provisioner.process.pid, kernel_ports(km)
            self.assertTrue(wait_gone(first_pid, 10))
            self.assertEqual(listening(first_ports - second_ports), [])
            self.assertEqual(run_cell(kc, "1")[0]["status"], "ok")
        self.assertTrue(wait_gone(second_pid, 10))
        self.assertEqual(listening(second_ports), [])

    def start_orphanable(self, tmp):
        """A kernel started by a parent process of its own: (parent, kernel pid, client)."""
        conn, info = write_connection_file(os.path.join(tmp, "kernel.json"), ip="127.0.0.1",
                                           key=uuid.uuid4().hex.encode())
        parent = subprocess.Popen([sys.executable, "-c", PARENT, binary(), "kernel", conn],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(lambda: parent.poll() is None and parent.kill())
        pid = int(parent.stdout.readline())
        self.addCleanup(lambda: gone(pid) or os.kill(pid, signal.SIGKILL))
        kc = BlockingKernelClient(connection_file=conn)
        kc.load_connection_file()
        kc.start_channels()
        self.addCleanup(kc.stop_channels)
        kc.wait_for_ready(timeout=TIMEOUT)
        return parent, pid, kc, {info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}

    def test_a_kernel_whose_parent_dies_exits(self):
        with tempfile.TemporaryDirectory() as tmp:
            parent, pid, kc, ports = self.start_orphanable(tmp)
            kc.execute("for {}")  # even while a cell runs
            time.sleep(0.3)
            parent.kill()
            parent.wait()
            self.assertTrue(wait_gone(pid, 5), "the kernel must exit within 5 s of its parent")
            self.assertEqual(listening(ports), [])

    def test_sigterm_ends_a_busy_kernel(self):
        with tempfile.TemporaryDirectory() as tmp:
            parent, pid, kc, ports = self.start_orphanable(tmp)
            kc.execute("for {}")
            time.sleep(0.3)
            os.kill(pid, signal.SIGTERM)
            self.assertTrue(wait_gone(pid, 5), "SIGTERM must end the kernel within 5 s")
            self.assertEqual(listening(ports), [])


class TestBadCells(KernelTestCase):
    def test_cells_that_would_end_the_process(self):
        self.run_cell("kept := 42")
        cells = {
            "unbounded recursion": ("func down(n int) int { return down(n+1) + 1 }\ndown(0)", "stack overflow"),
            "method recursion": ("type R struct{}\nfunc (r R) Down(n int) int { return r.Down(n+1) + 1 }\nR{}.Down(0)",
                                 "stack overflow"),
            "os.Exit": ('import "os"\nos.Exit(1)', "os.Exit(1)"),
            "log.Fatal": ('import "log"\nlog.Fatal("fatal")', "fatal"),
            "panic": ('panic("on purpose")', "on purpose"),
            # Go itself would end the process on each of these (fatal errors). "this
            # machine's memory", or "this server's memory limit" where one applies.
            "make beyond memory": ("b := make([]byte, 1<<40)\nlen(b)", "more than this "),
            "a huge matrix": ("mat.NewDense(1000000, 1000000, nil)", "more than this "),
            "mutual recursion": ("func ping(n int) int { return pong(n+1) }\nfunc pong(n int) int { return ping(n+1) }\nping(0)",
                                 "stack overflow"),
            "recursive func literal": ("var rec func(int) int\nrec = func(n int) int { return rec(n+1) }\nrec(0)",
                                       "stack overflow"),
        }
        for name, (code, evalue) in cells.items():
            with self.subTest(name):
                reply, _ = self.run_cell(code)
                self.assertEqual(reply["status"], "error")
                self.assertIn(evalue, reply["evalue"])
                self.assertEqual(self.run_cell("kept")[0]["status"], "ok")
        self.assertTrue(self.km.is_alive())

    def test_a_panicking_goroutine_is_reported(self):
        reply, msgs = self.run_cell('import "time"\ngo func() { panic("in a goroutine") }()\ntime.Sleep(200 * time.Millisecond)')
        stderr = "".join(c["text"] for c in outputs(msgs, "stream") if c["name"] == "stderr")
        self.assertIn("in a goroutine", stderr)
        self.assertEqual(self.run_cell("1")[0]["status"], "ok")

    def test_a_panic_in_after_func_is_reported(self):
        reply, msgs = self.run_cell('import "time"\ntime.AfterFunc(10*time.Millisecond, func() { panic("later") })\n'
                                    'time.Sleep(200 * time.Millisecond)')
        stderr = "".join(c["text"] for c in outputs(msgs, "stream") if c["name"] == "stderr")
        self.assertIn("later", stderr)
        self.assertEqual(self.run_cell("1")[0]["status"], "ok")

    def test_closing_stdout(self):
        reply, msgs = self.run_cell('import "os"\nos.Stdout.Close()\nos.Stderr.Close()\nfmt.Println("still printed")')
        self.assertEqual(reply["status"], "ok")
        self.assertIn("still printed", stdout_text(msgs))
        reply, msgs = self.run_cell('os.Stdout.WriteString("compiled\\n")\nfmt.Println("interpreted")')
        # Compiled and interpreted writes keep the order they were written in.
        self.assertEqual(stdout_text(msgs).splitlines(), ["compiled", "interpreted"],
                         "the next cell has its streams")


class TestWhatNoRecoverCatches(KernelTestCase):
    """Fatal errors of the Go runtime end the worker process that runs the session, never
    the kernel: the cell's error names what the runtime said, and a fresh session runs
    the next cell (worker/)."""

    def test_fatal_errors_end_only_the_session(self):
        cells = {
            "concurrent map writes": ('m := map[int]int{}\nfor i := 0; i < 4; i++ {\n'
                                      '\tgo func() { for j := 0; ; j++ { m[j%100] = j } }()\n}\nselect {}',
                                      "fatal error", "concurrent map writes"),
            "unlock of an unlocked mutex": ('import "sync"\nvar mu sync.Mutex\nmu.Unlock()',
                                            "fatal error", "sync: unlock of unlocked mutex"),
            "unlock of an unlocked RWMutex": ('import "sync"\nvar rw sync.RWMutex\nrw.Unlock()',
                                              "fatal error", "sync: Unlock of unlocked RWMutex"),
            "recursion through a struct field": ('type S struct{ f func(int) int }\nvar s S\n'
                                                 's.f = func(n int) int { return s.f(n+1) + 1 }\ns.f(0)',
                                                 "fatal error", "stack overflow"),
            "log.Default().Fatal": ('import "log"\nlog.Default().Fatal("bye")',
                                    "SessionEnded", "the Go session exited with status 1"),
        }
        for name, (code, ename, evalue) in cells.items():
            with self.subTest(name):
                self.assertEqual(self.run_cell("kept := 42")[0]["status"], "ok")
                reply, msgs = self.run_cell(code)
                self.assertEqual(reply["status"], "error")
                self.assertEqual(reply["ename"], ename)
                self.assertIn(evalue, reply["evalue"])
                self.assertIn("a fresh one has started", "\n".join(reply["traceback"]))
                self.assertEqual(outputs(msgs, "error")[0]["evalue"], reply["evalue"])
                # The next cell runs, in a fresh session: kept is gone.
                reply, _ = self.run_cell("kept")
                self.assertEqual(reply["status"], "error")
                self.assertIn("undefined: kept", reply["evalue"])
                self.assertEqual(self.run_cell("1+1")[0]["status"], "ok")
        self.assertTrue(self.km.is_alive())

    def test_what_a_goroutine_prints_after_its_cell_goes_under_that_cell(self):
        code = 'import "time"\ngo func() {\n\ttime.Sleep(300 * time.Millisecond)\n\tfmt.Println("late")\n}()'
        reply, _ = self.run_cell(code)
        self.assertEqual(reply["status"], "ok")
        parent = reply_parent = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=1)
            except Exception:
                continue
            if msg["msg_type"] == "stream" and "late" in msg["content"]["text"]:
                parent = msg["parent_header"].get("msg_type")
                reply_parent = msg["parent_header"].get("msg_id")
                break
        self.assertEqual(parent, "execute_request", "the late line must reach iopub under its cell")
        self.assertIsNotNone(reply_parent)

    def test_a_session_that_ends_between_cells_is_reported(self):
        self.assertEqual(self.run_cell("kept := 42")[0]["status"], "ok")
        code = 'import ("sync"; "time")\ngo func() {\n\ttime.Sleep(200 * time.Millisecond)\n' \
               '\tvar mu sync.Mutex\n\tmu.Unlock()\n}()'
        self.assertEqual(self.run_cell(code)[0]["status"], "ok")
        time.sleep(1)
        reply, msgs = self.run_cell("1+1")
        self.assertEqual(reply["status"], "ok")
        stderr = "".join(c["text"] for c in outputs(msgs, "stream") if c["name"] == "stderr")
        self.assertIn("ended between cells (fatal error: sync: unlock of unlocked mutex)", stderr)
        self.assertIn("undefined: kept", self.run_cell("kept")[0]["evalue"])

    def test_the_session_process_ends_with_the_kernel(self):
        with kernel() as (km, kc):
            self.assertEqual(run_cell(kc, "1")[0]["status"], "ok")
            kernel_process = psutil.Process(km.provisioner.process.pid)
            workers = kernel_process.children()
            self.assertEqual(len(workers), 1, "one worker process")
            kc.execute("for {}")  # even while a cell runs
            time.sleep(0.3)
            kernel_process.kill()
            self.assertTrue(wait_gone(workers[0].pid, 5), "the worker must exit within 5 s of the kernel")


class TestMemoryLimit(unittest.TestCase):
    """A kernel started with MEM_LIMIT in its environment, as JupyterHub's spawners start
    it, with no cgroup limit: the allocation guard and the supervisor honour it
    (internal/limits, worker/)."""

    LIMIT = "this server's memory limit (286.1 MiB, MEM_LIMIT)"  # 300,000,000 bytes

    @classmethod
    def setUpClass(cls):
        cls._kernel = kernel(env={"MEM_LIMIT": "300000000"})
        cls.km, cls.kc = cls._kernel.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._kernel.__exit__(None, None, None)

    def run_cell(self, code):
        return run_cell(self.kc, code)

    def test_an_allocation_loop_ends_in_the_cells_error_and_a_fresh_session(self):
        self.assertEqual(self.run_cell("kept := 42")[0]["status"], "ok")
        reply, msgs = self.run_cell("var keep [][]float64\nfor {\n\tkeep = append(keep, make([]float64, 1<<20))\n}")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "MemoryLimit")
        self.assertEqual(reply["evalue"], "the cell used more memory than " + self.LIMIT)
        traceback = "\n".join(reply["traceback"])
        self.assertIn("ask your instructor for more memory", traceback)
        self.assertIn("a fresh one has started", traceback)
        self.assertEqual(outputs(msgs, "error")[0]["evalue"], reply["evalue"])
        reply, _ = self.run_cell("kept")
        self.assertEqual(reply["status"], "error")
        self.assertIn("undefined: kept", reply["evalue"])
        reply, msgs = self.run_cell("6 * 7")
        self.assertEqual(outputs(msgs, "execute_result")[0]["data"]["text/plain"], "42")
        self.assertTrue(self.km.is_alive())

    def test_the_allocation_guard_names_the_limit(self):
        self.assertEqual(self.run_cell("guarded := 1")[0]["status"], "ok")
        # 400 MB: more than the limit, less than this machine's memory.
        for code in ("x := make([]float64, 50_000_000)", "mat.NewDense(5000, 10000, nil)"):
            with self.subTest(code):
                reply, _ = self.run_cell(code)
                self.assertEqual(reply["status"], "error")
                self.assertIn("50000000 elements of 8 bytes are more than " + self.LIMIT, reply["evalue"])
                self.assertEqual(self.run_cell("guarded")[0]["status"], "ok", "the session is kept")


class TestNoGoroutineLeak(KernelTestCase):
    """A few hundred requests of every common kind leave no goroutine behind (bench/soak.py
    runs 10,000 executes and reports memory)."""

    def goroutines(self):
        reply, _ = self.run_cell("", silent=True, user_expressions={"g": "runtime.NumGoroutine()"})
        return int(reply["user_expressions"]["g"]["data"]["text/plain"])

    def test_requests_leave_no_goroutines_behind(self):
        self.run_cell('import "runtime"\nsoaked := 0')
        cells = ["soaked++", 'fmt.Println("soaked", soaked)', 'display.Markdown("*md*")',
                 "mat.NewDense(2, 2, []float64{1, 2, 3, float64(soaked)})",
                 "done := make(chan int)\ngo func() { done <- 1 }()\n<-done",
                 'import "os"\nfmt.Fprintln(os.Stderr, "err")', 'panic("soak")']
        before = self.goroutines()
        for i in range(280):
            code = cells[i % len(cells)]
            reply, _ = self.run_cell(code, stop_on_error=False)
            self.assertEqual(reply["status"], "error" if "panic" in code else "ok", code)
            if i % 7 == 0:
                self.kc.complete("fmt.Pri", 7)
                self.kc.inspect("fmt.Println", 5)
                self.kc.is_complete("for {")
                self.kc.history(hist_access_type="tail", n=3)
                for _ in range(4):
                    self.kc.get_shell_msg(timeout=TIMEOUT)
        time.sleep(0.5)  # stream timers and goroutines of the last cell end
        self.assertLessEqual(self.goroutines(), before, "goroutines left behind")


class TestRunAll(KernelTestCase):
    """Stop on error as "Run All" meets it: requests the front end sent before it saw the
    error reply are aborted, whenever they arrive; one sent after it runs."""

    def replies(self, ids):
        got = {}
        while len(got) < len(ids):
            msg = self.kc.get_shell_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") in ids:
                got[msg["parent_header"]["msg_id"]] = msg["content"]["status"]
        return [got[i] for i in ids]

    def test_requests_sent_at_once(self):
        ids = [self.kc.execute('panic("first")')] + [self.kc.execute(f"ranAtOnce{i} := {i}") for i in range(5)]
        self.assertEqual(self.replies(ids), ["error"] + ["aborted"] * 5)
        self.assertEqual(self.run_cell("ranAtOnce0")[0]["status"], "error", "an aborted cell must not run")

    def test_requests_sent_while_the_front_end_works_between_cells(self):
        # A browser spends milliseconds on each cell: the kernel has failed before the
        # later requests leave it, yet the front end has not seen the error.
        ids = [self.kc.execute('panic("first")')]
        for i in range(5):
            time.sleep(0.01)
            ids.append(self.kc.execute(f"ranLater{i} := {i}"))
        self.assertEqual(self.replies(ids), ["error"] + ["aborted"] * 5)

    def execute_dated(self, code, date):
        """Sends an execute_request whose header date is date, as a front end wrote it."""
        msg = self.kc.session.msg("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        msg["header"]["date"] = date
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def test_a_front_end_whose_dates_have_whole_seconds_gets_its_next_cell_run(self):
        # The failing cell and the cell sent on seeing its error can carry the same date.
        for layout in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.000000Z"):
            with self.subTest(layout):
                date = datetime.now(timezone.utc).strftime(layout)
                fail = self.execute_dated('panic("first")', date)
                self.assertEqual(self.replies([fail]), ["error"])
                after = self.execute_dated("1 + 1", date)
                self.assertEqual(self.replies([after]), ["ok"])

    def test_a_request_sent_after_the_error_reply_runs(self):
        for _ in range(5):
            reply, _ = self.run_cell('panic("again")')
            self.assertEqual(reply["status"], "error")
            msg_id = self.kc.execute("1 + 1")  # at once, as nbclient does
            self.assertEqual(self.replies([msg_id]), ["ok"])


if __name__ == "__main__":
    unittest.main()
