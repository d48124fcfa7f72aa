// RUN: seq-opt %s -split-input-file -verify-diagnostics \
// RUN:   -pass-pipeline='builtin.module(func.func(seq-gpu-map-parallel-loops{block-size=128}))' | FileCheck %s

// A 2-D loop with dynamic bounds and a non-unit step: one launch of
// ceil(m*n/128) blocks of 128 threads; each thread checks its linear index
// against m*n and splits it with the innermost dimension fastest.
// CHECK-LABEL: func.func @two_d(
// CHECK-SAME: %[[M:[^:]*]]: index, %[[N:[^:]*]]: index
// CHECK: %[[SPAN0:.*]] = arith.subi %[[M]], %{{.*}} : index
// CHECK: %[[CEIL0:.*]] = arith.ceildivsi %[[SPAN0]], %{{.*}} : index
// CHECK: %[[E0:.*]] = arith.maxsi %[[CEIL0]], %{{.*}} : index
// CHECK: %[[T0:.*]] = arith.muli %{{.*}}, %[[E0]] : index
// CHECK: %[[SPAN1:.*]] = arith.subi %[[N]], %{{.*}} : index
// CHECK: %[[CEIL1:.*]] = arith.ceildivsi %[[SPAN1]], %[[C2:.*]] : index
// CHECK: %[[E1:.*]] = arith.maxsi %[[CEIL1]], %{{.*}} : index
// CHECK: %[[TOTAL:.*]] = arith.muli %[[T0]], %[[E1]] : index
// CHECK: %[[BLOCKS:.*]] = arith.ceildivsi %[[TOTAL]], %[[C128:.*]] : index
// CHECK: %[[GRID:.*]] = arith.maxsi %[[BLOCKS]], %{{.*}} : index
// CHECK: gpu.launch blocks(%[[BX:[^,]*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GRID]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:[^,]*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]],
// CHECK:   %[[BASE:.*]] = arith.muli %[[BX]], %[[C128]]
// CHECK:   %[[LIN:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK:   %[[IN:.*]] = arith.cmpi ult, %[[LIN]], %[[TOTAL]]
// CHECK:   scf.if %[[IN]] {
// CHECK:     %[[J:.*]] = arith.remui %[[LIN]], %[[E1]]
// CHECK:     %[[I:.*]] = arith.divui %[[LIN]], %[[E1]]
// CHECK:     %[[JS:.*]] = arith.muli %[[J]], %[[C2]]
// CHECK:     %[[JV:.*]] = arith.addi %{{.*}}, %[[JS]]
// CHECK:     %[[IS:.*]] = arith.muli %[[I]], %{{.*}}
// CHECK:     %[[IV:.*]] = arith.addi %{{.*}}, %[[IS]]
// CHECK:     memref.store %{{.*}}, %{{.*}}[%[[IV]], %[[JV]]]
// CHECK:   }
// CHECK:   gpu.terminator
// CHECK-NOT: scf.parallel
func.func @two_d(%m: index, %n: index, %buf: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%m, %n) step (%c1, %c2) {
    memref.store %f, %buf[%i, %j] : memref<?x?xf32>
    scf.reduce
  }
  return
}

// -----

// A nested parallel loop and a reduction's scf.for stay inside the thread;
// the kernel's float arithmetic may be contracted into FMAs.
// CHECK-LABEL: func.func @nested(
// CHECK: gpu.launch
// CHECK:   scf.if
// CHECK:     scf.parallel
// CHECK:       scf.for
// CHECK:         arith.addf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK-NOT: gpu.launch
func.func @nested(%buf: memref<4x8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      scf.for %k = %c0 to %c16 step %c1 {
        %v = memref.load %buf[%i, %j, %k] : memref<4x8x16xf32>
        %w = arith.addf %v, %v : f32
        memref.store %w, %buf[%i, %j, %k] : memref<4x8x16xf32>
      }
      scf.reduce
    }
    scf.reduce
  }
  return
}

// -----

func.func @reduction(%buf: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{a parallel loop with reductions cannot be mapped to the GPU yet}}
  %sum = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
    %v = memref.load %buf[%i] : memref<8xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}

// -----

// A kernel whose threads cooperate: its own block size (256, not the
// option's 128) and its workgroup alloca as the launch's workgroup
// attribution, one buffer for the block.
// CHECK-LABEL: func.func @block_kernel
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c256{{(_[0-9]+)?}}, {{.*}}) workgroup(%[[SHARED:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT: memref.alloca
// CHECK: memref.store %{{.*}}, %[[SHARED]]
// CHECK: gpu.barrier
// CHECK: memref.load %[[SHARED]]
func.func @block_kernel(%out: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c255 = arith.constant 255 : index
  %c256 = arith.constant 256 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %shared = memref.alloca() : memref<256xf32, #gpu.address_space<workgroup>>
    %t = arith.remui %i, %c256 : index
    %x = arith.index_cast %t : index to i32
    %f = arith.sitofp %x : i32 to f32
    memref.store %f, %shared[%t] : memref<256xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %m = arith.subi %c255, %t : index
    %v = memref.load %shared[%m] : memref<256xf32, #gpu.address_space<workgroup>>
    memref.store %v, %out[%i] : memref<?xf32>
    scf.reduce
  } {seq.gpu_block_size = 256 : i64}
  return
}

// -----

func.func @dynamic_shared(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    // expected-error @+1 {{a block's shared buffer must have a static shape}}
    %shared = memref.alloca(%n) : memref<?xf32, #gpu.address_space<workgroup>>
    scf.reduce
  }
  return
}

// -----

func.func @nested_shared(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{a block's shared buffer (a workgroup alloca) must be at the top of the kernel's loop body}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %j = %c0 to %n step %c1 {
      %shared = memref.alloca() : memref<4xf32, #gpu.address_space<workgroup>>
    }
    scf.reduce
  }
  return
}
