// RUN: seq-opt %s -seq-read-only-arguments | FileCheck %s

// CHECK-LABEL: func.func @f
// CHECK-SAME: (%{{.*}}: tensor<4xf32> {bufferization.writable = false}, %{{.*}}: index)
func.func @f(%a: tensor<4xf32>, %i: index) -> tensor<4xf32> {
  %c = arith.addf %a, %a : tensor<4xf32>
  return %c : tensor<4xf32>
}

// A declaration has no body to bufferize.
// CHECK: func.func private @g(tensor<4xf32>)
func.func private @g(tensor<4xf32>)
