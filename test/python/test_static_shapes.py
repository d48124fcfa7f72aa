"""Every op with every size static (the other tests mostly leave batch and
length dynamic): the lowerings must type-check and compute the same."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, target_args, tensor_type as tt
from test_attention import attention_reference
from test_conv1d import conv1d_reference
from test_linear_attention import linear_attention_reference
from test_recurrence import recurrence_reference
from test_scan import COMBINERS, scan_reference
from test_selective_scan import selective_scan_reference

B, L = 2, 5
SOURCE = f"""
func.func @attn(%q: {tt((B, 4, L, 8))}, %k: {tt((B, 2, 7, 8))}, %v: {tt((B, 2, 7, 8))}) -> {tt((B, 4, L, 8))} {{
  %o = seq.attention %q, %k, %v {{causal}} : {tt((B, 4, L, 8))}, {tt((B, 2, 7, 8))}, {tt((B, 2, 7, 8))} -> {tt((B, 4, L, 8))}
  return %o : {tt((B, 4, L, 8))}
}}
func.func @la(%q: {tt((B, 2, L, 4))}, %k: {tt((B, 2, L, 4))}, %v: {tt((B, 2, L, 3))}, %g: {tt((B, 2, L))}) -> ({tt((B, 2, L, 3))}, {tt((B, 2, 4, 4))}) {{
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : {tt((B, 2, L))}) {{normalize}}
      : {tt((B, 2, L, 4))}, {tt((B, 2, L, 4))}, {tt((B, 2, L, 3))} -> {tt((B, 2, L, 3))}, {tt((B, 2, 4, 4))}
  return %o, %s : {tt((B, 2, L, 3))}, {tt((B, 2, 4, 4))}
}}
func.func @ss(%u: {tt((B, L, 6))}, %dt: {tt((B, L, 6))}, %A: {tt((6, 3))}, %Bm: {tt((B, L, 2, 3))}, %C: {tt((B, L, 2, 3))}) -> ({tt((B, L, 6))}, {tt((B, 6, 3))}) {{
  %y, %h = seq.selective_scan %u, %dt, %A, %Bm, %C {{delta_softplus}}
      : {tt((B, L, 6))}, {tt((B, L, 6))}, {tt((6, 3))}, {tt((B, L, 2, 3))}, {tt((B, L, 2, 3))} -> {tt((B, L, 6))}, {tt((B, 6, 3))}
  return %y, %h : {tt((B, L, 6))}, {tt((B, 6, 3))}
}}
func.func @conv(%x: {tt((B, L, 4))}, %w: {tt((4, 1, 3))}, %s0: {tt((B, 2, 4))}) -> ({tt((B, L, 4))}, {tt((B, 2, 4))}) {{
  %y, %s = seq.conv1d %x, %w state(%s0 : {tt((B, 2, 4))}) activation silu : {tt((B, L, 4))}, {tt((4, 1, 3))} -> {tt((B, L, 4))}, {tt((B, 2, 4))}
  return %y, %s : {tt((B, L, 4))}, {tt((B, 2, 4))}
}}
func.func @scan(%x0: {tt((B, L))}, %x1: {tt((B, L))}) -> ({tt((B, L))}, {tt((B, L))}) {{
  %r0, %r1 = seq.scan dim = 1 ins(%x0, %x1 : {tt((B, L))}, {tt((B, L))}) {{reverse}} -> {tt((B, L))}, {tt((B, L))} {{
    {COMBINERS["affine"][1]}
  }}
  return %r0, %r1 : {tt((B, L))}, {tt((B, L))}
}}
func.func @gru(%x: {tt((B, L, 3))}, %wi: {tt((12, 3))}, %wr: {tt((3, 2, 2, 2))}) -> ({tt((B, 4))}, {tt((B, L, 4))}) {{
  %h, %y = seq.recurrence cell = gru ins(%x : {tt((B, L, 3))}) w_in(%wi : {tt((12, 3))}) w_rec(%wr : {tt((3, 2, 2, 2))})
      -> {tt((B, 4))}, {tt((B, L, 4))}
  return %h, %y : {tt((B, 4))}, {tt((B, L, 4))}
}}
"""


@pytest.mark.parametrize("target", ["-O2", "cuda-emulated", "cuda"])
def test_all_ops_with_static_shapes(target):
    lib = Library(SOURCE, extra_args=target_args(target))
    rng = np.random.default_rng(3)
    f32 = lambda *xs: [x.astype(np.float32) for x in xs]
    r = lambda *shape: rng.standard_normal(shape)

    q, k, v = r(B, 4, L, 8), r(B, 2, 7, 8), r(B, 2, 7, 8)
    (o,) = lib.call("attn", f32(q, k, v))
    assert_close(o, attention_reference(q, k, v, None, None, 8 ** -0.5, True,
                                        None, None, None)[0], what="attention")

    q, k, v = r(B, 2, L, 4), r(B, 2, L, 4), r(B, 2, L, 3)
    g = np.log(rng.uniform(0.8, 0.99, (B, 2, L)))
    o, s = lib.call("la", f32(q, k, v, g))
    ro, rs = linear_attention_reference(q, k, v, g, None, None, 0.5, True)
    assert_close(o, ro, what="linear attention")
    assert_close(s, rs, what="linear attention state")

    u, dt, A = r(B, L, 6), r(B, L, 6), -np.exp(r(6, 3) * 0.5)
    Bm, C = r(B, L, 2, 3), r(B, L, 2, 3)
    y, h = lib.call("ss", f32(u, dt, A, Bm, C))
    ry, rh = selective_scan_reference(u, dt, A, Bm, C, None, None, None, None, True)
    assert_close(y, ry, what="selective scan")
    assert_close(h, rh, what="selective scan state")

    x, w, s0 = r(B, L, 4), r(4, 1, 3), r(B, 2, 4)
    y, s = lib.call("conv", f32(x, w, s0))
    ry, rs = conv1d_reference(x, w, None, s0, 1, "silu")
    assert_close(y, ry, what="conv1d")
    assert_close(s, rs, what="conv1d state")

    a, b = rng.uniform(0.5, 1.2, (B, L)), r(B, L)
    r0, r1 = lib.call("scan", f32(a, b))
    ref = scan_reference([a, b], 1, COMBINERS["affine"][2], None, False, True)
    assert_close(r0, ref[0], what="scan a")
    assert_close(r1, ref[1], what="scan b")

    x, wi, wr = r(B, L, 3), r(12, 3) * 0.5, r(3, 2, 2, 2) * 0.5
    h, y = lib.call("gru", f32(x, wi, wr))
    (rh,), ry = recurrence_reference("gru", x, wi, wr, None, None, None, False)
    assert_close(h, rh, what="gru state")
    assert_close(y, ry, what="gru y")


def test_static_named_cells_with_biases_and_f64_lse():
    lib = Library(f"""
func.func @lstm(%x: {tt((B, L, 3))}, %wi: {tt((8, 3))}, %wr: {tt((4, 1, 2, 2))}, %bi: {tt((8,))}, %br: {tt((8,))})
    -> ({tt((B, 2))}, {tt((B, 2))}, {tt((B, L, 2))}) {{
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : {tt((B, L, 3))}) w_in(%wi : {tt((8, 3))})
      w_rec(%wr : {tt((4, 1, 2, 2))}) b_in(%bi : {tt((8,))}) b_rec(%br : {tt((8,))})
      -> {tt((B, 2))}, {tt((B, 2))}, {tt((B, L, 2))}
  return %h, %c, %y : {tt((B, 2))}, {tt((B, 2))}, {tt((B, L, 2))}
}}
func.func @attn64(%q: {tt((B, 2, L, 4), "f64")}) -> {tt((B, 2, L), "f32")} {{
  %o, %lse = seq.attention %q, %q, %q : {tt((B, 2, L, 4), "f64")}, {tt((B, 2, L, 4), "f64")}, {tt((B, 2, L, 4), "f64")}
      -> {tt((B, 2, L, 4), "f64")}, {tt((B, 2, L), "f32")}
  return %lse : {tt((B, 2, L), "f32")}
}}""")
    rng = np.random.default_rng(4)
    x, wi, wr = rng.standard_normal((B, L, 3)), rng.standard_normal((8, 3)), rng.standard_normal((4, 1, 2, 2))
    bi, br = rng.standard_normal(8) * 0.1, rng.standard_normal(8) * 0.1
    h, c, y = lib.call("lstm", [a.astype(np.float32) for a in (x, wi, wr, bi, br)])
    (rh, rc), ry = recurrence_reference("lstm", x, wi, wr, bi, br, None, False)
    assert_close(h, rh, what="h")
    assert_close(c, rc, what="c")
    assert_close(y, ry, what="y")
    q = rng.standard_normal((B, 2, L, 4))
    (lse,) = lib.call("attn64", [q])
    assert lse.dtype == np.float32
    assert_close(lse, attention_reference(q, q, q, None, None, 0.5, False, None,
                                          None, None)[1], what="lse")


def test_static_batch_of_one():
    """Batch 1 and a step are both unit dimensions: slicing a step must drop
    the step's, not the batch's."""
    t4, t3s = tt((1, 4, 6, 8)), tt((1, 4, 8, 8))
    lib = Library(f"""
func.func @gla(%q: {t4}, %g: {t4}) -> ({t4}, {t3s}) {{
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : {t4}) : {t4}, {t4}, {t4} -> {t4}, {t3s}
  return %o, %s : {t4}, {t3s}
}}""")
    rng = np.random.default_rng(6)
    q = rng.standard_normal((1, 4, 6, 8))
    g = np.log(rng.uniform(0.8, 0.99, (1, 4, 6, 8)))
    o, s = lib.call("gla", [q.astype(np.float32), g.astype(np.float32)])
    ro, rs = linear_attention_reference(q, q, q, g, None, None, 8 ** -0.5, False)
    assert_close(o, ro, what="output")
    assert_close(s, rs, what="final state")


def test_normalizer_with_a_static_batch_of_one():
    t4q, t4v, ts = tt((1, 2, 5, 4)), tt((1, 2, 5, 3)), tt((1, 2, 4, 4))
    lib = Library(f"""
func.func @f(%q: {t4q}, %v: {t4v}) -> ({t4v}, {ts}) {{
  %o, %s = seq.linear_attention %q, %q, %v {{normalize}} : {t4q}, {t4q}, {t4v} -> {t4v}, {ts}
  return %o, %s : {t4v}, {ts}
}}""")
    rng = np.random.default_rng(8)
    q, v = rng.standard_normal((1, 2, 5, 4)), rng.standard_normal((1, 2, 5, 3))
    o, s = lib.call("f", [q.astype(np.float32), v.astype(np.float32)])
    ro, rs = linear_attention_reference(q, q, v, None, None, None, 0.5, True)
    assert_close(o, ro, what="output")
    assert_close(s, rs, what="final state")


@pytest.mark.parametrize("level", ["-O0", "-O2"])
def test_seq_op_inside_a_static_cell_region(level):
    """A cell region that runs a one-step selective scan: the ABI's shape
    rules (Dm a multiple of G) are between the region's per-step slices,
    whose sizes are static; they were read as unknown and the compile
    failed with "make them static"."""
    dm, n, g = 6, 3, 2
    tu, tb, th = tt((B, L, 1, dm)), tt((B, L, 1, g, n)), tt((B, dm, n))
    su, sb = tt((B, 1, dm)), tt((B, 1, g, n))
    lib = Library(f"""
func.func @f(%u: {tu}, %dt: {tu}, %bc: {tb}, %h0: {th}, %A: {tt((dm, n))}) -> ({th}, {tu}) {{
  %h, %y = seq.recurrence ins(%u, %dt, %bc : {tu}, {tu}, {tb}) init(%h0 : {th}) -> {th}, {tu} {{
  ^bb0(%hp: {th}, %ut: {su}, %dtt: {su}, %bt: {sb}):
    %yt, %hn = seq.selective_scan %ut, %dtt, %A, %bt, %bt initial_state(%hp : {th}) {{delta_softplus}}
      : {su}, {su}, {tt((dm, n))}, {sb}, {sb} -> {su}, {th}
    seq.yield %hn, %yt : {th}, {su}
  }}
  return %h, %y : {th}, {tu}
}}""", extra_args=[level])
    rng = np.random.default_rng(9)
    u, dt = rng.standard_normal((B, L, 1, dm)), rng.standard_normal((B, L, 1, dm))
    bc, h0 = rng.standard_normal((B, L, 1, g, n)), rng.standard_normal((B, dm, n))
    A = -np.exp(rng.standard_normal((dm, n)) * 0.5)
    h, y = lib.call("f", [a.astype(np.float32) for a in (u, dt, bc, h0, A)])
    ry, rh = selective_scan_reference(u[:, :, 0], dt[:, :, 0], A, bc[:, :, 0],
                                      bc[:, :, 0], None, None, None, h0, True)
    assert_close(h, rh, what="final state")
    assert_close(y[:, :, 0], ry, what="outputs")
