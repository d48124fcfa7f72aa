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


def quantize_asymmetric(w, bits, group):
    """--quant-zero-point: each group's range [min(w, 0), max(w, 0)] onto
    the integers [-2^(b-1), 2^(b-1) - 1]: scale = (max - min) / (2^b - 1)
    (1 for an all-zero group), zero = round(-2^(b-1) - min / scale), q =
    clamp(round(w / scale) + zero), all in float32 -> (stored int8 as
    quantize() packs it, float32 scales, int8 zero points [N, K/group], the
    float64 weight scale * (q - zero))."""
    w = np.asarray(w, dtype=np.float32)
    n, k = w.shape
    high = np.float32(127 if bits == 8 else 7)
    low = -high - np.float32(1)
    g = w.reshape(n, k // group, group)
    top = np.maximum(g.max(axis=2), np.float32(0))
    bottom = np.minimum(g.min(axis=2), np.float32(0))
    scales = ((top - bottom) / (high - low)).astype(np.float32)
    scales[top == bottom] = np.float32(1.0)
    zeros = np.clip(np.round(low - bottom / scales), low, high).astype(np.float32)
    q = np.clip(np.round(g / scales[..., None]) + zeros[..., None], low, high)
    dequantized = ((q.astype(np.float64) - zeros[..., None]) *
                   scales[..., None]).reshape(n, k)
    q = q.astype(np.int8)
    if bits == 4:
        half = group // 2
        lo, hi = q[..., :half], q[..., half:]
        q = ((lo.astype(np.int32) & 0xF) | (hi.astype(np.int32) << 4))
        q = q.astype(np.uint8).view(np.int8)
    return q.reshape(n, -1), scales, zeros.astype(np.int8), dequantized


def dequantized_weights(weights, quantized, zero_points=()):
    """`weights` (name -> float array) with each name in `quantized`
    (name -> (bits, group), as Library.model_info reports) replaced by its
    dequantized float64 value (asymmetric for the names in `zero_points`)."""
    out = dict(weights)
    for name, (bits, group) in quantized.items():
        if name in zero_points:
            out[name] = quantize_asymmetric(weights[name], bits, group)[3]
        else:
            out[name] = quantize(weights[name], bits, group)[2]
    return out


def quantized_file_tensors(weights, quantized, zero_points=()):
    """The tensors of a pre-quantized weights file: each quantized weight
    as I8 `name` and F32 `name`_scale (and I8 `name`_zero when in
    `zero_points`), the others unchanged."""
    out = dict(weights)
    for name, (bits, group) in quantized.items():
        if name in zero_points:
            q, scales, zeros, _ = quantize_asymmetric(weights[name], bits, group)
            out[name + "_zero"] = zeros
        else:
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
def _inputs_transformed(weights, transform):
    """While active, the projections of model_reference whose weight is one
    of `weights` (the very arrays) apply `transform` to their input."""
    import model_reference
    ids = {id(w) for w in weights}
    plain = model_reference._linear

    def linear(x, w, b=None):
        if id(w) in ids:
            x = transform(x)
        return plain(x, w, b)

    model_reference._linear = linear
    try:
        yield
    finally:
        model_reference._linear = plain


def activations_quantized(weights):
    """While active, the projections of model_reference whose weight is one
    of `weights` (the very arrays) quantize their input per token first
    (W8A8's seq.fake_quantize), from the float32 value the library holds."""
    return _inputs_transformed(weights, lambda x: fake_quantize(x)[2])


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


@contextlib.contextmanager
def ssm_inputs_observed():
    """While active, model_reference records each scan input it computes:
    yields a dict key -> list of arrays ("blocks.0.mamba.x" -> [...])."""
    import model_reference
    seen = {}
    plain = model_reference._ssm_input

    def observe(key, value):
        seen.setdefault(key, []).append(np.array(value))
        return plain(key, value)

    model_reference._ssm_input = observe
    try:
        yield seen
    finally:
        model_reference._ssm_input = plain


def calibration_scales(seen, percentile):
    """docs/quantization.md: x clipped at NumPy's (linear) percentile of
    its magnitudes, dt, B and C at their maximum; scale = that / 127 as a
    float32 (1 when it is 0)."""
    scales = {}
    for key, values in seen.items():
        magnitudes = np.abs(np.concatenate([v.ravel() for v in values]))
        top = (np.percentile(magnitudes, percentile) if key.endswith(".x")
               else magnitudes.max())
        scales[key] = np.float32(top / 127) if top > 0 else np.float32(1)
    return scales


def rotated_quantized(weight, block):
    """An int8-ssm output projection as the runtime stores it: each row
    rotated by the Hadamard block (in float64, rounded to float32), then
    int8 per output channel -> (int8, scales, float64 values)."""
    rotated = hadamard(weight, block).astype(np.float32)
    return quantize(rotated, 8, rotated.shape[1])


@contextlib.contextmanager
def int8_ssm(scales, rotations, weights):
    """--quantize=int8-ssm on model_reference: while active, each scan
    input is quantized with its static scale (`scales`, key -> scale), and
    each output projection named in `rotations` (weight name -> Hadamard
    block) reads its input rotated and quantized per token, times the
    weight `weights[name]` rotated and quantized per channel. The other
    int8 projections need activations_quantized as for W8A8."""
    import model_reference
    plain_input = model_reference._ssm_input
    plain_output = model_reference._output_projection

    def ssm_input(key, value):
        return static_quantize(value, scales[key])

    def output_projection(y, w, prefix):
        name = prefix + "out_proj.weight"
        if name not in rotations:
            return plain_output(y, w, prefix)
        block = rotations[name]
        x = fake_quantize(hadamard(y, block))[2]
        out = x @ rotated_quantized(weights[name], block)[2].T
        bias = w.get(prefix + "out_proj.bias")
        return out if bias is None else out + np.asarray(bias, dtype=np.float64)

    model_reference._ssm_input = ssm_input
    model_reference._output_projection = output_projection
    try:
        yield
    finally:
        model_reference._ssm_input = plain_input
        model_reference._output_projection = plain_output


def bf16_round(x):
    """float32 -> the nearest bfloat16 (ties to even), as float32 values and
    their 16-bit patterns (NaN is not handled: the tests have none)."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) >> 16
    rounded = rounded.astype(np.uint32)
    return (rounded << 16).view(np.float32), rounded.astype(np.uint16)


def bf16_weight_bytes(w):
    """seq.dequantize bits 16's storage of w [N, K]: [N, 2K] bytes, each
    bf16 little-endian (low byte first), and the float64 values."""
    values, patterns = bf16_round(w)
    stored = patterns.astype("<u2").view(np.int8).reshape(w.shape[0], -1)
    return stored, values.astype(np.float64)


def activations_rounded_bf16(weights):
    """While active, the projections of model_reference whose weight is one
    of `weights` (the very arrays) round their input to bf16 first, from
    the float32 value the library holds (bf16 compute)."""
    return _inputs_transformed(
        weights,
        lambda x: bf16_round(np.asarray(x, dtype=np.float32))[0].astype(np.float64))
