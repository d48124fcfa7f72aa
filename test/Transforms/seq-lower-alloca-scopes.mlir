// RUN: seq-opt %s -seq-lower-alloca-scopes | FileCheck %s

// A scope with a stack buffer saves and restores the stack pointer around
// its body, loops and all.
// CHECK-LABEL: func.func @stack
// CHECK: scf.for
// CHECK-NEXT: %[[SP:.*]] = llvm.intr.stacksave : !llvm.ptr
// CHECK-NEXT: memref.alloca() : memref<64xf32>
// CHECK: scf.for
// CHECK: llvm.intr.stackrestore %[[SP]] : !llvm.ptr
// CHECK-NOT: memref.alloca_scope
func.func @stack(%n: index, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    memref.alloca_scope {
      %buf = memref.alloca() : memref<64xf32>
      scf.for %j = %c0 to %n step %c1 {
        %x = memref.load %out[%j] : memref<?xf32>
        memref.store %x, %buf[%c0] : memref<64xf32>
      }
    }
  }
  return
}

// A scope whose stack buffers are all in a nested scope is just inlined.
// CHECK-LABEL: func.func @nested
// CHECK-NOT: memref.alloca_scope
// CHECK: %[[SP:.*]] = llvm.intr.stacksave
// CHECK-NEXT: memref.alloca
// CHECK-NEXT: llvm.intr.stackrestore %[[SP]]
// CHECK-NOT: llvm.intr.stacksave
// CHECK: return
func.func @nested() {
  memref.alloca_scope {
    memref.alloca_scope {
      %buf = memref.alloca() : memref<4xf32>
    }
  }
  return
}

// A loop body is a scope too: its stack buffer is freed at the end of each
// iteration (convert-scf-to-cf alone would leave an alloca that grows the
// stack every iteration).
// CHECK-LABEL: func.func @loop_body
// CHECK: scf.for
// CHECK-NEXT: %[[SP:.*]] = llvm.intr.stacksave : !llvm.ptr
// CHECK-NEXT: scf.if
// CHECK-NEXT: memref.alloca() : memref<4096xf32>
// CHECK: llvm.intr.stackrestore %[[SP]] : !llvm.ptr
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @loop_body(%n: index, %c: i1, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    scf.if %c {
      %buf = memref.alloca() : memref<4096xf32>
      %x = memref.load %out[%i] : memref<?xf32>
      memref.store %x, %buf[%c0] : memref<4096xf32>
    }
  }
  return
}

// A loop that carries a heap buffer from one iteration to the next (a
// recurrence's state) still frees its stack buffers.
// CHECK-LABEL: func.func @carries_heap_buffer
// CHECK: scf.for {{.*}} iter_args
// CHECK-NEXT: llvm.intr.stacksave
// CHECK-NEXT: memref.alloca() : memref<16xf32>
// CHECK-NEXT: memref.alloc() : memref<2xf32>
// CHECK-NEXT: llvm.intr.stackrestore
// CHECK-NEXT: scf.yield
func.func @carries_heap_buffer(%n: index, %m: memref<2xf32>) -> memref<2xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %m) -> memref<2xf32> {
    %buf = memref.alloca() : memref<16xf32>
    %next = memref.alloc() : memref<2xf32>
    scf.yield %next : memref<2xf32>
  }
  return %r : memref<2xf32>
}

// A loop whose buffers are all in a nested scope or loop is left as it is;
// so is one that passes on a memref that may be a stack buffer.
// CHECK-LABEL: func.func @left_alone
// CHECK: scf.for
// CHECK-NEXT: scf.for
// CHECK-NEXT: llvm.intr.stacksave
// CHECK-NEXT: memref.alloca() : memref<8xf32>
// CHECK: scf.for {{.*}} iter_args
// CHECK-NEXT: memref.alloca() : memref<4xf32>
// CHECK-NOT: llvm.intr.stackrestore
// CHECK: scf.yield
// CHECK-NOT: llvm.intr.stacksave
// CHECK: return
func.func @left_alone(%n: index, %m: memref<2xf32, strided<[1], offset: ?>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      %buf = memref.alloca() : memref<8xf32>
    }
  }
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %m) -> memref<2xf32, strided<[1], offset: ?>> {
    %buf = memref.alloca() : memref<4xf32>
    %view = memref.subview %buf[1] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1], offset: 1>>
    %cast = memref.cast %view : memref<2xf32, strided<[1], offset: 1>> to memref<2xf32, strided<[1], offset: ?>>
    scf.yield %cast : memref<2xf32, strided<[1], offset: ?>>
  }
  return
}
