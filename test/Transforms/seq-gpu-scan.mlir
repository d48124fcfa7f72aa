// RUN: seq-opt %s -seq-gpu-scan=emit-remarks=true -split-input-file -verify-diagnostics | FileCheck %s

// Composition of affine maps (non-commutative), with init, read in
// reverse. Nothing runs for an empty sequence; below 8192 rows a warp
// scans each row: every lane folds a whole chunk (steps past the end keep
// the fold), the folds are scanned over the lanes by shuffles up (the
// fold from below on the combiner's left), each lane's prefix is the fold
// below it after init, and the lane rescans its chunk from it, storing
// the steps in range. From 8192 rows on a thread scans each row, with no
// shuffle.
// CHECK-LABEL: func.func @affine
// CHECK: %[[A:.*]] = memref.alloc({{.*}}) : memref<?x?xf32>
// CHECK: %[[B:.*]] = memref.alloc({{.*}}) : memref<?x?xf32>
// CHECK: arith.cmpi ugt, %{{.*}}, %c0{{[_0-9]*}}
// CHECK: scf.if
// CHECK: arith.cmpi ult, %{{.*}}, %c8192{{[_0-9]*}}
// CHECK: scf.if
// CHECK: arith.ceildivui %{{.*}}, %c32{{[_0-9]*}}
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} -> (f32, f32)
// CHECK: arith.select
// CHECK: scf.yield
// CHECK: %[[LOWER_A:.*]], %{{.*}} = gpu.shuffle  up %{{.*}}, %c1_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK: %[[LOWER_B:.*]], %{{.*}} = gpu.shuffle  up %{{.*}}, %c1_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK: arith.mulf %{{.*}}, %[[LOWER_A]]
// CHECK: gpu.shuffle  up %{{.*}}, %c2_i32{{[_0-9]*}}
// CHECK: gpu.shuffle  up %{{.*}}, %c4_i32{{[_0-9]*}}
// CHECK: gpu.shuffle  up %{{.*}}, %c8_i32{{[_0-9]*}}
// CHECK: gpu.shuffle  up %{{.*}}, %c16_i32{{[_0-9]*}}
// CHECK: gpu.shuffle  up %{{.*}}, %c1_i32{{[_0-9]*}}
// CHECK: gpu.shuffle  up %{{.*}}, %c1_i32{{[_0-9]*}}
// CHECK: scf.for {{.*}} -> (f32, f32, i1)
// CHECK: scf.if
// CHECK: memref.store {{.*}}, %[[A]]
// CHECK: memref.store {{.*}}, %[[B]]
// CHECK: } else {
// CHECK: scf.parallel
// CHECK-NOT: gpu.shuffle
// CHECK: scf.for {{.*}} -> (f32, f32, i1)
// CHECK-NOT: seq.scan
func.func @affine(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %a0: tensor<?xf32>, %b0: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %A, %B = seq.scan dim = 1 ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) init(%a0, %b0 : tensor<?xf32>, tensor<?xf32>) {reverse}
      -> tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%x0: f32, %y0: f32, %x1: f32, %y1: f32):
    %a2 = arith.mulf %x1, %x0 : f32
    %t = arith.mulf %x1, %y0 : f32
    %b2 = arith.addf %t, %y1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  return %A, %B : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// f16 is shuffled as f32 (widened and rounded back, exactly).
// CHECK-LABEL: func.func @max_f16
// CHECK: %[[WIDE:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: %[[UP:.*]], %{{.*}} = gpu.shuffle  up %[[WIDE]], %c1_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK: arith.truncf %[[UP]] : f32 to f16
func.func @max_f16(%x: tensor<4x?xf16>) -> tensor<4x?xf16> {
  %r = seq.scan dim = 1 ins(%x : tensor<4x?xf16>) -> tensor<4x?xf16> {
  ^bb0(%a: f16, %b: f16):
    %m = arith.maximumf %a, %b : f16
    seq.yield %m : f16
  }
  return %r : tensor<4x?xf16>
}

// -----

// CHECK-LABEL: func.func @f64
// CHECK: seq.scan
func.func @f64(%x: tensor<?xf64>) -> tensor<?xf64> {
  // expected-remark @+1 {{left for the reference lowering: an element type other than f32, f16, bf16 or i32}}
  %r = seq.scan dim = 0 ins(%x : tensor<?xf64>) -> tensor<?xf64> {
  ^bb0(%a: f64, %b: f64):
    %s = arith.addf %a, %b : f64
    seq.yield %s : f64
  }
  return %r : tensor<?xf64>
}
