// RUN: seq-opt %s -split-input-file -verify-diagnostics \
// RUN:   -seq-gpu-device-buffers | FileCheck %s

// An entry point takes its arguments and returns its results in GPU memory
// (the runtime copies a host caller's): the kernel reads the argument in
// place; buffers the kernel uses are GPU buffers (an alloca's is freed at
// the end of its block, a constant is copied); the result is returned as
// it is. Host-only bookkeeping (buffer deallocation's ownership arrays)
// stays in host memory.
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[A:[^:]*]]: memref<?xf32>, %[[UNUSED:[^:]*]]: memref<4xf32>
// CHECK-NOT: gpu.memcpy
// CHECK:   %[[N:.*]] = memref.dim %[[A]]
// CHECK:   %[[R:.*]] = gpu.alloc  (%[[N]]) : memref<?xf32>
// CHECK:   %[[T:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK:   %[[G:.*]] = memref.get_global @table : memref<4xf32>
// CHECK:   %[[DG:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK:   gpu.memcpy  %[[DG]], %[[G]]
// CHECK:   %[[BOOK:.*]] = memref.alloc() : memref<2xindex>
// CHECK:   memref.store %{{.*}}, %[[BOOK]]
// CHECK:   gpu.launch
// CHECK:     memref.load %[[A]]
// CHECK:     memref.load %[[DG]]
// CHECK:     memref.store %{{.*}}, %[[T]]
// CHECK:     memref.store %{{.*}}, %[[R]]
// CHECK:   memref.dealloc %[[BOOK]] : memref<2xindex>
// CHECK:   gpu.dealloc  %[[T]]
// CHECK:   gpu.dealloc  %[[DG]]
// CHECK-NOT: gpu.memcpy
// CHECK:   return %[[R]] : memref<?xf32>
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @f(%a: memref<?xf32>, %unused: memref<4xf32>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  %r = memref.alloc(%n) : memref<?xf32>
  %t = memref.alloca() : memref<4xf32>
  %g = memref.get_global @table : memref<4xf32>
  %book = memref.alloc() : memref<2xindex>
  memref.store %c0, %book[%c0] : memref<2xindex>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<?xf32>
    %w = memref.load %g[%tx] : memref<4xf32>
    %s = arith.addf %v, %w : f32
    memref.store %s, %t[%tx] : memref<4xf32>
    memref.store %s, %r[%tx] : memref<?xf32>
    gpu.terminator
  }
  memref.dealloc %book : memref<2xindex>
  return %r : memref<?xf32>
}

// -----

// A private function with kernels (a model's block) takes and returns GPU
// buffers too, and its caller passes them on.
// CHECK-LABEL: func.func private @block(
// CHECK-SAME: %[[X:[^:]*]]: memref<4xf32>) -> memref<4xf32>
// CHECK-NOT: gpu.memcpy
// CHECK: %[[Y:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK: gpu.launch
// CHECK:   memref.load %[[X]]
// CHECK-NOT: gpu.memcpy
// CHECK: return %[[Y]] : memref<4xf32>
// CHECK-LABEL: func.func @caller(
// CHECK-SAME: %[[A:[^:]*]]: memref<4xf32>
// CHECK-NEXT: %[[R:.*]] = call @block(%[[A]])
// CHECK-NEXT: return %[[R]]
func.func private @block(%x: memref<4xf32>) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %y = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<4xf32>
    memref.store %v, %y[%tx] : memref<4xf32>
    gpu.terminator
  }
  return %y : memref<4xf32>
}
func.func @caller(%a: memref<4xf32>) -> memref<4xf32> {
  %r = call @block(%a) : (memref<4xf32>) -> memref<4xf32>
  return %r : memref<4xf32>
}

// -----

// A private function without kernels (buffer deallocation's helper) is
// host code and is left alone.
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT: gpu.
// CHECK: memref.store
func.func private @helper(%flags: memref<?xi1>) {
  %c0 = arith.constant 0 : index
  %true = arith.constant true
  memref.store %true, %flags[%c0] : memref<?xi1>
  return
}

// -----

func.func @host_read(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<4xf32>
    memref.store %v, %r[%tx] : memref<4xf32>
    gpu.terminator
  }
  // expected-error @+1 {{reads or writes a buffer outside a GPU kernel, which the CUDA target does not support yet}}
  %x = memref.load %r[%c0] : memref<4xf32>
  return %x : f32
}

// -----

// A host load from a buffer nothing writes, whose value only a kernel
// uses, moves into the kernel.
// CHECK-LABEL: func.func @scale(
// CHECK-SAME: %[[S:[^:]*]]: memref<2xf32>
// CHECK-NOT: memref.load
// CHECK: gpu.launch
// CHECK-NEXT: %[[V:.*]] = memref.load %[[S]][%{{.*}}] : memref<2xf32>
// CHECK: memref.store %[[V]]
func.func @scale(%s: memref<2xf32>) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %v = memref.load %s[%c1] : memref<2xf32>
  %r = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    memref.store %v, %r[%tx] : memref<4xf32>
    gpu.terminator
  }
  return %r : memref<4xf32>
}

// -----

// Host code of an entry point that needs an argument's value itself (a
// model's position, a loop bound) reads a host copy, freed at the return;
// the kernel still reads the GPU argument.
// CHECK-LABEL: func.func @position(
// CHECK-SAME: %[[P:[^:]*]]: memref<1xi64>
// CHECK-NEXT: %[[H:.*]] = memref.alloc() : memref<1xi64>
// CHECK-NEXT: gpu.memcpy  %[[H]], %[[P]]
// CHECK: %[[N:.*]] = memref.load %[[H]]
// CHECK: gpu.launch
// CHECK:   memref.load %[[P]]
// CHECK: memref.dealloc %[[H]]
// CHECK-NEXT: return
func.func @position(%p: memref<1xi64>) -> memref<4xi64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.load %p[%c0] : memref<1xi64>
  %count = arith.index_cast %n : i64 to index
  %r = memref.alloc() : memref<4xi64>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %count, %sy = %c1, %sz = %c1) {
    %v = memref.load %p[%c0] : memref<1xi64>
    memref.store %v, %r[%tx] : memref<4xi64>
    gpu.terminator
  }
  return %r : memref<4xi64>
}
