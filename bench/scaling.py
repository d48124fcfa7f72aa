"""Throughput and memory against sequence length, with plots.

    python3 bench/scaling.py --out docs/images

Writes attention.png (causal attention B1 H8 D64: GFLOP/s of seqc, PyTorch
SDPA and JAX for L = 512..8K), scan.png (selective scan B1 D1536 N16:
GFLOP/s of seqc, the plain PyTorch reference and JAX's associative_scan)
and memory.png (the peak memory seqc's attention adds beyond its inputs
and output, L = 2K..32K, beside the L x L score matrix the reference
lowering would hold), and prints the numbers. Needs matplotlib
(bench/setup.sh). Not part of the test suite.
"""

import argparse
import json
import os
import subprocess
import sys


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_bench import BUILD, timeit  # noqa: E402
from workloads import attention, selective_scan  # noqa: E402
import seqc  # noqa: E402

# One library with dynamic L serves every length of the memory curve.
ATTENTION_DYNAMIC = """func.func @f(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>, %v: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = seq.attention %q, %k, %v {causal} : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}"""


def throughput(build, lengths):
    """{series: [GFLOP/s per length]} for seqc and each baseline."""
    series = {}
    for length in lengths:
        w = build(length)
        lib = seqc.load(seqc.compile(w.ir, opt_level=3))
        runs = {"seqc": lambda: lib.f(*w.inputs)}
        runs.update(w.baselines)
        for name, fn in runs.items():
            seconds = timeit(fn, budget=0.5)
            series.setdefault(name, []).append(w.flops / seconds / 1e9)
        print("  L=%d: %s" % (length, ", ".join(
            "%s %.1f" % (k, v[-1]) for k, v in series.items())), flush=True)
    return series


def peak_extra_memory(library, length):
    """Peak resident memory (MiB) a call adds beyond its inputs and its
    output, in a fresh process: a thread samples the resident size every
    0.2 ms during the call (ru_maxrss would include the peak of loading
    MLIR with the seqc module)."""
    code = f"""
import sys, threading, time, numpy as np
sys.path.insert(0, {os.path.join(BUILD, 'python')!r})
import seqc
lib = seqc.load({library!r})
q = np.ones((1, 8, {length}, 64), np.float32)
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
before, peak, done = rss(), [0], [False]
def sample():
    while not done[0]:
        peak[0] = max(peak[0], rss())
        time.sleep(0.0002)
sampler = threading.Thread(target=sample)
sampler.start()
out = lib.f(q, q, q)
done[0] = True
sampler.join()
print((max(peak[0], rss()) - before - out.nbytes) / 2**20)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    return float(out.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images",
                        help="directory for the PNG plots and scaling.json")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = {}
    print("causal attention B1 H8 D64 (GFLOP/s)")
    lengths = [512, 1024, 2048, 4096, 8192]
    results["attention"] = {"lengths": lengths, "series": throughput(
        lambda n: attention(1, 8, 8, n, n, 64, True), lengths)}
    print("selective scan B1 D1536 N16 (GFLOP/s)")
    scan_lengths = [256, 512, 1024, 2048, 4096]
    results["scan"] = {"lengths": scan_lengths, "series": throughput(
        lambda n: selective_scan(1, 1536, 16, n), scan_lengths)}

    print("attention memory beyond inputs and output (MiB)")
    library = seqc.compile(ATTENTION_DYNAMIC, opt_level=3)
    mem_lengths = [2048, 4096, 8192, 16384, 32768]
    extra = []
    for n in mem_lengths:
        extra.append(peak_extra_memory(library, n))
        print("  L=%d: %.1f MiB (inputs %.0f MiB; an L x L score matrix "
              "would be %.0f MiB)" % (n, extra[-1], 3 * 8 * n * 64 * 4 / 2**20,
                                      8 * n * n * 4 / 2**20), flush=True)
    results["memory"] = {"lengths": mem_lengths, "extra_mib": extra}

    for key, title in (("attention", "causal attention B1 H8 D64"),
                       ("scan", "selective scan B1 D1536 N16")):
        plt.figure(figsize=(6, 4))
        for name, values in results[key]["series"].items():
            plt.plot(results[key]["lengths"], values, marker="o", label=name)
        plt.xscale("log", base=2)
        plt.xlabel("sequence length")
        plt.ylabel("GFLOP/s")
        plt.title(title)
        plt.legend()
        plt.grid(alpha=0.3)
        plt.tight_layout()
        plt.savefig(os.path.join(args.out, key + ".png"), dpi=100)
        plt.close()
    plt.figure(figsize=(6, 4))
    plt.plot(mem_lengths, extra, marker="o", label="seqc flash attention")
    plt.plot(mem_lengths, [8 * n * n * 4 / 2**20 for n in mem_lengths],
             linestyle="--", label="L x L scores (reference lowering)")
    plt.xscale("log", base=2)
    plt.yscale("log")
    plt.xlabel("sequence length")
    plt.ylabel("peak memory beyond inputs and output (MiB)")
    plt.title("causal attention B1 H8 D64")
    plt.legend()
    plt.grid(alpha=0.3)
    plt.tight_layout()
    plt.savefig(os.path.join(args.out, "memory.png"), dpi=100)
    with open(os.path.join(args.out, "scaling.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
