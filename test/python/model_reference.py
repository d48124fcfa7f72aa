"""Float64 NumPy reference of the `seqc-model` format (docs/models.md).

Written from the document alone, plainly rather than fast: explicit masks
for attention, a loop over time for the Mamba and Mamba-2 scans, float64
throughout.

    normalize_description(d) -> d with every default filled in (validated)
    weight_shapes(d)         -> {name: shape} of every weight the model needs
    random_weights(d, seed)  -> {name: float32 array}, a well-behaved model
    reference_logits(d, weights, tokens[B, L]) -> float64 [B, L, vocab]

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
               "max_context", "norm_eps", "tie_embeddings", "blocks"}
_BLOCK_FIELDS = {"mixer", "mlp"}
_ATTN_FIELDS = {"kind", "num_heads", "num_kv_heads", "head_dim", "rope_theta",
                "window", "chunk"}
_MAMBA_FIELDS = {"kind", "d_inner", "d_state", "d_conv", "dt_rank",
                 "conv_bias", "proj_bias"}
_MAMBA2_FIELDS = {"kind", "num_heads", "head_dim", "d_state", "n_groups",
                  "d_conv", "conv_bias", "proj_bias"}
_MLP_FIELDS = {"kind", "hidden"}


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


def _int(obj, key, path, minimum=1, default=None, required=False):
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
        _check_fields(m, _ATTN_FIELDS | _MAMBA_FIELDS | _MAMBA2_FIELDS,
                      f"{path}.mixer")
        kind = m.get("kind")
        if kind == "attention":
            mixer = _attention(m, d_model, f"{path}.mixer")
        elif kind == "mamba":
            mixer = _mamba(m, d_model, f"{path}.mixer")
        elif kind == "mamba2":
            mixer = _mamba2(m, d_model, f"{path}.mixer")
        else:
            raise DescriptionError(
                f'{path}.mixer.kind: expected "attention", "mamba" or "mamba2"')
        out["blocks"].append({"mixer": mixer, "mlp": _mlp(b.get("mlp"), f"{path}.mlp")})
    return out


def weight_shapes(desc):
    """{name: shape} of every weight the model reads (docs/models.md table)."""
    d = normalize_description(desc)
    V, E = d["vocab_size"], d["d_model"]
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
      D                      1 + 0.1 * normal
    """
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in weight_shapes(desc).items():
        leaf = name.split(".")[-2:]
        if name == "embed.weight":
            w = 0.5 * rng.standard_normal(shape)
        elif name.endswith("norm.weight"):
            w = 1.0 + 0.1 * rng.standard_normal(shape)
        elif name.endswith("A_log"):
            w = np.log(rng.uniform(1.0, 16.0, shape))
        elif name.endswith("mamba.D") or name.endswith("mamba2.D"):
            w = 1.0 + 0.1 * rng.standard_normal(shape)
        elif leaf == ["dt_proj", "bias"] or leaf == ["mamba2", "dt_bias"]:
            dt = np.exp(rng.uniform(math.log(1e-3), math.log(1e-1), shape))
            w = np.log(np.expm1(dt))                  # softplus(w) == dt
        elif name.endswith(".bias"):
            w = 0.1 * scale * rng.standard_normal(shape)
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
    delta = _linear(dt, w[prefix + "dt_proj.weight"])
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
    return _linear(y, w[prefix + "out_proj.weight"], w.get(prefix + "out_proj.bias"))


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
    u = xbc[..., :E].reshape(Bsz, L, H, P)
    Bm = xbc[..., E:E + GN].reshape(Bsz, L, G, N)
    Cm = xbc[..., E + GN:].reshape(Bsz, L, G, N)
    dt = _softplus(dt + np.asarray(w[prefix + "dt_bias"], dtype=np.float64))   # [B, L, H]
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
    return _linear(y, w[prefix + "out_proj.weight"], w.get(prefix + "out_proj.bias"))


def _mlp_forward(x, w, mlp, prefix):
    if mlp["kind"] == "swiglu":
        hid = _silu(_linear(x, w[prefix + "gate_proj.weight"])) * \
            _linear(x, w[prefix + "up_proj.weight"])
    else:
        hid = _gelu(_linear(x, w[prefix + "up_proj.weight"]))
    return _linear(hid, w[prefix + "down_proj.weight"])


def reference_logits(description, weights, tokens):
    """Logits, float64 [B, L, vocab], of a whole forward of `tokens` [B, L]
    from position 0.  Weights are checked against weight_shapes (extra
    tensors are ignored, as the document says)."""
    d = normalize_description(description)
    tokens = np.asarray(tokens)
    if tokens.ndim != 2:
        raise ValueError(f"tokens must be [B, L], got shape {tokens.shape}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= d["vocab_size"]):
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
    x = w["embed.weight"][tokens]                                   # [B, L, E]
    for i, b in enumerate(d["blocks"]):
        p = f"blocks.{i}."
        h = _rms(x, w[p + "norm.weight"], eps)
        if b["mixer"]["kind"] == "attention":
            x = x + _attention_mixer(h, w, b["mixer"], p + "attn.")
        elif b["mixer"]["kind"] == "mamba2":
            x = x + _mamba2_mixer(h, w, b["mixer"], p + "mamba2.", eps)
        else:
            x = x + _mamba_mixer(h, w, b["mixer"], p + "mamba.")
        if b["mlp"] is not None:
            x = x + _mlp_forward(_rms(x, w[p + "mlp_norm.weight"], eps), w,
                                 b["mlp"], p + "mlp.")
    head = w["embed.weight"] if d["tie_embeddings"] else w["lm_head.weight"]
    return _rms(x, w["norm.weight"], eps) @ head.T

