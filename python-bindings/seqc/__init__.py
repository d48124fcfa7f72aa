"""seqc: compile sequence-model IR into shared libraries and call them with
NumPy arrays.

    import seqc
    path = seqc.compile(open("model.mlir").read())        # -> .../libseqc.so
    lib = seqc.load(path)
    out = lib.prefill(q, k, v)            # NumPy in, NumPy out
    print(seqc.opt(ir, "convert-seq-to-linalg,canonicalize"))

Compiler errors raise CompileError with the diagnostics (file:line:col);
calls the library refuses (wrong dtype, shape, count) raise CallError with
its message.
"""

import os
import tempfile

import numpy as np

__all__ = ["compile", "load", "opt", "CompileError", "CallError", "Library",
           "Model"]


class CompileError(RuntimeError):
    """seqc could not compile the input; the message holds the diagnostics."""


class CallError(RuntimeError):
    """A library refused a call (its seqc_last_error message)."""


from . import _seqc  # noqa: E402  (after the exception types it raises)

_RUNTIME = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "libseqc_runtime.a")
_TEMP_DIRS = []


def _read_source(src):
    """(text, name for diagnostics): `src` is IR text or a path to a file."""
    if "\n" not in src and len(src) < 4096 and os.path.isfile(src):
        with open(src) as f:
            return f.read(), src
    # A path that names no file (not IR that fails to parse at 1:1).
    if "\n" not in src and src.strip().lower().endswith(".mlir"):
        raise CompileError("cannot open input file '%s': no such file" % src)
    return src, "<source>"


def _path(path):
    """os.fspath, refusing an embedded NUL as open() does (the C++ side
    would read the path only up to it)."""
    path = os.fspath(path)
    if ("\0" if isinstance(path, str) else b"\0") in path:
        raise ValueError("embedded null byte in the path %r" % (path,))
    return path


def _is_model_path(src):
    return isinstance(src, (str, os.PathLike)) and (
        os.path.isdir(src) or str(src).lower().endswith(".json"))


def compile(src, target="cpu", output=None, *, emit="so", cpu="native",
            opt_level=2, runtime_checks=False, reference=False, header=None,
            max_context=None, quantize=None, quant_group=0,
            quant_zero_point=False, outlier_threshold=0.0, calib=None,
            weights=None,
            calib_percentile=None, gpu_arch=None, cuda_path=None):
    """Compiles seq IR (text, or a path to a .mlir file), or a model: a
    seqc-model .json description or a Hugging Face model directory
    (docs/models.md; `max_context` overrides its context length;
    `quantize` is "w8", "w4", "w8a8", "llm-int8" or "int8-ssm" to quantize
    the projections, with `quant_group` inputs per weight scale (and a zero
    point beside each with `quant_zero_point`, w8 and w4) and the
    llm-int8 `outlier_threshold`; int8-ssm fixes the static scales of the
    Mamba scans' inputs by running the model with `weights` (safetensors)
    on the token ids in `calib` (.npy), clipping x at `calib_percentile`;
    docs/quantization.md).

    Returns the path of the output: `output`, or a file in a temporary
    directory that lives as long as the process. With emit="so" a C header
    is written beside the library unless header="" (or to `header`).
    Other emits: mlir, linalg, llvm-dialect, header, llvm, asm, obj, and
    with target="cuda" gpu and ptx.
    reference=True uses only the reference lowerings (as opt_level=0 does)
    with LLVM still optimizing at `opt_level`.

    target="cuda" compiles for NVIDIA GPUs (`gpu_arch` sm_80 by default,
    sm_86, sm_89, sm_90 or sm_90a; the CUDA toolkit at `cuda_path` or found
    as seqc finds it); the library's functions take and return host arrays and
    raise CallError "no CUDA device" where there is no GPU (docs/cuda.md).
    """
    input_path = ""
    if _is_model_path(src):
        input_path, source, name = _path(src), "", os.fspath(src)
        if not os.path.exists(input_path):
            raise CompileError("%s: no such file or directory" % input_path)
    else:
        source, name = _read_source(src)
    if calib_percentile is not None and not calib:
        raise CompileError("calib_percentile needs calib (it sets how "
                           "calibration clips)")
    if target != "cuda" and (gpu_arch is not None or cuda_path is not None):
        option = "gpu_arch" if gpu_arch is not None else "cuda_path"
        raise CompileError("%s needs target='cuda'" % option)
    if max_context is not None and (not input_path or max_context < 1):
        raise CompileError("max_context applies to model descriptions and "
                           "must be >= 1")
    if output is None:
        directory = tempfile.TemporaryDirectory(prefix="seqc-")
        _TEMP_DIRS.append(directory)
        suffix = {"so": "libseqc.so", "obj": "seqc.o", "asm": "seqc.s",
                  "llvm": "seqc.ll", "header": "seqc.h",
                  "ptx": "seqc.ptx"}.get(emit, "seqc.mlir")
        output = os.path.join(directory.name, suffix)
    output = _path(output)
    if header is None:
        header = os.path.splitext(output)[0] + ".h" if emit == "so" else ""
    header = _path(header)
    runtime = _RUNTIME if os.path.exists(_RUNTIME) else ""
    _seqc.compile(source, output, emit=emit, target=target,
                  gpu_arch=gpu_arch or "sm_80",
                  cuda_path=_path(cuda_path or ""),
                  cpu=cpu, opt_level=opt_level,
                  runtime_checks=runtime_checks, reference=reference,
                  header=header,
                  runtime_library=runtime, source_name=name,
                  input_path=input_path, max_context=max_context or 0,
                  quantize=quantize or "", quant_group=quant_group,
                  quant_zero_point=quant_zero_point,
                  outlier_threshold=outlier_threshold,
                  calib=_path(calib) if calib else "",
                  weights=_path(weights) if weights else "",
                  calib_percentile=(99.999 if calib_percentile is None
                                    else calib_percentile))
    return output


def opt(ir, pipeline):
    """Runs a pass pipeline (seq-opt syntax, no builtin.module anchor) and
    returns the resulting IR text."""
    source, name = _read_source(ir)
    return _seqc.opt(source, pipeline, source_name=name)


def _bfloat16():
    """ml_dtypes.bfloat16, NumPy's bf16 type (NumPy has none of its own)."""
    try:
        import ml_dtypes
    except ImportError:
        raise CallError("bf16 arrays need the ml_dtypes package (pip install "
                        "ml_dtypes; JAX installs it)") from None
    return np.dtype(ml_dtypes.bfloat16)


def _host_input(x):
    """An input as the module takes it: bf16 arrays as their uint16 bits."""
    if isinstance(x, np.ndarray) and x.dtype.name == "bfloat16":
        return np.ascontiguousarray(x).view(np.uint16)
    return x


class Library:
    """A compiled library. Each entry point is a method taking NumPy arrays
    (C-contiguous inputs are passed without a copy) and returning an array,
    or a tuple of arrays when it has several outputs. bf16 inputs and
    outputs are arrays of ml_dtypes.bfloat16."""

    def __init__(self, path):
        self._lib = _seqc.Library(_path(path))
        self.path = path
        self.signatures = self._lib.signatures()
        #: For a model library: name, architecture, vocab_size, max_context,
        #: state_size, weights and state [(name, shape)]; None for a library
        #: compiled from IR.
        self.model_info = self._lib.model_info()

    def model(self, weights, batch=1):
        """An instance of this model library (see Model) with the weights
        of a safetensors file (a path, or its bytes)."""
        if not isinstance(weights, (bytes, bytearray)):
            weights = _path(weights)
        elif isinstance(weights, bytearray):
            weights = bytes(weights)
        return Model(_seqc.Library.create_model(self._lib, weights, batch),
                     self.model_info)

    @property
    def target(self):
        """Where the library runs: "cpu", "cuda", or "cuda-emulated"
        (compiled with cuda_emulate_on_host, for testing)."""
        return self._lib.target()

    def call_device(self, name, inputs, outputs, stream=None):
        """Runs entry point `name` on tensors in GPU memory (a CUDA
        library; seqc_call_device in seqc_runtime.h): `inputs` and
        `outputs` are sequences of objects with `__cuda_array_interface__`
        (PyTorch CUDA tensors, CuPy arrays, Numba device arrays) or
        (pointer, shape, dtype) tuples, dtype one of f32 f64 f16 bf16 i8
        i32 i64. The outputs are written in place; nothing is copied
        through the host. `stream`: a CUDA stream to order the work on (an
        int handle, or an object with `cuda_stream` or `ptr`, as PyTorch's
        and CuPy's streams have); None: the library's own. Returns when the
        work is done."""
        if stream is None:
            handle = 0
        elif isinstance(stream, int):
            handle = stream
        elif hasattr(stream, "cuda_stream"):
            handle = int(stream.cuda_stream)
        elif hasattr(stream, "ptr"):
            handle = int(stream.ptr)
        else:
            raise TypeError("stream must be None, an int handle, or have "
                            "cuda_stream or ptr, not %s" % type(stream).__name__)
        self._lib.call_device(name, [_device_tensor(x) for x in inputs],
                              [_device_tensor(x) for x in outputs], handle)

    def __getattr__(self, name):
        if name.startswith("_") or name not in self.signatures:
            raise AttributeError("%s has no entry point '%s' (it has: %s)" % (
                self.path, name, ", ".join(sorted(self.signatures))))

        output_dtypes = [dtype for _, dtype, _ in self.signatures[name][1]]

        def call(*inputs):
            # Checked before the call, not after its work is done.
            bf16 = _bfloat16() if "bf16" in output_dtypes else None
            outputs = self._lib.call(name, [_host_input(x) for x in inputs])
            outputs = [out.view(bf16) if dtype == "bf16" else out
                       for out, dtype in zip(outputs, output_dtypes)]
            return outputs[0] if len(outputs) == 1 else tuple(outputs)

        call.__name__ = name
        call.__doc__ = "inputs: %s\noutputs: %s" % self.signatures[name]
        return call

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.signatures))


_DEVICE_DTYPES = {"f4": "f32", "f8": "f64", "f2": "f16", "i1": "i8",
                  "i4": "i32", "i8": "i64"}


def _device_tensor(x):
    """(pointer, shape, dtype, element strides or None) of a GPU tensor."""
    if isinstance(x, tuple) and len(x) == 3:
        pointer, shape, dtype = x
        return (int(pointer), tuple(int(d) for d in shape), str(dtype), None)
    interface = getattr(x, "__cuda_array_interface__", None)
    if interface is None:
        raise TypeError("a GPU tensor needs __cuda_array_interface__ (or is a "
                        "(pointer, shape, dtype) tuple), not %s"
                        % type(x).__name__)
    typestr = interface["typestr"]
    dtype = _DEVICE_DTYPES.get(typestr[1:]) if typestr[0] in "<|" else None
    if dtype is None:
        raise TypeError("unsupported GPU tensor type %r (seqc takes %s; pass "
                        "bf16 as a (pointer, shape, 'bf16') tuple)"
                        % (typestr, ", ".join(sorted(_DEVICE_DTYPES.values()))))
    shape = tuple(int(d) for d in interface["shape"])
    strides = interface.get("strides")
    if strides is not None:
        item = int(typestr[2:])
        if any(s % item for s in strides):
            raise ValueError("GPU tensor strides %r are not whole elements"
                             % (strides,))
        strides = tuple(int(s) // item for s in strides)
    return (int(interface["data"][0]), shape, dtype, strides)


def _int32_tokens(tokens, ndim):
    array = np.asarray(tokens)
    if array.dtype.kind not in "iu":
        raise CallError("tokens must be integers, got dtype %s" % array.dtype)
    if array.ndim != ndim:
        raise CallError("tokens must have %d dimension(s), got shape %s"
                        % (ndim, array.shape))
    if array.size and (array.min() < -2**31 or array.max() >= 2**31):
        raise CallError("token ids must fit in int32")
    return np.ascontiguousarray(array, dtype=np.int32)


def _features(features, ndim):
    array = np.asarray(features)
    if array.dtype.kind not in "fiu":
        raise CallError("features must be numbers, got dtype %s" % array.dtype)
    if array.ndim != ndim:
        raise CallError("features must have %d dimensions, got shape %s"
                        % (ndim, array.shape))
    return np.ascontiguousarray(array, dtype=np.float32)


class Model:
    """An instance of a model library: its weights and the state (KV caches,
    conv and SSM states) of `batch` sequences.

        m = seqc.load(seqc.compile("model.json")).model("w.safetensors")
        logits = m.forward(prompt)   # int [batch, L] -> float32 [batch, L, V]
        logits = m.step(next_ids)    # int [batch]    -> float32 [batch, V]
        m.reset(); s = m.save_state(); m.load_state(s)

    forward and step continue from the current state; refused calls (a bad
    id, a full context) raise CallError and change nothing."""

    def __init__(self, handle, info):
        self._model = handle
        self.info = info
        self.batch = handle.batch

    @property
    def position(self):
        """Tokens consumed since the last reset."""
        return self._model.position

    def forward(self, tokens):
        """tokens: int [batch, L] -> float32 [batch, L, vocab_size]; for a
        model with input_dim, float feature vectors [batch, L, input_dim]."""
        if self.info["input_dim"]:
            return self._model.forward_features(_features(tokens, 3))
        return self._model.forward(_int32_tokens(tokens, 2))

    def step(self, tokens):
        """tokens: int [batch] -> float32 [batch, vocab_size]; for a model
        with input_dim, float feature vectors [batch, input_dim]."""
        if self.info["input_dim"]:
            return self._model.step_features(_features(tokens, 2))
        return self._model.step(_int32_tokens(tokens, 1))

    def reset(self):
        self._model.reset()

    def save_state(self):
        return self._model.save_state()

    def load_state(self, state):
        self._model.load_state(bytes(state))

    def save_weights(self, path):
        """Writes the instance's weights as safetensors, quantized
        projections as I8 `name` + F32 `name`_scale (docs/quantization.md):
        the file a quantized library loads without converting."""
        self._model.save_weights(_path(path))


def load(path):
    """Loads a library compiled by seqc."""
    return Library(path)
