"""Issue 17's load test: the course's JupyterHub (deploy/, started on 127.0.0.1 by
tests/integration/hub.py) with N students at once. For each N, every student starts a
server and a kernel, runs a lecture notebook through the kernel's websocket (checking
every cell's text against the one stored in the notebook), then interrupts a waiting cell
and restarts the kernel through the REST API. It prints one table: cells per second, p50
and p99 of the cells, the memory of each part, failures. Then a runaway student beside
the others (`for {}`, an allocation loop, four spinning goroutines): the others' p99
against the same N without one, and where the allocation loop ended.

Run it through bench/run-hub-load (it builds the binary and installs what is missing)."""

import argparse
import faulthandler
import os
import shutil
import signal
import random
import statistics
import sys
import tempfile
import threading
import time

import psutil

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import hub  # noqa: E402

NOTEBOOK = os.path.join(hub.ROOT, "notebooks", "lecture07-second-derivatives-hessians.ipynb")

RUNAWAYS = {
    "for {}": "for {\n}",
    "allocation loop": "var keep [][]float64\nfor {\n\tkeep = append(keep, make([]float64, 1<<20))\n}",
    "four spinning goroutines": "for i := 0; i < 4; i++ {\n\tgo func() {\n\t\tfor {\n\t\t}\n\t}()\n}\nselect {}",
}


def p99(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(0.99 * len(xs)))]


class Student:
    """One student's session of the load test: server, kernel, the notebook, an interrupt,
    a restart. Its failures are strings in self.failures."""

    def __init__(self, h, name, cells, rounds, think):
        self.h, self.name, self.cells, self.rounds, self.think = h, name, cells, rounds, think
        self.pause = random.Random(name)  # the same pauses for the same student in every run
        self.times, self.failures = [], []
        self.began = self.ended = None

    def run(self, started):
        kernel = None
        try:
            self.h.add_student(self.name)
            kernel = self.h.start_kernel(self.name)
        except Exception as e:  # a failure of this student, counted; the others go on
            self.failures.append(f"start: {type(e).__name__}: {e}")
        started.wait()
        if kernel is None:
            return
        try:
            self.notebook(kernel)
            self.interrupt_and_restart(kernel)
        except Exception as e:
            self.failures.append(f"{type(e).__name__}: {e}")
        finally:
            kernel.close()

    def notebook(self, kernel):
        self.began = time.monotonic()
        for _ in range(self.rounds):
            for src, stored in self.cells:
                if self.think:
                    time.sleep(self.pause.uniform(0.5, 1.5) * self.think)
                got = kernel.execute(src)
                self.times.append(got["seconds"])
                if got["status"] != "ok" or hub.texts(got["outputs"]) != hub.texts(stored):
                    self.failures.append(f"cell {src[:40]!r}: {got['status']} {got['error']}")
        self.ended = time.monotonic()

    def interrupt_and_restart(self, kernel):
        result = {}
        t = threading.Thread(target=lambda: result.update(kernel.execute('import "time"\ntime.Sleep(time.Hour)', timeout=60)),
                             daemon=True)
        t.start()
        time.sleep(0.5)
        if kernel.interrupt() != 204:
            self.failures.append("interrupt refused")
        t.join(30)
        if result.get("status") != "error" or "nterrupt" not in (result.get("error") or ""):
            self.failures.append(f"interrupt: {result}")
        if kernel.restart() != 200:
            self.failures.append("restart refused")
        if hub.texts(kernel.execute("1 + 1")["outputs"]) != "2":
            self.failures.append("no answer after the restart")


def memory(h):
    """RSS in MiB of the hub, the proxy, the servers and the kernels (kernel and worker
    processes together), and the PSS of everything (shared pages counted once)."""
    parts = {"hub": 0, "proxy": 0, "servers": [], "kernels": []}
    pss = 0
    root = psutil.Process(h.proc.pid)
    procs = [root] + root.children(recursive=True)
    for p in procs:
        try:
            cmd = " ".join(p.cmdline())
            rss = p.memory_info().rss / 2**20
            pss += p.memory_full_info().pss / 2**20
        except psutil.Error:
            continue
        if p.pid == root.pid:
            parts["hub"] += rss
        elif "configurable-http-proxy" in cmd:
            parts["proxy"] += rss
        elif "jupyterhub-singleuser" in cmd:
            parts["servers"].append(rss)
        elif " kernel " in cmd:  # with its worker process
            try:
                rss += sum(c.memory_info().rss for c in p.children()) / 2**20
            except psutil.Error:
                pass
            parts["kernels"].append(rss)
    return parts, pss


def load(gomatcalc, n, rounds, think, runaway=None, cpu_limit=1.0, mem_limit="1G"):
    """Runs n students (and a runaway one, if runaway names a cell); returns a row."""
    work = tempfile.mkdtemp(prefix=f"hubload-{n}-")
    h = hub.Hub(gomatcalc, work, mem_limit=mem_limit, cpu_limit=cpu_limit).start()
    cells = hub.code_cells(NOTEBOOK)
    students = [Student(h, f"student{i:03d}", cells, rounds, think) for i in range(n)]
    started = threading.Barrier(n + 1, timeout=600)  # the students and this thread
    runaway_result = {}
    try:
        threads = [threading.Thread(target=s.run, args=(started,), daemon=True) for s in students]
        for t in threads:
            t.start()
        if runaway:
            h.add_student("runaway")
            rk = h.start_kernel("runaway")

            def run_away():
                t0 = time.monotonic()
                r = rk.execute(RUNAWAYS[runaway], timeout=600)
                runaway_result.update(r, ended=time.monotonic() - t0)

            rt = threading.Thread(target=run_away, daemon=True)
            rt.start()
        t0 = time.monotonic()
        started.wait()
        mem_at = {}

        def sample():  # memory while the students work
            time.sleep(2)
            try:
                mem_at["parts"] = memory(h)
            except psutil.Error:
                pass  # the run ended first

        threading.Thread(target=sample, daemon=True).start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        if runaway and not runaway_result and runaway != "allocation loop":
            rk.interrupt()
    finally:
        h.stop()
        shutil.rmtree(work, ignore_errors=True)
    times = [x for s in students for x in s.times]
    # Cells per second while the notebooks ran (starts, interrupts and restarts aside).
    spans = [(s.began, s.ended) for s in students if s.began and s.ended]
    elapsed = max(e for _, e in spans) - min(b for b, _ in spans) if spans else elapsed
    failures = [f"{s.name}: {f}" for s in students for f in s.failures]
    parts, pss = mem_at.get("parts", ({"hub": 0, "proxy": 0, "servers": [], "kernels": []}, 0))
    return {"n": n, "cells": len(times), "rate": len(times) / elapsed, "p50": statistics.median(times) if times else 0,
            "p99": p99(times) if times else 0, "parts": parts, "pss": pss, "failures": failures, "runaway": runaway_result}


def mean(xs):
    return statistics.mean(xs) if xs else 0


def main():
    # A kill ends the run as an error does: the hubs' atexit stops their servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    faulthandler.register(signal.SIGUSR1)  # kill -USR1 prints where every thread is
    ap = argparse.ArgumentParser()
    ap.add_argument("--gomatcalc", required=True)
    ap.add_argument("--students", default="1,5,10,20,40", help="the values of N")
    ap.add_argument("--rounds", type=int, default=2, help="times each student runs the notebook")
    ap.add_argument("--runaway-n", type=int, default=10, help="N beside the runaway student (0: none)")
    ap.add_argument("--think", type=float, default=0,
                    help="mean seconds a student pauses before each cell (0: cells back to back)")
    ap.add_argument("--cpu-limit", type=float, default=1.0)
    ap.add_argument("--mem-limit", default="1G")
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    t_start = time.monotonic()
    print(f"lecture 7 ({len(hub.code_cells(NOTEBOOK))} code cells) x {args.rounds} per student, then an interrupt and a "
          f"restart; limits {args.mem_limit}, {args.cpu_limit:g} CPU per student; "
          + (f"{args.think:g} s (0.5-1.5x) before each cell" if args.think else "cells back to back"), flush=True)
    print("| students | cells | cells/s | p50 | p99 | hub + proxy | per server | per kernel | PSS of all | failures |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = {}
    for n in [int(x) for x in args.students.split(",") if x]:
        row = load(args.gomatcalc, n, args.rounds, args.think, cpu_limit=args.cpu_limit, mem_limit=args.mem_limit)
        rows[n] = row
        parts = row["parts"]
        print(f"| {n} | {row['cells']} | {row['rate']:.1f} | {row['p50'] * 1000:.1f} ms | {row['p99'] * 1000:.1f} ms | "
              f"{parts['hub']:.0f} + {parts['proxy']:.0f} MiB | {mean(parts['servers']):.0f} MiB | "
              f"{mean(parts['kernels']):.0f} MiB | {row['pss']:.0f} MiB | {len(row['failures'])} |", flush=True)
        for f in row["failures"][:5]:
            print(f"    {f}", flush=True)
    if args.runaway_n:
        n = args.runaway_n
        base = rows.get(n) or load(args.gomatcalc, n, args.rounds, args.think, cpu_limit=args.cpu_limit, mem_limit=args.mem_limit)
        print(f"\nA runaway student beside {n} others (their p99 without one: {base['p99'] * 1000:.1f} ms)\n")
        print("| runaway cell | others' p50 | others' p99 | p99 / without | others' failures | the runaway cell |")
        print("|---|---|---|---|---|---|")
        for name in RUNAWAYS:
            row = load(args.gomatcalc, n, args.rounds, args.think, runaway=name, cpu_limit=args.cpu_limit, mem_limit=args.mem_limit)
            r = row["runaway"]
            ended = (f"{r['status']} after {r['ended']:.1f} s: {(r.get('error') or '')[:90]}" if r
                     else "still running when the others finished (interrupted)")
            print(f"| {name} | {row['p50'] * 1000:.1f} ms | {row['p99'] * 1000:.1f} ms | {row['p99'] / base['p99']:.2f} | "
                  f"{len(row['failures'])} | {ended} |", flush=True)
            for f in row["failures"][:5]:
                print(f"    {f}", flush=True)
    print(f"\n({time.strftime('%Y-%m-%d')}, one run of {time.monotonic() - t_start:.0f} s; load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
