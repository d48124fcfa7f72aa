// RUN: seq-opt %s -seq-fast-matmul="lanes=16 int8-dot=true emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s
// Without VNNI the int8 activations are computed as floats by the f32 kernel:
// RUN: seq-opt %s -seq-fast-matmul="lanes=16 emit-remarks=true" -split-input-file 2>&1 | FileCheck %s --check-prefix=NOVNNI

// int8 weights, one scale per output: vectors of 16 bytes converted in
// registers, the scale applied to each finished dot product; the float
// weight is never built.
// CHECK-LABEL: func.func @int8_per_channel
// CHECK-NOT: seq.dequantize
// From 20 rows, the panel kernel: each task converts a tile of 12 outputs'
// weights into an f32 stack buffer, and the scale multiplies each finished
// sum as it is written back.
// CHECK: scf.if
// CHECK: %[[TILE:.*]] = memref.alloca() : memref<12x64xf32>
// CHECK: arith.sitofp %{{.*}} : vector<16xi8> to vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[TILE]]
// CHECK: memref.load %[[TILE]]
// CHECK: vector.fma
// CHECK: memref.load {{.*}} : memref<96x1xf32
// CHECK: arith.mulf
// CHECK: } else {
// Fewer rows: dot products. The next tile's rows of the weight are
// prefetched as this one streams (decode reads each weight once, from
// DRAM).
// CHECK: scf.parallel
// CHECK: memref.prefetch %{{.*}}[%{{.*}}, %{{.*}}], read, locality<3>, data : memref<96x64xi8
// CHECK: vector.load %{{.*}} : memref<96x64xi8, strided<[?, 1], offset: ?>>, vector<16xi8>
// CHECK: arith.sitofp %{{.*}} : vector<16xi8> to vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.reduction <add>
// CHECK: memref.load {{.*}} : memref<96x1xf32
// CHECK: arith.mulf
// CHECK-NOT: linalg.contract
// CHECK-NOT: seq.dequantize
func.func @int8_per_channel(%x: tensor<?x64xf32>, %q: tensor<96x64xi8>, %s: tensor<96x1xf32>,
                            %init: tensor<?x96xf32>) -> tensor<?x96xf32> {
  %w = seq.dequantize %q, %s bits 8 : tensor<96x64xi8>, tensor<96x1xf32> -> tensor<96x64xf32>
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x64xf32>, tensor<96x64xf32>)
      outs(%init : tensor<?x96xf32>) -> tensor<?x96xf32>
  return %y : tensor<?x96xf32>
}

// -----

// int4 in groups of 64: one load of 16 bytes gives two runs of 16 inputs
// (low nibbles, then high), each scaled by its group's scale.
// CHECK-LABEL: func.func @int4_groups
// CHECK: scf.parallel
// CHECK: vector.load %{{.*}} : memref<8x64xi8, strided<[?, 1], offset: ?>>, vector<16xi8>
// CHECK: arith.extsi %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.shrsi
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: memref.load {{.*}} : memref<8x2xf32
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: vector.fma
// CHECK-NOT: linalg.contract
func.func @int4_groups(%x: tensor<?x128xf32>, %q: tensor<8x64xi8>, %s: tensor<8x2xf32>,
                       %init: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = seq.dequantize %q, %s bits 4 : tensor<8x64xi8>, tensor<8x2xf32> -> tensor<8x128xf32>
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x128xf32>, tensor<8x128xf32>)
      outs(%init : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Groups of 16 int4 values are 8 bytes, less than a vector: left to the
// reference lowering, with a remark.
// CHECK-LABEL: func.func @int4_small_groups
// CHECK: seq.dequantize
// CHECK: linalg.contract
func.func @int4_small_groups(%x: tensor<?x32xf32>, %q: tensor<8x16xi8>, %s: tensor<8x2xf32>,
                             %init: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = seq.dequantize %q, %s bits 4 : tensor<8x16xi8>, tensor<8x2xf32> -> tensor<8x32xf32>
  // expected-remark @+1 {{left for the reference lowering: an int4 group size that is not twice a multiple of the vector width}}
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x32xf32>, tensor<8x32xf32>)
      outs(%init : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// W8A8: int8 activations (per token) times int8 weights (per channel). Each
// task quantizes its rows once to bytes on its stack; tiles of 4 rows by 4
// outputs accumulate vpdpbusd products, plus one weight-row sum per output
// that removes the unsigned offset; both scales multiply the i32 total.
// CHECK-LABEL: func.func @w8a8
// CHECK-NOT: seq.fake_quantize
// CHECK-NOT: seq.dequantize
// CHECK: scf.parallel
// CHECK: memref.alloca() : memref<16x128xi8>
// CHECK: math.roundeven %{{.*}} : vector<16xf32>
// CHECK: arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>,
// CHECK: seq.int8_dot %{{.*}}, %{{.*}}, %{{.*}} : vector<64xi8> -> vector<16xi32>
// CHECK: vector.reduction <add>, %{{.*}} : vector<16xi32> into i32
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK-NOT: linalg.contract
// NOVNNI: remark: seq-fast-matmul: int8 activations as f32 (no AVX512-VNNI int8 dot products on the target)
// NOVNNI-LABEL: func.func @w8a8
// NOVNNI: seq.fake_quantize
// NOVNNI-NOT: seq.int8_dot
// NOVNNI: vector.fma
func.func @w8a8(%x: tensor<?x128xf32>, %q: tensor<32x128xi8>, %s: tensor<32x1xf32>,
                %init: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %xq = seq.fake_quantize %x : tensor<?x128xf32>
  %w = seq.dequantize %q, %s bits 8 : tensor<32x128xi8>, tensor<32x1xf32> -> tensor<32x128xf32>
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%xq, %w : tensor<?x128xf32>, tensor<32x128xf32>)
      outs(%init : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// LLM.int8(): the outlier columns are found once before the tasks (column
// maxima, then a list), masked out of the bytes, and added in f32 per
// output.
// CHECK-LABEL: func.func @llm_int8
// CHECK: memref.alloca() : memref<128xf32>
// CHECK: memref.alloca() : memref<128xindex>
// CHECK: scf.if
// CHECK: scf.parallel
// CHECK: arith.cmpf oge, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: seq.int8_dot
// CHECK: math.fma %{{.*}} : f32
func.func @llm_int8(%x: tensor<?x128xf32>, %q: tensor<32x128xi8>, %s: tensor<32x1xf32>,
                    %init: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %xq = seq.fake_quantize %x outliers 6.0 : tensor<?x128xf32>
  %w = seq.dequantize %q, %s bits 8 : tensor<32x128xi8>, tensor<32x1xf32> -> tensor<32x128xf32>
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%xq, %w : tensor<?x128xf32>, tensor<32x128xf32>)
      outs(%init : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// Asymmetric int4 groups: the group's zero point subtracted from the
// converted integers before its scale.
// CHECK-LABEL: func.func @int4_asymmetric
// CHECK-NOT: seq.dequantize
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: memref.load %{{.*}} : memref<8x2xi8
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: arith.subf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: arith.mulf
// CHECK: vector.fma
func.func @int4_asymmetric(%x: tensor<?x64xf32>, %q: tensor<8x32xi8>, %s: tensor<8x2xf32>,
                           %z: tensor<8x2xi8>, %init: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = seq.dequantize %q, %s zero %z bits 4 : tensor<8x32xi8>, tensor<8x2xf32>, tensor<8x2xi8> -> tensor<8x64xf32>
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x64xf32>, tensor<8x64xf32>)
      outs(%init : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// A depth whose tile of converted weights (12 x 32768 f32, 1.5 MiB) would
// not fit a task's stack: the dot products only, for every row count.
// CHECK-LABEL: func.func @int8_deep
// CHECK-NOT: scf.if
// CHECK-NOT: memref<12x32768xf32>
// CHECK: scf.parallel
// CHECK: vector.reduction <add>
func.func @int8_deep(%x: tensor<?x32768xf32>, %q: tensor<16x32768xi8>, %s: tensor<16x1xf32>,
                     %init: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = seq.dequantize %q, %s bits 8 : tensor<16x32768xi8>, tensor<16x1xf32> -> tensor<16x32768xf32>
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x32768xf32>, tensor<16x32768xf32>)
      outs(%init : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
