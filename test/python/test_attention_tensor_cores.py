"""f16 and bf16 attention on the CUDA target's tensor-core kernel
(seq-gpu-attention, lib/Transforms/GpuAttentionTensorCore.cpp: a warp per
16 query rows, mma.sync.m16n8k16; from 64 query rows on, blocks of 4 warps
that stage K and V in shared memory) against the float64 reference.

Without a GPU the kernel runs emulated (seq-gpu-emulate-on-host runs each
warp's 32 lanes in lockstep, or each block's 128 when they share memory,
and computes mma.sync and the shuffles from the PTX ISA's fragment
layouts), which tests the kernel's lane and fragment indexing, its tiles,
masks and online softmax; on a GPU ("cuda") the same kernels run on the
tensor cores.

Tolerances: the reference takes the rounded inputs; the kernel also
rounds the probabilities to the input type before P V (as FlashAttention
does) and rounds the output once: f16 has an 11-bit significand (errors of
a few 1e-3 here), bf16 an 8-bit one (a few 1e-2).
"""

import numpy as np
import pytest

from seqc_harness import (Library, assert_close, bf16_array, bf16_values,
                          target_args)
from test_attention import MaskedBias, _bias_values, _function, attention_reference

# (B, H, Hkv, Lq, Lk, D, Dv, causal, window, chunk, softcap, bias, kv_len,
#  lse, scale); head sizes static multiples of 16 (value heads: of 8), so
# every one takes the tensor-core kernel.
CONFIGS = [
    (1, 2, 2, 16, 16, 16, 16, False, None, None, None, None, False, True, None),
    (2, 4, 2, 37, 53, 32, 24, True, None, None, None, None, False, True, None),   # GQA, Lq < Lk
    (3, 4, 1, 1, 100, 64, 64, True, None, None, None, None, True, True, None),    # decode, kv_len
    (1, 3, 3, 50, 50, 16, 8, False, 7, None, None, None, False, True, None),      # centred window
    (1, 2, 2, 40, 40, 32, 32, True, 9, None, None, None, False, False, None),     # causal window
    (2, 2, 1, 33, 33, 16, 16, False, None, 8, 5.0, None, False, True, None),      # chunks, softcap
    (1, 2, 2, 20, 7, 16, 16, True, None, None, None, None, False, True, None),    # rows that see nothing
    (1, 1, 1, 70, 130, 128, 128, True, None, None, None, None, False, True, 0.1),
    (2, 2, 2, 5, 300, 48, 40, False, None, None, None, None, True, True, None),   # kv_len, long keys
    # 64 query rows or more: blocks of 4 warps staging K and V in shared
    # memory 64 keys at a time (GQA, tiles past the last key, a block's
    # last warps without rows, a window, kv_len, Dv = 8: fewer chunks to
    # copy than threads, rows that see no key, softcap).
    (2, 4, 2, 80, 96, 32, 24, True, None, None, None, None, False, True, None),
    (1, 2, 2, 64, 64, 16, 8, False, 7, None, None, None, True, True, None),
    (1, 2, 1, 100, 40, 64, 64, True, None, None, 5.0, None, False, True, None),
    # A block shares its tiles among the query heads of a GQA group: 4
    # heads of 16 rows (group 4), 2 heads of 32 rows (group 2, above), or
    # one head of 64 rows (group 3).
    (1, 8, 2, 64, 72, 32, 16, True, None, None, None, None, False, True, None),
    (1, 6, 2, 70, 70, 16, 16, False, None, None, None, None, True, True, None),
    # A bias (read per lane at its rows and keys): a padding mask per query
    # with -inf entries and a query masked whole (warps on their own), per
    # head and query staged in shared memory, and decoding with kv_len.
    (2, 4, 2, 37, 53, 32, 24, True, None, None, None, MaskedBias((2, 1, 37, 53)), False, True, None),
    (1, 8, 2, 64, 72, 32, 16, True, None, None, 5.0, (1, 8, 64, 72), False, True, None),
    (3, 4, 1, 1, 100, 64, 64, True, None, None, None, MaskedBias((3, 1, 1, 100)), True, True, None),
]

TYPES = {"f16": 1e-2, "bf16": 4e-2}


_LIBRARIES = {}


def _library(dtype, target, index):
    """A library of the one function attn<index>: compiling every config
    into one emulated library with --runtime-checks takes minutes (the
    lowering of its many bounds checks grows faster than linearly)."""
    key = (dtype, target, index)
    if key not in _LIBRARIES:
        _LIBRARIES[key] = Library(
            _function(index, CONFIGS[index], "attn", dtype=dtype),
            extra_args=target_args(target))
    return _LIBRARIES[key]


@pytest.mark.parametrize("target", ["cuda-emulated", "cuda"])
@pytest.mark.parametrize("dtype", list(TYPES))
@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_tensor_core_attention_matches_reference(index, dtype, target):
    lib = _library(dtype, target, index)
    (b, h, hkv, lq, lk, d, dv, causal, window, chunk, softcap, bias, kv_len,
     lse, scale) = CONFIGS[index]
    rng = np.random.default_rng(900 + index)
    arrays = [rng.standard_normal(shape) for shape in
              ((b, h, lq, d), (b, hkv, lk, d), (b, hkv, lk, dv))]
    if bias is not None:
        arrays.append(_bias_values(rng, bias))
    if dtype == "f16":
        inputs = [a.astype(np.float16) for a in arrays]
        values = [a.astype(np.float64) for a in inputs]
    else:
        inputs = [bf16_array(a) for a in arrays]
        values = [bf16_values(a) for a in inputs]
    lens = None
    if kv_len:
        lens = rng.integers(1, lk + 1, size=b)
        lens[0] = lk
        inputs.append(lens.astype(np.int32))
    outs = lib.call("attn%d" % index, inputs)
    out = (outs[0].astype(np.float64) if dtype == "f16"
           else bf16_values(outs[0]))
    eff_scale = scale if scale is not None else 1.0 / np.sqrt(d)
    bias_values = values[3] if bias is not None else None
    out_ref, lse_ref = attention_reference(*values[:3], bias_values, lens,
                                           eff_scale, causal, window, chunk,
                                           softcap)
    tolerance = TYPES[dtype]
    assert_close(out, out_ref, rtol=tolerance, atol=tolerance,
                 what="%s output" % dtype)
    if lse:
        finite = np.isfinite(lse_ref)
        assert np.array_equal(np.isfinite(outs[1]), finite), "masked rows' lse"
        assert_close(outs[1][finite], lse_ref[finite], rtol=1e-3, atol=1e-3,
                     what="lse")


def test_staged_attention_reads_rows_that_are_not_16_byte_aligned():
    """The staged kernel copies K and V 16 bytes at a time only where their
    rows start 16-byte aligned (checked at run time); caller memory one
    element past an aligned start (seqc_call_device on an emulated library,
    whose "GPU memory" is host memory) takes the element-wise copy and
    gives the same result."""
    import seqc
    config = (1, 2, 1, 64, 70, 32, 16, True, None, None, None, None, False,
              False, None)
    b, h, hkv, lq, lk, d, dv = config[:7]
    lib = seqc.load(Library(_function(0, config, "attn", dtype="f16"),
                            extra_args=target_args("cuda-emulated")).path)
    rng = np.random.default_rng(990)
    q, k, v = (rng.standard_normal(shape).astype(np.float16) for shape in
               ((b, h, lq, d), (b, hkv, lk, d), (b, hkv, lk, dv)))

    def device(a):
        return (a.ctypes.data, a.shape, "f16")

    def run(k_in, v_in):
        out = np.zeros((b, h, lq, dv), np.float16)
        lib.call_device("attn0", [device(q), device(k_in), device(v_in)],
                        [device(out)])
        return out

    def shifted(a):
        storage = np.empty(a.size + 1, np.float16)
        view = storage[1:].reshape(a.shape)
        view[...] = a
        return storage, view

    (k_storage, k_shifted), (v_storage, v_shifted) = shifted(k), shifted(v)
    assert k_shifted.ctypes.data % 16 != 0 and v_shifted.ctypes.data % 16 != 0
    unaligned = run(k_shifted, v_shifted)
    out_ref, _ = attention_reference(
        *(a.astype(np.float64) for a in (q, k, v)), None, None,
        1.0 / np.sqrt(d), True, None, None, None)
    assert_close(unaligned.astype(np.float64), out_ref, rtol=1e-2, atol=1e-2,
                 what="f16 output, unaligned K and V")
    np.testing.assert_array_equal(unaligned, run(k, v))
