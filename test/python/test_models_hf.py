"""Hugging Face model directories (docs/models.md, "Hugging Face configs"):
tiny random Llama and Mamba models saved with save_pretrained, compiled by
`seqc.compile(dir)`, loaded from dir/model.safetensors and compared with
the transformers PyTorch forward; and config.json values seqc refuses.

The comparisons skip when torch/transformers are not importable; the config
errors need neither (the configs are written by hand).
"""

import json
import os

import numpy as np
import pytest

seqc = pytest.importorskip("seqc", reason="the seqc Python module was not built "
                           "(nanobind missing)")

import hf_models  # noqa: E402


def _have(*modules):
    try:
        for m in modules:
            __import__(m)
        return True
    except ImportError:
        return False


needs_hf = pytest.mark.skipif(
    not _have("torch", "transformers"),
    reason="torch and transformers are not importable (pip install torch "
           "transformers)")

# seqc (float32) against transformers (float32 on CPU):
#   max |seqc - hf| <= TOL * max(1, max |hf|)
# Observed: 1.8e-7 to 7.4e-7 of the scale (max abs 1.8e-6 to 6e-6 for logits
# of magnitude 3.2 to 22): float32 rounding on both sides.
TOL = 2e-4
BATCH = 2
LENGTH = 13
PREFIX = 5

# name -> (builder, overrides, max_context passed to compile, config.json edits)
CONFIGS = {
    # GQA (4 query heads over 2 KV heads), untied head, 2 layers; the
    # context is max_position_embeddings (64).
    "llama-gqa-untied": ("llama", dict(), None, {}),
    # MHA, tied head, 1 layer, head_dim 16 with 3 heads over hidden 48, a
    # different rope_theta; max_position_embeddings 4096 is cut to 64.
    "llama-mha-tied": ("llama", dict(vocab_size=53, hidden_size=48, intermediate_size=80,
                                     num_hidden_layers=1, num_attention_heads=3,
                                     num_key_value_heads=3, head_dim=16,
                                     max_position_embeddings=4096, rope_theta=500000.0,
                                     rms_norm_eps=1e-6, tie_word_embeddings=True),
                       64, {}),
    # Tied (MambaConfig's default), 2 layers, d_state 8, dt_rank 3, no bias;
    # the context is Mamba's default 2048.
    "mamba-tied": ("mamba", dict(), None, {}),
    # Untied, projection biases, 3 layers, d_state 4, d_conv 3, vocab 50,
    # and time_step_rank "auto" (ceil(32 / 16) = 2) in config.json.
    "mamba-untied-bias": ("mamba", dict(vocab_size=50, state_size=4, num_hidden_layers=3,
                                        conv_kernel=3, time_step_rank=2, use_bias=True,
                                        tie_word_embeddings=False),
                          None, {"time_step_rank": "auto"}),
}


def assert_close(out, ref, tol=TOL):
    assert out.shape == ref.shape, (out.shape, ref.shape)
    scale = max(1.0, float(np.abs(ref).max()))
    err = float(np.abs(out.astype(np.float64) - ref).max())
    assert err <= tol * scale, f"max abs error {err:.3g} > {tol} * {scale:.3g}"
    return err


class HFCompiled:
    def __init__(self, name, model, config, directory, lib):
        self.name, self.model, self.config = name, model, config
        self.dir, self.lib = directory, lib
        self.weights_path = os.path.join(directory, "model.safetensors")

    def instance(self, batch=BATCH):
        return self.lib.model(self.weights_path, batch=batch)

    def tokens(self, length=LENGTH, seed=0):
        rng = np.random.default_rng(seed)
        return rng.integers(0, self.config.vocab_size, size=(BATCH, length))


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def hf(request, tmp_path_factory):
    kind, overrides, max_context, edits = CONFIGS[request.param]
    build = hf_models.tiny_llama if kind == "llama" else hf_models.tiny_mamba
    # The builders re-draw the weights (larger than HF's init, so that
    # Mamba's state matters); save_pretrained saves those.
    model, config = build(3, **overrides)
    directory = str(tmp_path_factory.mktemp(request.param))
    model.save_pretrained(directory, safe_serialization=True)
    assert os.path.exists(os.path.join(directory, "model.safetensors"))
    if edits:
        path = os.path.join(directory, "config.json")
        with open(path) as f:
            c = json.load(f)
        c.update(edits)
        with open(path, "w") as f:
            json.dump(c, f)
    lib = seqc.load(seqc.compile(directory, max_context=max_context))
    return HFCompiled(request.param, model, config, directory, lib)


@needs_hf
def test_model_info(hf):
    info = hf.lib.model_info
    c = hf.config
    assert info["architecture"] == c.model_type
    assert info["vocab_size"] == c.vocab_size
    expected_context = {"llama-gqa-untied": 64, "llama-mha-tied": 64,
                        "mamba-tied": 2048, "mamba-untied-bias": 2048}
    assert info["max_context"] == expected_context[hf.name]
    # Every weight the library reads is in the checkpoint, with its shape.
    state = hf.model.state_dict()
    names = [n for n, _ in info["weights"]]
    assert len(names) == len(set(names))
    for name, shape in info["weights"]:
        assert name in state, name
        assert tuple(state[name].shape) == tuple(shape), name
    assert ("lm_head.weight" in names) == (not c.tie_word_embeddings)


@needs_hf
def test_forward_matches_transformers(hf):
    toks = hf.tokens()
    out = hf.instance().forward(toks)
    assert_close(out, hf_models.hf_logits(hf.model, toks))


@needs_hf
def test_step_and_chunks_equal_forward(hf):
    toks = hf.tokens(seed=1)
    m = hf.instance()
    full = m.forward(toks)
    m.reset()
    steps = np.stack([m.step(toks[:, t]) for t in range(LENGTH)], axis=1)
    np.testing.assert_allclose(steps, full, rtol=0, atol=1e-5)
    m.reset()
    chunks = np.concatenate([m.forward(toks[:, :PREFIX]), m.forward(toks[:, PREFIX:])],
                            axis=1)
    np.testing.assert_allclose(chunks, full, rtol=0, atol=1e-5)
    assert_close(steps, hf_models.hf_logits(hf.model, toks))


@needs_hf
def test_state_round_trip(hf):
    toks = hf.tokens(seed=2)
    m = hf.instance()
    m.forward(toks[:, :PREFIX])
    saved = m.save_state()
    after = m.forward(toks[:, PREFIX:])
    m.load_state(saved)
    np.testing.assert_array_equal(m.forward(toks[:, PREFIX:]), after)


# ================================================================ config errors

LLAMA = {"model_type": "llama", "vocab_size": 101, "hidden_size": 64,
         "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
         "num_key_value_heads": 2, "max_position_embeddings": 64, "rms_norm_eps": 1e-5,
         "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0},
         "hidden_act": "silu", "tie_word_embeddings": False}
MAMBA = {"model_type": "mamba", "vocab_size": 67, "hidden_size": 32, "state_size": 8,
         "num_hidden_layers": 2, "expand": 2, "intermediate_size": 64, "conv_kernel": 4,
         "time_step_rank": 3, "layer_norm_epsilon": 1e-5, "use_bias": False,
         "use_conv_bias": True, "hidden_act": "silu", "tie_word_embeddings": True}

BAD_CONFIGS = [
    ("rope_scaling", dict(LLAMA, rope_scaling={"type": "linear", "factor": 2.0}),
     "rope_scaling: "),
    ("rope_type", dict(LLAMA, rope_parameters={"rope_type": "llama3", "rope_theta": 1e4,
                                               "factor": 8.0}),
     'rope_parameters.rope_type: seqc implements "default" only, got "llama3"'),
    ("llama-act", dict(LLAMA, hidden_act="gelu"), 'hidden_act: seqc implements "silu" only'),
    ("attention_bias", dict(LLAMA, attention_bias=True), "attention_bias: "),
    ("mlp_bias", dict(LLAMA, mlp_bias=True), "mlp_bias: "),
    ("kv-heads", dict(LLAMA, num_key_value_heads=3),
     "num_key_value_heads: must divide num_attention_heads (4)"),
    ("model_type", dict(LLAMA, model_type="gpt2"), 'model_type: seqc reads "llama", "mamba" and "mamba2"'),
    ("no-model_type", {k: v for k, v in LLAMA.items() if k != "model_type"},
     "model_type: missing"),
    ("mamba-act", dict(MAMBA, hidden_act="gelu"), 'hidden_act: seqc implements "silu" only'),
    ("mamba-intermediate", dict(MAMBA, intermediate_size=65),
     "intermediate_size: transformers uses expand * hidden_size = 64, got 65"),
    ("time_step_rank", dict(MAMBA, time_step_rank="big"), "time_step_rank: expected an integer"),
    ("hidden-string", dict(MAMBA, hidden_size="32"), "hidden_size: expected an integer"),
]


@pytest.mark.parametrize("config, message", [b[1:] for b in BAD_CONFIGS],
                         ids=[b[0] for b in BAD_CONFIGS])
def test_bad_config(tmp_path, config, message):
    (tmp_path / "config.json").write_text(json.dumps(config))
    output = tmp_path / "lib.so"
    with pytest.raises(seqc.CompileError) as info:
        seqc.compile(str(tmp_path), output=str(output))
    assert message in str(info.value)
    assert "config.json" in str(info.value)
    assert not output.exists()


@pytest.mark.parametrize("config", [LLAMA, MAMBA], ids=["llama", "mamba"])
def test_good_configs_build_ir(tmp_path, config):
    """The hand-written base configs of the error cases are themselves valid
    (so each error above comes from its one edit)."""
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert "@forward" in open(seqc.compile(str(tmp_path), emit="mlir")).read()


def test_directory_without_config(tmp_path):
    with pytest.raises(seqc.CompileError, match="config.json: cannot read"):
        seqc.compile(str(tmp_path))
