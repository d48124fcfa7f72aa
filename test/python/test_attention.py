"""seq.attention through seqc against a float64 NumPy reference."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, tensor_type, TARGETS, target_args


def attention_reference(q, k, v, bias, kv_len, scale, causal, window, chunk, softcap):
    """softmax attention from the op's definition; returns (out, lse)."""
    batch, heads, lq, d = q.shape
    kv_heads, lk = k.shape[1], k.shape[2]
    group = heads // kv_heads
    out = np.zeros((batch, heads, lq, v.shape[3]))
    lse = np.full((batch, heads, lq), -np.inf)
    for b in range(batch):
        length = lk if kv_len is None else int(kv_len[b])
        for h in range(heads):
            kh = h // group
            s = scale * q[b, h] @ k[b, kh].T            # [lq, lk]
            if softcap is not None:
                s = softcap * np.tanh(s / softcap)
            if bias is not None:
                s = s + np.broadcast_to(bias, (batch, heads, lq, lk))[b, h]
            i = np.arange(lq)[:, None]
            j = np.arange(lk)[None, :]
            p = i + length - lq
            visible = np.broadcast_to(j < length, (lq, lk)).copy()
            if causal:
                visible &= j <= p
            if window is not None:
                visible &= j > p - window
                if not causal:
                    visible &= j < p + window
            if chunk is not None:
                visible &= (j // chunk) == (p // chunk)
            s = np.where(visible, s, -np.inf)
            for row in range(lq):
                # Masked by visibility or by a bias of -inf: sees no key.
                if not (s[row] > -np.inf).any():
                    continue
                m = s[row].max()
                e = np.exp(s[row] - m)
                out[b, h, row] = e @ v[b, kh] / e.sum()
                lse[b, h, row] = m + np.log(e.sum())
    return out, lse


class MaskedBias(tuple):
    """A bias shape whose values mask with -inf: every fifth key (where the
    bias has a key dimension) and, where it has a query dimension, every
    key of the last query."""


def _bias_values(rng, shape):
    bias = rng.standard_normal(shape)
    if isinstance(shape, MaskedBias):
        if shape[3] > 1:
            bias[..., 3::5] = -np.inf
        if shape[2] > 1:
            bias[:, :, -1, :] = -np.inf
    return bias


# (B, H, Hkv, Lq, Lk, D, Dv, causal, window, chunk, softcap, bias, kv_len, lse, scale)
CONFIGS = [
    (1, 1, 1, 1, 1, 1, 1, False, None, None, None, None, False, True, None),
    (2, 4, 4, 8, 8, 16, 16, False, None, None, None, None, False, True, None),
    (1, 3, 3, 33, 33, 17, 17, True, None, None, None, None, False, True, None),
    (2, 8, 2, 10, 10, 8, 12, True, None, None, None, None, False, False, None),   # GQA
    (1, 4, 1, 6, 9, 5, 5, False, None, None, None, None, False, True, None),      # MQA
    (3, 2, 2, 1, 17, 8, 8, True, None, None, None, None, False, True, None),      # decode
    (1, 2, 1, 4, 13, 8, 4, True, None, None, None, None, False, True, None),      # Lq < Lk
    (1, 2, 2, 12, 12, 4, 4, True, 4, None, None, None, False, True, None),        # causal window
    (1, 2, 2, 12, 12, 4, 4, False, 3, None, None, None, False, True, None),       # centred window
    (2, 2, 2, 16, 16, 8, 8, False, None, 4, None, None, False, True, None),       # chunked
    (1, 2, 1, 11, 11, 8, 8, True, None, 5, None, None, False, True, None),        # causal chunked
    (1, 2, 2, 7, 7, 8, 8, False, None, None, 2.5, None, False, True, None),       # softcap
    (2, 2, 2, 5, 6, 4, 4, False, None, None, None, (2, 2, 5, 6), False, True, None),
    (2, 4, 2, 5, 6, 4, 4, True, None, None, None, (1, 4, 1, 6), False, True, None),
    (1, 3, 3, 4, 9, 4, 4, False, None, None, None, (1, 1, 4, 9), False, True, 0.3),
    (3, 4, 2, 1, 20, 8, 8, True, None, None, None, None, True, True, None),      # decode, kv_len
    (2, 2, 1, 3, 10, 4, 6, True, None, None, None, None, True, True, None),
    (2, 2, 2, 6, 6, 4, 4, False, None, None, None, None, True, False, 1.0),
    (1, 6, 3, 9, 9, 32, 32, True, 5, None, 30.0, (1, 6, 9, 9), False, True, None),
    (2, 1, 1, 13, 5, 3, 2, True, None, None, None, None, False, True, None),     # rows that see nothing
    # Several tiles, key blocks and splits in the flash lowering (-O2):
    (1, 6, 2, 100, 100, 80, 80, True, None, None, None, None, False, True, None),
    (2, 8, 8, 1, 300, 64, 64, True, None, None, None, None, False, True, None),   # split keys
    (3, 4, 1, 1, 257, 16, 16, True, None, None, None, None, True, True, None),    # GQA decode
    (1, 4, 2, 70, 200, 64, 32, False, 50, None, None, None, False, True, None),
    (1, 2, 2, 129, 129, 128, 128, True, None, 40, None, None, False, False, None),
    (1, 3, 1, 40, 90, 24, 36, False, None, None, 20.0, None, False, True, 0.2),
    # A bias in the flash lowering: per head and query (ALiBi's shape) over
    # several tiles and key blocks, GQA; a padding mask per batch entry
    # with split keys; -inf entries and a query that the bias masks whole;
    # one value per query (no effect on the softmax, but read per row).
    (1, 6, 2, 100, 100, 80, 80, True, None, None, None, (1, 6, 100, 100), False, True, None),
    (2, 8, 8, 1, 300, 64, 64, True, None, None, None, MaskedBias((2, 1, 1, 300)), False, True, None),
    (1, 8, 2, 40, 150, 32, 48, False, None, None, 15.0, MaskedBias((1, 8, 40, 150)), True, True, None),
    (2, 4, 4, 37, 70, 16, 16, False, 30, None, None, MaskedBias((2, 1, 37, 70)), False, True, None),
    (1, 4, 2, 20, 50, 16, 16, True, None, None, None, (1, 4, 20, 1), False, True, None),
]


# Decoding shapes with a static query length: G * Lq <= 8 rows per key/value
# head and head sizes of whole vectors take the keys-in-lanes tile at -O2.
DECODE_CONFIGS = [
    (1, 32, 8, 1, 300, 128, 128, True, None, None, None, None, False, True, None),
    (2, 8, 1, 1, 257, 64, 32, True, None, None, None, None, True, True, None),
    (1, 4, 4, 1, 100, 16, 16, False, 20, None, None, None, False, True, None),
    (3, 6, 2, 2, 50, 32, 64, True, None, 16, 30.0, None, False, True, None),
    (2, 4, 2, 3, 130, 16, 48, True, None, None, None, None, True, True, 0.5),
    (1, 2, 2, 4, 4, 16, 16, True, None, None, None, None, False, True, None),
    (1, 2, 1, 3, 2, 16, 16, True, None, None, None, None, False, True, None),  # rows that see nothing
    (1, 5, 1, 1, 1000, 80, 80, True, None, None, None, None, False, False, None),
    # Head sizes that are not whole vectors (the last one read through a
    # mask): 40 and 72 (AVX-512), 36 and 20 (AVX2 too), a GQA group of 4.
    (2, 8, 2, 1, 333, 40, 72, True, None, None, None, None, True, True, None),
    (1, 4, 1, 1, 200, 36, 20, True, None, None, None, None, False, True, None),
    # A bias: per head (ALiBi's slopes times distance), a padding mask per
    # batch entry with a KV cache partly filled, and a GQA group of
    # queries of which the last is masked whole.
    (1, 32, 8, 1, 300, 128, 128, True, None, None, None, (1, 32, 1, 300), False, True, None),
    (2, 8, 1, 1, 257, 64, 32, True, None, None, None, MaskedBias((2, 1, 1, 257)), True, True, None),
    (2, 4, 2, 3, 130, 16, 48, False, None, None, 30.0, MaskedBias((2, 4, 3, 130)), False, True, 0.5),
]


def _function(i, cfg, name="attn", static_queries=False, dtype="f32"):
    b, h, hkv, lq, lk, d, dv, causal, window, chunk, softcap, bias, kv_len, lse, scale = cfg
    queries = (0,) if static_queries else (0, 2)
    q_t = tensor_type((b, h, lq, d), dtype, dynamic=queries)
    k_t = tensor_type((b, hkv, lk, d), dtype, dynamic=(0, 2))
    v_t = tensor_type((b, hkv, lk, dv), dtype, dynamic=(0, 2))
    o_t = tensor_type((b, h, lq, dv), dtype, dynamic=queries)
    args = ["%q: " + q_t, "%k: " + k_t, "%v: " + v_t]
    extra = ""
    if bias is not None:
        bias_t = tensor_type(bias, dtype)
        args.append("%bias: " + bias_t)
        extra += " bias(%%bias : %s)" % bias_t
    if kv_len:
        len_t = tensor_type((b,), "i32", dynamic=(0,))
        args.append("%len: " + len_t)
        extra += " kv_len(%%len : %s)" % len_t
    attrs = []
    if causal:
        attrs.append("causal")
    if window is not None:
        attrs.append("window = %d" % window)
    if chunk is not None:
        attrs.append("chunk = %d" % chunk)
    if softcap is not None:
        attrs.append("softcap = %r : f32" % softcap)
    if scale is not None:
        attrs.append("scale = %r : f32" % scale)
    attr_text = " {%s}" % ", ".join(attrs) if attrs else ""
    results = [o_t] + ([tensor_type((b, h, lq), dynamic=queries)] if lse else [])
    names = ["%o"] + (["%lse"] if lse else [])
    return """
func.func @{name}{i}({args}) -> ({rt}) {{
  {names} = seq.attention %q, %k, %v{extra}{attrs} : {q_t}, {k_t}, {v_t} -> {rt}
  return {names} : {rt}
}}""".format(name=name, i=i, args=", ".join(args), rt=", ".join(results),
             names=", ".join(names), extra=extra, attrs=attr_text, q_t=q_t,
             k_t=k_t, v_t=v_t)


@pytest.fixture(scope="module", params=TARGETS)
def library(request):
    """-O0 is the reference lowering, -O2 the flash lowering where it
    applies (f32)."""
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=target_args(request.param))


@pytest.fixture(scope="module", params=TARGETS + ["-O2 avx2"])
def decode_library(request):
    """Also for AVX2 (8 lanes: at most 4 rows take the keys-in-lanes tile),
    which runs on this machine's AVX-512 as well."""
    args = (("--runtime-checks", "-O2", "--cpu=x86-64-v3")
            if request.param == "-O2 avx2" else target_args(request.param))
    return Library("\n".join(_function(i, c, "decode", static_queries=True)
                             for i, c in enumerate(DECODE_CONFIGS)),
                   extra_args=args)


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_attention_matches_reference(library, index):
    _check(library, "attn%d" % index, CONFIGS[index], 300 + index)


@pytest.mark.parametrize("index", range(len(DECODE_CONFIGS)))
def test_decode_attention_matches_reference(decode_library, index):
    _check(decode_library, "decode%d" % index, DECODE_CONFIGS[index],
           700 + index)


def _check(library, name, config, seed):
    b, h, hkv, lq, lk, d, dv, causal, window, chunk, softcap, bias, kv_len, lse, scale = config
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((b, h, lq, d))
    k = rng.standard_normal((b, hkv, lk, d))
    v = rng.standard_normal((b, hkv, lk, dv))
    inputs = [q, k, v]
    bias_v = None
    if bias is not None:
        bias_v = _bias_values(rng, bias)
        inputs.append(bias_v)
    lens = None
    if kv_len:
        lens = rng.integers(1, lk + 1, size=b)
        lens[0] = lk  # one full cache, the others partly filled
    eff_scale = scale if scale is not None else 1.0 / np.sqrt(d)
    casted = [a.astype(np.float32) for a in inputs]
    if kv_len:
        casted.append(lens.astype(np.int32))
    outs = library.call(name, casted)
    out_ref, lse_ref = attention_reference(q, k, v, bias_v, lens, eff_scale, causal,
                                           window, chunk, softcap)
    assert_close(outs[0], out_ref, what="output")
    if lse:
        finite = np.isfinite(lse_ref)
        assert np.array_equal(np.isfinite(outs[1]), finite), "masked rows' lse"
        assert np.all(outs[1][~finite] == -np.inf)
        assert_close(outs[1][finite], lse_ref[finite], what="lse")


@pytest.mark.parametrize("d", [272, 4100])
def test_decode_with_a_huge_head(d):
    """Heads over 16 vectors: the narrow tile's passes over the channels are
    loops (272: 17 whole vectors; 4100: and a ragged one)."""
    lk = 37
    q_t, kv_t = tensor_type((1, 8, 1, d)), tensor_type((1, 2, lk, d))
    lib = Library(f"""
func.func @f(%q: {q_t}, %k: {kv_t}, %v: {kv_t}) -> {q_t} {{
  %o = seq.attention %q, %k, %v : {q_t}, {kv_t}, {kv_t} -> {q_t}
  return %o : {q_t}
}}""", extra_args=target_args("-O2"))
    rng = np.random.default_rng(41)
    q, k, v = (rng.standard_normal(s) for s in ((1, 8, 1, d), (1, 2, lk, d), (1, 2, lk, d)))
    (o,) = lib.call("f", [x.astype(np.float32) for x in (q, k, v)])
    expected = attention_reference(q, k, v, None, None, d ** -0.5, False, None,
                                   None, None)[0]
    assert_close(o, expected, what="output")
