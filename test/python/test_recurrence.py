"""seq.recurrence through seqc against float64 NumPy references: LSTM, GRU
(PyTorch's equations and weight layout), Elman, xLSTM's sLSTM, with dense
and block-diagonal (multi-head) recurrent weights, forward and reverse; and
the cell-region form."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, tensor_type, TARGETS, target_args

GATES = {"lstm": 4, "gru": 3, "slstm": 4, "elman": 1}
STATES = {"lstm": 2, "gru": 1, "slstm": 4, "elman": 1}


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def block_diagonal(w_rec):
    """[nG, NH, Dh, Dh] -> [nG, Hs, Hs], the dense matrix each gate applies."""
    gates, heads, dh, _ = w_rec.shape
    dense = np.zeros((gates, heads * dh, heads * dh))
    for g in range(gates):
        for h in range(heads):
            dense[g, h * dh:(h + 1) * dh, h * dh:(h + 1) * dh] = w_rec[g, h]
    return dense


def recurrence_reference(cell, x, w_in, w_rec, b_in, b_rec, init, reverse):
    batch, length, _ = x.shape
    gates = GATES[cell]
    hidden = w_rec.shape[1] * w_rec.shape[2]
    rec = block_diagonal(w_rec)
    states = [s.copy() for s in init] if init is not None else \
        [np.zeros((batch, hidden)) for _ in range(STATES[cell])]
    b_in = np.zeros(gates * hidden) if b_in is None else b_in
    b_rec = np.zeros(gates * hidden) if b_rec is None else b_rec
    y = np.zeros((batch, length, hidden))
    steps = range(length - 1, -1, -1) if reverse else range(length)
    for t in steps:
        h = states[0]
        gx = (x[:, t] @ w_in.T + b_in).reshape(batch, gates, hidden)
        gh = np.stack([h @ rec[g].T for g in range(gates)], 1) \
            + b_rec.reshape(gates, hidden)
        if cell == "lstm":
            i, f = sigmoid(gx[:, 0] + gh[:, 0]), sigmoid(gx[:, 1] + gh[:, 1])
            g, o = np.tanh(gx[:, 2] + gh[:, 2]), sigmoid(gx[:, 3] + gh[:, 3])
            c = f * states[1] + i * g
            states = [o * np.tanh(c), c]
        elif cell == "gru":
            r, z = sigmoid(gx[:, 0] + gh[:, 0]), sigmoid(gx[:, 1] + gh[:, 1])
            n = np.tanh(gx[:, 2] + r * gh[:, 2])
            states = [(1 - z) * n + z * h]
        elif cell == "elman":
            states = [np.tanh(gx[:, 0] + gh[:, 0])]
        else:  # slstm, exponential forget gate, stabilized
            _, c, n, m = states
            it, ft = gx[:, 0] + gh[:, 0], gx[:, 1] + gh[:, 1]
            z, o = np.tanh(gx[:, 2] + gh[:, 2]), sigmoid(gx[:, 3] + gh[:, 3])
            m_new = np.maximum(ft + m, it)
            i, f = np.exp(it - m_new), np.exp(ft + m - m_new)
            c, n = f * c + i * z, f * n + i
            states = [o * c / n, c, n, m_new]
        y[:, t] = states[0]
    return states, y


# (cell, B, L, I, NH, Dh, b_in, b_rec, init, reverse)
CONFIGS = [
    ("lstm", 1, 1, 1, 1, 1, False, False, False, False),
    ("lstm", 2, 7, 5, 1, 6, True, True, False, False),
    ("lstm", 3, 12, 4, 2, 3, True, False, True, False),
    ("lstm", 1, 9, 3, 4, 2, False, True, True, True),
    ("gru", 2, 8, 5, 1, 7, True, True, False, False),
    ("gru", 1, 11, 6, 3, 2, True, True, True, False),
    ("gru", 2, 5, 2, 1, 4, False, False, True, True),
    ("gru", 4, 3, 3, 2, 2, False, True, False, False),
    ("elman", 2, 10, 4, 1, 5, True, False, False, False),
    ("elman", 1, 6, 3, 2, 3, True, True, True, True),
    ("elman", 3, 1, 2, 1, 1, False, False, True, False),
    ("slstm", 2, 9, 4, 1, 4, True, True, False, False),
    ("slstm", 1, 13, 5, 4, 2, True, False, True, False),
    ("slstm", 2, 6, 3, 2, 3, False, True, True, True),
    ("lstm", 2, 33, 17, 1, 8, True, True, True, False),
    ("gru", 1, 20, 8, 4, 4, True, True, False, True),
    ("slstm", 1, 16, 8, 4, 4, True, True, False, False),
    ("elman", 2, 25, 6, 3, 4, True, True, False, False),
    ("lstm", 5, 4, 2, 2, 1, False, False, False, True),
    ("gru", 3, 2, 9, 1, 3, True, False, False, False),
    # Head sizes the fused lowering (-O2) takes: batch tails, several heads
    # and unit blocks, every bias and init combination.
    ("lstm", 5, 9, 13, 2, 16, True, True, True, False),
    ("gru", 7, 6, 10, 1, 32, True, True, True, True),
    ("gru", 4, 5, 8, 2, 16, False, True, False, False),
    ("slstm", 3, 5, 7, 2, 16, True, True, True, False),
    ("elman", 13, 4, 9, 1, 48, True, False, False, False),
    ("lstm", 4, 3, 16, 1, 32, False, False, False, True),
    # Head sizes padded to whole vectors by -O2 (the small ones above are
    # too), with biases and initial states.
    ("lstm", 3, 6, 10, 2, 20, True, True, True, False),
    ("gru", 2, 4, 7, 1, 100, True, True, True, True),
    ("slstm", 2, 5, 6, 3, 12, True, True, True, False),
    # Full register tiles of rows and a tile of the rows left over.
    ("lstm", 13, 4, 5, 1, 16, True, False, False, False),
    ("gru", 11, 3, 6, 1, 16, False, True, True, False),
    # Heads whose weights take the CUDA target's kernel a step (over
    # 128 KiB in f32): units past a tile of 32, rows past a tile of 4.
    ("lstm", 5, 6, 7, 2, 100, True, True, True, False),
    ("gru", 3, 5, 4, 1, 128, True, True, True, True),
    ("slstm", 2, 4, 5, 2, 96, True, True, True, False),
    ("elman", 6, 3, 5, 1, 200, False, True, False, True),
]


def _function(i, cfg, dtype="f32", static_batch=False):
    cell, b, l, inp, nh, dh, bi, br, init, rev = cfg
    gates, hs, ns = GATES[cell], nh * dh, STATES[cell]
    batch = () if static_batch else (0,)
    x_t = tensor_type((b, l, inp), dtype, dynamic=batch + (1,))
    wi_t = tensor_type((gates * hs, inp), dtype)
    wr_t = tensor_type((gates, nh, dh, dh), dtype)
    bias_t = tensor_type((gates * hs,), dtype)
    st_t = tensor_type((b, hs), dtype, dynamic=batch)
    y_t = tensor_type((b, l, hs), dtype, dynamic=batch + (1,))
    args = ["%x: " + x_t, "%wi: " + wi_t, "%wr: " + wr_t]
    extra = ""
    if init:
        args += ["%%s%d: %s" % (k, st_t) for k in range(ns)]
        extra += " init(%s : %s)" % (", ".join("%%s%d" % k for k in range(ns)),
                                     ", ".join([st_t] * ns))
    extra += " w_in(%%wi : %s) w_rec(%%wr : %s)" % (wi_t, wr_t)
    if bi:
        args.append("%bi: " + bias_t)
        extra += " b_in(%%bi : %s)" % bias_t
    if br:
        args.append("%br: " + bias_t)
        extra += " b_rec(%%br : %s)" % bias_t
    attrs = " {reverse}" if rev else ""
    results = [st_t] * ns + [y_t]
    names = ["%%r%d" % k for k in range(ns + 1)]
    return """
func.func @rnn{i}({args}) -> ({rt}) {{
  {names} = seq.recurrence cell = {cell} ins(%x : {x_t}){extra}{attrs} -> {rt}
  return {names} : {rt}
}}""".format(i=i, args=", ".join(args), rt=", ".join(results),
             names=", ".join(names), cell=cell, x_t=x_t, extra=extra, attrs=attrs)


def random_inputs(config, seed):
    """x, w_in, w_rec, b_in, b_rec and the initial states of `config` (the
    absent ones None), scaled so that the gates stay in their working
    range."""
    cell, b, l, inp, nh, dh, bi, br, init, _ = config
    gates, hs, ns = GATES[cell], nh * dh, STATES[cell]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((b, l, inp))
    w_in = rng.standard_normal((gates * hs, inp)) / np.sqrt(inp)
    w_rec = rng.standard_normal((gates, nh, dh, dh)) / np.sqrt(dh)
    b_in = rng.standard_normal(gates * hs) * 0.1 if bi else None
    b_rec = rng.standard_normal(gates * hs) * 0.1 if br else None
    states = None
    if init:
        states = [rng.standard_normal((b, hs)) for _ in range(ns)]
        if cell == "slstm":  # the normalizer state of a real run is positive
            states[2] = np.abs(states[2]) + 0.5
    return x, w_in, w_rec, b_in, b_rec, states


def operands(x, w_in, w_rec, b_in, b_rec, states):
    """In the order of _function's arguments."""
    return [x, w_in, w_rec] + (states or []) + [
        v for v in (b_in, b_rec) if v is not None]


@pytest.fixture(scope="module", params=TARGETS)
def library(request):
    """-O0 is the reference lowering, -O2 the fused one where it applies
    (f32, head size a multiple of the vector width)."""
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=target_args(request.param))


def check_against_reference(library, name, config, seed):
    """Calls `name` (built by _function from `config`) on random inputs and
    compares its states and y with the float64 reference."""
    cell, rev, ns = config[0], config[9], STATES[config[0]]
    x, w_in, w_rec, b_in, b_rec, states = random_inputs(config, seed)
    inputs = operands(x, w_in, w_rec, b_in, b_rec, states)
    outs = library.call(name, [a.astype(np.float32) for a in inputs])
    ref_states, ref_y = recurrence_reference(cell, x, w_in, w_rec, b_in, b_rec,
                                             states, rev)
    for k in range(ns):
        assert_close(outs[k], ref_states[k], what="final state #%d" % k)
    assert_close(outs[ns], ref_y, what="y")


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_named_cell_matches_reference(library, index):
    check_against_reference(library, "rnn%d" % index, CONFIGS[index], 500 + index)


# A static batch of one: -O2 computes x W_in^T as one GEMM over the
# sequence before the steps (hoist-input-max-batch), where the input size is
# a multiple of the vector width (32, 48); 20 keeps it inside the steps.
BATCH_OF_ONE = [
    ("lstm", 1, 9, 32, 2, 16, True, True, True, False),
    ("gru", 1, 7, 48, 1, 20, True, True, True, True),
    ("slstm", 1, 6, 32, 2, 16, True, True, True, False),
    ("elman", 1, 5, 32, 1, 48, True, False, False, True),
    ("lstm", 1, 4, 20, 1, 32, False, True, False, False),
]


@pytest.mark.parametrize("index", range(len(BATCH_OF_ONE)))
@pytest.mark.parametrize("target", TARGETS)
def test_batch_of_one_matches_reference(target, index):
    config = BATCH_OF_ONE[index]
    lib = Library(_function(0, config, static_batch=True),
                  extra_args=target_args(target))
    check_against_reference(lib, "rnn0", config, 700 + index)


REGION_CELLS = """
// An Elman-style cell written as a region, with weights captured from above,
// plus a running-sum second state and two step outputs.
func.func @custom(%x: tensor<?x?x3xf32>, %u: tensor<?x?x2xf32>, %h0: tensor<?x4xf32>,
                  %s0: tensor<?x4xf32>, %w: tensor<3x4xf32>, %r: tensor<4x4xf32>)
    -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x2xf32>) {
  %h, %s, %y, %z = seq.recurrence ins(%x, %u : tensor<?x?x3xf32>, tensor<?x?x2xf32>)
      init(%h0, %s0 : tensor<?x4xf32>, tensor<?x4xf32>) {reverse}
      -> tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x2xf32> {
  ^bb0(%hp: tensor<?x4xf32>, %sp: tensor<?x4xf32>, %xt: tensor<?x3xf32>, %ut: tensor<?x2xf32>):
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %b = tensor.dim %hp, %c0 : tensor<?x4xf32>
    %e = tensor.empty(%b) : tensor<?x4xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
    %xw = linalg.matmul ins(%xt, %w : tensor<?x3xf32>, tensor<3x4xf32>) outs(%f : tensor<?x4xf32>) -> tensor<?x4xf32>
    %hr = linalg.matmul ins(%hp, %r : tensor<?x4xf32>, tensor<4x4xf32>) outs(%xw : tensor<?x4xf32>) -> tensor<?x4xf32>
    %hn = math.tanh %hr : tensor<?x4xf32>
    %sn = arith.addf %sp, %hn : tensor<?x4xf32>
    %u2 = arith.mulf %ut, %ut : tensor<?x2xf32>
    seq.yield %hn, %sn, %sn, %u2 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x2xf32>
  }
  return %h, %s, %y, %z : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x2xf32>
}
"""


def test_cell_region_matches_reference():
    rng = np.random.default_rng(9)
    batch, length = 3, 11
    x = rng.standard_normal((batch, length, 3))
    u = rng.standard_normal((batch, length, 2))
    h0 = rng.standard_normal((batch, 4))
    s0 = rng.standard_normal((batch, 4))
    w = rng.standard_normal((3, 4)) * 0.5
    r = rng.standard_normal((4, 4)) * 0.5
    lib = Library(REGION_CELLS)
    h, s, y, z = lib.call("custom", [a.astype(np.float32) for a in (x, u, h0, s0, w, r)])
    hr, sr = h0.copy(), s0.copy()
    yr = np.zeros((batch, length, 4))
    for t in range(length - 1, -1, -1):
        hr = np.tanh(x[:, t] @ w + hr @ r)
        sr = sr + hr
        yr[:, t] = sr
    assert_close(h, hr, what="h")
    assert_close(s, sr, what="s")
    assert_close(y, yr, what="y")
    assert_close(z, u * u, what="z")
