"""Every size dynamic (heads, head sizes, channels, groups, state sizes), one
compiled function called with several shapes, against the float64
references."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, target_args
from test_attention import attention_reference
from test_linear_attention import linear_attention_reference
from test_selective_scan import selective_scan_reference

T4 = "tensor<?x?x?x?xf32>"
T3 = "tensor<?x?x?xf32>"
T2 = "tensor<?x?xf32>"
T1 = "tensor<?xf32>"

SOURCE = f"""
func.func @attn(%q: {T4}, %k: {T4}, %v: {T4}) -> ({T4}, {T3}) {{
  %o, %lse = seq.attention %q, %k, %v {{causal}} : {T4}, {T4}, {T4} -> {T4}, {T3}
  return %o, %lse : {T4}, {T3}
}}
func.func @gdn(%q: {T4}, %k: {T4}, %v: {T4}, %g: {T3}, %beta: {T3}) -> ({T4}, {T4}) {{
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : {T3}) beta(%beta : {T3})
      : {T4}, {T4}, {T4} -> {T4}, {T4}
  return %o, %s : {T4}, {T4}
}}
func.func @ss(%u: {T3}, %dt: {T3}, %A: {T2}, %B: {T4}, %C: {T4}, %D: {T1})
    -> ({T3}, {T3}) {{
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : {T1}) {{delta_softplus}}
      : {T3}, {T3}, {T2}, {T4}, {T4} -> {T3}, {T3}
  return %y, %h : {T3}, {T3}
}}
"""


@pytest.fixture(scope="module", params=["-O2", "cuda-emulated", "cuda"])
def lib(request):
    return Library(SOURCE, extra_args=target_args(request.param))


@pytest.mark.parametrize("b,h,hkv,lq,lk,d,dv", [
    (1, 6, 6, 10, 10, 80, 80), (2, 6, 2, 1, 13, 17, 5), (1, 4, 1, 7, 7, 3, 9)])
def test_attention_any_shape(lib, b, h, hkv, lq, lk, d, dv):
    rng = np.random.default_rng(b * 100 + h + d)
    q = rng.standard_normal((b, h, lq, d))
    k = rng.standard_normal((b, hkv, lk, d))
    v = rng.standard_normal((b, hkv, lk, dv))
    o, lse = lib.call("attn", [a.astype(np.float32) for a in (q, k, v)])
    ref_o, ref_lse = attention_reference(q, k, v, None, None, 1 / np.sqrt(d),
                                         True, None, None, None)
    assert_close(o, ref_o, what="output")
    assert_close(lse, ref_lse, what="lse")


@pytest.mark.parametrize("b,h,l,dk,dv", [(1, 3, 9, 5, 7), (2, 1, 4, 16, 2)])
def test_gated_delta_any_shape(lib, b, h, l, dk, dv):
    rng = np.random.default_rng(dk * 10 + dv)
    q, k = rng.standard_normal((b, h, l, dk)), rng.standard_normal((b, h, l, dk))
    k /= np.linalg.norm(k, axis=-1, keepdims=True)
    v = rng.standard_normal((b, h, l, dv))
    g = np.log(rng.uniform(0.8, 0.99, (b, h, l)))
    beta = rng.uniform(0, 1, (b, h, l))
    o, s = lib.call("gdn", [a.astype(np.float32) for a in (q, k, v, g, beta)])
    ref_o, ref_s = linear_attention_reference(q, k, v, g, beta, None,
                                              1 / np.sqrt(dk), False)
    assert_close(o, ref_o, what="output")
    assert_close(s, ref_s, what="final_state")


@pytest.mark.parametrize("b,l,dm,n,g", [(2, 6, 12, 4, 3), (1, 1000, 3, 2, 1)])
def test_selective_scan_any_shape(lib, b, l, dm, n, g):
    rng = np.random.default_rng(dm * 7 + g)
    u, dt = rng.standard_normal((b, l, dm)), rng.standard_normal((b, l, dm))
    A = -np.exp(rng.standard_normal((dm, n)) * 0.5)
    B, C = rng.standard_normal((b, l, g, n)), rng.standard_normal((b, l, g, n))
    D = rng.standard_normal(dm)
    y, h = lib.call("ss", [a.astype(np.float32) for a in (u, dt, A, B, C, D)])
    ref_y, ref_h = selective_scan_reference(u, dt, A, B, C, D, None, None, None, True)
    assert_close(y, ref_y, what="y")
    assert_close(h, ref_h, what="last_state")


def test_dynamic_normalizer_width_is_a_clear_compile_error():
    """The mLSTM state is Dv + 1 wide; with Dv dynamic no input gives that
    size, so the ABI cannot size the output: seqc says so."""
    with pytest.raises(RuntimeError, match="result 1 dimension 3 is dynamic "
                       "and not determined by any argument's size"):
        Library(f"""
func.func @mlstm(%q: {T4}, %k: {T4}, %v: {T4}) -> ({T4}, {T4}) {{
  %o, %s = seq.linear_attention %q, %k, %v {{normalize}} : {T4}, {T4}, {T4} -> {T4}, {T4}
  return %o, %s : {T4}, {T4}
}}""")


@pytest.mark.parametrize("level", ["-O0", "-O2"])
def test_attention_bias_broadcast_decided_at_run_time(level):
    """A bias of dynamic shape broadcasts where its size turns out to be 1:
    at -O2 in the flash lowering's rows-in-lanes tile (@attn) and its
    decoding tile (@decode: 4 rows per key/value head, keys in lanes)."""
    lib = Library(f"""
func.func @attn(%q: {T4}, %b: {T4}) -> {T4} {{
  %o = seq.attention %q, %q, %q bias(%b : {T4}) : {T4}, {T4}, {T4} -> {T4}
  return %o : {T4}
}}
func.func @decode(%q: tensor<?x4x1x16xf32>, %k: tensor<?x1x?x16xf32>, %b: {T4})
    -> tensor<?x4x1x16xf32> {{
  %o = seq.attention %q, %k, %k bias(%b : {T4}) {{causal}}
      : tensor<?x4x1x16xf32>, tensor<?x1x?x16xf32>, tensor<?x1x?x16xf32>
      -> tensor<?x4x1x16xf32>
  return %o : tensor<?x4x1x16xf32>
}}""", extra_args=target_args(level))
    rng = np.random.default_rng(5)
    q = rng.standard_normal((2, 3, 40, 8))
    for shape in [(1, 3, 1, 40), (2, 1, 40, 40), (1, 1, 1, 1), (2, 3, 40, 40),
                  (2, 3, 40, 1)]:
        bias = rng.standard_normal(shape)
        (o,) = lib.call("attn", [q.astype(np.float32), bias.astype(np.float32)])
        ref, _ = attention_reference(q, q, q, bias, None, 8 ** -0.5, False, None,
                                     None, None)
        assert_close(o, ref, what="bias %s" % (shape,))
    q = rng.standard_normal((2, 4, 1, 16))
    k = rng.standard_normal((2, 1, 37, 16))
    for shape in [(2, 4, 1, 37), (1, 1, 1, 37), (2, 1, 1, 1), (1, 4, 1, 1)]:
        bias = rng.standard_normal(shape)
        (o,) = lib.call("decode", [a.astype(np.float32) for a in (q, k, bias)])
        ref, _ = attention_reference(q, k, k, bias, None, 16 ** -0.5, True,
                                     None, None, None)
        assert_close(o, ref, what="decode bias %s" % (shape,))
