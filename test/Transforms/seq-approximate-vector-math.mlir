// RUN: seq-opt %s -seq-approximate-vector-math | FileCheck %s

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
