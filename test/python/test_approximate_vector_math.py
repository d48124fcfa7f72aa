"""seq-approximate-vector-math's exp on vectors against float64 NumPy: with
AVX-512, vector<16xf32> takes the vscalefps expansion (within 1.5 ulp,
results below 2^-126 flushed to 0: a denormal costs later FMAs a
microcode assist); with AVX2, vector<8xf32> builds the power of 2 in the
exponent bits (within 1.5 ulp, results below 2^-125.5 flushed to 0).
Both: exp(-inf) = 0, exp(+inf) = inf, NaN stays NaN, overflow gives inf."""

import numpy as np
import pytest

from seqc_harness import Library

FUNCTION = """
func.func @vexp(%x: tensor<{n}xf32>) -> tensor<{n}xf32> {{
  %c0 = arith.constant 0 : index
  %step = arith.constant {lanes} : index
  %n = arith.constant {n} : index
  %pad = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<{n}xf32>
  %y = scf.for %i = %c0 to %n step %step iter_args(%acc = %init) -> tensor<{n}xf32> {{
    %v = vector.transfer_read %x[%i], %pad {{in_bounds = [true]}} : tensor<{n}xf32>, vector<{lanes}xf32>
    %e = math.exp %v : vector<{lanes}xf32>
    %w = vector.transfer_write %e, %acc[%i] {{in_bounds = [true]}} : vector<{lanes}xf32>, tensor<{n}xf32>
    scf.yield %w : tensor<{n}xf32>
  }}
  return %y : tensor<{n}xf32>
}}"""

SPECIALS = [-np.inf, np.inf, np.nan, 0.0, -0.0, -87.4, -100.0, -103.9, -120.0,
            88.72, 88.73, 100.0, 1e-8, -1e-8]


def has_avx512():
    try:
        with open("/proc/cpuinfo") as f:
            return " avx512f" in f.read()
    except OSError:
        return False


# (seqc --cpu, vector lanes, ulp bound, the smallest result not flushed:
# None when denormal results are kept)
CPUS = {"avx512": ("x86-64-v4", 16, 1.5, 2.0 ** -126),
        "avx2": ("x86-64-v3", 8, 1.5, 2.0 ** -125.5)}


@pytest.mark.parametrize("cpu", sorted(CPUS))
def test_vector_exp_matches_float64(cpu):
    if cpu == "avx512" and not has_avx512():
        pytest.skip("this CPU has no AVX-512")
    flag, lanes, ulps, smallest = CPUS[cpu]
    x = np.concatenate([np.linspace(-110.0, 95.0, 65536),
                        np.random.default_rng(0).uniform(-20, 20, 4096),
                        SPECIALS]).astype(np.float32)
    x = np.concatenate([x, np.zeros(-len(x) % lanes, np.float32)])
    lib = Library(FUNCTION.format(n=len(x), lanes=lanes),
                  extra_args=("-O2", "--cpu=" + flag))
    y = lib.call("vexp", [x])[0].astype(np.float64)
    with np.errstate(over="ignore"):
        ref = np.exp(x.astype(np.float64))
        ref32 = ref.astype(np.float32)
    kept = np.finfo(np.float32).tiny if smallest is None else smallest
    normal = np.isfinite(ref32) & (ref32 >= kept)
    ulp = np.spacing(ref32[normal]).astype(np.float64)
    worst = np.max(np.abs(y[normal] - ref[normal]) / ulp)
    assert worst <= ulps, "%.2f ulp" % worst
    # Results below that: denormals within one denormal step, or 0.
    small = np.isfinite(x) & (ref32 < kept)
    assert small.any()
    if smallest is None:
        step = np.float64(np.finfo(np.float32).smallest_subnormal)
        assert np.all(np.abs(y[small] - ref[small]) <= step)
    else:
        assert np.all(y[small] == 0)
    overflow = np.isfinite(x) & np.isinf(ref32)
    assert overflow.any() and np.all(np.isposinf(y[overflow]))
    assert y[x == -np.inf][0] == 0.0
    assert np.isposinf(y[x == np.inf][0])
    assert np.isnan(y[np.isnan(x)][0])
