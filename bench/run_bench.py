"""seqc benchmark: each workload compiled by seqc, timed beside its baselines
on the same inputs, and as a fraction of this machine's measured peak.

    python3 bench/run_bench.py            # the issue's workload sizes
    python3 bench/run_bench.py --quick    # shorter sequences (minutes less)

Baselines: NumPy (float32, vectorized over everything but the sequence
loop), PyTorch and JAX on CPU when importable (bench/setup.sh installs
them). The peak is measured by bench/peak.c (an FMA loop and a triad, on
every core) in the same run. Not part of the test suite.
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

try:
    import torch
    torch.set_num_threads(os.cpu_count())
except ImportError:
    torch = None
try:
    import jax
    import jax.numpy as jnp
except ImportError:
    jax = None


def measure_peak():
    exe = os.path.join(BUILD, "bench", "peak")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    subprocess.run(["clang-22", "-O3", "-march=native", "-ffp-contract=fast",
                    "-fopenmp", os.path.join(ROOT, "bench", "peak.c"), "-o", exe],
                   check=True)
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    values = dict(line.split() for line in out.splitlines())
    return float(values["peak_gflops"]), float(values["peak_gbs"])


def timeit(fn, budget=1.0, min_runs=3):
    """Median seconds of fn() over at least min_runs runs (~budget s)."""
    fn()  # warm up (and JIT for JAX)
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 50:
            break
    return float(np.median(times))


def t(shape):
    return "tensor<" + "x".join(str(s) for s in shape) + "xf32>"


# ---------------------------------------------------------------------------
# Workloads: (name, seq IR, function, inputs, flops, bytes, baselines)

def attention(b, h, hkv, lq, lk, d, causal):
    rng = np.random.default_rng(0)
    q = rng.standard_normal((b, h, lq, d), np.float32)
    k = rng.standard_normal((b, hkv, lk, d), np.float32)
    v = rng.standard_normal((b, hkv, lk, d), np.float32)
    attrs = " {causal}" if causal else ""
    ir = f"""func.func @f(%q: {t(q.shape)}, %k: {t(k.shape)}, %v: {t(v.shape)}) -> {t(q.shape)} {{
  %o = seq.attention %q, %k, %v{attrs} : {t(q.shape)}, {t(k.shape)}, {t(v.shape)} -> {t(q.shape)}
  return %o : {t(q.shape)}
}}"""
    flops = 4.0 * b * h * lq * lk * d * (0.5 if causal and lq == lk else 1.0)
    nbytes = 4.0 * (q.size + k.size + v.size + q.size)
    g = h // hkv

    def numpy_impl():
        kk, vv = np.repeat(k, g, 1), np.repeat(v, g, 1)
        s = q @ kk.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d))
        if causal:
            s = s + np.triu(np.full((lq, lk), -np.inf, np.float32), lk - lq + 1)
        s = np.exp(s - s.max(-1, keepdims=True))
        return (s / s.sum(-1, keepdims=True)) @ vv

    baselines = {"numpy": numpy_impl}
    if torch is not None:
        tq, tk, tv = (torch.from_numpy(x) for x in (q, k, v))
        baselines["torch sdpa"] = lambda: torch.nn.functional.scaled_dot_product_attention(
            tq, tk.repeat_interleave(g, 1), tv.repeat_interleave(g, 1),
            is_causal=causal and lq == lk)
    if jax is not None:
        jq, jk, jv = (jnp.asarray(x.transpose(0, 2, 1, 3)) for x in (q, k, v))
        f = jax.jit(lambda a, b_, c: jax.nn.dot_product_attention(
            a, b_, c, is_causal=causal and lq == lk))
        baselines["jax"] = lambda: f(jq, jk, jv).block_until_ready()
    return ir, [q, k, v], flops, nbytes, baselines


def selective_scan(b, dm, n, l):
    rng = np.random.default_rng(1)
    u, dt = rng.standard_normal((b, l, dm), np.float32), rng.standard_normal((b, l, dm), np.float32)
    A = -np.exp(rng.standard_normal((dm, n))).astype(np.float32)
    B, C = rng.standard_normal((b, l, 1, n), np.float32), rng.standard_normal((b, l, 1, n), np.float32)
    D = rng.standard_normal(dm).astype(np.float32)
    ir = f"""func.func @f(%u: {t(u.shape)}, %dt: {t(u.shape)}, %A: {t(A.shape)}, %B: {t(B.shape)}, %C: {t(B.shape)}, %D: {t(D.shape)}) -> {t(u.shape)} {{
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : {t(D.shape)}) {{delta_softplus}}
      : {t(u.shape)}, {t(u.shape)}, {t(A.shape)}, {t(B.shape)}, {t(B.shape)} -> {t(u.shape)}, {t((b, dm, n))}
  return %y : {t(u.shape)}
}}"""
    flops = 9.0 * b * l * dm * n
    nbytes = 4.0 * (3 * u.size + 2 * B.size)

    def numpy_impl():
        h = np.zeros((b, dm, n), np.float32)
        y = np.empty_like(u)
        delta = np.log1p(np.exp(dt))
        for i in range(l):
            dA = np.exp(delta[:, i, :, None] * A)
            h = dA * h + delta[:, i, :, None] * B[:, i] * u[:, i, :, None]
            y[:, i] = (h * C[:, i]).sum(-1) + D * u[:, i]
        return y

    return ir, [u, dt, A, B, C, D], flops, nbytes, {"numpy": numpy_impl}


def gla(b, h, l, dk, dv):
    rng = np.random.default_rng(2)
    q, k = rng.standard_normal((b, h, l, dk), np.float32), rng.standard_normal((b, h, l, dk), np.float32)
    v = rng.standard_normal((b, h, l, dv), np.float32)
    g = np.log(rng.uniform(0.9, 0.999, (b, h, l, dk))).astype(np.float32)
    s_t = t((b, h, dk, dv))
    ir = f"""func.func @f(%q: {t(q.shape)}, %k: {t(q.shape)}, %v: {t(v.shape)}, %g: {t(g.shape)}) -> {t(v.shape)} {{
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : {t(g.shape)})
      : {t(q.shape)}, {t(q.shape)}, {t(v.shape)} -> {t(v.shape)}, {s_t}
  return %o : {t(v.shape)}
}}"""
    flops = 6.0 * b * h * l * dk * dv

    def numpy_impl():
        S = np.zeros((b, h, dk, dv), np.float32)
        o = np.empty_like(v)
        a = np.exp(g)
        for i in range(l):
            S = a[:, :, i, :, None] * S + k[:, :, i, :, None] * v[:, :, i, None, :]
            o[:, :, i] = np.einsum("bhk,bhkv->bhv", q[:, :, i], S) / np.float32(np.sqrt(dk))
        return o

    return ir, [q, k, v, g], flops, 4.0 * 4 * q.size, {"numpy": numpy_impl}


def lstm(b, hidden, l, inp):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((b, l, inp), np.float32)
    wi = (rng.standard_normal((4 * hidden, inp)) / np.sqrt(inp)).astype(np.float32)
    wr = (rng.standard_normal((4, 1, hidden, hidden)) / np.sqrt(hidden)).astype(np.float32)
    st = t((b, hidden))
    ir = f"""func.func @f(%x: {t(x.shape)}, %wi: {t(wi.shape)}, %wr: {t(wr.shape)}) -> {t((b, l, hidden))} {{
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : {t(x.shape)}) w_in(%wi : {t(wi.shape)}) w_rec(%wr : {t(wr.shape)})
      -> {st}, {st}, {t((b, l, hidden))}
  return %y : {t((b, l, hidden))}
}}"""
    flops = 2.0 * b * l * 4 * hidden * (inp + hidden)
    baselines = {}
    if torch is not None:
        m = torch.nn.LSTM(inp, hidden, batch_first=True, bias=False)
        with torch.no_grad():
            m.weight_ih_l0.copy_(torch.from_numpy(wi))
            m.weight_hh_l0.copy_(torch.from_numpy(wr.reshape(4 * hidden, hidden)))
        tx = torch.from_numpy(x)

        def torch_impl():
            with torch.no_grad():
                return m(tx)
        baselines["torch nn.LSTM"] = torch_impl
    return ir, [x, wi, wr], flops, 4.0 * (x.size + wi.size + wr.size), baselines


def conv1d(d, l, k):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, l, d), np.float32)
    w = rng.standard_normal((d, 1, k), np.float32)
    ir = f"""func.func @f(%x: {t(x.shape)}, %w: {t(w.shape)}) -> {t(x.shape)} {{
  %y = seq.conv1d %x, %w activation silu : {t(x.shape)}, {t(w.shape)} -> {t(x.shape)}
  return %y : {t(x.shape)}
}}"""

    def numpy_impl():
        xs = np.concatenate([np.zeros((1, k - 1, d), np.float32), x], 1)
        y = sum(xs[:, j:j + l] * w[:, 0, j] for j in range(k))
        return y / (1 + np.exp(-y))

    return ir, [x, w], 2.0 * l * d * k, 8.0 * x.size, {"numpy": numpy_impl}


def workloads(quick):
    s = 4 if quick else 1
    return [
        ("attention B1 H8 L%d D64" % (2048 // s), attention(1, 8, 8, 2048 // s, 2048 // s, 64, False)),
        ("attention causal B1 H8 L%d D64" % (2048 // s), attention(1, 8, 8, 2048 // s, 2048 // s, 64, True)),
        ("attention GQA H32/8 L%d D128" % (1024 // s), attention(1, 32, 8, 1024 // s, 1024 // s, 128, True)),
        ("decode Lq=1 KV %d" % (8192 // s), attention(1, 32, 8, 1, 8192 // s, 128, True)),
        ("selective scan B1 D1536 N16 L%d" % (2048 // s), selective_scan(1, 1536, 16, 2048 // s)),
        ("GLA B1 H4 L%d dk=dv=128" % (4096 // s), gla(1, 4, 4096 // s, 128, 128)),
        ("LSTM B32 H512 L%d" % (256 // s), lstm(32, 512, 256 // s, 512)),
        ("conv1d k4 D1536 L%d" % (2048 // s), conv1d(1536, 2048 // s, 4)),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter sequences")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--only", default="",
                        help="run the workloads whose name contains this")
    args = parser.parse_args()

    peak_gflops, peak_gbs = measure_peak()
    print("machine: %d cores, measured peak %.1f GFLOP/s fp32, %.1f GB/s triad"
          % (os.cpu_count(), peak_gflops, peak_gbs))
    print("baselines: numpy %s%s%s\n" % (np.__version__,
          ", torch %s" % torch.__version__ if torch else " (torch not installed)",
          ", jax %s" % jax.__version__ if jax else " (jax not installed)"))
    header = "| workload | seqc ms | GFLOP/s | % peak | compile s | baselines (ms, seqc speedup) |"
    print(header)
    print("|---|---|---|---|---|---|")
    results = []
    for name, (ir, inputs, flops, nbytes, baselines) in workloads(args.quick):
        if args.only not in name:
            continue
        t0 = time.perf_counter()
        lib = seqc.load(seqc.compile(ir, opt_level=3))
        compile_s = time.perf_counter() - t0
        run = lambda: lib.f(*inputs)
        seconds = timeit(run)
        row = {"workload": name, "seqc_ms": seconds * 1e3,
               "gflops": flops / seconds / 1e9, "compile_s": compile_s,
               "baselines": {}}
        row["peak_fraction"] = row["gflops"] / peak_gflops
        cells = []
        for base, fn in baselines.items():
            bt = timeit(fn)
            row["baselines"][base] = bt * 1e3
            cells.append("%s %.1f (%.2fx)" % (base, bt * 1e3, bt / seconds))
        print("| %s | %.1f | %.2f | %.1f%% | %.1f | %s |" % (
            name, row["seqc_ms"], row["gflops"], 100 * row["peak_fraction"],
            compile_s, "; ".join(cells) or "-"), flush=True)
        results.append(row)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"peak_gflops": peak_gflops, "peak_gbs": peak_gbs,
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
