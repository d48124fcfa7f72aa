"""Chains of elementwise ops on tensors, which the CPU's fast path fuses
into one loop nest (lib/Pipelines/Pipelines.cpp,
test/Pipelines/fuse-elementwise.mlir), at -O0 (one op each) and -O2
(fused), against float64 NumPy: a producer with one user, one whose
result is also returned (it must not be lost to the fusion), a broadcast
operand, and a chain feeding a reduction."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close

FUNCTIONS = """
func.func @chain(%x: tensor<?x64xf32>, %y: tensor<?x64xf32>)
    -> tensor<?x64xf32> {
  %sum = arith.addf %x, %y : tensor<?x64xf32>
  %e = math.exp %sum : tensor<?x64xf32>
  %out = arith.mulf %e, %y : tensor<?x64xf32>
  return %out : tensor<?x64xf32>
}

func.func @shared(%x: tensor<?x64xf32>, %y: tensor<?x64xf32>)
    -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %sum = arith.addf %x, %y : tensor<?x64xf32>
  %t = math.tanh %sum : tensor<?x64xf32>
  %out = arith.mulf %t, %x : tensor<?x64xf32>
  return %sum, %out : tensor<?x64xf32>, tensor<?x64xf32>
}

func.func @scaled(%x: tensor<?x64xf32>, %scale: tensor<64xf32>)
    -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %rows = tensor.dim %x, %c0 : tensor<?x64xf32>
  %init = tensor.empty(%rows) : tensor<?x64xf32>
  %s = linalg.broadcast ins(%scale : tensor<64xf32>)
      outs(%init : tensor<?x64xf32>) dimensions = [0]
  %n = arith.negf %x : tensor<?x64xf32>
  %out = arith.mulf %n, %s : tensor<?x64xf32>
  return %out : tensor<?x64xf32>
}

func.func @sum_of_squares(%x: tensor<?x64xf32>, %y: tensor<?x64xf32>)
    -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %rows = tensor.dim %x, %c0 : tensor<?x64xf32>
  %d = arith.subf %x, %y : tensor<?x64xf32>
  %sq = arith.mulf %d, %d : tensor<?x64xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty(%rows) : tensor<?xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?xf32>)
      -> tensor<?xf32>
  %r = linalg.reduce ins(%sq : tensor<?x64xf32>) outs(%acc : tensor<?xf32>)
      dimensions = [1]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  return %r : tensor<?xf32>
}
"""


@pytest.fixture(scope="module", params=["-O0", "-O2"])
def lib(request):
    return Library(FUNCTIONS, extra_args=(request.param, "--runtime-checks"))


@pytest.mark.parametrize("rows", [1, 37, 1000])
def test_fused_chains_match_numpy(lib, rows):
    rng = np.random.default_rng(rows)
    x = rng.standard_normal((rows, 64)).astype(np.float32)
    y = rng.standard_normal((rows, 64)).astype(np.float32)
    scale = rng.standard_normal(64).astype(np.float32)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)

    (out,) = lib.call("chain", [x, y])
    assert_close(out, np.exp(x64 + y64) * y64, what="chain")

    total, out = lib.call("shared", [x, y])
    assert_close(total, x64 + y64, what="shared: the returned producer")
    assert_close(out, np.tanh(x64 + y64) * x64, what="shared")

    (out,) = lib.call("scaled", [x, scale])
    assert_close(out, -x64 * scale.astype(np.float64), what="scaled")

    (out,) = lib.call("sum_of_squares", [x, y])
    assert_close(out, ((x64 - y64) ** 2).sum(1), what="sum_of_squares")
