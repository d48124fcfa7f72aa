// RUN: seq-opt %s -split-input-file -verify-diagnostics \
// RUN:   -pass-pipeline='builtin.module(func.func(seq-gpu-emulate-on-host))' | FileCheck %s

// A launch becomes a parallel loop over blocks and threads with its body;
// GPU buffers and copies become host ones; waits go.
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[A:[^:]*]]: memref<?xf32>, %[[N:[^:]*]]: index
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[D:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.copy %[[A]], %[[D]]
// CHECK: scf.parallel (%[[BX:[^,]*]], %{{[^,]*}}, %{{[^,]*}}, %[[TX:[^,]*]], %{{[^,]*}}, %{{[^)]*}}) = ({{.*}}) to (%[[N]], %{{[^,]*}}, %{{[^,]*}}, %[[C64]], %{{[^,]*}}, %{{[^)]*}}) step
// CHECK:   %[[B:.*]] = arith.muli %[[BX]], %[[C64]]
// CHECK:   %[[I:.*]] = arith.addi %[[B]], %[[TX]]
// CHECK:   memref.store %{{.*}}, %[[D]][%[[I]]]
// CHECK: memref.copy %[[D]], %[[A]]
// CHECK: memref.dealloc %[[D]]
// CHECK-NOT: gpu.
func.func @f(%a: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %f = arith.constant 2.0 : f32
  %len = memref.dim %a, %c0 : memref<?xf32>
  %d = gpu.alloc (%len) : memref<?xf32>
  gpu.memcpy %d, %a : memref<?xf32>, memref<?xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %sx : index
    %i = arith.addi %base, %tx : index
    memref.store %f, %d[%i] : memref<?xf32>
    gpu.terminator
  }
  gpu.memcpy %a, %d : memref<?xf32>, memref<?xf32>
  gpu.dealloc %d : memref<?xf32>
  gpu.wait
  return
}

// -----

func.func @barrier(%n: index) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{only synchronous kernels without barriers or attributions can run on the host}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.barrier
    gpu.terminator
  }
  return
}

// -----

func.func @async(%n: index) {
  // expected-error @+1 {{asynchronous GPU operations cannot run on the host}}
  %t = gpu.wait async
  %m, %t2 = gpu.alloc async [%t] (%n) : memref<?xf32>
  return
}
