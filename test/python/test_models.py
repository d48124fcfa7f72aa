"""Whole models (docs/models.md) compiled from seqc-model descriptions and run
through the Python Model API: logits against the float64 NumPy reference
(model_reference), incremental decoding (step, chunked forward), state save
and load, weights in every float dtype, and every refusal with its message.

Each library is compiled once per module (a tiny model takes 5-10 s).
The Hugging Face models are in test_models_hf.py.
"""

import copy
import ctypes
import json
import os
import struct
import subprocess

import numpy as np
import pytest

seqc = pytest.importorskip("seqc", reason="the seqc Python module was not built "
                           "(nanobind missing)")

import model_fixtures  # noqa: E402
from model_reference import random_weights, reference_logits, weight_shapes  # noqa: E402
from safetensors_io import (round_to_bf16, safetensors_bytes,  # noqa: E402
                            write_safetensors)
from seqc_harness import SEQC  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")

# The library computes in float32; the reference in float64 from the same
# (float32, or f16/bf16-rounded) weights.  We require
#   max |seqc - ref| <= TOL * max(1, max |ref|)
# Observed: 2.3e-7 to 9.6e-7 of the scale (max abs 1.4e-6 to 7.6e-6, for
# logits of magnitude 3.3 to 19): float32 rounding, ~200x below the
# tolerance.  step, chunked forward and forward agree to 1e-5 (in practice
# exactly); a restored state reproduces the logits exactly.
TOL = 2e-4
BATCH = 2
LENGTH = 13
PREFIX = 5


def assert_close(out, ref, tol=TOL):
    assert out.shape == ref.shape, (out.shape, ref.shape)
    assert out.dtype == np.float32
    scale = max(1.0, float(np.abs(ref).max()))
    err = float(np.abs(out.astype(np.float64) - ref).max())
    assert err <= tol * scale, f"max abs error {err:.3g} > {tol} * {scale:.3g}"
    return err


def tokens_for(desc, length=LENGTH, seed=0, batch=BATCH):
    """Token ids [batch, length], or for a model with input_dim feature
    vectors [batch, length, input_dim]."""
    rng = np.random.default_rng(seed)
    if desc.get("input_dim"):
        return rng.standard_normal((batch, length, desc["input_dim"]))
    return rng.integers(0, desc["vocab_size"], size=(batch, length))


class Compiled:
    """A compiled fixture: its description, library, float32 weights and
    their safetensors file."""

    def __init__(self, name, desc, lib, weights, weights_path):
        self.name, self.desc, self.lib = name, desc, lib
        self.weights, self.weights_path = weights, weights_path

    def model(self, batch=BATCH):
        return self.lib.model(self.weights_path, batch=batch)


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """build(name, max_context=None) -> Compiled, cached for the module."""
    root = tmp_path_factory.mktemp("models")
    cache = {}

    def get(name, max_context=None):
        key = (name, max_context)
        if key not in cache:
            desc = model_fixtures.ALL[name]
            tag = f"{name}_{max_context or 'default'}"
            path = root / f"{tag}.json"
            path.write_text(json.dumps(desc))
            lib = seqc.load(seqc.compile(str(path), output=str(root / f"lib{tag}.so"),
                                         max_context=max_context))
            weights = random_weights(desc, seed=1)       # float32
            weights_path = root / f"{name}.safetensors"
            write_safetensors(str(weights_path), weights)
            cache[key] = Compiled(name, desc, lib, weights, str(weights_path))
        return cache[key]

    return get


@pytest.fixture(scope="module", params=sorted(model_fixtures.ALL))
def compiled(request, build):
    return build(request.param)


@pytest.fixture(scope="module")
def llama(build):
    return build("tiny_llama_like")


# ================================================================ numerics

def test_model_info(compiled):
    info = compiled.lib.model_info
    desc = compiled.desc
    assert info["name"] == desc["name"]
    assert info["architecture"] == "seqc-model"
    assert info["vocab_size"] == desc["vocab_size"]
    assert info["max_context"] == desc["max_context"]
    assert info["state_size"] > 0
    expected = weight_shapes(desc)
    assert {n: tuple(s) for n, s in info["weights"]} == expected
    assert len(info["weights"]) == len(expected)


def test_forward_matches_reference(compiled):
    m = compiled.model()
    assert m.batch == BATCH and m.position == 0
    toks = tokens_for(compiled.desc)
    out = m.forward(toks)
    assert out.shape == (BATCH, LENGTH, compiled.desc["vocab_size"])
    assert m.position == LENGTH
    assert_close(out, reference_logits(compiled.desc, compiled.weights, toks))
    # The two sequences of the batch are different and independent.
    single = compiled.model(batch=1).forward(toks[1:])
    np.testing.assert_allclose(single[0], out[1], rtol=0, atol=1e-5)


def test_step_matches_reference_and_forward(compiled):
    m = compiled.model()
    toks = tokens_for(compiled.desc)
    full = m.forward(toks)
    m.reset()
    assert m.position == 0
    steps = []
    for t in range(LENGTH):
        logits = m.step(toks[:, t])
        assert logits.shape == (BATCH, compiled.desc["vocab_size"])
        assert m.position == t + 1
        steps.append(logits)
    steps = np.stack(steps, axis=1)
    assert_close(steps, reference_logits(compiled.desc, compiled.weights, toks))
    np.testing.assert_allclose(steps, full, rtol=0, atol=1e-5)


def test_forward_in_chunks_equals_one_forward(compiled):
    m = compiled.model()
    toks = tokens_for(compiled.desc, seed=2)
    full = m.forward(toks)
    m.reset()
    first = m.forward(toks[:, :PREFIX])
    assert m.position == PREFIX
    rest = m.forward(toks[:, PREFIX:])
    assert m.position == LENGTH
    np.testing.assert_allclose(np.concatenate([first, rest], axis=1), full,
                               rtol=0, atol=1e-5)


def test_hybrid_long_sequence_across_window_and_chunks(build):
    """40 tokens: past the window (8) and across the chunk boundaries (16,
    32) of tiny_hybrid, by one forward, by steps, and by uneven chunks that
    straddle the boundaries."""
    c = build("tiny_hybrid")
    toks = tokens_for(c.desc, length=40, seed=3)
    ref = reference_logits(c.desc, c.weights, toks)
    m = c.model()
    full = m.forward(toks)
    assert_close(full, ref)
    m.reset()
    parts, start = [], 0
    for n in (3, 12, 1, 1, 14, 9):
        parts.append(m.forward(toks[:, start:start + n]))
        start += n
    assert start == 40 and m.position == 40
    np.testing.assert_allclose(np.concatenate(parts, axis=1), full, rtol=0, atol=1e-5)
    m.reset()
    steps = np.stack([m.step(toks[:, t]) for t in range(40)], axis=1)
    np.testing.assert_allclose(steps, full, rtol=0, atol=1e-5)


def test_reset_forgets(compiled):
    m = compiled.model()
    toks = tokens_for(compiled.desc, seed=4)
    first = m.forward(toks)
    m.forward(tokens_for(compiled.desc, seed=5))
    m.reset()
    assert m.position == 0
    np.testing.assert_array_equal(m.forward(toks), first)


def test_weights_from_bytes(compiled):
    m = compiled.lib.model(safetensors_bytes(compiled.weights), batch=BATCH)
    toks = tokens_for(compiled.desc)
    np.testing.assert_array_equal(m.forward(toks), compiled.model().forward(toks))


# ================================================================ state

def test_save_and_load_state(compiled):
    m = compiled.model()
    toks = tokens_for(compiled.desc, seed=6)
    m.forward(toks[:, :PREFIX])
    saved = m.save_state()
    assert isinstance(saved, bytes)
    assert len(saved) >= 4 * BATCH * compiled.lib.model_info["state_size"]
    after = m.forward(toks[:, PREFIX:])
    assert m.position == LENGTH
    m.load_state(saved)
    assert m.position == PREFIX
    np.testing.assert_array_equal(m.forward(toks[:, PREFIX:]), after)
    # Into a fresh instance of the same library, then by steps.
    other = compiled.model()
    other.load_state(saved)
    assert other.position == PREFIX
    np.testing.assert_array_equal(other.forward(toks[:, PREFIX:]), after)
    other.load_state(saved)
    steps = np.stack([other.step(toks[:, t]) for t in range(PREFIX, LENGTH)], axis=1)
    np.testing.assert_allclose(steps, after, rtol=0, atol=1e-5)
    # A saved empty state is a reset.
    m.reset()
    empty = m.save_state()
    m.forward(toks)
    m.load_state(empty)
    assert m.position == 0
    assert_close(m.forward(toks), reference_logits(compiled.desc, compiled.weights, toks))


def test_load_state_refusals_change_nothing(llama):
    m = llama.model()
    toks = tokens_for(llama.desc, seed=7)
    m.forward(toks[:, :PREFIX])
    saved = m.save_state()
    m.forward(toks[:, PREFIX:PREFIX + 3])          # position 8, not the saved 5
    here = m.save_state()
    position = m.position

    bad = {
        "wrong size": (saved[:100], r"has 100 bytes; a state of this model and batch has %d"
                       % len(saved)),
        "empty": (b"", r"has 0 bytes"),
        "one byte more": (saved + b"\0", r"has %d bytes" % (len(saved) + 1)),
        "garbage of the right size":
            (np.random.default_rng(0).bytes(len(saved)), r"not a state saved from this model"),
        "bad magic": (b"XXXXXXXX" + saved[8:], r"not a state saved from this model"),
        "another batch": (llama.model(batch=1).save_state(), r"a state of this model and batch"),
    }
    # The saved position is a u64 of the (undocumented) header: the one that
    # is 5 in `saved` and 8 in `here`.  A position past max_context is refused.
    offsets = [o for o in range(0, 64, 8)
               if struct.unpack_from("<q", saved, o)[0] == PREFIX
               and struct.unpack_from("<q", here, o)[0] == position]
    assert len(offsets) == 1, "cannot find the position in the state's header"
    pos_offset = offsets[0]
    for value in (llama.desc["max_context"] + 1, -1, 2**63 - 1):
        tampered = bytearray(saved)
        struct.pack_into("<q", tampered, pos_offset, value)
        bad[f"position {value}"] = (bytes(tampered), r"position %d is outside" % value)

    for label, (data, message) in bad.items():
        with pytest.raises(seqc.CallError, match=message):
            m.load_state(data)
        assert m.position == position, label
        assert m.save_state() == here, label
    # Still usable, and continues from where it was.
    expected_rows = reference_logits(llama.desc, llama.weights, toks)[:, position:]
    assert_close(m.forward(toks[:, position:]), expected_rows)


# ================================================================ dtypes

def _stored_as(weights, dtype):
    """(file dtypes, the values the library should see as float64)."""
    if dtype == "mixed":
        cycle = ["F32", "F16", "BF16", "F64"]
        dtypes = {n: cycle[i % 4] for i, n in enumerate(sorted(weights))}
    else:
        dtypes = {n: dtype for n in weights}
    values = {}
    for n, w in weights.items():
        d = dtypes[n]
        if d == "F16":
            values[n] = w.astype(np.float16).astype(np.float64)
        elif d == "BF16":
            values[n] = round_to_bf16(w).astype(np.float64)
        else:
            values[n] = w.astype(np.float64)
    return dtypes, values


@pytest.mark.parametrize("dtype", ["F16", "BF16", "F64", "mixed"])
def test_weights_in_other_dtypes(compiled, dtype, tmp_path):
    weights = compiled.weights
    if dtype == "F64":
        # Values with more than float32's precision: seqc rounds them to f32
        # once, far below the tolerance.
        rng = np.random.default_rng(8)
        weights = {n: w.astype(np.float64) * (1 + 1e-9 * rng.standard_normal(w.shape))
                   for n, w in weights.items()}
    dtypes, values = _stored_as(weights, dtype)
    path = tmp_path / "w.safetensors"
    write_safetensors(str(path), weights, dtypes=dtypes)
    toks = tokens_for(compiled.desc, seed=9)
    out = compiled.lib.model(str(path), batch=BATCH).forward(toks)
    ref = reference_logits(compiled.desc, values, toks)
    assert_close(out, ref)
    if dtype in ("BF16", "mixed"):
        # Negative control: the rounding matters far beyond the tolerance,
        # so the match above shows the values were read as stored.
        exact = reference_logits(compiled.desc, compiled.weights, toks)
        scale = max(1.0, float(np.abs(exact).max()))
        assert float(np.abs(out - exact).max()) > 3 * TOL * scale


# ================================================================ refusals

def test_token_outside_vocabulary(llama):
    V = llama.desc["vocab_size"]
    m = llama.model()
    toks = tokens_for(llama.desc, seed=10)
    first = m.forward(toks[:, :4])
    for bad in (V, V + 1000, -1, -2**31):
        t = toks[:, 4:9].copy()
        t[1, 2] = bad
        with pytest.raises(seqc.CallError,
                           match=r"token .* is %d, outside the vocabulary \[0, %d\)" % (bad, V)):
            m.forward(t)
        assert m.position == 4
        with pytest.raises(seqc.CallError, match="outside the vocabulary"):
            m.step(np.array([0, bad]))
        assert m.position == 4
    # Nothing changed: the continuation equals an undisturbed run.
    rest = m.forward(toks[:, 4:])
    assert m.position == LENGTH
    clean = llama.model()
    np.testing.assert_array_equal(np.concatenate([first, rest], axis=1),
                                  np.concatenate([clean.forward(toks[:, :4]),
                                                  clean.forward(toks[:, 4:])], axis=1))


def test_feature_array_refusals(build):
    features = build("tiny_features")
    m = features.model()
    with pytest.raises(seqc.CallError, match="3 dimensions"):
        m.forward(np.zeros((BATCH, 3)))
    with pytest.raises(seqc.CallError, match=r"float32 \[2, length, 6\]"):
        m.forward(np.zeros((BATCH, 3, 5)))
    with pytest.raises(seqc.CallError, match=r"float32 \[2, 6\]"):
        m.step(np.zeros((BATCH + 1, 6)))
    with pytest.raises(seqc.CallError, match="must be numbers"):
        m.step(np.array([["a"] * 6] * BATCH))
    with pytest.raises(seqc.CallError, match=r"65 new feature vector\(s\) at "
                       "position 0 would pass the model's max_context of 64"):
        m.forward(np.zeros((BATCH, 65, 6)))
    assert m.position == 0


def test_each_model_refuses_the_other_kind_of_input(build, llama):
    """Through the C API: a feature model refuses token ids and a token
    model feature vectors, naming the function to call."""
    def c_api(compiled):
        lib = ctypes.CDLL(compiled.lib.path)
        lib.seqc_last_error.restype = ctypes.c_char_p
        ptr = ctypes.c_void_p
        lib.seqc_model_step.argtypes = [ptr, ptr, ptr]
        lib.seqc_model_step_features.argtypes = [ptr, ptr, ptr]
        lib.seqc_model_destroy.argtypes = [ptr]
        handle = ctypes.c_void_p()
        assert lib.seqc_model_create(compiled.weights_path.encode(), 1,
                                     ctypes.byref(handle)) == 0
        return lib, handle

    logits = np.zeros(64 * 128, np.float32)
    lib, handle = c_api(build("tiny_features"))
    tokens = np.zeros(1, np.int32)
    status = lib.seqc_model_step(handle, tokens.ctypes.data, logits.ctypes.data)
    assert status == 1
    assert b"reads feature vectors (input_dim 6): call seqc_model_forward_features" \
        in lib.seqc_last_error()
    assert lib.seqc_model_step_features(handle, None, logits.ctypes.data) == 1
    assert b"seqc_model_step_features: features is NULL" in lib.seqc_last_error()
    lib.seqc_model_destroy(handle)
    lib, handle = c_api(llama)
    features = np.zeros(64, np.float32)
    status = lib.seqc_model_step_features(handle, features.ctypes.data,
                                          logits.ctypes.data)
    assert status == 1
    assert b"reads token ids: call seqc_model_forward" in lib.seqc_last_error()
    lib.seqc_model_destroy(handle)


def test_token_array_refusals(llama):
    m = llama.model()
    with pytest.raises(seqc.CallError, match="must be integers"):
        m.forward(np.zeros((BATCH, 3)))
    with pytest.raises(seqc.CallError, match="2 dimension"):
        m.forward(np.zeros(3, np.int32))
    with pytest.raises(seqc.CallError, match="1 dimension"):
        m.step(np.zeros((BATCH, 1), np.int32))
    with pytest.raises(seqc.CallError, match=r"\[2, length\]"):
        m.forward(np.zeros((BATCH + 1, 3), np.int32))
    with pytest.raises(seqc.CallError, match="length must be at least 1"):
        m.forward(np.zeros((BATCH, 0), np.int32))
    with pytest.raises(seqc.CallError, match="int32"):
        m.forward(np.full((BATCH, 2), 2**40, np.int64))
    assert m.position == 0
    assert m.forward(np.zeros((BATCH, 2), np.int32)).shape[:2] == (BATCH, 2)


def test_exceeding_max_context(build):
    c = build("tiny_llama_like", max_context=16)
    assert c.lib.model_info["max_context"] == 16
    toks = tokens_for(c.desc, length=16, seed=11)
    more = tokens_for(c.desc, length=10, seed=12)
    m = c.model()
    m.forward(toks[:, :10])
    with pytest.raises(seqc.CallError, match=r"10 new token\(s\) at position 10 would "
                                             r"pass the model's max_context of 16"):
        m.forward(more)
    assert m.position == 10
    # Still works, and the refused tokens left no trace.
    rest = m.forward(toks[:, 10:16])
    assert m.position == 16
    ref = reference_logits(dict(c.desc, max_context=16), c.weights, toks)
    assert_close(rest, ref[:, 10:16])
    with pytest.raises(seqc.CallError, match="max_context of 16"):
        m.step(toks[:, 0])
    assert m.position == 16
    m.reset()
    assert_close(m.forward(toks), ref)


def _load_refused(lib, weights, match):
    with pytest.raises(seqc.CallError, match=match):
        lib.model(weights, batch=BATCH)


def test_weights_missing_tensor(llama):
    weights = dict(llama.weights)
    del weights["blocks.1.attn.k_proj.weight"]
    _load_refused(llama.lib, safetensors_bytes(weights),
                  r"no tensor 'blocks\.1\.attn\.k_proj\.weight'")
    # The library still works afterwards.
    assert llama.model().forward(tokens_for(llama.desc)).shape[0] == BATCH


def test_weights_wrong_shape(llama):
    weights = dict(llama.weights)
    weights["blocks.1.attn.k_proj.weight"] = np.zeros((32, 16), np.float32)
    _load_refused(llama.lib, safetensors_bytes(weights),
                  r"'blocks\.1\.attn\.k_proj\.weight' has shape \[32, 16\], "
                  r"expected \[16, 32\]")
    weights = dict(llama.weights)
    weights["norm.weight"] = np.ones((1, 32), np.float32)
    _load_refused(llama.lib, safetensors_bytes(weights),
                  r"'norm\.weight' has shape \[1, 32\], expected \[32\]")


def test_weights_integer_dtype(llama):
    weights = dict(llama.weights)
    weights["norm.weight"] = np.ones(32, np.int32)
    _load_refused(llama.lib, safetensors_bytes(weights),
                  r"'norm\.weight' has dtype I32")


def test_extra_tensors_are_ignored(llama):
    weights = dict(llama.weights, extra=np.arange(5, dtype=np.int64))
    toks = tokens_for(llama.desc)
    np.testing.assert_array_equal(
        llama.lib.model(safetensors_bytes(weights), batch=BATCH).forward(toks),
        llama.model().forward(toks))


def test_truncated_weights_files(llama, tmp_path):
    data = safetensors_bytes(llama.weights)
    (header_len,) = struct.unpack("<Q", data[:8])
    cuts = set(range(0, 8 + header_len + 16))          # every cut in the header
    cuts |= set(range(8 + header_len, len(data), 97))  # and through the data
    cuts |= {len(data) - 1, len(data) - 4}
    for cut in sorted(cuts):
        with pytest.raises(seqc.CallError, match="seqc_model_create"):
            llama.lib.model(data[:cut])
    for cut in (0, 7, 100, 8 + header_len + 1, len(data) // 2, len(data) - 1):
        path = tmp_path / f"cut{cut}.safetensors"
        path.write_bytes(data[:cut])
        with pytest.raises(seqc.CallError, match="safetensors"):
            llama.lib.model(str(path))
    # The messages say what is wrong.
    _load_refused(llama.lib, data[:4], "shorter than the 8-byte header length")
    _load_refused(llama.lib, data[:100], "header length %d exceeds the file size 100"
                  % header_len)
    _load_refused(llama.lib, data[:-1], "beyond the data buffer")


def _with_header(data, edit):
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    edit(header)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


@pytest.mark.parametrize("edit, message", [
    (lambda h: h["norm.weight"].update(data_offsets=[
        h["lm_head.weight"]["data_offsets"][0], h["lm_head.weight"]["data_offsets"][0] + 128]),
     "'norm.weight' data_offsets .* overlap"),
    (lambda h: h["norm.weight"].update(data_offsets=h["norm.weight"]["data_offsets"][::-1]),
     "begin is after end"),
    (lambda h: h["norm.weight"].update(shape=[-32]), "negative"),
    (lambda h: h["norm.weight"].update(shape=[2**40, 2**40]), "too many elements"),
    (lambda h: h["norm.weight"].update(dtype="F8"), "unknown dtype 'F8'"),
    (lambda h: h["norm.weight"].pop("dtype"), "no dtype"),
    (lambda h: h["norm.weight"].update(data_offsets=[0, 2**63]), "does not fit"),
    (lambda h: h.update(__metadata__={"a": 1}), "not a string"),
], ids=["overlap", "reversed", "negative-dim", "overflow", "dtype", "no-dtype",
        "huge-offset", "metadata"])
def test_hostile_weights_headers(llama, edit, message):
    _load_refused(llama.lib, _with_header(safetensors_bytes(llama.weights), edit),
                  message)


def test_weights_not_safetensors(llama):
    _load_refused(llama.lib, b"this is not a safetensors file at all", "safetensors")
    _load_refused(llama.lib, struct.pack("<Q", 4) + b"{{{{", "not valid JSON")
    _load_refused(llama.lib, struct.pack("<Q", 2) + b"[]", "not a JSON object")


def test_weights_nonexistent_path(llama, tmp_path):
    path = str(tmp_path / "no" / "such.safetensors")
    _load_refused(llama.lib, path, "cannot open '%s'" % path.replace(".", r"\."))


@pytest.mark.parametrize("batch", [0, -1, 2**40])
def test_bad_batch(llama, batch):
    with pytest.raises(seqc.CallError, match=r"batch must be in \[1, 2\^20\], got %d" % batch):
        llama.lib.model(llama.weights_path, batch=batch)


def test_model_of_a_plain_ir_library(llama):
    lib = seqc.load(seqc.compile(os.path.join(EXAMPLES, "lstm.mlir")))
    assert lib.model_info is None
    with pytest.raises(seqc.CallError, match="not from a model description"):
        lib.model(llama.weights_path)
    with pytest.raises(seqc.CallError, match="not from a model description"):
        lib.model(b"garbage")


# ================================================================ compile errors

def _mutated(edit):
    desc = copy.deepcopy(model_fixtures.TINY_HYBRID)
    edit(desc)
    return desc


BAD_DESCRIPTIONS = [
    ("d_state", lambda d: d["blocks"][2]["mixer"].update(d_state=-1),
     "blocks[2].mixer.d_state: expected an integer >= 1, got -1"),
    ("d_stat", lambda d: d["blocks"][2]["mixer"].update(d_stat=8),
     "blocks[2].mixer.d_stat: unknown field"),
    ("d_state-on-attention", lambda d: d["blocks"][1]["mixer"].update(d_state=8),
     "blocks[1].mixer.d_state: unknown field"),
    ("mixer-kind", lambda d: d["blocks"][1]["mixer"].update(kind="rwkv"),
     'blocks[1].mixer.kind: unknown mixer "rwkv"'),
    ("mlp-kind", lambda d: d["blocks"][1]["mlp"].update(kind="relu"),
     'blocks[1].mlp.kind: unknown MLP "relu"'),
    ("mlp-hidden", lambda d: d["blocks"][1]["mlp"].pop("hidden"),
     "blocks[1].mlp.hidden: missing"),
    ("format-missing", lambda d: d.pop("format"), "format: missing"),
    ("format-wrong", lambda d: d.update(format="hf"), 'format: expected "seqc-model"'),
    ("version", lambda d: d.update(version=2), "version: "),
    ("top-unknown", lambda d: d.update(vocab=77), "vocab: unknown field"),
    ("vocab-string", lambda d: d.update(vocab_size="77"), "vocab_size: expected an integer"),
    ("num_kv_heads", lambda d: d["blocks"][1]["mixer"].update(num_kv_heads=2),
     "blocks[1].mixer.num_kv_heads: must divide num_heads (5)"),
    ("window-and-chunk", lambda d: d["blocks"][3]["mixer"].update(window=4),
     "blocks[3].mixer.chunk: cannot be combined with window"),
    ("head_dim-odd", lambda d: d["blocks"][3]["mixer"].update(head_dim=7),
     "blocks[3].mixer.head_dim: must be even"),
    ("head_dim-default", lambda d: d["blocks"][3]["mixer"].update(num_heads=3, num_kv_heads=1),
     "blocks[3].mixer.head_dim: "),
    ("d_conv", lambda d: d["blocks"][0]["mixer"].update(d_conv=1),
     "blocks[0].mixer.d_conv: expected an integer >= 2"),
    ("tie-not-bool", lambda d: d.update(tie_embeddings=1),
     "tie_embeddings: expected true or false"),
    ("norm_eps", lambda d: d.update(norm_eps=0), "norm_eps: expected a number > 0"),
    ("name", lambda d: d.update(name="a b"), "name: expected letters"),
    ("blocks-empty", lambda d: d.update(blocks=[]), "blocks: expected at least one block"),
    ("blocks-object", lambda d: d.update(blocks={}), "blocks: expected an array"),
    ("mixer-missing", lambda d: d["blocks"][0].pop("mixer"), "blocks[0].mixer: missing"),
]


@pytest.mark.parametrize("edit, message", [b[1:] for b in BAD_DESCRIPTIONS],
                         ids=[b[0] for b in BAD_DESCRIPTIONS])
def test_bad_description(tmp_path, edit, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_mutated(edit)))
    output = tmp_path / "libbad.so"
    with pytest.raises(seqc.CompileError) as info:
        seqc.compile(str(path), output=str(output))
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert not output.exists()


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"), ("", "not valid JSON"), ("[]", "expected a JSON object"),
    # Deeper than the parser's recursion can go (a crash before the limit);
    # brackets inside strings do not count.
    ('{"a": ' + "[" * 100000 + "]" * 100000 + "}",
     "arrays and objects nested more than 512 deep"),
    ('{"name": "' + "[" * 1000 + '", "format": "seqc-model"}', "version"),
    # A key twice in one object (json.loads keeps the last silently).
    ('{"format": "seqc-model",\n "d_model": 64, "d_model": 32}',
     'duplicate key "d_model" at line 2 column 17'),
    ('{"blocks": [{"mixer": {"kind": "mamba", "kind": "attention"}}]}',
     'duplicate key "kind" at line 1 column 41'),
    # The same key in two objects is not a duplicate; a key's text in a
    # string value is not a key.
    ('{"a": {"k": 1}, "b": {"k": 2}, "c": ["k", "k"], "format": "x"}',
     "format"),
])
def test_description_not_json(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(seqc.CompileError, match=message):
        seqc.compile(str(path))


def test_output_over_the_description_is_refused(tmp_path):
    path = tmp_path / "m.json"
    text = json.dumps(model_fixtures.TINY_MAMBA_LIKE)
    path.write_text(text)
    with pytest.raises(seqc.CompileError, match="is the input .*m.json, which it would overwrite"):
        seqc.compile(str(path), output=str(path))
    assert path.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_nonexistent_description(tmp_path):
    path = str(tmp_path / "missing.json")
    with pytest.raises(seqc.CompileError, match="no such file or directory"):
        seqc.compile(path)


def test_nonexistent_mlir_file(tmp_path):
    # Named as missing, not parsed as IR ("expected operation name" at 1:1).
    path = str(tmp_path / "missing.mlir")
    with pytest.raises(seqc.CompileError, match="cannot open input file '.*missing.mlir'"):
        seqc.compile(path)


def test_bad_max_context(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model_fixtures.TINY_MAMBA_LIKE))
    with pytest.raises(seqc.CompileError, match="max_context"):
        seqc.compile(str(path), max_context=0)


def test_seqc_binary_on_a_bad_description(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_mutated(lambda d: d["blocks"][2]["mixer"].update(d_state=-1))))
    output = tmp_path / "libbad.so"
    result = subprocess.run([SEQC, str(path), "-o", str(output)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "blocks[2].mixer.d_state: expected an integer >= 1, got -1" in result.stderr
    assert result.stdout == ""
    assert not output.exists()
    assert not (tmp_path / "libbad.h").exists()
