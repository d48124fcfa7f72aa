"""The benchmark's workloads: seq IR, inputs, work counted, and baselines.

Each builder returns a Workload. `flops` counts multiply-adds as 2 (causal
attention: the visible half); `nbytes` is the memory a memory-bound kernel
must move. Baselines are callables on the same inputs: plain PyTorch / JAX
formulations a user would write (plain loops, lax.scan, associative scans),
and the libraries' own kernels.
"""

import collections

import numpy as np

import iree_baseline

try:
    import torch
except ImportError:
    torch = None
try:
    import jax
    import jax.numpy as jnp
except ImportError:
    jax = None

# input_sets: for a memory-bound workload, several copies of the inputs,
# one per call in turn, so that together they exceed the caches (this VM
# reports a 480 MiB L3; a 64 MiB KV cache read again and again would come
# from it, not from memory); None: `inputs` every call.
Workload = collections.namedtuple(
    "Workload", "name ir inputs flops nbytes memory_bound baselines input_sets",
    defaults=(None,))

# Memory-bound workloads rotate over at least this much input.
ROTATION_BYTES = 1 << 30


def _rotation(arrays):
    """Copies of `arrays` (the inputs a call streams) that together hold at
    least ROTATION_BYTES: the first set is `arrays` itself."""
    size = sum(a.nbytes for a in arrays)
    count = max(1, -(-ROTATION_BYTES // max(size, 1)))
    return [list(arrays)] + [[a.copy() for a in arrays]
                             for _ in range(count - 1)]


def cycle(calls):
    """A callable that runs the next of `calls` each time."""
    state = {"next": 0}

    def call():
        fn = calls[state["next"]]
        state["next"] = (state["next"] + 1) % len(calls)
        return fn()
    return call


def t(shape):
    return "tensor<" + "x".join(str(s) for s in shape) + "xf32>"


def _torch(*arrays):
    return [torch.from_numpy(a) for a in arrays]


def attention(b, h, hkv, lq, lk, d, causal):
    rng = np.random.default_rng(0)
    q = rng.standard_normal((b, h, lq, d), np.float32)
    k = rng.standard_normal((b, hkv, lk, d), np.float32)
    v = rng.standard_normal((b, hkv, lk, d), np.float32)
    attrs = " {causal}" if causal else ""
    ir = f"""func.func @f(%q: {t(q.shape)}, %k: {t(k.shape)}, %v: {t(v.shape)}) -> {t(q.shape)} {{
  %o = seq.attention %q, %k, %v{attrs} : {t(q.shape)}, {t(k.shape)}, {t(v.shape)} -> {t(q.shape)}
  return %o : {t(q.shape)}
}}"""
    flops = 4.0 * b * h * lq * lk * d * (0.5 if causal and lq == lk else 1.0)
    nbytes = 4.0 * (q.size + k.size + v.size + q.size)
    g = h // hkv
    # Decoding streams the KV cache: a fresh one each call (see Workload).
    kv_sets = _rotation([k, v]) if lq == 1 else [[k, v]]
    baselines = {}
    if torch is not None:
        tq = torch.from_numpy(q)
        # GQA through SDPA's own head broadcasting (enable_gqa), else a
        # repeat of K and V as users wrote it before that flag.
        def sdpa(tk, tv):
            with torch.no_grad():
                return torch.nn.functional.scaled_dot_product_attention(
                    tq, tk, tv, is_causal=causal and lq == lk, enable_gqa=g > 1)
        baselines["torch sdpa"] = cycle([
            (lambda tk=tk, tv=tv: sdpa(tk, tv))
            for tk, tv in (_torch(*kv) for kv in kv_sets)])
    if jax is not None:
        def bshd(x):
            return jnp.asarray(x.transpose(0, 2, 1, 3))
        jq = bshd(q)
        f = jax.jit(lambda a, b_, c: jax.nn.dot_product_attention(
            a, b_, c, is_causal=causal and lq == lk))
        jkv_sets = [(bshd(kk), bshd(vv)) for kk, vv in kv_sets]
        baselines["jax"] = cycle([
            (lambda jk=jk, jv=jv: f(jq, jk, jv).block_until_ready())
            for jk, jv in jkv_sets])
        iree_baseline.add(baselines, "attention", f,
                          *[[jq, jk, jv] for jk, jv in jkv_sets])
    name = "attention%s B%d H%d%s L%d D%d" % (
        " causal" if causal else "", b, h, "/%d" % hkv if g > 1 else "", lk, d)
    input_sets = None
    if lq == 1:
        name = "decode B%d H%d/%d KV %d D%d" % (b, h, hkv, lk, d)
        input_sets = [[q] + kv for kv in kv_sets]
    return Workload(name, ir, [q, k, v], flops, nbytes, lq == 1, baselines,
                    input_sets)


def selective_scan(b, dm, n, l):
    rng = np.random.default_rng(1)
    u = rng.standard_normal((b, l, dm), np.float32)
    dt = rng.standard_normal((b, l, dm), np.float32)
    z = rng.standard_normal((b, l, dm), np.float32)
    A = -np.exp(rng.standard_normal((dm, n))).astype(np.float32)
    B = rng.standard_normal((b, l, 1, n), np.float32)
    C = rng.standard_normal((b, l, 1, n), np.float32)
    D = rng.standard_normal(dm).astype(np.float32)
    ir = f"""func.func @f(%u: {t(u.shape)}, %dt: {t(u.shape)}, %A: {t(A.shape)}, %B: {t(B.shape)}, %C: {t(B.shape)}, %D: {t(D.shape)}, %z: {t(u.shape)}) -> {t(u.shape)} {{
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : {t(D.shape)}) z(%z : {t(u.shape)}) {{delta_softplus}}
      : {t(u.shape)}, {t(u.shape)}, {t(A.shape)}, {t(B.shape)}, {t(B.shape)} -> {t(u.shape)}, {t((b, dm, n))}
  return %y : {t(u.shape)}
}}"""
    flops = 9.0 * b * l * dm * n
    baselines = {}
    if torch is not None:
        tu, tdt, tA, tB, tC, tD, tz = _torch(u, dt, A, B, C, D, z)

        def torch_ref():
            # mamba_ssm's selective_scan_ref: the recurrence in plain PyTorch.
            with torch.no_grad():
                delta = torch.nn.functional.softplus(tdt)
                dA = torch.exp(delta.unsqueeze(-1) * tA)            # b l d n
                dBu = delta.unsqueeze(-1) * tB[:, :, 0].unsqueeze(2) * tu.unsqueeze(-1)
                h = torch.zeros(b, dm, n)
                ys = []
                for i in range(l):
                    h = dA[:, i] * h + dBu[:, i]
                    ys.append((h * tC[:, i, 0].unsqueeze(1)).sum(-1))
                y = torch.stack(ys, 1) + tD * tu
                return y * torch.nn.functional.silu(tz)
        baselines["torch ref"] = torch_ref
    if jax is not None:
        ju, jdt, jA, jB, jC, jD, jz = (jnp.asarray(x) for x in (u, dt, A, B, C, D, z))

        @jax.jit
        def jax_scan(u, dt, A, B, C, D, z):
            delta = jax.nn.softplus(dt)
            dA = jnp.exp(delta[..., None] * A)                      # b l d n
            dBu = delta[..., None] * B[:, :, 0, None, :] * u[..., None]

            def combine(x, y):
                return y[0] * x[0], y[0] * x[1] + y[1]
            _, h = jax.lax.associative_scan(combine, (dA, dBu), axis=1)
            y = (h * C[:, :, 0, None, :]).sum(-1) + D * u
            return y * jax.nn.silu(z)
        baselines["jax associative_scan"] = (
            lambda: jax_scan(ju, jdt, jA, jB, jC, jD, jz).block_until_ready())
        iree_baseline.add(baselines, "selective scan", jax_scan,
                          [ju, jdt, jA, jB, jC, jD, jz])
    return Workload("selective scan B%d D%d N%d L%d" % (b, dm, n, l), ir,
                    [u, dt, A, B, C, D, z], flops, 4.0 * 4 * u.size, False,
                    baselines)


def linear_attention(name, b, h, l, dk, dv, kind):
    """kind: gla (per-key-channel decay), delta (gated delta rule), ssd
    (Mamba-2: scalar decay per head and step), mlstm (xLSTM: scalar decay
    per head and step and the normalizer, the state's last column)."""
    rng = np.random.default_rng(2)
    q = rng.standard_normal((b, h, l, dk), np.float32)
    k = rng.standard_normal((b, h, l, dk), np.float32)
    if kind == "delta":
        k /= np.linalg.norm(k, axis=-1, keepdims=True)
    v = rng.standard_normal((b, h, l, dv), np.float32)
    decay_shape = (b, h, l, dk) if kind == "gla" else (b, h, l)
    g = np.log(rng.uniform(0.9, 0.999, decay_shape)).astype(np.float32)
    beta = rng.uniform(0.1, 0.9, (b, h, l)).astype(np.float32)
    normalize = kind == "mlstm"
    s_t = t((b, h, dk, dv + 1 if normalize else dv))
    extra = " beta(%%beta : %s)" % t(beta.shape) if kind == "delta" else ""
    args = ", %%beta: %s" % t(beta.shape) if kind == "delta" else ""
    attrs = " {normalize}" if normalize else ""
    ir = f"""func.func @f(%q: {t(q.shape)}, %k: {t(q.shape)}, %v: {t(v.shape)}, %g: {t(g.shape)}{args}) -> {t(v.shape)} {{
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : {t(g.shape)}){extra}{attrs}
      : {t(q.shape)}, {t(q.shape)}, {t(v.shape)} -> {t(v.shape)}, {s_t}
  return %o : {t(v.shape)}
}}"""
    inputs = [q, k, v, g] + ([beta] if kind == "delta" else [])
    flops = (8.0 if kind == "delta" else 6.0) * b * h * l * dk * dv
    baselines = {}
    if torch is not None:
        tq, tk, tv, tg, tb = _torch(q, k, v, g, beta)
        scale = dk ** -0.5

        def torch_ref():
            # fla's naive recurrent references, in plain PyTorch.
            with torch.no_grad():
                S = torch.zeros(b, h, dk, dv)
                n = torch.zeros(b, h, dk)
                a = torch.exp(tg)
                out = []
                for i in range(l):
                    ai = a[:, :, i, :, None] if kind == "gla" else a[:, :, i, None, None]
                    S = ai * S
                    ki, vi = tk[:, :, i], tv[:, :, i]
                    if kind == "delta":
                        pred = torch.einsum("bhk,bhkv->bhv", ki, S)
                        vi = tb[:, :, i, None] * (vi - pred)
                    S = S + ki[..., None] * vi[..., None, :]
                    o = torch.einsum("bhk,bhkv->bhv", tq[:, :, i] * scale, S)
                    if normalize:
                        n = ai[..., 0] * n + ki
                        qn = (tq[:, :, i] * scale * n).sum(-1, keepdim=True)
                        o = o / torch.clamp(qn.abs(), min=1.0)
                    out.append(o)
                return torch.stack(out, 2)
        baselines["torch ref"] = torch_ref
    if jax is not None:
        jq, jk, jv, jg, jb = (jnp.asarray(x) for x in (q, k, v, g, beta))
        jscale = dk ** -0.5

        @jax.jit
        def jax_scan(q, k, v, g, beta):
            # The recurrence as lax.scan over the sequence (time-major).
            def step(carry, xs):
                S, n = carry
                qi, ki, vi, gi, bi = xs
                a = jnp.exp(gi)
                S = (a[..., None] if kind == "gla" else a[..., None, None]) * S
                if kind == "delta":
                    pred = jnp.einsum("bhk,bhkv->bhv", ki, S)
                    vi = bi[..., None] * (vi - pred)
                S = S + ki[..., None] * vi[..., None, :]
                o = jnp.einsum("bhk,bhkv->bhv", qi * jscale, S)
                if normalize:
                    n = a[..., None] * n + ki
                    qn = jnp.sum(qi * jscale * n, -1, keepdims=True)
                    o = o / jnp.maximum(jnp.abs(qn), 1.0)
                return (S, n), o
            xs = tuple(jnp.moveaxis(x, 2, 0) for x in (q, k, v, g, beta))
            init = (jnp.zeros((b, h, dk, dv), q.dtype),
                    jnp.zeros((b, h, dk), q.dtype))
            _, out = jax.lax.scan(step, init, xs)
            return jnp.moveaxis(out, 0, 2)
        baselines["jax lax.scan"] = (
            lambda: jax_scan(jq, jk, jv, jg, jb).block_until_ready())
        iree_baseline.add(baselines, name, jax_scan, [jq, jk, jv, jg, jb])
    return Workload(name, ir, inputs, flops, 4.0 * 4 * q.size, False, baselines)


def rnn(cell, b, hidden, l, inp, heads=1):
    gates = {"lstm": 4, "gru": 3, "slstm": 4}[cell]
    states = {"lstm": 2, "gru": 1, "slstm": 4}[cell]
    dh = hidden // heads
    rng = np.random.default_rng(3)
    x = rng.standard_normal((b, l, inp), np.float32)
    wi = (rng.standard_normal((gates * hidden, inp)) / np.sqrt(inp)).astype(np.float32)
    wr = (rng.standard_normal((gates, heads, dh, dh)) / np.sqrt(dh)).astype(np.float32)
    st = t((b, hidden))
    results = ", ".join([st] * states + [t((b, l, hidden))])
    names = ", ".join("%%s%d" % i for i in range(states)) + ", %y"
    ir = f"""func.func @f(%x: {t(x.shape)}, %wi: {t(wi.shape)}, %wr: {t(wr.shape)}) -> {t((b, l, hidden))} {{
  {names} = seq.recurrence cell = {cell} ins(%x : {t(x.shape)}) w_in(%wi : {t(wi.shape)}) w_rec(%wr : {t(wr.shape)})
      -> {results}
  return %y : {t((b, l, hidden))}
}}"""
    flops = 2.0 * b * l * gates * hidden * (inp + dh)
    baselines = {}
    if torch is not None and cell in ("lstm", "gru"):
        module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(
            inp, hidden, batch_first=True, bias=False)
        with torch.no_grad():
            module.weight_ih_l0.copy_(torch.from_numpy(wi))
            module.weight_hh_l0.copy_(torch.from_numpy(wr.reshape(gates * hidden, hidden)))
        tx = torch.from_numpy(x)

        def torch_impl():
            with torch.no_grad():
                return module(tx)
        baselines["torch nn.%s" % cell.upper()] = torch_impl
    if jax is not None and cell in ("lstm", "gru"):
        jx, jwi, jwr = (jnp.asarray(a) for a in (x, wi, wr.reshape(gates * hidden, hidden)))

        @jax.jit
        def jax_rnn(x, wi, wr):
            # As a JAX user writes it: the input projection over the whole
            # sequence, then lax.scan over the steps (PyTorch's gate order).
            xw = jnp.moveaxis(x @ wi.T, 1, 0)                    # l b gH

            def lstm_step(carry, xt):
                h, c = carry
                i, f, g, o = jnp.split(xt + h @ wr.T, 4, axis=-1)
                c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
                h = jax.nn.sigmoid(o) * jnp.tanh(c)
                return (h, c), h

            def gru_step(carry, xt):
                h, _ = carry
                xr, xz, xn = jnp.split(xt, 3, axis=-1)
                hr, hz, hn = jnp.split(h @ wr.T, 3, axis=-1)
                r, z = jax.nn.sigmoid(xr + hr), jax.nn.sigmoid(xz + hz)
                h = (1 - z) * jnp.tanh(xn + r * hn) + z * h
                return (h, h), h
            zero = jnp.zeros((b, hidden), x.dtype)
            _, ys = jax.lax.scan(lstm_step if cell == "lstm" else gru_step,
                                 (zero, zero), xw)
            return jnp.moveaxis(ys, 0, 1)
        baselines["jax lax.scan"] = (
            lambda: jax_rnn(jx, jwi, jwr).block_until_ready())
        iree_baseline.add(baselines, cell, jax_rnn, [jx, jwi, jwr])
    label = "%s B%d H%s L%d" % (cell.upper() if cell != "slstm" else "sLSTM", b,
                                "%dx%d" % (heads, dh) if heads > 1 else str(hidden), l)
    return Workload(label, ir, [x, wi, wr], flops, 0.0, False, baselines)


def conv1d(d, l, k):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, l, d), np.float32)
    w = rng.standard_normal((d, 1, k), np.float32)
    ir = f"""func.func @f(%x: {t(x.shape)}, %w: {t(w.shape)}) -> {t(x.shape)} {{
  %y = seq.conv1d %x, %w activation silu : {t(x.shape)}, {t(w.shape)} -> {t(x.shape)}
  return %y : {t(x.shape)}
}}"""
    baselines = {}
    if torch is not None:
        tx = torch.from_numpy(x.transpose(0, 2, 1).copy())
        tw = torch.from_numpy(w)

        def torch_conv():
            with torch.no_grad():
                y = torch.nn.functional.conv1d(tx, tw, padding=k - 1, groups=d)[..., :l]
                return torch.nn.functional.silu(y)
        baselines["torch conv1d"] = torch_conv
    if jax is not None:
        jx, jw = jnp.asarray(x.transpose(0, 2, 1)), jnp.asarray(w)

        @jax.jit
        def jax_conv(x, w):
            y = jax.lax.conv_general_dilated(
                x, w, window_strides=(1,), padding=[(k - 1, 0)],
                feature_group_count=d)
            return jax.nn.silu(y)
        baselines["jax conv"] = lambda: jax_conv(jx, jw).block_until_ready()
        iree_baseline.add(baselines, "conv1d", jax_conv, [jx, jw])
    return Workload("causal conv1d k%d D%d L%d" % (k, d, l), ir, [x, w],
                    2.0 * l * d * k, 8.0 * x.size, True, baselines)


def scan(b, l, d, h_only=False):
    """seq.scan of a linear recurrence h_t = a_t h_{t-1} + x_t as the
    composition of affine maps (non-commutative), along the sequence of a
    [B, L, D] layout; `h_only` returns h alone (the GPU benchmark compares
    one output)."""
    rng = np.random.default_rng(6)
    a = rng.uniform(0.5, 1.0, (b, l, d)).astype(np.float32)
    x = rng.standard_normal((b, l, d), np.float32)
    ty = t(a.shape)
    results = ("%H", ty) if h_only else ("%A, %H", "%s, %s" % (ty, ty))
    ir = f"""func.func @f(%a: {ty}, %x: {ty}) -> ({results[1]}) {{
  %A, %H = seq.scan dim = 1 ins(%a, %x : {ty}, {ty}) -> {ty}, {ty} {{
  ^bb0(%a0: f32, %h0: f32, %a1: f32, %x1: f32):
    %an = arith.mulf %a1, %a0 : f32
    %p = arith.mulf %a1, %h0 : f32
    %hn = arith.addf %p, %x1 : f32
    seq.yield %an, %hn : f32, f32
  }}
  return {results[0]} : {results[1]}
}}"""
    baselines = {}
    if torch is not None:
        ta, tx = _torch(a, x)

        def torch_loop():
            with torch.no_grad():
                A, H = torch.empty_like(ta), torch.empty_like(tx)
                A[:, 0], H[:, 0] = ta[:, 0], tx[:, 0]
                for i in range(1, l):
                    A[:, i] = ta[:, i] * A[:, i - 1]
                    H[:, i] = ta[:, i] * H[:, i - 1] + tx[:, i]
                return A, H
        baselines["torch loop"] = torch_loop
    if jax is not None:
        ja, jx = jnp.asarray(a), jnp.asarray(x)

        @jax.jit
        def jax_scan(a, x):
            def combine(p, q):
                return q[0] * p[0], q[0] * p[1] + q[1]
            return jax.lax.associative_scan(combine, (a, x), axis=1)
        baselines["jax associative_scan"] = (
            lambda: jax.block_until_ready(jax_scan(ja, jx)))
        iree_baseline.add(baselines, "scan", jax_scan, [ja, jx])
    return Workload("scan (affine maps) B%d L%d D%d" % (b, l, d), ir, [a, x],
                    3.0 * a.size, 4.0 * 4 * a.size, True, baselines)


def projection(rows, k, n):
    """A model's linear layer, y = x w^T with w stored [out, in] as
    nn.Linear keeps it: a prompt of `rows` tokens through it."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, rows, k), np.float32)
    w = (rng.standard_normal((n, k)) / np.sqrt(k)).astype(np.float32)
    y_t = t((1, rows, n))
    ir = f"""func.func @f(%x: {t(x.shape)}, %w: {t(w.shape)}) -> {y_t} {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : {y_t}
  %init = linalg.fill ins(%zero : f32) outs(%e : {y_t}) -> {y_t}
  %y = linalg.contract indexing_maps = [
      affine_map<(b, l, n, k) -> (b, l, k)>, affine_map<(b, l, n, k) -> (n, k)>,
      affine_map<(b, l, n, k) -> (b, l, n)>]
      ins(%x, %w : {t(x.shape)}, {t(w.shape)}) outs(%init : {y_t}) -> {y_t}
  return %y : {y_t}
}}"""
    baselines = {}
    if torch is not None:
        tx, tw = _torch(x, w)

        def linear():
            with torch.no_grad():
                return torch.nn.functional.linear(tx, tw)
        baselines["torch linear"] = linear
    return Workload("projection L%d %d->%d" % (rows, k, n), ir, [x, w],
                    2.0 * rows * k * n, 4.0 * (x.size + w.size + rows * n),
                    False, baselines)


def matmul(m, k, n):
    """A plain linalg.matmul, a[m, k] b[k, n], as a user writes it in
    their own IR (seq-vectorize-matmul)."""
    rng = np.random.default_rng(6)
    a = rng.standard_normal((m, k), np.float32)
    b = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    c_t = t((m, n))
    ir = f"""func.func @f(%a: {t(a.shape)}, %b: {t(b.shape)}) -> {c_t} {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : {c_t}
  %init = linalg.fill ins(%zero : f32) outs(%e : {c_t}) -> {c_t}
  %c = linalg.matmul ins(%a, %b : {t(a.shape)}, {t(b.shape)}) outs(%init : {c_t}) -> {c_t}
  return %c : {c_t}
}}"""
    baselines = {}
    if torch is not None:
        ta, tb = _torch(a, b)

        def mm():
            with torch.no_grad():
                return torch.mm(ta, tb)
        baselines["torch mm"] = mm
    if jax is not None:
        ja, jb = jnp.asarray(a), jnp.asarray(b)
        jmm = jax.jit(jnp.matmul)
        baselines["jax matmul"] = lambda: jmm(ja, jb).block_until_ready()
        iree_baseline.add(baselines, "matmul", jmm, [ja, jb])
    return Workload("matmul %dx%dx%d (linalg.matmul)" % (m, k, n), ir, [a, b],
                    2.0 * m * k * n, 4.0 * (a.size + b.size + m * n), False,
                    baselines)


def custom_cell(b, hidden, l, inp):
    """An Elman cell written as a seq.recurrence region, h' = tanh(x W +
    h R), its two matmuls in the region: what a user's own cell looks
    like. Baseline: nn.RNN, the same cell."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((b, l, inp), np.float32)
    h0 = np.zeros((b, hidden), np.float32)
    w = (rng.standard_normal((inp, hidden)) / np.sqrt(inp)).astype(np.float32)
    r = (rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)).astype(np.float32)
    h_t, s_t = t((b, hidden)), t((b, inp))
    ir = f"""func.func @f(%x: {t(x.shape)}, %h0: {h_t}, %w: {t(w.shape)}, %r: {t(r.shape)}) -> {t((b, l, hidden))} {{
  %h, %y = seq.recurrence ins(%x : {t(x.shape)}) init(%h0 : {h_t})
      -> {h_t}, {t((b, l, hidden))} {{
  ^bb0(%hp: {h_t}, %xt: {s_t}):
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : {h_t}
    %f = linalg.fill ins(%zero : f32) outs(%e : {h_t}) -> {h_t}
    %xw = linalg.matmul ins(%xt, %w : {s_t}, {t(w.shape)}) outs(%f : {h_t}) -> {h_t}
    %hr = linalg.matmul ins(%hp, %r : {h_t}, {t(r.shape)}) outs(%xw : {h_t}) -> {h_t}
    %hn = math.tanh %hr : {h_t}
    seq.yield %hn, %hn : {h_t}, {h_t}
  }}
  return %y : {t((b, l, hidden))}
}}"""
    baselines = {}
    if torch is not None:
        module = torch.nn.RNN(inp, hidden, batch_first=True, bias=False)
        with torch.no_grad():
            module.weight_ih_l0.copy_(torch.from_numpy(w.T.copy()))
            module.weight_hh_l0.copy_(torch.from_numpy(r.T.copy()))
        tx = torch.from_numpy(x)

        def rnn_impl():
            with torch.no_grad():
                return module(tx)
        baselines["torch nn.RNN"] = rnn_impl
    return Workload("custom cell (region) B%d H%d L%d" % (b, hidden, l), ir,
                    [x, h0, w, r], 2.0 * b * l * hidden * (inp + hidden), 0.0,
                    False, baselines)


def all_workloads(scale=1):
    """The issue's workloads; `scale` > 1 divides sequence lengths."""
    s = scale
    return [
        lambda: attention(1, 8, 8, 2048 // s, 2048 // s, 64, False),
        lambda: attention(1, 8, 8, 2048 // s, 2048 // s, 64, True),
        lambda: attention(1, 32, 8, 1024 // s, 1024 // s, 128, True),
        lambda: attention(1, 32, 8, 1, 8192 // s, 128, True),
        lambda: selective_scan(1, 1536, 16, 2048 // s),
        lambda: selective_scan(4, 2048, 16, 1024 // s),
        lambda: linear_attention("GLA B1 H4 L%d dk=dv=128" % (4096 // s), 1, 4, 4096 // s, 128, 128, "gla"),
        lambda: linear_attention("gated delta rule B1 H4 L%d dk=dv=128" % (4096 // s), 1, 4, 4096 // s, 128, 128, "delta"),
        lambda: linear_attention("SSD B1 H24 P64 N128 L%d" % (2048 // s), 1, 24, 2048 // s, 128, 64, "ssd"),
        lambda: linear_attention("mLSTM B1 H4 L%d dk=dv=128" % (4096 // s), 1, 4, 4096 // s, 128, 128, "mlstm"),
        lambda: rnn("lstm", 32, 512, 256 // s, 512),
        lambda: rnn("gru", 32, 512, 256 // s, 512),
        lambda: rnn("slstm", 16, 512, 512 // s, 512, heads=4),
        lambda: conv1d(1536, 2048 // s, 4),
        lambda: scan(4, 2048 // s, 1024),
        lambda: projection(128 // s, 768, 2048),
        lambda: projection(128 // s, 2048, 768),
        lambda: matmul(1024 // s, 1024, 1024),
        lambda: custom_cell(32, 512, 256 // s, 512),
    ]


def odd_workloads(scale=1):
    """Shapes off the vector width and off the issue's sizes (head sizes 80
    and 96, 6 heads, lengths 1000 and 777, 500 units): the fast lowerings
    pad or mask them, and must stay correct and fast there too."""
    s = scale
    return [
        lambda: attention(1, 6, 6, 1000 // s, 1000 // s, 80, False),
        lambda: attention(1, 6, 6, 1000 // s, 1000 // s, 80, True),
        lambda: attention(2, 12, 4, 777 // s, 777 // s, 96, True),
        lambda: attention(1, 6, 2, 1, 5000 // s, 80, True),
        lambda: selective_scan(1, 1000, 16, 1000 // s),
        lambda: linear_attention("GLA B1 H6 L%d dk=dv=80" % (1000 // s), 1, 6, 1000 // s, 80, 80, "gla"),
        lambda: linear_attention("gated delta rule B1 H6 L%d dk=dv=80" % (1000 // s), 1, 6, 1000 // s, 80, 80, "delta"),
        lambda: rnn("lstm", 24, 500, 200 // s, 500),
        lambda: rnn("gru", 24, 500, 200 // s, 500),
        lambda: conv1d(1000, 1000 // s, 4),
        lambda: scan(3, 1000 // s, 1000),
        lambda: matmul(1000 // s, 777, 1000),
    ]
