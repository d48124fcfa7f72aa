// REQUIRES: cuda-toolkit
// The host code's kernel launches pass their arguments through allocas;
// those of the launches in a loop over the sequence's steps are moved into
// the entry block, so that the stack does not grow at every step (8192
// steps overflowed it: test_linear_attention.py's long sequence on a GPU).
// Linear attention with a dynamic key size keeps the reference lowering,
// which launches kernels at every step.
// RUN: seqc %s --target=cuda --emit=llvm | FileCheck %s

// CHECK-LABEL: define {{.*}} @__seqc_kernel_gla(
// CHECK: alloca
// CHECK: {{^[0-9]+:}}
// CHECK-NOT: alloca
// CHECK: {{^}}}

func.func @gla(%q: tensor<1x1x64x?xf32>, %k: tensor<1x1x64x?xf32>, %v: tensor<1x1x64x?xf32>, %g: tensor<1x1x64x?xf32>) -> tensor<1x1x64x?xf32> {
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<1x1x64x?xf32>)
      : tensor<1x1x64x?xf32>, tensor<1x1x64x?xf32>, tensor<1x1x64x?xf32> -> tensor<1x1x64x?xf32>, tensor<1x1x?x?xf32>
  return %o : tensor<1x1x64x?xf32>
}
