"""Compile seq IR with seqc and call the generated functions from NumPy.

Until the seqc runtime ABI exists, the numerical tests call the entry
points MLIR generates for every public function, `_mlir_ciface_<name>`,
whose arguments are pointers to memref descriptors:

    struct { T *allocated, *aligned; int64 offset, sizes[r], strides[r]; }

and whose first argument points at the result descriptor (or at a struct of
result descriptors when there are several). Results are malloc'ed by the
library; they are copied into NumPy arrays and freed here.
"""

import ctypes
import os
import subprocess
import tempfile

import numpy as np

BUILD_DIR = os.environ.get(
    "SEQC_BUILD_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SEQC = os.path.join(BUILD_DIR, "bin", "seqc")

_DTYPES = {"f32": np.float32, "f64": np.float64, "i32": np.int32,
           "i64": np.int64}


def _descriptor_type(rank):
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank),
                   ("strides", ctypes.c_int64 * rank)]
    return type("MemRef%dD" % rank, (ctypes.Structure,), {"_fields_": fields})


def _descriptor(array):
    desc = _descriptor_type(array.ndim)()
    pointer = array.ctypes.data_as(ctypes.c_void_p)
    desc.allocated = pointer
    desc.aligned = pointer
    desc.offset = 0
    for i, (size, stride) in enumerate(zip(array.shape, array.strides)):
        desc.sizes[i] = size
        desc.strides[i] = stride // array.itemsize
    return desc


_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]


def _take_result(desc, rank, dtype):
    """Copies a returned memref into a NumPy array and frees its buffer."""
    itemsize = np.dtype(dtype).itemsize
    shape = [desc.sizes[i] for i in range(rank)]
    strides = [desc.strides[i] * itemsize for i in range(rank)]
    if min(shape, default=1) == 0:
        out = np.zeros(shape, dtype)
    else:
        extent = 1 + sum((s - 1) * st for s, st in zip(shape, desc.strides[:rank]))
        base = desc.aligned + desc.offset * itemsize
        raw = (ctypes.c_char * (extent * itemsize)).from_address(base)
        out = np.ndarray(shape, dtype, buffer=raw, strides=strides).copy()
    _libc.free(desc.allocated)
    return out


class Library:
    """A library compiled by seqc from `mlir_source`."""

    def __init__(self, mlir_source, extra_args=("--runtime-checks",)):
        """Compiles with bounds checks by default: an out-of-bounds access in
        generated code aborts the test instead of corrupting memory."""
        self._dir = tempfile.TemporaryDirectory(prefix="seqc-test-")
        src = os.path.join(self._dir.name, "input.mlir")
        self.path = os.path.join(self._dir.name, "libtest.so")
        with open(src, "w") as f:
            f.write(mlir_source)
        proc = subprocess.run([SEQC, src, "-o", self.path, *extra_args],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError("seqc failed:\n" + proc.stderr)
        self._lib = ctypes.CDLL(self.path)

    def call(self, name, inputs, results):
        """Calls `name` with `inputs` (NumPy arrays); `results` lists the
        (rank, dtype) of each result."""
        inputs = [np.ascontiguousarray(a) for a in inputs]
        arg_descs = [_descriptor(a) for a in inputs]
        result_types = [_descriptor_type(rank) for rank, _ in results]
        if len(results) == 1:
            out = result_types[0]()
        else:
            out = type("Results", (ctypes.Structure,), {"_fields_": [
                ("r%d" % i, t) for i, t in enumerate(result_types)]})()
        fn = getattr(self._lib, "_mlir_ciface_" + name)
        fn.restype = None
        fn(ctypes.byref(out), *[ctypes.byref(d) for d in arg_descs])
        if len(results) == 1:
            descs = [out]
        else:
            descs = [getattr(out, "r%d" % i) for i in range(len(results))]
        return [_take_result(d, rank, _DTYPES[dt] if isinstance(dt, str) else dt)
                for d, (rank, dt) in zip(descs, results)]


def tensor_type(shape, dtype="f32", dynamic=()):
    """`tensor<?x8x?xf32>`-style type text; dims in `dynamic` become `?`."""
    dims = ["?" if i in dynamic else str(s) for i, s in enumerate(shape)]
    return "tensor<" + "x".join(dims + [dtype]) + ">"


def assert_close(actual, expected, rtol=1e-4, atol=1e-5, what=""):
    """fp32 results against a float64 reference."""
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol,
                               err_msg=what)
