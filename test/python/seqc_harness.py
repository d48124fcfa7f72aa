"""Compile seq IR with seqc and call the library through the seqc runtime ABI
(include/seqc-runtime/seqc_runtime.h) from NumPy, with ctypes.

Output shapes come from the library's own signature table
(seqc_get_library_info): static sizes, or sizes equal to an input's.
"""

import ctypes
import os
import subprocess
import tempfile

import numpy as np
import pytest

BUILD_DIR = os.environ.get(
    "SEQC_BUILD_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SEQC = os.path.join(BUILD_DIR, "bin", "seqc")

# seqc_dtype values and their NumPy types. NumPy has no bfloat16: a bf16
# tensor is an array of BF16 (two opaque bytes; bf16_array/bf16_values
# convert).
BF16 = np.dtype("V2")
DTYPES = {1: np.float32, 2: np.float64, 3: np.float16, 4: BF16, 5: np.int8,
          6: np.int32, 7: np.int64}
DTYPE_CODES = {np.dtype(v): k for k, v in DTYPES.items()}


class Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("data", ctypes.c_void_p)]


class Dim(ctypes.Structure):
    _fields_ = [("size", ctypes.c_int64), ("symbol", ctypes.c_int32)]


class ArgInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32), ("dims", ctypes.POINTER(Dim))]


class Constraint(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int32), ("a_symbol", ctypes.c_int32),
                ("a_size", ctypes.c_int64), ("b_symbol", ctypes.c_int32),
                ("b_size", ctypes.c_int64), ("value", ctypes.c_int64),
                ("description", ctypes.c_char_p)]


class FunctionInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("num_inputs", ctypes.c_int32),
                ("inputs", ctypes.POINTER(ArgInfo)),
                ("num_outputs", ctypes.c_int32),
                ("outputs", ctypes.POINTER(ArgInfo)),
                ("num_constraints", ctypes.c_int32),
                ("constraints", ctypes.POINTER(Constraint))]


class LibraryInfo(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_int32), ("num_functions", ctypes.c_int32),
                ("functions", ctypes.POINTER(FunctionInfo))]


class SeqcError(RuntimeError):
    """A call that the library refused, with its status and message."""

    def __init__(self, status, message):
        super().__init__("status %d: %s" % (status, message))
        self.status = status
        self.message = message


def compile_library(mlir_source, directory, extra_args=()):
    src = os.path.join(directory, "input.mlir")
    path = os.path.join(directory, "libtest.so")
    with open(src, "w") as f:
        f.write(mlir_source)
    proc = subprocess.run([SEQC, src, "-o", path, *extra_args],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("seqc failed:\n" + proc.stderr)
    return path


def bf16_array(x):
    """float values -> a BF16 array of the nearest bfloat16s (ties to
    even; no NaN)."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) >> 16
    return rounded.astype(np.uint16).view(BF16)


def bf16_values(a):
    """A BF16 array's values, as float64."""
    bits = a.view(np.uint16).astype(np.uint32) << 16
    return bits.view(np.float32).astype(np.float64)


def tensor_of(array, shape_keepalive):
    """A seqc_tensor viewing `array` (which must stay alive)."""
    shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
    shape_keepalive.append(shape)
    return Tensor(DTYPE_CODES.get(array.dtype, 0), array.ndim,
                  ctypes.cast(shape, ctypes.POINTER(ctypes.c_int64)), None,
                  array.ctypes.data)


class Library:
    """A library compiled by seqc from `mlir_source`."""

    def __init__(self, mlir_source, extra_args=("--runtime-checks",)):
        """Compiles with bounds checks by default: an out-of-bounds access in
        generated code aborts the test instead of corrupting memory."""
        self._dir = tempfile.TemporaryDirectory(prefix="seqc-test-")
        self.path = compile_library(mlir_source, self._dir.name, extra_args)
        self.lib = ctypes.CDLL(self.path)
        self.lib.seqc_get_library_info.restype = ctypes.POINTER(LibraryInfo)
        self.lib.seqc_last_error.restype = ctypes.c_char_p
        self.lib.seqc_call.restype = ctypes.c_int
        info = self.lib.seqc_get_library_info().contents
        self.functions = {}
        for i in range(info.num_functions):
            f = info.functions[i]
            self.functions[f.name.decode()] = f

    def output_shapes(self, name, inputs):
        """Output shapes from the signature table and the inputs' sizes."""
        f = self.functions[name]
        symbols = {}
        for i in range(min(f.num_inputs, len(inputs))):
            arg = f.inputs[i]
            for d in range(min(arg.rank, inputs[i].ndim)):
                if arg.dims[d].symbol >= 0:
                    symbols.setdefault(arg.dims[d].symbol, inputs[i].shape[d])
        shapes = []
        for i in range(f.num_outputs):
            arg = f.outputs[i]
            shapes.append(tuple(arg.dims[d].size if arg.dims[d].size >= 0
                                else symbols[arg.dims[d].symbol]
                                for d in range(arg.rank)))
        return shapes

    def output_dtypes(self, name):
        f = self.functions[name]
        return [DTYPES[f.outputs[i].dtype] for i in range(f.num_outputs)]

    def call_raw(self, name, inputs, outputs):
        """seqc_call with the given arrays; returns (status, message)."""
        keep = []
        in_tensors = (Tensor * max(len(inputs), 1))(
            *[tensor_of(a, keep) for a in inputs])
        out_tensors = (Tensor * max(len(outputs), 1))(
            *[tensor_of(a, keep) for a in outputs])
        status = self.lib.seqc_call(name.encode(), in_tensors, len(inputs),
                                    out_tensors, len(outputs))
        return status, self.lib.seqc_last_error().decode()

    def call(self, name, inputs):
        """Calls `name` with NumPy `inputs`; returns the outputs."""
        inputs = [np.ascontiguousarray(a) for a in inputs]
        outputs = [np.empty(shape, dtype) for shape, dtype in
                   zip(self.output_shapes(name, inputs), self.output_dtypes(name))]
        status, message = self.call_raw(name, inputs, outputs)
        if status != 0:
            raise SeqcError(status, message)
        return outputs


def tensor_type(shape, dtype="f32", dynamic=()):
    """`tensor<?x8x?xf32>`-style type text; dims in `dynamic` become `?`."""
    dims = ["?" if i in dynamic else str(s) for i, s in enumerate(shape)]
    return "tensor<" + "x".join(dims + [dtype]) + ">"


def assert_close(actual, expected, rtol=1e-4, atol=1e-5, what=""):
    """fp32 results against a float64 reference."""
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol,
                               err_msg=what)


# The targets the per-op numerical tests run on: the CPU's reference (-O0)
# and fast (-O2) lowerings; the CUDA target's lowering with its kernels run
# on the host ("cuda-emulated", seqc --cuda-emulate-on-host: the GPU mapping
# and copies, bounds-checked, everywhere); and the CUDA target itself, which
# needs a GPU: without one its tests are skipped with the reason (pytest -rs
# lists it).
TARGETS = ["-O0", "-O2", "cuda-emulated", "cuda"]

_CUDA_PROBE = """
func.func @probe(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = math.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}"""
_cuda_reason = []


def cuda_unavailable():
    """None when a CUDA library runs here (a probe computes exp on the GPU
    and agrees with NumPy), else why not: no toolkit, or no device."""
    if not _cuda_reason:
        try:
            lib = Library(_CUDA_PROBE, extra_args=("--target=cuda",))
        except RuntimeError as error:
            if "needs the CUDA toolkit" not in str(error):
                raise
            _cuda_reason.append("no CUDA toolkit: " + str(error).strip())
        else:
            x = np.linspace(-2, 2, 4).astype(np.float32)
            try:
                (y,) = lib.call("probe", [x])
            except SeqcError as error:
                if "no CUDA device" not in error.message:
                    raise
                _cuda_reason.append(error.message)
            else:
                assert_close(y, np.exp(x.astype(np.float64)), what="probe")
                _cuda_reason.append(None)
    return _cuda_reason[0]


def target_args(target):
    """seqc's arguments for a TARGETS entry. CPU libraries bounds-check
    every access (an out-of-bounds access aborts the test instead of
    corrupting memory); "cuda" skips the test where no GPU answers."""
    if target == "cuda-emulated":
        return ("--target=cuda", "--cuda-emulate-on-host", "--runtime-checks")
    if target == "cuda":
        reason = cuda_unavailable()
        if reason:
            pytest.skip("CUDA target not run: " + reason)
        return ("--target=cuda",)
    return ("--runtime-checks", target)
