#!/usr/bin/env python3
"""Issue 15's speed figures, each beside its reference, measured in one run, as one
Markdown table: start to first kernel_info_reply and execute `1+1` with jupyter_client
against the floor kernel (bench/floorkernel) and ipykernel; the kernel's own time per
execute with a Go front end (bench/roundtrip) against the floor kernel; fib(27) and a loop
of 1e7 float additions in a cell against plain yaegi (bench/yaegiref) running the same
cells; idle RSS after one cell (the kernel and its children); and a Hessian of a
50-variable cell function by matcalc against gonum's fd.Hessian in the same kernel.

Measurements of the kernels compared alternate (starts round-robin, executes in blocks,
cells rep by rep), so that a machine busy with something else slows each side alike.

Run it with bench/run-speed, which builds the Go programs and installs the kernelspecs."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import psutil
from jupyter_client.manager import KernelManager

GOMATCALC, FLOOR, IPYKERNEL = "gomatcalc", "gofloor", "python3"

# The interpreted cells, sent as they are to gomatcalc and to plain yaegi. The timed cell's
# last expression is "SECONDS RESULT": the time is taken inside the cell with time.Now.
INTERPRETED = {
    "fib": {
        "setup": """import (
	"fmt"
	"time"
)

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

var fibStart time.Time
var fibResult int""",
        "timed": """fibStart = time.Now()
fibResult = fib(27)
fmt.Sprintf("%.6f %d", time.Since(fibStart).Seconds(), fibResult)""",
        "want": "196418",
    },
    "loop": {
        "setup": """import (
	"fmt"
	"time"
)

var loopStart time.Time
var sum float64""",
        "timed": """loopStart = time.Now()
sum = 0.0
for i := 0; i < 10000000; i++ {
	sum += 0.5
}
fmt.Sprintf("%.6f %g", time.Since(loopStart).Seconds(), sum)""",
        "want": "5e+06",
    },
}

# The Hessian of a 50-variable function written in a cell (bench/matcalc's chained
# function, with 50 variables): matcalc.Hessian and gonum's fd.Hessian (nil settings:
# forward differences, serial) on the same f in the same kernel, each timed inside the cell
# and checked against the closed form. The timed cells give "SECONDS DIGITS CALLS".
HESSIAN_SETUP = """import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

calls := 0
f := func(x []float64) float64 {
	calls++
	s := 0.0
	for i := 0; i < len(x)-1; i++ {
		s += (x[i+1]-x[i]*x[i])*(x[i+1]-x[i]*x[i]) + 0.01*x[i]*x[i]
	}
	return s
}
x := make([]float64, 50)
for i := range x {
	x[i] = 0.5
}

// g is f without the count: a cell's function matcalc differentiates exactly, in forward
// mode (f writes calls, outside itself, so matcalc differentiates f numerically).
g := func(x []float64) float64 {
	s := 0.0
	for i := 0; i < len(x)-1; i++ {
		s += (x[i+1]-x[i]*x[i])*(x[i+1]-x[i]*x[i]) + 0.01*x[i]*x[i]
	}
	return s
}

// hessDigits is how many significant digits of H are correct in the max norm against the
// closed form: tridiagonal, H_ii = -4 r_i + 8 x_i² + 0.02 + 2 [i > 0] with
// r_i = x_{i+1} - x_i² (H_nn = 2), and H_i,i+1 = -4 x_i.
func hessDigits(H mat.Matrix, x []float64) float64 {
	n := len(x)
	worst, largest := 0.0, 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w := 0.0
			switch {
			case i == j && i < n-1:
				w = -4*(x[i+1]-x[i]*x[i]) + 8*x[i]*x[i] + 0.02
			case j == i+1:
				w = -4 * x[i]
			case i == j+1:
				w = -4 * x[j]
			}
			if i == j && i > 0 {
				w += 2
			}
			worst = math.Max(worst, math.Abs(H.At(i, j)-w))
			largest = math.Max(largest, math.Abs(w))
		}
	}
	return math.Min(16, -math.Log10(worst/largest))
}"""
HESSIAN_MATCALC = """calls = 0
hStart := time.Now()
H := matcalc.Hessian(f, x)
hSeconds := time.Since(hStart).Seconds()
fmt.Sprintf("%.6f %.2f %d", hSeconds, hessDigits(H, x), calls)"""
HESSIAN_EXACT = """calls = 1
hStart := time.Now()
Hx := matcalc.Hessian(g, x)
hSeconds := time.Since(hStart).Seconds()
fmt.Sprintf("%.6f %.2f %d", hSeconds, hessDigits(Hx, x), calls)"""
HESSIAN_FD = """calls = 0
hStart := time.Now()
Hfd := mat.NewSymDense(len(x), nil)
fd.Hessian(Hfd, f, x, nil)
hSeconds := time.Since(hStart).Seconds()
fmt.Sprintf("%.6f %.2f %d", hSeconds, hessDigits(Hfd, x), calls)"""


def rss_mib(pid):
    """The RSS of process pid and all its descendants."""
    p = psutil.Process(pid)
    return sum(q.memory_info().rss for q in [p] + p.children(recursive=True)) / 2**20


def memory_parts(pid):
    """The RSS of process pid and of each descendant, and the PSS of them all (pages they
    share, such as the binary's, split between them), in MiB."""
    procs = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    rss = [q.memory_info().rss / 2**20 for q in procs]
    try:
        pss = sum(q.memory_full_info().pss for q in procs) / 2**20
    except (AttributeError, psutil.Error):
        pss = float("nan")
    return rss, pss


def start(name):
    """Starts kernel name; returns the time to its first kernel_info_reply, its manager and
    a client. kernel_info is polled as bench/kernel_latency.py does; the kernelspec search
    (about 0.5 s, the same for every kernel) is done before the clock starts. The replies
    to the other requests of the poll are read before it returns (a kernel shut down with
    requests queued logs each reply it cannot send)."""
    km = KernelManager(kernel_name=name)
    assert km.kernel_spec is not None
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.blocking_client()
    # No heartbeat channel: no figure needs it, and its thread races the context's
    # destruction at shutdown ("Too many open files" from a socket made too late).
    kc.start_channels(hb=False)
    sent = 0
    while True:
        kc.kernel_info()
        sent += 1
        try:
            reply = kc.get_shell_msg(timeout=0.01)
        except Exception:
            continue
        if reply["msg_type"] == "kernel_info_reply":
            elapsed = time.perf_counter() - t0
            break
    for _ in range(sent - 1):
        try:
            kc.get_shell_msg(timeout=1)
        except Exception:
            break
    return elapsed, km, kc


def drain(kc, wait=0.2):
    """Discards what is queued on shell and iopub."""
    for get in (kc.get_shell_msg, kc.get_iopub_msg):
        while True:
            try:
                get(timeout=wait)
            except Exception:
                break


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=False)


def run_cell(kc, code, timeout=300):
    """Runs a cell; returns its execute_result's text/plain (a Go string unquoted), or
    raises with the cell's error."""
    msg_id = kc.execute(code)
    result, error = None, None
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t, c = msg["msg_type"], msg["content"]
        if t == "execute_result":
            result = c["data"].get("text/plain", "")
        elif t == "error":
            error = f"{c['ename']}: {c['evalue']}"
        elif t == "status" and c["execution_state"] == "idle":
            break
    while kc.get_shell_msg(timeout=timeout)["parent_header"].get("msg_id") != msg_id:
        pass
    if error:
        raise RuntimeError(f"cell failed: {error}\n{code}")
    if result and len(result) >= 2 and result[0] == result[-1] in "\"'`":
        result = result[1:-1]
    return result


def execute_times(kc, code, n):
    """Times n executes of code from sending the request to its idle status on iopub."""
    times = []
    for _ in range(n):
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
    return times


def p99(xs):
    xs = sorted(xs)
    return xs[int(0.99 * (len(xs) - 1))]


def roundtrip(binary, argv, n):
    out = subprocess.run([binary, "-n", str(n), "--"] + argv, check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    if r["result"] != "2":
        raise RuntimeError(f"{argv[0]}: 1+1 gave {r['result']!r}")
    return r


def fields(text, want=None):
    """The numbers of a timed cell's "SECONDS ..." result, checking its second field."""
    f = text.split()
    if want is not None and f[1] != want:
        raise RuntimeError(f"a timed cell gave {text!r}, want {want} after the time")
    return [float(v) for v in f]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--starts", type=int, default=10, help="starts of each kernel")
    p.add_argument("--runs", type=int, default=500, help="executes of 1+1 with jupyter_client, each kernel")
    p.add_argument("--go-runs", type=int, default=2000, help="executes of 1+1 with the Go front end, each kernel")
    p.add_argument("--reps", type=int, default=5, help="runs of each interpreted and Hessian cell")
    p.add_argument("--no-ipykernel", action="store_true", help="leave ipykernel out")
    p.add_argument("--gomatcalc", required=True, help="the gomatcalc binary (for the Go front end)")
    p.add_argument("--floor", required=True, help="the floor kernel's binary")
    p.add_argument("--roundtrip", required=True, help="bench/roundtrip's binary")
    p.add_argument("--yaegiref", required=True, help="bench/yaegiref's binary")
    args = p.parse_args()
    kernels = [GOMATCALC, FLOOR] + ([] if args.no_ipykernel else [IPYKERNEL])
    load_before = os.getloadavg()
    began = time.perf_counter()

    log(f"starts: {args.starts} of each of {', '.join(kernels)}, round-robin")
    starts = {k: [] for k in kernels}
    for _ in range(args.starts):
        for k in kernels:
            t, km, kc = start(k)
            starts[k].append(t)
            stop(km, kc)

    log("one cell, idle RSS, then executes of 1+1 in blocks of 50, round-robin")
    sessions, rss, execs = {}, {}, {k: [] for k in kernels}
    for k in kernels:
        _, km, kc = start(k)
        time.sleep(0.5)
        drain(kc)
        if run_cell(kc, "1+1") != "2":
            raise RuntimeError(f"{k}: 1+1 is not 2")
        time.sleep(1)
        rss[k] = rss_mib(km.provisioner.process.pid)
        if k == GOMATCALC:
            parts = memory_parts(km.provisioner.process.pid)
        sessions[k] = (km, kc)
    while any(len(execs[k]) < args.runs for k in kernels):
        for k in kernels:
            n = min(50, args.runs - len(execs[k]))
            if n > 0:
                execs[k] += execute_times(sessions[k][1], "1+1", n)
    for k in kernels:
        if k != GOMATCALC:
            stop(*sessions.pop(k))

    log(f"Go front end: {args.go_runs} executes of each, in two halves, alternating")
    go = {k: {"arrival_ms": [], "busy_ms": [], "times_ms": []} for k in (GOMATCALC, FLOOR)}
    cpu = {GOMATCALC: [], FLOOR: []}
    argv = {GOMATCALC: [args.gomatcalc, "kernel", "{connection_file}"], FLOOR: [args.floor, "{connection_file}"]}
    for half in (args.go_runs // 2, args.go_runs - args.go_runs // 2):
        for k in (FLOOR, GOMATCALC):
            r = roundtrip(args.roundtrip, argv[k], half)
            for f in go[k]:
                go[k][f] += r[f]
            cpu[k].append(r["cpu_ms"] * half)

    log(f"interpreted cells: {args.reps} runs of each, alternating with plain yaegi")
    km, kc = sessions[GOMATCALC]
    interp = {name: {"gomatcalc": [], "yaegi": []} for name in INTERPRETED}
    for c in INTERPRETED.values():
        run_cell(kc, c["setup"])
    cases = json.dumps([{"name": n, "setup": c["setup"], "timed": c["timed"], "runs": 1}
                        for n, c in INTERPRETED.items()])
    for _ in range(args.reps):
        for name, c in INTERPRETED.items():
            interp[name]["gomatcalc"].append(fields(run_cell(kc, c["timed"]), c["want"])[0])
        out = subprocess.run([args.yaegiref], input=cases, check=True, capture_output=True, text=True)
        for name, values in json.loads(out.stdout).items():
            interp[name]["yaegi"].append(fields(values[0], INTERPRETED[name]["want"])[0])

    log(f"Hessians: {args.reps} runs of each, alternating")
    run_cell(kc, HESSIAN_SETUP)
    hess = {"matcalc": [], "exact": [], "fd": []}
    for _ in range(args.reps):
        for name, code in (("matcalc", HESSIAN_MATCALC), ("exact", HESSIAN_EXACT), ("fd", HESSIAN_FD)):
            hess[name].append(fields(run_cell(kc, code)))
    stop(km, kc)
    elapsed = time.perf_counter() - began
    load_after = os.getloadavg()

    med = statistics.median
    ms = lambda s: f"{s * 1000:.0f} ms" if s >= 0.0995 else f"{s * 1000:.1f} ms"
    ms2 = lambda v: f"{v:.2f} ms"
    ratio = lambda a, b: f"{a / b:.2f}"
    spread = lambda xs: f"{min(xs) * 1000:.0f}–{max(xs) * 1000:.0f}"
    yes = lambda ok: "yes" if ok else "no"
    ipy = lambda v: v if IPYKERNEL in kernels else "—"

    st = {k: med(v) for k, v in starts.items()}
    ex = {k: med(v) * 1000 for k, v in execs.items()}
    ex99 = {k: p99(v) * 1000 for k, v in execs.items()}
    gm = {k: {f: med(t) for f, t in v.items()} for k, v in go.items()}
    gcpu = {k: sum(v) / args.go_runs for k, v in cpu.items()}
    fib = {w: med(v) for w, v in interp["fib"].items()}
    loop = {w: med(v) for w, v in interp["loop"].items()}
    h = {name: [med(r[i] for r in runs) for i in range(3)] for name, runs in hess.items()}
    # The least of the runs beside the median: on a busy machine noise only adds.
    secs = lambda v, runs: f"{v:.3f} s (min {min(runs):.3f})"
    hmin = {name: min(r[0] for r in runs) * 1000 for name, runs in hess.items()}

    rows = [
        (f"start to first kernel_info_reply, median of {args.starts} (min–max)",
         f"{ms(st[GOMATCALC])} ({spread(starts[GOMATCALC])})",
         f"{ms(st[FLOOR])} ({spread(starts[FLOOR])}; floor kernel)", ratio(st[GOMATCALC], st[FLOOR]),
         "≤ 1.3× floor and < 40 ms", yes(st[GOMATCALC] <= 1.3 * st[FLOOR] and st[GOMATCALC] < 0.040),
         ipy(f"{ms(st.get(IPYKERNEL, 0))} ({spread(starts.get(IPYKERNEL, [0]))})")),
        (f"execute `1+1`, jupyter_client, median of {args.runs}", ms2(ex[GOMATCALC]),
         f"{ms2(ex[FLOOR])} (floor kernel)", ratio(ex[GOMATCALC], ex[FLOOR]),
         "≤ 1× floor", yes(ex[GOMATCALC] <= ex[FLOOR]), ipy(ms2(ex.get(IPYKERNEL, 0)))),
        ("execute `1+1`, jupyter_client, p99", ms2(ex99[GOMATCALC]),
         f"{ms2(ex99[FLOOR])} (floor kernel)", ratio(ex99[GOMATCALC], ex99[FLOOR]), "—", "—",
         ipy(ms2(ex99.get(IPYKERNEL, 0)))),
        (f"kernel's own time per execute `1+1`: request's date to the kernel's idle date "
         f"(Go client on loopback), median of {args.go_runs}", ms2(gm[GOMATCALC]["arrival_ms"]),
         f"{ms2(gm[FLOOR]['arrival_ms'])} (floor kernel)", ratio(gm[GOMATCALC]["arrival_ms"], gm[FLOOR]["arrival_ms"]),
         "< 0.3 ms", yes(gm[GOMATCALC]["arrival_ms"] < 0.3), "—"),
        ("… of which busy to idle (the kernel's own dates)", ms2(gm[GOMATCALC]["busy_ms"]),
         f"{ms2(gm[FLOOR]['busy_ms'])} (floor kernel)", ratio(gm[GOMATCALC]["busy_ms"], gm[FLOOR]["busy_ms"]),
         "—", "—", "—"),
        ("execute `1+1`, Go client, send to idle received, median", ms2(gm[GOMATCALC]["times_ms"]),
         f"{ms2(gm[FLOOR]['times_ms'])} (floor kernel)", ratio(gm[GOMATCALC]["times_ms"], gm[FLOOR]["times_ms"]),
         "—", "—", "—"),
        ("CPU per execute of the kernel's processes (same Go client runs)", ms2(gcpu[GOMATCALC]),
         f"{ms2(gcpu[FLOOR])} (floor kernel)", ratio(gcpu[GOMATCALC], gcpu[FLOOR]), "—", "—", "—"),
        (f"fib(27) in a cell, time.Now inside, median of {args.reps} (min)",
         secs(fib["gomatcalc"], interp["fib"]["gomatcalc"]),
         f"{secs(fib['yaegi'], interp['fib']['yaegi'])}, plain yaegi v0.16.1", ratio(fib["gomatcalc"], fib["yaegi"]),
         "≤ 1.1× plain yaegi", yes(fib["gomatcalc"] <= 1.1 * fib["yaegi"]), "—"),
        (f"loop of 1e7 float additions in a cell, median of {args.reps} (min)",
         secs(loop["gomatcalc"], interp["loop"]["gomatcalc"]),
         f"{secs(loop['yaegi'], interp['loop']['yaegi'])}, plain yaegi v0.16.1", ratio(loop["gomatcalc"], loop["yaegi"]),
         "≤ 1.1× plain yaegi", yes(loop["gomatcalc"] <= 1.1 * loop["yaegi"]), "—"),
        ("idle RSS after one cell, all the kernel's processes", f"{rss[GOMATCALC]:.0f} MiB",
         f"{rss[FLOOR]:.0f} MiB (floor kernel)", ratio(rss[GOMATCALC], rss[FLOOR]),
         "< 30 MiB (kernel and worker)", yes(rss[GOMATCALC] < 30), ipy(f"{rss.get(IPYKERNEL, 0):.0f} MiB")),
        (f"Hessian of a 50-variable cell function that counts its calls (numerical), median of {args.reps} (min)",
         f"{h['matcalc'][0] * 1000:.0f} ms (min {hmin['matcalc']:.0f}; {h['matcalc'][2]:.0f} calls of f)",
         f"{h['fd'][0] * 1000:.0f} ms (min {hmin['fd']:.0f}; {h['fd'][2]:.0f} calls; gonum fd.Hessian, same kernel)",
         ratio(h["matcalc"][0], h["fd"][0]), "≤ 1× fd", yes(h["matcalc"][0] <= h["fd"][0]), "—"),
        ("same Hessian: correct digits (closed form)", f"{h['matcalc'][1]:.1f}", f"{h['fd'][1]:.1f} (fd)", "—",
         "≥ 12", yes(h["matcalc"][1] >= 12), "—"),
        (f"same Hessian in forward mode (f without its counter), median of {args.reps} (min)",
         f"{h['exact'][0] * 1000:.1f} ms (min {hmin['exact']:.1f}; 1 call of f and 1 of its tangent)",
         f"{h['fd'][0] * 1000:.0f} ms (fd, as above)", ratio(h["exact"][0], h["fd"][0]), "≤ 1× fd",
         yes(h["exact"][0] <= h["fd"][0]), "—"),
        ("same Hessian in forward mode: correct digits", f"{h['exact'][1]:.1f}", f"{h['fd'][1]:.1f} (fd)", "—",
         "≥ 12", yes(h["exact"][1] >= 12), "—"),
    ]
    print("| figure | gomatcalc | reference | ratio | goal (issue 15) | met? | ipykernel |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"\ngomatcalc's idle RSS by process: {' + '.join(f'{r:.0f}' for r in parts[0])} MiB "
          f"(kernel first); PSS of all, shared pages split: {parts[1]:.0f} MiB.")
    print(f"\n({time.strftime('%Y-%m-%d')}, one run of {elapsed:.0f} s; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} cores)")


if __name__ == "__main__":
    sys.exit(main())
