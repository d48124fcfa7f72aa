// RUN: seq-opt %s -convert-seq-to-linalg -split-input-file | FileCheck %s --implicit-check-not=seq.

// The reference lowering of each op: the loop structure and the pieces of
// math that identify it. Numerics are checked in test/python.

// CHECK-LABEL: func.func @conv1d
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x6xf32>, %[[W:.*]]: tensor<6x2x3xf32>
// Causal padding: x is written after (K - 1) * dilation = 4 rows.
// CHECK: %[[PAD:.*]] = tensor.insert_slice %[[X]] into %{{.*}}[0, 4, 0]
// One contraction over (input channel of the group, tap).
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: ins(%[[PAD]], %[[W]] :
// CHECK: math.exp
// CHECK: return
func.func @conv1d(%x: tensor<?x?x6xf32>, %w: tensor<6x2x3xf32>) -> tensor<?x?x6xf32> {
  %y = seq.conv1d %x, %w activation silu {dilation = 2} : tensor<?x?x6xf32>, tensor<6x2x3xf32> -> tensor<?x?x6xf32>
  return %y : tensor<?x?x6xf32>
}

// -----

// CHECK-LABEL: func.func @scan
// A sequential loop over the scanned dimension; the first step takes the
// element itself, the others apply the combiner elementwise.
// CHECK: scf.for
// CHECK: scf.if
// CHECK: } else {
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.insert_slice
func.func @scan(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %r0, %r1 = seq.scan dim = 1 ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a1, %a0 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  return %r0, %r1 : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @selective_scan
// CHECK: scf.for {{.*}} iter_args
// Softplus of delta, then the state update exp(dt * A) * h + dt * B * u.
// CHECK: math.log1p
// CHECK: math.exp
// The output contracts the state with C over N.
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: scf.yield
func.func @selective_scan(%u: tensor<?x?x4xf32>, %A: tensor<4x3xf32>, %B: tensor<?x?x2x3xf32>) -> tensor<?x?x4xf32> {
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B {delta_softplus}
      : tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<4x3xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x3xf32> -> tensor<?x?x4xf32>, tensor<?x4x3xf32>
  return %y : tensor<?x?x4xf32>
}

// -----

// Scores over (b, h, i, j, d), the key head h floordiv 4 (GQA).
// CHECK: #[[KMAP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d3, d4)>
// CHECK-LABEL: func.func @attention
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KMAP]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// The causal mask, then the row max and the softmax denominator.
// CHECK: arith.cmpi sle
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: return
func.func @attention(%q: tensor<?x8x?x16xf32>, %k: tensor<?x2x?x16xf32>) -> tensor<?x8x?x16xf32> {
  %o = seq.attention %q, %k, %k {causal} : tensor<?x8x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x8x?x16xf32>
  return %o : tensor<?x8x?x16xf32>
}

// -----

// CHECK-LABEL: func.func @linear_attention
// CHECK: scf.for {{.*}} iter_args
// Decay, the delta-rule correction k S, the state update, the output q S.
// CHECK: math.exp
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.subf
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: scf.yield
func.func @linear_attention(%q: tensor<?x2x?x4xf32>, %g: tensor<?x2x?xf32>) -> tensor<?x2x?x4xf32> {
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : tensor<?x2x?xf32>) beta(%g : tensor<?x2x?xf32>)
      : tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32> -> tensor<?x2x?x4xf32>, tensor<?x2x4x4xf32>
  return %o : tensor<?x2x?x4xf32>
}

// -----

// CHECK-LABEL: func.func @lstm
// CHECK: scf.for {{.*}} iter_args
// Input and recurrent contractions, then the cell over (b, u).
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: math.tanh
// CHECK: scf.yield
func.func @lstm(%x: tensor<?x?x3xf32>, %wi: tensor<16x3xf32>, %wr: tensor<4x2x2x2xf32>) -> tensor<?x?x4xf32> {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x3xf32>) w_in(%wi : tensor<16x3xf32>) w_rec(%wr : tensor<4x2x2x2xf32>)
      -> tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}

// -----

// CHECK-LABEL: func.func @cell_region
// The cell is inlined into the loop, bound to the carried state and the step.
// CHECK: scf.for {{.*}} iter_args(%[[H:.*]] = %{{.*}}, %[[Y:.*]] = %{{.*}})
// CHECK: tensor.extract_slice
// CHECK: %[[XT:.*]] = tensor.collapse_shape
// CHECK: %[[N:.*]] = math.tanh %[[XT]]
// CHECK: %[[S:.*]] = arith.addf %[[H]], %[[N]]
// CHECK: %[[E:.*]] = tensor.expand_shape %[[S]]
// CHECK: tensor.insert_slice %[[E]] into %[[Y]]
func.func @cell_region(%x: tensor<?x?x4xf32>, %h0: tensor<?x4xf32>) -> tensor<?x?x4xf32> {
  %h, %y = seq.recurrence ins(%x : tensor<?x?x4xf32>) init(%h0 : tensor<?x4xf32>) -> tensor<?x4xf32>, tensor<?x?x4xf32> {
  ^bb0(%hp: tensor<?x4xf32>, %xt: tensor<?x4xf32>):
    %n = math.tanh %xt : tensor<?x4xf32>
    %s = arith.addf %hp, %n : tensor<?x4xf32>
    seq.yield %s, %s : tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %y : tensor<?x?x4xf32>
}
