"""f16 seq ops on the CPU: what seq-widen-half-precision buys.

For each workload, in one run on the same inputs: seqc -O3 on f16 tensors
(computed in f32 by the fast kernels, rounded once), the same op on f32
tensors (the cost of the conversions), seqc's reference lowering in f16
(what f16 ops took before the pass; run once) and PyTorch on f16 CPU
tensors where it has the op. The f16 outputs are compared with the f32
ones. Not part of the test suite. (bf16 takes the same path; NumPy has no
bf16 arrays to time it with here.)

    python3 bench/half_precision.py [--no-reference]
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_bench import side_bench_setup, time_once, timeit  # noqa: E402
import seqc  # noqa: E402  (run_bench put the build's python/ on the path)
from workloads import torch  # noqa: E402


def t(shape, dtype):
    return "tensor<" + "x".join(str(s) for s in shape) + "x" + dtype + ">"


def attention_ir(shape, dtype):
    q = t(shape, dtype)
    return f"""func.func @f(%q: {q}, %k: {q}, %v: {q}) -> {q} {{
  %o = seq.attention %q, %k, %v {{causal}} : {q}, {q}, {q} -> {q}
  return %o : {q}
}}"""


def scan_ir(b, l, dm, n, dtype):
    s, a, bc = t((b, l, dm), dtype), t((dm, n), dtype), t((b, l, 1, n), dtype)
    v, st = t((dm,), dtype), t((b, dm, n), dtype)
    return f"""func.func @f(%u: {s}, %dt: {s}, %A: {a}, %B: {bc}, %C: {bc}, %D: {v},
             %z: {s}) -> {s} {{
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : {v}) z(%z : {s})
      {{delta_softplus}} : {s}, {s}, {a}, {bc}, {bc} -> {s}, {st}
  return %y : {s}
}}"""


def conv_ir(b, l, dm, dtype):
    s, w = t((b, l, dm), dtype), t((dm, 1, 4), dtype)
    return f"""func.func @f(%x: {s}, %w: {w}) -> {s} {{
  %y = seq.conv1d %x, %w activation silu : {s}, {w} -> {s}
  return %y : {s}
}}"""


def workloads(rng):
    def normal(*shape):
        return rng.standard_normal(shape).astype(np.float32)
    b, h, l, d = 1, 8, 2048, 64
    att = [normal(b, h, l, d) for _ in range(3)]
    bs, ls, dm, n = 1, 2048, 1536, 16
    scan = [normal(bs, ls, dm), normal(bs, ls, dm),
            -np.exp(normal(dm, n)), normal(bs, ls, 1, n), normal(bs, ls, 1, n),
            normal(dm), normal(bs, ls, dm)]
    conv = [normal(bs, ls, dm), normal(dm, 1, 4) / 2]

    def sdpa(q, k, v):
        with torch.no_grad():
            return torch.nn.functional.scaled_dot_product_attention(
                q, k, v, is_causal=True)

    def conv1d(x, w):
        with torch.no_grad():
            y = torch.nn.functional.conv1d(x.transpose(1, 2), w, padding=3,
                                           groups=w.shape[0])[..., :x.shape[1]]
            return torch.nn.functional.silu(y).transpose(1, 2)
    return [
        ("attention causal B1 H8 L2048 D64",
         lambda dtype: attention_ir((b, h, l, d), dtype), att,
         (2.0 * b * h * l * l * d, "GFLOP/s"), "torch sdpa", sdpa),
        ("selective scan B1 D1536 N16 L2048",
         lambda dtype: scan_ir(bs, ls, dm, n, dtype), scan,
         (9.0 * bs * ls * dm * n, "GFLOP/s"), None, None),
        ("causal conv1d k4 D1536 L2048 + silu",
         lambda dtype: conv_ir(bs, ls, dm, dtype), conv,
         # Memory-bound: the bytes of its f16 input and output.
         (2.0 * 2 * bs * ls * dm, "GB/s"), "torch conv1d", conv1d),
    ]


def main():
    args, peak_gflops, peak_gbs = side_bench_setup(__doc__)
    peaks = {"GFLOP/s": peak_gflops, "GB/s": peak_gbs}
    print("| workload | seqc f16 ms | throughput | % of peak | seqc f32 "
          "| f16 reference lowering | PyTorch f16 |")
    print("|---|---|---|---|---|---|---|")
    for name, ir, inputs, (work, unit), torch_name, torch_fn in workloads(
            np.random.default_rng(0)):
        halves = [a.astype(np.float16) for a in inputs]
        lib = seqc.load(seqc.compile(ir("f16"), opt_level=3))
        wide = seqc.load(seqc.compile(ir("f32"), opt_level=3))
        out = lib.f(*halves)
        seconds = timeit(lambda: lib.f(*halves))
        f32_s = timeit(lambda: wide.f(*inputs))
        np.testing.assert_allclose(out.astype(np.float32), wide.f(*inputs),
                                   rtol=2e-2, atol=2e-2, err_msg=name)
        reference = "-"
        if not args.no_reference:
            ref = seqc.load(seqc.compile(ir("f16"), opt_level=3,
                                         reference=True))
            ref_s = time_once(lambda: ref.f(*halves))
            reference = "%.0f ms (%.1fx)" % (ref_s * 1e3, ref_s / seconds)
        baseline = "-"
        if torch is not None and torch_fn is not None:
            tensors = [torch.from_numpy(a) for a in halves]
            torch_s = timeit(lambda: torch_fn(*tensors))
            baseline = "%s %.2f ms (%.2fx)" % (torch_name, torch_s * 1e3,
                                               torch_s / seconds)
        rate = work / seconds / 1e9
        print("| %s | %.2f | %.1f %s | %.1f%% | %.2f ms (%.2fx) | %s | %s |" % (
            name, seconds * 1e3, rate, unit, 100 * rate / peaks[unit], f32_s * 1e3,
            f32_s / seconds, reference, baseline), flush=True)


if __name__ == "__main__":
    main()
