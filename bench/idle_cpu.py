#!/usr/bin/env python3
"""Idle: the CPU an idle gomatcalc kernel uses. Starts a kernel through jupyter_client
(with MEM_LIMIT in its environment unless --mem-limit ''), runs one cell (the supervisor
watches the worker's memory from its first cell on), waits, then measures the CPU time of
the kernel and its worker over --seconds (the sum of their threads' /proc schedstat, in
nanoseconds) and their context switches. Run it with bench/run-reliability idle."""

import argparse
import glob
import os
import sys
import time

from jupyter_client.manager import KernelManager


def cpu_and_switches(pid):
    """CPU nanoseconds and context switches (voluntary and not) of pid's live threads."""
    cpu = switches = 0
    for task in glob.glob(f"/proc/{pid}/task/*"):
        try:
            with open(f"{task}/schedstat") as f:
                cpu += int(f.read().split()[0])
            with open(f"{task}/status") as f:
                switches += sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return cpu, switches


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--mem-limit", default="1073741824", help="MEM_LIMIT for the kernel ('': none)")
    args = p.parse_args()

    env = dict(os.environ)
    env.pop("MEM_LIMIT", None)
    if args.mem_limit:
        env["MEM_LIMIT"] = args.mem_limit
    km = KernelManager(kernel_name="gomatcalc")
    km.start_kernel(env=env)
    kc = km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=30)
        reply = kc.execute_interactive("x := 1\nx + 1", timeout=30, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        kernel = km.provisioner.process.pid
        import psutil
        [worker] = [c.pid for c in psutil.Process(kernel).children()]
        time.sleep(2)  # past the first cell's work
        procs = {"kernel": kernel, "worker": worker}
        before = {name: cpu_and_switches(pid) for name, pid in procs.items()}
        t0 = time.monotonic()
        time.sleep(args.seconds)
        elapsed = time.monotonic() - t0
        after = {name: cpu_and_switches(pid) for name, pid in procs.items()}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)

    print(f"idle for {elapsed:.0f} s, MEM_LIMIT={args.mem_limit or '(none)'} ({time.strftime('%Y-%m-%d')})\n")
    print("| process | CPU | per second | share of a core | context switches per second |")
    print("|---|---|---|---|---|")
    total = 0
    for name in procs:
        cpu = after[name][0] - before[name][0]
        total += cpu
        switches = (after[name][1] - before[name][1]) / elapsed
        print(f"| {name} | {cpu / 1e6:.1f} ms | {cpu / 1e3 / elapsed:.1f} µs | "
              f"{cpu / 1e9 / elapsed * 100:.3f}% | {switches:.1f} |")
    print(f"| both | {total / 1e6:.1f} ms | {total / 1e3 / elapsed:.1f} µs | {total / 1e9 / elapsed * 100:.3f}% | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
