"""seq.hadamard (the block Walsh-Hadamard rotation) and seq.fake_quantize
with a static scale, the two pieces of Quamba's int8 SSM, against NumPy:
the rotation as a dense Sylvester matrix built by Kronecker products
(quantization_reference), not by the butterflies the lowering uses."""

import numpy as np
import pytest

from quantization_reference import hadamard, hadamard_matrix, static_quantize
from seqc_harness import Library, assert_close, tensor_type, TARGETS, target_args

# (shape, dynamic dims, block): blocks from 1 to a whole 512, several blocks
# per row, ranks 1 to 3, dynamic leading dims.
ROTATIONS = [
    ((8,), (), 1),
    ((3, 2), (0,), 2),
    ((5, 48), (0,), 16),
    ((2, 7, 1536), (0, 1), 512),
    ((1, 1, 64), (0, 1), 64),
    ((4, 3, 96), (1,), 32),
]
# (shape, dynamic dims, scale): values well inside, at and beyond 127 steps.
STATIC = [((4, 33), (0,), 0.01), ((2, 3, 64), (0, 1), 0.5), ((7,), (), 2.0)]


def _function(name, shape, dynamic, op, scale=None):
    t = tensor_type(shape, dynamic=dynamic)
    const = "" if scale is None else \
        "  %%s = arith.constant dense<%r> : tensor<f32>\n" % scale
    types = t if scale is None else t + ", tensor<f32>"
    return """
func.func @{name}(%x: {t}) -> {t} {{
{const}  %y = {op} : {types}
  return %y : {t}
}}""".format(name=name, t=t, op=op, const=const, types=types)


@pytest.fixture(scope="module", params=TARGETS)
def library(request):
    functions = [_function("rot%d" % i, s, d, "seq.hadamard %%x block %d" % b)
                 for i, (s, d, b) in enumerate(ROTATIONS)]
    functions += [_function("sq%d" % i, s, d, "seq.fake_quantize %x scale %s", c)
                  for i, (s, d, c) in enumerate(STATIC)]
    return Library("\n".join(functions),
                   extra_args=target_args(request.param))


def test_reference_matrix_is_orthonormal_and_symmetric():
    h = hadamard_matrix(64)
    np.testing.assert_allclose(h @ h.T, np.eye(64), atol=1e-12)
    np.testing.assert_array_equal(h, h.T)
    # H[i, j] = (-1)^popcount(i & j) / 8
    assert h[5, 3] == -1 / 8 and h[5, 2] == 1 / 8


@pytest.mark.parametrize("index", range(len(ROTATIONS)))
def test_hadamard_matches_dense_rotation(library, index):
    shape, _, block = ROTATIONS[index]
    x = np.random.default_rng(index).standard_normal(shape).astype(np.float32)
    (y,) = library.call("rot%d" % index, [x])
    assert_close(y, hadamard(x, block), rtol=1e-5, atol=1e-5)


def test_hadamard_is_its_own_inverse(library):
    shape, _, block = ROTATIONS[3]
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    (y,) = library.call("rot3", [x])
    (back,) = library.call("rot3", [y])
    assert_close(back, x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("index", range(len(STATIC)))
def test_static_quantize_matches_reference(library, index):
    shape, _, scale = STATIC[index]
    rng = np.random.default_rng(20 + index)
    # Up to 300 steps: a good part of the values clip at +-127.
    x = (rng.uniform(-300, 300, shape) * scale).astype(np.float32)
    (y,) = library.call("sq%d" % index, [x])
    expected = static_quantize(x, scale)
    # Exactly the int8 grid: the same float32 division and rounding.
    np.testing.assert_array_equal(y, expected.astype(np.float32))
    assert np.abs(expected).max() <= 127 * np.float32(scale) * (1 + 1e-7)
