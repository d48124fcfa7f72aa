// RUN: seq-opt %s -seq-approximate-vector-math -split-input-file | FileCheck %s
// RUN: seq-opt %s -seq-approximate-vector-math=linalg-bodies=true -split-input-file | FileCheck %s --check-prefix=BODIES
// RUN: seq-opt %s -seq-approximate-vector-math -split-input-file | FileCheck %s --check-prefix=PLAIN
// RUN: seq-opt %s -seq-approximate-vector-math=avx512=true -split-input-file | FileCheck %s --check-prefix=AVX512

// Math on vectors becomes vector arithmetic; scalar math stays for libm.
// CHECK-LABEL: func.func @f
// CHECK-NOT: math.exp {{.*}} : vector<8xf32>
// CHECK-NOT: math.tanh {{.*}} : vector<8xf32>
// CHECK: arith.mulf {{.*}} : vector<8xf32>
// CHECK: %[[S:.*]] = math.exp %{{.*}} : f32
// CHECK: return {{.*}}, %[[S]]
func.func @f(%v: vector<8xf32>, %s: f32) -> (vector<8xf32>, vector<8xf32>, f32) {
  %e = math.exp %v : vector<8xf32>
  %t = math.tanh %v : vector<8xf32>
  %x = math.exp %s : f32
  return %e, %t, %x : vector<8xf32>, vector<8xf32>, f32
}

// -----

// With linalg-bodies, the scalar exp family in a linalg body is
// approximated too (LLVM can then vectorize the loop); sin and cos keep
// libm, as does scalar math outside linalg.
// BODIES-LABEL: func.func @g
// BODIES: linalg.generic
// BODIES-NOT: math.exp
// BODIES-NOT: math.tanh
// BODIES-NOT: math.log1p
// BODIES: math.sin %{{.*}} : f32
// BODIES: linalg.yield
// BODIES: math.exp %{{.*}} : f32
// PLAIN-LABEL: func.func @g
// PLAIN: math.exp %{{.*}} : f32
// PLAIN: math.tanh %{{.*}} : f32
// PLAIN: math.log1p %{{.*}} : f32
func.func @g(%x: memref<?xf32>, %y: memref<?xf32>, %s: f32) -> f32 {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]}
      ins(%x : memref<?xf32>) outs(%y : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %e = math.exp %a : f32
    %t = math.tanh %e : f32
    %l = math.log1p %t : f32
    %s2 = math.sin %l : f32
    linalg.yield %s2 : f32
  }
  %r = math.exp %s : f32
  return %r : f32
}

// -----

// With avx512, exp on vector<16xf32> ends in vscalefps (a polynomial in
// r = x - n ln 2, scaled by 2^n). Other widths, and every width without
// avx512, round n by adding 1.5 * 2^23 + 126 (0x4B40007E) and shift its
// bits into the exponent: no floor, no float-to-int conversion.
// AVX512-LABEL: func.func @exp16
// AVX512: math.roundeven {{.*}} : vector<16xf32>
// AVX512: math.fma {{.*}} : vector<16xf32>
// AVX512: x86vector.avx512.mask.scalef {{.*}} : vector<16xf32>
// AVX512-NOT: x86vector.avx512.mask.scalef
// AVX512: arith.shli {{.*}} : vector<8xi32>
// AVX512: return
// PLAIN-LABEL: func.func @exp16
// PLAIN-NOT: math.floor
// PLAIN-NOT: arith.fptosi
// PLAIN-NOT: x86vector
// PLAIN: %[[T16:.*]] = math.fma %{{.*}}, %{{.*}}, %[[SHIFT16:.*]] : vector<16xf32>
// PLAIN: arith.subf %[[T16]], %[[SHIFT16]] : vector<16xf32>
// PLAIN: %[[BITS16:.*]] = arith.bitcast %[[T16]] : vector<16xf32> to vector<16xi32>
// PLAIN: %[[POW16:.*]] = arith.shli %[[BITS16]], %{{.*}} : vector<16xi32>
// PLAIN: arith.bitcast %[[POW16]] : vector<16xi32> to vector<16xf32>
// PLAIN: %[[SHIFT8:.*]] = arith.constant dense<0x4B40007E> : vector<8xf32>
// PLAIN: %[[T8:.*]] = math.fma %{{.*}}, %{{.*}}, %[[SHIFT8]] : vector<8xf32>
// PLAIN: arith.shli {{.*}} : vector<8xi32>
// PLAIN-NOT: math.exp
// PLAIN-NOT: x86vector
// PLAIN: return
func.func @exp16(%v: vector<16xf32>, %w: vector<8xf32>)
    -> (vector<16xf32>, vector<8xf32>) {
  %e = math.exp %v : vector<16xf32>
  %f = math.exp %w : vector<8xf32>
  return %e, %f : vector<16xf32>, vector<8xf32>
}
