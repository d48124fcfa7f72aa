// RUN: seq-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(seq-return-donated-in-place))" | FileCheck %s

// A donated state piece is returned as itself (the caller owns it and the
// runtime neither copies nor frees it), through a cast when the types
// differ; a clone of any other argument stays.
// CHECK-LABEL: func.func @step
// CHECK-SAME:    %[[X:.*]]: memref<4xf32>, %[[S:.*]]: memref<?x8xf32> {seqc.donated}, %[[T:.*]]: memref<2x8xf32> {seqc.donated}
// CHECK-NOT:     bufferization.clone %[[S]]
// CHECK-NOT:     bufferization.clone %[[T]]
// CHECK:         %[[C:.*]] = bufferization.clone %[[X]]
// CHECK:         %[[CAST:.*]] = memref.cast %[[T]] : memref<2x8xf32> to memref<?x8xf32>
// CHECK:         return %[[C]], %[[S]], %[[CAST]]
func.func @step(%x: memref<4xf32>, %s: memref<?x8xf32> {seqc.donated},
                %t: memref<2x8xf32> {seqc.donated})
    -> (memref<4xf32>, memref<?x8xf32>, memref<?x8xf32>) {
  %c = bufferization.clone %x : memref<4xf32> to memref<4xf32>
  %cs = bufferization.clone %s : memref<?x8xf32> to memref<?x8xf32>
  %cast = memref.cast %t : memref<2x8xf32> to memref<?x8xf32>
  %ct = bufferization.clone %cast : memref<?x8xf32> to memref<?x8xf32>
  return %c, %cs, %ct : memref<4xf32>, memref<?x8xf32>, memref<?x8xf32>
}

// -----

// Without seqc.donated the clone is what the caller owns: kept.
// CHECK-LABEL: func.func @plain
// CHECK: %[[C:.*]] = bufferization.clone
// CHECK: return %[[C]]
func.func @plain(%s: memref<8xf32>) -> memref<8xf32> {
  %c = bufferization.clone %s : memref<8xf32> to memref<8xf32>
  return %c : memref<8xf32>
}
