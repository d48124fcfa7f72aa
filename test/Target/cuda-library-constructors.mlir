// REQUIRES: cuda-toolkit
// A CUDA library registers its embedded kernels from a constructor, which
// must be in .init_array: the dynamic loader runs that, and nothing runs
// .ctors in a library that lld links (there, every call on a GPU failed
// with "out of memory registering the kernels").
// RUN: seqc %s --target=cuda -o %t.so
// RUN: llvm-readelf -S %t.so | FileCheck %s
// CHECK-NOT: .ctors
// CHECK: .init_array
// CHECK-NOT: .ctors

func.func @probe(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = math.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
