// RUN: seq-opt %s -seq-memref-copy-to-linalg | FileCheck %s --implicit-check-not=memref.copy

// CHECK-LABEL: func.func @copy
// CHECK-SAME: (%[[A:.*]]: memref<?xf32, strided<[?]>>, %[[B:.*]]: memref<?xf32>)
// CHECK: linalg.copy ins(%[[A]] : memref<?xf32, strided<[?]>>) outs(%[[B]] : memref<?xf32>)
func.func @copy(%a: memref<?xf32, strided<[?]>>, %b: memref<?xf32>) {
  memref.copy %a, %b : memref<?xf32, strided<[?]>> to memref<?xf32>
  return
}
