"""The CUDA target's libraries where there may be no GPU: they load, check
their arguments, embed the kernels, and report "no CUDA device" as an error
status rather than failing to load or crashing. The numerical tests of
every op on the GPU are the per-op tests' "cuda" target (seqc_harness
TARGETS), skipped with the reason where no GPU answers."""

import ctypes
import os
import subprocess

import numpy as np
import pytest

import seqc
from seqc_harness import (SEQC, Library, SeqcError, Tensor, cuda_unavailable,
                          target_args, tensor_of)

SOURCE = """
func.func @rotate(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = seq.hadamard %x block 8 : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}"""

SEQC_ERROR_INVALID_ARGUMENT = 1
SEQC_ERROR_DEVICE = 8


def _hadamard_reference(x):
    h = np.array([[1.0]])
    while h.shape[0] < 8:
        h = np.block([[h, h], [h, -h]])
    return x.astype(np.float64) @ (h / np.sqrt(8)).T


@pytest.fixture(scope="module")
def lib():
    reason = cuda_unavailable()
    if reason and reason.startswith("no CUDA toolkit"):
        pytest.skip(reason)
    return Library(SOURCE, extra_args=("--target=cuda",))


def test_call_runs_or_reports_no_device(lib):
    x = np.random.default_rng(0).standard_normal((5, 8)).astype(np.float32)
    out = np.full((5, 8), 7.0, np.float32)
    status, message = lib.call_raw("rotate", [x], [out])
    if cuda_unavailable() is None:
        assert status == 0, message
        np.testing.assert_allclose(out, _hadamard_reference(x), rtol=1e-5,
                                   atol=1e-6)
        return
    assert status == SEQC_ERROR_DEVICE
    assert message.startswith("rotate: no CUDA device: "), message
    # Nothing is written to the caller's output on failure.
    assert np.all(out == 7.0)
    # The library stays usable: the same call fails the same way again.
    assert lib.call_raw("rotate", [x], [out]) == (status, message)


def test_arguments_are_checked_before_any_device_work(lib):
    x = np.zeros((5, 7), np.float32)
    out = np.zeros((5, 8), np.float32)
    status, message = lib.call_raw("rotate", [x], [out])
    assert status == SEQC_ERROR_INVALID_ARGUMENT
    assert "dimension 1" in message and "8" in message, message


def test_library_links_no_cuda_library(lib):
    needed = subprocess.run(["readelf", "-d", lib.path], capture_output=True,
                            text=True, check=True).stdout
    libraries = sorted(line.split("[")[1].rstrip("]") for line in
                       needed.splitlines() if "(NEEDED)" in line)
    assert libraries == ["ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6"]


def test_library_embeds_a_fatbin_with_the_kernel(lib):
    with open(lib.path, "rb") as f:
        data = f.read()
    # A fatbin starts with its magic (0xBA55ED50, little-endian).
    assert b"\x50\xed\x55\xba" in data
    assert b"rotate_kernel" in data


def test_python_compiles_for_cuda(tmp_path):
    if (cuda_unavailable() or "").startswith("no CUDA toolkit"):
        pytest.skip(cuda_unavailable())
    ptx = seqc.compile(SOURCE, target="cuda", emit="ptx", gpu_arch="sm_90",
                       output=str(tmp_path / "k.ptx"))
    text = open(ptx).read()
    assert ".target sm_90" in text and ".entry rotate_kernel" in text
    path = seqc.compile(SOURCE, target="cuda", output=str(tmp_path / "libk.so"))
    loaded = seqc.load(path)
    x = np.ones((2, 8), np.float32)
    if cuda_unavailable() is None:
        np.testing.assert_allclose(loaded.rotate(x), _hadamard_reference(x),
                                   rtol=1e-5, atol=1e-6)
    else:
        with pytest.raises(seqc.CallError, match="no CUDA device"):
            loaded.rotate(x)


def test_python_reports_a_missing_toolkit(tmp_path):
    with pytest.raises(seqc.CompileError, match="has no bin/ptxas"):
        seqc.compile(SOURCE, target="cuda", cuda_path=str(tmp_path),
                     output=str(tmp_path / "libk.so"))
    assert not os.path.exists(tmp_path / "libk.so")


# ======================================================= device pointers


class _AsGpuMemory:
    """A NumPy array presented as GPU memory (__cuda_array_interface__, as
    PyTorch CUDA tensors and CuPy arrays present theirs): the "GPU memory"
    of a library built with --cuda-emulate-on-host is host memory."""

    def __init__(self, array, strides=None):
        self.array = array
        self.strides = strides

    @property
    def __cuda_array_interface__(self):
        return {"shape": self.array.shape, "typestr": self.array.dtype.str,
                "data": (self.array.ctypes.data, False), "version": 3,
                "strides": self.strides}


def _compile_cli(tmp_path, *args):
    path = str(tmp_path / "lib.so")
    src = tmp_path / "src.mlir"
    src.write_text(SOURCE)
    out = subprocess.run([SEQC, str(src), "-o", path, *args],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return seqc.load(path)


def test_call_device_runs_on_gpu_memory(tmp_path):
    """seqc_call_device passes the caller's GPU memory to the kernels as it
    is and writes the result into the caller's GPU output (through the
    emulated library, whose GPU memory is host memory)."""
    lib = _compile_cli(tmp_path, "--target=cuda", "--cuda-emulate-on-host")
    assert lib.target == "cuda-emulated"
    x = np.random.default_rng(1).standard_normal((6, 8)).astype(np.float32)
    out = np.zeros((6, 8), np.float32)
    lib.call_device("rotate", [_AsGpuMemory(x)], [_AsGpuMemory(out)])
    np.testing.assert_allclose(out, _hadamard_reference(x), rtol=1e-5,
                               atol=1e-6)
    # A (pointer, shape, dtype) tuple works too, and so do explicit
    # row-major strides (in bytes, as the interface gives them).
    out2 = np.zeros((6, 8), np.float32)
    lib.call_device("rotate", [(x.ctypes.data, x.shape, "f32")],
                    [_AsGpuMemory(out2, strides=(32, 4))])
    np.testing.assert_array_equal(out2, out)
    # The host-memory call of the same library agrees.
    np.testing.assert_array_equal(lib.rotate(x), out)


def test_call_device_checks_its_arguments(tmp_path):
    lib = _compile_cli(tmp_path, "--target=cuda", "--cuda-emulate-on-host")
    x = np.zeros((6, 8), np.float32)
    with pytest.raises(seqc.CallError, match=r"output 0 \('.*'\) dimension 0 is 5"):
        lib.call_device("rotate", [_AsGpuMemory(x)],
                        [_AsGpuMemory(np.zeros((5, 8), np.float32))])
    with pytest.raises(seqc.CallError, match="has dtype f64, expected f32"):
        lib.call_device("rotate", [_AsGpuMemory(x.astype(np.float64))],
                        [_AsGpuMemory(x)])
    with pytest.raises(seqc.CallError, match="not row-major contiguous"):
        lib.call_device("rotate", [_AsGpuMemory(x, strides=(4, 24))],
                        [_AsGpuMemory(x)])
    with pytest.raises(AttributeError, match="no function 'spin'"):
        lib.call_device("spin", [], [])
    with pytest.raises(TypeError, match="__cuda_array_interface__"):
        lib.call_device("rotate", [x], [x])
    with pytest.raises(TypeError, match="unsupported GPU tensor type"):
        lib.call_device("rotate", [_AsGpuMemory(x.astype(np.uint8))], [x])
    with pytest.raises(TypeError, match="stream must be"):
        lib.call_device("rotate", [_AsGpuMemory(x)], [_AsGpuMemory(x)],
                        stream="default")


def test_call_device_is_refused_by_a_cpu_library(tmp_path):
    lib = _compile_cli(tmp_path)
    assert lib.target == "cpu"
    x = np.zeros((2, 8), np.float32)
    with pytest.raises(seqc.CallError, match="compiled for the CPU"):
        lib.call_device("rotate", [_AsGpuMemory(x)], [_AsGpuMemory(x)])


def test_call_device_without_a_gpu(lib):
    if cuda_unavailable() is None:
        pytest.skip("a GPU answers here; NumPy memory is not GPU memory")
    x = np.zeros((2, 8), np.float32)
    out = np.full((2, 8), 7.0, np.float32)
    keep = []
    ins = (Tensor * 1)(tensor_of(x, keep))
    outs = (Tensor * 1)(tensor_of(out, keep))
    cdll = lib.lib
    cdll.seqc_library_target.restype = ctypes.c_char_p
    assert cdll.seqc_library_target() == b"cuda"
    status = cdll.seqc_call_device(b"rotate", ins, 1, outs, 1, None)
    assert status == SEQC_ERROR_DEVICE
    assert lib.lib.seqc_last_error().decode().startswith(
        "rotate: no CUDA device: ")
    assert np.all(out == 7.0)
    assert cdll.seqc_call_device(None, ins, 1, outs, 1, None) == \
        SEQC_ERROR_INVALID_ARGUMENT
    assert cdll.seqc_call_device(b"spin", ins, 1, outs, 1, None) == 2
    assert b"no function 'spin'" in lib.lib.seqc_last_error()


# ================================================================ models
# (test_cuda_models.py runs every model fixture on the GPU.)

import json  # noqa: E402

import model_fixtures  # noqa: E402
from model_reference import random_weights  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402
from test_cuda_models import model_inputs  # noqa: E402


def test_model_library_without_a_gpu(tmp_path):
    """A model compiled for the GPU loads and creates an instance (weights
    stay in host memory until a call); a call says there is no device."""
    if cuda_unavailable() is None or cuda_unavailable().startswith("no CUDA toolkit"):
        pytest.skip("needs the toolkit and no GPU")
    desc = model_fixtures.TINY_HYBRID
    path = tmp_path / "model.json"
    path.write_text(json.dumps(desc))
    lib_path = seqc.compile(str(path), target="cuda",
                            output=str(tmp_path / "libmodel.so"))
    weights = random_weights(desc, seed=1)
    write_safetensors(str(tmp_path / "w.safetensors"), weights)
    model = seqc.load(lib_path).model(str(tmp_path / "w.safetensors"))
    with pytest.raises(seqc.CallError, match="forward: no CUDA device"):
        model.forward(model_inputs(desc, batch=1))
    assert model.position == 0
