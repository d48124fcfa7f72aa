// RUN: seq-opt %s -seq-lower-int8-dot | FileCheck %s

// CHECK-LABEL: func.func @dot
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK-NOT: seq.int8_dot
func.func @dot(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %r = seq.int8_dot %acc, %a, %b : vector<64xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}
