"""Weight quantization as documented for seq.dequantize and the runtime
(docs/quantization.md), written from the documentation in NumPy: symmetric,
one scale per group of inputs of an output row, round half to even, and
the int4 packing (byte j of a group holds input j in its low nibble and
input group/2 + j in its high nibble).

The scale and the division are float32, as the runtime computes them, so
that ties round the same way and the stored integers agree exactly."""

import contextlib

import numpy as np


def quantize(w, bits, group):
    """w [N, K] -> (stored int8 [N, K or K/2], float32 scales [N, K/group],
    the float64 weight the stored values stand for)."""
    w = np.asarray(w, dtype=np.float32)
    n, k = w.shape
    limit = np.float32(127 if bits == 8 else 7)
    g = w.reshape(n, k // group, group)
    scales = (np.abs(g).max(axis=2) / limit).astype(np.float32)
    scales[scales == 0] = np.float32(1.0)
    q = np.clip(np.round(g / scales[..., None]), -limit, limit)
    dequantized = (q.astype(np.float64) * scales[..., None]).reshape(n, k)
    q = q.astype(np.int8)
    if bits == 4:
        half = group // 2
        low, high = q[..., :half], q[..., half:]
        q = ((low.astype(np.int32) & 0xF) | (high.astype(np.int32) << 4))
        q = q.astype(np.uint8).view(np.int8)
    return q.reshape(n, -1), scales, dequantized


def dequantized_weights(weights, quantized):
    """`weights` (name -> float array) with each name in `quantized`
    (name -> (bits, group), as Library.model_info reports) replaced by its
    dequantized float64 value."""
    out = dict(weights)
    for name, (bits, group) in quantized.items():
        out[name] = quantize(weights[name], bits, group)[2]
    return out


def quantized_file_tensors(weights, quantized):
    """The tensors of a pre-quantized weights file: each quantized weight
    as I8 `name` and F32 `name`_scale, the others unchanged."""
    out = dict(weights)
    for name, (bits, group) in quantized.items():
        q, scales, _ = quantize(weights[name], bits, group)
        out[name] = q
        out[name + "_scale"] = scales
    return out


def fake_quantize(x, outlier_threshold=None):
    """seq.fake_quantize: per-token (last axis) symmetric int8, in float32:
    -> (int8 values, float32 scales [...], the float64 values they stand
    for). With `outlier_threshold` (LLM.int8()), the columns where any
    token reaches it pass through unquantized (their int8 values are 0) and
    the scales ignore them."""
    x = np.asarray(x, dtype=np.float32)
    magnitude = np.abs(x)
    outlier = np.zeros(x.shape[-1], dtype=bool)
    if outlier_threshold is not None:
        outlier = magnitude.reshape(-1, x.shape[-1]).max(axis=0) >= outlier_threshold
        magnitude = np.where(outlier, np.float32(0), magnitude)
    scales = (magnitude.max(axis=-1) / np.float32(127)).astype(np.float32)
    scales[scales == 0] = np.float32(1.0)
    q = np.clip(np.round(x / scales[..., None]), -127, 127)
    q = np.where(outlier, 0, q)
    values = np.where(outlier, x.astype(np.float64),
                      q.astype(np.float64) * scales[..., None])
    return q.astype(np.int8), scales, values


@contextlib.contextmanager
def activations_quantized(weights):
    """While active, the projections of model_reference whose weight is one
    of `weights` (the very arrays) quantize their input per token first
    (W8A8's seq.fake_quantize), from the float32 value the library holds."""
    import model_reference
    ids = {id(w) for w in weights}
    plain = model_reference._linear

    def linear(x, w, b=None):
        if id(w) in ids:
            x = fake_quantize(x)[2]
        return plain(x, w, b)

    model_reference._linear = linear
    try:
        yield
    finally:
        model_reference._linear = plain


def static_quantize(x, scale):
    """seq.fake_quantize with a static scale: every element on the int8
    grid of one float32 scale, clipped at +-127 steps (float64 values)."""
    x = np.asarray(x, dtype=np.float32)
    s = np.float32(scale)
    q = np.clip(np.round(x / s), -127, 127)
    return q.astype(np.float64) * np.float64(s)


def hadamard_matrix(block):
    """The Sylvester Hadamard matrix H[i, j] = (-1)^popcount(i & j),
    normalized (orthonormal), from the Kronecker recursion."""
    h = np.ones((1, 1))
    while h.shape[0] < block:
        h = np.kron(np.array([[1.0, 1.0], [1.0, -1.0]]), h)
    return h / np.sqrt(block)


def hadamard(x, block):
    """seq.hadamard: each block of the last axis times hadamard_matrix."""
    x = np.asarray(x, dtype=np.float64)
    blocks = x.reshape(x.shape[:-1] + (x.shape[-1] // block, block))
    return (blocks @ hadamard_matrix(block).T).reshape(x.shape)
