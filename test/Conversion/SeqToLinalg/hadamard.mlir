// RUN: seq-opt %s -convert-seq-to-linalg -split-input-file | FileCheck %s

// Blocks of 4 in 8: two butterfly stages (h = 1, 2) over the last dimension
// viewed as [8 / 2h, 2, h], reading both halves through constant maps; the
// last stage scales by 1/sqrt(4).
// CHECK-DAG: #[[LO:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
// CHECK-DAG: #[[HI:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 1, d3)>
// CHECK-LABEL: func.func @hadamard
// CHECK:      tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [%{{.*}}, 4, 2, 1]
// CHECK:      linalg.generic {indexing_maps = [#[[LO]], #[[HI]], #{{.*}}]
// CHECK:        arith.subf
// CHECK:        arith.addf
// CHECK-NOT:    arith.mulf
// CHECK:      tensor.collapse_shape
// CHECK:      tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [%{{.*}}, 2, 2, 2]
// CHECK:      linalg.generic
// CHECK:        arith.subf
// CHECK:        arith.addf
// CHECK:        arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:      tensor.collapse_shape
// CHECK-NOT:  linalg.generic
func.func @hadamard(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = seq.hadamard %x block 4 : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// A block of 1 is the identity.
// CHECK-LABEL: func.func @hadamard_identity
// CHECK-NOT: linalg.generic
// CHECK: return %arg0
func.func @hadamard_identity(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %y = seq.hadamard %x block 1 : tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}
