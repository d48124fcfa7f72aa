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
