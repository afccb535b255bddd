#!/usr/bin/env python3
"""A slow or vanished front end: an iopub subscriber that subscribes and then stops
reading, while a normal jupyter_client front end runs cells that print a lot; then a new
front end connects (a browser reload) while the stalled one still hangs on; then the
stalled one disconnects. Prints what each front end saw, how long it took and the kernel's
RSS. Run it with bench/run-reliability slow-frontend."""

import argparse
import os
import sys
import time

from jupyter_client.manager import KernelManager

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtp  # noqa: E402


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def iopub_connections(pid, port):
    """Established connections to the kernel's iopub port."""
    import psutil
    return sum(1 for c in psutil.Process(pid).connections(kind="tcp")
               if c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED)


def wait_idle(kc, msg_id, timeout):
    """Seconds until kc's iopub delivers the idle status of msg_id (None: not within
    timeout), and the stream bytes of msg_id seen on the way."""
    start = time.monotonic()
    text = 0
    while True:
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            return None, text
        try:
            msg = kc.get_iopub_msg(timeout=left)
        except Exception:
            return None, text
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            text += len(msg["content"]["text"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return time.monotonic() - start, text


def wait_reply(kc, msg_id, timeout):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            msg = kc.get_shell_msg(timeout=timeout - (time.monotonic() - start))
        except Exception:
            return None
        if msg["parent_header"].get("msg_id") == msg_id:
            return time.monotonic() - start
    return None


def fmt(t):
    return "never" if t is None else f"{t:.2f} s"


def client(km):
    kc = km.blocking_client()
    kc.start_channels()
    kc.wait_for_ready(timeout=30)
    return kc


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--mib", type=int, default=20, help="MiB each flood cell prints (the kernel shows 4 MB)")
    p.add_argument("--cells", type=int, default=3, help="flood cells while the subscriber stalls")
    p.add_argument("--timeout", type=float, default=20, help="seconds to wait for each thing")
    p.add_argument("--linger", type=float, default=12, help="seconds the stalled subscriber hangs on before it leaves")
    args = p.parse_args()
    lines = args.mib * 1024 * 1024 // 100
    flood = f'import "strings"\nline := strings.Repeat("x", 99)\nfor i := 0; i < {lines}; i++ {{ fmt.Println(line) }}'

    km = KernelManager(kernel_name="gomatcalc")
    km.start_kernel()
    pid = km.provisioner.process.pid
    kc = client(km)
    rows = []

    def run(label, who, code, timeout=args.timeout):
        msg_id = who.execute(code)
        t0 = time.monotonic()
        reply = wait_reply(who, msg_id, timeout)
        idle, text = wait_idle(who, msg_id, max(0.1, timeout - (time.monotonic() - t0)))
        rows.append((label, fmt(reply), fmt(idle), f"{text / 1e6:.1f} MB",
                     f"{rss_mib(pid):.0f} MiB", iopub_connections(pid, km.iopub_port)))

    run("no stalled subscriber: flood cell", kc, flood)
    stalled = zmtp.stalled_subscriber(km.ip, km.iopub_port)
    for i in range(args.cells):
        run(f"stalled subscriber attached: flood cell {i + 1}", kc, flood)
    run("stalled subscriber attached: `1+1`", kc, "1+1")
    fresh, ready = connect_client(km, args.timeout)
    rows.append(("new front end connects (reload): kernel_info", "-", fmt(ready), "-",
                 f"{rss_mib(pid):.0f} MiB", iopub_connections(pid, km.iopub_port)))
    run("new front end: `1+1`", fresh, "1+1")
    time.sleep(args.linger)
    run(f"{args.linger:.0f} s later: `1+1`", kc, "1+1")
    stalled.close()
    time.sleep(0.5)
    run("stalled subscriber gone: `1+1` (first front end)", kc, "1+1")
    run("stalled subscriber gone: `1+1` (new front end)", fresh, "1+1")
    fresh.stop_channels()
    kc.stop_channels()
    km.shutdown_kernel(now=True)

    print(f"| step | execute_reply after | idle on iopub after | stream text received | kernel RSS | iopub connections |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    print(f"\n(flood cells print {args.mib} MiB in 100-byte lines; the reading front end is the first one; waits capped at {args.timeout:.0f} s; "
          f"{time.strftime('%Y-%m-%d')})")


def connect_client(km, timeout):
    """A new front end and the seconds until its iopub delivered (None: not in time)."""
    kc = km.blocking_client()
    kc.start_channels()
    start = time.monotonic()
    try:
        kc.wait_for_ready(timeout=timeout)
    except RuntimeError:
        return kc, None
    return kc, time.monotonic() - start


if __name__ == "__main__":
    sys.exit(main())
