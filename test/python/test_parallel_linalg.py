"""What the fast lowerings leave as linalg ops (seq-parallel-linalg splits
the large ones into parallel tasks; seq-approximate-vector-math's
linalg-bodies replaces their exp-family math by polynomials), at -O0 and
-O2, against float64 NumPy. Each op runs at a size below seq-parallel-linalg's
32768 iterations (the op as it was) and above (tasks)."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, target_args

FUNCTIONS = """
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1)>
#last = affine_map<(d0, d1, d2) -> (d2)>

func.func @swiglu(%g: tensor<?x?x256xf32>, %u: tensor<?x?x256xf32>)
    -> tensor<?x?x256xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %g, %c0 : tensor<?x?x256xf32>
  %l = tensor.dim %g, %c1 : tensor<?x?x256xf32>
  %e = tensor.empty(%b, %l) : tensor<?x?x256xf32>
  %y = linalg.generic {indexing_maps = [#id3, #id3, #id3],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g, %u : tensor<?x?x256xf32>, tensor<?x?x256xf32>)
      outs(%e : tensor<?x?x256xf32>) {
  ^bb0(%a: f32, %v: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %x = math.exp %n : f32
    %d = arith.addf %one, %x : f32
    %s = arith.divf %a, %d : f32
    %r = arith.mulf %s, %v : f32
    linalg.yield %r : f32
  } -> tensor<?x?x256xf32>
  return %y : tensor<?x?x256xf32>
}

func.func @unary(%x: tensor<?x?x128xf32>) -> tensor<?x?x128xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x128xf32>
  %l = tensor.dim %x, %c1 : tensor<?x?x128xf32>
  %e = tensor.empty(%b, %l) : tensor<?x?x128xf32>
  %y = linalg.generic {indexing_maps = [#id3, #id3],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x?x128xf32>) outs(%e : tensor<?x?x128xf32>) {
  ^bb0(%a: f32, %o: f32):
    // softplus(a) + tanh(a) + log(1 + a^2) + expm1(a / 4) + sin(8 a)
    %ex = math.exp %a : f32
    %sp = math.log1p %ex : f32
    %th = math.tanh %a : f32
    %one = arith.constant 1.0 : f32
    %sq = arith.mulf %a, %a : f32
    %p = arith.addf %one, %sq : f32
    %lg = math.log %p : f32
    %quarter = arith.constant 0.25 : f32
    %q = arith.mulf %a, %quarter : f32
    %em = math.expm1 %q : f32
    %eight = arith.constant 8.0 : f32
    %w = arith.mulf %a, %eight : f32
    %sn = math.sin %w : f32
    %s1 = arith.addf %sp, %th : f32
    %s2 = arith.addf %s1, %lg : f32
    %s3 = arith.addf %s2, %em : f32
    %s4 = arith.addf %s3, %sn : f32
    linalg.yield %s4 : f32
  } -> tensor<?x?x128xf32>
  return %y : tensor<?x?x128xf32>
}

func.func @rmsnorm(%x: tensor<?x?x512xf32>, %w: tensor<512xf32>)
    -> tensor<?x?x512xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x512xf32>
  %l = tensor.dim %x, %c1 : tensor<?x?x512xf32>
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty(%b, %l) : tensor<?x?xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%se : tensor<?x?xf32>) -> tensor<?x?xf32>
  %ss = linalg.generic {indexing_maps = [#id3, #row],
                        iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<?x?x512xf32>) outs(%s0 : tensor<?x?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %t = arith.addf %sq, %acc : f32
    linalg.yield %t : f32
  } -> tensor<?x?xf32>
  %e = tensor.empty(%b, %l) : tensor<?x?x512xf32>
  %y = linalg.generic {indexing_maps = [#id3, #row, #last, #id3],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %ss, %w : tensor<?x?x512xf32>, tensor<?x?xf32>, tensor<512xf32>)
      outs(%e : tensor<?x?x512xf32>) {
  ^bb0(%a: f32, %s: f32, %g: f32, %o: f32):
    %n = arith.constant 512.0 : f32
    %eps = arith.constant 1.0e-6 : f32
    %m = arith.divf %s, %n : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %xn = arith.mulf %a, %r : f32
    %yg = arith.mulf %xn, %g : f32
    linalg.yield %yg : f32
  } -> tensor<?x?x512xf32>
  return %y : tensor<?x?x512xf32>
}

func.func @heads_first(%x: tensor<?x?x4x64xf32>) -> tensor<?x4x?x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x4x64xf32>
  %l = tensor.dim %x, %c1 : tensor<?x?x4x64xf32>
  %e = tensor.empty(%b, %l) : tensor<?x4x?x64xf32>
  %y = linalg.transpose ins(%x : tensor<?x?x4x64xf32>)
      outs(%e : tensor<?x4x?x64xf32>) permutation = [0, 2, 1, 3]
  return %y : tensor<?x4x?x64xf32>
}
"""

# (batch, rows): below 32768 iterations for every function, then above.
SIZES = [(1, 3), (2, 100)]


@pytest.fixture(scope="module", params=["-O0", "-O2"])
def library(request):
    return Library(FUNCTIONS, extra_args=target_args(request.param))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("size", SIZES)
def test_swiglu(library, size):
    rng = np.random.default_rng(1)
    g = rng.standard_normal(size + (256,)) * 4
    u = rng.standard_normal(size + (256,))
    (y,) = library.call("swiglu", [g.astype(np.float32), u.astype(np.float32)])
    assert_close(y, g * _sigmoid(g) * u)


@pytest.mark.parametrize("size", SIZES)
def test_exp_family_and_sin(library, size):
    rng = np.random.default_rng(2)
    # Spans the approximations' ranges: exp and log1p near 0 and far out,
    # tanh's saturation, log of large arguments, sin of up to ~40 rad.
    x = rng.uniform(-5, 5, size + (128,))
    (y,) = library.call("unary", [x.astype(np.float32)])
    want = (np.log1p(np.exp(x)) + np.tanh(x) + np.log(1 + x * x) +
            np.expm1(x / 4) + np.sin(8 * x))
    assert_close(y, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("size", SIZES)
def test_rmsnorm(library, size):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(size + (512,))
    w = rng.standard_normal(512)
    (y,) = library.call("rmsnorm", [x.astype(np.float32), w.astype(np.float32)])
    want = x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6) * w
    assert_close(y, want)


@pytest.mark.parametrize("size", SIZES)
def test_transpose(library, size):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(size + (4, 64)).astype(np.float32)
    (y,) = library.call("heads_first", [x])
    np.testing.assert_array_equal(y, x.transpose(0, 2, 1, 3))
