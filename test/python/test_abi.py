"""The seqc runtime ABI: the signature table, and every kind of bad call
getting an error status and a message, with no output written."""

import ctypes
import os
import re
import subprocess

import numpy as np
import pytest

from seqc_harness import Library, Tensor, tensor_type

LLVM_BIN = "/usr/lib/llvm-22/bin/"

SOURCE = """
func.func @attn(%q: {q} {{seqc.name = "q"}}, %k: {k} {{seqc.name = "k"}},
                %v: {k} {{seqc.name = "v"}}) -> ({q} {{seqc.name = "out"}}) {{
  %o = seq.attention %q, %k, %v {{causal}} : {q}, {k}, {k} -> {q}
  return %o : {q}
}}
func.func @conv(%x: {x}, %w: tensor<4x1x3xf32>) -> {x} {{
  %y = seq.conv1d %x, %w : {x}, tensor<4x1x3xf32> -> {x}
  return %y : {x}
}}
""".format(q=tensor_type((1, 4, 1, 8), dynamic=(0, 2)),
           k=tensor_type((1, 2, 1, 8), dynamic=(0, 2)),
           x=tensor_type((1, 1, 4), dynamic=(0, 1)))


@pytest.fixture(scope="module")
def lib():
    return Library(SOURCE)


def good_inputs(batch=2, lq=3, lk=5):
    rng = np.random.default_rng(0)
    return [rng.standard_normal((batch, 4, lq, 8)).astype(np.float32),
            rng.standard_normal((batch, 2, lk, 8)).astype(np.float32),
            rng.standard_normal((batch, 2, lk, 8)).astype(np.float32)]


def canary(shape=(2, 4, 3, 8)):
    return np.full(shape, 7.0, np.float32)


def test_signature_table(lib):
    f = lib.functions["attn"]
    assert (f.num_inputs, f.num_outputs) == (3, 1)
    names = [f.inputs[i].name.decode() for i in range(3)] + [f.outputs[0].name.decode()]
    assert names == ["q", "k", "v", "out"]
    dims = lambda arg: [(arg.dims[d].size, arg.dims[d].symbol) for d in range(arg.rank)]
    q, k, v, out = dims(f.inputs[0]), dims(f.inputs[1]), dims(f.inputs[2]), dims(f.outputs[0])
    # Batch shared by all; Lk shared by k and v; the output's Lq is q's.
    assert q[0][1] >= 0 and q[0][1] == k[0][1] == v[0][1] == out[0][1]
    assert k[2][1] >= 0 and k[2][1] == v[2][1] and k[2][1] != q[2][1]
    assert out[2][1] == q[2][1]
    assert [s for s, _ in q] == [-1, 4, -1, 8]


def test_good_call(lib):
    (out,) = lib.call("attn", good_inputs())
    assert out.shape == (2, 4, 3, 8) and np.isfinite(out).all()


BAD_CALLS = [
    # (description, mutate(inputs) -> inputs, expected message fragment)
    ("dtype", lambda x: [x[0].astype(np.float64)] + x[1:],
     "attn: input 0 ('q') has dtype f64, expected f32"),
    ("rank", lambda x: [x[0][0]] + x[1:], "attn: input 0 ('q') has rank 3, expected 4"),
    ("static size", lambda x: [x[0][:, :3]] + x[1:],
     "attn: input 0 ('q') dimension 1 is 3, expected 4"),
    ("batch mismatch", lambda x: [x[0], x[1][:1], x[2]],
     "attn: input 1 ('k') dimension 0 is 1, but input 0 ('q') dimension 0 is 2; they must be equal"),
    ("kv length mismatch", lambda x: [x[0], x[1], x[2][:, :, :4]],
     "attn: input 2 ('v') dimension 2 is 4, but input 1 ('k') dimension 2 is 5; they must be equal"),
]


@pytest.mark.parametrize("what,mutate,message", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_is_refused(lib, what, mutate, message):
    out = canary()
    status, text = lib.call_raw("attn", [np.ascontiguousarray(a) for a in mutate(good_inputs())], [out])
    assert status == 1, text
    assert text == message
    assert (out == 7.0).all(), "output written by a refused call"


def test_wrong_output_shape_is_refused(lib):
    out = canary((2, 4, 2, 8))
    status, text = lib.call_raw("attn", good_inputs(), [out])
    assert status == 1
    assert "output 0 ('out') dimension 2 is 2, but input 0 ('q') dimension 2 is 3" in text
    assert (out == 7.0).all()


def test_wrong_counts_and_names(lib):
    status, text = lib.call_raw("attn", good_inputs()[:2], [canary()])
    assert (status, text) == (1, "attn: expected 3 inputs, got 2")
    status, text = lib.call_raw("attn", good_inputs(), [])
    assert (status, text) == (1, "attn: expected 1 outputs, got 0")
    status, text = lib.call_raw("nope", good_inputs(), [canary()])
    assert (status, text) == (2, "seqc_call: this library has no function 'nope'")


def raw_call(lib, name, tensors_in, tensors_out):
    ins = (Tensor * max(len(tensors_in), 1))(*tensors_in)
    outs = (Tensor * max(len(tensors_out), 1))(*tensors_out)
    status = lib.lib.seqc_call(name.encode(), ins, len(tensors_in), outs, len(tensors_out))
    return status, lib.lib.seqc_last_error().decode()


def make_tensor(array, keep, shape=None, strides=None, data=None):
    shape = array.shape if shape is None else shape
    s = (ctypes.c_int64 * len(shape))(*shape)
    keep.append(s)
    st = None
    if strides is not None:
        st = (ctypes.c_int64 * len(strides))(*strides)
        keep.append(st)
    return Tensor(1, len(shape), ctypes.cast(s, ctypes.POINTER(ctypes.c_int64)),
                  None if st is None else ctypes.cast(st, ctypes.POINTER(ctypes.c_int64)),
                  array.ctypes.data if data is None else data)


def conv_args(keep, x, out, **overrides):
    w = np.ones((4, 1, 3), np.float32)
    keep += [x, w, out]
    tx = make_tensor(x, keep, **overrides)
    return [tx, make_tensor(w, keep)], [make_tensor(out, keep)]


def test_null_pointers(lib):
    keep = []
    x = np.ones((2, 5, 4), np.float32)
    out = np.full((2, 5, 4), 7.0, np.float32)
    ins, outs = conv_args(keep, x, out, data=0)
    assert raw_call(lib, "conv", ins, outs) == (1, "conv: input 0 ('x') has NULL data")
    ins, outs = conv_args(keep, x, out)
    ins[0].shape = None
    assert raw_call(lib, "conv", ins, outs) == (1, "conv: input 0 ('x') has a NULL shape")
    status = lib.lib.seqc_call(b"conv", None, 2, None, 1)
    assert status == 1 and lib.lib.seqc_last_error() == b"conv: inputs is NULL"
    status = lib.lib.seqc_call(None, None, 0, None, 0)
    assert status == 1 and lib.lib.seqc_last_error() == b"seqc_call: function is NULL"
    assert (out == 7.0).all()


def test_strides_alignment_and_sizes(lib):
    keep = []
    x = np.ones((2, 5, 4), np.float32)
    out = np.full((2, 5, 4), 7.0, np.float32)
    ins, outs = conv_args(keep, x, out, strides=(20, 1, 5))
    status, text = raw_call(lib, "conv", ins, outs)
    assert status == 1 and "is not row-major contiguous" in text
    ins, outs = conv_args(keep, x, out, data=x.ctypes.data + 1)
    assert raw_call(lib, "conv", ins, outs) == (1, "conv: input 0 ('x') data is not aligned to 4 bytes")
    ins, outs = conv_args(keep, x, out, shape=(2, -5, 4))
    assert raw_call(lib, "conv", ins, outs) == (1, "conv: input 0 ('x') dimension 1 has negative size -5")
    ins, outs = conv_args(keep, x, out, shape=(2**40, 2**40, 4))
    status, text = raw_call(lib, "conv", ins, outs)
    assert status == 3 and "too many elements" in text
    assert (out == 7.0).all()
    # Explicit row-major strides are accepted.
    ins, outs = conv_args(keep, x, out, strides=(20, 4, 1))
    assert raw_call(lib, "conv", ins, outs)[0] == 0


def test_error_is_cleared_by_a_good_call(lib):
    lib.call_raw("attn", good_inputs()[:1], [canary()])
    assert lib.lib.seqc_last_error() != b""
    lib.call("attn", good_inputs())
    assert lib.lib.seqc_last_error() == b""


def test_library_needs_only_libc_libm_and_openmp(lib):
    needed = subprocess.run([LLVM_BIN + "llvm-readelf", "-d", lib.path], capture_output=True,
                            text=True).stdout
    libs = sorted(line.split("[")[1].split("]")[0] for line in needed.splitlines()
                  if "(NEEDED)" in line)
    # The dynamic loader is there for thread-local storage (the error
    # message), the OpenMP runtime for parallel loops (flash attention).
    assert set(libs) <= {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2",
                         "libomp.so.5"}, libs
    exported = subprocess.run([LLVM_BIN + "llvm-nm", "-D", "--defined-only", lib.path],
                              capture_output=True, text=True).stdout.split()
    assert all(name.startswith("seqc_") for name in exported[2::3]), exported


RULES = """
func.func @gqa(%q: tensor<1x?x4x8xf32>, %k: tensor<1x2x4x8xf32>) -> tensor<1x?x4x8xf32> {
  %o = seq.attention %q, %k, %k : tensor<1x?x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x?x4x8xf32>
  return %o : tensor<1x?x4x8xf32>
}
func.func @bias(%q: tensor<2x2x3x4xf32>, %b: tensor<?x?x?x?xf32>) -> tensor<2x2x3x4xf32> {
  %o = seq.attention %q, %q, %q bias(%b : tensor<?x?x?x?xf32>) : tensor<2x2x3x4xf32>, tensor<2x2x3x4xf32>, tensor<2x2x3x4xf32> -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}
func.func @groups(%u: tensor<1x3x8xf32>, %A: tensor<8x2xf32>, %B: tensor<1x3x?x2xf32>) -> tensor<1x3x8xf32> {
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B : tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<8x2xf32>, tensor<1x3x?x2xf32>, tensor<1x3x?x2xf32> -> tensor<1x3x8xf32>, tensor<1x8x2xf32>
  return %y : tensor<1x3x8xf32>
}
func.func @mlstm(%q: tensor<1x1x2x4xf32>, %v: tensor<1x1x2x?xf32>, %s0: tensor<1x1x4x?xf32>) -> tensor<1x1x2x?xf32> {
  %o, %s = seq.linear_attention %q, %q, %v initial_state(%s0 : tensor<1x1x4x?xf32>) {normalize}
      : tensor<1x1x2x4xf32>, tensor<1x1x2x4xf32>, tensor<1x1x2x?xf32> -> tensor<1x1x2x?xf32>, tensor<1x1x4x?xf32>
  return %o : tensor<1x1x2x?xf32>
}
func.func @conv(%x: tensor<1x5x4xf32>, %w: tensor<4x1x3xf32>, %s0: tensor<1x?x4xf32>) -> tensor<1x5x4xf32> {
  %y = seq.conv1d %x, %w state(%s0 : tensor<1x?x4xf32>) : tensor<1x5x4xf32>, tensor<4x1x3xf32> -> tensor<1x5x4xf32>
  return %y : tensor<1x5x4xf32>
}
"""


@pytest.fixture(scope="module")
def rules():
    return Library(RULES)


def zeros(*shape):
    return np.zeros(shape, np.float32)


@pytest.mark.parametrize("call,message", [
    (("gqa", [zeros(1, 3, 4, 8), zeros(1, 2, 4, 8)], [zeros(1, 3, 4, 8)]),
     "gqa: query heads H ('q' dimension 1) must be a multiple of key/value "
     "heads Hkv ('k' dimension 1): got 3 and 2"),
    (("gqa", [zeros(1, 1, 4, 8), zeros(1, 2, 4, 8)], [zeros(1, 1, 4, 8)]),
     "gqa: query heads H ('q' dimension 1) must be a multiple of key/value "
     "heads Hkv ('k' dimension 1): got 1 and 2"),
    (("bias", [zeros(2, 2, 3, 4), zeros(7, 7, 7, 7)], [zeros(2, 2, 3, 4)]),
     "bias: 'bias' dimensions must be 1 or [B, H, Lq, Lk]: got 7 and 2"),
    (("groups", [zeros(1, 3, 8), zeros(8, 2), zeros(1, 3, 3, 2)], [zeros(1, 3, 8)]),
     "groups: channels Dm ('u' dimension 2) must be a multiple of groups G "
     "('B' dimension 2): got 8 and 3"),
    (("groups", [zeros(1, 3, 8), zeros(8, 2), zeros(1, 3, 0, 2)], [zeros(1, 3, 8)]),
     "got 8 and 0"),
    (("mlstm", [zeros(1, 1, 2, 4), zeros(1, 1, 2, 3), zeros(1, 1, 4, 3)], [zeros(1, 1, 2, 3)]),
     "mlstm: with 'normalize' the state has Dv + 1 columns ('v' dimension 3 "
     "plus one): got 3 and 3"),
    (("conv", [zeros(1, 5, 4), zeros(4, 1, 3), zeros(1, 1, 4)], [zeros(1, 5, 4)]),
     "conv: input 2 ('state') dimension 1 is 1, expected 2"),
])
def test_rules_between_sizes_are_checked(rules, call, message):
    name, inputs, outputs = call
    status, text = rules.call_raw(name, inputs, outputs)
    assert status == 1, text
    assert message in text
    assert all((o == 0).all() for o in outputs)


def test_rules_hold_for_good_calls(rules):
    (o,) = rules.call("gqa", [zeros(1, 4, 4, 8), zeros(1, 2, 4, 8)])
    assert o.shape == (1, 4, 4, 8)
    (o,) = rules.call("bias", [zeros(2, 2, 3, 4), zeros(1, 2, 1, 3)])
    assert o.shape == (2, 2, 3, 4)
    (o,) = rules.call("mlstm", [zeros(1, 1, 2, 4), zeros(1, 1, 2, 3), zeros(1, 1, 4, 4)])
    assert o.shape == (1, 1, 2, 3)


def test_libc_names_and_calls_through_private_functions():
    """@free calls a private function and adds on tensors: it must run (the
    kernel is renamed inside the library; the call is inlined for the size
    analysis)."""
    src = open(os.path.join(os.path.dirname(__file__), "..", "tools", "seqc",
                            "Inputs", "libc-names.mlir")).read()
    lib = Library(src)
    x, w = np.ones((2, 3, 4), np.float32), np.ones((4, 1, 2), np.float32)
    (y,) = lib.call("free", [x, w])
    assert (y[:, 0] == 2).all() and (y[:, 1:] == 4).all()
    (y,) = lib.call("malloc", [x, w])
    assert y.shape == (2, 3, 4)


def test_inputs_are_never_written():
    """An elementwise op or a recurrence state on an argument must not reuse
    the caller's buffer (bufferization would update it in place)."""
    lib = Library("""
func.func @g(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %c = arith.addf %a, %b : tensor<4xf32>
  %d = arith.mulf %b, %b : tensor<4xf32>
  return %c, %d : tensor<4xf32>, tensor<4xf32>
}
func.func @r(%x: tensor<?x?x4xf32>, %h0: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %h, %y = seq.recurrence ins(%x : tensor<?x?x4xf32>) init(%h0 : tensor<?x4xf32>) -> tensor<?x4xf32>, tensor<?x?x4xf32> {
  ^bb0(%hp: tensor<?x4xf32>, %xt: tensor<?x4xf32>):
    %hn = arith.addf %hp, %xt : tensor<?x4xf32>
    seq.yield %hn, %hn : tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %h : tensor<?x4xf32>
}""")
    x = np.array([1, 2, 3, 4], np.float32)
    c, d = lib.call("g", [x, x])
    assert (c == 2 * x).all() and (d == x * x).all()
    assert (x == [1, 2, 3, 4]).all()
    xs, h0 = np.ones((2, 3, 4), np.float32), np.zeros((2, 4), np.float32)
    (h,) = lib.call("r", [xs, h0])
    assert (h == 3).all() and (h0 == 0).all() and (xs == 1).all()


def test_sizes_through_reshapes_are_checked_before_the_call():
    lib = Library("""
func.func @f(%u: tensor<1x?x2x2xf32>, %d: tensor<1x?x4xf32>, %A: tensor<4x1xf32>, %B: tensor<1x?x1x1xf32>) -> tensor<1x?x4xf32> {
  %u2 = tensor.collapse_shape %u [[0], [1], [2, 3]] : tensor<1x?x2x2xf32> into tensor<1x?x4xf32>
  %y, %h = seq.selective_scan %u2, %d, %A, %B, %B : tensor<1x?x4xf32>, tensor<1x?x4xf32>, tensor<4x1xf32>, tensor<1x?x1x1xf32>, tensor<1x?x1x1xf32> -> tensor<1x?x4xf32>, tensor<1x4x1xf32>
  return %y : tensor<1x?x4xf32>
}""")
    inputs = [zeros(1, 400, 2, 2), zeros(1, 3, 4), zeros(4, 1), zeros(1, 3, 1, 1)]
    status, text = lib.call_raw("f", inputs, [zeros(1, 3, 4)])
    assert status == 1 and "they must be equal" in text, text


def always_overcommits():
    try:
        with open("/proc/sys/vm/overcommit_memory") as f:
            return f.read().strip() == "1"
    except OSError:
        return False


@pytest.mark.skipif(always_overcommits(),
                    reason="vm.overcommit_memory=1 maps any size it can")
def test_a_buffer_too_large_to_allocate_fails_the_call():
    """The reference lowering of attention holds the Lq x Lk scores: at
    L = 2^23, 256 TiB, more than a process can map. The call returns
    SEQC_ERROR_OUT_OF_MEMORY (3) with the buffer's size, instead of the
    kernel writing through NULL; the output is untouched and the next call
    works."""
    q = tensor_type((1, 1, 8, 1), dynamic=(2,))
    lib = Library("""func.func @f(%q: {q}, %k: {q}, %v: {q}) -> {q} {{
  %o = seq.attention %q, %k, %v : {q}, {q}, {q} -> {q}
  return %o : {q}
}}""".format(q=q), extra_args=("-O0",))
    n = 1 << 23
    x = np.ones((1, 1, n, 1), np.float32)
    out = np.full_like(x, 7.0)
    status, text = lib.call_raw("f", [x, x, x], [out])
    assert status == 3, (status, text)
    # The size asked for: the scores, plus the allocation's alignment.
    asked = re.search(r"out of memory: .* buffer of (\d+) bytes", text)
    assert asked and 4 * n * n <= int(asked.group(1)) < 4 * n * n + 4096, text
    assert (out == 7.0).all()
    small = np.arange(5, dtype=np.float32).reshape(1, 1, 5, 1)
    (y,) = lib.call("f", [small, small, small])
    # Softmax of q k: each row attends most to the largest key.
    scores = small[0, 0] @ small[0, 0].T
    p = np.exp(scores - scores.max(1, keepdims=True))
    expected = (p / p.sum(1, keepdims=True)) @ small[0, 0]
    np.testing.assert_allclose(y[0, 0], expected, rtol=1e-5)
