// The CUDA target on every seq op (test/Target/Inputs/cuda-ops.mlir): each
// function becomes host code that takes its arguments in GPU memory,
// launches outlined kernels on one stream and returns GPU buffers (the
// runtime copies a host caller's tensors); no buffer is read or written on
// the host. (PTX and ptxas: cuda-ptx.mlir.)
// RUN: seqc %S/Inputs/cuda-ops.mlir --target=cuda --emit=gpu | FileCheck %s

// CHECK-LABEL: func.func @attention(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @attention_kernel{{(_[0-9]+)?}}::@attention_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @linear_attention(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// One kernel walks the steps (seq-gpu-recurrent-linear-attention), in
// blocks of two warps.
// CHECK: gpu.launch_func async [%{{.*}}] @linear_attention_kernel::@linear_attention_kernel blocks in ({{.*}}) threads in (%c64, %c1, %c1)
// CHECK-NOT: gpu.launch_func
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @selective_scan(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @selective_scan_kernel{{(_[0-9]+)?}}::@selective_scan_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @scan(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @scan_kernel{{(_[0-9]+)?}}::@scan_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @lstm(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @lstm_kernel{{(_[0-9]+)?}}::@lstm_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @cell_region(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @cell_region_kernel{{(_[0-9]+)?}}::@cell_region_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @conv1d(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @conv1d_kernel{{(_[0-9]+)?}}::@conv1d_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @hadamard(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @hadamard_kernel{{(_[0-9]+)?}}::@hadamard_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @dequantize(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @dequantize_kernel{{(_[0-9]+)?}}::@dequantize_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @fake_quantize(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @fake_quantize_kernel{{(_[0-9]+)?}}::@fake_quantize_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// CHECK-LABEL: func.func @matmul(
// CHECK-NOT: memref.load
// CHECK-NOT: memref.store
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch_func async [%{{.*}}] @matmul_kernel{{(_[0-9]+)?}}::@matmul_kernel blocks in ({{.*}}) threads in (%c256, %c1, %c1)
// CHECK-NOT: gpu.memcpy
// CHECK: return

// The kernels (each after its function): one thread per iteration of a
// linearized loop nest.
// CHECK: gpu.module @matmul_kernel {
// CHECK-NEXT: gpu.func @matmul_kernel({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK: gpu.block_id x
// CHECK: gpu.thread_id x
// CHECK: arith.cmpi ult
// CHECK: scf.if
