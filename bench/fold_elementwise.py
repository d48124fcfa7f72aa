"""What seq-fold-elementwise buys: Mamba's selective scan and short
convolution with their elementwise ops (softplus(dt + bias), y * silu(z),
silu(conv + bias)) written three ways, timed in one run on the same inputs:

  attributes   the op's own delta_bias / delta_softplus / z / bias /
               activation (what the fold produces);
  folded       the same math as tensor ops in the forms the fold matches
               (PyTorch's softplus with its threshold of 20, z / (1 +
               exp(-z))), which -O2 folds into the op;
  not folded   the same math in forms the fold does not match (softplus
               thresholded at 10, silu as z/2 * (1 + tanh(z/2))), which run
               as separate fused loops over [B, L, D] before and after the
               op: the cost without the fold.

The outputs of the three are compared (they differ only by rounding and the
threshold). Not part of the test suite.

    python3 bench/fold_elementwise.py
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_bench import measure_peak, timeit  # noqa: E402
import seqc  # noqa: E402  (run_bench put the build's python/ on the path)
from workloads import t  # noqa: E402


def silu(x, name, matched):
    """Lines computing %<name> = silu(x), in a matched or unmatched form."""
    if matched:
        return f"""  %{name}_n = arith.negf {x} : !s
  %{name}_e = math.exp %{name}_n : !s
  %{name}_d = arith.addf %one, %{name}_e : !s
  %{name} = arith.divf {x}, %{name}_d : !s
"""
    return f"""  %{name}_h = arith.mulf {x}, %half : !s
  %{name}_t = math.tanh %{name}_h : !s
  %{name}_p = arith.addf %one, %{name}_t : !s
  %{name} = arith.mulf %{name}_h, %{name}_p : !s
"""


def scan_ir(b, l, dm, n, form):
    s, a, bc, v, st = t((b, l, dm)), t((dm, n)), t((b, l, 1, n)), t((dm,)), t((b, dm, n))
    head = f"""!s = {s}
func.func @f(%u: !s, %dt: !s, %A: {a}, %B: {bc}, %C: {bc}, %D: {v},
             %z: !s, %bias: {v}) -> !s {{
"""
    if form == "attributes":
        return head + f"""  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : {v}) z(%z : !s)
      delta_bias(%bias : {v}) {{delta_softplus}}
      : !s, !s, {a}, {bc}, {bc} -> !s, {st}
  return %y : !s
}}"""
    matched = form == "folded"
    threshold = "20.0" if matched else "10.0"
    return head + f"""  %e = tensor.empty() : !s
  %one = arith.constant dense<1.0> : !s
  %half = arith.constant dense<0.5> : !s
  %thr = arith.constant dense<{threshold}> : !s
  %bb = linalg.broadcast ins(%bias : {v}) outs(%e : !s) dimensions = [0, 1]
  %x = arith.addf %dt, %bb : !s
  %cmp = arith.cmpf ogt, %x, %thr : !s
  %ex = math.exp %x : !s
  %lp = math.log1p %ex : !s
  %d = arith.select %cmp, %x, %lp : {t((b, l, dm)).replace("f32", "i1")}, !s
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C D(%D : {v})
      : !s, !s, {a}, {bc}, {bc} -> !s, {st}
{silu("%z", "g", matched)}  %out = arith.mulf %y, %g : !s
  return %out : !s
}}"""


def conv_ir(b, l, dm, form):
    s, w, v = t((b, l, dm)), t((dm, 1, 4)), t((dm,))
    head = f"""!s = {s}
func.func @f(%x: !s, %w: {w}, %bias: {v}) -> !s {{
"""
    if form == "attributes":
        return head + f"""  %y = seq.conv1d %x, %w bias(%bias : {v}) activation silu : !s, {w} -> !s
  return %y : !s
}}"""
    return head + f"""  %y = seq.conv1d %x, %w : !s, {w} -> !s
  %e = tensor.empty() : !s
  %one = arith.constant dense<1.0> : !s
  %half = arith.constant dense<0.5> : !s
  %bb = linalg.broadcast ins(%bias : {v}) outs(%e : !s) dimensions = [0, 1]
  %sum = arith.addf %y, %bb : !s
{silu("%sum", "out", form == "folded")}  return %out : !s
}}"""


def main():
    peak_gflops, peak_gbs = measure_peak()
    print("machine: %d cores, measured peak %.1f GFLOP/s fp32, %.1f GB/s triad\n"
          % (os.cpu_count(), peak_gflops, peak_gbs))
    rng = np.random.default_rng(0)
    b, l, dm, n = 1, 2048, 1536, 16
    u, dt, z = (rng.standard_normal((b, l, dm), np.float32) for _ in range(3))
    A = -np.exp(rng.standard_normal((dm, n))).astype(np.float32)
    B, C = (rng.standard_normal((b, l, 1, n), np.float32) for _ in range(2))
    D, bias = (rng.standard_normal(dm).astype(np.float32) for _ in range(2))
    scan_inputs = [u, dt, A, B, C, D, z, bias]
    x = rng.standard_normal((b, l, dm), np.float32)
    w = rng.standard_normal((dm, 1, 4)).astype(np.float32)
    conv_inputs = [x, w, bias]
    workloads = [
        ("selective scan B%d D%d N%d L%d + softplus(dt + bias), y * silu(z)"
         % (b, dm, n, l), lambda f: scan_ir(b, l, dm, n, f), scan_inputs,
         "%.1f GFLOP/s", 9.0 * b * l * dm * n, peak_gflops),
        ("causal conv1d k4 D%d L%d + silu(y + bias)" % (dm, l),
         lambda f: conv_ir(b, l, dm, f), conv_inputs, "%.1f GB/s",
         2 * 4.0 * x.size, peak_gbs),
    ]
    print("| workload | form | ms | throughput | % of peak | vs not folded |")
    print("|---|---|---|---|---|---|")
    for name, ir, inputs, unit, work, peak in workloads:
        times, outputs = {}, {}
        for form in ("attributes", "folded", "not folded"):
            lib = seqc.load(seqc.compile(ir(form), opt_level=3))
            outputs[form] = lib.f(*inputs)
            times[form] = timeit(lambda: lib.f(*inputs))
        for form, seconds in times.items():
            rate = work / seconds / 1e9
            print("| %s | %s | %.2f | %s | %.1f%% | %.2fx |" % (
                name, form, seconds * 1e3, unit % rate, 100 * rate / peak,
                times["not folded"] / seconds), flush=True)
        for form in ("folded", "not folded"):
            np.testing.assert_allclose(outputs[form], outputs["attributes"],
                                       rtol=1e-3, atol=1e-3, err_msg=form)


if __name__ == "__main__":
    main()
