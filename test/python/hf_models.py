"""Hugging Face <-> seqc-model helpers for tests (docs/models.md).

    llama_to_seqc(config, state_dict)   -> (description, weights)
    mamba_to_seqc(config, state_dict)   -> (description, weights)
    mamba2_to_seqc(config, state_dict)  -> (description, weights)
    mistral_to_seqc(config, state_dict) -> (description, weights)  (Llama + window)
    tiny_llama(seed, **overrides)       -> (model, config)   random, eval mode
    tiny_mamba(seed, **overrides)       -> (model, config)
    tiny_mamba2(seed, **overrides)      -> (model, config)
    tiny_mistral(seed, **overrides)     -> (model, config)
    hf_logits(model, tokens)            -> float64 [B, L, vocab]

`config` may be a transformers config object or its dict (config.json);
`state_dict` may hold torch tensors or NumPy arrays (e.g. the contents of
model.safetensors).  Weights come back as float32 NumPy arrays under the
seqc-model names.  A config value the seqc format cannot express raises
ValueError naming the field, as the document requires of the frontend.

The tiny_* builders need torch and transformers (imported lazily, so that
this module imports without them).  They re-draw the weights of the freshly
built model with larger, more varied values than Hugging Face's init
(std 0.02, all-ones norms), by the rules of model_reference.random_weights,
so that a wrong RoPE form, a transposed weight, a misplaced bias or a wrong
scan changes the logits by much more than the test tolerance (with HF's
init, Mamba's C.h term is ~1e-4 of the logits).
"""

import math
import re

import numpy as np


# -------------------------------------------------------------- conversion

def _config_dict(config):
    if isinstance(config, dict):
        return dict(config)
    return config.to_dict()


def _to_numpy(t):
    if hasattr(t, "detach"):
        import torch
        return t.detach().to(torch.float32).cpu().numpy()
    return np.asarray(t, dtype=np.float32)


def _rope_theta(c):
    """rope_theta from a transformers 4.x (`rope_theta`, `rope_scaling`) or
    5.x (`rope_parameters: {rope_type, rope_theta}`) Llama config."""
    if c.get("rope_scaling") is not None:
        raise ValueError(f"rope_scaling: not supported ({c['rope_scaling']!r})")
    params = c.get("rope_parameters")
    if params is not None:
        rope_type = params.get("rope_type", params.get("type", "default"))
        if rope_type != "default":
            raise ValueError(f"rope_parameters.rope_type: {rope_type!r} not supported")
        extra = set(params) - {"rope_type", "type", "rope_theta"}
        if extra:
            raise ValueError(f"rope_parameters: unsupported keys {sorted(extra)}")
        if "rope_theta" in params:
            return float(params["rope_theta"])
    return float(c.get("rope_theta", 10000.0))


def _llama_like(c, state_dict, window=None, max_context=None):
    if c.get("hidden_act", "silu") != "silu":
        raise ValueError(f"hidden_act: {c['hidden_act']!r} not supported (silu only)")
    for field in ("attention_bias", "mlp_bias"):
        if c.get(field, False):
            raise ValueError(f"{field}: biases are not supported")
    E = c["hidden_size"]
    H = c["num_attention_heads"]
    Hkv = c.get("num_key_value_heads") or H
    hd = c.get("head_dim") or E // H
    tied = bool(c.get("tie_word_embeddings", False))
    mixer = {"kind": "attention", "num_heads": H, "num_kv_heads": Hkv,
             "head_dim": hd, "rope_theta": _rope_theta(c)}
    if window is not None:
        mixer["window"] = int(window)
    desc = {
        "format": "seqc-model",
        "version": 1,
        "name": "hf-" + str(c.get("model_type", "llama")),
        "vocab_size": c["vocab_size"],
        "d_model": E,
        "max_context": max_context or c.get("max_position_embeddings", 2048),
        "norm_eps": float(c.get("rms_norm_eps", 1e-6)),
        "tie_embeddings": tied,
        "blocks": [{"mixer": dict(mixer),
                    "mlp": {"kind": "swiglu", "hidden": c["intermediate_size"]}}
                   for _ in range(c["num_hidden_layers"])],
    }
    weights = {}
    for key, value in state_dict.items():
        if key == "model.embed_tokens.weight":
            name = "embed.weight"
        elif key == "model.norm.weight":
            name = "norm.weight"
        elif key == "lm_head.weight":
            if tied:
                continue                # the same tensor as the embedding
            name = "lm_head.weight"
        else:
            m = re.fullmatch(r"model\.layers\.(\d+)\.(.+)", key)
            if not m:
                raise ValueError(f"unexpected tensor {key}")
            i, rest = m.groups()
            rest = (rest.replace("input_layernorm.", "norm.")
                        .replace("post_attention_layernorm.", "mlp_norm.")
                        .replace("self_attn.", "attn."))
            if not re.fullmatch(r"norm\.weight|mlp_norm\.weight|"
                                r"attn\.[qkvo]_proj\.weight|"
                                r"mlp\.(gate|up|down)_proj\.weight", rest):
                raise ValueError(f"unexpected tensor {key}")
            name = f"blocks.{i}.{rest}"
        weights[name] = _to_numpy(value)
    return desc, weights


def llama_to_seqc(config, state_dict, max_context=None):
    """A Hugging Face Llama (config, state_dict) as (description, weights)."""
    c = _config_dict(config)
    if c.get("model_type", "llama") != "llama":
        raise ValueError(f"model_type: expected 'llama', got {c.get('model_type')!r}")
    return _llama_like(c, state_dict, max_context=max_context)


def mistral_to_seqc(config, state_dict, max_context=None):
    """Mistral = Llama with `sliding_window` (keys p - W < j <= p), which
    maps to the attention `window`.  Not a documented frontend input; used
    to check the window rule against an independent implementation."""
    c = _config_dict(config)
    if c.get("model_type") != "mistral":
        raise ValueError(f"model_type: expected 'mistral', got {c.get('model_type')!r}")
    return _llama_like(c, state_dict, window=c.get("sliding_window"),
                       max_context=max_context)


def mamba_to_seqc(config, state_dict, max_context=2048):
    """A Hugging Face Mamba (config, state_dict) as (description, weights)."""
    c = _config_dict(config)
    if c.get("model_type", "mamba") != "mamba":
        raise ValueError(f"model_type: expected 'mamba', got {c.get('model_type')!r}")
    if c.get("hidden_act", "silu") != "silu":
        raise ValueError(f"hidden_act: {c['hidden_act']!r} not supported (silu only)")
    E = c["hidden_size"]
    d_inner = int(c.get("expand", 2) * E)
    if c.get("intermediate_size") not in (None, d_inner):
        raise ValueError(f"intermediate_size: {c['intermediate_size']} != expand * hidden_size")
    rank = c.get("time_step_rank", "auto")
    rank = math.ceil(E / 16) if rank == "auto" else int(rank)
    tied = bool(c.get("tie_word_embeddings", True))   # MambaConfig's default
    mixer = {"kind": "mamba", "d_inner": d_inner, "d_state": c.get("state_size", 16),
             "d_conv": c.get("conv_kernel", 4), "dt_rank": rank,
             "conv_bias": bool(c.get("use_conv_bias", True)),
             "proj_bias": bool(c.get("use_bias", False))}
    desc = {
        "format": "seqc-model",
        "version": 1,
        "name": "hf-mamba",
        "vocab_size": c["vocab_size"],
        "d_model": E,
        "max_context": max_context,
        "norm_eps": float(c.get("layer_norm_epsilon", 1e-5)),
        "tie_embeddings": tied,
        "blocks": [{"mixer": dict(mixer)} for _ in range(c["num_hidden_layers"])],
    }
    weights = {}
    for key, value in state_dict.items():
        if key == "backbone.embeddings.weight":
            name = "embed.weight"
        elif key == "backbone.norm_f.weight":
            name = "norm.weight"
        elif key == "lm_head.weight":
            if tied:
                continue
            name = "lm_head.weight"
        else:
            m = re.fullmatch(r"backbone\.layers\.(\d+)\.(norm\.weight|mixer\.(.+))", key)
            if not m:
                raise ValueError(f"unexpected tensor {key}")
            i, rest, mixer_part = m.groups()
            if mixer_part is None:
                name = f"blocks.{i}.norm.weight"
            else:
                if not re.fullmatch(r"(in_proj|out_proj|conv1d)\.(weight|bias)|"
                                    r"x_proj\.weight|dt_proj\.(weight|bias)|A_log|D",
                                    mixer_part):
                    raise ValueError(f"unexpected tensor {key}")
                name = f"blocks.{i}.mamba.{mixer_part}"
        weights[name] = _to_numpy(value)
    return desc, weights


def _special_float(v, field):
    """A number of config.json: transformers 5 writes inf as
    {"__float__": "Infinity"}, older versions as the bare token Infinity
    (which Python's json reads as float("inf"))."""
    if isinstance(v, dict) and set(v) == {"__float__"}:
        tags = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}
        if v["__float__"] in tags:
            return tags[v["__float__"]]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{field}: expected a number, got {v!r}")
    return float(v)


# Mamba2Config's defaults (transformers 5.24), used when config.json leaves
# a field out.  NB n_groups 8 and tie_word_embeddings False, unlike the
# seqc mixer's n_groups default (1) and MambaConfig's tie default (True).
MAMBA2_CONFIG_DEFAULTS = {
    "num_heads": 128, "head_dim": 64, "state_size": 128, "n_groups": 8,
    "expand": 2, "conv_kernel": 4, "layer_norm_epsilon": 1e-5,
    "use_bias": False, "use_conv_bias": True, "hidden_act": "silu",
    "tie_word_embeddings": False, "time_step_limit": (0.0, math.inf),
}


def mamba2_to_seqc(config, state_dict, max_context=2048):
    """A Hugging Face Mamba-2 (config, state_dict) as (description, weights).

    Besides the fields it reads, rejects what would change the computation
    away from the document's mamba2: another activation, a dt clamp
    (time_step_limit other than (0, inf); transformers applies it in the
    chunked forward but not in its one-token step), and the mamba_ssm flags
    rms_norm = false / norm_before_gate = true, which transformers 5 ignores
    (it always gates, then normalizes).  Fields used only at initialization
    (time_step_min/max/floor, time_step_rank, initializer_range,
    rescale_prenorm_residual) or only for speed (chunk_size, residual_in_fp32
    in an f32 model) are ignored."""
    c = {**MAMBA2_CONFIG_DEFAULTS, **_config_dict(config)}
    if c.get("model_type", "mamba2") != "mamba2":
        raise ValueError(f"model_type: expected 'mamba2', got {c.get('model_type')!r}")
    if c["hidden_act"] != "silu":
        raise ValueError(f"hidden_act: {c['hidden_act']!r} not supported (silu only)")
    limit = c["time_step_limit"]
    if not isinstance(limit, (list, tuple)) or len(limit) != 2:
        raise ValueError(f"time_step_limit: expected [low, high], got {limit!r}")
    low, high = (_special_float(v, "time_step_limit") for v in limit)
    if not (low <= 0.0 and high == math.inf):     # softplus(.) > 0: (<=0, inf) is no clamp
        raise ValueError(f"time_step_limit: {list(limit)!r} not supported (only (0, inf))")
    if not c.get("rms_norm", True):
        raise ValueError("rms_norm: false is not supported (the gated RMSNorm is always applied)")
    if c.get("norm_before_gate", False):
        raise ValueError("norm_before_gate: true is not supported (gate, then normalize)")
    E = c["hidden_size"]
    H, P, G = c["num_heads"], c["head_dim"], c["n_groups"]
    if int(c["expand"] * E) != H * P:
        raise ValueError(f"expand: expand * hidden_size ({c['expand']} * {E}) != "
                         f"num_heads * head_dim ({H} * {P})")
    if G < 1 or H % G:
        raise ValueError(f"n_groups: {G} does not divide num_heads ({H})")
    tied = bool(c["tie_word_embeddings"])
    mixer = {"kind": "mamba2", "num_heads": H, "head_dim": P,
             "d_state": c["state_size"], "n_groups": G, "d_conv": c["conv_kernel"],
             "conv_bias": bool(c["use_conv_bias"]), "proj_bias": bool(c["use_bias"])}
    desc = {
        "format": "seqc-model",
        "version": 1,
        "name": "hf-mamba2",
        "vocab_size": c["vocab_size"],
        "d_model": E,
        "max_context": max_context,
        "norm_eps": float(c["layer_norm_epsilon"]),
        "tie_embeddings": tied,
        "blocks": [{"mixer": dict(mixer)} for _ in range(c["num_hidden_layers"])],
    }
    weights = {}
    for key, value in state_dict.items():
        if key == "backbone.embeddings.weight":
            name = "embed.weight"
        elif key == "backbone.norm_f.weight":
            name = "norm.weight"
        elif key == "lm_head.weight":
            if tied:
                continue
            name = "lm_head.weight"
        else:
            m = re.fullmatch(r"backbone\.layers\.(\d+)\.(norm\.weight|mixer\.(.+))", key)
            if not m:
                raise ValueError(f"unexpected tensor {key}")
            i, rest, mixer_part = m.groups()
            if mixer_part is None:
                name = f"blocks.{i}.norm.weight"
            else:
                if not re.fullmatch(r"(in_proj|out_proj|conv1d)\.(weight|bias)|"
                                    r"norm\.weight|dt_bias|A_log|D", mixer_part):
                    raise ValueError(f"unexpected tensor {key}")
                name = f"blocks.{i}.mamba2.{mixer_part}"
        weights[name] = _to_numpy(value)
    return desc, weights


# -------------------------------------------------------------- tiny models

def _perturb(model, seed):
    """Re-draw every parameter of `model` (see the module docstring)."""
    import torch
    g = torch.Generator().manual_seed(seed + 1000)

    def randn(shape):
        return torch.randn(shape, generator=g, dtype=torch.float32)

    def rand(shape):
        return torch.rand(shape, generator=g, dtype=torch.float32)

    with torch.no_grad():
        for name, p in model.named_parameters():      # tied ones appear once
            shape = p.shape
            if name.endswith("norm.weight") or name.endswith("norm_f.weight") \
                    or name.endswith("layernorm.weight"):
                v = 1.0 + 0.1 * randn(shape)
            elif "embed" in name:
                v = 0.5 * randn(shape)
            elif name.endswith("A_log"):
                v = torch.log(1.0 + 15.0 * rand(shape))
            elif name.endswith(".D"):
                v = 1.0 + 0.1 * randn(shape)
            elif name.endswith("dt_proj.bias") or name.endswith("mixer.dt_bias"):
                dt = torch.exp(math.log(1e-3) + rand(shape) * (math.log(1e-1) - math.log(1e-3)))
                v = torch.log(torch.expm1(dt))
            elif name.endswith(".bias"):
                v = 0.1 * randn(shape)
            elif name.endswith("x_proj.weight"):
                v = 1.5 / math.sqrt(shape[-1]) * randn(shape)     # B, C of order 1
            elif p.dim() in (2, 3):                               # projections, conv1d
                v = 1.0 / math.sqrt(shape[-1]) * randn(shape)
            else:
                raise AssertionError(f"no rule to perturb {name}")
            p.copy_(v)


def tiny_llama(seed, perturb=True, **overrides):
    """A small random LlamaForCausalLM (fp32, eager attention, eval mode)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    kw = dict(vocab_size=101, hidden_size=64, intermediate_size=128,
              num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
              max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
              tie_word_embeddings=False)
    kw.update(overrides)
    config = LlamaConfig(**kw)
    config._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config).to(torch.float32).eval()
    if perturb:
        _perturb(model, seed)
    return model, config


def tiny_mistral(seed, perturb=True, **overrides):
    """A small random MistralForCausalLM with a sliding window."""
    import torch
    from transformers import MistralConfig, MistralForCausalLM
    kw = dict(vocab_size=101, hidden_size=64, intermediate_size=128,
              num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
              max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
              sliding_window=5, tie_word_embeddings=False)
    kw.update(overrides)
    config = MistralConfig(**kw)
    config._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = MistralForCausalLM(config).to(torch.float32).eval()
    if perturb:
        _perturb(model, seed)
    return model, config


def tiny_mamba(seed, perturb=True, **overrides):
    """A small random MambaForCausalLM (fp32, eval mode: the pure-torch
    sequential scan on CPU).  Note MambaConfig ties the head by default."""
    import torch
    from transformers import MambaConfig, MambaForCausalLM
    kw = dict(vocab_size=67, hidden_size=32, state_size=8, num_hidden_layers=2,
              expand=2, conv_kernel=4, time_step_rank=3, use_bias=False,
              use_conv_bias=True, layer_norm_epsilon=1e-5)
    kw.update(overrides)
    config = MambaConfig(**kw)
    torch.manual_seed(seed)
    model = MambaForCausalLM(config).to(torch.float32).eval()
    if perturb:
        _perturb(model, seed)
    return model, config


def tiny_mamba2(seed, perturb=True, **overrides):
    """A small random Mamba2ForCausalLM (fp32, eval mode: on CPU without
    mamba_ssm, the pure-torch chunked scan).  Keep num_heads * head_dim ==
    expand * hidden_size (Mamba2Config checks it).  Mamba2Config does not
    tie the head by default."""
    import torch
    from transformers import Mamba2Config, Mamba2ForCausalLM
    kw = dict(vocab_size=80, hidden_size=32, num_heads=4, head_dim=16, expand=2,
              state_size=16, n_groups=2, conv_kernel=4, num_hidden_layers=2,
              use_bias=False, use_conv_bias=True, layer_norm_epsilon=1e-5,
              tie_word_embeddings=False)
    kw.update(overrides)
    config = Mamba2Config(**kw)
    torch.manual_seed(seed)
    model = Mamba2ForCausalLM(config).to(torch.float32).eval()
    if perturb:
        _perturb(model, seed)
    return model, config


def hf_logits(model, tokens):
    """The model's logits for `tokens` [B, L], float64 NumPy."""
    import torch
    with torch.no_grad():
        out = model(input_ids=torch.as_tensor(np.asarray(tokens), dtype=torch.long),
                    use_cache=False)
    return out.logits.to(torch.float64).cpu().numpy()
