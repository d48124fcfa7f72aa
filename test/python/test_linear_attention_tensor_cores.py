"""f16 and bf16 linear attention on the CUDA target's chunkwise
tensor-core kernel (seq-gpu-linear-attention,
lib/Transforms/GpuLinearAttention.cpp: a warp per 16 value columns of a
head, chunks of 16 steps, mma.sync.m16n8k16) against the float64
recurrence.

Without a GPU the kernel runs emulated (seq-gpu-emulate-on-host: each
warp's lanes in lockstep, mma.sync from the PTX ISA's fragment layouts),
which tests its lane and fragment indexing, its chunking, masks and
decays (GLA's per key channel too, in bf16); on a GPU ("cuda") the same kernels run on the tensor cores.

Tolerances, relative to the output's largest magnitude: the reference
takes the rounded inputs; the kernel also rounds the decayed scores and
the carried state to the input type before their products (as chunked
kernels do) and rounds the output: f16 1e-2, bf16 5e-2.
"""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, bf16_array, bf16_values, target_args
from test_linear_attention import _function, linear_attention_reference

# (B, H, L, Dk, Dv, decay rank (0 = none, 1 = per head, 3 = per step,
#  4 = per step and key channel),
#  beta, initial state, normalize, scale): every one takes the kernel
# (no delta rule, no normalizer, Dk a multiple of 16 up to 128, Dv of 16).
CONFIGS = [
    (1, 1, 16, 16, 16, 0, False, False, False, None),    # one chunk
    (2, 3, 37, 32, 16, 0, False, False, False, None),    # partial last chunk
    (1, 2, 50, 16, 32, 1, False, True, False, None),     # RetNet, carried state
    (2, 2, 45, 64, 48, 3, False, True, False, 0.5),      # SSD-like per-step decay
    (1, 1, 5, 128, 16, 3, False, False, False, None),    # shorter than a chunk
    (1, 2, 70, 48, 64, 3, False, False, False, None),
]

TOLERANCE = {"f16": 1e-2, "bf16": 5e-2}

# GLA: a decay per step and key channel (decay rank 4), bf16 only (the
# chunk's keys are rescaled by up to exp(16 |decay|), beyond f16's range).
GLA_CONFIGS = [
    (1, 2, 16, 16, 16, 4, False, False, False, None),
    (2, 2, 45, 32, 32, 4, False, True, False, None),    # partial chunk, state
    (1, 1, 40, 64, 16, 4, False, False, False, 0.3),
]


_LIBRARIES = {}


def _library(kind, dtype, target, index):
    """A library of the one function la<index> (or gla<index>): one
    emulated library of every config, with --runtime-checks, takes much
    longer to lower than the sum of its parts."""
    key = (kind, dtype, target, index)
    if key not in _LIBRARIES:
        configs = GLA_CONFIGS if kind == "gla" else CONFIGS
        source = _function(index, configs[index], dtype)
        if kind == "gla":
            source = source.replace("@la", "@gla")
        _LIBRARIES[key] = Library(source, extra_args=target_args(target))
    return _LIBRARIES[key]


def _rounded(dtype, a):
    """(the array passed, its values as float64)."""
    if dtype == "f16":
        x = a.astype(np.float16)
        return x, x.astype(np.float64)
    x = bf16_array(a)
    return x, bf16_values(x)


def _values(dtype, a):
    return a.astype(np.float64) if dtype == "f16" else bf16_values(a)


@pytest.mark.parametrize("target", ["cuda-emulated", "cuda"])
@pytest.mark.parametrize("dtype", list(TOLERANCE))
@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_tensor_core_linear_attention_matches_reference(index, dtype, target):
    _check(_library("la", dtype, target, index), dtype, "la%d" % index,
           CONFIGS[index], 1300 + index)


@pytest.mark.parametrize("target", ["cuda-emulated", "cuda"])
@pytest.mark.parametrize("index", range(len(GLA_CONFIGS)))
def test_tensor_core_gla_matches_reference(index, target):
    _check(_library("gla", "bf16", target, index), "bf16", "gla%d" % index,
           GLA_CONFIGS[index], 1400 + index)


def _check(lib, dtype, name, config, seed):
    b, h, l, dk, dv, decay, _, s0, _, scale = config
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((b, h, l, dk)), rng.standard_normal((b, h, l, dk)),
              rng.standard_normal((b, h, l, dv))]
    if decay:
        shape = {1: (h,), 3: (b, h, l), 4: (b, h, l, dk)}[decay]
        arrays.append(np.log(rng.uniform(0.7, 0.999, shape)))
    if s0:
        arrays.append(rng.standard_normal((b, h, dk, dv)))
    inputs, values = zip(*(_rounded(dtype, a) for a in arrays))
    q, k, v = values[:3]
    g = values[3] if decay else None
    st = values[-1] if s0 else None
    out, state = lib.call(name, list(inputs))
    eff_scale = scale if scale is not None else 1.0 / np.sqrt(dk)
    out_ref, state_ref = linear_attention_reference(q, k, v, g, None, st,
                                                    eff_scale, False)
    tol = TOLERANCE[dtype]
    assert_close(_values(dtype, out), out_ref, rtol=tol,
                 atol=tol * np.abs(out_ref).max(), what="%s output" % dtype)
    assert_close(_values(dtype, state), state_ref, rtol=tol,
                 atol=tol * np.abs(state_ref).max(), what="%s state" % dtype)
