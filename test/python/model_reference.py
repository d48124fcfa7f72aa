"""Float64 NumPy reference of the `seqc-model` format (docs/models.md).

Written from the document alone, plainly rather than fast: explicit masks
for attention, a loop over time for the Mamba and Mamba-2 scans, GLA's
recurrence, the LSTM and GRU cells and the causal convolution, float64
throughout.

    normalize_description(d) -> d with every default filled in (validated)
    weight_shapes(d)         -> {name: shape} of every weight the model needs
    random_weights(d, seed)  -> {name: float32 array}, a well-behaved model
    reference_logits(d, weights, tokens[B, L]) -> float64 [B, L, vocab]
        (with input_dim: features[B, L, input_dim] in place of tokens)
    reference_mixer(d, weights, i, x[B, L, d_model]) -> block i's mixer alone

`reference_logits` is a whole forward from position 0: query i sits at
absolute position p = i.  Since the model is causal, the logits of a prefix
are the first rows of the logits of the whole sequence, so a test of
incremental decoding compares step t against row t of the full forward.
"""

import math
import re

import numpy as np


class DescriptionError(ValueError):
    """A description that breaks a rule of docs/models.md; the message
    names the field by its path."""


_TOP_FIELDS = {"format", "version", "name", "vocab_size", "d_model",
               "max_context", "norm_eps", "tie_embeddings", "input_dim",
               "blocks"}
_BLOCK_FIELDS = {"mixer", "mlp"}
_ATTN_FIELDS = {"kind", "num_heads", "num_kv_heads", "head_dim", "rope_theta",
                "window", "chunk"}
_MAMBA_FIELDS = {"kind", "d_inner", "d_state", "d_conv", "dt_rank",
                 "conv_bias", "proj_bias"}
_MAMBA2_FIELDS = {"kind", "num_heads", "head_dim", "d_state", "n_groups",
                  "d_conv", "conv_bias", "proj_bias"}
_GLA_FIELDS = {"kind", "num_heads", "head_dim", "gate_normalizer"}
_GDN_FIELDS = {"kind", "num_heads", "head_dim", "value_head_dim", "conv_size"}
_MLSTM_FIELDS = {"kind", "num_heads", "head_dim"}
_RNN_FIELDS = {"kind", "num_heads"}                    # lstm and gru
_CONV_FIELDS = {"kind", "kernel", "dilation", "activation"}
_MLP_FIELDS = {"kind", "hidden"}
CONV_ACTIVATIONS = ("none", "silu", "relu", "gelu", "tanh")
MIXER_KINDS = ("attention", "mamba", "mamba2", "gla", "gated_deltanet", "mlstm",
               "lstm", "gru", "conv")


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_fields(obj, allowed, path):
    if not isinstance(obj, dict):
        raise DescriptionError(f"{path}: expected an object")
    for key in obj:
        if key not in allowed:
            where = f"{path}.{key}" if path else key
            raise DescriptionError(f"{where}: unknown field")


def _int(obj, key, path, minimum=1, default=None, required=False, maximum=None):
    where = f"{path}.{key}" if path else key
    if key not in obj:
        if required:
            raise DescriptionError(f"{where}: required")
        return default
    v = obj[key]
    if not _is_int(v):
        raise DescriptionError(f"{where}: expected an integer")
    if v < minimum:
        raise DescriptionError(f"{where}: expected an integer >= {minimum}")
    if maximum is not None and v > maximum:
        raise DescriptionError(f"{where}: expected an integer from {minimum} to {maximum}")
    return v


def _bool(obj, key, path, default):
    where = f"{path}.{key}" if path else key
    v = obj.get(key, default)
    if not isinstance(v, bool):
        raise DescriptionError(f"{where}: expected a boolean")
    return v


def _attention(m, d_model, path):
    _check_fields(m, _ATTN_FIELDS, path)
    nh = _int(m, "num_heads", path, required=True)
    nkv = _int(m, "num_kv_heads", path, default=nh)
    if nh % nkv:
        raise DescriptionError(f"{path}.num_kv_heads: must divide num_heads ({nh})")
    if "head_dim" in m:
        hd = _int(m, "head_dim", path)
    else:
        if d_model % nh:
            raise DescriptionError(
                f"{path}.head_dim: d_model ({d_model}) is not a multiple of "
                f"num_heads ({nh}); give head_dim")
        hd = d_model // nh
    theta = m.get("rope_theta", 10000.0)
    if theta is not None:
        if not _is_number(theta) or not theta > 0:
            raise DescriptionError(f"{path}.rope_theta: expected a number > 0 or null")
        theta = float(theta)
        if hd % 2:
            raise DescriptionError(f"{path}.head_dim: must be even with RoPE")
    window = m.get("window")
    chunk = m.get("chunk")
    if window is not None:
        window = _int(m, "window", path)
    if chunk is not None:
        chunk = _int(m, "chunk", path)
    if window is not None and chunk is not None:
        raise DescriptionError(f"{path}.chunk: not allowed with window")
    return {"kind": "attention", "num_heads": nh, "num_kv_heads": nkv,
            "head_dim": hd, "rope_theta": theta, "window": window,
            "chunk": chunk}


def _mamba(m, d_model, path):
    _check_fields(m, _MAMBA_FIELDS, path)
    return {"kind": "mamba",
            "d_inner": _int(m, "d_inner", path, default=2 * d_model),
            "d_state": _int(m, "d_state", path, default=16),
            "d_conv": _int(m, "d_conv", path, minimum=2, default=4),
            "dt_rank": _int(m, "dt_rank", path, default=math.ceil(d_model / 16)),
            "conv_bias": _bool(m, "conv_bias", path, True),
            "proj_bias": _bool(m, "proj_bias", path, False)}


def _mamba2(m, d_model, path):
    _check_fields(m, _MAMBA2_FIELDS, path)
    nh = _int(m, "num_heads", path, required=True)
    groups = _int(m, "n_groups", path, default=1)
    if nh % groups:
        raise DescriptionError(f"{path}.n_groups: must divide num_heads ({nh})")
    return {"kind": "mamba2",
            "num_heads": nh,
            "head_dim": _int(m, "head_dim", path, default=64),
            "d_state": _int(m, "d_state", path, default=128),
            "n_groups": groups,
            "d_conv": _int(m, "d_conv", path, minimum=2, default=4),
            "conv_bias": _bool(m, "conv_bias", path, True),
            "proj_bias": _bool(m, "proj_bias", path, False)}


def _heads_dividing(m, d_model, path, required):
    nh = _int(m, "num_heads", path, default=1, required=required)
    if d_model % nh:
        raise DescriptionError(
            f"{path}.num_heads: must divide d_model ({d_model}), got {nh}")
    return nh


def _gla(m, d_model, path):
    _check_fields(m, _GLA_FIELDS, path)
    nh = _heads_dividing(m, d_model, path, required=True)
    gn = m.get("gate_normalizer", 16.0)
    if not _is_number(gn) or not gn > 0:
        raise DescriptionError(f"{path}.gate_normalizer: expected a number > 0")
    return {"kind": "gla", "num_heads": nh,
            "head_dim": _int(m, "head_dim", path, default=d_model // nh),
            "gate_normalizer": float(gn)}


def _gated_deltanet(m, d_model, path):
    _check_fields(m, _GDN_FIELDS, path)
    nh = _heads_dividing(m, d_model, path, required=True)
    dk = _int(m, "head_dim", path, default=d_model // nh)
    return {"kind": "gated_deltanet", "num_heads": nh, "head_dim": dk,
            "value_head_dim": _int(m, "value_head_dim", path, default=2 * dk),
            "conv_size": _int(m, "conv_size", path, minimum=2, default=4,
                              maximum=64)}


def _mlstm(m, d_model, path):
    _check_fields(m, _MLSTM_FIELDS, path)
    nh = _heads_dividing(m, d_model, path, required=True)
    return {"kind": "mlstm", "num_heads": nh,
            "head_dim": _int(m, "head_dim", path, default=d_model // nh)}


def _rnn(m, d_model, path):
    _check_fields(m, _RNN_FIELDS, path)
    return {"kind": m["kind"],
            "num_heads": _heads_dividing(m, d_model, path, required=False)}


def _conv(m, path):
    _check_fields(m, _CONV_FIELDS, path)
    act = m.get("activation", "gelu")
    if act not in CONV_ACTIVATIONS:                 # also catches non-strings
        raise DescriptionError(
            f"{path}.activation: expected one of "
            + ", ".join(f'"{a}"' for a in CONV_ACTIVATIONS))
    return {"kind": "conv",
            "kernel": _int(m, "kernel", path, required=True, maximum=64),
            "dilation": _int(m, "dilation", path, default=1, maximum=4096),
            "activation": act}


def _mlp(m, path):
    if m is None:
        return None
    _check_fields(m, _MLP_FIELDS, path)
    kind = m.get("kind")
    if kind not in ("swiglu", "gelu"):
        raise DescriptionError(f"{path}.kind: expected \"swiglu\" or \"gelu\"")
    return {"kind": kind, "hidden": _int(m, "hidden", path, required=True)}


def normalize_description(desc):
    """A copy of `desc` with every default of docs/models.md filled in.
    Raises DescriptionError for anything the document forbids."""
    _check_fields(desc, _TOP_FIELDS, "")
    if desc.get("format") != "seqc-model":
        raise DescriptionError('format: expected "seqc-model"')
    if not _is_int(desc.get("version")) or desc["version"] != 1:
        raise DescriptionError("version: expected 1")
    name = desc.get("name", "model")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise DescriptionError("name: expected letters, digits, '_' or '-'")
    d_model = _int(desc, "d_model", "", required=True)
    out = {
        "format": "seqc-model",
        "version": 1,
        "name": name,
        "vocab_size": _int(desc, "vocab_size", "", required=True),
        "d_model": d_model,
        "max_context": _int(desc, "max_context", "", default=2048),
        "norm_eps": desc.get("norm_eps", 1e-5),
        "tie_embeddings": _bool(desc, "tie_embeddings", "", False),
    }
    # Absent (token ids) unless given: normalizing twice changes nothing.
    if "input_dim" in desc:
        out["input_dim"] = _int(desc, "input_dim", "")
        if out["tie_embeddings"]:
            raise DescriptionError("tie_embeddings: expected false with input_dim")
    if not _is_number(out["norm_eps"]) or not out["norm_eps"] > 0:
        raise DescriptionError("norm_eps: expected a number > 0")
    out["norm_eps"] = float(out["norm_eps"])
    blocks = desc.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        raise DescriptionError("blocks: expected a non-empty array")
    out["blocks"] = []
    for i, b in enumerate(blocks):
        path = f"blocks[{i}]"
        _check_fields(b, _BLOCK_FIELDS, path)
        if "mixer" not in b:
            raise DescriptionError(f"{path}.mixer: required")
        m = b["mixer"]
        _check_fields(m, _ATTN_FIELDS | _MAMBA_FIELDS | _MAMBA2_FIELDS |
                      _GLA_FIELDS | _GDN_FIELDS | _MLSTM_FIELDS | _RNN_FIELDS |
                      _CONV_FIELDS,
                      f"{path}.mixer")
        kind = m.get("kind")
        if kind == "attention":
            mixer = _attention(m, d_model, f"{path}.mixer")
        elif kind == "mamba":
            mixer = _mamba(m, d_model, f"{path}.mixer")
        elif kind == "mamba2":
            mixer = _mamba2(m, d_model, f"{path}.mixer")
        elif kind == "gla":
            mixer = _gla(m, d_model, f"{path}.mixer")
        elif kind == "gated_deltanet":
            mixer = _gated_deltanet(m, d_model, f"{path}.mixer")
        elif kind == "mlstm":
            mixer = _mlstm(m, d_model, f"{path}.mixer")
        elif kind in ("lstm", "gru"):
            mixer = _rnn(m, d_model, f"{path}.mixer")
        elif kind == "conv":
            mixer = _conv(m, f"{path}.mixer")
        else:
            raise DescriptionError(
                f"{path}.mixer.kind: expected one of "
                + ", ".join(f'"{k}"' for k in MIXER_KINDS))
        out["blocks"].append({"mixer": mixer, "mlp": _mlp(b.get("mlp"), f"{path}.mlp")})
    return out


def weight_shapes(desc):
    """{name: shape} of every weight the model reads (docs/models.md table)."""
    d = normalize_description(desc)
    V, E = d["vocab_size"], d["d_model"]
    if d.get("input_dim"):
        # Feature vectors: a projection to d_model.
        shapes = {"embed.weight": (E, d["input_dim"]), "embed.bias": (E,)}
    else:
        shapes = {"embed.weight": (V, E)}
    for i, b in enumerate(d["blocks"]):
        p = f"blocks.{i}."
        shapes[p + "norm.weight"] = (E,)
        m = b["mixer"]
        if m["kind"] == "attention":
            H, Hkv, hd = m["num_heads"], m["num_kv_heads"], m["head_dim"]
            shapes[p + "attn.q_proj.weight"] = (H * hd, E)
            shapes[p + "attn.k_proj.weight"] = (Hkv * hd, E)
            shapes[p + "attn.v_proj.weight"] = (Hkv * hd, E)
            shapes[p + "attn.o_proj.weight"] = (E, H * hd)
        elif m["kind"] == "gla":
            H, dk = m["num_heads"], m["head_dim"]
            for proj in ("q_proj", "k_proj", "gk_proj"):
                shapes[p + f"gla.{proj}.weight"] = (H * dk, E)
            for proj in ("v_proj", "g_proj", "o_proj"):
                shapes[p + f"gla.{proj}.weight"] = (E, E)
            shapes[p + "gla.o_norm.weight"] = (E // H,)
        elif m["kind"] == "mlstm":
            H, dk = m["num_heads"], m["head_dim"]
            shapes[p + "mlstm.q_proj.weight"] = (H * dk, E)
            shapes[p + "mlstm.k_proj.weight"] = (H * dk, E)
            for proj in ("v_proj", "og_proj", "o_proj"):
                shapes[p + f"mlstm.{proj}.weight"] = (E, E)
            for gate in ("igate", "fgate"):
                shapes[p + f"mlstm.{gate}.weight"] = (H, E)
                shapes[p + f"mlstm.{gate}.bias"] = (H,)
            shapes[p + "mlstm.o_norm.weight"] = (E // H,)
        elif m["kind"] == "gated_deltanet":
            H, dk, dv = m["num_heads"], m["head_dim"], m["value_head_dim"]
            K = m["conv_size"]
            for name, rows in (("q", H * dk), ("k", H * dk), ("v", H * dv)):
                shapes[p + f"gdn.{name}_proj.weight"] = (rows, E)
                shapes[p + f"gdn.{name}_conv1d.weight"] = (rows, 1, K)
            for proj in ("b_proj", "a_proj"):
                shapes[p + f"gdn.{proj}.weight"] = (H, E)
            shapes[p + "gdn.A_log"] = (H,)
            shapes[p + "gdn.dt_bias"] = (H,)
            shapes[p + "gdn.g_proj.weight"] = (H * dv, E)
            shapes[p + "gdn.o_norm.weight"] = (dv,)
            shapes[p + "gdn.o_proj.weight"] = (E, H * dv)
        elif m["kind"] in ("lstm", "gru"):
            nG = 4 if m["kind"] == "lstm" else 3
            q = p + m["kind"] + "."
            shapes[q + "weight_ih"] = (nG * E, E)
            shapes[q + "weight_hh"] = (nG * E, E // m["num_heads"])
            shapes[q + "bias_ih"] = (nG * E,)
            shapes[q + "bias_hh"] = (nG * E,)
        elif m["kind"] == "conv":
            shapes[p + "conv.weight"] = (E, 1, m["kernel"])
            shapes[p + "conv.bias"] = (E,)
        elif m["kind"] == "mamba2":
            H, P, N, G, K = (m["num_heads"], m["head_dim"], m["d_state"],
                             m["n_groups"], m["d_conv"])
            Di = H * P                                  # E of the document
            conv_dim = Di + 2 * G * N
            q = p + "mamba2."
            shapes[q + "in_proj.weight"] = (2 * Di + 2 * G * N + H, E)
            if m["proj_bias"]:
                shapes[q + "in_proj.bias"] = (2 * Di + 2 * G * N + H,)
            shapes[q + "conv1d.weight"] = (conv_dim, 1, K)
            if m["conv_bias"]:
                shapes[q + "conv1d.bias"] = (conv_dim,)
            shapes[q + "dt_bias"] = (H,)
            shapes[q + "A_log"] = (H,)
            shapes[q + "D"] = (H,)
            shapes[q + "norm.weight"] = (Di,)
            shapes[q + "out_proj.weight"] = (E, Di)
            if m["proj_bias"]:
                shapes[q + "out_proj.bias"] = (E,)
        else:
            Di, N, K, R = m["d_inner"], m["d_state"], m["d_conv"], m["dt_rank"]
            shapes[p + "mamba.in_proj.weight"] = (2 * Di, E)
            if m["proj_bias"]:
                shapes[p + "mamba.in_proj.bias"] = (2 * Di,)
            shapes[p + "mamba.conv1d.weight"] = (Di, 1, K)
            if m["conv_bias"]:
                shapes[p + "mamba.conv1d.bias"] = (Di,)
            shapes[p + "mamba.x_proj.weight"] = (R + 2 * N, Di)
            shapes[p + "mamba.dt_proj.weight"] = (Di, R)
            shapes[p + "mamba.dt_proj.bias"] = (Di,)
            shapes[p + "mamba.A_log"] = (Di, N)
            shapes[p + "mamba.D"] = (Di,)
            shapes[p + "mamba.out_proj.weight"] = (E, Di)
            if m["proj_bias"]:
                shapes[p + "mamba.out_proj.bias"] = (E,)
        if b["mlp"] is not None:
            F = b["mlp"]["hidden"]
            shapes[p + "mlp_norm.weight"] = (E,)
            if b["mlp"]["kind"] == "swiglu":
                shapes[p + "mlp.gate_proj.weight"] = (F, E)
            shapes[p + "mlp.up_proj.weight"] = (F, E)
            shapes[p + "mlp.down_proj.weight"] = (E, F)
    shapes["norm.weight"] = (E,)
    if not d["tie_embeddings"]:
        shapes["lm_head.weight"] = (V, E)
    return shapes


def random_weights(desc, seed, scale=1.0):
    """Every weight of `desc`, float32, drawn so that the model is
    numerically well-behaved and every path matters (a wrong RoPE, scan or
    mask changes the logits by a good fraction of their size, not by 1e-5):

      embed.weight           0.5 * normal
      norms                  1 + 0.1 * normal
      projections [out, in]  normal * scale / sqrt(in)   (x_proj: 1.5 times,
                             so that Mamba's B and C are O(1))
      conv1d.weight          normal * scale / sqrt(d_conv)
      biases                 0.1 * scale * normal
      A_log                  log(U(1, 16))
      dt_proj.bias, dt_bias  softplus^-1 of a log-uniform dt in [0.001, 0.1]
                             (Mamba-2's and Gated DeltaNet's alike)
      D                      1 + 0.1 * normal
      lstm/gru weight_hh     normal * scale / sqrt(d_model / num_heads) (its
                             [out, in] rule: each head's block is O(1))
      lstm/gru bias_ih,      0.1 * scale * normal, and + 1 on bias_ih of the
        bias_hh              lstm's forget gate f and the gru's update gate z
                             (rows d_model..2*d_model), so that the state is
                             kept for several steps rather than half-erased
                             at each one

    GLA needs nothing special: its projections' rule makes gk_proj(x) about
    N(0, 1), so the per-step decay exp(logsigmoid(.) / 16) is about 0.95
    (memory of tens of steps), and the per-head o_norm fixes the scale of
    the output however large the state grows.
    """
    d = normalize_description(desc)
    E = d["d_model"]
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in weight_shapes(desc).items():
        leaf = name.split(".")[-2:]
        if name == "embed.weight" and not d.get("input_dim"):
            w = 0.5 * rng.standard_normal(shape)
        elif name.endswith("norm.weight"):
            w = 1.0 + 0.1 * rng.standard_normal(shape)
        elif name.endswith("A_log"):
            w = np.log(rng.uniform(1.0, 16.0, shape))
        elif name.endswith("mamba.D") or name.endswith("mamba2.D"):
            w = 1.0 + 0.1 * rng.standard_normal(shape)
        elif leaf == ["dt_proj", "bias"] or leaf[1] == "dt_bias":
            dt = np.exp(rng.uniform(math.log(1e-3), math.log(1e-1), shape))
            w = np.log(np.expm1(dt))                  # softplus(w) == dt
        elif name.endswith(".bias"):
            w = 0.1 * scale * rng.standard_normal(shape)
        elif leaf[1] in ("bias_ih", "bias_hh"):              # lstm, gru
            w = 0.1 * scale * rng.standard_normal(shape)
            if leaf[1] == "bias_ih":
                w[E:2 * E] += 1.0            # lstm gate f, gru gate z
        else:                          # [out, in] projections and the conv
            gain = 1.5 if leaf == ["x_proj", "weight"] else 1.0
            w = gain * scale / math.sqrt(shape[-1]) * rng.standard_normal(shape)
        out[name] = np.asarray(w, dtype=np.float32)
    return out


# ---------------------------------------------------------------- the math

def _linear(x, w, b=None):
    y = x @ np.asarray(w, dtype=np.float64).T
    if b is not None:
        y = y + np.asarray(b, dtype=np.float64)
    return y


def _ssm_input(key, value):
    """An input of a scan (x, dt, B or C of a Mamba block, under its key,
    "blocks.0.mamba.x"), as is: the point where --quantize=int8-ssm
    quantizes it (quantization_reference.int8_ssm)."""
    return value


def _output_projection(y, w, prefix):
    """A Mamba block's out_proj: where int8-ssm rotates."""
    return _linear(y, w[prefix + "out_proj.weight"], w.get(prefix + "out_proj.bias"))


def _rms(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def _silu(x):
    return x / (1.0 + np.exp(-x))


def _softplus(x):
    # log(1 + e^x), without overflow for large x
    return np.where(x > 30.0, x, np.log1p(np.exp(np.minimum(x, 30.0))))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _rope(x, positions, theta):
    """x: [B, H, L, hd]; rotate-half RoPE at absolute `positions` [L]."""
    hd = x.shape[-1]
    h = hd // 2
    j = np.arange(h, dtype=np.float64)
    freq = theta ** (-2.0 * j / hd)                       # f_j
    a = positions.astype(np.float64)[:, None] * freq[None, :]   # [L, h]
    cos, sin = np.cos(a), np.sin(a)
    x1, x2 = x[..., :h], x[..., h:]
    return np.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1)


def attention_mask(Lq, Lk, window=None, chunk=None, start=None):
    """visible[i, j] for causal attention, query i at p = i + Lk - Lq
    (or start + i): j <= p; p - W < j with a window; same chunk with chunk."""
    p = np.arange(Lq)[:, None] + (Lk - Lq if start is None else start)
    j = np.arange(Lk)[None, :]
    visible = j <= p
    if window is not None:
        visible &= p - window < j
    if chunk is not None:
        visible &= (j // chunk) == (p // chunk)
    return visible


def _attention_mixer(x, w, m, prefix):
    B, L, _ = x.shape
    H, Hkv, hd = m["num_heads"], m["num_kv_heads"], m["head_dim"]
    q = _linear(x, w[prefix + "q_proj.weight"]).reshape(B, L, H, hd).transpose(0, 2, 1, 3)
    k = _linear(x, w[prefix + "k_proj.weight"]).reshape(B, L, Hkv, hd).transpose(0, 2, 1, 3)
    v = _linear(x, w[prefix + "v_proj.weight"]).reshape(B, L, Hkv, hd).transpose(0, 2, 1, 3)
    positions = np.arange(L)                                  # p = i from 0
    if m["rope_theta"] is not None:
        q = _rope(q, positions, m["rope_theta"])
        k = _rope(k, positions, m["rope_theta"])
    visible = attention_mask(L, L, m["window"], m["chunk"])
    group = H // Hkv
    out = np.zeros((B, H, L, hd))
    for b in range(B):
        for g in range(H):
            s = (q[b, g] @ k[b, g // group].T) / math.sqrt(hd)      # [L, L]
            s = np.where(visible, s, -np.inf)
            rowmax = s.max(axis=-1, keepdims=True)
            e = np.where(visible, np.exp(s - rowmax), 0.0)
            out[b, g] = (e / e.sum(axis=-1, keepdims=True)) @ v[b, g // group]
    out = out.transpose(0, 2, 1, 3).reshape(B, L, H * hd)
    return _linear(out, w[prefix + "o_proj.weight"])


def _mamba_mixer(x, w, m, prefix):
    B, L, _ = x.shape
    Di, N, K, R = m["d_inner"], m["d_state"], m["d_conv"], m["dt_rank"]
    proj = _linear(x, w[prefix + "in_proj.weight"], w.get(prefix + "in_proj.bias"))
    u, z = proj[..., :Di], proj[..., Di:]
    # causal depthwise conv: c[t] = bias + sum_j w[:, 0, j] * u[t - (K-1-j)]
    cw = np.asarray(w[prefix + "conv1d.weight"], dtype=np.float64)   # [Di, 1, K]
    conv = np.zeros_like(u)
    if m["conv_bias"]:
        conv += np.asarray(w[prefix + "conv1d.bias"], dtype=np.float64)
    for t in range(L):
        for j in range(K):
            s = t - (K - 1 - j)
            if s >= 0:
                conv[:, t, :] += cw[:, 0, j] * u[:, s, :]
    u = _silu(conv)
    xp = _linear(u, w[prefix + "x_proj.weight"])
    dt, Bm, Cm = xp[..., :R], xp[..., R:R + N], xp[..., R + N:R + 2 * N]
    # x_proj read u as it was; the scan reads its inputs through the hook.
    u = _ssm_input(prefix + "x", u)
    Bm, Cm = _ssm_input(prefix + "B", Bm), _ssm_input(prefix + "C", Cm)
    delta = _ssm_input(prefix + "dt", _linear(dt, w[prefix + "dt_proj.weight"]))
    delta = _softplus(delta + np.asarray(w[prefix + "dt_proj.bias"], dtype=np.float64))
    A = -np.exp(np.asarray(w[prefix + "A_log"], dtype=np.float64))          # [Di, N]
    D = np.asarray(w[prefix + "D"], dtype=np.float64)
    h = np.zeros((B, Di, N))
    y = np.zeros((B, L, Di))
    for t in range(L):
        dtt = delta[:, t, :, None]                                          # [B, Di, 1]
        h = np.exp(dtt * A) * h + dtt * Bm[:, t, None, :] * u[:, t, :, None]
        y[:, t, :] = np.sum(Cm[:, t, None, :] * h, axis=-1) + D * u[:, t, :]
    y = y * _silu(z)
    return _output_projection(y, w, prefix)


def mamba2_head_groups(num_heads, n_groups):
    """The group of B and C that each head reads: h / (H / G)."""
    return np.arange(num_heads) // (num_heads // n_groups)


def gated_rms_grouped(y, z, weight, n_groups, eps):
    """rms_grouped(y * silu(z), weight): an RMSNorm over each of the
    `n_groups` contiguous groups of the last dimension, then the weight."""
    g = y * _silu(z)
    shape = g.shape
    g = g.reshape(*shape[:-1], n_groups, shape[-1] // n_groups)
    g = g / np.sqrt(np.mean(g * g, axis=-1, keepdims=True) + eps)
    return g.reshape(shape) * weight


def _mamba2_mixer(x, w, m, prefix, eps):
    Bsz, L, _ = x.shape
    H, P, N, G, K = m["num_heads"], m["head_dim"], m["d_state"], m["n_groups"], m["d_conv"]
    E = H * P
    GN = G * N
    proj = _linear(x, w[prefix + "in_proj.weight"], w.get(prefix + "in_proj.bias"))
    z, xbc, dt = proj[..., :E], proj[..., E:2 * E + 2 * GN], proj[..., 2 * E + 2 * GN:]
    assert dt.shape[-1] == H
    # causal depthwise conv over the E + 2GN channels of xBC, as for mamba
    cw = np.asarray(w[prefix + "conv1d.weight"], dtype=np.float64)   # [E+2GN, 1, K]
    conv = np.zeros_like(xbc)
    if m["conv_bias"]:
        conv += np.asarray(w[prefix + "conv1d.bias"], dtype=np.float64)
    for t in range(L):
        for j in range(K):
            s = t - (K - 1 - j)
            if s >= 0:
                conv[:, t, :] += cw[:, 0, j] * xbc[:, s, :]
    xbc = _silu(conv)
    u = _ssm_input(prefix + "x", xbc[..., :E]).reshape(Bsz, L, H, P)
    Bm = _ssm_input(prefix + "B", xbc[..., E:E + GN]).reshape(Bsz, L, G, N)
    Cm = _ssm_input(prefix + "C", xbc[..., E + GN:]).reshape(Bsz, L, G, N)
    dt = _softplus(_ssm_input(prefix + "dt", dt) + np.asarray(w[prefix + "dt_bias"], dtype=np.float64))   # [B, L, H]
    A = -np.exp(np.asarray(w[prefix + "A_log"], dtype=np.float64))             # [H]
    D = np.asarray(w[prefix + "D"], dtype=np.float64)                          # [H]
    group = mamba2_head_groups(H, G)
    S = np.zeros((Bsz, H, N, P))                                               # state [N, P] per head
    y = np.zeros((Bsz, L, H, P))
    for t in range(L):
        for h in range(H):
            g = group[h]
            a = np.exp(dt[:, t, h] * A[h])[:, None, None]                     # [B, 1, 1]
            outer = Bm[:, t, g, :, None] * u[:, t, h, None, :]                # B_t^T u_t: [B, N, P]
            S[:, h] = a * S[:, h] + dt[:, t, h, None, None] * outer
            y[:, t, h] = np.einsum("bn,bnp->bp", Cm[:, t, g], S[:, h]) + D[h] * u[:, t, h]
    y = gated_rms_grouped(y.reshape(Bsz, L, E), z, w[prefix + "norm.weight"], G, eps)
    return _output_projection(y, w, prefix)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logsigmoid(x):
    return -_softplus(-x)


def _gla_mixer(x, w, m, prefix, eps):
    """Gated linear attention, the recurrent form, one step at a time."""
    B, L, E = x.shape
    H, dk = m["num_heads"], m["head_dim"]
    dv = E // H
    q = _linear(x, w[prefix + "q_proj.weight"]).reshape(B, L, H, dk)
    k = _linear(x, w[prefix + "k_proj.weight"]).reshape(B, L, H, dk)
    v = _linear(x, w[prefix + "v_proj.weight"]).reshape(B, L, H, dv)
    g = _logsigmoid(_linear(x, w[prefix + "gk_proj.weight"])) / m["gate_normalizer"]
    g = g.reshape(B, L, H, dk)                                  # log of the decay
    S = np.zeros((B, H, dk, dv))                                # keys index rows
    o = np.zeros((B, L, H, dv))
    for t in range(L):
        decay = np.exp(g[:, t])[:, :, :, None]                  # exp(g_t)^T: [B, H, dk, 1]
        kv = k[:, t, :, :, None] * v[:, t, :, None, :]          # k_t^T v_t: [B, H, dk, dv]
        S = decay * S + kv
        o[:, t] = dk ** -0.5 * np.einsum("bhk,bhkv->bhv", q[:, t], S)
    o = _rms(o, w[prefix + "o_norm.weight"], eps)                # per head, over dv
    o = o.reshape(B, L, E) * _silu(_linear(x, w[prefix + "g_proj.weight"]))
    return _linear(o, w[prefix + "o_proj.weight"])


def _short_conv_silu(x, cw):
    """silu(sum_j cw[:, 0, j] * x[t - (K-1-j)]), zeros before position 0."""
    K = cw.shape[2]
    y = np.zeros_like(x)
    for t in range(x.shape[1]):
        for j in range(K):
            s = t - (K - 1 - j)
            if s >= 0:
                y[:, t, :] += cw[:, 0, j] * x[:, s, :]
    return _silu(y)


def _gated_deltanet_mixer(x, w, m, prefix, eps):
    """Gated DeltaNet, the recurrent form (Yang et al., 2025, eq. 10): per
    head, S_t = a_t S_{t-1} (I - beta_t k_t k_tᵀ) + beta_t v_t k_tᵀ with S
    [dv, dk] as in the paper, o_t = S_t q_t / sqrt(dk); written here with
    S [dv, dk] and matrix products, independently of seq.linear_attention's
    [dk, dv] convention."""
    B, L, E = x.shape
    H, dk, dv = m["num_heads"], m["head_dim"], m["value_head_dim"]

    def conv(name):
        return _short_conv_silu(_linear(x, w[prefix + name + "_proj.weight"]),
                                w[prefix + name + "_conv1d.weight"])

    def unit(t):
        return t / np.sqrt(np.sum(t * t, axis=-1, keepdims=True) + 1e-6)

    q = unit(conv("q").reshape(B, L, H, dk))
    k = unit(conv("k").reshape(B, L, H, dk))
    v = conv("v").reshape(B, L, H, dv)
    beta = _sigmoid(_linear(x, w[prefix + "b_proj.weight"]))          # [B, L, H]
    a = np.exp(-np.exp(w[prefix + "A_log"]) *
               _softplus(_linear(x, w[prefix + "a_proj.weight"]) + w[prefix + "dt_bias"]))
    S = np.zeros((B, H, dv, dk))
    o = np.zeros((B, L, H, dv))
    eye = np.eye(dk)
    for t in range(L):
        kt, vt, qt = k[:, t], v[:, t], q[:, t]                        # [B, H, d]
        kk = kt[..., :, None] * kt[..., None, :]                       # k kᵀ: [B, H, dk, dk]
        bt = beta[:, t][..., None, None]
        S = a[:, t][..., None, None] * S @ (eye - bt * kk) + bt * (vt[..., :, None] * kt[..., None, :])
        o[:, t] = np.einsum("bhvk,bhk->bhv", S, qt) / np.sqrt(dk)
    o = _rms(o, w[prefix + "o_norm.weight"], eps)                       # per head, over dv
    gate = _linear(x, w[prefix + "g_proj.weight"]).reshape(B, L, H, dv)
    return _linear((o * _silu(gate)).reshape(B, L, H * dv), w[prefix + "o_proj.weight"])


def _mlstm_mixer(x, w, m, prefix, eps):
    """mLSTM (Beck et al., 2024, eqs. 19-27), per head with C [dv, dk] and
    n [dk] as in the paper: C_t = f_t C_{t-1} + i_t v_t k_tᵀ,
    n_t = f_t n_{t-1} + i_t k_t, h_t = C_t q_t / max(|n_tᵀ q_t|, 1), with
    k_t scaled by 1/sqrt(dk), f_t = sigmoid and i_t = exp of the gate
    pre-activations soft-capped at 15 (15·tanh(a/15)); no running-max
    stabilizer (the cap keeps exp finite)."""
    B, L, E = x.shape
    H, dk = m["num_heads"], m["head_dim"]
    dv = E // H

    def cap(a):
        return 15.0 * np.tanh(a / 15.0)

    q = _linear(x, w[prefix + "q_proj.weight"]).reshape(B, L, H, dk)
    k = _linear(x, w[prefix + "k_proj.weight"]).reshape(B, L, H, dk) / np.sqrt(dk)
    v = _linear(x, w[prefix + "v_proj.weight"]).reshape(B, L, H, dv)
    i = np.exp(cap(_linear(x, w[prefix + "igate.weight"], w[prefix + "igate.bias"])))
    f = _sigmoid(cap(_linear(x, w[prefix + "fgate.weight"], w[prefix + "fgate.bias"])))
    C = np.zeros((B, H, dv, dk))
    n = np.zeros((B, H, dk))
    h = np.zeros((B, L, H, dv))
    for t in range(L):
        ft, it = f[:, t][..., None], i[:, t][..., None]                 # [B, H, 1]
        C = ft[..., None] * C + it[..., None] * v[:, t][..., :, None] * k[:, t][..., None, :]
        n = ft * n + it * k[:, t]
        num = np.einsum("bhvk,bhk->bhv", C, q[:, t])
        den = np.maximum(np.abs(np.sum(n * q[:, t], axis=-1)), 1.0)[..., None]
        h[:, t] = num / den
    h = _rms(h, w[prefix + "o_norm.weight"], eps).reshape(B, L, E)     # per head, over dv
    h = h * _sigmoid(_linear(x, w[prefix + "og_proj.weight"]))
    return _linear(h, w[prefix + "o_proj.weight"])


def _recurrent_part(h, w_hh, b_hh, n_gates, num_heads):
    """h W_hhᵀ + b_hh with the block-diagonal weight_hh of docs/models.md:
    row g·d_model + head·Dh + r holds gate g, head `head`, unit r, over that
    head's Dh previous units h[head·Dh : (head+1)·Dh]."""
    B, E = h.shape
    Dh = E // num_heads
    out = np.tile(b_hh, (B, 1))
    for g in range(n_gates):
        for head in range(num_heads):
            rows = slice(g * E + head * Dh, g * E + (head + 1) * Dh)
            cols = slice(head * Dh, (head + 1) * Dh)
            out[:, rows] += h[:, cols] @ w_hh[rows, :].T
    return out


def _lstm_mixer(x, w, m, prefix):
    """PyTorch's nn.LSTM cell, gates i, f, g, o; the output is h_t."""
    B, L, E = x.shape
    xw = _linear(x, w[prefix + "weight_ih"], w[prefix + "bias_ih"])      # [B, L, 4E]
    h = np.zeros((B, E))
    c = np.zeros((B, E))
    y = np.zeros((B, L, E))
    for t in range(L):
        a = xw[:, t] + _recurrent_part(h, w[prefix + "weight_hh"], w[prefix + "bias_hh"],
                                       4, m["num_heads"])
        i = _sigmoid(a[:, 0 * E:1 * E])
        f = _sigmoid(a[:, 1 * E:2 * E])
        gg = np.tanh(a[:, 2 * E:3 * E])
        o = _sigmoid(a[:, 3 * E:4 * E])
        c = f * c + i * gg
        h = o * np.tanh(c)
        y[:, t] = h
    return y


def _gru_mixer(x, w, m, prefix):
    """PyTorch's nn.GRU cell, gates r, z, n, b_hn inside the reset
    product; the output is h_t."""
    B, L, E = x.shape
    xw = _linear(x, w[prefix + "weight_ih"], w[prefix + "bias_ih"])      # [B, L, 3E]
    h = np.zeros((B, E))
    y = np.zeros((B, L, E))
    for t in range(L):
        hw = _recurrent_part(h, w[prefix + "weight_hh"], w[prefix + "bias_hh"],
                             3, m["num_heads"])                           # includes b_hh
        r = _sigmoid(xw[:, t, 0 * E:1 * E] + hw[:, 0 * E:1 * E])
        z = _sigmoid(xw[:, t, 1 * E:2 * E] + hw[:, 1 * E:2 * E])
        n = np.tanh(xw[:, t, 2 * E:3 * E] + r * hw[:, 2 * E:3 * E])
        h = (1.0 - z) * n + z * h
        y[:, t] = h
    return y


def conv_activation(name, x):
    if name == "none":
        return x
    if name == "silu":
        return _silu(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "gelu":
        return _gelu(x)                            # exact (erf), as the mlp's
    if name == "tanh":
        return np.tanh(x)
    raise ValueError(f"unknown activation {name}")


def _conv_mixer(x, w, m, prefix):
    """act(bias + sum_j w[:, 0, j] * x[t - (K-1-j)·dilation]) per channel,
    inputs before position 0 being zeros."""
    B, L, E = x.shape
    K, dil = m["kernel"], m["dilation"]
    cw = w[prefix + "weight"]                                    # [E, 1, K]
    y = np.zeros_like(x) + w[prefix + "bias"]
    for t in range(L):
        for j in range(K):
            s = t - (K - 1 - j) * dil
            if s >= 0:
                y[:, t, :] += cw[:, 0, j] * x[:, s, :]
    return conv_activation(m["activation"], y)


def _mlp_forward(x, w, mlp, prefix):
    if mlp["kind"] == "swiglu":
        hid = _silu(_linear(x, w[prefix + "gate_proj.weight"])) * \
            _linear(x, w[prefix + "up_proj.weight"])
    else:
        hid = _gelu(_linear(x, w[prefix + "up_proj.weight"]))
    return _linear(hid, w[prefix + "down_proj.weight"])


def _mixer_forward(x, w, m, p, eps):
    """The mixer `m` of the block whose weights start with `p`."""
    kind = m["kind"]
    if kind == "attention":
        return _attention_mixer(x, w, m, p + "attn.")
    if kind == "mamba":
        return _mamba_mixer(x, w, m, p + "mamba.")
    if kind == "mamba2":
        return _mamba2_mixer(x, w, m, p + "mamba2.", eps)
    if kind == "gla":
        return _gla_mixer(x, w, m, p + "gla.", eps)
    if kind == "gated_deltanet":
        return _gated_deltanet_mixer(x, w, m, p + "gdn.", eps)
    if kind == "mlstm":
        return _mlstm_mixer(x, w, m, p + "mlstm.", eps)
    if kind == "lstm":
        return _lstm_mixer(x, w, m, p + "lstm.")
    if kind == "gru":
        return _gru_mixer(x, w, m, p + "gru.")
    if kind == "conv":
        return _conv_mixer(x, w, m, p + "conv.")
    raise AssertionError(kind)


def reference_mixer(description, weights, block, x):
    """Block `block`'s mixer alone (no norm, no residual) on `x`
    [B, L, d_model] from position 0, float64 [B, L, d_model]: what
    reference_logits adds to the residual stream for the input rms(x)."""
    d = normalize_description(description)
    m = d["blocks"][block]["mixer"]
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[-1] != d["d_model"]:
        raise ValueError(f"x must be [B, L, {d['d_model']}], got shape {x.shape}")
    w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    return _mixer_forward(x, w, m, f"blocks.{block}.", d["norm_eps"])


def reference_logits(description, weights, tokens):
    """Logits, float64 [B, L, vocab], of a whole forward of `tokens` [B, L]
    (or, with input_dim, feature vectors [B, L, input_dim]) from position
    0.  Weights are checked against weight_shapes (extra tensors are
    ignored, as the document says)."""
    d = normalize_description(description)
    tokens = np.asarray(tokens)
    if d.get("input_dim"):
        if tokens.ndim != 3 or tokens.shape[2] != d["input_dim"]:
            raise ValueError(f"features must be [B, L, {d['input_dim']}], "
                             f"got shape {tokens.shape}")
    elif tokens.ndim != 2:
        raise ValueError(f"tokens must be [B, L], got shape {tokens.shape}")
    if not d.get("input_dim") and tokens.size and (
            tokens.min() < 0 or tokens.max() >= d["vocab_size"]):
        raise ValueError("token id outside [0, vocab_size)")
    if tokens.shape[1] > d["max_context"]:
        raise ValueError(f"{tokens.shape[1]} tokens exceed max_context {d['max_context']}")
    for name, shape in weight_shapes(d).items():
        if name not in weights:
            raise KeyError(f"missing weight {name}")
        if tuple(np.shape(weights[name])) != tuple(shape):
            raise ValueError(f"weight {name}: shape {np.shape(weights[name])}, "
                             f"expected {shape}")
    w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    eps = d["norm_eps"]
    if d.get("input_dim"):
        x = _linear(tokens.astype(np.float64), w["embed.weight"],
                    w["embed.bias"])                                # [B, L, E]
    else:
        x = w["embed.weight"][tokens]                               # [B, L, E]
    for i, b in enumerate(d["blocks"]):
        p = f"blocks.{i}."
        x = x + _mixer_forward(_rms(x, w[p + "norm.weight"], eps), w, b["mixer"], p, eps)
        if b["mlp"] is not None:
            x = x + _mlp_forward(_rms(x, w[p + "mlp_norm.weight"], eps), w,
                                 b["mlp"], p + "mlp.")
    head = w["embed.weight"] if d["tie_embeddings"] else w["lm_head.weight"]
    return _linear(_rms(x, w["norm.weight"], eps), head)

