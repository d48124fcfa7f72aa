// REQUIRES: cuda-toolkit
// The PTX of every seq op's kernels (test/Target/Inputs/cuda-ops.mlir), and
// ptxas over each kernel module for sm_80 and sm_90: it must assemble with
// no spills and at most 64 registers (the budget: 256-thread blocks keep
// full occupancy up to 64 registers per thread on sm_80 and sm_90).
//
// RUN: seqc %S/Inputs/cuda-ops.mlir --target=cuda --emit=ptx -o %t.sm80.ptx
// RUN: FileCheck %s --check-prefixes=PTX,SM80 < %t.sm80.ptx
// RUN: %python %S/Inputs/ptxas_check.py %ptxas sm_80 %t.sm80.ptx --max-spill-bytes 0 --max-registers 64 | FileCheck %s --check-prefix=PTXAS80
// RUN: seqc %S/Inputs/cuda-ops.mlir --target=cuda --gpu-arch=sm_90 --emit=ptx -o %t.sm90.ptx
// RUN: FileCheck %s --check-prefixes=PTX,SM90 < %t.sm90.ptx
// RUN: %python %S/Inputs/ptxas_check.py %ptxas sm_90 %t.sm90.ptx --max-spill-bytes 0 --max-registers 64 | FileCheck %s --check-prefix=PTXAS90

// PTX: // gpu.module @attention_kernel
// PTX-NEXT: //
// PTX: .version 8.0
// SM80: .target sm_80
// SM90: .target sm_90
// PTX: .visible .entry attention_kernel(
// PTX: mov.u32 %r{{[0-9]+}}, %ctaid.x;
// PTX: mov.u32 %r{{[0-9]+}}, %tid.x;
// The softmax's exponential, from libdevice (linked, not an extern call).
// PTX: ex2.approx
// PTX-NOT: .extern .func __nv_
// PTX: // gpu.module @linear_attention_kernel
// PTX: // gpu.module @selective_scan_kernel
// PTX: // gpu.module @scan_kernel
// PTX: // gpu.module @lstm_kernel
// PTX: // gpu.module @cell_region_kernel
// PTX: // gpu.module @conv1d_kernel
// PTX: // gpu.module @hadamard_kernel
// PTX: // gpu.module @dequantize_kernel
// PTX: cvt.rn.f32.s16
// PTX: // gpu.module @fake_quantize_kernel
// PTX: // gpu.module @matmul_kernel
// The matmul's multiply-adds contracted into FMAs.
// PTX: fma.rn.f32
// Half-precision attention (seq-gpu-attention) computes in f32: its
// operands widened, the output rounded once.
// PTX: // gpu.module @attention_f16_kernel
// PTX: cvt.f32.f16
// PTX: fma.rn.f32
// PTX: cvt.rn.f16.f32
// PTX: // gpu.module @attention_bf16_kernel
// PTX: cvt.f32.bf16
// PTX: fma.rn.f32
// PTX: cvt.rn.bf16.f32

// PTXAS80-NOT: FAIL
// PTXAS80: sm_80: 52 kernels assembled, 0 failed
// PTXAS90-NOT: FAIL
// PTXAS90: sm_90: 52 kernels assembled, 0 failed
