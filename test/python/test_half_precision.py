"""f16 through the CPU pipeline, the CUDA lowering (emulated, and on a GPU
when there is one) and the ABI (computed in f16, so the tolerance is
f16's), and bf16 compiling and linking (its conversions come from
compiler-rt's builtins)."""

import numpy as np
import pytest

from seqc_harness import Library, assert_close, target_args, tensor_type
from test_attention import attention_reference
from test_conv1d import conv1d_reference

SOURCE = """
func.func @conv(%x: {x}, %w: {w}) -> {x} {{
  %y = seq.conv1d %x, %w activation silu {{dilation = 2}} : {x}, {w} -> {x}
  return %y : {x}
}}
func.func @attn(%q: {q}, %k: {q}, %v: {q}) -> {q} {{
  %o = seq.attention %q, %k, %v {{causal}} : {q}, {q}, {q} -> {q}
  return %o : {q}
}}
"""


@pytest.mark.parametrize("target", ["-O2", "cuda-emulated", "cuda"])
def test_f16_matches_reference(target):
    lib = Library(SOURCE.format(x=tensor_type((1, 1, 6), "f16", (0, 1)),
                                w=tensor_type((6, 1, 3), "f16"),
                                q=tensor_type((1, 2, 1, 16), "f16", (0, 2))),
                  extra_args=target_args(target))
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 9, 6)).astype(np.float16)
    w = (rng.standard_normal((6, 1, 3)) / 2).astype(np.float16)
    (y,) = lib.call("conv", [x, w])
    ref, _ = conv1d_reference(x.astype(np.float64), w.astype(np.float64), None,
                              None, 2, "silu")
    assert y.dtype == np.float16
    assert_close(y.astype(np.float64), ref, rtol=1e-2, atol=1e-2, what="conv f16")

    q, k, v = (rng.standard_normal((2, 2, 7, 16)).astype(np.float16) for _ in range(3))
    (o,) = lib.call("attn", [q, k, v])
    ref, _ = attention_reference(*(a.astype(np.float64) for a in (q, k, v)), None,
                                 None, 0.25, True, None, None, None)
    assert_close(o.astype(np.float64), ref, rtol=2e-2, atol=2e-2, what="attention f16")


def test_bf16_compiles_and_links():
    lib = Library(SOURCE.format(x=tensor_type((1, 1, 6), "bf16", (0, 1)),
                                w=tensor_type((6, 1, 3), "bf16"),
                                q=tensor_type((1, 2, 1, 16), "bf16", (0, 2))))
    assert lib.functions["conv"].inputs[0].dtype == 4  # SEQC_DTYPE_BF16
