// RUN: seq-opt %s -seq-gpu-scan-batch-dim -split-input-file | FileCheck %s

// A scan along a tensor's only dimension (with inits, exclusive, reverse)
// scans [1, L] views along dimension 1; its results are collapsed back.
// CHECK-LABEL: func.func @affine(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?xf32>, %[[B:[^:]*]]: tensor<?xf32>, %[[I:[^:]*]]: tensor<f32>, %[[J:[^:]*]]: tensor<f32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]]
// CHECK: %[[X1:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1]] output_shape [1, %[[N]]] : tensor<?xf32> into tensor<1x?xf32>
// CHECK: %[[B1:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]]
// CHECK: %[[I1:.*]] = tensor.expand_shape %[[I]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: %[[J1:.*]] = tensor.expand_shape %[[J]] []
// CHECK: %[[S:.*]]:2 = seq.scan dim = 1 ins(%[[X1]], %[[B1]] : tensor<1x?xf32>, tensor<1x?xf32>) init(%[[I1]], %[[J1]] : tensor<1xf32>, tensor<1xf32>) {exclusive, reverse}
// CHECK: arith.mulf
// CHECK: %[[R0:.*]] = tensor.collapse_shape %[[S]]#0 {{\[\[}}0, 1]] : tensor<1x?xf32> into tensor<?xf32>
// CHECK: %[[R1:.*]] = tensor.collapse_shape %[[S]]#1
// CHECK: return %[[R0]], %[[R1]]
func.func @affine(%x: tensor<?xf32>, %b: tensor<?xf32>, %i: tensor<f32>,
                  %j: tensor<f32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %y:2 = seq.scan dim = 0 ins(%x, %b : tensor<?xf32>, tensor<?xf32>)
      init(%i, %j : tensor<f32>, tensor<f32>) {exclusive, reverse}
      -> tensor<?xf32>, tensor<?xf32> {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a1, %a0 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  return %y#0, %y#1 : tensor<?xf32>, tensor<?xf32>
}

// -----

// A scan with a dimension besides the scanned one is left alone.
// CHECK-LABEL: func.func @rows(
// CHECK-NOT: tensor.expand_shape
// CHECK: seq.scan dim = 1 ins(%{{.*}} : tensor<4x?xf32>)
func.func @rows(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %y = seq.scan dim = 1 ins(%x : tensor<4x?xf32>) -> tensor<4x?xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    seq.yield %s : f32
  }
  return %y : tensor<4x?xf32>
}
