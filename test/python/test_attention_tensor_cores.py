"""f16 and bf16 attention on the CUDA target's tensor-core kernel
(seq-gpu-attention, lib/Transforms/GpuAttentionTensorCore.cpp: a warp per
16 query rows, mma.sync.m16n8k16) against the float64 reference.

Without a GPU the kernel runs emulated (seq-gpu-emulate-on-host runs each
warp's 32 lanes in lockstep and computes mma.sync and the shuffles from the
PTX ISA's fragment layouts), which tests the kernel's lane and fragment
indexing, its masks and its online softmax; on a GPU ("cuda") the same
kernels run on the tensor cores.

Tolerances: the reference takes the rounded inputs; the kernel also
rounds the probabilities to the input type before P V (as FlashAttention
does) and rounds the output once: f16 has an 11-bit significand (errors of
a few 1e-3 here), bf16 an 8-bit one (a few 1e-2).
"""

import numpy as np
import pytest

from seqc_harness import (Library, assert_close, bf16_array, bf16_values,
                          target_args)
from test_attention import _function, attention_reference

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
]

TYPES = {"f16": 1e-2, "bf16": 4e-2}


@pytest.fixture(scope="module", params=[(dtype, target) for dtype in TYPES
                                        for target in ("cuda-emulated", "cuda")],
                ids=lambda p: "-".join(p))
def library(request):
    dtype, target = request.param
    source = "\n".join(_function(i, c, "attn", dtype=dtype)
                       for i, c in enumerate(CONFIGS))
    return dtype, Library(source, extra_args=target_args(target))


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_tensor_core_attention_matches_reference(library, index):
    dtype, lib = library
    (b, h, hkv, lq, lk, d, dv, causal, window, chunk, softcap, _, kv_len,
     lse, scale) = CONFIGS[index]
    rng = np.random.default_rng(900 + index)
    arrays = [rng.standard_normal(shape) for shape in
              ((b, h, lq, d), (b, hkv, lk, d), (b, hkv, lk, dv))]
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
    out_ref, lse_ref = attention_reference(*values, None, lens, eff_scale,
                                           causal, window, chunk, softcap)
    tolerance = TYPES[dtype]
    assert_close(out, out_ref, rtol=tolerance, atol=tolerance,
                 what="%s output" % dtype)
    if lse:
        finite = np.isfinite(lse_ref)
        assert np.array_equal(np.isfinite(outs[1]), finite), "masked rows' lse"
        assert_close(outs[1][finite], lse_ref[finite], rtol=1e-3, atol=1e-3,
                     what="lse")
