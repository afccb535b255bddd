"""The course's JupyterHub (deploy/) with two students: servers started through the hub's
REST API, kernels through each server's, cells through the kernel websocket, as a
browser's notebook sends them (tests/integration/hub.py). Kept short: bench/run-hub-load
is the load test."""

import os
import shutil
import tempfile
import threading
import time
import unittest

import hub
from support import binary

LECTURE01 = os.path.join(hub.ROOT, "notebooks", "lecture01-derivatives-as-linear-operators.ipynb")
LESSON = os.path.join(hub.ROOT, "notebooks", "hessian-lesson.ipynb")


class TestCourseHub(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="gomatcalc-hub-")
        cls.hub = hub.Hub(binary(), cls.work).start()
        for name in ("alice", "bob"):
            cls.hub.add_student(name)

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_students_find_the_course_and_go_as_the_default_kernel(self):
        for name in ("alice", "bob"):
            course = sorted(os.listdir(os.path.join(self.hub.home(name), "course")))
            self.assertIn(os.path.basename(LECTURE01), course)
            self.assertFalse([f for f in course if not f.endswith(".ipynb")], course)
            status, specs = self.hub.server_api(name, "GET", "/kernelspecs")
            self.assertEqual((status, specs["default"]), (200, "gomatcalc"))

    def test_two_students_run_a_notebook_each_at_once(self):
        """Every cell's text is the one stored in the notebook; the kernels talk to their
        servers over Unix sockets in the student's runtime directory."""
        results = {}

        def run(name, path):
            kernel = self.hub.start_kernel(name)
            try:
                results[name] = [(src, kernel.execute(src), stored) for src, stored in hub.code_cells(path)]
            finally:
                kernel.close()

        threads = [threading.Thread(target=run, args=a) for a in (("alice", LECTURE01), ("bob", LESSON))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        self.assertEqual(sorted(results), ["alice", "bob"], self.hub.log_tail())
        for name, cells in results.items():
            self.assertGreater(len(cells), 5)
            for src, got, stored in cells:
                self.assertEqual(got["status"], "ok", f"{name}: {src[:60]!r}: {got['error']}")
                self.assertEqual(hub.texts(got["outputs"]), hub.texts(stored), f"{name}: {src[:60]!r}")
            sockets = [f for f in os.listdir(os.path.join(self.work, "run", name)) if "-ipc-" in f]
            self.assertTrue(sockets, f"{name}'s kernel made no ipc sockets")

    def test_an_interrupt_through_rest_stops_one_students_cell(self):
        alice, bob = self.hub.start_kernel("alice"), self.hub.start_kernel("bob")
        try:
            self.assertEqual(alice.execute("kept := 41")["status"], "ok")
            result = {}
            spin = threading.Thread(target=lambda: result.update(alice.execute("for {\n}", timeout=60)))
            spin.start()
            time.sleep(1)
            # Bob's kernel answers while Alice's spins.
            self.assertEqual(bob.execute("1 + 1")["status"], "ok")
            self.assertEqual(alice.interrupt(), 204)
            spin.join(30)
            self.assertEqual(result.get("status"), "error")
            self.assertIn("nterrupt", result.get("error") or "")
            after = alice.execute("kept + 1")
            self.assertEqual(hub.texts(after["outputs"]), "42")
            # A restart through REST: a fresh session.
            self.assertEqual(alice.restart(), 200)
            gone = alice.execute("kept")
            self.assertEqual(gone["status"], "error")
            self.assertEqual(hub.texts(alice.execute("1 + 1")["outputs"]), "2")
        finally:
            alice.close()
            bob.close()

    def test_each_students_server_lives_in_a_cgroup_with_their_limits(self):
        v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
        limit_file = ("/sys/fs/cgroup/gomatcalc/alice/memory.max" if v2
                      else "/sys/fs/cgroup/memory/gomatcalc/alice/memory.limit_in_bytes")
        if not os.path.exists(limit_file):
            self.skipTest("this machine does not let the hub make cgroups (the spawner logs it)")
        with open(limit_file) as f:
            self.assertEqual(int(f.read()), 1 << 30)
        procs = os.path.join(os.path.dirname(limit_file), "cgroup.procs")
        kernel = self.hub.start_kernel("alice")
        try:
            kernel.execute("1")
            with open(procs) as f:
                pids = [int(p) for p in f.read().split()]
            commands = []
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        commands.append(f.read().split(b"\0")[:2])
                except OSError:
                    pass
            self.assertTrue(any(c[1:] == [b"kernel"] for c in commands), commands)
            self.assertTrue(any(c[1:] == [b"worker"] for c in commands), commands)
        finally:
            kernel.close()


if __name__ == "__main__":
    unittest.main()
