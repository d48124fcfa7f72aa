// RUN: seq-opt %s -convert-seq-to-linalg -split-input-file | FileCheck %s

// int8 per channel: the stored value times its row's scale.
// CHECK-DAG: #[[Q8:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[S8:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @int8_per_channel
// CHECK: linalg.generic {indexing_maps = [#[[Q8]], #[[S8]], #[[Q8]]], iterator_types = ["parallel", "parallel"]}
// CHECK:   arith.sitofp %{{.*}} : i8 to f32
// CHECK:   arith.mulf
// CHECK-NOT: seq.dequantize
func.func @int8_per_channel(%q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<4x8xf32> {
  %w = seq.dequantize %q, %s bits 8 : tensor<4x8xi8>, tensor<4x1xf32> -> tensor<4x8xf32>
  return %w : tensor<4x8xf32>
}

// -----

// int4 in groups of 8: byte (k floordiv 8) * 4 + k mod 4, the high nibble
// for the second half of a group.
// CHECK-DAG: #[[Q4:.*]] = affine_map<(d0, d1) -> (d0, (d1 floordiv 8) * 4 + d1 mod 4)>
// CHECK-DAG: #[[S4:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 8)>
// CHECK-LABEL: func.func @int4_groups
// CHECK: linalg.generic {indexing_maps = [#[[Q4]], #[[S4]], #{{.*}}]
// CHECK:   arith.shli
// CHECK:   arith.shrsi
// CHECK:   arith.shrsi
// CHECK:   linalg.index 1
// CHECK:   arith.cmpi uge
// CHECK:   arith.select
// CHECK:   arith.sitofp
func.func @int4_groups(%q: tensor<4x8xi8>, %s: tensor<4x2xf32>) -> tensor<4x16xf32> {
  %w = seq.dequantize %q, %s bits 4 : tensor<4x8xi8>, tensor<4x2xf32> -> tensor<4x16xf32>
  return %w : tensor<4x16xf32>
}

// -----

// fake_quantize: max |x| per token, then scale, round half to even, clamp
// to [-127, 127] and rescale.
// CHECK-LABEL: func.func @fake_quantize
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:   math.absf
// CHECK:   arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:   arith.divf
// CHECK:   arith.select
// CHECK:   math.roundeven
// CHECK:   arith.maximumf
// CHECK:   arith.minimumf
// CHECK:   arith.mulf
func.func @fake_quantize(%x: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %y = seq.fake_quantize %x : tensor<?x?x64xf32>
  return %y : tensor<?x?x64xf32>
}

// -----

// LLM.int8(): the largest magnitude of each column over every token first;
// the columns at or above the threshold are left out of the token scales
// and pass through.
// CHECK-LABEL: func.func @fake_quantize_outliers
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction", "parallel"]
// CHECK:   math.absf
// CHECK:   arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:   arith.cmpf oge, %{{.*}}, %{{.*}} : f32
// CHECK:   arith.select
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:   math.roundeven
// CHECK:   arith.cmpf oge
// CHECK:   arith.select
func.func @fake_quantize_outliers(%x: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %y = seq.fake_quantize %x outliers 6.0 : tensor<?x?x64xf32>
  return %y : tensor<?x?x64xf32>
}

// -----

// A static scale: read once, then one elementwise generic, no reduction.
// CHECK-LABEL: func.func @fake_quantize_static
// CHECK-NOT: reduction
// CHECK: %[[S:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:   arith.divf %{{.*}}, %[[S]] : f32
// CHECK:   math.roundeven
// CHECK:   arith.maximumf
// CHECK:   arith.minimumf
// CHECK:   arith.mulf %{{.*}}, %[[S]] : f32
// CHECK-NOT: linalg.generic
func.func @fake_quantize_static(%x: tensor<?x?x64xf32>, %s: tensor<f32>) -> tensor<?x?x64xf32> {
  %y = seq.fake_quantize %x scale %s : tensor<?x?x64xf32>, tensor<f32>
  return %y : tensor<?x?x64xf32>
}

// -----

// bf16: bytes 2k and 2k + 1 (low, high) joined into the bf16's bits, then
// widened.
// CHECK-DAG: #[[LO:.*]] = affine_map<(d0, d1) -> (d0, d1 * 2)>
// CHECK-DAG: #[[HI:.*]] = affine_map<(d0, d1) -> (d0, d1 * 2 + 1)>
// CHECK-LABEL: func.func @dequantize_bf16
// CHECK: linalg.generic {indexing_maps = [#[[LO]], #[[HI]], #{{.*}}]
// CHECK:   arith.extui %{{.*}} : i8 to i16
// CHECK:   arith.shli
// CHECK:   arith.ori
// CHECK:   arith.bitcast %{{.*}} : i16 to bf16
// CHECK:   arith.extf %{{.*}} : bf16 to f32
func.func @dequantize_bf16(%q: tensor<4x32xi8>) -> tensor<4x16xf32> {
  %w = seq.dequantize %q bits 16 : tensor<4x32xi8> -> tensor<4x16xf32>
  return %w : tensor<4x16xf32>
}

// -----

// Asymmetric: the zero point read through the scale's map, subtracted
// before the scale.
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 8)>
// CHECK-LABEL: func.func @dequantize_asymmetric
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[S]], #[[S]], #{{.*}}]
// CHECK:   %[[Q:.*]] = arith.sitofp %{{.*}} : i8 to f32
// CHECK:   %[[Z:.*]] = arith.sitofp %{{.*}} : i8 to f32
// CHECK:   %[[D:.*]] = arith.subf %[[Q]], %[[Z]] : f32
// CHECK:   arith.mulf %[[D]], %{{.*}} : f32
func.func @dequantize_asymmetric(%q: tensor<4x16xi8>, %s: tensor<4x2xf32>, %z: tensor<4x2xi8>) -> tensor<4x16xf32> {
  %w = seq.dequantize %q, %s zero %z bits 8 : tensor<4x16xi8>, tensor<4x2xf32>, tensor<4x2xi8> -> tensor<4x16xf32>
  return %w : tensor<4x16xf32>
}
