// RUN: seq-opt %s -seq-parallel-linalg -split-input-file | FileCheck %s
// RUN: seq-opt %s -seq-parallel-linalg="min-elements=16 min-task-elements=4" -split-input-file | FileCheck %s --check-prefix=SMALL

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2) -> (d2)>

// Dynamic sizes: the op runs as tasks over its two leading loops (each a
// row of 768) when it has at least min-elements iterations, as it was
// otherwise. The broadcast weight is not split.
// CHECK-LABEL: func.func @elementwise
// The tasks' bounds, then the op's iterations, B x L x 768:
// CHECK: %[[TB:.*]] = memref.dim %arg0, %c0
// CHECK: %[[TL:.*]] = memref.dim %arg0, %c1
// CHECK: %[[B:.*]] = memref.dim %arg0, %c0
// CHECK: %[[L:.*]] = memref.dim %arg0, %c1
// CHECK: %[[N0:.*]] = arith.muli %{{.*}}, %[[B]]
// CHECK: %[[N1:.*]] = arith.muli %[[N0]], %[[L]]
// CHECK: %[[N:.*]] = arith.muli %[[N1]], %c768
// CHECK: %[[LARGE:.*]] = arith.cmpi uge, %[[N]], %c32768
// CHECK: scf.if %[[LARGE]] {
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%c0{{.*}}, %c0{{.*}}) to (%[[TB]], %[[TL]]) step (%c1{{.*}}, %c1{{.*}}) {
// CHECK: memref.subview %arg0[%[[I]], %[[J]], 0] [1, 1, 768] [1, 1, 1]
// CHECK-NOT: memref.subview %arg1
// CHECK: memref.subview %arg2[%[[I]], %[[J]], 0] [1, 1, 768] [1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %arg1 : memref<1x1x768xf32, strided<[?, 768, 1], offset: ?>>, memref<768xf32>)
// CHECK: } else {
// CHECK-NEXT: linalg.generic {{.*}} ins(%arg0, %arg1 : memref<?x?x768xf32>, memref<768xf32>) outs(%arg2 : memref<?x?x768xf32>)
func.func @elementwise(%x: memref<?x?x768xf32>, %w: memref<768xf32>,
                       %y: memref<?x?x768xf32>) {
  linalg.generic {indexing_maps = [#id3, #last, #id3],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %w : memref<?x?x768xf32>, memref<768xf32>)
      outs(%y : memref<?x?x768xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Static sizes: small ops stay as they are; large ones are split without
// a test. SMALL lowers both thresholds.
// CHECK-LABEL: func.func @static_sizes
// CHECK-NOT: scf.if
// CHECK: scf.parallel (%{{.*}}) = (%c0{{.*}}) to (%c256) step (%c1{{.*}})
// CHECK: linalg.fill {{.*}} outs(%{{.*}} : memref<1x512xf32, strided<[512, 1], offset: ?>>)
// CHECK: }
// CHECK-NEXT: linalg.fill {{.*}} outs(%arg1 : memref<4x8xf32>)
// SMALL-LABEL: func.func @static_sizes
// SMALL: scf.parallel (%{{.*}}) = (%c0{{.*}}) to (%c4) step (%c1{{.*}})
// SMALL: linalg.fill {{.*}} outs(%{{.*}} : memref<1x8xf32, strided<[8, 1], offset: ?>>)
func.func @static_sizes(%big: memref<256x512xf32>, %small: memref<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%big : memref<256x512xf32>)
  linalg.fill ins(%zero : f32) outs(%small : memref<4x8xf32>)
  return
}

// -----

// A reduction over the last loop: tasks over the rows. Inner loops of 64
// known iterations are not split further (min-task-elements = 256): a
// transpose to [B, 4, L, 64] splits over B and the 4 heads.
// CHECK-LABEL: func.func @row_sums
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) =
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-LABEL: func.func @transpose
// CHECK: scf.parallel (%[[B:.*]], %[[H:.*]]) =
// CHECK: memref.subview %arg0[%[[B]], 0, %[[H]], 0] [1, %{{.*}}, 1, 64]
// CHECK: memref.subview %arg1[%[[B]], %[[H]], 0, 0] [1, 1, %{{.*}}, 64]
// CHECK: linalg.transpose
func.func @row_sums(%x: memref<?x?x512xf32>, %s: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                                   affine_map<(d0, d1, d2) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<?x?x512xf32>) outs(%s : memref<?x?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sum = arith.addf %a, %acc : f32
    linalg.yield %sum : f32
  }
  return
}
func.func @transpose(%x: memref<?x?x4x64xf32>, %y: memref<?x4x?x64xf32>) {
  linalg.transpose ins(%x : memref<?x?x4x64xf32>)
      outs(%y : memref<?x4x?x64xf32>) permutation = [0, 2, 1, 3]
  return
}

// -----

// Left alone: an output that a leading loop does not index (tasks would
// write the same elements), and an op already inside a parallel loop.
// CHECK-LABEL: func.func @shared_output
// CHECK-NOT: scf.parallel
// CHECK: linalg.generic
// CHECK-LABEL: func.func @inside_parallel
// CHECK: scf.parallel
// CHECK-NOT: scf.parallel
// CHECK: linalg.fill
func.func @shared_output(%x: memref<?x1024xf32>, %y: memref<1024xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                   affine_map<(d0, d1) -> (d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x1024xf32>) outs(%y : memref<1024xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return
}
func.func @inside_parallel(%y: memref<8x512x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %row = memref.subview %y[%i, 0, 0] [1, 512, 512] [1, 1, 1]
        : memref<8x512x512xf32> to memref<512x512xf32, strided<[512, 1], offset: ?>>
    linalg.fill ins(%zero : f32) outs(%row : memref<512x512xf32, strided<[512, 1], offset: ?>>)
    scf.reduce
  }
  return
}
