#!/usr/bin/env python3
"""Soak: N executes through jupyter_client in one gomatcalc kernel (values, prints,
displays, matrices, imports; with --closures also a function literal and a goroutine). Checks that every reply is ok and prints a
table of the kernel's RSS, goroutines (runtime.NumGoroutine, asked through a user
expression) and OS threads along the way. Run it with bench/run-reliability soak."""

import argparse
import statistics
import sys
import time

from jupyter_client.manager import KernelManager

SETUP = 'import "runtime"\nn := 0\nvar A *mat.Dense'
CELLS = [
    "n++",
    'fmt.Println("n is", n)',
    "n * 2",
    'display.Markdown(fmt.Sprintf("**%d**", n))',
    "A = mat.NewDense(2, 2, []float64{1, 2, 3, float64(n)})\nmat.Det(A)",
    'import "strings"\nstrings.Repeat("ab", n%50)',
]
# With --closures: a function literal (and a goroutine) in a cell, whose closure once
# copied the session's whole global frame, so that its cost grew with every execute
# (docs/reliability.md, Soak; go run ./bench/sessionmem shows it without the kernel).
CLOSURE_CELL = "done := make(chan int)\ngo func() { done <- n }()\n<-done"


def status(pid):
    """RSS (MiB) and threads of the kernel and its children (the session's worker)."""
    import psutil
    procs = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    return sum(p.memory_info().rss for p in procs) / 2**20, sum(p.num_threads() for p in procs)


def execute(kc, code, **kw):
    """Runs code; returns (reply content, seconds from send to reply and idle)."""
    t0 = time.perf_counter()
    msg_id = kc.execute(code, **kw)
    idle = False
    while not idle:
        msg = kc.get_iopub_msg(timeout=30)
        idle = (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle")
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"], time.perf_counter() - t0


def goroutines(kc):
    reply, _ = execute(kc, "", silent=True, user_expressions={"g": "runtime.NumGoroutine()"})
    return int(reply["user_expressions"]["g"]["data"]["text/plain"])


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--executes", type=int, default=10000)
    p.add_argument("--every", type=int, default=1000, help="executes between two rows")
    p.add_argument("--closures", action="store_true", help="add a cell with a function literal and a goroutine")
    args = p.parse_args()
    cells = CELLS + [CLOSURE_CELL] if args.closures else CELLS

    km = KernelManager(kernel_name="gomatcalc")
    km.start_kernel()
    kc = km.blocking_client()
    kc.start_channels()
    kc.wait_for_ready(timeout=30)
    pid = km.provisioner.process.pid
    reply, _ = execute(kc, SETUP)
    assert reply["status"] == "ok", reply

    rows, times, failures = [], [], []
    start = time.perf_counter()

    def row(done):
        rss, threads = status(pid)
        rows.append((done, time.perf_counter() - start, rss, goroutines(kc), threads))

    row(0)
    for i in range(args.executes):
        code = cells[i % len(cells)]
        reply, took = execute(kc, code)
        times.append(took)
        if reply["status"] != "ok":
            failures.append((i, code, reply.get("ename"), reply.get("evalue")))
        if (i + 1) % args.every == 0:
            row(i + 1)
    kc.stop_channels()
    km.shutdown_kernel(now=False)

    print("| executes | seconds | RSS | goroutines | threads |")
    print("|---|---|---|---|---|")
    for done, secs, rss, g, threads in rows:
        print(f"| {done} | {secs:.0f} | {rss:.1f} MiB | {g} | {threads} |")
    times.sort()
    first_rss, last_rss = rows[1][2] if len(rows) > 1 else rows[0][2], rows[-1][2]
    print(f"\n{args.executes} executes, {args.executes - len(failures)} replies ok; "
          f"per execute (send to reply and idle) median {statistics.median(times) * 1000:.2f} ms, "
          f"p99 {times[int(0.99 * (len(times) - 1))] * 1000:.2f} ms; RSS growth after the first "
          f"{args.every}: {last_rss - first_rss:+.1f} MiB, from the start: {last_rss - rows[0][2]:+.1f} MiB "
          f"({time.strftime('%Y-%m-%d')})")
    for f in failures[:10]:
        print("not ok:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
