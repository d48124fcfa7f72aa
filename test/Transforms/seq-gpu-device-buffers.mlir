// RUN: seq-opt %s -split-input-file -verify-diagnostics \
// RUN:   -seq-gpu-device-buffers | FileCheck %s

// Arguments the kernel reads are copied to the GPU; buffers the kernel
// uses are GPU buffers (an alloca's is freed at the end of its block, a
// constant is copied); the returned buffer is copied to a host buffer and
// freed with the argument copy. Host-only bookkeeping (buffer
// deallocation's ownership arrays) stays in host memory, and an unused
// argument is not copied.
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[A:[^:]*]]: memref<?xf32>, %[[UNUSED:[^:]*]]: memref<4xf32>
// CHECK:   %[[DIM:.*]] = memref.dim %[[A]], %{{.*}} : memref<?xf32>
// CHECK:   %[[DA:.*]] = gpu.alloc  (%[[DIM]]) : memref<?xf32>
// CHECK:   gpu.memcpy  %[[DA]], %[[A]] : memref<?xf32>, memref<?xf32>
// CHECK:   %[[N:.*]] = memref.dim %[[DA]]
// CHECK:   %[[R:.*]] = gpu.alloc  (%[[N]]) : memref<?xf32>
// CHECK:   %[[T:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK:   %[[G:.*]] = memref.get_global @table : memref<4xf32>
// CHECK:   %[[DG:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK:   gpu.memcpy  %[[DG]], %[[G]]
// CHECK:   %[[BOOK:.*]] = memref.alloc() : memref<2xindex>
// CHECK:   memref.store %{{.*}}, %[[BOOK]]
// CHECK:   gpu.launch
// CHECK:     memref.load %[[DA]]
// CHECK:     memref.load %[[DG]]
// CHECK:     memref.store %{{.*}}, %[[T]]
// CHECK:     memref.store %{{.*}}, %[[R]]
// CHECK:   memref.dealloc %[[BOOK]] : memref<2xindex>
// CHECK:   gpu.dealloc  %[[T]]
// CHECK:   gpu.dealloc  %[[DG]]
// CHECK:   %[[HOST:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:   gpu.memcpy  %[[HOST]], %[[R]]
// CHECK:   gpu.dealloc  %[[R]]
// CHECK:   gpu.dealloc  %[[DA]]
// CHECK:   return %[[HOST]] : memref<?xf32>
// CHECK-NOT: %[[UNUSED]]
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
// buffers: no copies of its own; its public caller copies the argument in
// and passes the GPU buffer.
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
// CHECK: %[[DA:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK: gpu.memcpy  %[[DA]], %[[A]]
// CHECK: %[[R:.*]] = call @block(%[[DA]])
// CHECK: %[[HOST:.*]] = memref.alloc() : memref<4xf32>
// CHECK: gpu.memcpy  %[[HOST]], %[[R]]
// CHECK: gpu.dealloc  %[[R]]
// CHECK: gpu.dealloc  %[[DA]]
// CHECK: return %[[HOST]]
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

// A function without kernels is host code and is left alone.
// CHECK-LABEL: func.func @helper(
// CHECK-NOT: gpu.
// CHECK: memref.store
func.func @helper(%flags: memref<?xi1>) {
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
// CHECK: %[[DS:.*]] = gpu.alloc  () : memref<2xf32>
// CHECK: gpu.memcpy  %[[DS]], %[[S]]
// CHECK-NOT: memref.load
// CHECK: gpu.launch
// CHECK-NEXT: %[[V:.*]] = memref.load %[[DS]][%{{.*}}] : memref<2xf32>
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

// expected-error @+1 {{argument 0 has a strided layout; the CUDA target copies only contiguous arguments}}
func.func @strided(%a: memref<4xf32, strided<[2]>>) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<4xf32, strided<[2]>>
    memref.store %v, %r[%tx] : memref<4xf32>
    gpu.terminator
  }
  return %r : memref<4xf32>
}
