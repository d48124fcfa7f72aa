"""Projections with quantized weights (seq.dequantize feeding a
linalg.contract): the reference lowering (-O0) materializes the float
weight, -seq-fast-matmul (-O2) converts the integers in registers. Both are
compared with float64 NumPy on the dequantized weight, computed from the
documented storage layout (quantization_reference)."""

import numpy as np
import pytest

from quantization_reference import quantize
from seqc_harness import Library, assert_close, tensor_type

# (rows, K, N, bits, group size). Group size K is one scale per output
# channel; 4-bit groups of 16 and int8 groups of 8 are not multiples of the
# vector width (16 lanes at -O2 here), so they stay with the reference.
CONFIGS = [
    (1, 64, 4, 8, 64),
    (37, 96, 130, 8, 96),
    (5, 128, 65, 8, 32),
    (1, 256, 300, 4, 32),
    (9, 128, 70, 4, 64),
    (3, 256, 9, 4, 128),
    (4, 64, 33, 4, 64),
    (2, 64, 5, 4, 16),
    (2, 48, 5, 8, 8),
]


def _function(i, cfg):
    rows, k, n, bits, group = cfg
    x_t = tensor_type((rows, k), dynamic=(0,))
    y_t = tensor_type((rows, n), dynamic=(0,))
    q_t = "tensor<%dx%dxi8>" % (n, k if bits == 8 else k // 2)
    s_t = tensor_type((n, k // group))
    w_t = tensor_type((n, k))
    return """
func.func @proj{i}(%x: {x_t}, %q: {q_t}, %s: {s_t}, %init: {y_t}) -> {y_t} {{
  %w = seq.dequantize %q, %s bits {bits} : {q_t}, {s_t} -> {w_t}
  %y = linalg.contract indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
      affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : {x_t}, {w_t}) outs(%init : {y_t}) -> {y_t}
  return %y : {y_t}
}}""".format(i=i, x_t=x_t, q_t=q_t, s_t=s_t, w_t=w_t, y_t=y_t, bits=bits)


@pytest.fixture(scope="module", params=["-O0", "-O2"])
def library(request):
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=("--runtime-checks", request.param))


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_quantized_projection_matches_reference(library, index):
    rows, k, n, bits, group = CONFIGS[index]
    rng = np.random.default_rng(index)
    x = rng.standard_normal((rows, k))
    q, scales, w = quantize(rng.standard_normal((n, k)) / np.sqrt(k), bits,
                            group)
    init = rng.standard_normal((rows, n))
    (y,) = library.call("proj%d" % index,
                        [x.astype(np.float32), q, scales,
                         init.astype(np.float32)])
    assert_close(y, init + x @ w.T, rtol=1e-4, atol=1e-4)


def test_packing_matches_documented_layout():
    # Group of 4 (two bytes): byte j holds input j (low nibble) and input
    # 2 + j (high nibble), as signed 4-bit values: -2 is 0xE, -7 is 0x9.
    w = np.array([[1.0, -2.0, 7.0, -7.0]])
    q, scales, dequantized = quantize(w, 4, 4)
    assert scales[0, 0] == np.float32(1.0)
    assert [b & 0xFF for b in q[0].tolist()] == [0x71, 0x9E]
    np.testing.assert_array_equal(dequantized, w)
