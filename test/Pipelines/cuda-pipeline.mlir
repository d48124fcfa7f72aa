// REQUIRES: cuda-toolkit
// seq-opt runs the CUDA target's pipeline as seqc does (with sm_80 and the
// toolkit from the environment): host code in the LLVM dialect launching
// kernels embedded as gpu.binary ops.
// RUN: env CUDA_HOME=%cuda_home seq-opt %s --seq-cuda-pipeline | FileCheck %s
// CHECK: llvm.func @f(
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @f_kernel::@f_kernel blocks in
// CHECK: gpu.binary @f_kernel  [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">
func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = seq.hadamard %x block 8 : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
