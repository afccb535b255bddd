#!/usr/bin/env python3
"""Interrupt latency: for each way a cell can wait (a busy loop, a sleep, a blocked channel
receive, a matcalc Hessian over a slow cell function), N times: run the cell, interrupt it
with interrupt_request (jupyter_client's interrupt_kernel, the kernelspec's "message"
mode) a random 50-150 ms after it started, and time from sending the interrupt to the
error reply on shell. After each interrupt a cell checks that earlier state is intact.
Run it with bench/run-reliability interrupts."""

import argparse
import random
import statistics
import sys
import time

from jupyter_client.manager import KernelManager

KINDS = {
    "`for {}`": "for {}",
    "`time.Sleep(time.Hour)`": 'import "time"\ntime.Sleep(time.Hour)',
    "blocked channel receive": "ch := make(chan int)\n<-ch",
    "matcalc.Hessian, slow f": "matcalc.Hessian(func(x []float64) float64 { s := 0.0; "
                               "for i := 0; i < 200000; i++ { s += x[0] }; return s }, make([]float64, 50))",
}


def wait(kc, msg_id, want, timeout=30):
    """Waits for the iopub status want of msg_id."""
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == want):
            return


def reply(kc, msg_id, timeout=30):
    while True:
        msg = kc.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=100, help="interrupts of each kind")
    args = p.parse_args()
    rng = random.Random(1)

    km = KernelManager(kernel_name="gomatcalc")
    km.start_kernel()
    kc = km.blocking_client()
    kc.start_channels()
    kc.wait_for_ready(timeout=30)
    msg_id = kc.execute("kept := 41")
    assert reply(kc, msg_id)["status"] == "ok"
    wait(kc, msg_id, "idle")

    rows = []
    for name, code in KINDS.items():
        times, wrong, lost = [], 0, 0
        for _ in range(args.runs):
            msg_id = kc.execute(code)
            wait(kc, msg_id, "busy")
            time.sleep(rng.uniform(0.05, 0.15))
            t0 = time.perf_counter()
            km.interrupt_kernel()
            r = reply(kc, msg_id)
            times.append(time.perf_counter() - t0)
            wait(kc, msg_id, "idle")
            if r["status"] != "error" or r.get("ename") != "Interrupted":
                wrong += 1
            check = kc.execute("kept + 1", user_expressions={"k": "kept"})
            c = reply(kc, check)
            wait(kc, check, "idle")
            if c["status"] != "ok" or c["user_expressions"]["k"]["data"]["text/plain"] != "41":
                lost += 1
        times.sort()
        rows.append((name, statistics.median(times), times[int(0.95 * (len(times) - 1))], times[-1], wrong, lost))
    kc.stop_channels()
    km.shutdown_kernel(now=False)

    print("| cell | median | p95 | max | not `Interrupted` | state lost |")
    print("|---|---|---|---|---|---|")
    for name, med, p95, mx, wrong, lost in rows:
        print(f"| {name} | {med * 1000:.1f} ms | {p95 * 1000:.1f} ms | {mx * 1000:.1f} ms | {wrong} | {lost} |")
    print(f"\n({args.runs} interrupts of each, from interrupt_request sent to execute_reply received; "
          f"{time.strftime('%Y-%m-%d')})")
    return 1 if any(r[4] or r[5] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
