"""Projections (linalg.contract of x[..., k] with w[n, k]) through seqc,
reference (-O0, loops) and -seq-fast-matmul (-O2), against float64 NumPy."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, tensor_type, TARGETS, target_args

# (batch, rows, K, N): rank 3 when batch is not None. Sizes give every tail:
# rows not a multiple of the register tile, N not a multiple of 4 or of a
# task's 64 outputs, one row (a decode step), K of one vector; K = 36 is not
# a multiple of the vector width, so it stays with the loop lowering. From
# 20 rows per batch entry (FastMatmulPanels.h) the panel kernel runs: 19
# and 20 rows sit on either side; 150 and 130 rows need more than one task
# of 4 panels, the last one partly zero; N = 200 and 100 leave tiles of 12
# (or 6) outputs and tasks of 96 (48) with tails; K = 400 sums k in blocks
# of 128 (the last one 16).
CONFIGS = [
    (1, 1, 64, 4),
    (2, 37, 96, 130),
    (3, 5, 16, 1),
    (None, 7, 32, 65),
    (None, 1, 256, 300),
    (2, 1, 48, 64),
    (1, 33, 128, 7),
    (None, 4, 36, 9),
    (None, 19, 32, 13),
    (None, 20, 16, 25),
    (None, 150, 64, 200),
    (2, 130, 48, 100),
    (None, 40, 400, 30),
]


def _function(i, cfg):
    batch, rows, k, n = cfg
    if batch is None:
        x_t = tensor_type((rows, k), dynamic=(0,))
        y_t = tensor_type((rows, n), dynamic=(0,))
        maps = ("affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, "
                "affine_map<(m, n, k) -> (m, n)>")
    else:
        x_t = tensor_type((batch, rows, k), dynamic=(0, 1))
        y_t = tensor_type((batch, rows, n), dynamic=(0, 1))
        maps = ("affine_map<(b, l, n, k) -> (b, l, k)>, "
                "affine_map<(b, l, n, k) -> (n, k)>, "
                "affine_map<(b, l, n, k) -> (b, l, n)>")
    w_t = tensor_type((n, k))
    return """
func.func @proj{i}(%x: {x_t}, %w: {w_t}, %init: {y_t}) -> {y_t} {{
  %y = linalg.contract indexing_maps = [{maps}]
      ins(%x, %w : {x_t}, {w_t}) outs(%init : {y_t}) -> {y_t}
  return %y : {y_t}
}}""".format(i=i, x_t=x_t, w_t=w_t, y_t=y_t, maps=maps)


@pytest.fixture(scope="module", params=TARGETS + ["-O2 avx2"])
def library(request):
    """Also for AVX2 (8 lanes: panels of 16 rows by tiles of 6 outputs),
    which runs on this machine's AVX-512 as well."""
    args = (("--runtime-checks", "-O2", "--cpu=x86-64-v3")
            if request.param == "-O2 avx2" else target_args(request.param))
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=args)


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_projection_matches_reference(library, index):
    batch, rows, k, n = CONFIGS[index]
    rng = np.random.default_rng(index)
    lead = (rows,) if batch is None else (batch, rows)
    x = rng.standard_normal(lead + (k,))
    w = rng.standard_normal((n, k)) / np.sqrt(k)
    init = rng.standard_normal(lead + (n,))  # accumulated into, not replaced
    (y,) = library.call("proj%d" % index,
                        [a.astype(np.float32) for a in (x, w, init)])
    assert_close(y, init + x @ w.T, rtol=1e-4, atol=1e-4)
