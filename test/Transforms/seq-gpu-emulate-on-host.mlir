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

func.func @private_memory(%n: index) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{only synchronous kernels without private attributions can run on the host}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             private(%p : memref<4xf32, #gpu.address_space<private>>) {
    gpu.terminator
  }
  return
}

// -----

// A barrier needs the block's threads in lockstep: whole warps.
func.func @barrier_one_thread(%n: index) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{a kernel whose threads exchange values or cooperate runs on the host only with one-dimensional blocks of a constant number of whole warps}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.barrier
    gpu.terminator
  }
  return
}

// -----

// Threads that cooperate as a block (a barrier, workgroup memory): a block
// per host iteration (the grid, and one lockstep group of all 64 threads),
// its lane values in [64] buffers, the workgroup buffer a host buffer of
// the iteration (no address space); the barrier is gone (each op runs for
// all 64 threads before the next: the stores before it are done before the
// loads after it); a branch around it asserts that the block agrees.
// CHECK-LABEL: func.func @block(
// CHECK: scf.parallel (%{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^)]*}}) = ({{.*}}) to (%{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %c1{{(_[0-9]+)?}})
// CHECK: memref.alloca_scope
// CHECK-DAG: %[[SHARED:.*]] = memref.alloca() : memref<2x64xf32>
// CHECK-DAG: memref.alloca() : memref<64xindex>
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64{{.*}} step
// CHECK: memref.store %{{.*}}, %[[SHARED]]
// CHECK: cf.assert {{.*}}, "a branch around a barrier or a lane exchange diverges within a block"
// CHECK: memref.load %[[SHARED]]
// CHECK-NOT: gpu.launch
// CHECK-NOT: gpu.barrier
// CHECK-NOT: #gpu.address_space
func.func @block(%out: memref<?xf32>, %n: index) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
             workgroup(%shared : memref<2x64xf32, #gpu.address_space<workgroup>>) {
    %x = arith.index_cast %tx : index to i32
    %f = arith.sitofp %x : i32 to f32
    %c0 = arith.constant 0 : index
    memref.store %f, %shared[%c0, %tx] : memref<2x64xf32, #gpu.address_space<workgroup>>
    %c63 = arith.constant 63 : index
    %mirror = arith.subi %c63, %tx : index
    %inside = arith.cmpi ult, %bx, %n : index
    scf.if %inside {
      gpu.barrier
    }
    %v = memref.load %shared[%c0, %mirror] : memref<2x64xf32, #gpu.address_space<workgroup>>
    %base = arith.muli %bx, %sx : index
    %i = arith.addi %base, %tx : index
    memref.store %v, %out[%i] : memref<?xf32>
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

// -----

// Lanes that exchange values: a warp per host iteration (grid x, y, z and
// the block's 64 / 32 warps), its lane values in [32] buffers that live for
// the iteration, each op run for the 32 lanes in turn; a shuffle reads the
// partner lane's buffer; mma.sync unpacks A, B and C from the lanes into
// tiles, multiplies, and packs D; a branch around an exchange asserts that
// the warp agrees.
// CHECK-LABEL: func.func @warp(
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: scf.parallel (%{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %[[W:[^)]*]]) = ({{.*}}) to (%{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %[[C2]])
// CHECK: memref.alloca_scope
// CHECK-DAG: memref.alloca() : memref<32xindex>
// CHECK-DAG: memref.alloca() : memref<16x16xf32>
// CHECK-DAG: memref.alloca() : memref<32xvector<2x2xf32>>
// CHECK: scf.for %[[LANE:.*]] = %{{.*}} to %c32{{.*}} step
// CHECK: arith.xori
// CHECK: cf.assert {{.*}}, "a branch around a lane exchange diverges within a warp"
// CHECK: scf.if
// CHECK: vector.extract {{.*}}[3, 1] : f16 from vector<4x2xf16>
// CHECK: arith.mulf
// CHECK: vector.insert {{.*}} [1, 1] : f32 into vector<2x2xf32>
// CHECK-NOT: gpu.launch
// CHECK-NOT: gpu.shuffle
// CHECK-NOT: nvgpu.mma.sync
func.func @warp(%out: memref<?xf32>, %frags: memref<?xvector<2x2xf32>>,
                %a: vector<4x2xf16>, %b: vector<2x2xf16>, %n: index) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %sx : index
    %i = arith.addi %base, %tx : index
    %x = arith.index_cast %i : index to i32
    %f = arith.sitofp %x : i32 to f32
    %one = arith.constant 1 : i32
    %width = arith.constant 32 : i32
    %s, %valid = gpu.shuffle xor %f, %one, %width : f32
    memref.store %s, %out[%i] : memref<?xf32>
    %limit = arith.cmpi ult, %i, %n : index
    scf.if %limit {
      %c = arith.constant dense<1.0> : vector<2x2xf32>
      %d = nvgpu.mma.sync (%a, %b, %c) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
      memref.store %d, %frags[%i] : memref<?xvector<2x2xf32>>
    }
    gpu.terminator
  }
  return
}

// -----

func.func @not_whole_warps(%n: index, %v: f32) {
  %c1 = arith.constant 1 : index
  %c48 = arith.constant 48 : index
  // expected-error @+1 {{a kernel whose threads exchange values or cooperate runs on the host only with one-dimensional blocks of a constant number of whole warps}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c48, %sy = %c1, %sz = %c1) {
    %one = arith.constant 1 : i32
    %width = arith.constant 32 : i32
    %s, %valid = gpu.shuffle xor %v, %one, %width : f32
    gpu.terminator
  }
  return
}

// -----

func.func @shuffle_down(%n: index, %v: f32) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %one = arith.constant 1 : i32
    %width = arith.constant 32 : i32
    // expected-error @+1 {{cannot run this kernel on the host: a shuffle other than xor, idx or up}}
    %s, %valid = gpu.shuffle down %v, %one, %width : f32
    gpu.terminator
  }
  return
}

// -----

func.func @lane_id(%n: index, %v: f32, %out: memref<?xi32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %one = arith.constant 1 : i32
    %width = arith.constant 32 : i32
    %s, %valid = gpu.shuffle xor %v, %one, %width : f32
    // expected-error @+1 {{cannot run this kernel on the host: a GPU operation other than gpu.shuffle}}
    %lane = gpu.lane_id
    gpu.terminator
  }
  return
}

// -----

func.func @mma_k8(%n: index, %a: vector<2x2xf16>, %b: vector<1x2xf16>,
                  %c: vector<2x2xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    // expected-error @+1 {{cannot run this kernel on the host: an mma.sync other than m16n8k16 with an f32 accumulator}}
    %d = nvgpu.mma.sync (%a, %b, %c) {mmaShape = [16, 8, 8]} : (vector<2x2xf16>, vector<1x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
    gpu.terminator
  }
  return
}

// -----

// A lane value must fit in a [width] buffer of scalars or vectors.
func.func @memref_lane_value(%n: index, %v: f32, %m: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %one = arith.constant 1 : i32
    %width = arith.constant 32 : i32
    %s, %valid = gpu.shuffle xor %v, %one, %width : f32
    // expected-error @+1 {{cannot run this kernel on the host: a lane value of type memref<4xf32, strided<[1], offset: ?>>}}
    %view = memref.subview %m[%tx] [4] [1] : memref<?xf32> to memref<4xf32, strided<[1], offset: ?>>
    gpu.terminator
  }
  return
}
