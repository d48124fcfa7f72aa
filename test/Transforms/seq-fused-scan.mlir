// RUN: seq-opt %s -seq-fused-scan="lanes=8 emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: not seq-opt %s -seq-fused-scan=lanes=12 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: seq-fused-scan: lanes must be 4, 8 or 16 (got 12)

// Along a middle dimension (composition of affine maps: non-commutative),
// with init, in reverse: nothing runs for an empty sequence; a task is a
// row and up to 512 columns of the last dimension, whose accumulators
// ([input][column]) start as init; at each step (read backwards) every
// vector of the task's columns loads its accumulators and x (masked past
// the last column), applies the combiner on vectors (accumulator on the
// left) and stores the result and the new accumulator.
// CHECK-LABEL: func.func @affine
// CHECK: %[[A:.*]] = memref.alloc({{.*}}) : memref<?x?x?xf32>
// CHECK: %[[B:.*]] = memref.alloc({{.*}}) : memref<?x?x?xf32>
// CHECK: arith.cmpi ugt
// CHECK: scf.if
// CHECK: arith.ceildivui %{{.*}}, %c512
// CHECK: scf.parallel
// CHECK: %[[ACC:.*]] = memref.alloc() : memref<2x512xf32>
// CHECK: scf.for
// CHECK: vector.create_mask
// CHECK: vector.maskedload
// CHECK: vector.store {{.*}}, %[[ACC]]
// CHECK: scf.for %[[S:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT: arith.subi %{{.*}}, %[[S]]
// CHECK: scf.for
// CHECK: vector.create_mask
// CHECK: %[[A0:.*]] = vector.load %[[ACC]]
// CHECK: %[[B0:.*]] = vector.load %[[ACC]]
// CHECK: %[[A1:.*]] = vector.maskedload
// CHECK: vector.maskedload
// CHECK: %[[PRODUCT:.*]] = arith.mulf %[[A1]], %[[A0]] : vector<8xf32>
// CHECK: arith.mulf %[[A1]], %[[B0]] : vector<8xf32>
// CHECK: vector.maskedstore %[[A]]{{.*}}, %[[PRODUCT]]
// CHECK: vector.store %[[PRODUCT]], %[[ACC]]
// CHECK: vector.maskedstore %[[B]]
// CHECK: vector.store {{.*}}, %[[ACC]]
// CHECK-NOT: seq.scan
func.func @affine(%a: tensor<?x?x?xf32>, %b: tensor<?x?x?xf32>, %a0: tensor<?x?xf32>, %b0: tensor<?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>) {
  %A, %B = seq.scan dim = 1 ins(%a, %b : tensor<?x?x?xf32>, tensor<?x?x?xf32>) init(%a0, %b0 : tensor<?x?xf32>, tensor<?x?xf32>) {reverse}
      -> tensor<?x?x?xf32>, tensor<?x?x?xf32> {
  ^bb0(%x0: f32, %y0: f32, %x1: f32, %y1: f32):
    %a2 = arith.mulf %x1, %x0 : f32
    %t = arith.mulf %x1, %y0 : f32
    %b2 = arith.addf %t, %y1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  return %A, %B : tensor<?x?x?xf32>, tensor<?x?x?xf32>
}

// -----

// Along the last dimension, exclusive: a task walks 4 rows in step,
// scalar (rows past the end redo the last one), storing the accumulator
// before each step; a constant of the combiner and a value from outside it
// stay scalars.
// CHECK-LABEL: func.func @last
// CHECK: arith.ceildivui %{{.*}}, %c4
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} iter_args(%[[R0:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32, f32, f32)
// CHECK-COUNT-4: memref.load
// CHECK: arith.maximumf %[[R0]], %{{.*}} : f32
// CHECK: memref.store %[[R0]]
func.func @last(%a: tensor<?x?xf32>, %i: tensor<?xf32>, %floor: f32) -> tensor<?x?xf32> {
  %A = seq.scan dim = 1 ins(%a : tensor<?x?xf32>) init(%i : tensor<?xf32>) {exclusive}
      -> tensor<?x?xf32> {
  ^bb0(%x0: f32, %x1: f32):
    %m = arith.maximumf %x0, %x1 : f32
    %c = arith.constant 2.0 : f32
    %f = arith.mulf %floor, %c : f32
    %r = arith.maximumf %m, %f : f32
    seq.yield %r : f32
  }
  return %A : tensor<?x?xf32>
}

// -----

// On vectors, a constant of the combiner becomes a splat and a value from
// outside it a broadcast.
// CHECK-LABEL: func.func @middle_outside
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: scf.for
// CHECK-DAG: arith.constant dense<2.000000e+00> : vector<8xf32>
// CHECK-DAG: vector.broadcast %{{.*}} : f32 to vector<8xf32>
func.func @middle_outside(%a: tensor<?x?x?xf32>, %floor: f32) -> tensor<?x?x?xf32> {
  %A = seq.scan dim = 1 ins(%a : tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  ^bb0(%x0: f32, %x1: f32):
    %c = arith.constant 2.0 : f32
    %s = arith.addf %x0, %x1 : f32
    %f = arith.mulf %floor, %c : f32
    %r = arith.maximumf %s, %f : f32
    seq.yield %r : f32
  }
  return %A : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @unsupported
// CHECK: seq.scan
// CHECK: seq.scan
func.func @unsupported(%x: tensor<?xf64>, %y: tensor<?xf32>) -> (tensor<?xf64>, tensor<?xf32>) {
  // expected-remark @+1 {{left for the reference lowering: an element type other than f32}}
  %r = seq.scan dim = 0 ins(%x : tensor<?xf64>) -> tensor<?xf64> {
  ^bb0(%a: f64, %b: f64):
    %s = arith.addf %a, %b : f64
    seq.yield %s : f64
  }
  // expected-remark @+1 {{left for the reference lowering: a combiner op that is not elementwise on f32 (or i1)}}
  %q = seq.scan dim = 0 ins(%y : tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%a: f32, %b: f32):
    %c = arith.cmpf olt, %a, %b : f32
    %s = scf.if %c -> f32 {
      scf.yield %a : f32
    } else {
      scf.yield %b : f32
    }
    seq.yield %s : f32
  }
  return %r, %q : tensor<?xf64>, tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @outside_i1
// CHECK: seq.scan
func.func @outside_i1(%y: tensor<?x?xf32>, %flag: i1) -> tensor<?x?xf32> {
  // expected-remark @+1 {{left for the reference lowering: a combiner that uses a non-f32 value from outside}}
  %q = seq.scan dim = 0 ins(%y : tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.select %flag, %a, %b : f32
    seq.yield %s : f32
  }
  return %q : tensor<?x?xf32>
}
