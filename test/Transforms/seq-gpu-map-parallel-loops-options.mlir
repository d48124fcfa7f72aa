// RUN: not seq-opt %s -pass-pipeline='builtin.module(func.func(seq-gpu-map-parallel-loops{block-size=100}))' 2>&1 | FileCheck %s
// RUN: not seq-opt %s -pass-pipeline='builtin.module(func.func(seq-gpu-map-parallel-loops{block-size=2048}))' 2>&1 | FileCheck %s
// CHECK: error: block-size must be a multiple of 32 in [32, 1024], got {{100|2048}}
func.func @f() {
  return
}
