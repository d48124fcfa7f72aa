// RUN: seq-opt %s --ownership-based-buffer-deallocation | FileCheck %s

// seqc gives gpu.barrier memory effects (lib/Transforms/GpuBlockKernels.cpp),
// so that buffer deallocation takes a kernel with a barrier that was
// created before bufferization (upstream's mlir-opt refuses it: "ops with
// unknown memory side effects are not supported").
// CHECK-LABEL: func.func @kernel_with_barrier
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: scf.parallel
// CHECK: memref.store {{.*}} : memref<2xf32, #gpu.address_space<workgroup>>
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: memref.load {{.*}} : memref<2xf32, #gpu.address_space<workgroup>>
// CHECK: bufferization.dealloc {{.*}} retain (%[[A]] : memref<?xf32>)
func.func @kernel_with_barrier(%n: index) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc(%n) : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %s = memref.alloca() : memref<2xf32, #gpu.address_space<workgroup>>
    %z = arith.constant 0.0 : f32
    memref.store %z, %s[%c0] : memref<2xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %v = memref.load %s[%c1] : memref<2xf32, #gpu.address_space<workgroup>>
    memref.store %v, %a[%i] : memref<?xf32>
    scf.reduce
  }
  return %a : memref<?xf32>
}
