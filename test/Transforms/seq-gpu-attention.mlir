// RUN: seq-opt %s -seq-gpu-attention=emit-remarks=true -split-input-file -verify-diagnostics | FileCheck %s

// Causal GQA in f16: one parallel loop over the B * H * Lq rows; each row
// streams over its keys [lo, hi) with a running max and sum, widening its
// operands to f32 and accumulating its output in an f32 buffer of the
// output's shape, which it rounds once. No [Lq, Lk] buffer.
// CHECK-LABEL: func.func @causal_gqa_f16
// CHECK: %[[OUT:.*]] = memref.alloc({{.*}}) : memref<?x8x?x64xf16>
// CHECK: %[[ACC:.*]] = memref.alloc({{.*}}) : memref<?x8x?x64xf32>
// CHECK-NOT: memref.alloc
// CHECK: scf.parallel
// CHECK: %[[STATE:.*]]:2 = scf.for {{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: memref.store {{.*}}, %[[ACC]]
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: memref.store {{.*}}, %[[OUT]]
// CHECK: scf.reduce
// CHECK: bufferization.to_tensor %[[OUT]]
// CHECK-NOT: seq.attention
func.func @causal_gqa_f16(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                          %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = seq.attention %q, %k, %v {causal}
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// -----

// f32 accumulates in the output itself; lse and softcap.
// CHECK-LABEL: func.func @lse
// CHECK: %[[OUT:.*]] = memref.alloc({{.*}}) : memref<?x4x?x16xf32>
// CHECK: %[[LSE:.*]] = memref.alloc({{.*}}) : memref<?x4x?xf32>
// CHECK: scf.parallel
// CHECK: math.tanh
// CHECK: math.log
// CHECK: memref.store {{.*}}, %[[LSE]]
func.func @lse(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>,
               %v: tensor<?x4x?x16xf32>)
    -> (tensor<?x4x?x16xf32>, tensor<?x4x?xf32>) {
  %o, %lse = seq.attention %q, %k, %v {softcap = 30.0 : f32}
      : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>
      -> tensor<?x4x?x16xf32>, tensor<?x4x?xf32>
  return %o, %lse : tensor<?x4x?x16xf32>, tensor<?x4x?xf32>
}

// -----

// A bias stays with the reference lowering.
func.func @bias(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                %v: tensor<1x2x4x8xf32>, %b: tensor<1x2x4x4xf32>)
    -> tensor<1x2x4x8xf32> {
  // expected-remark @+1 {{left for the reference lowering: an additive bias}}
  %o = seq.attention %q, %k, %v bias(%b : tensor<1x2x4x4xf32>)
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
      -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
