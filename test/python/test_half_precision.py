"""f16 and bf16 through the CPU pipeline, the CUDA lowering (emulated, and
on a GPU when there is one) and the ABI. The CPU's reference lowering
(-O0) computes in the type itself, so the first tests' tolerances are the
type's; from -O1 seq-widen-half-precision computes in f32 and rounds the
results once, which test_cpu_half_precision_rounds_once checks to the
type's rounding. bf16's conversions on the CPU come from compiler-rt's
builtins where the CPU has no instruction for them."""

import numpy as np
import pytest

from seqc_harness import (Library, assert_close, bf16_array, bf16_values,
                          target_args, tensor_type)
from test_attention import attention_reference
from test_conv1d import conv1d_reference
from test_linear_attention import linear_attention_reference
from test_selective_scan import selective_scan_reference

SOURCE = """
func.func @conv(%x: {x}, %w: {w}) -> {x} {{
  %y = seq.conv1d %x, %w activation silu {{dilation = 2}} : {x}, {w} -> {x}
  return %y : {x}
}}
func.func @attn(%q: {q}, %k: {q}, %v: {q}) -> {q} {{
  %o = seq.attention %q, %k, %v {{causal}} : {q}, {q}, {q} -> {q}
  return %o : {q}
}}
"""


@pytest.mark.parametrize("target", ["-O2", "cuda-emulated", "cuda"])
def test_f16_matches_reference(target):
    lib = Library(SOURCE.format(x=tensor_type((1, 1, 6), "f16", (0, 1)),
                                w=tensor_type((6, 1, 3), "f16"),
                                q=tensor_type((1, 2, 1, 16), "f16", (0, 2))),
                  extra_args=target_args(target))
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 9, 6)).astype(np.float16)
    w = (rng.standard_normal((6, 1, 3)) / 2).astype(np.float16)
    (y,) = lib.call("conv", [x, w])
    ref, _ = conv1d_reference(x.astype(np.float64), w.astype(np.float64), None,
                              None, 2, "silu")
    assert y.dtype == np.float16
    assert_close(y.astype(np.float64), ref, rtol=1e-2, atol=1e-2, what="conv f16")

    q, k, v = (rng.standard_normal((2, 2, 7, 16)).astype(np.float16) for _ in range(3))
    (o,) = lib.call("attn", [q, k, v])
    ref, _ = attention_reference(*(a.astype(np.float64) for a in (q, k, v)), None,
                                 None, 0.25, True, None, None, None)
    assert_close(o.astype(np.float64), ref, rtol=2e-2, atol=2e-2, what="attention f16")


def test_bf16_compiles_and_links():
    lib = Library(SOURCE.format(x=tensor_type((1, 1, 6), "bf16", (0, 1)),
                                w=tensor_type((6, 1, 3), "bf16"),
                                q=tensor_type((1, 2, 1, 16), "bf16", (0, 2))))
    assert lib.functions["conv"].inputs[0].dtype == 4  # SEQC_DTYPE_BF16


@pytest.mark.parametrize("target", ["-O2", "cuda-emulated", "cuda"])
def test_bf16_matches_reference(target):
    """bf16 inputs and outputs, computed in bf16 (8 significant bits: the
    tolerance is about four bf16 steps of the O(1) results; measured
    errors 0.011 (conv) and 0.021 (attention))."""
    lib = Library(SOURCE.format(x=tensor_type((1, 1, 6), "bf16", (0, 1)),
                                w=tensor_type((6, 1, 3), "bf16"),
                                q=tensor_type((1, 2, 1, 16), "bf16", (0, 2))),
                  extra_args=target_args(target))
    rng = np.random.default_rng(12)
    x = bf16_array(rng.standard_normal((2, 9, 6)))
    w = bf16_array(rng.standard_normal((6, 1, 3)) / 2)
    (y,) = lib.call("conv", [x, w])
    ref, _ = conv1d_reference(bf16_values(x), bf16_values(w), None, None, 2,
                              "silu")
    assert_close(bf16_values(y), ref, rtol=1.6e-2, atol=2e-2, what="conv bf16")

    q, k, v = (bf16_array(rng.standard_normal((2, 2, 7, 16))) for _ in range(3))
    (o,) = lib.call("attn", [q, k, v])
    ref, _ = attention_reference(*(bf16_values(a) for a in (q, k, v)), None,
                                 None, 0.25, True, None, None, None)
    assert_close(bf16_values(o), ref, rtol=1.6e-2, atol=3e-2,
                 what="attention bf16")


SCAN_SOURCE = """
func.func @scan(%u: {u}, %A: {a}, %B: {bc}, %D: {d}, %h0: {h}) -> ({u}, {h}) {{
  %y, %last = seq.selective_scan %u, %u, %A, %B, %B D(%D : {d}) z(%u : {u})
      initial_state(%h0 : {h}) {{delta_softplus}}
      : {u}, {u}, {a}, {bc}, {bc} -> {u}, {h}
  return %y, %last : {u}, {h}
}}
"""


@pytest.mark.parametrize("dtype", ["f16", "bf16"])
@pytest.mark.parametrize("target", ["cuda-emulated", "cuda"])
def test_half_selective_scan_matches_reference(dtype, target):
    """N = 16: the GPU's own selective-scan kernel (states in lanes, f32
    inside), against the float64 recurrence on the rounded inputs; only
    the outputs are rounded, so the tolerances are the types' own."""
    b, l, dm, n = 2, 13, 8, 16
    lib = Library(SCAN_SOURCE.format(
        u=tensor_type((b, l, dm), dtype, (0, 1)), a=tensor_type((dm, n), dtype),
        bc=tensor_type((b, l, 1, n), dtype, (0, 1)), d=tensor_type((dm,), dtype),
        h=tensor_type((b, dm, n), dtype, (0,))), extra_args=target_args(target))
    rng = np.random.default_rng(17)
    arrays = [rng.standard_normal((b, l, dm)), -np.exp(rng.standard_normal((dm, n)) * 0.5),
              rng.standard_normal((b, l, 1, n)), rng.standard_normal(dm),
              rng.standard_normal((b, dm, n))]
    if dtype == "f16":
        inputs = [a.astype(np.float16) for a in arrays]
        values = [a.astype(np.float64) for a in inputs]
        tol, read = 1e-2, lambda a: a.astype(np.float64)
    else:
        inputs = [bf16_array(a) for a in arrays]
        values = [bf16_values(a) for a in inputs]
        tol, read = 3e-2, bf16_values
    y, last = lib.call("scan", inputs)
    u, A, Bc, Dv, h0 = values
    y_ref, h_ref = selective_scan_reference(u, u, A, Bc, Bc, Dv, u, None, h0, True)
    assert_close(read(y), y_ref, rtol=tol, atol=tol, what="%s y" % dtype)
    assert_close(read(last), h_ref, rtol=tol, atol=tol, what="%s state" % dtype)


WIDE_SOURCE = """
func.func @attn(%q: {q}, %k: {k}) -> {q} {{
  %o = seq.attention %q, %k, %k {{causal}} : {q}, {k}, {k} -> {q}
  return %o : {q}
}}
func.func @scan(%u: {u}, %A: {a}, %B: {bc}, %D: {d}) -> {u} {{
  %y, %last = seq.selective_scan %u, %u, %A, %B, %B D(%D : {d}) z(%u : {u})
      {{delta_softplus}} : {u}, {u}, {a}, {bc}, {bc} -> {u}, {h}
  return %y : {u}
}}
func.func @conv(%x: {u}, %w: {w}) -> {u} {{
  %y = seq.conv1d %x, %w activation silu : {u}, {w} -> {u}
  return %y : {u}
}}
func.func @gdn(%q: {lq}, %g: {lg}, %beta: {lg}) -> ({lq}, {ls}) {{
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : {lg}) beta(%beta : {lg})
      : {lq}, {lq}, {lq} -> {lq}, {ls}
  return %o, %s : {lq}, {ls}
}}
"""

# The type's relative rounding step (bf16: 8 significant bits, f16: 11).
ROUNDING = {"f16": 2.0 ** -11, "bf16": 2.0 ** -8}


@pytest.mark.parametrize("dtype", ["f16", "bf16"])
def test_cpu_half_precision_rounds_once(dtype):
    """-O2 on the CPU: attention over 300 keys (the flash kernel), a
    selective scan over 200 steps and 64 channels (the fused kernel), a
    conv1d and a gated delta rule, all computed in f32 from the rounded
    inputs and rounded once: each output within one step of the type's
    rounding of the float64 reference (computing in the type itself
    accumulates many such steps over the sums and the steps)."""
    b, h, hkv, lq, lk, d = 1, 4, 2, 40, 300, 64
    l, dm, n = 200, 64, 16
    lib = Library(WIDE_SOURCE.format(
        q=tensor_type((b, h, lq, d), dtype, (2,)),
        k=tensor_type((b, hkv, lk, d), dtype, (2,)),
        u=tensor_type((b, l, dm), dtype, (1,)), a=tensor_type((dm, n), dtype),
        bc=tensor_type((b, l, 1, n), dtype, (1,)), d=tensor_type((dm,), dtype),
        h=tensor_type((b, dm, n), dtype), w=tensor_type((dm, 1, 4), dtype),
        lq=tensor_type((1, 2, 50, 32), dtype, (2,)),
        lg=tensor_type((1, 2, 50), dtype, (2,)),
        ls=tensor_type((1, 2, 32, 32), dtype)),
        extra_args=target_args("-O2"))
    rng = np.random.default_rng(23)
    if dtype == "f16":
        def rounded(a):
            return a.astype(np.float16)

        def read(a):
            return a.astype(np.float64)
    else:
        rounded, read = bf16_array, bf16_values

    def check(name, inputs, refs):
        inputs = [rounded(a) for a in inputs]
        outs = lib.call(name, inputs)
        for out, ref_of in zip(outs, refs):
            ref = ref_of(*(read(a) for a in inputs))
            err = np.abs(read(out) - ref)
            # One rounding step of the result, and f32's own error beside
            # it where the result is near 0.
            bound = ROUNDING[dtype] * np.abs(ref) + 1e-5 * np.max(np.abs(ref))
            assert np.all(err <= bound), "%s %s: %.3g of the bound" % (
                dtype, name, np.max(err / bound))

    check("attn", [rng.standard_normal((b, h, lq, d)),
                   rng.standard_normal((b, hkv, lk, d))],
          [lambda q, k: attention_reference(q, k, k, None, None, d ** -0.5,
                                            True, None, None, None)[0]])
    check("scan", [rng.standard_normal((b, l, dm)),
                   -np.exp(rng.standard_normal((dm, n)) * 0.5),
                   rng.standard_normal((b, l, 1, n)), rng.standard_normal(dm)],
          [lambda u, A, B, D: selective_scan_reference(u, u, A, B, B, D, u, None,
                                                       None, True)[0]])
    check("conv", [rng.standard_normal((b, l, dm)),
                   rng.standard_normal((dm, 1, 4)) / 2],
          [lambda x, w: conv1d_reference(x, w, None, None, 1, "silu")[0]])
    # Gated delta rule: log-space decay below 0, beta in (0, 1), unit keys.
    q = rng.standard_normal((1, 2, 50, 32))
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    g = -np.exp(rng.standard_normal((1, 2, 50)) - 2)
    beta = 1 / (1 + np.exp(-rng.standard_normal((1, 2, 50))))

    def gdn(part):
        return lambda q, g, beta: linear_attention_reference(
            q, q, q, g, beta, None, 32 ** -0.5, False)[part]
    check("gdn", [q, g, beta], [gdn(0), gdn(1)])
