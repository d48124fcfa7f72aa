"""Models compiled with --quantize (docs/quantization.md): the library with
quantized projections against the float64 reference run on the weights
that the quantization stands for (quantization_reference, written from the
documentation), from float weights quantized at load and from a
pre-quantized file; step against forward; and every refusal.

Tolerances are those of test_models.py (float32 against float64 on the
same weights): the quantization itself is in the reference, so the
comparison is exact up to float32 rounding."""

import json
import os
import re
import stat
import subprocess

import numpy as np
import pytest

seqc = pytest.importorskip("seqc", reason="the seqc Python module was not built "
                           "(nanobind missing)")

import model_fixtures  # noqa: E402
from model_reference import random_weights, reference_logits  # noqa: E402
from quantization_reference import (activations_quantized,  # noqa: E402
                                    dequantized_weights, quantized_file_tensors)
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402
from seqc_harness import SEQC  # noqa: E402
from test_models import assert_close, tokens_for  # noqa: E402

# (fixture, scheme, group): per-channel and grouped int8, int4 in groups of
# 32 (the tiny models' d_model); the hybrid's odd sizes (d_model 40, MLP 72)
# leave some projections in float32, which the table must say.
CASES = [
    ("tiny_llama_like", "w8", 0),
    ("tiny_llama_like", "w4", 32),
    ("tiny_mamba_like", "w8", 16),
    ("tiny_mamba2_like", "w4", 32),
    ("tiny_hybrid", "w8", 0),
]


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    root = tmp_path_factory.mktemp("quantized")
    cache = {}

    def get(name, scheme, group):
        key = (name, scheme, group)
        if key not in cache:
            desc = model_fixtures.ALL[name]
            path = root / f"{name}.json"
            path.write_text(json.dumps(desc))
            lib = seqc.load(seqc.compile(
                str(path), output=str(root / f"lib{name}_{scheme}_{group}.so"),
                quantize=scheme, quant_group=group))
            weights = random_weights(desc, seed=1)
            weights_path = root / f"{name}.safetensors"
            write_safetensors(str(weights_path), weights)
            cache[key] = (desc, lib, weights, str(weights_path))
        return cache[key]

    return get


def expected_quantized(desc, lib, scheme, group):
    """The projections the compiler may quantize: 2-D weights read by a
    matmul whose input size suits the vector kernel's groups."""
    bits = 8 if scheme == "w8" else 4
    out = {}
    for name, shape in lib.model_info["weights"]:
        leaf = name.rsplit(".", 1)[0].rsplit(".", 1)[-1]
        # A tied head quantizes the embedding table it shares.
        projection = (leaf.endswith("_proj") or leaf == "lm_head" or
                      (name == "embed.weight" and desc.get("tie_embeddings")))
        if not projection or len(shape) != 2:
            continue
        g = group or shape[1]
        if shape[1] % g == 0 and g % (32 if bits == 4 else 16) == 0:
            out[name] = (bits, g)
    return out


@pytest.mark.parametrize("case", CASES, ids=["-".join(map(str, c)) for c in CASES])
def test_quantized_forward_matches_reference(build, case):
    desc, lib, weights, weights_path = build(*case)
    quantized = lib.model_info["quantized"]
    assert quantized == expected_quantized(desc, lib, case[1], case[2])
    assert quantized, "nothing was quantized"
    tokens = tokens_for(desc)
    ref = reference_logits(desc, dequantized_weights(weights, quantized), tokens)
    out = lib.model(weights_path, batch=2).forward(tokens)
    assert_close(out, ref)


@pytest.mark.parametrize("case", CASES[:2], ids=["w8", "w4"])
def test_step_matches_forward(build, case):
    desc, lib, weights, weights_path = build(*case)
    tokens = tokens_for(desc)
    whole = lib.model(weights_path, batch=2).forward(tokens)
    m = lib.model(weights_path, batch=2)
    steps = np.stack([m.step(tokens[:, t]) for t in range(tokens.shape[1])], 1)
    np.testing.assert_allclose(steps, whole, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES[:2], ids=["w8", "w4"])
def test_prequantized_file_gives_the_same_logits(build, case, tmp_path):
    desc, lib, weights, weights_path = build(*case)
    tensors = quantized_file_tensors(weights, lib.model_info["quantized"])
    path = tmp_path / "quantized.safetensors"
    write_safetensors(str(path), tensors)
    tokens = tokens_for(desc)
    from_float = lib.model(weights_path, batch=2).forward(tokens)
    from_file = lib.model(str(path), batch=2).forward(tokens)
    np.testing.assert_array_equal(from_file, from_float)


# ================================================================ refusals

def test_prequantized_file_without_scales(build, tmp_path):
    desc, lib, weights, _ = build("tiny_llama_like", "w8", 0)
    tensors = quantized_file_tensors(weights, lib.model_info["quantized"])
    del tensors["blocks.0.attn.q_proj.weight_scale"]
    path = tmp_path / "noscale.safetensors"
    write_safetensors(str(path), tensors)
    with pytest.raises(seqc.CallError,
                       match=r"tensor 'blocks.0.attn.q_proj.weight' is I8 "
                             r"\(quantized\) but the file has no "
                             r"'blocks.0.attn.q_proj.weight_scale'"):
        lib.model(str(path))


def test_int8_file_for_an_int4_library(build, tmp_path):
    # Stored int8 [32, 32] where the int4 library reads packed [32, 16].
    desc, lib8, weights, _ = build("tiny_llama_like", "w8", 0)
    _, lib4, _, _ = build("tiny_llama_like", "w4", 32)
    tensors = quantized_file_tensors(weights, lib8.model_info["quantized"])
    path = tmp_path / "int8.safetensors"
    write_safetensors(str(path), tensors)
    with pytest.raises(seqc.CallError,
                       match=r"tensor 'blocks.0.attn.q_proj.weight' has shape "
                             r"\[32, 32\], expected \[32, 16\]"):
        lib4.model(str(path))


def test_scales_of_the_wrong_dtype(build, tmp_path):
    desc, lib, weights, _ = build("tiny_llama_like", "w8", 0)
    tensors = quantized_file_tensors(weights, lib.model_info["quantized"])
    name = "blocks.1.mlp.down_proj.weight_scale"
    tensors[name] = tensors[name].astype(np.float64)
    path = tmp_path / "f64scale.safetensors"
    write_safetensors(str(path), tensors)
    with pytest.raises(seqc.CallError,
                       match=r"tensor 'blocks.1.mlp.down_proj.weight_scale' "
                             r"has dtype F64; seqc reads F32 here"):
        lib.model(str(path))


@pytest.mark.parametrize("args, message", [
    (["--quantize=w3"], "--quantize must be none, w8, w4, w8a8, llm-int8, "
                        "int8-ssm or bf16, got 'w3'"),
    (["--quantize=bf16", "--quant-group=32"],
     "--quant-group does not apply to bf16 (no scales)"),
    (["--quantize=w8a8", "--quant-group=64"],
     "--quant-group does not apply to w8a8"),
    (["--quantize=w8", "--outlier-threshold=4"],
     "--outlier-threshold needs --quantize=llm-int8"),
    (["--quantize=llm-int8", "--outlier-threshold=-1"],
     "--outlier-threshold must be a positive number, got -1"),
    (["--quantize=w4", "--quant-group=48"],
     "--quant-group for w4 must be a multiple of 32, got 48"),
    (["--quantize=w8", "--quant-group=-16"],
     "--quant-group for w8 must be a multiple of 16 (or 0: per channel), got -16"),
    (["--quant-group=32"], "--quant-group needs --quantize"),
    (["--quantize=w8a8", "--quant-zero-point"],
     "--quant-zero-point applies to --quantize=w8 or w4 (weight-only), got 'w8a8'"),
    (["--quant-zero-point"],
     "--quant-zero-point applies to --quantize=w8 or w4 (weight-only), got 'none'"),
])
def test_bad_quantization_options(tmp_path, args, message):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model_fixtures.TINY_LLAMA_LIKE))
    out = tmp_path / "libm.so"
    r = subprocess.run([SEQC, str(path), "-o", str(out)] + args,
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert f"seqc: error: {message}" in r.stderr
    assert not out.exists()


def test_quantize_on_ir_is_refused(tmp_path):
    path = tmp_path / "f.mlir"
    path.write_text("func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
                    "  return %x : tensor<4xf32>\n}\n")
    r = subprocess.run([SEQC, str(path), "--quantize=w8", "-o",
                        str(tmp_path / "libf.so")], capture_output=True, text=True)
    assert r.returncode != 0
    assert ("seqc: error: --quantize applies to model descriptions (a .json "
            "file or a Hugging Face directory), not to IR") in r.stderr


# ========================================================= saved weights

def read_tensors(path):
    tensors, dtypes, _ = read_safetensors(path, with_metadata=True)
    return tensors, dtypes


@pytest.mark.parametrize("case", CASES[:2], ids=["w8", "w4"])
def test_saved_weights_are_the_documented_quantization(build, case, tmp_path):
    # The runtime's quantization (C, at load) against quantization_reference
    # (NumPy, from the documentation): the same integers and scales.
    desc, lib, weights, weights_path = build(*case)
    m = lib.model(weights_path, batch=2)
    path = tmp_path / "saved.safetensors"
    m.save_weights(str(path))
    saved, dtypes = read_tensors(str(path))
    expected = quantized_file_tensors(weights, lib.model_info["quantized"])
    assert sorted(saved) == sorted(expected)
    for name, value in expected.items():
        assert dtypes[name] == ("I8" if value.dtype == np.int8 else "F32"), name
        np.testing.assert_array_equal(saved[name], value, err_msg=name)
    tokens = tokens_for(desc)
    again = lib.model(str(path), batch=2).forward(tokens)
    np.testing.assert_array_equal(again, m.forward(tokens))


def test_saved_weights_of_a_float_library(build, tmp_path):
    # No quantization: the weights as f32, whatever dtype they came in.
    desc, lib, weights, weights_path = build("tiny_llama_like", "w8", 0)
    plain = seqc.load(seqc.compile(_write(tmp_path, desc)))
    path = tmp_path / "plain.safetensors"
    plain.model(weights_path).save_weights(str(path))
    saved, dtypes = read_tensors(str(path))
    assert set(dtypes.values()) == {"F32"}
    for name, value in weights.items():
        np.testing.assert_array_equal(saved[name], value, err_msg=name)


def _write(tmp_path, desc):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(desc))
    return str(path)


def test_saving_weights_to_a_bad_path(build, tmp_path):
    desc, lib, weights, weights_path = build("tiny_llama_like", "w8", 0)
    m = lib.model(weights_path)
    target = tmp_path / "missing" / "w.safetensors"
    with pytest.raises(seqc.CallError,
                       match=r"seqc_model_save_weights: cannot write '.*missing/w.safetensors'"):
        m.save_weights(str(target))
    assert not (tmp_path / "missing").exists()


def test_saving_weights_to_a_fifo_is_refused(build, tmp_path):
    # A rename would replace the FIFO (or, as root, /dev/null) with a file.
    desc, lib, weights, weights_path = build("tiny_llama_like", "w8", 0)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(seqc.CallError,
                       match=r"seqc_model_save_weights: '.*pipe' is not a regular file"):
        lib.model(weights_path).save_weights(str(fifo))
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_driver_writes_the_quantized_weights(build, tmp_path):
    # seqc --save-weights: the file the library's own instance writes.
    desc, lib, weights, weights_path = build("tiny_llama_like", "w4", 32)
    json_path = _write(tmp_path, desc)
    out = tmp_path / "q.safetensors"
    r = subprocess.run([SEQC, json_path, "--quantize=w4", "--quant-group=32",
                        "--weights=" + weights_path, "--save-weights=" + str(out),
                        "-o", str(tmp_path / "libq.so")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    saved, _ = read_tensors(str(out))
    expected = quantized_file_tensors(weights, lib.model_info["quantized"])
    assert sorted(saved) == sorted(expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(saved[name], value, err_msg=name)


@pytest.mark.parametrize("args, message", [
    (["--weights=MISSING", "--save-weights=OUT"],
     "seqc_model_create: safetensors: cannot open '.*missing.safetensors'"),
    (["--save-weights=OUT"],
     "--save-weights needs --weights=PATH and a library output"),
    (["--weights=MISSING"], "--weights is only read with --save-weights"),
    # Refused before anything is read or written.
    (["--weights=MISSING", "--save-weights=DESC"],
     "--save-weights .*m.json is the input .*m.json, which it would overwrite"),
])
def test_driver_save_weights_errors(tmp_path, args, message):
    # A failure leaves neither the library nor the weights behind.
    json_path = _write(tmp_path, model_fixtures.TINY_LLAMA_LIKE)
    args = [a.replace("MISSING", str(tmp_path / "missing.safetensors"))
             .replace("OUT", str(tmp_path / "q.safetensors"))
             .replace("DESC", json_path) for a in args]
    r = subprocess.run([SEQC, json_path, "--quantize=w8", "-o",
                        str(tmp_path / "libq.so")] + args,
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert re.search("seqc: error: " + message, r.stderr), r.stderr
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["m.json"], left


# ==================================================================== W8A8

# Sizes that are multiples of 64, so every projection takes the VNNI kernel
# where the CPU has it (the f32 kernel on the quantized floats elsewhere).
W8A8_MODEL = {
    "format": "seqc-model", "version": 1, "name": "w8a8-llama-like",
    "vocab_size": 80, "d_model": 64, "max_context": 32,
    "blocks": [{"mixer": {"kind": "attention", "num_heads": 4, "num_kv_heads": 2},
                "mlp": {"kind": "swiglu", "hidden": 128}}] * 2,
}
# The reference quantizes float64 activations rounded to float32, the
# library its float32 activations: the two differ by float32 rounding, which
# now and then moves a value across a rounding boundary of the int8 grid (a
# step is 1/127 of the token's largest value), which would cost ~1e-3 of
# the logit scale. Observed: 2.3e-7 (no value moved); W8A8 and weight-only
# int8 differ by 2.5e-2, so the bound still tells them apart.
W8A8_TOL = 2e-3


@pytest.fixture(scope="module")
def w8a8(tmp_path_factory):
    root = tmp_path_factory.mktemp("w8a8")
    lib = seqc.load(seqc.compile(_write(root, W8A8_MODEL), quantize="w8a8"))
    weights = random_weights(W8A8_MODEL, seed=3)
    path = root / "w.safetensors"
    write_safetensors(str(path), weights)
    return lib, weights, str(path)


def test_w8a8_forward_matches_reference(w8a8):
    lib, weights, path = w8a8
    quantized = lib.model_info["quantized"]
    assert quantized == expected_quantized(W8A8_MODEL, lib, "w8", 0)
    dequantized = dequantized_weights(weights, quantized)
    tokens = tokens_for(W8A8_MODEL)
    with activations_quantized([dequantized[n] for n in quantized]):
        ref = reference_logits(W8A8_MODEL, dequantized, tokens)
    out = lib.model(path, batch=2).forward(tokens)
    assert_close(out, ref, tol=W8A8_TOL)
    # And it is not the weight-only model: activation quantization shows.
    weight_only = reference_logits(W8A8_MODEL, dequantized, tokens)
    assert np.abs(weight_only - ref).max() > 5 * W8A8_TOL * np.abs(ref).max()


def test_w8a8_step_matches_forward(w8a8):
    lib, weights, path = w8a8
    tokens = tokens_for(W8A8_MODEL)
    whole = lib.model(path, batch=2).forward(tokens)
    m = lib.model(path, batch=2)
    steps = np.stack([m.step(tokens[:, t]) for t in range(tokens.shape[1])], 1)
    np.testing.assert_allclose(steps, whole, rtol=1e-5, atol=1e-5)


# ======================================== Hugging Face models (transformers)

def _have_hf():
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
        return True
    except ImportError:
        return False


# (builder, --quantize, --quant-group): the same directories as
# test_models_hf.py; tiny_llama's sizes (64, 128) take the W8A8 integer
# kernel where the CPU has VNNI.
HF_CASES = [("tiny_llama", "w8", 0), ("tiny_llama", "w8a8", 0),
            ("tiny_llama", "llm-int8", 0),
            ("tiny_mamba", "w4", 32), ("tiny_mamba2", "w8", 16)]
# A threshold the tiny models' activations reach, so that LLM.int8() keeps
# some columns in f32 (6, the default, is rarely reached by them).
HF_OUTLIER_THRESHOLD = 2.0


@pytest.mark.skipif(not _have_hf(), reason="torch and transformers are not "
                    "importable (pip install torch transformers)")
@pytest.mark.parametrize("case", HF_CASES, ids=["-".join(map(str, c)) for c in HF_CASES])
def test_hf_quantized_matches_transformers(case, tmp_path):
    # transformers' own forward, with the quantized projections' weights
    # replaced by the values they stand for and, for W8A8, each of their
    # inputs quantized per token by a forward pre-hook.
    import torch
    import hf_models
    from quantization_reference import quantize
    builder, scheme, group = case
    model, config = getattr(hf_models, builder)(3)
    model.save_pretrained(str(tmp_path), safe_serialization=True)
    threshold = HF_OUTLIER_THRESHOLD if scheme == "llm-int8" else 0.0
    lib = seqc.load(seqc.compile(str(tmp_path), quantize=scheme, quant_group=group,
                                 outlier_threshold=threshold))
    quantized = lib.model_info["quantized"]
    assert quantized
    modules = dict(model.named_modules())
    outlier_columns = []
    with torch.no_grad():
        for name, (bits, g) in quantized.items():
            module = modules[name.rsplit(".", 1)[0]]
            module.weight.copy_(torch.from_numpy(
                quantize(module.weight.numpy(), bits, g)[2]).float())
            if scheme in ("w8a8", "llm-int8"):
                def fake_quantize(_, args):
                    x = args[0]
                    magnitude = x.abs()
                    outlier = torch.zeros(x.shape[-1], dtype=torch.bool)
                    if threshold:
                        outlier = magnitude.reshape(-1, x.shape[-1]).amax(0) >= threshold
                        magnitude = torch.where(outlier, 0.0, magnitude)
                        outlier_columns.append(int(outlier.sum()))
                    s = magnitude.amax(-1, keepdim=True) / 127
                    s = torch.where(s == 0, torch.ones_like(s), s)
                    q = torch.clamp(torch.round(x / s), -127, 127) * s
                    return (torch.where(outlier, x, q),)
                module.register_forward_pre_hook(fake_quantize)
    tokens = np.random.default_rng(0).integers(0, config.vocab_size, (2, 13))
    ref = hf_models.hf_logits(model, tokens)
    out = lib.model(str(tmp_path / "model.safetensors"), batch=2).forward(tokens)
    assert_close(out, ref, tol=2e-4 if scheme in ("w8", "w4") else W8A8_TOL)
    if threshold:
        assert sum(outlier_columns) > 0, "no outlier column: the test is W8A8"


# ==================================================================== bf16

# bf16 compute: every projection whose input size is a multiple of 32
# (vdpbf16ps takes 32 bf16 a row) stores bf16 and rounds its input to bf16;
# the tied embedding stays f32. Rounding an input to bf16 from float32 (the
# library) or from float64 rounded to float32 (the reference) differs only
# when the two float32 values straddle a bf16 tie, rarely, by one step
# (2^-8 of that value).
BF16_CASES = ["tiny_llama_like", "tiny_mamba_like", "tiny_mamba2_like"]
# Observed: 2.5e-7 of the logit scale (no input rounded differently); the
# bf16 rounding of the inputs moves the logits by 1.6e-3 to 1e-2 of it.
BF16_TOL = 1e-3


def expected_bf16(desc, lib):
    out = {}
    for name, shape in lib.model_info["weights"]:
        leaf = name.rsplit(".", 1)[0].rsplit(".", 1)[-1]
        if (leaf.endswith("_proj") or leaf == "lm_head") and len(shape) == 2 \
                and shape[1] % 32 == 0:
            out[name] = (16, shape[1])
    return out


@pytest.fixture(scope="module")
def bf16_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("bf16")
    cache = {}

    def get(name):
        if name not in cache:
            desc = model_fixtures.ALL[name]
            lib = seqc.load(seqc.compile(_write(root, desc), quantize="bf16",
                                         output=str(root / f"lib{name}.so")))
            weights = random_weights(desc, seed=4)
            path = root / f"{name}.safetensors"
            write_safetensors(str(path), weights)
            cache[name] = (desc, lib, weights, str(path))
        return cache[name]

    return get


def bf16_values(weights, quantized):
    from quantization_reference import bf16_round
    out = dict(weights)
    for name in quantized:
        out[name] = bf16_round(weights[name])[0].astype(np.float64)
    return out


@pytest.mark.parametrize("name", BF16_CASES)
def test_bf16_forward_matches_reference(bf16_build, name):
    from quantization_reference import activations_rounded_bf16
    desc, lib, weights, path = bf16_build(name)
    quantized = lib.model_info["quantized"]
    assert quantized == expected_bf16(desc, lib)
    assert quantized, "nothing is bf16"
    values = bf16_values(weights, quantized)
    tokens = tokens_for(desc)
    with activations_rounded_bf16([values[n] for n in quantized]):
        ref = reference_logits(desc, values, tokens)
    out = lib.model(path, batch=2).forward(tokens)
    assert_close(out, ref, tol=BF16_TOL)
    # The rounded inputs show: the library is 20x closer to the reference
    # with them than to the bf16-weight-only one.
    weight_only = reference_logits(desc, values, tokens)
    assert np.abs(out - weight_only).max() > 20 * np.abs(out - ref).max()


def test_bf16_step_matches_forward(bf16_build):
    desc, lib, weights, path = bf16_build("tiny_llama_like")
    tokens = tokens_for(desc)
    whole = lib.model(path, batch=2).forward(tokens)
    m = lib.model(path, batch=2)
    steps = np.stack([m.step(tokens[:, t]) for t in range(tokens.shape[1])], 1)
    np.testing.assert_allclose(steps, whole, rtol=1e-5, atol=1e-5)


def test_bf16_saved_weights_and_bf16_files(bf16_build, tmp_path):
    # Saved as BF16, the values NumPy rounds to; the file loads back as is
    # (BF16 bytes copied) and gives the same logits.
    from quantization_reference import bf16_round
    desc, lib, weights, path = bf16_build("tiny_llama_like")
    m = lib.model(path, batch=2)
    saved_path = tmp_path / "saved.safetensors"
    m.save_weights(str(saved_path))
    saved, dtypes = read_tensors(str(saved_path))
    for name in lib.model_info["quantized"]:
        assert dtypes[name] == "BF16", name
        # (read back as the float32 values of the bf16 patterns)
        np.testing.assert_array_equal(saved[name], bf16_round(weights[name])[0],
                                      err_msg=name)
    tokens = tokens_for(desc)
    again = lib.model(str(saved_path), batch=2).forward(tokens)
    np.testing.assert_array_equal(again, m.forward(tokens))


# ========================================================= zero points

ZERO_CASES = [("tiny_llama_like", "w4", 32), ("tiny_mamba_like", "w8", 16)]


@pytest.fixture(scope="module")
def zero_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("zero")
    cache = {}

    def get(name, scheme, group):
        key = (name, scheme, group)
        if key not in cache:
            desc = model_fixtures.ALL[name]
            lib = seqc.load(seqc.compile(
                _write(root, desc), quantize=scheme, quant_group=group,
                quant_zero_point=True,
                output=str(root / f"lib{name}_{scheme}.so")))
            # Offset weights: asymmetric ranges, nonzero zero points.
            weights = {k: v + np.float32(0.05) if v.ndim == 2 else v
                       for k, v in random_weights(desc, seed=6).items()}
            path = root / f"{name}.safetensors"
            write_safetensors(str(path), weights)
            cache[key] = (desc, lib, weights, str(path))
        return cache[key]

    return get


@pytest.mark.parametrize("case", ZERO_CASES, ids=["-".join(map(str, c)) for c in ZERO_CASES])
def test_zero_point_forward_matches_reference(zero_build, case):
    desc, lib, weights, path = zero_build(*case)
    info = lib.model_info
    assert info["quantized"] == expected_quantized(desc, lib, case[1], case[2])
    assert sorted(info["zero_points"]) == sorted(info["quantized"])
    tokens = tokens_for(desc)
    ref = reference_logits(
        desc, dequantized_weights(weights, info["quantized"], info["zero_points"]),
        tokens)
    out = lib.model(path, batch=2).forward(tokens)
    assert_close(out, ref)
    # Not the symmetric model: the zero points show.
    symmetric = reference_logits(desc, dequantized_weights(weights, info["quantized"]),
                                 tokens)
    assert np.abs(out - symmetric).max() > 20 * np.abs(out - ref).max()


def test_zero_point_saved_weights(zero_build, tmp_path):
    desc, lib, weights, path = zero_build(*ZERO_CASES[0])
    info = lib.model_info
    m = lib.model(path, batch=2)
    saved_path = tmp_path / "asym.safetensors"
    m.save_weights(str(saved_path))
    saved, dtypes = read_tensors(str(saved_path))
    expected = quantized_file_tensors(weights, info["quantized"], info["zero_points"])
    assert sorted(saved) == sorted(expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(saved[name], value, err_msg=name)
    tokens = tokens_for(desc)
    np.testing.assert_array_equal(lib.model(str(saved_path), batch=2).forward(tokens),
                                  m.forward(tokens))


def test_zero_point_files_and_symmetric_libraries(zero_build, build, tmp_path):
    # An asymmetric file for a symmetric library and the other way round:
    # each is refused (the integers would stand for other values).
    desc, asym, weights, _ = zero_build(*ZERO_CASES[0])
    _, sym, _, _ = build("tiny_llama_like", "w4", 32)
    asym_path, sym_path = tmp_path / "a.safetensors", tmp_path / "s.safetensors"
    write_safetensors(str(asym_path), quantized_file_tensors(
        weights, asym.model_info["quantized"], asym.model_info["zero_points"]))
    write_safetensors(str(sym_path), quantized_file_tensors(
        weights, sym.model_info["quantized"]))
    with pytest.raises(seqc.CallError, match=r"tensor 'blocks.0.attn.q_proj.weight' "
                       r"is quantized with zero points \('blocks.0.attn.q_proj."
                       r"weight_zero'\), but this library's is symmetric"):
        sym.model(str(asym_path))
    with pytest.raises(seqc.CallError, match=r"the file has no 'blocks.0.attn.q_proj."
                       r"weight_zero' with its zero points"):
        asym.model(str(sym_path))
