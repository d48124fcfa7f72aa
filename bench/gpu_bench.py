"""GPU benchmark (issue 6): each workload compiled by seqc --target=cuda and
run on PyTorch CUDA tensors through call_device (no host copies), beside
PyTorch's own kernels on the same inputs (scaled_dot_product_attention with
the flash backend, cuDNN LSTM/GRU) and, where installed, mamba_ssm's
selective_scan_fn and mamba_chunk_scan_combined (Mamba-2's SSD) and fla's
chunk_gla / chunk_gated_delta_rule; as a
fraction of this GPU's peak measured in the same run (a large fp16 and
bf16 torch.matmul on the tensor cores, and a device-to-device copy).

    python3 bench/gpu_bench.py                  # needs a GPU and CUDA torch
    python3 bench/gpu_bench.py --quick          # sequences 4x shorter
    python3 bench/gpu_bench.py --only attention
    python3 bench/gpu_bench.py --compile-only   # no GPU needed: compile each
                                                # workload for --gpu-arch

seqc's libraries are called through the runtime's C ABI with ctypes
(test/python/seqc_harness.py), so that the benchmark also runs where only
the libraries are: scripts/gpu-check.sh compiles them on a machine with
seqc (SEQC_PREBUILT=record:DIR) and runs this program on the GPU machine
with SEQC_PREBUILT=replay:DIR.

Each row also checks seqc's output against the first baseline's (max
absolute difference, printed) so that a fast wrong kernel cannot pass
unnoticed. The table is markdown for docs/performance-gpu.md. Not part of
the test suite.
"""

import argparse
import os
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "python"))
import seqc_harness  # noqa: E402
import workloads  # noqa: E402

torch = workloads.torch


def cuda_ready():
    return torch is not None and torch.cuda.is_available()


def gpu_time(fn, budget=1.0, min_runs=3, max_runs=50):
    """Median seconds of fn() with the device synchronized around each."""
    fn()
    torch.cuda.synchronize()
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < budget
                                    and len(times) < max_runs):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def measure_peaks():
    """(fp16 TFLOP/s, bf16 TFLOP/s, copy GB/s) measured on this GPU."""
    n = 8192
    rates = []
    for dtype in (torch.float16, torch.bfloat16):
        a = torch.randn(n, n, device="cuda", dtype=dtype)
        b = torch.randn(n, n, device="cuda", dtype=dtype)
        best = min(gpu_time(lambda: a @ b, budget=0.5) for _ in range(3))
        rates.append(2.0 * n ** 3 / best / 1e12)
    x = torch.empty(1 << 28, device="cuda")  # 1 GiB
    y = torch.empty_like(x)
    copy = min(gpu_time(lambda: y.copy_(x), budget=0.5) for _ in range(3))
    return rates[0], rates[1], 2.0 * x.numel() * 4 / copy / 1e9


class GpuWorkload:
    """IR for seqc, inputs (NumPy), the work counted, and GPU baselines:
    name -> fn(cuda inputs) returning an output comparable with seqc's."""

    def __init__(self, name, ir, inputs, flops, peak_kind, baselines,
                 dtype=None):
        self.name, self.ir, self.inputs = name, ir, inputs
        self.flops, self.peak_kind = flops, peak_kind
        self.baselines, self.dtype = baselines, dtype


def _torch_dtype(name):
    """The torch dtype of an input type ("f32": the inputs as they are), or
    None without torch (--compile-only)."""
    if torch is None or name == "f32":
        return None
    return {"f16": torch.float16, "bf16": torch.bfloat16}[name]


def _attention(b, h, l, d, causal, dtype_name):
    shape = (b, h, l, d)
    ty = "tensor<%s>" % "x".join(map(str, shape + (dtype_name,)))
    attrs = " {causal}" if causal else ""
    ir = f"""func.func @f(%q: {ty}, %k: {ty}, %v: {ty}) -> {ty} {{
  %o = seq.attention %q, %k, %v{attrs} : {ty}, {ty}, {ty} -> {ty}
  return %o : {ty}
}}"""
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(shape).astype(np.float32) for _ in range(3)]
    flops = 4.0 * b * h * l * l * d * (0.5 if causal else 1.0)

    def sdpa(q, k, v):
        from torch.nn.attention import SDPBackend, sdpa_kernel
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION), torch.no_grad():
            return torch.nn.functional.scaled_dot_product_attention(
                q, k, v, is_causal=causal)
    torch_dtype = _torch_dtype(dtype_name)
    return GpuWorkload(
        "attention %s%s B%d H%d L%d D%d" % (dtype_name, " causal" if causal
                                             else "", b, h, l, d),
        ir, inputs, flops, dtype_name, {"torch sdpa flash": sdpa}, torch_dtype)


def _selective_scan(b, dm, n, l):
    w = workloads.selective_scan(b, dm, n, l)

    def mamba(u, dt, A, B, C, D, z):
        from mamba_ssm.ops.selective_scan_interface import selective_scan_fn
        # mamba_ssm's layout: [b, d, l] and B, C [b, n, l].
        y = selective_scan_fn(
            u.transpose(1, 2).contiguous(), dt.transpose(1, 2).contiguous(),
            A, B[:, :, 0].transpose(1, 2).contiguous(),
            C[:, :, 0].transpose(1, 2).contiguous(), D,
            z.transpose(1, 2).contiguous(), delta_softplus=True)
        return y.transpose(1, 2)
    return GpuWorkload(w.name, w.ir, w.inputs, w.flops, "f32",
                       {"mamba_ssm selective_scan_fn": mamba})


def _linear_attention(name, b, h, l, dk, dv, kind, dtype_name="f32"):
    w = workloads.linear_attention(name, b, h, l, dk, dv, kind)
    # bf16: the chunked tensor-core kernel (seq-gpu-linear-attention).
    ir = w.ir.replace("xf32>", "x%s>" % dtype_name)
    torch_dtype = _torch_dtype(dtype_name)

    def fla(q, k, v, g, beta=None):
        # fla's layout: [B, T, H, K].
        def bthk(x):
            return x.transpose(1, 2).contiguous()
        if kind == "gla":
            from fla.ops.gla import chunk_gla
            o = chunk_gla(bthk(q), bthk(k), bthk(v), bthk(g))[0]
        else:
            from fla.ops.gated_delta_rule import chunk_gated_delta_rule
            o = chunk_gated_delta_rule(bthk(q), bthk(k), bthk(v), bthk(g),
                                       bthk(beta))[0]
        return o.transpose(1, 2)
    label = "fla chunk_gla" if kind == "gla" else "fla chunk_gated_delta_rule"
    name = w.name if dtype_name == "f32" else "%s %s" % (w.name, dtype_name)
    return GpuWorkload(name, ir, w.inputs, w.flops, dtype_name,
                       {label: fla}, torch_dtype)


def _ssd(b, h, l, p, n, dtype_name):
    """Mamba-2's SSD as seq.linear_attention: q = C, k = B, v = x dt, a
    decay A dt per head and step, scale 1 (the tensor-core chunked kernel
    for f16/bf16), against mamba_ssm's mamba_chunk_scan_combined."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((b, h, l, p)).astype(np.float32)
    dt = rng.uniform(0.001, 0.1, (b, h, l)).astype(np.float32)
    A = -rng.uniform(1.0, 16.0, (h,)).astype(np.float32)
    Bm = rng.standard_normal((b, h, l, n)).astype(np.float32)
    Cm = rng.standard_normal((b, h, l, n)).astype(np.float32)
    qk = "tensor<%dx%dx%dx%dx%s>" % (b, h, l, n, dtype_name)
    vt = "tensor<%dx%dx%dx%dx%s>" % (b, h, l, p, dtype_name)
    gt = "tensor<%dx%dx%dx%s>" % (b, h, l, dtype_name)
    st = "tensor<%dx%dx%dx%dx%s>" % (b, h, n, p, dtype_name)
    ir = f"""func.func @f(%q: {qk}, %k: {qk}, %v: {vt}, %g: {gt}) -> {vt} {{
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : {gt}) {{scale = 1.0 : f32}}
      : {qk}, {qk}, {vt} -> {vt}, {st}
  return %o : {vt}
}}"""
    inputs = [Cm, Bm, x * dt[..., None], A[None, :, None] * dt]
    # Chunked: scores, P V, Q S and the state update, 2 FLOPs per MAC.
    flops = 2.0 * b * h * l * (16 * n + 16 * p + 2 * n * p)
    torch_dtype = _torch_dtype(dtype_name)
    made = {}

    def mamba(q, k, v, g):
        from mamba_ssm.ops.triton.ssd_combined import mamba_chunk_scan_combined
        if "args" not in made:  # mamba's own layout [B, L, H, ...], made once
            def blh(a):
                return torch.from_numpy(a).cuda().transpose(1, 2).contiguous()
            made["args"] = (blh(x).to(torch_dtype), blh(dt), torch.from_numpy(A).cuda(),
                            blh(Bm).to(torch_dtype), blh(Cm).to(torch_dtype))
        xs, dts, As, Bs, Cs = made["args"]
        y = mamba_chunk_scan_combined(xs, dts, As, Bs, Cs, chunk_size=256)
        return y.transpose(1, 2)
    return GpuWorkload(
        "SSD %s (linear attention, decay per step) B%d H%d L%d P%d N%d"
        % (dtype_name, b, h, l, p, n), ir, inputs, flops, dtype_name,
        {"mamba_ssm mamba_chunk_scan_combined": mamba}, torch_dtype)


def _rnn(cell, b, hidden, l, inp):
    w = workloads.rnn(cell, b, hidden, l, inp)
    gates = {"lstm": 4, "gru": 3}[cell]

    made = {}  # the module, with seqc's weights, made by the first call

    def cudnn(x, wi, wr):
        if "module" not in made:
            module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(
                inp, hidden, batch_first=True, bias=False).cuda()
            with torch.no_grad():
                module.weight_ih_l0.copy_(wi)
                module.weight_hh_l0.copy_(wr.reshape(gates * hidden, hidden))
            made["module"] = module
        with torch.no_grad():
            return made["module"](x)[0]
    return GpuWorkload(w.name, w.ir, w.inputs, w.flops, "f32",
                       {"torch cuDNN %s" % cell.upper(): cudnn})


def _scan(b, l, d):
    w = workloads.scan(b, l, d, h_only=True)

    def torch_loop(a, x):
        # The recurrence as a user writes it in PyTorch: a step at a time.
        with torch.no_grad():
            h = torch.empty_like(x)
            h[:, 0] = x[:, 0]
            for i in range(1, l):
                h[:, i] = a[:, i] * h[:, i - 1] + x[:, i]
            return h
    return GpuWorkload(w.name, w.ir, w.inputs, w.flops, "f32",
                       {"torch loop": torch_loop})


def gpu_workloads(scale):
    s = scale
    return [
        lambda: _attention(1, 16, 4096 // s, 128, False, "f16"),
        lambda: _attention(1, 16, 4096 // s, 128, True, "f16"),
        lambda: _attention(1, 16, 4096 // s, 128, True, "bf16"),
        lambda: _selective_scan(1, 1536, 16, 2048 // s),
        lambda: _ssd(1, 24, 2048 // s, 64, 128, "bf16"),
        lambda: _linear_attention("GLA B1 H4 L%d dk=dv=128" % (4096 // s),
                                  1, 4, 4096 // s, 128, 128, "gla"),
        lambda: _linear_attention("GLA B1 H4 L%d dk=dv=128" % (4096 // s),
                                  1, 4, 4096 // s, 128, 128, "gla", "bf16"),
        lambda: _linear_attention(
            "gated delta rule B1 H4 L%d dk=dv=128" % (4096 // s),
            1, 4, 4096 // s, 128, 128, "delta"),
        lambda: _rnn("lstm", 32, 512, 256 // s, 512),
        lambda: _rnn("gru", 32, 512, 256 // s, 512),
        lambda: _scan(4, 2048 // s, 1024),
    ]


def device_args(tensors):
    """seqc_call_device's (address, shape, seqc_dtype) form of contiguous
    CUDA tensors."""
    codes = {torch.float32: 1, torch.float16: 3, torch.bfloat16: 4,
             torch.int32: 6}
    return [(t.data_ptr(), tuple(t.shape), codes[t.dtype]) for t in tensors]


def gpu_arch():
    major, minor = torch.cuda.get_device_capability()
    # The newest architecture seqc assembles for that this GPU runs; the
    # embedded PTX covers newer GPUs.
    for arch in ("sm_90", "sm_89", "sm_86", "sm_80"):
        if (major, minor) >= (int(arch[3]), int(arch[4])):
            return arch
    sys.exit("gpu_bench: %s (sm_%d%d) is older than sm_80, which seqc needs"
             % (torch.cuda.get_device_name(), major, minor))


def compiled(builders, only, arch):
    """(workload, library path, compile seconds) for each workload whose
    name contains `only`, compiled for `arch`."""
    for build in builders:
        w = build()
        if only not in w.name:
            continue
        directory = tempfile.mkdtemp(prefix="seqc-gpu-bench-")
        t0 = time.perf_counter()
        path = seqc_harness.compile_library(
            w.ir, directory, ("--target=cuda", "--gpu-arch=" + arch))
        yield w, path, time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="sequences 4x shorter")
    parser.add_argument("--only", default="",
                        help="workloads whose name contains this")
    parser.add_argument("--compile-only", action="store_true",
                        help="only compile each workload (no GPU needed)")
    parser.add_argument("--gpu-arch", default=None,
                        help="for --compile-only (default sm_90); otherwise "
                             "the GPU's")
    args = parser.parse_args()

    chosen = gpu_workloads(4 if args.quick else 1)
    if args.compile_only:
        arch = args.gpu_arch or "sm_90"
        print("| workload | seqc compile s (--target=cuda --gpu-arch=%s) |"
              % arch)
        print("|---|---|")
        for w, _, compile_s in compiled(chosen, args.only, arch):
            print("| %s | %.1f |" % (w.name, compile_s), flush=True)
        return
    if not cuda_ready():
        sys.exit("gpu_bench: needs PyTorch with a CUDA GPU (torch %s, CUDA "
                 "available: %s); --compile-only runs without one"
                 % (torch.__version__ if torch else "not installed",
                    torch.cuda.is_available() if torch else False))

    arch = args.gpu_arch or gpu_arch()
    fp16, bf16, copy_gbs = measure_peaks()
    peaks = {"f16": fp16, "bf16": bf16, "f32": None}
    print("GPU: %s (%s), measured peak %.0f TFLOP/s fp16 and %.0f TFLOP/s "
          "bf16 dense (torch.matmul 8192^3), %.0f GB/s copy"
          % (torch.cuda.get_device_name(), arch, fp16, bf16, copy_gbs))
    print("torch %s, CUDA %s\n" % (torch.__version__, torch.version.cuda))
    print("| workload | seqc ms | TFLOP/s | % of tensor-core peak | "
          "compile s | baselines: ms (seqc speedup) | check: max abs diff |")
    print("|---|---|---|---|---|---|---|")
    for w, path, compile_s in compiled(chosen, args.only, arch):
        lib = seqc_harness.Library.open(path)
        inputs = [torch.from_numpy(x).cuda() for x in w.inputs]
        if w.dtype is not None:
            inputs = [x.to(w.dtype) for x in inputs]
        out = torch.empty(lib.output_shapes("f", inputs)[0], device="cuda",
                          dtype=w.dtype or torch.float32)
        stream = torch.cuda.current_stream().cuda_stream
        args, results = device_args(inputs), device_args([out])
        seconds = gpu_time(
            lambda: lib.call_device("f", args, results, stream=stream))
        rate = w.flops / seconds / 1e12
        peak = peaks[w.peak_kind]
        cells, check = [], "-"
        for name, fn in w.baselines.items():
            # Progress, and where a baseline that crashes the process did.
            print("gpu_bench: %s: seqc %.3f ms; running %s" % (
                w.name, seconds * 1e3, name), file=sys.stderr, flush=True)
            try:
                expected = fn(*inputs)
                bt = gpu_time(lambda: fn(*inputs))
            except Exception as error:  # not installed, or refused the shape
                cells.append("%s: not run (%s)" % (
                    name, str(error).splitlines()[0][:80]))
                continue
            cells.append("%s %.2f (%.2fx)" % (name, bt * 1e3, bt / seconds))
            if check == "-":
                check = "%.3g" % (out.float() - expected.float()).abs().max()
        print("| %s | %.2f | %.1f | %s | %s | %s | %s |" % (
            w.name, seconds * 1e3, rate,
            "%.1f%%" % (100 * rate / peak) if peak else "-",
            "-" if seqc_harness.PREBUILT_MODE == "replay" else "%.1f" % compile_s,
            "; ".join(cells), check), flush=True)


if __name__ == "__main__":
    main()
