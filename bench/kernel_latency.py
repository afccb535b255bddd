#!/usr/bin/env python3
"""Measures gomatcalc against Debian's ipykernel with jupyter_client, side by side in one
run, and prints a Markdown table: start to first kernel_info_reply, execute of a trivial
cell (send to iopub idle) median and p99, and idle RSS.

Run it with bench/run-kernel-latency (which builds and installs the kernel first)."""

import argparse
import statistics
import sys
import time

from jupyter_client.manager import KernelManager

CELLS = {"gomatcalc": "1+1", "python3": "1+1"}


def rss_mib_one(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib(pid):
    """The RSS of the kernel and its children (gomatcalc's session runs in a worker)."""
    import psutil
    return sum(p.memory_info().rss for p in [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)) / 2**20


def measure(name, runs):
    km = KernelManager(kernel_name=name)
    # jupyter_client's kernelspec search takes half a second whichever the kernel: it is
    # done before the clock starts, so the figure is the kernel's own start-up.
    assert km.kernel_spec is not None
    start = time.perf_counter()
    km.start_kernel()
    kc = km.blocking_client()
    kc.start_channels()
    # Poll kernel_info until the first reply (to any of the requests): the time a front
    # end waits for a kernel.
    while True:
        kc.kernel_info()
        try:
            reply = kc.get_shell_msg(timeout=0.01)
        except Exception:
            continue
        if reply["msg_type"] == "kernel_info_reply":
            break
    startup = time.perf_counter() - start
    # Let the other kernel_info replies arrive, and discard them and what start-up published.
    time.sleep(1)
    for get in (kc.get_shell_msg, kc.get_iopub_msg):
        while True:
            try:
                get(timeout=0.2)
            except Exception:
                break

    code = CELLS[name]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        msg_id = kc.execute(code)
        while True:
            msg = kc.get_iopub_msg(timeout=10)
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"):
                break
        times.append(time.perf_counter() - t0)
        while kc.get_shell_msg(timeout=10)["parent_header"].get("msg_id") != msg_id:
            pass
    time.sleep(0.5)
    rss = rss_mib(km.provisioner.process.pid)
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    times.sort()
    return {
        "startup_ms": startup * 1000,
        "median_ms": statistics.median(times) * 1000,
        "p99_ms": times[int(0.99 * (len(times) - 1))] * 1000,
        "rss_mib": rss,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=1000)
    p.add_argument("kernels", nargs="*", default=["gomatcalc", "python3"])
    args = p.parse_args()
    rows = [(k, measure(k, args.runs)) for k in args.kernels]
    print(f"| kernel | start to kernel_info_reply | execute `1+1` median | p99 | idle RSS |")
    print("|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['startup_ms']:.0f} ms | {r['median_ms']:.2f} ms | "
              f"{r['p99_ms']:.2f} ms | {r['rss_mib']:.0f} MiB |")
    print(f"\n({args.runs} executes each, {time.strftime('%Y-%m-%d')})")


if __name__ == "__main__":
    sys.exit(main())
