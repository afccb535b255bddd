#!/usr/bin/env python3
"""Output floods through jupyter_client: cells that print a million lines, a 100 MB string,
leave a 100 MB string as their value, display 20 MB of HTML. For each: time to the reply,
what the front end received, the kernel's RSS, and how long the next cell takes. Then the
million lines five times more, to show memory stays bounded. Run it with
bench/run-reliability flood."""

import argparse
import sys
import time

from jupyter_client.manager import KernelManager

CELLS = [
    ("1,000,000 lines", 'for i := 0; i < 1000000; i++ { fmt.Println("line", i) }'),
    ("a 100 MB string printed", 'import "strings"\nhuge := strings.Repeat("x", 100<<20)\nfmt.Print(huge)'),
    ("a 100 MB string as the value", "huge"),
    ("20 MB of HTML displayed", 'display.HTML(strings.Repeat("<b>x</b>", 20<<20/8))'),
] + [("1,000,000 lines again", 'for i := 0; i < 1000000; i++ { fmt.Println("line", i) }')] * 5


def rss_mib_one(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib(pid):
    """The RSS of the kernel and its children (the session runs in a worker process)."""
    import psutil
    procs = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    return sum(p.memory_info().rss for p in procs) / 2**20


def run(kc, code, timeout=120):
    """(reply content, seconds to reply, seconds to idle, bytes of output received)."""
    t0 = time.perf_counter()
    msg_id = kc.execute(code)
    got, t_idle = 0, None
    while t_idle is None:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        c = msg["content"]
        if msg["msg_type"] == "stream":
            got += len(c["text"].encode())
        elif msg["msg_type"] in ("execute_result", "display_data"):
            got += sum(len(v) for v in c["data"].values() if isinstance(v, str))
        elif msg["msg_type"] == "status" and c["execution_state"] == "idle":
            t_idle = time.perf_counter() - t0
    while True:
        r = kc.get_shell_msg(timeout=timeout)
        if r["parent_header"].get("msg_id") == msg_id:
            return r["content"], t_idle, got


def main():
    argparse.ArgumentParser(description=__doc__).parse_args()
    km = KernelManager(kernel_name="gomatcalc")
    km.start_kernel()
    kc = km.blocking_client()
    kc.start_channels()
    kc.wait_for_ready(timeout=30)
    pid = km.provisioner.process.pid
    rows = []
    for name, code in CELLS:
        reply, took, got = run(kc, code)
        _, next_took, _ = run(kc, "1+1")
        rows.append((name, reply["status"], took, got, rss_mib(pid), next_took))
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    print("| cell | reply | to idle | output received | kernel+worker RSS after | next cell `1+1` |")
    print("|---|---|---|---|---|---|")
    for name, status, took, got, rss, nxt in rows:
        print(f"| {name} | {status} | {took:.2f} s | {got / 1e6:.2f} MB | {rss:.0f} MiB | {nxt * 1000:.1f} ms |")
    print(f"\n({time.strftime('%Y-%m-%d')})")


if __name__ == "__main__":
    sys.exit(main())
