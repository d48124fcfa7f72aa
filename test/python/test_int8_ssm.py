"""--quantize=int8-ssm (Quamba, docs/quantization.md): calibration against
NumPy's percentiles of the float64 reference's scan inputs; whole models
against the float64 reference with the documented quantization (static
int8 scan inputs, rotated output projections, W8A8 elsewhere); step against
forward; rotated saved weights; every refusal."""

import json
import re
import subprocess

import numpy as np
import pytest

seqc = pytest.importorskip("seqc", reason="the seqc Python module was not built "
                           "(nanobind missing)")

import model_fixtures  # noqa: E402
from model_reference import random_weights, reference_logits  # noqa: E402
from quantization_reference import (activations_quantized,  # noqa: E402
                                    calibration_scales, dequantized_weights,
                                    int8_ssm, rotated_quantized,
                                    ssm_inputs_observed)
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402
from seqc_harness import SEQC  # noqa: E402
from test_models import assert_close, tokens_for  # noqa: E402

# Mamba (d_inner 64: rotation blocks of 64), Mamba-2 (64 channels) and the
# hybrid (Mamba d_inner 80: blocks of 16, beside attention).
MODELS = ["tiny_mamba_like", "tiny_mamba2_like", "tiny_hybrid"]
PERCENTILE = 99.9
# As for W8A8 (test_quantized_models.py): float32 against float64 moves a
# value across a rounding boundary of an int8 grid now and then.
TOL = 2e-3

SCALE_LINE = re.compile(r"calibration: (\S+): scale (\S+) ")


def calibration_tokens(desc):
    rng = np.random.default_rng(5)
    return rng.integers(0, desc["vocab_size"], size=(3, 24)).astype(np.int32)


class Built:
    def __init__(self, name, root):
        self.desc = model_fixtures.ALL[name]
        self.json = root / f"{name}.json"
        self.json.write_text(json.dumps(self.desc))
        self.weights = random_weights(self.desc, seed=2)
        self.weights_path = str(root / f"{name}.safetensors")
        write_safetensors(self.weights_path, self.weights)
        self.calib = calibration_tokens(self.desc)
        self.calib_path = str(root / f"{name}-calib.npy")
        np.save(self.calib_path, self.calib)
        self.library = str(root / f"lib{name}.so")
        self.saved = str(root / f"{name}-int8ssm.safetensors")
        r = subprocess.run(
            [SEQC, str(self.json), "--quantize=int8-ssm", "-v",
             "--calib=" + self.calib_path, "--weights=" + self.weights_path,
             "--calib-percentile=%r" % PERCENTILE, "--save-weights=" + self.saved,
             "-o", self.library], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        self.scales = {k: np.float32(v) for k, v in SCALE_LINE.findall(r.stderr)}
        self.lib = seqc.load(self.library)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("int8ssm")
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = Built(name, root)
        return cache[name]

    return get


def expected_rotations(b):
    """Each Mamba block's int8 out_proj, by the largest power of two
    dividing its input size."""
    out = {}
    for name, (bits, group) in b.lib.model_info["quantized"].items():
        if name.endswith("out_proj.weight") and ".attn." not in name:
            k = dict(b.lib.model_info["weights"])[name][1]
            out[name] = min(k & -k, 4096)
    return out


def reference(b, tokens):
    info = b.lib.model_info
    dequantized = dequantized_weights(b.weights, info["quantized"])
    with activations_quantized([dequantized[n] for n in info["quantized"]]), \
            int8_ssm(b.scales, info["rotated"], b.weights):
        return reference_logits(b.desc, dequantized, tokens)


@pytest.mark.parametrize("name", MODELS)
def test_calibrated_scales_match_numpy(built, name):
    b = built(name)
    with ssm_inputs_observed() as seen:
        reference_logits(b.desc, b.weights, b.calib)
    expected = calibration_scales(seen, PERCENTILE)
    assert sorted(b.scales) == sorted(expected)
    for key, scale in expected.items():
        # float32 activations against float64 ones.
        np.testing.assert_allclose(b.scales[key], scale, rtol=1e-4, err_msg=key)


@pytest.mark.parametrize("name", MODELS)
def test_forward_matches_reference(built, name):
    b = built(name)
    assert b.lib.model_info["rotated"] == expected_rotations(b)
    assert b.lib.model_info["rotated"], "no output projection was rotated"
    tokens = tokens_for(b.desc)
    out = b.lib.model(b.weights_path, batch=2).forward(tokens)
    ref = reference(b, tokens)
    assert_close(out, ref, tol=TOL)
    # The static scan inputs show: not the plain W8A8 model.
    info = b.lib.model_info
    dequantized = dequantized_weights(b.weights, info["quantized"])
    with activations_quantized([dequantized[n] for n in info["quantized"]]):
        w8a8 = reference_logits(b.desc, dequantized, tokens)
    assert np.abs(w8a8 - ref).max() > 5 * TOL * max(1.0, np.abs(ref).max())


def test_step_matches_forward(built):
    b = built("tiny_mamba_like")
    tokens = tokens_for(b.desc)
    whole = b.lib.model(b.weights_path, batch=2).forward(tokens)
    m = b.lib.model(b.weights_path, batch=2)
    steps = np.stack([m.step(tokens[:, t]) for t in range(tokens.shape[1])], 1)
    np.testing.assert_allclose(steps, whole, rtol=1e-5, atol=1e-5)


def test_saved_weights_are_rotated_and_read_back(built):
    b = built("tiny_mamba2_like")
    saved, dtypes, _ = read_safetensors(b.saved, with_metadata=True)
    for name, block in b.lib.model_info["rotated"].items():
        q, scales, _ = rotated_quantized(b.weights[name], block)
        assert dtypes[name] == "I8" and name + "_scale" not in saved
        np.testing.assert_array_equal(saved[name], q, err_msg=name)
        np.testing.assert_array_equal(saved[name + "_hadamard_scale"], scales)
    tokens = tokens_for(b.desc)
    from_float = b.lib.model(b.weights_path, batch=2).forward(tokens)
    from_saved = b.lib.model(b.saved, batch=2).forward(tokens)
    np.testing.assert_array_equal(from_saved, from_float)


def test_rotated_file_refused_by_an_unrotated_library(built, tmp_path):
    b = built("tiny_mamba_like")
    w8a8 = seqc.load(seqc.compile(str(b.json), quantize="w8a8"))
    with pytest.raises(seqc.CallError,
                       match=r"tensor 'blocks.0.mamba.out_proj.weight' is I8 "
                             r"\(quantized\) but the file has no "
                             r"'blocks.0.mamba.out_proj.weight_scale'"):
        w8a8.model(b.saved)


def test_unrotated_file_refused_by_a_rotating_library(built, tmp_path):
    b = built("tiny_mamba_like")
    w8a8 = seqc.load(seqc.compile(str(b.json), quantize="w8a8"))
    path = str(tmp_path / "w8a8.safetensors")
    w8a8.model(b.weights_path).save_weights(path)
    with pytest.raises(seqc.CallError,
                       match=r"no 'blocks.0.mamba.out_proj.weight_hadamard_scale' "
                             r"with its scales \(this library reads the weight "
                             r"rotated"):
        b.lib.model(path)


def test_python_compile_calibrates(built):
    b = built("tiny_mamba_like")
    lib = seqc.load(seqc.compile(str(b.json), quantize="int8-ssm",
                                 calib=b.calib_path, weights=b.weights_path,
                                 calib_percentile=PERCENTILE))
    tokens = tokens_for(b.desc)
    np.testing.assert_array_equal(
        lib.model(b.weights_path).forward(tokens[:1]),
        b.lib.model(b.weights_path).forward(tokens[:1]))


def test_calibration_runs_on_the_cpu_for_a_cuda_build(built):
    """--target=cuda still calibrates with a float library built for this
    CPU: the same scales as the CPU build, and the same logits (the library
    here is the CUDA lowering emulated on the host, so that it runs without
    a GPU)."""
    b = built("tiny_mamba_like")
    r = subprocess.run(
        [SEQC, str(b.json), "--quantize=int8-ssm", "--calib=" + b.calib_path,
         "--weights=" + b.weights_path, "--calib-percentile=%r" % PERCENTILE,
         "--target=cuda", "--cuda-emulate-on-host", "-v",
         "-o", str(b.json) + ".cuda.so"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    scales = {k: np.float32(v) for k, v in SCALE_LINE.findall(r.stderr)}
    assert scales == b.scales
    tokens = tokens_for(b.desc)[:1]
    cuda = seqc.load(str(b.json) + ".cuda.so").model(b.weights_path)
    cpu = b.lib.model(b.weights_path).forward(tokens)
    # Observed 5.7e-6 for logits of magnitude 18: float rounding only.
    np.testing.assert_allclose(cuda.forward(tokens), cpu, rtol=0,
                               atol=1e-4 * np.abs(cpu).max())


# ================================================================ refusals

def _npy(tmp_path, name, array=None, raw=None):
    path = tmp_path / name
    if raw is not None:
        path.write_bytes(raw)
    else:
        np.save(path, array)
    return str(path)


@pytest.mark.parametrize("case, message", [
    ("no-calib", "--quantize=int8-ssm fixes static scales by calibration: it "
                 "needs --calib=TOKENS.npy and --weights=MODEL.safetensors"),
    ("no-weights", "--quantize=int8-ssm fixes static scales by calibration: "
                   "it needs --calib=TOKENS.npy and --weights"),
    ("calib-w8a8", r"--calib applies to --quantize=int8-ssm"),
    ("percentile", r"--calib-percentile must be in \(0, 100\], got 0"),
    ("not-npy", r"\S*calib.npy: not a NumPy .npy file"),
    ("float", r"\S*calib.npy: the token ids must be int32 or int64 "
              r"\(little-endian\), got dtype '<f4'"),
    ("truncated", r"\S*calib.npy: holds \d+ bytes of data; its shape needs 96 "
                  r"\(truncated\?\)"),
    ("3d", r"\S*calib.npy: the token ids must be \[length\] or \[rows, length\], "
           r"got 3 dimensions"),
    ("vocab", r"\S*calib.npy: token 5 is 64, outside the vocabulary \[0, 64\)"),
    ("missing-weights", r"calibration: seqc_model_create: safetensors: "
                        r"cannot open"),
    ("llama", r"--quantize=int8-ssm quantizes the scans of Mamba and Mamba-2 "
              r"blocks, and this model has none; use --quantize=w8a8"),
    ("percentile-alone", r"--calib-percentile needs --calib"),
])
def test_bad_calibration(tmp_path, case, message):
    desc = model_fixtures.TINY_LLAMA_LIKE if case == "llama" else \
        model_fixtures.TINY_MAMBA_LIKE
    model = tmp_path / "m.json"
    model.write_text(json.dumps(desc))
    weights = str(tmp_path / "w.safetensors")
    write_safetensors(weights, random_weights(desc, seed=0))
    good = np.arange(24, dtype=np.int32).reshape(2, 12)
    calib = {
        "not-npy": lambda: _npy(tmp_path, "calib.npy", raw=b"0 1 2 3\n"),
        "float": lambda: _npy(tmp_path, "calib.npy", good.astype(np.float32)),
        "truncated": lambda: _npy(tmp_path, "calib.npy",
                                  raw=open(_npy(tmp_path, "calib.npy", good),
                                           "rb").read()[:-10]),
        "3d": lambda: _npy(tmp_path, "calib.npy", good.reshape(2, 3, 4)),
        "vocab": lambda: _npy(tmp_path, "calib.npy",
                              np.array([1, 2, 3, 4, 5, 64], dtype=np.int64)),
    }.get(case, lambda: _npy(tmp_path, "calib.npy", good))()
    args = {
        "no-calib": ["--quantize=int8-ssm"],
        "no-weights": ["--quantize=int8-ssm", "--calib=" + calib],
        "calib-w8a8": ["--quantize=w8a8", "--calib=" + calib, "--weights=" + weights],
        "percentile": ["--quantize=int8-ssm", "--calib=" + calib,
                       "--weights=" + weights, "--calib-percentile=0"],
        "missing-weights": ["--quantize=int8-ssm", "--calib=" + calib,
                            "--weights=" + str(tmp_path / "missing.safetensors")],
        "percentile-alone": ["--quantize=w8a8", "--calib-percentile=99"],
    }.get(case, ["--quantize=int8-ssm", "--calib=" + calib, "--weights=" + weights])
    before = sorted(p.name for p in tmp_path.iterdir())
    r = subprocess.run([SEQC, str(model), "-o", str(tmp_path / "libq.so")] + args,
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert re.search("seqc: error: " + message, r.stderr), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_python_percentile_needs_calib(built):
    b = built("tiny_mamba_like")
    with pytest.raises(seqc.CompileError, match="calib_percentile needs calib"):
        seqc.compile(str(b.json), quantize="w8a8", calib_percentile=99.0)
