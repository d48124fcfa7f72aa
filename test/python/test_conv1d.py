"""seq.conv1d through seqc against a float64 NumPy reference."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, tensor_type, TARGETS, target_args

ACTIVATIONS = {
    "none": lambda y: y,
    "silu": lambda y: y / (1.0 + np.exp(-y)),
    "relu": lambda y: np.maximum(y, 0.0),
    "gelu": None,  # filled below (needs erf)
    "tanh": np.tanh,
}


def _gelu(y):
    from math import erf
    return 0.5 * y * (1.0 + np.vectorize(erf)(y / np.sqrt(2.0)))


ACTIVATIONS["gelu"] = _gelu


def conv1d_reference(x, w, bias, state, dilation, activation):
    """Causal grouped conv, written from the definition in SeqOps.td."""
    batch, length, cin = x.shape
    cout, per_group, kernel = w.shape
    groups = cin // per_group
    out_per_group = cout // groups
    pad = (kernel - 1) * dilation
    if state is None:
        state = np.zeros((batch, pad, cin))
    xs = np.concatenate([state, x], axis=1)
    y = np.zeros((batch, length, cout))
    for t in range(length):
        for o in range(cout):
            g = o // out_per_group
            for j in range(kernel):
                src = t + pad - (kernel - 1 - j) * dilation
                y[:, t, o] += xs[:, src, g * per_group:(g + 1) * per_group] @ w[o, :, j]
    if bias is not None:
        y += bias
    return ACTIVATIONS[activation](y), xs[:, length:length + pad]


# (B, L, Cin, Cout, groups, K, dilation, bias, state, final_state, activation)
CONFIGS = [
    (1, 1, 1, 1, 1, 1, 1, False, False, False, "none"),
    (2, 5, 4, 4, 4, 4, 1, True, False, False, "silu"),
    (3, 33, 17, 17, 17, 3, 2, True, True, True, "none"),
    (1, 7, 6, 6, 2, 2, 3, False, True, True, "relu"),
    (2, 9, 8, 16, 2, 4, 1, True, False, True, "gelu"),
    (1, 12, 6, 6, 1, 3, 1, False, False, False, "tanh"),
    (4, 1, 5, 5, 5, 4, 1, True, True, True, "silu"),
    (1, 2, 3, 3, 3, 4, 2, False, True, True, "none"),
    (2, 16, 10, 5, 5, 2, 4, True, False, False, "relu"),
    (1, 31, 12, 12, 4, 5, 2, True, True, False, "silu"),
    (3, 3, 2, 4, 1, 1, 1, False, False, True, "none"),
    (1, 64, 32, 32, 32, 4, 1, True, True, True, "silu"),
    (2, 8, 9, 9, 3, 3, 3, False, False, False, "gelu"),
    (1, 5, 1, 3, 1, 2, 1, True, False, False, "tanh"),
    (2, 6, 4, 8, 4, 3, 2, True, True, True, "relu"),
    (1, 40, 7, 7, 7, 2, 8, False, True, True, "none"),
    (5, 4, 3, 3, 3, 3, 1, True, False, False, "silu"),
    (1, 13, 16, 8, 8, 2, 1, False, False, True, "none"),
    (2, 1, 6, 6, 6, 4, 2, True, True, True, "gelu"),
    (1, 21, 20, 20, 5, 3, 1, True, False, False, "tanh"),
    # Depthwise with channels for the fused lowering (-O2): several channel
    # and step blocks, sequences shorter than the history, states.
    (2, 300, 48, 48, 48, 4, 1, True, True, True, "silu"),
    (1, 3, 32, 32, 32, 4, 2, False, True, True, "gelu"),
    (3, 517, 16, 16, 16, 2, 3, True, False, True, "tanh"),
    (2, 9, 64, 64, 64, 1, 1, True, True, True, "relu"),
    (1, 40, 16, 16, 16, 3, 1, False, False, False, "none"),
    # Over 16 blocks of channels and a ragged one: the final state's copy
    # is a loop over the blocks (with 16 lanes: 18 blocks and 12 channels).
    (2, 7, 300, 300, 300, 4, 1, True, True, True, "silu"),
    (1, 2, 300, 300, 300, 3, 2, False, True, True, "none"),
]


def _function(i, cfg):
    b, l, cin, cout, groups, k, dil, bias, state, final, act = cfg
    pad = (k - 1) * dil
    x_t = tensor_type((b, l, cin), dynamic=(0, 1))
    w_t = tensor_type((cout, cin // groups, k))
    y_t = tensor_type((b, l, cout), dynamic=(0, 1))
    s_t = tensor_type((b, pad, cin), dynamic=(0,))
    args = ["%x: " + x_t, "%w: " + w_t]
    extra = ""
    if bias:
        args.append("%b: " + tensor_type((cout,)))
        extra += " bias(%%b : %s)" % tensor_type((cout,))
    if state:
        args.append("%s0: " + s_t)
        extra += " state(%%s0 : %s)" % s_t
    if act != "none":
        extra += " activation " + act
    results = [y_t] + ([s_t] if final else [])
    names = ["%y"] + (["%s"] if final else [])
    return """
func.func @conv{i}({args}) -> ({rtypes}) {{
  {names} = seq.conv1d %x, %w{extra} {{dilation = {dil}}} : {x_t}, {w_t} -> {rtypes}
  return {names} : {rtypes}
}}""".format(i=i, args=", ".join(args), rtypes=", ".join(results),
             names=", ".join(names), extra=extra, dil=dil, x_t=x_t, w_t=w_t)


@pytest.fixture(scope="module", params=TARGETS)
def library(request):
    """-O0 is the reference lowering, -O2 the fused one where it applies
    (f32, depthwise, channels a multiple of the vector width)."""
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=target_args(request.param))


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_conv1d_matches_reference(library, index):
    b, l, cin, cout, groups, k, dil, bias, state, final, act = CONFIGS[index]
    rng = np.random.default_rng(index)
    x = rng.standard_normal((b, l, cin))
    w = rng.standard_normal((cout, cin // groups, k)) / np.sqrt(k * cin // groups)
    bv = rng.standard_normal(cout) if bias else None
    s0 = rng.standard_normal((b, (k - 1) * dil, cin)) if state else None
    inputs = [x, w] + ([bv] if bias else []) + ([s0] if state else [])
    outs = library.call("conv%d" % index, [a.astype(np.float32) for a in inputs])
    y_ref, s_ref = conv1d_reference(x, w, bv, s0, dil, act)
    assert_close(outs[0], y_ref, what="y")
    if final:
        assert_close(outs[1], s_ref, what="final_state")
