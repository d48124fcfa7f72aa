"""Attention with an additive bias: what seq-flash-attention does with one.

For each workload, in one run on the same inputs: seqc -O3 with the bias,
seqc -O3 on the same shapes without it (what the bias costs), seqc's
reference lowering with the bias (what a bias took before the flash
lowering read one; run once), and PyTorch's scaled_dot_product_attention
with the bias as its float attn_mask. The outputs of seqc and PyTorch are
compared. Not part of the test suite.

    python3 bench/attention_bias.py [--no-reference]
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_bench import side_bench_setup, time_once, timeit  # noqa: E402
import seqc  # noqa: E402  (run_bench put the build's python/ on the path)
from workloads import _rotation, cycle, t, torch  # noqa: E402


def alibi(h, lq, lk):
    """ALiBi's bias: -slope_h * (distance from the query), [1, H, Lq, Lk]."""
    slopes = 2.0 ** (-8.0 * np.arange(1, h + 1) / h)
    i = np.arange(lq)[:, None] + (lk - lq)
    j = np.arange(lk)[None, :]
    return (-slopes[:, None, None] * np.abs(i - j))[None].astype(np.float32)


def padding_mask(b, lk, rng):
    """0 for the keys of each batch entry's prompt, -inf for its padding
    (the last 0-25% of the keys), [B, 1, 1, Lk]."""
    mask = np.zeros((b, 1, 1, lk), np.float32)
    for e in range(b):
        mask[e, ..., lk - rng.integers(0, lk // 4 + 1):] = -np.inf
    return mask


def ir(shapes, causal, with_bias):
    q, k, v, bias = (t(s) for s in shapes)
    args = f"%q: {q}, %k: {k}, %v: {v}" + (f", %b: {bias}" if with_bias else "")
    operand = f" bias(%b : {bias})" if with_bias else ""
    attrs = " {causal}" if causal else ""
    return f"""func.func @f({args}) -> {q} {{
  %o = seq.attention %q, %k, %v{operand}{attrs} : {q}, {k}, {v} -> {q}
  return %o : {q}
}}"""


def workloads(rng):
    def inputs(b, h, hkv, lq, lk, d):
        return [rng.standard_normal(s, np.float32)
                for s in ((b, h, lq, d), (b, hkv, lk, d), (b, hkv, lk, d))]
    return [
        ("ALiBi B1 H8 L2048 D64", inputs(1, 8, 8, 2048, 2048, 64),
         alibi(8, 2048, 2048), False),
        ("ALiBi causal B1 H8 L2048 D64", inputs(1, 8, 8, 2048, 2048, 64),
         alibi(8, 2048, 2048), True),
        ("padding mask B4 H8 L1024 D64", inputs(4, 8, 8, 1024, 1024, 64),
         padding_mask(4, 1024, rng), False),
        ("ALiBi decode B1 H32/8 KV 8192 D128",
         inputs(1, 32, 8, 1, 8192, 128), alibi(32, 1, 8192), True),
    ]


def main():
    args, peak_gflops, peak_gbs = side_bench_setup(__doc__)
    print("| workload | seqc ms | throughput | % of peak | without the bias "
          "| reference lowering | torch sdpa (attn_mask) |")
    print("|---|---|---|---|---|---|---|")
    for name, (q, k, v), bias, causal in workloads(np.random.default_rng(0)):
        shapes = [q.shape, k.shape, v.shape, bias.shape]
        lib = seqc.load(seqc.compile(ir(shapes, causal, True), opt_level=3))
        plain = seqc.load(seqc.compile(ir(shapes, causal, False), opt_level=3))
        b, h, lq, d = q.shape
        lk = k.shape[2]
        decode = lq == 1
        # Decoding streams its KV cache (and bias) from memory: a different
        # copy each call, as in run_bench.py.
        sets = _rotation([k, v, bias]) if decode else [[k, v, bias]]
        out = lib.f(q, k, v, bias)
        seconds = timeit(cycle([lambda s=s: lib.f(q, *s) for s in sets]))
        plain_s = timeit(cycle([lambda s=s: plain.f(q, *s[:2]) for s in sets]))
        if decode:
            # Memory-bound: bytes of K, V and the bias against the triad.
            rate = 4.0 * (k.size + v.size + bias.size) / seconds / 1e9
            throughput, peak = "%.1f GB/s" % rate, peak_gbs
        else:
            rate = (4.0 * b * h * lq * lk * d * (0.5 if causal else 1.0)
                    / seconds / 1e9)
            throughput, peak = "%.1f GFLOP/s" % rate, peak_gflops
        reference = "-"
        if not args.no_reference:
            ref = seqc.load(seqc.compile(ir(shapes, causal, True), opt_level=3,
                                         reference=True))
            ref_s = time_once(lambda: ref.f(q, k, v, bias))
            reference = "%.0f ms (%.1fx)" % (ref_s * 1e3, ref_s / seconds)
        baseline = "-"
        if torch is not None:
            tq = torch.from_numpy(q)
            g = h // k.shape[1]

            def sdpa(tk, tv, tb):
                with torch.no_grad():
                    return torch.nn.functional.scaled_dot_product_attention(
                        tq, tk, tv, attn_mask=tb, enable_gqa=g > 1)
            torch_sets = []
            for tk, tv, tb in ([torch.from_numpy(a) for a in s] for s in sets):
                if causal and not decode:
                    # SDPA takes a mask or is_causal, not both: the causal
                    # mask is folded into the bias.
                    tb = tb + torch.full((lq, lk), -np.inf).triu(1)
                torch_sets.append((tk, tv, tb))
            torch_s = timeit(cycle([lambda s=s: sdpa(*s) for s in torch_sets]))
            baseline = "%.2f ms (%.2fx)" % (torch_s * 1e3, torch_s / seconds)
            np.testing.assert_allclose(out, sdpa(*torch_sets[0]).numpy(),
                                       rtol=1e-3, atol=1e-3, err_msg=name)
        print("| %s | %.2f | %s | %.1f%% | %.2f ms (%.2fx) | %s | %s |" % (
            name, seconds * 1e3, throughput, 100 * rate / peak, plain_s * 1e3,
            plain_s / seconds, reference, baseline), flush=True)


if __name__ == "__main__":
    main()
