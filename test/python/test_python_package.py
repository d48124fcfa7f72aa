"""The seqc Python package (python-bindings/): compile, load, call, opt, and
its errors."""

import os
import sys

import numpy as np
import pytest

seqc = pytest.importorskip("seqc", reason="the seqc Python module was not built "
                           "(nanobind missing)")

from test_attention import attention_reference  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
ATTENTION = os.path.join(EXAMPLES, "attention_block.mlir")


@pytest.fixture(scope="module")
def attention():
    return seqc.load(seqc.compile(ATTENTION))


def test_call_matches_reference(attention):
    rng = np.random.default_rng(1)
    q = rng.standard_normal((2, 8, 5, 64)).astype(np.float32)
    k = rng.standard_normal((2, 2, 7, 64)).astype(np.float32)
    v = rng.standard_normal((2, 2, 7, 64)).astype(np.float32)
    out = attention.prefill(q, k, v)
    assert out.shape == (2, 8, 5, 64) and out.dtype == np.float32
    ref, _ = attention_reference(q.astype(np.float64), k.astype(np.float64),
                                 v.astype(np.float64), None, None, 1 / 8.0,
                                 True, None, None, None)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def test_multiple_outputs_and_non_contiguous_inputs(attention):
    rng = np.random.default_rng(2)
    q = rng.standard_normal((64, 1, 8, 3)).astype(np.float32).transpose(3, 2, 1, 0)
    assert not q.flags.c_contiguous
    kc = rng.standard_normal((3, 2, 4096, 64)).astype(np.float32)
    lens = np.array([4096, 10, 1], np.int32)
    out, lse = attention.decode(q, kc, kc, lens)
    assert out.shape == (3, 8, 1, 64) and lse.shape == (3, 8, 1)
    assert np.isfinite(out).all() and np.isfinite(lse).all()


def test_signatures(attention):
    inputs, outputs = attention.signatures["prefill"]
    assert [name for name, _, _ in inputs] == ["q", "k", "v"]
    assert inputs[0][1] == "f32" and inputs[0][2][1] == 8
    assert outputs[0][2][0] == inputs[0][2][0]  # the batch symbol


def test_refused_call_raises_call_error(attention):
    q = np.zeros((2, 8, 5, 64), np.float32)
    k = np.zeros((3, 2, 7, 64), np.float32)
    with pytest.raises(seqc.CallError, match="dimension 0 is 3, but input 0"):
        attention.prefill(q, k, k)
    with pytest.raises(seqc.CallError, match="has dtype f64, expected f32"):
        attention.prefill(q.astype(np.float64), k[:2], k[:2])
    with pytest.raises(seqc.CallError, match="expected 3 inputs, got 1"):
        attention.prefill(q)
    with pytest.raises(AttributeError, match="no entry point 'forward'"):
        attention.forward(q)


HALF_ATTENTION = """
func.func @attn(%q: tensor<1x2x?x16x{t}>) -> tensor<1x2x?x16x{t}> {{
  %o = seq.attention %q, %q, %q {{causal}}
      : tensor<1x2x?x16x{t}>, tensor<1x2x?x16x{t}>, tensor<1x2x?x16x{t}>
      -> tensor<1x2x?x16x{t}>
  return %o : tensor<1x2x?x16x{t}>
}}"""


@pytest.mark.parametrize("dtype", ["f16", "bf16"])
def test_half_precision_arrays(dtype):
    """f16 as NumPy's float16, bf16 as ml_dtypes.bfloat16 (NumPy has no
    bf16: the module passes its bits), in and out; a uint16 array is taken
    as bf16 bits too."""
    ml_dtypes = pytest.importorskip("ml_dtypes")
    np_type = np.float16 if dtype == "f16" else ml_dtypes.bfloat16
    lib = seqc.load(seqc.compile(HALF_ATTENTION.format(t=dtype)))
    q = np.random.default_rng(4).standard_normal((1, 2, 9, 16)).astype(np_type)
    out = lib.attn(q)
    assert out.dtype == np.dtype(np_type) and out.shape == q.shape
    values = q.astype(np.float64)
    ref, _ = attention_reference(values, values, values, None, None, 0.25,
                                 True, None, None, None)
    # Computed in f32 and rounded once (seq-widen-half-precision).
    step = 2.0 ** -8 if dtype == "bf16" else 2.0 ** -11
    np.testing.assert_allclose(out.astype(np.float64), ref, rtol=step,
                               atol=1e-6)
    if dtype == "bf16":
        bits = lib.attn(q.view(np.uint16))
        assert np.array_equal(bits.view(np.uint16), out.view(np.uint16))
        with pytest.raises(seqc.CallError, match="has dtype f32, expected bf16"):
            lib.attn(q.astype(np.float32))


def test_bf16_output_without_ml_dtypes_is_a_call_error(monkeypatch):
    """Without ml_dtypes a bf16 result has no NumPy type: the call says what
    to install, before it runs; looking the entry point up still works."""
    lib = seqc.load(seqc.compile(HALF_ATTENTION.format(t="bf16")))
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # import fails
    assert hasattr(lib, "attn")
    with pytest.raises(seqc.CallError, match="pip install ml_dtypes"):
        lib.attn(np.zeros((1, 2, 3, 16), np.uint16))


def test_compile_errors_carry_diagnostics(tmp_path):
    with pytest.raises(seqc.CompileError, match=r"<source>:1:18: error: custom "
                       r"op 'seq.attentionx' is unknown"):
        seqc.compile("func.func @f() { seq.attentionx }")
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x3x4x16xf32>)"
                   " -> tensor<1x8x4x16xf32> {\n  %o = seq.attention %q, %k, %k : "
                   "tensor<1x8x4x16xf32>, tensor<1x3x4x16xf32>, tensor<1x3x4x16xf32>"
                   " -> tensor<1x8x4x16xf32>\n  return %o : tensor<1x8x4x16xf32>\n}\n")
    out = tmp_path / "libbad.so"
    with pytest.raises(seqc.CompileError, match="bad.mlir:2:8: error: 'seq.attention' "
                       "op query heads H = 8 must be a multiple"):
        seqc.compile(str(bad), output=str(out))
    assert not out.exists()
    with pytest.raises(seqc.CompileError, match="unknown CPU 'pentium-9000'"):
        seqc.compile(ATTENTION, cpu="pentium-9000")
    with pytest.raises(seqc.CompileError, match="unknown target 'tpu'"):
        seqc.compile(ATTENTION, target="tpu")
    with pytest.raises(seqc.CompileError, match="unknown --gpu-arch 'sm_70'"):
        seqc.compile(ATTENTION, target="cuda", gpu_arch="sm_70")
    with pytest.raises(seqc.CompileError, match="unknown emit kind 'exe'"):
        seqc.compile(ATTENTION, emit="exe")
    # The GPU's options would be ignored by the CPU target.
    with pytest.raises(seqc.CompileError, match="gpu_arch needs target='cuda'"):
        seqc.compile(ATTENTION, gpu_arch="sm_90")
    with pytest.raises(seqc.CompileError, match="cuda_path needs target='cuda'"):
        seqc.compile(ATTENTION, cuda_path="/usr/local/cuda")
    # A path the C++ side would cut at the NUL.
    with pytest.raises(ValueError, match="embedded null byte"):
        seqc.compile(ATTENTION, output=str(tmp_path / "lib.so\0x"))
    assert list(tmp_path.iterdir()) == [bad]
    with pytest.raises(ValueError, match="embedded null byte"):
        seqc.load(str(tmp_path / "lib.so\0x"))


def test_emit_stages_and_header(tmp_path):
    # -O0 is the reference lowering; the default level the flash lowering.
    reference = open(seqc.compile(ATTENTION, emit="linalg", opt_level=0)).read()
    assert "linalg.generic" in reference and "seq.attention" not in reference
    assert open(seqc.compile(ATTENTION, emit="linalg", reference=True)).read() == reference
    linalg = open(seqc.compile(ATTENTION, emit="linalg")).read()
    assert "vector.fma" in linalg and "seq.attention" not in linalg
    lib = seqc.compile(ATTENTION, output=str(tmp_path / "libattn.so"))
    assert "seqc_fn_prefill" in open(tmp_path / "libattn.h").read()
    assert os.path.exists(lib)


def test_opt_runs_a_pipeline():
    text = seqc.opt(ATTENTION, "convert-seq-to-linalg,canonicalize")
    assert "linalg.generic" in text and "seq.attention" not in text
    with pytest.raises(seqc.CompileError, match="no-such-pass"):
        seqc.opt(ATTENTION, "no-such-pass")
