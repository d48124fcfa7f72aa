"""seqc benchmark: each workload compiled by seqc, timed beside its baselines
on the same inputs, and as a fraction of this machine's measured peak.

    python3 bench/run_bench.py                 # the issue's workload sizes
    python3 bench/run_bench.py --quick         # sequences 4x shorter
    python3 bench/run_bench.py --only LSTM     # workloads whose name matches
    python3 bench/run_bench.py --shapes odd    # sizes off the vector width

Baselines, on the same inputs: seqc's own reference lowering (--reference, run
once), PyTorch, JAX and IREE on CPU when importable (bench/setup.sh
installs them): SDPA, nn.LSTM/GRU, conv1d, the plain PyTorch/JAX
recurrences a user writes for scans (mamba_ssm's and fla's reference
formulations, lax.associative_scan), and the JAX formulations compiled by
IREE (bench/iree_baseline.py). seqc and its baselines take turns in
--rounds rounds, each reporting its best round's median, so that a shared
machine's slow spells fall on all of them alike. The peak is measured by
bench/peak.c (an FMA loop and a triad, on every core) in the same run. Workloads are in
bench/workloads.py. Not part of the test suite.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SEQC_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(BUILD, "python"))
import seqc  # noqa: E402
import iree_baseline  # noqa: E402
from workloads import all_workloads, cycle, jax, odd_workloads, torch  # noqa: E402

if torch is not None:
    torch.set_num_threads(os.cpu_count())


def measure_peak():
    exe = os.path.join(BUILD, "bench", "peak")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    subprocess.run(["clang-22", "-O3", "-march=native", "-ffp-contract=fast",
                    "-fopenmp", os.path.join(ROOT, "bench", "peak.c"), "-o", exe],
                   check=True)
    # The best of three runs: a shared VM can lose a core for a moment, and
    # a peak measured low would inflate every fraction of it.
    gflops, gbs = 0.0, 0.0
    for _ in range(3):
        out = subprocess.run([exe], capture_output=True, text=True,
                             check=True).stdout
        values = dict(line.split() for line in out.splitlines())
        gflops = max(gflops, float(values["peak_gflops"]))
        gbs = max(gbs, float(values["peak_gbs"]))
    return gflops, gbs


def side_bench_setup(doc):
    """A side benchmark's start: its command line (--no-reference) and
    the machine's peak, printed; returns (args, GFLOP/s, GB/s)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the reference lowering (slow)")
    args = parser.parse_args()
    peak_gflops, peak_gbs = measure_peak()
    print("machine: %d cores, measured peak %.1f GFLOP/s fp32, %.1f GB/s "
          "triad\n" % (os.cpu_count(), peak_gflops, peak_gbs))
    return args, peak_gflops, peak_gbs


def median_time(fn, budget=1.0, min_runs=3):
    """Median seconds of fn() over at least min_runs runs (~budget s)."""
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 50:
            break
    return float(np.median(times))


def timeit(fn, budget=1.0, min_runs=3):
    """median_time after one warm-up call (which JAX spends compiling)."""
    fn()
    return median_time(fn, budget, min_runs)


# A pause before each contender's turn: OpenMP runtimes keep their workers
# spinning after a parallel region (LLVM's libomp for 200 ms by default),
# and on two cores the previous contender's spinning threads slowed the
# next one's first calls (PyTorch's LSTM right after seqc's: 281 against
# 190 ms).
SETTLE_S = 0.3


def time_interleaved(calls, rounds=3, budget=0.5):
    """{name: seconds} for {name: fn}: the best over `rounds` rounds of each
    call's median, the calls taking turns within each round. A shared VM's
    slow spells (seconds long, up to 1.8x here) then fall on every
    contender alike instead of on whichever ran during one, and the ratios
    hold from run to run."""
    for fn in calls.values():
        fn()  # warm up (and JIT for JAX)
    best = {name: float("inf") for name in calls}
    for _ in range(rounds):
        for name, fn in calls.items():
            time.sleep(SETTLE_S)
            best[name] = min(best[name], median_time(fn, budget))
    return best


def output_error(actual, expected):
    """The largest difference between two calls' outputs (an array or a
    tuple of them), relative to the expected output's magnitude (at least
    1): the fast lowerings against their oracle, in float32."""
    if not isinstance(actual, (tuple, list)):
        actual, expected = [actual], [expected]
    error = 0.0
    for a, e in zip(actual, expected):
        a, e = np.asarray(a, np.float64), np.asarray(e, np.float64)
        scale = max(1.0, float(np.abs(e).max(initial=0.0)))
        error = max(error, float(np.abs(a - e).max(initial=0.0)) / scale)
    return error


def time_once(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter sequences")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--only", default="",
                        help="run the workloads whose name contains this")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the reference lowering (slow)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds in which seqc and its baselines take "
                        "turns; each reports its best round's median "
                        "(default 3)")
    parser.add_argument("--shapes", choices=("issue", "odd"), default="issue",
                        help="the issue's workload sizes, or sizes off the "
                        "vector width (head sizes 80 and 96, length 1000, ...)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    peak_gflops, peak_gbs = measure_peak()
    print("machine: %d cores, measured peak %.1f GFLOP/s fp32, %.1f GB/s triad"
          % (os.cpu_count(), peak_gflops, peak_gbs))
    iree_version = iree_baseline.version()
    print("baselines: numpy %s%s%s%s\n" % (np.__version__,
          ", torch %s" % torch.__version__ if torch else " (torch not installed)",
          ", jax %s" % jax.__version__ if jax else " (jax not installed)",
          ", iree %s" % iree_version if iree_version else " (iree not installed)"))
    print("| workload | seqc ms | throughput | % of peak | compile s | "
          "vs reference lowering | baselines: ms (seqc speedup) |")
    print("|---|---|---|---|---|---|---|")
    results = []
    workloads = odd_workloads if args.shapes == "odd" else all_workloads
    mismatches = []
    for build in workloads(4 if args.quick else 1):
        w = build()
        if args.only not in w.name:
            continue
        t0 = time.perf_counter()
        lib = seqc.load(seqc.compile(w.ir, opt_level=3))
        compile_s = time.perf_counter() - t0
        sets = w.input_sets or [w.inputs]
        calls = {"seqc": cycle([(lambda s=s: lib.f(*s)) for s in sets])}
        calls.update(w.baselines)
        times = time_interleaved(calls, rounds=args.rounds)
        seconds = times["seqc"]
        if w.memory_bound:
            rate = w.nbytes / seconds / 1e9
            throughput, peak = "%.1f GB/s" % rate, rate / peak_gbs
        else:
            rate = w.flops / seconds / 1e9
            throughput, peak = "%.1f GFLOP/s" % rate, rate / peak_gflops
        row = {"workload": w.name, "seqc_ms": seconds * 1e3, "rate": rate,
               "memory_bound": w.memory_bound, "peak_fraction": peak,
               "compile_s": compile_s, "baselines": {}}
        reference = "-"
        if not args.no_reference:
            ref = seqc.load(seqc.compile(w.ir, opt_level=3, reference=True))
            expected = []
            ref_s = time_once(lambda: expected.append(ref.f(*w.inputs)))
            row["reference_ms"] = ref_s * 1e3
            reference = "%.0f ms (%.1fx)" % (ref_s * 1e3, ref_s / seconds)
            error = output_error(lib.f(*w.inputs), expected[0])
            row["error_vs_reference"] = error
            if error > 1e-3:
                reference += " **outputs differ: %.1e**" % error
                mismatches.append(w.name)
        cells = []
        for base in w.baselines:
            bt = times[base]
            row["baselines"][base] = bt * 1e3
            cells.append("%s %.1f (%.2fx)" % (base, bt * 1e3, bt / seconds))
        print("| %s | %.1f | %s | %.1f%% | %.1f | %s | %s |" % (
            w.name, row["seqc_ms"], throughput, 100 * peak, compile_s,
            reference, "; ".join(cells) or "-"), flush=True)
        results.append(row)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"peak_gflops": peak_gflops, "peak_gbs": peak_gbs,
                       "rounds": args.rounds,
                       "results": results}, f, indent=1)
    if mismatches:
        sys.exit("seqc's outputs differ from its reference lowering's in: "
                 + ", ".join(mismatches))


if __name__ == "__main__":
    main()
