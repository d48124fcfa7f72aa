"""seq.scan through seqc against a float64 NumPy reference, in every mode
(inclusive/exclusive, forward/reverse, with and without init) and with
non-commutative combiners."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, tensor_type, target_args

# name: (number of scanned tensors, MLIR combiner body, Python combiner)
COMBINERS = {
    "add": (1, """^bb0(%a: f32, %x: f32):
      %r = arith.addf %a, %x : f32
      seq.yield %r : f32""", lambda acc, x: (acc[0] + x[0],)),
    "max": (1, """^bb0(%a: f32, %x: f32):
      %r = arith.maximumf %a, %x : f32
      seq.yield %r : f32""", lambda acc, x: (np.maximum(acc[0], x[0]),)),
    # Composition of affine maps: apply acc = (a, b) first, then x = (a1, b1).
    "affine": (2, """^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
      %a = arith.mulf %a1, %a0 : f32
      %t = arith.mulf %a1, %b0 : f32
      %b = arith.addf %t, %b1 : f32
      seq.yield %a, %b : f32, f32""",
               lambda acc, x: (x[0] * acc[0], x[0] * acc[1] + x[1])),
    # Online softmax: (running max, running sum of exp relative to it).
    "softmax": (2, """^bb0(%m0: f32, %s0: f32, %m1: f32, %s1: f32):
      %m = arith.maximumf %m0, %m1 : f32
      %d0 = arith.subf %m0, %m : f32
      %d1 = arith.subf %m1, %m : f32
      %e0 = math.exp %d0 : f32
      %e1 = math.exp %d1 : f32
      %p0 = arith.mulf %s0, %e0 : f32
      %p1 = arith.mulf %s1, %e1 : f32
      %s = arith.addf %p0, %p1 : f32
      seq.yield %m, %s : f32, f32""",
                lambda acc, x: (np.maximum(acc[0], x[0]),
                                acc[1] * np.exp(acc[0] - np.maximum(acc[0], x[0]))
                                + x[1] * np.exp(x[0] - np.maximum(acc[0], x[0])))),
}


def scan_reference(xs, dim, fn, inits, exclusive, reverse):
    """The op's definition, one step at a time, in float64."""
    xs = [np.moveaxis(x, dim, 0) for x in xs]
    length = xs[0].shape[0]
    order = range(length - 1, -1, -1) if reverse else range(length)
    outs = [np.zeros_like(x) for x in xs]
    acc = None if inits is None else tuple(inits)
    for t in order:
        elem = tuple(x[t] for x in xs)
        if exclusive:
            for o, a in zip(outs, acc):
                o[t] = a
            acc = fn(acc, elem)
        else:
            acc = elem if acc is None else fn(acc, elem)
            for o, a in zip(outs, acc):
                o[t] = a
    return [np.moveaxis(o, 0, dim) for o in outs]


# (shape, dim, combiner, init, exclusive, reverse)
CONFIGS = [
    ((1,), 0, "add", False, False, False),
    ((7,), 0, "add", False, False, True),
    ((3, 33), 1, "add", True, True, False),
    ((3, 33), 1, "add", True, True, True),
    ((5, 4), 0, "max", False, False, False),
    ((2, 17, 3), 1, "max", True, False, True),
    ((4, 9), 1, "affine", False, False, False),
    ((4, 9), 1, "affine", False, False, True),
    ((4, 9), 1, "affine", True, False, False),
    ((4, 9), 1, "affine", True, True, False),
    ((4, 9), 1, "affine", True, True, True),
    ((2, 3, 16), 2, "affine", False, False, False),
    ((16, 2), 0, "affine", True, False, True),
    ((3, 12), 1, "softmax", False, False, False),
    ((3, 12), 1, "softmax", False, False, True),
    ((1, 1), 1, "softmax", True, True, False),
    ((2, 5, 6), 1, "softmax", True, False, False),
    ((6, 2, 3), 0, "add", True, False, False),
    ((1, 64), 1, "affine", False, False, False),
    ((2, 1, 5), 1, "affine", True, True, True),
    # A rank-1 scan: its inits are rank 0.
    ((7,), 0, "add", True, True, False),
    ((9,), 0, "affine", True, False, True),
    # Long rows: on the CUDA target a warp scans each, in chunks of many
    # steps a lane (the last lanes' chunks short or empty).
    ((3, 1000), 1, "affine", True, False, True),
    ((2, 777), 1, "softmax", False, False, False),
    ((5, 130), 1, "affine", True, True, False),
    ((2, 100, 3), 1, "affine", False, False, True),
    ((1000,), 0, "add", False, False, False),
    # Enough rows (8192) for a thread a row there.
    ((8200, 5), 1, "affine", True, False, False),
    ((4, 2050, 2), 0, "max", False, False, True),
]


def _function(i, cfg):
    shape, dim, comb, init, exclusive, reverse = cfg
    n, body, _ = COMBINERS[comb]
    dyn = tuple(range(len(shape)))  # every dimension dynamic
    t = tensor_type(shape, dynamic=dyn)
    reduced = tuple(s for d, s in enumerate(shape) if d != dim)
    it = tensor_type(reduced, dynamic=tuple(range(len(reduced))))
    args = ["%%x%d: %s" % (k, t) for k in range(n)]
    init_text = ""
    if init:
        args += ["%%i%d: %s" % (k, it) for k in range(n)]
        init_text = " init(%s : %s)" % (", ".join("%%i%d" % k for k in range(n)),
                                        ", ".join([it] * n))
    attrs = [a for a, on in (("exclusive", exclusive), ("reverse", reverse)) if on]
    attr_text = " {%s}" % ", ".join(attrs) if attrs else ""
    types = ", ".join([t] * n)
    results = ", ".join("%%r%d" % k for k in range(n))
    return """
func.func @scan{i}({args}) -> ({types}) {{
  {results} = seq.scan dim = {dim} ins({ins} : {types}){init}{attrs} -> {types} {{
    {body}
  }}
  return {results} : {types}
}}""".format(i=i, args=", ".join(args), types=types, results=results, dim=dim,
             ins=", ".join("%%x%d" % k for k in range(n)), init=init_text,
             attrs=attr_text, body=body)


@pytest.fixture(scope="module", params=["-O2", "cuda-emulated", "cuda"])
def library(request):
    """-O2 is the CPU's fused scan (f32), cuda-emulated the CUDA target's
    scan kernel (a warp or a thread a row) run on the host."""
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=target_args(request.param))


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_scan_matches_reference(library, index):
    shape, dim, comb, init, exclusive, reverse = CONFIGS[index]
    n, _, fn = COMBINERS[comb]
    rng = np.random.default_rng(100 + index)
    # Affine coefficients near 1 keep long products in range.
    xs = [rng.uniform(0.5, 1.2, shape) if comb == "affine" and k == 0
          else rng.standard_normal(shape) for k in range(n)]
    reduced = tuple(s for d, s in enumerate(shape) if d != dim)
    inits = [rng.standard_normal(reduced) for _ in range(n)] if init else None
    inputs = xs + (inits or [])
    outs = library.call("scan%d" % index, [a.astype(np.float32) for a in inputs])
    refs = scan_reference(xs, dim, fn, inits, exclusive, reverse)
    for k, (out, ref) in enumerate(zip(outs, refs)):
        assert_close(out, ref, what="result #%d" % k)


# Element types the CUDA target's scan shuffles other than f32: i32
# directly, f16 widened to f32 (exact) for the shuffle. The reference is
# exact here: integer affine maps wrap modulo 2^32 as the kernel's do, and
# the maximum of f16 values is one of them.
TYPED = {
    "i32": ("i32", np.int32, """^bb0(%a0: i32, %b0: i32, %a1: i32, %b1: i32):
      %a = arith.muli %a1, %a0 : i32
      %t = arith.muli %a1, %b0 : i32
      %b = arith.addi %t, %b1 : i32
      seq.yield %a, %b : i32, i32"""),
    "f16": ("f16", np.float16, """^bb0(%m0: f16, %i0: f16, %m1: f16, %i1: f16):
      %m = arith.maximumf %m0, %m1 : f16
      %later = arith.cmpf oge, %m1, %m0 : f16
      %i = arith.select %later, %i1, %i0 : f16
      seq.yield %m, %i : f16, f16"""),
}


@pytest.mark.parametrize("target", ["-O2", "cuda-emulated", "cuda"])
@pytest.mark.parametrize("kind", sorted(TYPED))
def test_scan_other_element_types(kind, target):
    """i32: composition of affine maps modulo 2^32 (non-commutative); f16:
    the running maximum with the step where it was last reached."""
    name, dtype, body = TYPED[kind]
    t = tensor_type((3, 500), name, dynamic=(0, 1))
    library = Library("""
func.func @scan(%x: {t}, %y: {t}) -> ({t}, {t}) {{
  %a, %b = seq.scan dim = 1 ins(%x, %y : {t}, {t}) -> {t}, {t} {{
    {body}
  }}
  return %a, %b : {t}, {t}
}}""".format(t=t, body=body), extra_args=target_args(target))
    rng = np.random.default_rng(77)
    if kind == "i32":
        x = rng.integers(-2**31, 2**31, (3, 500), dtype=np.int64)
        y = rng.integers(-2**31, 2**31, (3, 500), dtype=np.int64)
        wrap = lambda v: (v + 2**31) % 2**32 - 2**31
        fn = lambda acc, e: (wrap(e[0] * acc[0]), wrap(e[0] * acc[1] + e[1]))
    else:
        x = rng.standard_normal((3, 500)).astype(np.float16).astype(np.float64)
        y = np.broadcast_to(np.arange(500.0), (3, 500)).copy()
        fn = lambda acc, e: (np.maximum(acc[0], e[0]),
                             np.where(e[0] >= acc[0], e[1], acc[1]))
    a, b = library.call("scan", [x.astype(dtype), y.astype(dtype)])
    ref_a, ref_b = scan_reference([x, y], 1, fn, None, False, False)
    np.testing.assert_array_equal(a.astype(np.float64), ref_a)
    np.testing.assert_array_equal(b.astype(np.float64), ref_b)
