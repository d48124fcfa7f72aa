"""Every model fixture compiled for CUDA, forward and step token by token,
against the float64 reference: the kernels run on the host for
"cuda-emulated", on the GPU for "cuda" (skipped without one). Through the
seqc_model_* ABI with ctypes (seqc_harness.Model), so that the test also
runs on the machine with the GPU, where the seqc package is not built
(scripts/gpu-check.sh)."""

import json

import numpy as np
import pytest

import model_fixtures
from model_reference import random_weights, reference_logits
from safetensors_io import write_safetensors
from seqc_harness import Model, compile_for_test, target_args

MODEL_LENGTH = 7


def model_inputs(desc, batch=2, length=MODEL_LENGTH):
    rng = np.random.default_rng(5)
    if desc.get("input_dim"):
        return rng.standard_normal((batch, length, desc["input_dim"]))
    return rng.integers(0, desc["vocab_size"], (batch, length))


@pytest.mark.parametrize("target", ["cuda-emulated", "cuda"])
@pytest.mark.parametrize("name", sorted(model_fixtures.ALL))
def test_model_matches_reference(tmp_path, name, target):
    desc = model_fixtures.ALL[name]
    lib_path = compile_for_test(json.dumps(desc), str(tmp_path),
                                target_args(target), suffix=".json")
    weights = random_weights(desc, seed=1)
    write_safetensors(str(tmp_path / "w.safetensors"), weights)
    model = Model(lib_path, str(tmp_path / "w.safetensors"), batch=2)
    inputs = model_inputs(desc)
    ref = reference_logits(desc, weights, inputs)
    scale = max(1.0, float(np.abs(ref).max()))
    logits = model.forward(inputs)
    assert np.abs(logits - ref).max() <= 2e-4 * scale
    model.reset()
    steps = np.stack([model.step(inputs[:, t]) for t in range(MODEL_LENGTH)], 1)
    assert np.abs(steps - ref).max() <= 2e-4 * scale
    # The instance's state lives in GPU memory between calls: a saved state
    # is the GPU's, and a loaded one replaces it.
    model.reset()
    model.step(inputs[:, 0])
    saved = model.save_state()
    after = model.step(inputs[:, 1])
    model.load_state(saved)
    np.testing.assert_array_equal(model.step(inputs[:, 1]), after)
    assert np.abs(after - ref[:, 1]).max() <= 2e-4 * scale
