// RUN: seq-opt %s -seq-gpu-recurrence=emit-remarks=true -split-input-file -verify-diagnostics | FileCheck %s

// Two heads of 32 LSTM units (f32): the input part of every step
// ([B, L, 4 * 64], a thread per element), the recurrent weights transposed
// to [gate][head][j][unit], then the persistent kernel: blocks of 256
// threads, 8 rows of one head each; h double-buffered in a workgroup
// buffer [2][8][32]; the weights (16 KiB) copied to a workgroup buffer
// before the first barrier; the step loop carries h and c, accumulates
// the four gates from the shared h and weights (starting from b_rec,
// loaded once), applies the cell, writes h_t to the other half and y, and
// waits at a barrier; the final states are stored after the loop.
// CHECK-LABEL: func.func @lstm
// CHECK: %[[BR:.*]] = bufferization.to_buffer %arg3
// CHECK: %[[XG:.*]] = memref.alloc({{.*}}) : memref<?x?x256xf32>
// CHECK: scf.parallel
// CHECK: memref.store {{.*}}, %[[XG]]
// CHECK: %[[WT:.*]] = memref.alloc() : memref<4x2x32x32xf32>
// CHECK: scf.parallel
// CHECK: memref.store {{.*}}, %[[WT]]
// CHECK: %[[Y:.*]] = memref.alloc({{.*}}) : memref<?x?x64xf32>
// CHECK: %[[H:.*]] = memref.alloc({{.*}}) : memref<?x64xf32>
// CHECK: %[[C:.*]] = memref.alloc({{.*}}) : memref<?x64xf32>
// CHECK: scf.parallel
// CHECK: %[[HS:.*]] = memref.alloca() : memref<2x8x32xf32, #gpu.address_space<workgroup>>
// CHECK: %[[WS:.*]] = memref.alloca() : memref<4x32x32xf32, #gpu.address_space<workgroup>>
// CHECK: scf.for
// CHECK: memref.load %[[WT]]
// CHECK: memref.store {{.*}}, %[[WS]]
// CHECK: memref.store {{.*}}, %[[HS]]
// CHECK: gpu.barrier
// CHECK-COUNT-4: memref.load %[[BR]]
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32)
// CHECK: memref.load %[[HS]]
// CHECK-COUNT-4: memref.load %[[WS]]
// CHECK: memref.load %[[XG]]
// CHECK: math.tanh
// CHECK: memref.store {{.*}}, %[[HS]]
// CHECK: memref.store {{.*}}, %[[Y]]
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK: memref.store {{.*}}, %[[H]]
// CHECK: memref.store {{.*}}, %[[C]]
// CHECK: } {seq.gpu_block_size = 256 : i64}
// CHECK-NOT: seq.recurrence
func.func @lstm(%x: tensor<?x?x16xf32>, %wi: tensor<256x16xf32>, %wr: tensor<4x2x32x32xf32>, %b: tensor<256xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x?x64xf32>) {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x16xf32>) w_in(%wi : tensor<256x16xf32>) w_rec(%wr : tensor<4x2x32x32xf32>) b_rec(%b : tensor<256xf32>) {reverse}
      -> tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x?x64xf32>
  return %h, %c, %y : tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x?x64xf32>
}

// -----

// A bf16 GRU head of 64 units: 3 * 64 * 64 f32 weights (48 KiB) do not
// fit in shared memory beside h, so the step reads them from the
// transposed buffer (through L1); h in shared memory ([2][4][64]);
// computed in f32, rounded once when stored.
// CHECK-LABEL: func.func @gru_bf16
// CHECK: %[[WT:.*]] = memref.alloc() : memref<3x1x64x64xf32>
// CHECK: scf.parallel
// CHECK: memref.alloca() : memref<2x4x64xf32, #gpu.address_space<workgroup>>
// CHECK-NOT: memref.alloca
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} -> (f32)
// CHECK: scf.for {{.*}} -> (f32, f32, f32)
// CHECK: memref.load %[[WT]]
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: gpu.barrier
func.func @gru_bf16(%x: tensor<?x?x8xbf16>, %wi: tensor<192x8xbf16>, %wr: tensor<3x1x64x64xbf16>) -> (tensor<?x64xbf16>, tensor<?x?x64xbf16>) {
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<?x?x8xbf16>) w_in(%wi : tensor<192x8xbf16>) w_rec(%wr : tensor<3x1x64x64xbf16>)
      -> tensor<?x64xbf16>, tensor<?x?x64xbf16>
  return %h, %y : tensor<?x64xbf16>, tensor<?x?x64xbf16>
}

// -----

// An LSTM with two heads of 600 units (bf16): 4 * 600 * 600 f32 weights a
// head, more than an L1 holds, so a kernel a step (a host loop) spreads
// each step over blocks of 4 warps that own 32 units of one head for 4
// batch rows. The states between steps are [2][2][B][1200] in f32 (h and
// c, two halves), set from the initial states first. A step's block copies
// its rows of h_{t-1} to shared memory, each warp sums a quarter of the
// head's inputs (152, 4 at a time: 4 rows x 4 gates in registers) and
// stores the sums to shared memory; after a barrier a thread per (row,
// unit) adds the four warps' sums to b_rec, takes the input part, applies
// the cell and writes both states and y. The final states are copied out
// after the loop.
// CHECK-LABEL: func.func @lstm_steps
// CHECK: %[[BR:.*]] = bufferization.to_buffer %arg3
// CHECK: %[[WINT:.*]] = memref.alloc({{.*}}) : memref<?x4800xf32>
// CHECK: scf.parallel
// CHECK: memref.store {{.*}}, %[[WINT]]
// CHECK: %[[XG:.*]] = memref.alloc({{.*}}) : memref<?x?x4800xf32>
// CHECK: scf.parallel
// The input projection: four steps a thread, a weight load for all four.
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32)
// CHECK: memref.load %[[WINT]]
// CHECK-COUNT-4: memref.store {{.*}}, %[[XG]]
// CHECK: %[[WT:.*]] = memref.alloc() : memref<4x2x600x600xf32>
// CHECK: %[[Y:.*]] = memref.alloc({{.*}}) : memref<?x?x1200xbf16>
// CHECK: %[[S:.*]] = memref.alloc({{.*}}) : memref<2x2x?x1200xf32>
// CHECK: scf.parallel
// CHECK: memref.store {{.*}}, %[[S]]
// CHECK: scf.for
// CHECK-NEXT: arith.subi
// CHECK: scf.parallel
// CHECK: %[[HT:.*]] = memref.alloca() : memref<4x600xf32, #gpu.address_space<workgroup>>
// CHECK: %[[P:.*]] = memref.alloca() : memref<4x16x32xf32, #gpu.address_space<workgroup>>
// CHECK: memref.load %[[S]]
// CHECK: memref.store {{.*}}, %[[HT]]
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} to %c152{{.*}} step %c4{{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-COUNT-4: memref.load %[[WT]]
// CHECK-COUNT-4: memref.load %[[HT]]
// CHECK: scf.yield
// CHECK-COUNT-16: memref.store {{.*}}, %[[P]]
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: memref.load %[[BR]]
// CHECK-COUNT-4: memref.load %[[P]]
// CHECK: memref.load %[[XG]]
// CHECK: math.tanh
// CHECK: memref.store {{.*}}, %[[S]]
// CHECK: memref.store {{.*}}, %[[S]]
// CHECK: memref.store {{.*}}, %[[Y]]
// CHECK: } {seq.gpu_block_size = 128 : i64}
// CHECK: scf.parallel
// CHECK: memref.load %[[S]]
// CHECK-NOT: seq.recurrence
func.func @lstm_steps(%x: tensor<?x?x8xbf16>, %wi: tensor<4800x8xbf16>, %wr: tensor<4x2x600x600xbf16>, %b: tensor<4800xbf16>, %h0: tensor<?x1200xbf16>) -> (tensor<?x1200xbf16>, tensor<?x1200xbf16>, tensor<?x?x1200xbf16>) {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x8xbf16>) init(%h0, %h0 : tensor<?x1200xbf16>, tensor<?x1200xbf16>) w_in(%wi : tensor<4800x8xbf16>) w_rec(%wr : tensor<4x2x600x600xbf16>) b_rec(%b : tensor<4800xbf16>) {reverse}
      -> tensor<?x1200xbf16>, tensor<?x1200xbf16>, tensor<?x?x1200xbf16>
  return %h, %c, %y : tensor<?x1200xbf16>, tensor<?x1200xbf16>, tensor<?x?x1200xbf16>
}

// -----

// Left for the reference lowering, with a remark saying why.
// CHECK-LABEL: func.func @too_large
func.func @too_large(%x: tensor<?x?x4xf32>, %wi: tensor<2100x4xf32>, %wr: tensor<1x1x2100x2100xf32>) -> tensor<?x?x2100xf32> {
  // expected-remark @+1 {{a head size above 2048}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<?x?x4xf32>) w_in(%wi : tensor<2100x4xf32>) w_rec(%wr : tensor<1x1x2100x2100xf32>)
      -> tensor<?x2100xf32>, tensor<?x?x2100xf32>
  return %y : tensor<?x?x2100xf32>
}

// -----

func.func @region(%x: tensor<?x?x4xf32>, %h0: tensor<?x4xf32>) -> tensor<?x?x4xf32> {
  // expected-remark @+1 {{a cell region (only named cells have a GPU kernel)}}
  %h, %y = seq.recurrence ins(%x : tensor<?x?x4xf32>) init(%h0 : tensor<?x4xf32>) -> tensor<?x4xf32>, tensor<?x?x4xf32> {
  ^bb0(%hp: tensor<?x4xf32>, %xt: tensor<?x4xf32>):
    %n = math.tanh %xt : tensor<?x4xf32>
    seq.yield %n, %n : tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %y : tensor<?x?x4xf32>
}
