"""The example programs' inputs, bit for bit as examples/run_examples.c makes
them, and their float64 NumPy references (from test/python, written
independently of seqc's lowerings). `python3 examples/inputs.py` rewrites
examples/expected_checksums.txt."""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "python"))

from test_attention import attention_reference  # noqa: E402
from test_conv1d import conv1d_reference  # noqa: E402
from test_linear_attention import linear_attention_reference  # noqa: E402
from test_recurrence import recurrence_reference  # noqa: E402
from test_selective_scan import selective_scan_reference  # noqa: E402


class Lcg:
    """Numerical Recipes' 32-bit LCG; uniform floats in [-1, 1)."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def uniform(self, shape, scale=1.0, offset=0.0):
        out = np.empty(int(np.prod(shape)), np.float32)
        for i in range(out.size):
            self.state = (1664525 * self.state + 1013904223) & 0xFFFFFFFF
            r = (self.state >> 8) / float(1 << 24) * 2.0 - 1.0
            out[i] = np.float32(r * scale + offset)
        return out.reshape(shape)


def examples():
    """name -> (inputs as float32/int32 arrays, float64 reference outputs)."""
    g = Lcg(2024)
    f64 = lambda a: a.astype(np.float64)
    out = {}

    q, k, v = (g.uniform((2, 8, 16, 64)), g.uniform((2, 2, 16, 64)),
               g.uniform((2, 2, 16, 64)))
    o, _ = attention_reference(f64(q), f64(k), f64(v), None, None, 1 / 8.0,
                               True, None, None, None)
    out["prefill"] = ([q, k, v], [o])

    q, kc, vc = (g.uniform((2, 8, 1, 64)), g.uniform((2, 2, 4096, 64)),
                 g.uniform((2, 2, 4096, 64)))
    lens = np.array([4096, 100], np.int32)
    o, lse = attention_reference(f64(q), f64(kc), f64(vc), None, lens, 1 / 8.0,
                                 True, None, None, None)
    out["decode"] = ([q, kc, vc, lens], [o, lse])

    b, l, d, n = 2, 16, 1536, 16
    x, z = g.uniform((b, l, d)), g.uniform((b, l, d))
    conv_w, conv_b = g.uniform((d, 1, 4), 0.5), g.uniform((d,), 0.1)
    dt, dt_bias = g.uniform((b, l, d)), g.uniform((d,), 0.5, -1.0)
    A = g.uniform((d, n), 0.5, -1.0)
    B, C, D = g.uniform((b, l, 1, n)), g.uniform((b, l, 1, n)), g.uniform((d,))
    u, _ = conv1d_reference(f64(x), f64(conv_w), f64(conv_b), None, 1, "silu")
    y, _ = selective_scan_reference(u, f64(dt), f64(A), f64(B), f64(C), f64(D),
                                    f64(z), f64(dt_bias), None, True)
    out["mamba_mixer"] = ([x, z, conv_w, conv_b, dt, dt_bias, A, B, C, D], [y])

    q, k, v = (g.uniform((1, 4, 16, 128)), g.uniform((1, 4, 16, 128)),
               g.uniform((1, 4, 16, 128)))
    gate = g.uniform((1, 4, 16, 128), 0.05, -0.1)   # log-space decay
    s0 = g.uniform((1, 4, 128, 128), 0.1)
    o, s = linear_attention_reference(f64(q), f64(k), f64(v), f64(gate), None,
                                      f64(s0), 128 ** -0.5, False)
    out["gla"] = ([q, k, v, gate, s0], [o, s])

    x = g.uniform((2, 10, 64))
    w_ih, w_hh = g.uniform((512, 64), 0.125), g.uniform((4, 1, 128, 128), 0.09)
    b_ih, b_hh = g.uniform((512,), 0.1), g.uniform((512,), 0.1)
    h0, c0 = g.uniform((2, 128)), g.uniform((2, 128))
    (h, c), y = recurrence_reference("lstm", f64(x), f64(w_ih), f64(w_hh),
                                     f64(b_ih), f64(b_hh), [f64(h0), f64(c0)],
                                     False)
    out["lstm"] = ([x, w_ih, w_hh, b_ih, b_hh, h0, c0], [y, h, c])
    return out


def checksums(array):
    """(sum, weighted sum, sum of |.|) with weights (i mod 7) - 3."""
    flat = np.asarray(array, np.float64).ravel()
    weights = (np.arange(flat.size) % 7) - 3.0
    return flat.sum(), (flat * weights).sum(), np.abs(flat).sum()


if __name__ == "__main__":
    with open(os.path.join(HERE, "expected_checksums.txt"), "w") as f:
        f.write("# function output sum weighted_sum abs_sum (float64 NumPy "
                "reference; python3 examples/inputs.py)\n")
        for name, (_, refs) in examples().items():
            for i, ref in enumerate(refs):
                s, w, a = checksums(ref)
                f.write("%s %d %.17g %.17g %.17g\n" % (name, i, s, w, a))
