"""Projections with quantized weights (seq.dequantize feeding a
linalg.contract): the reference lowering (-O0) materializes the float
weight, -seq-fast-matmul (-O2) converts the integers in registers. Both are
compared with float64 NumPy on the dequantized weight, computed from the
documented storage layout (quantization_reference)."""

import numpy as np
import pytest

from quantization_reference import (bf16_round, bf16_weight_bytes,
                                    fake_quantize, quantize,
                                    quantize_asymmetric)
from seqc_harness import Library, assert_close, tensor_type, TARGETS, target_args

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
    # 20 rows and more: the panel kernel, each tile of weights converted to
    # f32 once per task (int4 in groups and per channel, int8 in groups).
    (40, 128, 30, 4, 64),
    (33, 160, 26, 8, 32),
    (50, 256, 13, 4, 256),
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


@pytest.fixture(scope="module", params=TARGETS)
def library(request):
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=target_args(request.param))


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


# W8A8: seq.fake_quantize of x times an int8 per-channel weight. (batch,
# rows, K, N): K a multiple of 64 takes the VNNI kernel at -O2 where the CPU
# has it; K = 48 the f32 kernel on the quantized floats. A zero row takes
# the all-zero scale (1).
W8A8 = [
    (None, 1, 64, 4),
    (2, 37, 128, 130),
    (1, 5, 256, 65),
    (None, 3, 48, 9),
]
# LLM.int8(): the same shapes with an outlier threshold of 6; columns 3 and
# 17 reach it in one token each (30x the others), column 40 in every token.
LLM_INT8 = [(None, 2, 64, 5), (2, 19, 128, 70), (None, 3, 48, 9)]
OUTLIER_COLUMNS = (3, 17, 40)
THRESHOLD = 6.0


def _w8a8_function(i, cfg, threshold=None, name="w8a8"):
    batch, rows, k, n = cfg
    lead = (rows,) if batch is None else (batch, rows)
    dyn = (0,) if batch is None else (0, 1)
    x_t = tensor_type(lead + (k,), dynamic=dyn)
    y_t = tensor_type(lead + (n,), dynamic=dyn)
    dims = "m, n, k" if batch is None else "b, m, n, k"
    x_map = "(m, k)" if batch is None else "(b, m, k)"
    y_map = "(m, n)" if batch is None else "(b, m, n)"
    return """
func.func @{name}_{i}(%x: {x_t}, %q: tensor<{n}x{k}xi8>, %s: tensor<{n}x1xf32>, %init: {y_t}) -> {y_t} {{
  %xq = seq.fake_quantize %x {outliers}: {x_t}
  %w = seq.dequantize %q, %s bits 8 : tensor<{n}x{k}xi8>, tensor<{n}x1xf32> -> tensor<{n}x{k}xf32>
  %y = linalg.contract indexing_maps = [affine_map<({dims}) -> {x_map}>,
      affine_map<({dims}) -> (n, k)>, affine_map<({dims}) -> {y_map}>]
      ins(%xq, %w : {x_t}, tensor<{n}x{k}xf32>) outs(%init : {y_t}) -> {y_t}
  return %y : {y_t}
}}""".format(i=i, x_t=x_t, y_t=y_t, n=n, k=k, dims=dims, x_map=x_map,
             y_map=y_map, name=name,
             outliers="" if threshold is None else "outliers %r " % threshold)


@pytest.fixture(scope="module", params=TARGETS)
def w8a8_library(request):
    functions = [_w8a8_function(i, c) for i, c in enumerate(W8A8)]
    functions += [_w8a8_function(i, c, THRESHOLD, "llm_int8")
                  for i, c in enumerate(LLM_INT8)]
    return Library("\n".join(functions),
                   extra_args=target_args(request.param))


@pytest.mark.parametrize("index", range(len(W8A8)))
def test_w8a8_projection_matches_reference(w8a8_library, index):
    # The integer kernel's sums are exact: it must equal the projection of
    # the quantized values up to float32 rounding of the result.
    batch, rows, k, n = W8A8[index]
    rng = np.random.default_rng(10 + index)
    lead = (rows,) if batch is None else (batch, rows)
    x = rng.standard_normal(lead + (k,)).astype(np.float32)
    x[..., 0, :] = 0.0
    q, scales, w = quantize(rng.standard_normal((n, k)) / np.sqrt(k), 8, k)
    init = rng.standard_normal(lead + (n,)).astype(np.float32)
    _, _, xq = fake_quantize(x)
    (y,) = w8a8_library.call("w8a8_%d" % index, [x, q, scales, init])
    assert_close(y, init + xq @ w.T, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("index", range(len(LLM_INT8)))
def test_llm_int8_projection_matches_reference(w8a8_library, index):
    batch, rows, k, n = LLM_INT8[index]
    rng = np.random.default_rng(20 + index)
    lead = (rows,) if batch is None else (batch, rows)
    x = rng.standard_normal(lead + (k,)).astype(np.float32)
    flat = x.reshape(-1, k)
    flat[0, OUTLIER_COLUMNS[0]] = 30.0
    flat[-1, OUTLIER_COLUMNS[1]] = -31.0
    flat[:, OUTLIER_COLUMNS[2] % k] *= 10.0
    q, scales, w = quantize(rng.standard_normal((n, k)) / np.sqrt(k), 8, k)
    init = rng.standard_normal(lead + (n,)).astype(np.float32)
    _, _, xq = fake_quantize(x, THRESHOLD)
    # The outlier columns pass through: without them the result would be
    # far off (a check that the test can fail).
    _, _, plain = fake_quantize(x)
    assert np.abs((xq - plain) @ w.T).max() > 1e-2
    (y,) = w8a8_library.call("llm_int8_%d" % index, [x, q, scales, init])
    assert_close(y, init + xq @ w.T, rtol=1e-5, atol=1e-5)


# bf16: a bf16 weight (seq.dequantize bits 16) times x as is (weight-only,
# the f32 kernel widens the weight), or times x rounded to bf16 (bf16
# compute: vdpbf16ps where the CPU has AVX512_BF16). (batch, rows, K, N):
# K a multiple of 32 takes the bf16 kernel, K = 48 the f32 one.
BF16 = [(None, 1, 64, 4), (2, 37, 128, 130), (None, 3, 48, 9), (1, 17, 256, 65)]


def _bf16_function(i, cfg, rounded):
    batch, rows, k, n = cfg
    lead = (rows,) if batch is None else (batch, rows)
    dyn = (0,) if batch is None else (0, 1)
    x_t = tensor_type(lead + (k,), dynamic=dyn)
    h_t = tensor_type(lead + (k,), "bf16", dynamic=dyn)
    y_t = tensor_type(lead + (n,), dynamic=dyn)
    dims = "m, n, k" if batch is None else "b, m, n, k"
    x_map = "(m, k)" if batch is None else "(b, m, k)"
    y_map = "(m, n)" if batch is None else "(b, m, n)"
    rounding = ("  %xh = arith.truncf %x : {x_t} to {h_t}\n"
                "  %xr = arith.extf %xh : {h_t} to {x_t}\n").format(x_t=x_t, h_t=h_t)
    return """
func.func @bf16_{kind}_{i}(%x: {x_t}, %q: tensor<{n}x{k2}xi8>, %init: {y_t}) -> {y_t} {{
{rounding}  %w = seq.dequantize %q bits 16 : tensor<{n}x{k2}xi8> -> tensor<{n}x{k}xf32>
  %y = linalg.contract indexing_maps = [affine_map<({dims}) -> {x_map}>,
      affine_map<({dims}) -> (n, k)>, affine_map<({dims}) -> {y_map}>]
      ins({xin}, %w : {x_t}, tensor<{n}x{k}xf32>) outs(%init : {y_t}) -> {y_t}
  return %y : {y_t}
}}""".format(i=i, x_t=x_t, y_t=y_t, n=n, k=k, k2=2 * k, dims=dims, x_map=x_map,
             y_map=y_map, rounding=rounding if rounded else "",
             xin="%xr" if rounded else "%x",
             kind="compute" if rounded else "weight")


@pytest.fixture(scope="module", params=TARGETS)
def bf16_library(request):
    functions = [_bf16_function(i, c, rounded)
                 for rounded in (False, True) for i, c in enumerate(BF16)]
    return Library("\n".join(functions),
                   extra_args=target_args(request.param))


@pytest.mark.parametrize("rounded", [False, True], ids=["weight", "compute"])
@pytest.mark.parametrize("index", range(len(BF16)))
def test_bf16_projection_matches_reference(bf16_library, index, rounded):
    batch, rows, k, n = BF16[index]
    rng = np.random.default_rng(30 + index)
    lead = (rows,) if batch is None else (batch, rows)
    x = rng.standard_normal(lead + (k,)).astype(np.float32)
    q, w = bf16_weight_bytes(rng.standard_normal((n, k)).astype(np.float32))
    init = rng.standard_normal(lead + (n,)).astype(np.float32)
    xr = bf16_round(x)[0].astype(np.float64) if rounded else x.astype(np.float64)
    (y,) = bf16_library.call("bf16_%s_%d" % ("compute" if rounded else "weight",
                                              index), [x, q, init])
    # The products of bf16 values are exact in f32: only the f32 sums round.
    assert_close(y, init + xr @ w.T, rtol=1e-5, atol=1e-5)
    if rounded:
        # Rounding x shows: not the weight-only product.
        unrounded = init + x.astype(np.float64) @ w.T
        assert np.abs(unrounded - (init + xr @ w.T)).max() > 1e-3


def test_bf16_storage_is_little_endian_bf16():
    # 1.0 is 0x3F80: bytes 0x80, 0x3F; 1 + 2^-8 (0x3F808000) ties to even,
    # down to 0x3F80; 1 + 3 * 2^-8 rounds up to 0x3F82.
    q, w = bf16_weight_bytes(np.array([[1.0, 1 + 2 ** -8, 1 + 3 * 2 ** -8]],
                                      dtype=np.float32))
    assert [b & 0xFF for b in q[0].tolist()] == [0x80, 0x3F, 0x80, 0x3F, 0x82, 0x3F]
    np.testing.assert_array_equal(w, [[1.0, 1.0, 1 + 2 ** -6]])


# Asymmetric weights (zero points): the configurations above with a zero
# point beside each scale, weights offset from zero as real ones often are.
def _asymmetric_function(i, cfg):
    rows, k, n, bits, group = cfg
    text = _function(i, cfg).replace("@proj%d(" % i, "@asym%d(" % i)
    z_t = "tensor<%dx%dxi8>" % (n, k // group)
    s_t = tensor_type((n, k // group))
    return (text.replace("%%s: %s," % s_t, "%%s: %s, %%z: %s," % (s_t, z_t))
                .replace("%q, %s bits", "%q, %s zero %z bits")
                .replace(", %s -> " % s_t, ", %s, %s -> " % (s_t, z_t)))


@pytest.fixture(scope="module", params=TARGETS)
def asymmetric_library(request):
    return Library("\n".join(_asymmetric_function(i, c)
                             for i, c in enumerate(CONFIGS)),
                   extra_args=target_args(request.param))


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_asymmetric_projection_matches_reference(asymmetric_library, index):
    rows, k, n, bits, group = CONFIGS[index]
    rng = np.random.default_rng(50 + index)
    x = rng.standard_normal((rows, k))
    weight = (rng.standard_normal((n, k)) + 1.5) / np.sqrt(k)
    q, scales, zeros, w = quantize_asymmetric(weight, bits, group)
    init = rng.standard_normal((rows, n))
    (y,) = asymmetric_library.call("asym%d" % index,
                                   [x.astype(np.float32), q, scales, zeros,
                                    init.astype(np.float32)])
    # The weights' offset gives nonzero zero points, so they are exercised.
    assert np.count_nonzero(zeros) > zeros.size // 2
    assert_close(y, init + x @ w.T, rtol=1e-4, atol=1e-4)
