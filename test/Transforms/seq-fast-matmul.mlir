// RUN: seq-opt %s -seq-fast-matmul="lanes=8 emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: seq-opt %s -seq-fast-matmul="lanes=16" -split-input-file | FileCheck %s --check-prefix=AVX512
// RUN: not seq-opt %s -seq-fast-matmul=lanes=12 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT

// A model's projection. From 20 rows per batch entry the panel kernel:
// x copied into panels of 2 vectors of rows (16 x 64 here), then register
// tiles of a panel by 6 outputs (12 accumulators on AVX2, 2 x 12 = 24 on
// AVX-512) that broadcast one weight per output and step of k, written
// back through a stack buffer. Fewer rows (a decode step): tasks over
// (batch, 16 rows, 64 outputs); register tiles of 2 rows x 4 outputs (8
// accumulators) over k in vectors of 8, reduced once; the init is added.
// CHECK-LABEL: func.func @projection
// CHECK: %[[ROWS:.*]] = memref.dim %{{.*}}, %c1
// CHECK: %[[MANY:.*]] = arith.cmpi uge, %[[ROWS]], %c20
// CHECK: scf.if %[[MANY]] {
// CHECK: memref.alloc(%{{.*}}) : memref<?x64x16xf32>
// CHECK: scf.parallel
// CHECK: memref.alloca() : memref<6x16xf32>
// CHECK: scf.for {{.*}} step %c1{{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: vector.broadcast %{{.*}} : f32 to vector<8xf32>
// CHECK-NEXT: vector.fma
// CHECK-NEXT: vector.fma
// CHECK-NOT: vector.reduction
// CHECK: } else {
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: vector.fma
// CHECK: vector.reduction <add>
// CHECK: arith.addf
// CHECK-NOT: linalg.contract
// AVX512-LABEL: func.func @projection
// AVX512: memref.alloc(%{{.*}}) : memref<?x64x32xf32>
// AVX512: memref.alloca() : memref<12x32xf32>
// AVX512: iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// AVX512: } else {
// AVX512: iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// BADOPT: seq-fast-matmul: lanes must be 4, 8 or 16 (got 12)
func.func @projection(%x: tensor<?x?x64xf32>, %w: tensor<96x64xf32>,
                      %init: tensor<?x?x96xf32>) -> tensor<?x?x96xf32> {
  %y = linalg.contract indexing_maps = [
      affine_map<(b, l, n, k) -> (b, l, k)>, affine_map<(b, l, n, k) -> (n, k)>,
      affine_map<(b, l, n, k) -> (b, l, n)>]
      ins(%x, %w : tensor<?x?x64xf32>, tensor<96x64xf32>)
      outs(%init : tensor<?x?x96xf32>) -> tensor<?x?x96xf32>
  return %y : tensor<?x?x96xf32>
}

// -----

// Rows of a plain matrix.
// CHECK-LABEL: func.func @rows
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK-NOT: linalg.contract
func.func @rows(%x: tensor<?x32xf32>, %w: tensor<5x32xf32>,
                %init: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x32xf32>, tensor<5x32xf32>)
      outs(%init : tensor<?x5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

// CHECK-LABEL: func.func @negative_odd_depth
// CHECK: linalg.contract
func.func @negative_odd_depth(%x: tensor<?x36xf32>, %w: tensor<5x36xf32>,
                              %init: tensor<?x5xf32>) -> tensor<?x5xf32> {
  // expected-remark @below {{left for the reference lowering: an input size that is not a multiple of the vector width}}
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x36xf32>, tensor<5x36xf32>)
      outs(%init : tensor<?x5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

// A weight stored [in, out] is another contraction.
// CHECK-LABEL: func.func @negative_weight_layout
// CHECK: linalg.contract
func.func @negative_weight_layout(%x: tensor<?x32xf32>, %w: tensor<32x5xf32>,
                                  %init: tensor<?x5xf32>) -> tensor<?x5xf32> {
  // expected-remark @below {{left for the reference lowering: a contraction other than x[..., k] * w[n, k]}}
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x32xf32>, tensor<32x5xf32>)
      outs(%init : tensor<?x5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

// CHECK-LABEL: func.func @negative_f64
// CHECK: linalg.contract
func.func @negative_f64(%x: tensor<?x32xf64>, %w: tensor<5x32xf64>,
                        %init: tensor<?x5xf64>) -> tensor<?x5xf64> {
  // expected-remark @below {{left for the reference lowering: element type other than f32}}
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x32xf64>, tensor<5x32xf64>)
      outs(%init : tensor<?x5xf64>) -> tensor<?x5xf64>
  return %y : tensor<?x5xf64>
}
