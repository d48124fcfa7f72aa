// REQUIRES: cuda-toolkit
// The PTX of every seq op's kernels (test/Target/Inputs/cuda-ops.mlir), and
// ptxas over each kernel module for sm_80 and sm_90: it must assemble with
// no spills and at most 64 registers (the budget: 256-thread blocks keep
// full occupancy up to 64 registers per thread on sm_80 and sm_90), or, for
// the tensor-core kernels, which hold their matrix fragments in registers,
// at most 255 (the most a thread of a 256-thread block can have).
//
// RUN: seqc %S/Inputs/cuda-ops.mlir --target=cuda --emit=ptx -o %t.sm80.ptx
// RUN: FileCheck %s --check-prefixes=PTX,SM80 < %t.sm80.ptx
// RUN: %python %S/Inputs/ptxas_check.py %ptxas sm_80 %t.sm80.ptx --max-spill-bytes 0 --max-registers 64 --max-mma-registers 255 | FileCheck %s --check-prefix=PTXAS80
// RUN: seqc %S/Inputs/cuda-ops.mlir --target=cuda --gpu-arch=sm_90 --emit=ptx -o %t.sm90.ptx
// RUN: FileCheck %s --check-prefixes=PTX,SM90 < %t.sm90.ptx
// RUN: %python %S/Inputs/ptxas_check.py %ptxas sm_90 %t.sm90.ptx --max-spill-bytes 0 --max-registers 64 --max-mma-registers 255 | FileCheck %s --check-prefix=PTXAS90

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
// f32 attention: split-KV, the splits' kernel, then the combining one.
// PTX: // gpu.module @attention_kernel_{{[0-9]+}}
// PTX: ex2.approx
// PTX: // gpu.module @linear_attention_kernel
// PTX: // gpu.module @selective_scan_kernel
// seq.scan (seq-gpu-scan): a warp a row, each lane folding its chunk, the
// 32 folds of the two scanned tensors scanned over the lanes (shuffles up
// by 1, 2, 4, 8, 16) and each lane's prefix shuffled up by 1; then the
// kernel of a thread a row (for 8192 rows or more) with no shuffle.
// PTX: // gpu.module @scan_kernel
// PTX-NOT: // gpu.module
// PTX-COUNT-12: shfl.sync.up.b32
// PTX: // gpu.module @scan_kernel_{{[0-9]+}}
// PTX-NOT: shfl.sync
// PTX: // gpu.module @lstm_kernel
// The cell region's tanh and add are fused into one generic before the
// lowering: 3 kernels, where unfused there were 4.
// PTX-COUNT-3: // gpu.module @cell_region_kernel
// PTX-NOT: // gpu.module @cell_region_kernel
// PTX: // gpu.module @conv1d_kernel
// PTX: // gpu.module @hadamard_kernel
// PTX: // gpu.module @dequantize_kernel
// PTX: cvt.rn.f32.s16
// PTX: // gpu.module @fake_quantize_kernel
// PTX: // gpu.module @matmul_kernel
// The matmul's multiply-adds contracted into FMAs.
// PTX: fma.rn.f32
// Half-precision attention with static head sizes runs on tensor cores
// (seq-gpu-attention): mma.sync for Q K^T and P V, the row max and sum
// over a row's four lanes by butterfly shuffles, P rounded to the input
// type two at a time (cvt.rn.f16x2.f32); bf16 through nvvm.mma.sync (seq-gpu-bf16-mma).
// From 64 query rows on, blocks of 4 warps stage 64 keys of K and V at a
// time in shared memory (16-byte aligned buffers, 16-byte copies where the
// rows allow, a barrier before and after the warps read them); below,
// the warps read global memory on their own (the second kernel).
// PTX: // gpu.module @attention_f16_kernel
// PTX: .shared .align 16 .b8 __wg_attention_f16_kernel_0[5120];
// PTX: .shared .align 16 .b8 __wg_attention_f16_kernel_1[5120];
// PTX: ld.global.v4.b32
// PTX: st.shared.v4.b32
// PTX: bar.sync 0;
// PTX: ld.shared.b32
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX: shfl.sync.bfly.b32
// PTX: cvt.rn.f16x2.f32
// PTX: ld.shared.b16
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX: bar.sync 0;
// PTX: // gpu.module @attention_f16_kernel_{{[0-9]+}}
// PTX-NOT: .shared
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX: shfl.sync.bfly.b32
// PTX: cvt.rn.f16x2.f32
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX: // gpu.module @attention_bf16_kernel
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: shfl.sync.bfly.b32
// PTX: cvt.rn.bf16x2.f32
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: // gpu.module @attention_f16_d128_kernel
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// A head size of 72 computes in f32, a thread per row: its operands
// widened, the output rounded once.
// PTX: // gpu.module @attention_f16_d72_kernel
// PTX-NOT: mma.sync
// PTX: cvt.f32.f16
// PTX: fma.rn.f32
// PTX: cvt.rn.f16.f32
// Chunked linear attention on tensor cores (seq-gpu-linear-attention): the
// chunk's scores, P V, Q S and the state update, all mma.sync.
// PTX: // gpu.module @linear_attention_bf16_kernel
// The block of a head's value slices shares the chunk's Q and K rows.
// PTX: .shared .align 16 .b8 __wg_linear_attention_bf16_kernel_0[2304];
// PTX: .shared .align 16 .b8 __wg_linear_attention_bf16_kernel_1[2304];
// PTX: bar.sync 0;
// PTX: ld.shared.b32
// PTX-COUNT-4: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: cvt.rn.bf16x2.f32
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// The selective scan with N = 16: y's sum over a channel's 16 lanes.
// PTX: // gpu.module @selective_scan_n16_kernel
// PTX-COUNT-4: shfl.sync.bfly.b32
// GLA: the cumulative decays, then the chunks on tensor cores.
// PTX: // gpu.module @gla_bf16_kernel
// PTX-NOT: mma.sync
// PTX: // gpu.module @gla_bf16_kernel_{{[0-9]+}}
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// The linear attention the tensor cores do not take walks the steps in
// one kernel (seq-gpu-recurrent-linear-attention): at Dk = 128 each of a
// column's 32 lanes holds 4 rows of the state, so a dot product over the
// keys ends in 5 butterfly shuffles; GLA's decays are an exponential a
// row, and the delta rule's step has two dot products (k S, then q S).
// PTX: // gpu.module @gla_f32_kernel
// PTX-NOT: // gpu.module
// PTX: ex2.approx
// PTX-COUNT-5: shfl.sync.bfly.b32
// PTX: // gpu.module @gated_delta_f32_kernel
// PTX-NOT: // gpu.module
// PTX-COUNT-10: shfl.sync.bfly.b32
// PTX: // gpu.module @gla_f16_kernel
// PTX-NOT: // gpu.module
// PTX: cvt.f32.f16
// PTX: // gpu.module @mlstm_f32_kernel
// Named-cell recurrences (seq-gpu-recurrence): the input weights
// transposed, the input part of every step (four steps a thread), the
// recurrent weights transposed. The benchmark's LSTM (a head of 512
// units, 4 MiB of f32 weights) then sets the states and launches a kernel
// a step: a block copies its 4 rows of h to shared memory (8 KiB; the
// warps' sums take the other 8 KiB), waits, and each thread loads the
// weights of 4 inputs (4 gates each) and the rows' h of them (a 16-byte
// shared load a row) before its first FMA. The sLSTM's 32-unit heads
// keep the persistent kernel, their weights copied to shared memory
// (16 KiB) first.
// PTX: // gpu.module @lstm_h512_kernel
// PTX: // gpu.module @lstm_h512_kernel_{{[0-9]+}}
// PTX: // gpu.module @lstm_h512_kernel_{{[0-9]+}}
// PTX: // gpu.module @lstm_h512_kernel_{{[0-9]+}}
// PTX: // gpu.module @lstm_h512_kernel_{{[0-9]+}}
// PTX: .shared .align 16 .b8 __wg_lstm_h512_kernel_0[8192];
// PTX: .shared .align 16 .b8 __wg_lstm_h512_kernel_1[8192];
// PTX: bar.sync 0;
// PTX-NOT: fma.rn.f32
// PTX-COUNT-4: ld.shared.v4.b32
// PTX-NOT: fma.rn.f32
// PTX-COUNT-12: ld.global.b32
// PTX-NEXT: fma.rn.f32
// PTX: bar.sync 0;
// PTX: // gpu.module @gru_bf16_kernel
// PTX: // gpu.module @slstm_h4x32_kernel_{{[0-9]+}}
// PTX: // gpu.module @slstm_h4x32_kernel_{{[0-9]+}}
// PTX: .shared .align 16 .b8 __wg_slstm_h4x32_kernel_0[2048];
// PTX: .shared .align 16 .b8 __wg_slstm_h4x32_kernel_1[16384];
// PTX: bar.sync 0;
// PTX: bar.sync 0;
// A bias: f32 split-KV kernels, and the tensor-core kernels (staged and
// not) reading the bias per lane beside their mma.
// PTX: // gpu.module @attention_bias_kernel
// PTX: // gpu.module @attention_bias_kernel_{{[0-9]+}}
// PTX: // gpu.module @attention_bias_f16_kernel
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX: // gpu.module @attention_bias_f16_kernel_{{[0-9]+}}
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

// PTXAS80-NOT: FAIL
// PTXAS80: ok attention_f16_kernel: registers {{[0-9]+}}, spill bytes 0, tensor cores
// PTXAS80: ok attention_bias_f16_kernel: registers {{[0-9]+}}, spill bytes 0, tensor cores
// PTXAS80: sm_80: 63 kernels assembled, 0 failed
// PTXAS90-NOT: FAIL
// PTXAS90: ok attention_f16_kernel: registers {{[0-9]+}}, spill bytes 0, tensor cores
// PTXAS90: ok attention_bias_f16_kernel: registers {{[0-9]+}}, spill bytes 0, tensor cores
// PTXAS90: sm_90: 63 kernels assembled, 0 failed
