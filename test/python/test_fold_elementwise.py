"""Elementwise producers and consumers of seq ops, which the CPU's fast
path folds into the ops (seq-fold-elementwise,
test/Transforms/seq-fold-elementwise.mlir): softplus(dt + bias) into a
selective scan's delta, y * silu(z) into its gate, act(y + bias) into a
convolution. At -O0 each elementwise op runs on its own (the oracle); at
-O2 the folded op runs in the fused kernel (64 channels) or the reference
lowering (17 channels); the CUDA target folds too (its kernels run on the
host in "cuda-emulated", on a GPU in "cuda"). All against float64 NumPy."""

import numpy as np
import pytest

from seqc_harness import Library, TARGETS, assert_close, target_args
from test_conv1d import conv1d_reference
from test_selective_scan import selective_scan_reference


def _broadcast_bias(like, dm):
    """Lines defining %e, an empty tensor shaped like `like`, and %bb, %bias
    broadcast to it."""
    return """  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim {like}, %c0 : !seq
  %l = tensor.dim {like}, %c1 : !seq
  %e = tensor.empty(%b, %l) : !seq
  %bb = linalg.broadcast ins(%bias : tensor<{dm}xf32>) outs(%e : !seq)
      dimensions = [0, 1]
""".format(like=like, dm=dm)


def _functions(dm):
    """Mamba's block three ways and two convolutions, over [?, ?, dm]."""
    return """
!seq = tensor<?x?x{dm}xf32>
!bc = tensor<?x?x1x16xf32>

// softplus(dt + bias) as PyTorch thresholds it, a bias broadcast by
// linalg.broadcast, and y * (z / (1 + exp(-z))).
func.func @torch_forms(%u: !seq, %dt: !seq, %bias: tensor<{dm}xf32>,
                       %z: !seq, %A: tensor<{dm}x16xf32>, %B: !bc, %C: !bc)
    -> (!seq, tensor<?x{dm}x16xf32>) {{
{broadcast_bias_dt}  %s = arith.addf %dt, %bb : !seq
  %c20 = arith.constant 20.0 : f32
  %t = linalg.fill ins(%c20 : f32) outs(%e : !seq) -> !seq
  %big = arith.cmpf ogt, %s, %t : !seq
  %ex = math.exp %s : !seq
  %lp = math.log1p %ex : !seq
  %d = arith.select %big, %s, %lp : tensor<?x?x{dm}xi1>, !seq
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C
      : !seq, !seq, tensor<{dm}x16xf32>, !bc, !bc
      -> !seq, tensor<?x{dm}x16xf32>
  %f1 = arith.constant 1.0 : f32
  %one = linalg.fill ins(%f1 : f32) outs(%e : !seq) -> !seq
  %nz = arith.negf %z : !seq
  %ez = math.exp %nz : !seq
  %den = arith.addf %one, %ez : !seq
  %g = arith.divf %z, %den : !seq
  %out = arith.mulf %y, %g : !seq
  return %out, %h : !seq, tensor<?x{dm}x16xf32>
}}

// The overflow-free softplus in one generic reading the bias through a
// rank-1 map, a D skip, and y * (z * sigmoid(z)).
func.func @stable_forms(%u: !seq, %dt: !seq, %bias: tensor<{dm}xf32>,
                        %z: !seq, %A: tensor<{dm}x16xf32>, %B: !bc, %C: !bc,
                        %D: tensor<{dm}xf32>) -> !seq {{
  %d = linalg.generic {{
      indexing_maps = [affine_map<(b, t, c) -> (b, t, c)>,
                       affine_map<(b, t, c) -> (c)>,
                       affine_map<(b, t, c) -> (b, t, c)>],
      iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%dt, %bias : !seq, tensor<{dm}xf32>) outs(%dt : !seq) {{
  ^bb0(%a: f32, %b: f32, %o: f32):
    %zero = arith.constant 0.0 : f32
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %zero : f32
    %abs = math.absf %s : f32
    %neg = arith.negf %abs : f32
    %ex = math.exp %neg : f32
    %lp = math.log1p %ex : f32
    %r = arith.addf %m, %lp : f32
    linalg.yield %r : f32
  }} -> !seq
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C D(%D : tensor<{dm}xf32>)
      : !seq, !seq, tensor<{dm}x16xf32>, !bc, !bc
      -> !seq, tensor<?x{dm}x16xf32>
  %f1 = arith.constant 1.0 : f32
  %one = linalg.fill ins(%f1 : f32) outs(%dt : !seq) -> !seq
  %nz = arith.negf %z : !seq
  %ez = math.exp %nz : !seq
  %den = arith.addf %one, %ez : !seq
  %sg = arith.divf %one, %den : !seq
  %g = arith.mulf %z, %sg : !seq
  %out = arith.mulf %g, %y : !seq
  return %out : !seq
}}

// dt + bias only (no softplus).
func.func @bias_only(%u: !seq, %dt: !seq, %bias: tensor<{dm}xf32>,
                     %A: tensor<{dm}x16xf32>, %B: !bc, %C: !bc) -> !seq {{
{broadcast_bias_dt}  %d = arith.addf %bb, %dt : !seq
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C
      : !seq, !seq, tensor<{dm}x16xf32>, !bc, !bc
      -> !seq, tensor<?x{dm}x16xf32>
  return %y : !seq
}}

// Mamba's short convolution: silu(conv(x) + bias).
func.func @conv_silu(%x: !seq, %w: tensor<{dm}x1x4xf32>,
                     %bias: tensor<{dm}xf32>) -> !seq {{
  %y = seq.conv1d %x, %w : !seq, tensor<{dm}x1x4xf32> -> !seq
{broadcast_bias_x}  %s = arith.addf %y, %bb : !seq
  %f1 = arith.constant 1.0 : f32
  %one = linalg.fill ins(%f1 : f32) outs(%e : !seq) -> !seq
  %ns = arith.negf %s : !seq
  %es = math.exp %ns : !seq
  %den = arith.addf %one, %es : !seq
  %out = arith.divf %s, %den : !seq
  return %out : !seq
}}

// tanh(conv(x)).
func.func @conv_tanh(%x: !seq, %w: tensor<{dm}x1x4xf32>) -> !seq {{
  %y = seq.conv1d %x, %w : !seq, tensor<{dm}x1x4xf32> -> !seq
  %t = math.tanh %y : !seq
  return %t : !seq
}}
""".format(dm=dm, broadcast_bias_dt=_broadcast_bias("%dt", dm),
           broadcast_bias_x=_broadcast_bias("%x", dm))


@pytest.fixture(scope="module", params=[(target, dm) for target in TARGETS
                                        for dm in (64, 17)],
                ids=lambda p: "%s-dm%d" % p)
def case(request):
    target, dm = request.param
    return Library(_functions(dm), extra_args=target_args(target)), dm


def _scan_inputs(rng, batch, length, dm):
    u = rng.standard_normal((batch, length, dm))
    # Some dt + bias beyond PyTorch's threshold of 20 and beyond exp's f32
    # range (88): softplus is then the identity, not inf.
    dt = rng.standard_normal((batch, length, dm))
    dt[:, ::3, ::5] = 30.0
    dt[:, 1::7, ::4] = 95.0
    dt[:, 2::5, ::3] = -40.0
    bias = rng.standard_normal(dm) * 0.5
    z = rng.standard_normal((batch, length, dm)) * 3.0
    A = -np.exp(rng.standard_normal((dm, 16)) * 0.5)
    B = rng.standard_normal((batch, length, 1, 16))
    C = rng.standard_normal((batch, length, 1, 16))
    return u, dt, bias, z, A, B, C


def _f32(*arrays):
    return [a.astype(np.float32) for a in arrays]


@pytest.mark.parametrize("batch,length", [(1, 1), (2, 37)])
def test_folded_selective_scan_matches_numpy(case, batch, length):
    lib, dm = case
    rng = np.random.default_rng(length * 100 + dm)
    u, dt, bias, z, A, B, C = _scan_inputs(rng, batch, length, dm)
    D = rng.standard_normal(dm)

    # The softplus of large inputs: -O0 computes log1p(exp(x)) only where x
    # <= 20 (PyTorch's select), so no inf appears in either lowering.
    y, h = lib.call("torch_forms", _f32(u, dt, bias, z, A, B, C))
    y_ref, h_ref = selective_scan_reference(u, dt, A, B, C, None, z, bias,
                                            None, True)
    assert_close(y, y_ref, what="torch_forms: y")
    assert_close(h, h_ref, what="torch_forms: last_state")

    (y,) = lib.call("stable_forms", _f32(u, dt, bias, z, A, B, C, D))
    y_ref, _ = selective_scan_reference(u, dt, A, B, C, D, z, bias, None, True)
    assert_close(y, y_ref, what="stable_forms")

    # Without softplus dt is used as is: keep dt + bias positive and small.
    small = rng.uniform(0.6, 1.0, (batch, length, dm))
    bias_small = rng.uniform(-0.5, 0.0, dm)
    (y,) = lib.call("bias_only", _f32(u, small, bias_small, A, B, C))
    y_ref, _ = selective_scan_reference(u, small, A, B, C, None, None,
                                        bias_small, None, False)
    assert_close(y, y_ref, what="bias_only")


@pytest.mark.parametrize("batch,length", [(1, 1), (3, 70)])
def test_folded_conv1d_matches_numpy(case, batch, length):
    lib, dm = case
    rng = np.random.default_rng(length * 10 + dm)
    x = rng.standard_normal((batch, length, dm))
    w = rng.standard_normal((dm, 1, 4)) * 0.5
    bias = rng.standard_normal(dm)

    (y,) = lib.call("conv_silu", _f32(x, w, bias))
    y_ref, _ = conv1d_reference(x, w, bias, None, 1, "silu")
    assert_close(y, y_ref, what="conv_silu")

    (y,) = lib.call("conv_tanh", _f32(x, w))
    y_ref, _ = conv1d_reference(x, w, None, None, 1, "tanh")
    assert_close(y, y_ref, what="conv_tanh")
