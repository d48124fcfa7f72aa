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

// A bf16 GRU head of 600 units: 3 units per thread (200 threads a row, one
// row a block); 3 * 600 * 600 f32 weights do not fit in shared memory, so
// the step reads them from the transposed buffer; h in shared memory
// ([2][1][600]); computed in f32, rounded once when stored.
// CHECK-LABEL: func.func @gru_bf16
// CHECK: %[[WT:.*]] = memref.alloc() : memref<3x1x600x600xf32>
// CHECK: scf.parallel
// CHECK: memref.alloca() : memref<2x1x600xf32, #gpu.address_space<workgroup>>
// CHECK-NOT: memref.alloca
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} -> (f32, f32, f32)
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK: memref.load %[[WT]]
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: gpu.barrier
func.func @gru_bf16(%x: tensor<?x?x8xbf16>, %wi: tensor<1800x8xbf16>, %wr: tensor<3x1x600x600xbf16>) -> (tensor<?x600xbf16>, tensor<?x?x600xbf16>) {
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<?x?x8xbf16>) w_in(%wi : tensor<1800x8xbf16>) w_rec(%wr : tensor<3x1x600x600xbf16>)
      -> tensor<?x600xbf16>, tensor<?x?x600xbf16>
  return %h, %y : tensor<?x600xbf16>, tensor<?x?x600xbf16>
}

// -----

// Left for the reference lowering, with a remark saying why.
func.func @too_large(%x: tensor<?x?x4xf32>, %wi: tensor<1100x4xf32>, %wr: tensor<1x1x1100x1100xf32>) -> tensor<?x?x1100xf32> {
  // expected-remark @+1 {{a head size above 1024}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<?x?x4xf32>) w_in(%wi : tensor<1100x4xf32>) w_rec(%wr : tensor<1x1x1100x1100xf32>)
      -> tensor<?x1100xf32>, tensor<?x?x1100xf32>
  return %y : tensor<?x?x1100xf32>
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
