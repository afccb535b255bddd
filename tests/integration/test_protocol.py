"""Protocol behaviour through jupyter_client: counting, silent, stop_on_error,
user_expressions, stdin, interrupt, comms, state across errors, shutdown."""

import os
import signal
import tempfile
import time
import unittest
from datetime import datetime
from queue import Empty

from support import TIMEOUT, KernelTestCase, kernel, outputs, run_cell, stdout_text


class TestExecute(KernelTestCase):
    def test_execution_count_counts_stored_cells_only(self):
        first, _ = self.run_cell("1")
        silent, msgs = self.run_cell("2", silent=True)
        unstored, _ = self.run_cell("3", store_history=False)
        second, _ = self.run_cell("4")
        self.assertEqual(second["execution_count"], first["execution_count"] + 1)
        self.assertEqual(silent["execution_count"], first["execution_count"])
        self.assertEqual(unstored["execution_count"], first["execution_count"])
        # silent: no execute_input and no execute_result
        self.assertEqual(outputs(msgs, "execute_result"), [])

    def test_execute_input_and_result_carry_the_count(self):
        reply, msgs = self.run_cell("20 + 22")
        [result] = outputs(msgs, "execute_result")
        self.assertEqual(result["execution_count"], reply["execution_count"])
        self.assertEqual(result["data"]["text/plain"], "42")
        self.assertEqual(result["metadata"], {})

    def test_dates_are_parsed_by_jupyter_client(self):
        # jupyter_client turns a date of up to six fractional digits into a datetime and
        # leaves one of nine as a string; ipykernel stamps microseconds.
        msgs = []
        reply = self.kc.execute_interactive("1 + 1", timeout=TIMEOUT, output_hook=msgs.append)
        for msg in [reply] + msgs:
            self.assertIsInstance(msg["header"]["date"], datetime, msg["msg_type"])

    def test_a_shape_mismatch_names_the_shapes(self):
        reply, msgs = self.run_cell("A := mat.NewDense(3, 3, nil)\nB := mat.NewDense(2, 3, nil)\nvar C mat.Dense\nC.Mul(A, B)")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["evalue"], "mat: dimension mismatch: C is empty, A is 3×3, B is 2×3")

    def test_state_survives_errors(self):
        self.run_cell("kept := 7")
        reply, msgs = self.run_cell('panic("on purpose")')
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "panic")
        self.assertIn("on purpose", reply["evalue"])
        [err] = outputs(msgs, "error")
        self.assertIsInstance(err["traceback"], list)
        reply, _ = self.run_cell("undefinedName + 1")
        self.assertEqual(reply["status"], "error")
        self.assertIn("undefined", reply["evalue"])
        reply, msgs = self.run_cell("kept * 6")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(outputs(msgs, "execute_result")[0]["data"]["text/plain"], "42")

    def test_output_streams_while_the_cell_runs(self):
        code = 'import "time"\nfor i := 0; i < 3; i++ { fmt.Println("tick", i); time.Sleep(300 * time.Millisecond) }'
        self.kc.execute(code)
        first_output = None
        idle = None
        start = time.monotonic()
        while idle is None:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["msg_type"] == "stream" and first_output is None:
                first_output = time.monotonic() - start
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = time.monotonic() - start
        self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertIsNotNone(first_output)
        # The first line arrives long before the cell ends (0.9 s of sleeping).
        self.assertLess(first_output, idle - 0.4)

    def test_compiled_code_output_is_captured(self):
        # os.Stdout.WriteString runs in compiled Go, not through yaegi's writers.
        _, msgs = self.run_cell('import "os"\nos.Stdout.WriteString("from compiled code\\n")')
        self.assertIn("from compiled code", stdout_text(msgs))

    def test_user_expressions(self):
        self.run_cell("ux := 5")
        reply, _ = self.run_cell("ux++", user_expressions={"double": "ux * 2", "bad": "nope()"})
        ue = reply["user_expressions"]
        self.assertEqual(ue["double"]["status"], "ok")
        self.assertEqual(ue["double"]["data"]["text/plain"], "12")
        self.assertEqual(ue["bad"]["status"], "error")

    def test_stop_on_error_aborts_queued_cells(self):
        # The first cell runs a moment, so that the others are queued behind it.
        ids = [self.kc.execute('import "time"\ntime.Sleep(200 * time.Millisecond)\npanic("first")'),
               self.kc.execute("abortedRan := true"),
               self.kc.execute("1")]
        replies = {}
        while len(replies) < 3:
            msg = self.kc.get_shell_msg(timeout=TIMEOUT)
            replies[msg["parent_header"]["msg_id"]] = msg["content"]
        self.assertEqual(replies[ids[0]]["status"], "error")
        self.assertEqual(replies[ids[1]]["status"], "aborted")
        self.assertEqual(replies[ids[2]]["status"], "aborted")
        reply, _ = self.run_cell("abortedRan")
        self.assertEqual(reply["status"], "error", "an aborted cell must not run")

    def test_stop_on_error_false_runs_queued_cells(self):
        first = self.kc.execute('panic("first")', stop_on_error=False)
        second = self.kc.execute("2 + 2")
        replies = {}
        while len(replies) < 2:
            msg = self.kc.get_shell_msg(timeout=TIMEOUT)
            replies[msg["parent_header"]["msg_id"]] = msg["content"]
        self.assertEqual(replies[first]["status"], "error")
        self.assertEqual(replies[second]["status"], "ok")

    def test_stdin_round_trip(self):
        requests = []

        def answer(msg):
            requests.append(msg["content"])
            self.kc.input("Ada")

        reply, msgs = self.run_cell('var name string\nfmt.Scanln(&name)\nfmt.Println("hello", name)',
                                    allow_stdin=True, stdin_hook=answer)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(requests, [{"prompt": "", "password": False}])
        self.assertIn("hello Ada", stdout_text(msgs))

    def test_an_unfinished_line_is_the_prompt(self):
        requests = []

        def answer(msg):
            requests.append(msg["content"])
            self.kc.input("Ada")

        reply, msgs = self.run_cell('fmt.Println("Hello.")\nfmt.Print("your name? ")\nvar name string\n'
                                    'fmt.Scanln(&name)\nfmt.Println("hello", name)',
                                    allow_stdin=True, stdin_hook=answer)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(requests, [{"prompt": "your name? ", "password": False}])
        self.assertEqual(stdout_text(msgs), "Hello.\nhello Ada\n")

    def test_stdin_refused_when_not_allowed(self):
        reply, msgs = self.run_cell('var s string\n_, err := fmt.Scanln(&s)\nfmt.Println("err:", err)',
                                    allow_stdin=False)
        self.assertEqual(reply["status"], "ok")
        self.assertIn("stdin is not available", stdout_text(msgs))

    def test_comms_are_accepted_and_closed(self):
        comm = self.kc.session.msg("comm_open", {"comm_id": "c1", "target_name": "nothing", "data": {}})
        self.kc.shell_channel.send(comm)
        self.kc.shell_channel.send(self.kc.session.msg("comm_msg", {"comm_id": "c1", "data": {}}))
        msg_id = self.kc.comm_info()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"], {"status": "ok", "comms": {}})
        closes = []
        deadline = time.monotonic() + 5
        while not closes and time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=1)
            except Empty:
                continue
            if msg["msg_type"] == "comm_close":
                closes.append(msg["content"]["comm_id"])
        self.assertEqual(closes, ["c1"])


class TestIntrospection(KernelTestCase):
    """Shift-Tab inside a call and Tab inside an import, as a front end sends them (cursor_pos
    in characters)."""

    def inspect(self, code):
        cursor = code.index("|")
        reply = self.kc.inspect(code.replace("|", ""), cursor, reply=True, timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")
        return reply["content"]

    def test_inspect_inside_a_call(self):
        self.run_cell("A := mat.NewDense(2, 2, nil)\nsq := func(v float64) float64 { return v * v }")
        # gonum's own signature and doc comment (mat/dense.go)
        content = self.inspect('name := "é"; mat.NewDense(2, |')
        self.assertTrue(content["found"])
        text = content["data"]["text/plain"]
        self.assertTrue(text.startswith("func NewDense(r, c int, data []float64) *Dense\n\nNewDense creates a new Dense matrix with r rows and c columns."), text)
        content = self.inspect("A.Mul(|")
        self.assertTrue(content["data"]["text/plain"].startswith("func (m *Dense) Mul(a, b Matrix)\n\nMul takes the matrix product"))
        content = self.inspect("matcalc.Hessian(sq, |")
        text = content["data"]["text/plain"]
        self.assertTrue(text.startswith("func Hessian(f, x any, opts ...Option) *mat.SymDense"), text)
        self.assertIn("*mat.VecDense", text)
        content = self.inspect("sq(|")
        self.assertEqual(content["data"]["text/plain"], "var sq func(float64) float64")

    def test_complete_import_path_and_unimported_package(self):
        code = 'import "str'
        reply = self.kc.complete(code, len(code), reply=True, timeout=TIMEOUT)["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertIn("strings", reply["matches"])
        self.assertIn("strconv", reply["matches"])
        self.assertNotIn("struct", reply["matches"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (8, len(code)))
        code = "é := 1\nstrings.Fi"
        reply = self.kc.complete(code, len(code), reply=True, timeout=TIMEOUT)["content"]
        self.assertIn("Fields", reply["matches"])
        self.assertEqual(reply["cursor_start"], len(code) - 2)
        types = {t["text"]: t for t in reply["metadata"]["_jupyter_types_experimental"]}
        self.assertEqual(sorted(types), sorted(reply["matches"]))
        self.assertEqual(types["Fields"]["type"], 'function, needs import "strings"')
        self.assertEqual((types["Fields"]["start"], types["Fields"]["end"]), (len(code) - 2, len(code)))
        self.assertEqual(reply["metadata"]["needs_import"], ["strings"])


class TestInterrupt(KernelTestCase):
    def interrupt_after(self, code, delay=0.5):
        self.kc.execute(code)
        time.sleep(delay)
        start = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        return reply["content"], time.monotonic() - start

    def test_interrupt_stops_busy_loop_and_keeps_state(self):
        self.run_cell("before := 41")
        for code in ["for {}", 'import "time"\ntime.Sleep(time.Hour)', "ch := make(chan int)\n<-ch"]:
            with self.subTest(code=code):
                reply, took = self.interrupt_after(code)
                self.assertEqual(reply["status"], "error")
                self.assertEqual(reply["ename"], "Interrupted")
                self.assertLess(took, 5)
        reply, msgs = self.run_cell("before + 1")
        self.assertEqual(outputs(msgs, "execute_result")[0]["data"]["text/plain"], "42")

    def test_an_interrupt_names_the_line(self):
        reply, _ = self.interrupt_after("n := 0\nfor {\n\tn++\n}")
        self.assertEqual(reply["ename"], "Interrupted")
        self.assertIn("at line 2 of this cell", "\n".join(reply["traceback"]))

    def test_sigint_interrupts_too(self):
        # interrupt_mode is "message", but a terminal's Ctrl-C sends SIGINT.
        self.kc.execute("for {}")
        time.sleep(0.5)
        self.km.signal_kernel(signal.SIGINT)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertTrue(self.km.is_alive())

    def test_interrupt_while_waiting_for_input(self):
        self.kc.execute("var s string\nfmt.Scanln(&s)", allow_stdin=True)
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")


class TestShutdown(unittest.TestCase):
    def test_shutdown_and_restart_leave_no_process(self):
        with kernel() as (km, kc):
            first_pid = km.provisioner.process.pid
            run_cell(kc, "x := 1")
            km.restart_kernel(now=False)
            kc.wait_for_ready(timeout=TIMEOUT)
            second_pid = km.provisioner.process.pid
            self.assertNotEqual(first_pid, second_pid)
            self.assertFalse(pid_alive(first_pid), "the first kernel must exit on restart")
            reply, _ = run_cell(kc, "x")
            self.assertEqual(reply["status"], "error", "a restarted kernel starts afresh")
        self.assertFalse(pid_alive(second_pid))

    def test_shutdown_reply_then_exit(self):
        with kernel() as (km, kc):
            pid = km.provisioner.process.pid
            kc.shutdown()
            reply = kc.get_control_msg(timeout=TIMEOUT)
            self.assertEqual(reply["msg_type"], "shutdown_reply")
            self.assertEqual(reply["content"]["status"], "ok")
            deadline = time.monotonic() + 10
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(pid_alive(pid))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


if __name__ == "__main__":
    unittest.main()
