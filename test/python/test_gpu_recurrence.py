"""Named-cell recurrences on the CUDA target's persistent kernel
(seq-gpu-recurrence, lib/Transforms/GpuRecurrence.cpp) against the float64
reference of test_recurrence.py, at the shapes that take its other paths:
recurrent weights read through the caches rather than copied to shared
memory (heads over 48 KiB of weights), several units per thread (heads of
more than 256 units, up to the 1024 it takes), blocks whose last threads
own no row (a head size that does not divide 256), batch tails, reverse,
initial states; and f16/bf16 operands (computed in f32).

test_recurrence.py's own shapes (small heads: weights in shared memory)
also run on the "cuda-emulated" target. Without a GPU the kernel runs
emulated (seq-gpu-emulate-on-host runs a block's 256 threads in lockstep,
its barriers ordering the shared memory's reads and writes); on a GPU
("cuda") the tests run on the device, and are skipped with the reason
elsewhere.

Tolerances: f32 as test_recurrence.py; f16 and bf16 relative to the
result's largest magnitude, 1e-2 and 4e-2 (the reference takes the rounded
inputs; the kernel accumulates in f32 and rounds its outputs once).
"""

import numpy as np
import pytest

from seqc_harness import (Library, assert_close, bf16_array, bf16_values,
                          target_args)
from test_recurrence import (STATES, _function, operands, random_inputs,
                             recurrence_reference)

GPU_TARGETS = ["cuda-emulated", "cuda"]

# (cell, B, L, I, NH, Dh, b_in, b_rec, init, reverse)
CONFIGS = [
    ("lstm", 3, 6, 8, 1, 64, True, True, True, False),     # weights in L1/L2, 4 rows a block
    ("gru", 2, 5, 7, 2, 64, True, True, False, True),      # 48 KiB of weights + h: not on chip
    ("elman", 2, 4, 5, 1, 300, True, True, True, False),   # 2 units per thread
    ("slstm", 2, 5, 6, 1, 520, True, True, True, True),    # 3 units per thread
    ("lstm", 5, 7, 4, 3, 20, True, False, True, True),     # 12 rows a block, 16 idle threads
    ("elman", 1, 3, 2, 1, 1024, False, False, False, False),  # the largest head taken
    ("gru", 13, 4, 3, 1, 96, False, True, True, False),    # 2 rows a block, a batch tail
]

# In f16 and bf16: a head whose weights fit in shared memory and one whose
# do not.
HALF_CONFIGS = [
    ("lstm", 2, 6, 8, 2, 16, True, True, True, False),
    ("gru", 3, 5, 6, 1, 64, True, True, False, True),
]
TOLERANCE = {"f16": 1e-2, "bf16": 4e-2}


@pytest.fixture(scope="module", params=GPU_TARGETS)
def library(request):
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=target_args(request.param))


@pytest.fixture(scope="module",
                params=[(d, t) for d in TOLERANCE for t in GPU_TARGETS],
                ids=lambda p: "-".join(p))
def half_library(request):
    dtype, target = request.param
    source = "\n".join(_function(i, c, dtype) for i, c in enumerate(HALF_CONFIGS))
    return dtype, Library(source, extra_args=target_args(target))


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_persistent_recurrence_matches_reference(library, index):
    config = CONFIGS[index]
    cell, ns = config[0], STATES[config[0]]
    x, w_in, w_rec, b_in, b_rec, states = random_inputs(config, 2600 + index)
    outs = library.call("rnn%d" % index,
                        [a.astype(np.float32) for a in
                         operands(x, w_in, w_rec, b_in, b_rec, states)])
    ref_states, ref_y = recurrence_reference(cell, x, w_in, w_rec, b_in, b_rec,
                                             states, config[9])
    for k in range(ns):
        assert_close(outs[k], ref_states[k], what="final state #%d" % k)
    assert_close(outs[ns], ref_y, what="y")


@pytest.mark.parametrize("index", range(len(HALF_CONFIGS)))
def test_half_precision_recurrence_matches_reference(half_library, index):
    dtype, lib = half_library
    config = HALF_CONFIGS[index]
    cell, ns = config[0], STATES[config[0]]

    def rounded(a):
        if a is None:
            return None, None
        if dtype == "f16":
            r = a.astype(np.float16)
            return r, r.astype(np.float64)
        r = bf16_array(a)
        return r, bf16_values(r)

    def values(a):
        return a.astype(np.float64) if dtype == "f16" else bf16_values(a)

    x, w_in, w_rec, b_in, b_rec, states = random_inputs(config, 2700 + index)
    (x, xv), (w_in, w_inv), (w_rec, w_recv), (b_in, b_inv), (b_rec, b_recv) = (
        rounded(a) for a in (x, w_in, w_rec, b_in, b_rec))
    state_pairs = [rounded(s) for s in states] if states else []
    outs = lib.call("rnn%d" % index,
                    operands(x, w_in, w_rec, b_in, b_rec,
                              [s for s, _ in state_pairs] or None))
    ref_states, ref_y = recurrence_reference(
        cell, xv, w_inv, w_recv, b_inv, b_recv,
        [v for _, v in state_pairs] or None, config[9])
    tol = TOLERANCE[dtype]
    for k in range(ns):
        assert_close(values(outs[k]), ref_states[k], rtol=tol,
                     atol=tol * np.abs(ref_states[k]).max(),
                     what="%s final state #%d" % (dtype, k))
    assert_close(values(outs[ns]), ref_y, rtol=tol,
                 atol=tol * np.abs(ref_y).max(), what="%s y" % dtype)
