"""seq.linear_attention through seqc against a float64 NumPy reference:
RetNet (constant decay), SSD / Gated DeltaNet (per-step decay), GLA
(per-key decay), DeltaNet (beta), mLSTM (normalizer), and Mamba-2 SSD
expressed with the op."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, tensor_type, TARGETS, target_args


def linear_attention_reference(q, k, v, decay, beta, s0, scale, normalize):
    """The op's recurrence, one step at a time. State S is [Dk, Dv(+1)]."""
    batch, heads, length, dk = q.shape
    dv = v.shape[3]
    if normalize:
        v = np.concatenate([v, np.ones(v.shape[:3] + (1,))], axis=3)
    S = np.zeros((batch, heads, dk, v.shape[3])) if s0 is None else s0.copy()
    out = np.zeros((batch, heads, length, dv))
    for t in range(length):
        if decay is not None:
            if decay.ndim == 1:
                a = np.exp(decay)[None, :, None, None]
            elif decay.ndim == 3:
                a = np.exp(decay[:, :, t])[:, :, None, None]
            else:
                a = np.exp(decay[:, :, t])[:, :, :, None]
            S = a * S
        kt, vt = k[:, :, t], v[:, :, t]
        if beta is not None:
            kS = np.einsum("bhk,bhke->bhe", kt, S)
            vt = beta[:, :, t, None] * (vt - kS)
        S = S + np.einsum("bhk,bhe->bhke", kt, vt)
        o = scale * np.einsum("bhk,bhke->bhe", q[:, :, t], S)
        if normalize:
            o = o[..., :dv] / np.maximum(np.abs(o[..., dv:]), 1.0)
        out[:, :, t] = o
    return out, S


# (B, H, L, Dk, Dv, decay rank (0 = none), beta, initial state, normalize, scale)
CONFIGS = [
    (1, 1, 1, 1, 1, 0, False, False, False, None),
    (2, 3, 9, 8, 8, 0, False, False, False, None),         # plain linear attention
    (1, 2, 33, 17, 5, 1, False, False, False, None),       # RetNet: constant per head
    (2, 2, 12, 6, 7, 3, False, True, False, 1.0),          # SSD-like per-step decay
    (1, 4, 16, 8, 8, 4, False, False, False, None),        # GLA per key channel
    (2, 2, 10, 8, 4, 4, False, True, False, 0.5),          # GLA with carried state
    (1, 2, 14, 8, 8, 0, True, False, False, None),         # DeltaNet
    (2, 1, 7, 5, 3, 0, True, True, False, 1.0),
    (1, 3, 11, 8, 6, 3, True, False, False, None),         # Gated DeltaNet
    (2, 2, 9, 4, 4, 3, True, True, False, None),
    (1, 2, 8, 6, 6, 4, True, False, False, None),          # per-key gate + delta
    (1, 2, 13, 8, 8, 3, False, False, True, None),         # mLSTM
    (2, 1, 6, 4, 5, 3, False, True, True, 1.0),            # mLSTM with state
    (3, 2, 1, 4, 4, 3, False, True, False, None),          # decode step
    (1, 1, 40, 2, 2, 1, False, False, False, None),
    (2, 4, 5, 16, 16, 4, False, True, False, None),
    (1, 2, 20, 3, 9, 0, False, True, False, 2.0),
    (4, 1, 3, 7, 7, 1, True, False, False, None),
    (1, 3, 17, 5, 5, 3, False, False, True, 0.25),
    (2, 2, 6, 9, 1, 4, True, True, False, None),
    # Value heads the fused lowering (-O2) takes: several column blocks,
    # every decay kind, with and without the delta rule and a state.
    (2, 3, 37, 16, 64, 4, False, True, False, None),       # GLA
    (1, 2, 50, 32, 48, 3, True, True, False, None),        # Gated DeltaNet
    (2, 4, 21, 8, 16, 1, False, False, False, 0.3),        # RetNet
    (1, 3, 29, 12, 32, 0, True, False, False, None),       # DeltaNet
    (3, 2, 9, 64, 32, 3, False, True, False, None),        # SSD-like
    # A value head size -O2 pads to whole vectors (as it does the small
    # ones above): gated delta rule with a per-key decay and a state.
    (1, 2, 23, 16, 20, 4, True, True, False, None),
    # mLSTM in the fused lowering (value heads of whole vectors): the
    # normalizer carried by every column task, key sizes with a scalar
    # tail (20, 24 with AVX-512) and without, every decay kind, two column
    # blocks (Dv = 128: the first task stores the normalizer).
    (2, 2, 31, 20, 32, 3, False, True, True, None),
    (1, 3, 17, 32, 128, 3, False, True, True, 0.5),
    (1, 2, 12, 16, 16, 4, False, True, True, None),
    (2, 1, 9, 8, 16, 0, False, False, True, None),
    (1, 2, 10, 24, 48, 1, False, True, True, 1.0),
    # Large key heads (the normalizer's loop over 33 vectors on AVX-512,
    # then a tail), with GLA's per-key decay too.
    (1, 2, 6, 530, 16, 3, False, True, True, None),
    (1, 1, 5, 530, 16, 4, False, False, True, None),
]


def _function(i, cfg, dtype="f32", dynamic_head_sizes=False):
    b, h, l, dk, dv, decay, beta, s0, norm, scale = cfg
    heads = (3,) if dynamic_head_sizes else ()
    qk_t = tensor_type((b, h, l, dk), dtype, dynamic=(0, 2) + heads)
    v_t = tensor_type((b, h, l, dv), dtype, dynamic=(0, 2) + heads)
    st_t = tensor_type((b, h, dk, dv + (1 if norm else 0)), dtype,
                       dynamic=(0, 2, 3) if dynamic_head_sizes else (0,))
    args = ["%q: " + qk_t, "%k: " + qk_t, "%v: " + v_t]
    extra = ""
    if decay:
        shape = {1: (h,), 3: (b, h, l), 4: (b, h, l, dk)}[decay]
        dyn = {1: (), 3: (0, 2), 4: (0, 2)}[decay]
        g_t = tensor_type(shape, dtype, dynamic=dyn)
        args.append("%g: " + g_t)
        extra += " decay(%%g : %s)" % g_t
    if beta:
        b_t = tensor_type((b, h, l), dtype, dynamic=(0, 2))
        args.append("%beta: " + b_t)
        extra += " beta(%%beta : %s)" % b_t
    if s0:
        args.append("%s0: " + st_t)
        extra += " initial_state(%%s0 : %s)" % st_t
    attrs = []
    if norm:
        attrs.append("normalize")
    if scale is not None:
        attrs.append("scale = %r : f32" % scale)
    attr_text = " {%s}" % ", ".join(attrs) if attrs else ""
    return """
func.func @la{i}({args}) -> ({v_t}, {st_t}) {{
  %o, %s = seq.linear_attention %q, %k, %v{extra}{attrs}
      : {qk_t}, {qk_t}, {v_t} -> {v_t}, {st_t}
  return %o, %s : {v_t}, {st_t}
}}""".format(i=i, args=", ".join(args), extra=extra, attrs=attr_text,
             qk_t=qk_t, v_t=v_t, st_t=st_t)


@pytest.fixture(scope="module", params=TARGETS)
def library(request):
    """-O0 is the reference lowering, -O2 the fused one where it applies
    (f32, static head sizes; with the mLSTM normalizer, Dv a multiple of
    the vector width)."""
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=target_args(request.param))


def _inputs(cfg, rng):
    b, h, l, dk, dv, decay, beta, s0, norm, scale = cfg
    q = rng.standard_normal((b, h, l, dk))
    k = rng.standard_normal((b, h, l, dk))
    if beta:  # the delta rule is stable for unit-norm keys, as in DeltaNet
        k /= np.linalg.norm(k, axis=-1, keepdims=True)
    v = rng.standard_normal((b, h, l, dv))
    g = None
    if decay:
        shape = {1: (h,), 3: (b, h, l), 4: (b, h, l, dk)}[decay]
        g = np.log(rng.uniform(0.7, 0.999, shape))   # log space
    bt = rng.uniform(0.0, 1.0, (b, h, l)) if beta else None
    st = rng.standard_normal((b, h, dk, dv + (1 if norm else 0))) if s0 else None
    return q, k, v, g, bt, st


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_linear_attention_matches_reference(library, index):
    cfg = CONFIGS[index]
    dk, norm, scale = cfg[3], cfg[8], cfg[9]
    rng = np.random.default_rng(400 + index)
    q, k, v, g, bt, st = _inputs(cfg, rng)
    inputs = [q, k, v] + [x for x in (g, bt, st) if x is not None]
    o, s = library.call("la%d" % index, [a.astype(np.float32) for a in inputs])
    eff = scale if scale is not None else 1.0 / np.sqrt(dk)
    o_ref, s_ref = linear_attention_reference(q, k, v, g, bt, st, eff, norm)
    assert_close(o, o_ref, what="output")
    assert_close(s, s_ref, what="final_state")


def ssd_reference(x, dt, A, B, C):
    """Mamba-2's SSD recurrence written directly (ssd_minimal's sequential
    form): h = exp(dt*A) h + dt * B x^T, y = C h."""
    batch, length, heads, p = x.shape
    n = B.shape[-1]
    h = np.zeros((batch, heads, n, p))
    y = np.zeros_like(x)
    for t in range(length):
        a = np.exp(dt[:, t] * A)[:, :, None, None]
        h = a * h + np.einsum("bh,bhn,bhp->bhnp", dt[:, t], B[:, t], x[:, t])
        y[:, t] = np.einsum("bhn,bhnp->bhp", C[:, t], h)
    return y


def test_ssd_as_linear_attention():
    """Mamba-2 SSD: q = C, k = B, v = dt * x, decay = dt * A, scale 1."""
    batch, length, heads, p, n = 2, 24, 3, 8, 16
    rng = np.random.default_rng(7)
    x = rng.standard_normal((batch, length, heads, p))
    dt = rng.uniform(0.01, 0.3, (batch, length, heads))
    A = -rng.uniform(0.5, 2.0, heads)
    B = rng.standard_normal((batch, length, heads, n))
    C = rng.standard_normal((batch, length, heads, n))
    qk_t = tensor_type((batch, heads, length, n), dynamic=(0, 2))
    v_t = tensor_type((batch, heads, length, p), dynamic=(0, 2))
    g_t = tensor_type((batch, heads, length), dynamic=(0, 2))
    s_t = tensor_type((batch, heads, n, p), dynamic=(0,))
    lib = Library("""
func.func @ssd(%q: {qk}, %k: {qk}, %v: {v}, %g: {g}) -> {v} {{
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : {g}) {{scale = 1.0 : f32}}
      : {qk}, {qk}, {v} -> {v}, {s}
  return %o : {v}
}}""".format(qk=qk_t, v=v_t, g=g_t, s=s_t))
    heads_first = lambda a: np.moveaxis(a, 2, 1)
    q = heads_first(C)
    k = heads_first(B)
    v = heads_first(dt[..., None] * x)
    g = heads_first(dt * A)
    (o,) = lib.call("ssd", [a.astype(np.float32) for a in (q, k, v, g)])
    assert_close(np.moveaxis(o, 1, 2), ssd_reference(x, dt, A, B, C), what="y")


@pytest.mark.parametrize("target", ["cuda-emulated", "cuda"])
@pytest.mark.parametrize("key_size", ["static", "dynamic"])
def test_long_sequence_on_the_gpu(target, key_size):
    """8192 steps of the gated delta rule. With a static key size one kernel
    walks them (seq-gpu-recurrent-linear-attention). With a dynamic one the
    reference lowering launches kernels from a host loop at every step,
    whose argument arrays once took new stack at every step and overflowed
    it (a crash on the GPU only: the emulated launches pass no such
    arrays)."""
    cfg = (1, 1, 8192, 4, 4, 3, True, False, False, None)
    library = Library(_function(0, cfg,
                                dynamic_head_sizes=key_size == "dynamic"),
                      extra_args=target_args(target))
    q, k, v, g, bt, _ = _inputs(cfg, np.random.default_rng(4242))
    o, s = library.call("la0", [a.astype(np.float32) for a in (q, k, v, g, bt)])
    o_ref, s_ref = linear_attention_reference(q, k, v, g, bt, None, 0.5, False)
    assert_close(o, o_ref, what="output")
    assert_close(s, s_ref, what="final_state")
