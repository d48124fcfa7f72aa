// RUN: seq-opt %s -seq-gpu-align-workgroup-buffers | FileCheck %s

// Every workgroup attribution gets llvm.align = 16; a larger alignment
// already set is kept; private attributions are left alone.
// CHECK-LABEL: gpu.func @kernel
// CHECK-SAME: workgroup(%{{.*}} : memref<64x72xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<4xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64}, %{{.*}} : memref<3xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: private(%{{.*}} : memref<2xf32, #gpu.address_space<private>>)
gpu.module @m {
  gpu.func @kernel() workgroup(%a : memref<64x72xf16, #gpu.address_space<workgroup>>,
                               %b : memref<4xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64},
                               %c : memref<3xi8, #gpu.address_space<workgroup>> {llvm.align = 8 : i64})
                     private(%p : memref<2xf32, #gpu.address_space<private>>) kernel {
    gpu.return
  }
}
