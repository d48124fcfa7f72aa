"""seq.selective_scan through seqc against a float64 NumPy reference."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, tensor_type, TARGETS, target_args


def softplus(x):
    return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0))))


def selective_scan_reference(u, delta, A, B, C, D, z, delta_bias, h0, use_softplus):
    """Mamba-1's selective_scan_ref, rewritten for [B, L, Dm] layouts."""
    batch, length, dm = u.shape
    groups, n = B.shape[2], B.shape[3]
    group_of = np.arange(dm) // (dm // groups)
    h = np.zeros((batch, dm, n)) if h0 is None else h0.copy()
    y = np.zeros((batch, length, dm))
    for t in range(length):
        dt = delta[:, t] + (0.0 if delta_bias is None else delta_bias)
        if use_softplus:
            dt = softplus(dt)
        bt = B[:, t][:, group_of]          # [batch, dm, n]
        ct = C[:, t][:, group_of]
        h = np.exp(dt[..., None] * A) * h + dt[..., None] * bt * u[:, t, :, None]
        yt = (ct * h).sum(-1)
        if D is not None:
            yt = yt + D * u[:, t]
        if z is not None:
            zt = z[:, t]
            yt = yt * zt / (1.0 + np.exp(-zt))
        y[:, t] = yt
    return y, h


# (batch, length, Dm, N, G, D, z, delta_bias, softplus, initial_state)
CONFIGS = [
    (1, 1, 1, 1, 1, False, False, False, False, False),
    (2, 5, 4, 3, 1, True, False, False, True, False),
    (1, 33, 17, 16, 1, True, True, True, True, False),
    (3, 8, 6, 4, 2, False, True, False, True, True),
    (2, 12, 8, 5, 4, True, True, True, True, True),
    (1, 2, 3, 2, 3, True, False, True, False, True),
    (4, 1, 5, 7, 1, False, False, True, True, True),
    (1, 20, 12, 16, 3, True, True, True, True, False),
    (2, 7, 9, 1, 1, False, True, False, False, False),
    (1, 16, 16, 8, 2, True, False, False, True, True),
    (2, 3, 2, 16, 2, True, True, True, False, False),
    (1, 40, 10, 4, 5, True, True, True, True, True),
    (3, 4, 4, 4, 1, False, False, False, True, True),
    (1, 9, 6, 3, 6, True, True, False, True, False),
    (2, 11, 14, 2, 7, False, False, True, True, False),
    (1, 6, 8, 16, 1, True, True, True, False, True),
    (2, 1, 1, 1, 1, True, True, True, True, True),
    (1, 25, 3, 5, 1, False, True, True, True, True),
    (5, 3, 6, 2, 3, True, False, True, True, False),
    (1, 13, 20, 6, 4, True, True, True, True, True),
    # Channel blocks of the fused lowering (-O2): several blocks and groups,
    # Mamba's N = 16, odd state counts.
    (2, 37, 64, 16, 1, True, True, True, True, True),
    (3, 9, 96, 7, 3, False, True, False, True, False),
    (1, 50, 32, 16, 2, True, False, True, True, True),
    (2, 6, 48, 1, 1, True, True, True, True, False),
    # The most states the fused kernel keeps in registers, two blocks.
    (2, 7, 64, 64, 2, True, True, True, True, True),
    # 50 channels a group: padded to whole vectors by -O2 (as are the small
    # counts above).
    (2, 19, 100, 16, 2, True, True, True, True, True),
]


def _function(i, cfg, dynamic_channels=False):
    b, l, dm, n, g, D, z, db, sp, h0 = cfg
    seq_t = tensor_type((b, l, dm),
                        dynamic=(0, 1, 2) if dynamic_channels else (0, 1))
    a_t = tensor_type((dm, n))
    bc_t = tensor_type((b, l, g, n), dynamic=(0, 1))
    v_t = tensor_type((dm,))
    st_t = tensor_type((b, dm, n), dynamic=(0,))
    args = ["%u: " + seq_t, "%dt: " + seq_t, "%A: " + a_t, "%B: " + bc_t, "%C: " + bc_t]
    extra = ""
    for on, name, t in ((D, "D", v_t), (z, "z", seq_t), (db, "delta_bias", v_t),
                        (h0, "initial_state", st_t)):
        if on:
            args.append("%%%s: %s" % (name, t))
            extra += " %s(%%%s : %s)" % (name, name, t)
    attrs = " {delta_softplus}" if sp else ""
    return """
func.func @ss{i}({args}) -> ({seq_t}, {st_t}) {{
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C{extra}{attrs}
      : {seq_t}, {seq_t}, {a_t}, {bc_t}, {bc_t} -> {seq_t}, {st_t}
  return %y, %h : {seq_t}, {st_t}
}}""".format(i=i, args=", ".join(args), extra=extra, attrs=attrs, seq_t=seq_t,
             a_t=a_t, bc_t=bc_t, st_t=st_t)


@pytest.fixture(scope="module", params=TARGETS)
def library(request):
    """-O0 is the reference lowering, -O2 the fused one where it applies
    (f32, static sizes, channels per group a multiple of the vector width)."""
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=target_args(request.param))


def _check(library, name, cfg, seed):
    b, l, dm, n, g, D, z, db, sp, h0 = cfg
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((b, l, dm))
    # Without softplus, delta is used as is: keep it positive like a real dt.
    delta = rng.standard_normal((b, l, dm)) if sp else rng.uniform(0.01, 0.5, (b, l, dm))
    A = -np.exp(rng.standard_normal((dm, n)) * 0.5)
    B = rng.standard_normal((b, l, g, n))
    C = rng.standard_normal((b, l, g, n))
    Dv = rng.standard_normal(dm) if D else None
    zv = rng.standard_normal((b, l, dm)) if z else None
    dbv = rng.standard_normal(dm) * 0.5 if db else None
    h0v = rng.standard_normal((b, dm, n)) if h0 else None
    inputs = [u, delta, A, B, C] + [v for v in (Dv, zv, dbv, h0v) if v is not None]
    y, h = library.call(name, [a.astype(np.float32) for a in inputs])
    y_ref, h_ref = selective_scan_reference(u, delta, A, B, C, Dv, zv, dbv, h0v, sp)
    assert_close(y, y_ref, what="y")
    assert_close(h, h_ref, what="last_state")


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_selective_scan_matches_reference(library, index):
    _check(library, "ss%d" % index, CONFIGS[index], 200 + index)


# Groups of channels that end in a partial vector (20 and 50 a group,
# 16-lane vectors) with u's channel dimension dynamic: the fused lowering's
# masks need only A's static channel count.
RAGGED_DYNAMIC = [
    (2, 9, 40, 16, 2, True, True, True, True, True),
    (1, 13, 100, 5, 2, True, False, True, True, False),
]


@pytest.mark.parametrize("index", range(len(RAGGED_DYNAMIC)))
def test_ragged_groups_with_dynamic_channels(index):
    cfg = RAGGED_DYNAMIC[index]
    library = Library(_function(index, cfg, dynamic_channels=True),
                      extra_args=target_args("-O2"))
    _check(library, "ss%d" % index, cfg, 300 + index)
