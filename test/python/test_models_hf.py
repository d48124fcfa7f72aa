"""Hugging Face model directories (docs/models.md, "Hugging Face configs"):
tiny random Llama, Mamba and Mamba-2 models saved with save_pretrained, compiled by
`seqc.compile(dir)`, loaded from dir/model.safetensors and compared with
the transformers PyTorch forward; and config.json values seqc refuses.

The comparisons skip when torch/transformers are not importable; the config
errors need neither (the configs are written by hand).
"""

import json
import math
import os
import re

import numpy as np
import pytest

seqc = pytest.importorskip("seqc", reason="the seqc Python module was not built "
                           "(nanobind missing)")

import hf_models  # noqa: E402
import safetensors_io  # noqa: E402


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
# of magnitude 3.2 to 22): float32 rounding on both sides. Mamba-2 (against
# transformers' pure-torch chunked scan): 7e-7 to 1.3e-6 of the scale (max
# abs 2.4e-6 to 8.6e-6 for logits of magnitude 3 to 12).
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
    # Mamba-2: 2 groups of 2 heads (4 heads of 16, d_state 16), untied
    # (Mamba2Config's default), conv bias, no projection bias, d_conv 4, 2
    # layers; chunk_size 4 makes transformers' chunked scan cross chunk
    # boundaries (and pad the last chunk) within the 13 tokens.
    "mamba2-groups2-untied": ("mamba2", dict(chunk_size=4), None, {}),
    # One group of 8 heads of 8, tied, projection biases, no conv bias,
    # d_conv 3, d_state 8, 3 layers; time_step_limit rewritten with the bare
    # token Infinity (json.dump of inf, as older transformers wrote it).
    "mamba2-groups1-tied-bias": ("mamba2", dict(vocab_size=61, n_groups=1, num_heads=8,
                                                head_dim=8, state_size=8, conv_kernel=3,
                                                num_hidden_layers=3, use_bias=True,
                                                use_conv_bias=False,
                                                tie_word_embeddings=True),
                                 None, {"time_step_limit": [0.0, math.inf]}),
    # A group per head (4), expand 2 over hidden 16, d_state 12, and
    # layer_norm_epsilon 0.01, large enough that the gated norm's eps
    # matters (1e-5 in its place moves the logits by ~1.5).
    "mamba2-group-per-head-eps": ("mamba2", dict(vocab_size=40, hidden_size=16, num_heads=4,
                                                 head_dim=8, n_groups=4, state_size=12,
                                                 layer_norm_epsilon=1e-2),
                                  None, {}),
}

BUILDERS = {"llama": "tiny_llama", "mamba": "tiny_mamba", "mamba2": "tiny_mamba2"}


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
    build = getattr(hf_models, BUILDERS[kind])
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
                        "mamba-tied": 2048, "mamba-untied-bias": 2048,
                        "mamba2-groups2-untied": 2048, "mamba2-groups1-tied-bias": 2048,
                        "mamba2-group-per-head-eps": 2048}
    assert info["max_context"] == expected_context[hf.name]
    # Every weight the library reads is in the checkpoint, with its shape.
    state = hf.model.state_dict()
    names = [n for n, _ in info["weights"]]
    assert len(names) == len(set(names))
    for name, shape in info["weights"]:
        assert name in state, name
        assert tuple(state[name].shape) == tuple(shape), name
    assert ("lm_head.weight" in names) == (not c.tie_word_embeddings)
    if c.model_type == "mamba2":
        # Per layer a conv state [d_conv - 1, E + 2GN] and an SSM state
        # [H, N, P], per sequence (docs/models.md).
        E, H, P = c.num_heads * c.head_dim, c.num_heads, c.head_dim
        G, N = c.n_groups, c.state_size
        expected = []
        for i in range(c.num_hidden_layers):
            expected += [(f"blocks.{i}.mamba2.conv_state", (c.conv_kernel - 1, E + 2 * G * N)),
                         (f"blocks.{i}.mamba2.ssm_state", (H, N, P))]
        assert [(n, tuple(s)) for n, s in info["state"]] == expected
        assert info["state_size"] == sum(int(np.prod(s)) for _, s in expected)


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


MAMBA2S = [n for n in sorted(CONFIGS) if CONFIGS[n][0] == "mamba2"]


@needs_hf
@pytest.mark.parametrize("hf", MAMBA2S, indirect=True)
def test_mamba2_seqc_model_json_agrees(hf, tmp_path):
    """The directory's config.json and model.safetensors, rewritten by
    hf_models.mamba2_to_seqc as a seqc-model description with `mamba2`
    mixers and its weights, compile to a library that computes the same
    logits as the one compiled from the directory."""
    with open(os.path.join(hf.dir, "config.json")) as f:
        text = f.read()
    if "time_step_limit" in CONFIGS[hf.name][3]:    # rewritten by json.dump
        assert re.search(r'"time_step_limit": \[0\.0, Infinity\]', text), text
    config = json.loads(text)               # reads a bare Infinity as inf
    desc, weights = hf_models.mamba2_to_seqc(
        config, safetensors_io.read_safetensors(hf.weights_path))
    assert all(b["mixer"]["kind"] == "mamba2" for b in desc["blocks"])
    (tmp_path / "model.json").write_text(json.dumps(desc))
    safetensors_io.write_safetensors(str(tmp_path / "w.safetensors"), weights)
    lib = seqc.load(seqc.compile(str(tmp_path / "model.json")))
    assert lib.model_info["architecture"] == "seqc-model"
    assert [tuple(s) for _, s in lib.model_info["state"]] == \
        [tuple(s) for _, s in hf.lib.model_info["state"]]
    toks = hf.tokens(seed=3)
    out = lib.model(str(tmp_path / "w.safetensors"), batch=BATCH).forward(toks)
    np.testing.assert_allclose(out, hf.instance().forward(toks), rtol=0, atol=1e-5)


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
MAMBA2 = {"model_type": "mamba2", "vocab_size": 80, "hidden_size": 32, "num_heads": 4,
          "head_dim": 16, "expand": 2, "state_size": 16, "n_groups": 2, "conv_kernel": 4,
          "num_hidden_layers": 2, "layer_norm_epsilon": 1e-5, "use_bias": False,
          "use_conv_bias": True, "hidden_act": "silu", "tie_word_embeddings": False,
          "time_step_limit": [0.0, {"__float__": "Infinity"}]}
CLAMP = "time_step_limit: seqc implements no clamping of dt only ([0.0, Infinity])"

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
    ("mamba2-groups", dict(MAMBA2, n_groups=3), "n_groups: must divide num_heads (4), got 3"),
    # Mamba2Config's n_groups default is 8 (not the seqc mixer's 1).
    ("mamba2-groups-default", {k: v for k, v in MAMBA2.items() if k != "n_groups"},
     "n_groups: must divide num_heads (4), got 8"),
    ("mamba2-expand", dict(MAMBA2, expand=3),
     "expand: expand (3) * hidden_size (32) must equal num_heads * head_dim (64)"),
    ("mamba2-head_dim", dict(MAMBA2, head_dim=8),
     "expand: expand (2) * hidden_size (32) must equal num_heads * head_dim (32)"),
    ("mamba2-act", dict(MAMBA2, hidden_act="gelu"),
     'hidden_act: seqc implements "silu" only, got "gelu"'),
    # transformers clamps dt to time_step_limit (in its chunked forward).
    ("mamba2-clamp", dict(MAMBA2, time_step_limit=[0.001, 0.1]), CLAMP),
    ("mamba2-clamp-low", dict(MAMBA2, time_step_limit=[0.001, {"__float__": "Infinity"}]),
     CLAMP),
    ("mamba2-clamp-neg-inf", dict(MAMBA2, time_step_limit=[0.0, -math.inf]), CLAMP),
    ("mamba2-clamp-nan", dict(MAMBA2, time_step_limit=[0.0, {"__float__": "NaN"}]), CLAMP),
    ("mamba2-clamp-one", dict(MAMBA2, time_step_limit=[0.0]), CLAMP),
    ("mamba2-rms_norm", dict(MAMBA2, rms_norm=False),
     "rms_norm: seqc implements the gated RMSNorm (true) only"),
    ("mamba2-norm_before_gate", dict(MAMBA2, norm_before_gate=True),
     "norm_before_gate: seqc implements false (gate, then norm) only"),
    ("mamba2-conv_kernel", dict(MAMBA2, conv_kernel=1),
     "conv_kernel: expected an integer >= 2, got 1"),
    ("mamba-conv_kernel", dict(MAMBA, conv_kernel=65), "conv_kernel: expected at most 64, got 65"),
    ("llama-context", dict(LLAMA, max_position_embeddings=2 ** 23),
     "max_position_embeddings: expected at most 4194304, got 8388608"),
    # Python's json writes NaN as a bare token: refused, not read as absent.
    ("llama-eps-nan", dict(LLAMA, rms_norm_eps=math.nan),
     "rms_norm_eps: expected a number > 0, got NaN"),
    ("llama-theta-nan", dict(LLAMA, rope_theta=math.nan),
     "rope_theta: expected a number > 0, got NaN"),
    ("mamba-eps-nan", dict(MAMBA, layer_norm_epsilon=math.nan),
     "layer_norm_epsilon: expected a number > 0, got NaN"),
    ("mamba2-eps-nan", dict(MAMBA2, layer_norm_epsilon=math.nan),
     "layer_norm_epsilon: expected a number > 0, got NaN"),
    ("mamba-act-nan", dict(MAMBA, hidden_act=math.nan), "hidden_act: expected a string, got NaN"),
    # transformers fails on these nulls rather than taking its default.
    ("llama-act-null", dict(LLAMA, hidden_act=None), "hidden_act: expected a value, got null"),
    ("mamba-rank-null", dict(MAMBA, time_step_rank=None),
     "time_step_rank: expected a value, got null"),
]


def test_max_context_override_is_bounded(tmp_path):
    """Python's max_context has seqc --max-context's limit."""
    (tmp_path / "config.json").write_text(json.dumps(MAMBA))
    with pytest.raises(seqc.CompileError, match="max_context must be at most 4194304, got 8388608"):
        seqc.compile(str(tmp_path), emit="mlir", max_context=2 ** 23)


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


@pytest.mark.parametrize("config", [LLAMA, MAMBA, MAMBA2], ids=["llama", "mamba", "mamba2"])
def test_good_configs_build_ir(tmp_path, config):
    """The hand-written base configs of the error cases are themselves valid
    (so each error above comes from its one edit)."""
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert "@forward" in open(seqc.compile(str(tmp_path), emit="mlir")).read()


def _mamba2_text(limit_text):
    """MAMBA2's config.json with time_step_limit written as `limit_text`
    (None: the field left out)."""
    c = {k: v for k, v in MAMBA2.items() if k != "time_step_limit"}
    text = json.dumps(c)
    if limit_text is None:
        return text
    return text[:-1] + ', "time_step_limit": ' + limit_text + "}"


# time_step_limit values that mean "no clamp" (softplus(.) > 0, so any
# lower bound <= 0 is no clamp), in the ways transformers writes infinity:
# {"__float__": "Infinity"} (transformers 5) or the bare token Infinity
# (Python's json module, older transformers).
ACCEPTED_LIMITS = {
    "absent": None,
    "float-object": '[0.0, {"__float__": "Infinity"}]',
    "bare-Infinity": "[0.0, Infinity]",
    "bare-Infinity-compact": "[0,Infinity]",
    "negative-low": "[-Infinity, Infinity]",
    "negative-low-object": '[-1.0, {"__float__": "Infinity"}]',
}


@pytest.mark.parametrize("limit", list(ACCEPTED_LIMITS.values()), ids=list(ACCEPTED_LIMITS))
def test_mamba2_time_step_limit_accepted(tmp_path, limit):
    """Each spelling of the no-op limit is accepted and builds the same IR
    as a config without the field."""
    irs = []
    for sub, text in (("base", _mamba2_text(None)), ("limit", _mamba2_text(limit))):
        d = tmp_path / sub
        d.mkdir()
        (d / "config.json").write_text(text)
        irs.append(open(seqc.compile(str(d), emit="mlir")).read())
    assert "Infinity" not in irs[0]
    assert irs[0] == irs[1]
    assert 'architecture = "mamba2"' in irs[1]


def test_mamba2_bare_infinity_config_file_path(tmp_path):
    """The same config given as the config.json path instead of its
    directory (docs: `seqc DIR` or the file itself)."""
    (tmp_path / "config.json").write_text(_mamba2_text("[0.0, Infinity]"))
    ir = open(seqc.compile(str(tmp_path / "config.json"), emit="mlir")).read()
    assert 'architecture = "mamba2"' in ir


def test_mamba2_bare_infinity_only_outside_strings(tmp_path):
    """The bare-Infinity rewrite leaves strings alone: a string holding
    Infinity (after an escaped quote) is still that string, and the string
    "Infinity" is not a number."""
    c = dict(MAMBA2, _name_or_path='say \"Infinity\" [0.0, Infinity]')
    (tmp_path / "config.json").write_text(json.dumps(c))
    seqc.compile(str(tmp_path), emit="mlir")
    (tmp_path / "config.json").write_text(_mamba2_text('[0.0, "Infinity"]'))
    with pytest.raises(seqc.CompileError, match=re.escape(CLAMP)):
        seqc.compile(str(tmp_path), emit="mlir")


def test_mamba2_config_defaults(tmp_path):
    """Fields left out take Mamba2Config's defaults: n_groups 8 (seen in the
    conv and in_proj widths), expand 2, conv_kernel 4, use_conv_bias true,
    use_bias false, tie_word_embeddings false (lm_head read); max_context
    2048."""
    c = {"model_type": "mamba2", "vocab_size": 50, "hidden_size": 32, "num_heads": 8,
         "head_dim": 8, "state_size": 4, "num_hidden_layers": 1}
    (tmp_path / "config.json").write_text(json.dumps(c))
    ir = open(seqc.compile(str(tmp_path), emit="mlir")).read()
    assert "max_context = 2048" in ir
    # conv channels E + 2GN = 64 + 2*8*4 = 128, kernel 4; in_proj 2E + 2GN + H.

    def shape(name):
        m = re.search(r'\{name = "%s", offset = \d+ : i64, shape = \[([0-9, ]+)\]\}'
                      % re.escape(name), ir)
        assert m, name
        return [int(v) for v in m.group(1).split(",")]
    assert shape("backbone.layers.0.mixer.conv1d.weight") == [128, 1, 4]
    assert shape("backbone.layers.0.mixer.in_proj.weight") == [200, 32]
    assert shape("backbone.layers.0.mixer.norm.weight") == [64]
    assert shape("lm_head.weight") == [50, 32]
    assert shape("backbone.layers.0.mixer.conv1d.bias") == [128]
    assert "in_proj.bias" not in ir and "out_proj.bias" not in ir


def test_directory_without_config(tmp_path):
    with pytest.raises(seqc.CompileError, match="config.json: cannot read"):
        seqc.compile(str(tmp_path))
