"""The runtime's allocator of the kernels' buffers (lib/Runtime/buffer_cache.c):
freed blocks of 1 MiB or more are handed to later calls, which must compute
the same as with fresh memory, and the cache can be turned off
(SEQC_BUFFER_CACHE_MB=0)."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from seqc_harness import Library

# y = 2 x + 1 and a running maximum along the rows: results of any size,
# and an intermediate buffer (the scan's accumulators) freed inside the call.
SOURCE = """
func.func @f(%x: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %c2 = arith.constant 2.0 : f32
  %c1 = arith.constant 1.0 : f32
  %t = linalg.fill ins(%c2 : f32) outs(%x : tensor<?x?xf32>) -> tensor<?x?xf32>
  %o = linalg.fill ins(%c1 : f32) outs(%x : tensor<?x?xf32>) -> tensor<?x?xf32>
  %p = arith.mulf %x, %t : tensor<?x?xf32>
  %y = arith.addf %p, %o : tensor<?x?xf32>
  %m = seq.scan dim = 0 ins(%x : tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%a: f32, %b: f32):
    %r = arith.maximumf %a, %b : f32
    seq.yield %r : f32
  }
  return %y, %m : tensor<?x?xf32>, tensor<?x?xf32>
}
"""


def test_reused_blocks_compute_what_fresh_ones_do():
    """Sizes that grow, shrink and repeat around the cache's 1 MiB floor and
    its at-most-twice-the-size rule: every call matches NumPy."""
    library = Library(SOURCE)
    rng = np.random.default_rng(3)
    for rows in (512, 1024, 300, 1024, 2048, 600, 64, 2048, 1500):
        x = rng.standard_normal((rows, 1024)).astype(np.float32)
        y, m = library.call("f", [x])
        np.testing.assert_array_equal(y, 2 * x + 1)
        np.testing.assert_array_equal(m, np.maximum.accumulate(x, axis=0))


# Page faults of a call whose results are 2 x 64 MiB, once the library has
# run, through the ctypes harness (the caller's outputs allocated by NumPy
# afresh: only the kernel's buffers can be kept) or the seqc module (whose
# returned arrays come from the cache too).
FAULTS = textwrap.dedent("""
    import resource, sys
    import numpy as np
    sys.path[:0] = sys.argv[2:]
    from seqc_harness import Library
    import seqc
    source = '''%s'''
    x = np.ones((16384, 1024), np.float32)
    if sys.argv[1] == "harness":
        library = Library(source)
        call = lambda: library.call("f", [x])
    else:
        library = seqc.load(seqc.compile(source))
        call = lambda: library.f(x)
    call()
    call()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    call()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""") % SOURCE


def _faults(caller, cache_mb):
    env = dict(os.environ)
    env["SEQC_BUFFER_CACHE_MB"] = cache_mb
    here = os.path.dirname(__file__)
    proc = subprocess.run(
        [sys.executable, "-c", FAULTS, caller, here] + sys.path,
        env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[-1])


@pytest.mark.parametrize("caller", ["harness", "module"])
def test_cache_saves_the_page_faults(caller):
    """With the cache a call faults in only what its caller allocates
    afresh (the harness's NumPy outputs; nothing through the seqc module);
    turned off (or set to an unreadable value, which means the default:
    on) the 64 MiB blocks fault in at every call."""
    off = _faults(caller, "0")
    if off < 8192:
        pytest.skip("%d page faults a call without the cache: pages this "
                    "large are not faulted in one by one here" % off)
    on = _faults(caller, "512")
    limit = 0.75 * off if caller == "harness" else 0.1 * off
    assert on < limit, (on, off)
    assert _faults(caller, "lots") < limit
