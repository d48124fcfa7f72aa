"""Compile seq IR with seqc and call the library through the seqc runtime ABI
(include/seqc-runtime/seqc_runtime.h) from NumPy, with ctypes.

Output shapes come from the library's own signature table
(seqc_get_library_info): static sizes, or sizes equal to an input's.
"""

import ctypes
import hashlib
import os
import shutil
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


# The machine with the GPU has no seqc (its LLVM and MLIR are not there),
# so scripts/gpu-check.sh builds the tests' CUDA libraries here and runs the
# tests there on those libraries, found by their source and arguments:
#   SEQC_PREBUILT=record:DIR  every "cuda" library is also compiled into DIR
#                             for $SEQC_GPU_ARCH (default sm_90); the test
#                             itself runs on the library's host-emulated build
#   SEQC_PREBUILT=replay:DIR  every "cuda" library comes from DIR, not seqc
PREBUILT_MODE, _, PREBUILT_DIR = os.environ.get("SEQC_PREBUILT", "").partition(":")
if PREBUILT_MODE not in ("", "record", "replay") or (PREBUILT_MODE and not PREBUILT_DIR):
    raise RuntimeError("SEQC_PREBUILT must be record:DIR or replay:DIR, not %r"
                       % os.environ["SEQC_PREBUILT"])


def runs_on_gpu(args):
    """Whether seqc `args` build a library whose kernels run on a GPU."""
    return "--target=cuda" in args and "--cuda-emulate-on-host" not in args


def _prebuilt_path(source, args):
    key = hashlib.sha256("\0".join((source,) + tuple(args)).encode())
    return os.path.join(PREBUILT_DIR, "lib" + key.hexdigest()[:32] + ".so")


def compile_library(source, directory, extra_args=(), suffix=".mlir"):
    """Compiles `source` (seq IR, or a model description with suffix
    ".json") with seqc into `directory`; returns the library's path."""
    src = os.path.join(directory, "input" + suffix)
    path = os.path.join(directory, "libtest.so")
    with open(src, "w") as f:
        f.write(source)
    prebuilt = PREBUILT_MODE and runs_on_gpu(extra_args)
    stored = prebuilt and _prebuilt_path(source, extra_args)
    if prebuilt and PREBUILT_MODE == "record" and os.path.exists(stored):
        shutil.copyfile(stored, path)  # recorded by an earlier test
        return path
    if prebuilt and PREBUILT_MODE == "replay":
        if not os.path.exists(stored):
            raise RuntimeError("no prebuilt library %s for this source and %s "
                               "(rerun scripts/gpu-check.sh prepare)"
                               % (stored, " ".join(extra_args)))
        shutil.copyfile(stored, path)
        return path
    args = list(extra_args)
    if prebuilt and not any(a.startswith("--gpu-arch") for a in args):
        args.append("--gpu-arch=" + os.environ.get("SEQC_GPU_ARCH", "sm_90"))
    proc = subprocess.run([SEQC, src, "-o", path, *args],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("seqc failed:\n" + proc.stderr)
    if prebuilt:
        os.makedirs(PREBUILT_DIR, exist_ok=True)
        # Whole or not at all: pytest-xdist's workers record side by side.
        partial = stored + ".%d.tmp" % os.getpid()
        shutil.copyfile(path, partial)
        os.replace(partial, stored)
    return path


def compile_for_test(source, directory, extra_args, suffix=".mlir"):
    """compile_library, except that a GPU library being recorded
    (SEQC_PREBUILT=record:DIR) returns its host-emulated build, which runs
    here, so that the test goes on and records every library it uses."""
    path = compile_library(source, directory, extra_args, suffix)
    if PREBUILT_MODE == "record" and runs_on_gpu(extra_args):
        emulated = os.path.join(directory, "emulated")
        os.makedirs(emulated, exist_ok=True)
        path = compile_library(source, emulated, tuple(extra_args) + (
            "--cuda-emulate-on-host", "--runtime-checks"), suffix)
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
        self._open(compile_for_test(mlir_source, self._dir.name, extra_args))

    @classmethod
    def open(cls, path):
        """A library compiled already."""
        library = cls.__new__(cls)
        library._open(path)
        return library

    def _open(self, path):
        self.path = path
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

    def call_device(self, name, inputs, outputs, stream=None):
        """seqc_call_device on (address, shape, seqc_dtype code) triples, GPU
        memory for a CUDA library; raises SeqcError if refused."""
        keep = []

        def tensors(triples):
            array = (Tensor * max(len(triples), 1))()
            for i, (address, shape, dtype) in enumerate(triples):
                dims = (ctypes.c_int64 * max(len(shape), 1))(*shape)
                keep.append(dims)
                array[i] = Tensor(dtype, len(shape), dims, None, address)
            return array
        status = self.lib.seqc_call_device(
            name.encode(), tensors(inputs), len(inputs), tensors(outputs),
            len(outputs), ctypes.c_void_p(stream))
        if status != 0:
            raise SeqcError(status, self.lib.seqc_last_error().decode())

    def call(self, name, inputs):
        """Calls `name` with NumPy `inputs`; returns the outputs."""
        # np.require keeps a 0-d input 0-d (np.ascontiguousarray makes it 1-d).
        inputs = [np.require(a, requirements="C") for a in inputs]
        outputs = [np.empty(shape, dtype) for shape, dtype in
                   zip(self.output_shapes(name, inputs), self.output_dtypes(name))]
        status, message = self.call_raw(name, inputs, outputs)
        if status != 0:
            raise SeqcError(status, message)
        return outputs


class ModelInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("architecture", ctypes.c_char_p),
                ("vocab_size", ctypes.c_int64), ("max_context", ctypes.c_int64),
                ("num_weights", ctypes.c_int32), ("weights", ctypes.c_void_p),
                ("weights_size", ctypes.c_int64),
                ("num_states", ctypes.c_int32), ("states", ctypes.c_void_p),
                ("state_size", ctypes.c_int64),
                ("forward_function", ctypes.c_int32),
                ("step_function", ctypes.c_int32),
                ("qweights_size", ctypes.c_int64),
                ("input_dim", ctypes.c_int64)]


class Model:
    """An instance of a model library through the seqc_model_* ABI: what
    seqc.load(path).model() gives, for where the seqc package is not built
    (the machine with the GPU)."""

    def __init__(self, lib_path, weights_path, batch):
        lib = self.lib = ctypes.CDLL(lib_path)
        lib.seqc_get_model_info.restype = ctypes.POINTER(ModelInfo)
        lib.seqc_last_error.restype = ctypes.c_char_p
        lib.seqc_model_state_bytes.restype = ctypes.c_uint64
        lib.seqc_model_state_bytes.argtypes = [ctypes.c_void_p]
        lib.seqc_model_destroy.argtypes = [ctypes.c_void_p]
        info = lib.seqc_get_model_info().contents
        self.outputs, self.input_dim = info.vocab_size, info.input_dim
        self.batch = batch
        self.handle = ctypes.c_void_p()
        self._check(lib.seqc_model_create(weights_path.encode(),
                                          ctypes.c_int64(batch),
                                          ctypes.byref(self.handle)))

    def __del__(self):
        if getattr(self, "handle", None):
            self.lib.seqc_model_destroy(self.handle)

    def _check(self, status):
        if status != 0:
            raise SeqcError(status, self.lib.seqc_last_error().decode())

    def _run(self, inputs, length, step):
        if self.input_dim:
            inputs = np.ascontiguousarray(inputs, np.float32)
            fn = "seqc_model_step_features" if step else "seqc_model_forward_features"
        else:
            inputs = np.ascontiguousarray(inputs, np.int32)
            fn = "seqc_model_step" if step else "seqc_model_forward"
        shape = (self.batch, self.outputs) if step else (self.batch, length, self.outputs)
        logits = np.empty(shape, np.float32)
        args = [self.handle, ctypes.c_void_p(inputs.ctypes.data)]
        if not step:
            args.append(ctypes.c_int64(length))
        self._check(getattr(self.lib, fn)(*args, ctypes.c_void_p(logits.ctypes.data)))
        return logits

    def forward(self, inputs):
        return self._run(inputs, inputs.shape[1], step=False)

    def step(self, inputs):
        return self._run(inputs, 1, step=True)

    def reset(self):
        self._check(self.lib.seqc_model_reset(self.handle))

    def save_state(self):
        state = np.empty(self.lib.seqc_model_state_bytes(self.handle), np.uint8)
        self._check(self.lib.seqc_model_save_state(
            self.handle, ctypes.c_void_p(state.ctypes.data), ctypes.c_uint64(state.size)))
        return state

    def load_state(self, state):
        self._check(self.lib.seqc_model_load_state(
            self.handle, ctypes.c_void_p(state.ctypes.data), ctypes.c_uint64(state.size)))


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
