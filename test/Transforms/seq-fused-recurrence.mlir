// RUN: seq-opt %s -seq-fused-recurrence="lanes=8 emit-remarks=true" -canonicalize -split-input-file -verify-diagnostics | FileCheck %s
// RUN: seq-opt %s -seq-fused-recurrence="lanes=8 hoist-input-max-batch=0" -canonicalize -split-input-file | FileCheck %s --check-prefix=STEP
// RUN: not seq-opt %s -seq-fused-recurrence=lanes=3 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT

// An LSTM: weights packed once (gates of a unit block adjacent), then per
// step one parallel loop whose tasks accumulate every gate in vectors and
// apply the cell there (register tiles of 2 rows here, then a tile of the
// row left over); h double-buffered, c updated in place.
// CHECK-LABEL: func.func @lstm
// CHECK-DAG: %[[PX:.*]] = memref.alloc() : memref<4x64x4x8xf32>
// CHECK-DAG: %[[PH:.*]] = memref.alloc() : memref<4x16x4x8xf32>
// CHECK: scf.parallel
// CHECK: memref.store {{.*}}, %[[PX]]
// CHECK: memref.store {{.*}}, %[[PH]]
// CHECK: %[[H:.*]] = memref.alloc(%{{.*}}) : memref<2x?x32xf32>
// CHECK: scf.for
// CHECK: scf.parallel
// CHECK: vector.load %[[PX]]{{.*}} : memref<4x64x4x8xf32>, vector<8xf32>
// CHECK: vector.fma
// CHECK: scf.if
// CHECK: vector.load %[[PX]]
// CHECK: vector.load %[[PH]]
// CHECK: math.tanh {{.*}} : vector<8xf32>
// CHECK: vector.store {{.*}}, %[[H]]
// CHECK: bufferization.to_tensor
// CHECK-NOT: seq.recurrence
// BADOPT: lanes must be 4, 8 or 16 (got 3)
func.func @lstm(%x: tensor<?x?x64xf32>, %wi: tensor<128x64xf32>,
                %wr: tensor<4x2x16x16xf32>, %bi: tensor<128xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>) {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x64xf32>)
      w_in(%wi : tensor<128x64xf32>) w_rec(%wr : tensor<4x2x16x16xf32>)
      b_in(%bi : tensor<128xf32>)
      -> tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>
  return %h, %c, %y : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>
}

// -----

// A GRU keeps the recurrent part of gate n in its own accumulator (it is
// gated by r): 4 accumulators per row for 3 gates.
// CHECK-LABEL: func.func @gru
// CHECK: scf.parallel
// CHECK: memref.alloc() : memref<{{[0-9]+}}x4x8xf32>
func.func @gru(%x: tensor<3x5x8xf32>, %wi: tensor<48x8xf32>,
               %wr: tensor<3x1x16x16xf32>, %br: tensor<48xf32>)
    -> (tensor<3x16xf32>, tensor<3x5x16xf32>) {
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<3x5x8xf32>)
      w_in(%wi : tensor<48x8xf32>) w_rec(%wr : tensor<3x1x16x16xf32>)
      b_rec(%br : tensor<48xf32>) {reverse}
      -> tensor<3x16xf32>, tensor<3x5x16xf32>
  return %h, %y : tensor<3x16xf32>, tensor<3x5x16xf32>
}

// -----

// A batch of one (hoist-input-max-batch, default 1): x W_in^T is one
// linalg.contract over the whole sequence, for -seq-fast-matmul, before the
// steps; only W_rec is packed, and each step starts its accumulators from
// the projection's row (plus the bias) and accumulates h W_rec^T alone.
// With the option at 0 the step computes both, as for a larger batch.
// CHECK-LABEL: func.func @batch_of_one
// CHECK: linalg.fill
// CHECK: %[[XW:.*]] = linalg.contract {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x?x32xf32>, tensor<64x32xf32>)
// CHECK: %[[XWB:.*]] = bufferization.to_buffer %[[XW]]
// CHECK-NOT: memref<2x32x4x8xf32>
// CHECK: scf.for
// CHECK: scf.parallel
// CHECK: vector.load %[[XWB]]
// CHECK: vector.fma
// CHECK: math.tanh
// STEP-LABEL: func.func @batch_of_one
// STEP-NOT: linalg.contract
// STEP: memref.alloc() : memref<2x32x4x8xf32>
func.func @batch_of_one(%x: tensor<1x?x32xf32>, %wi: tensor<64x32xf32>,
                        %wr: tensor<4x1x16x16xf32>, %bi: tensor<64xf32>)
    -> (tensor<1x16xf32>, tensor<1x16xf32>, tensor<1x?x16xf32>) {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<1x?x32xf32>)
      w_in(%wi : tensor<64x32xf32>) w_rec(%wr : tensor<4x1x16x16xf32>)
      b_in(%bi : tensor<64xf32>)
      -> tensor<1x16xf32>, tensor<1x16xf32>, tensor<1x?x16xf32>
  return %h, %c, %y : tensor<1x16xf32>, tensor<1x16xf32>, tensor<1x?x16xf32>
}

// -----

// A head size that is not a multiple of the vector width (two heads of 6
// units): the weights padded with zero units to heads of 8, the results
// sliced back to 6 units a head.
// CHECK-LABEL: func.func @padded_heads
// CHECK: tensor.pad
// CHECK: } : tensor<2x6x8xf32> to tensor<2x8x8xf32>
// CHECK: tensor.pad
// CHECK: } : tensor<1x2x1x6x6xf32> to tensor<1x2x1x8x6xf32>
// CHECK: tensor.pad
// CHECK: } : tensor<1x2x8x1x6xf32> to tensor<1x2x8x1x8xf32>
// CHECK-NOT: seq.recurrence
// CHECK: tensor.extract_slice {{.*}} : tensor<2x2x8xf32> to tensor<2x2x6xf32>
// CHECK: tensor.extract_slice {{.*}} : tensor<2x5x2x8xf32> to tensor<2x5x2x6xf32>
func.func @padded_heads(%x: tensor<2x5x8xf32>, %wi: tensor<12x8xf32>,
                        %wr: tensor<1x2x6x6xf32>)
    -> (tensor<2x12xf32>, tensor<2x5x12xf32>) {
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x5x8xf32>)
      w_in(%wi : tensor<12x8xf32>) w_rec(%wr : tensor<1x2x6x6xf32>)
      -> tensor<2x12xf32>, tensor<2x5x12xf32>
  return %h, %y : tensor<2x12xf32>, tensor<2x5x12xf32>
}

// -----

// Left for the reference lowering.
// CHECK-LABEL: func.func @left_alone
// CHECK: seq.recurrence
func.func @left_alone(%x: tensor<2x5x8xf32>, %h0: tensor<2x8xf32>)
    -> tensor<2x8xf32> {
  // expected-remark @below {{left for the reference lowering: a cell region (only named cells are fused)}}
  %g, %z = seq.recurrence ins(%x : tensor<2x5x8xf32>) init(%h0 : tensor<2x8xf32>)
      -> tensor<2x8xf32>, tensor<2x5x8xf32> {
  ^bb0(%prev: tensor<2x8xf32>, %xt: tensor<2x8xf32>):
    %n = arith.addf %prev, %xt : tensor<2x8xf32>
    seq.yield %n, %n : tensor<2x8xf32>, tensor<2x8xf32>
  }
  return %g : tensor<2x8xf32>
}

// -----

// Heads padded to the vector width retype the results and states from the
// static unit count, which a dynamic size does not give: such ops stay with
// the reference lowering (they built sizes from kDynamic).
// CHECK-LABEL: func.func @padded_dynamic_result
// CHECK: seq.recurrence
func.func @padded_dynamic_result(%x: tensor<?x?x16xf32>, %wi: tensor<8x16xf32>, %wr: tensor<4x1x2x2xf32>) -> tensor<?x?xf32> {
  // expected-remark @+1 {{left for the reference lowering: a dynamic unit count in a result, state or input weight, with the heads padded to the vector width}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x16xf32>) w_in(%wi : tensor<8x16xf32>) w_rec(%wr : tensor<4x1x2x2xf32>) -> tensor<?x?xf32>, tensor<?x2xf32>, tensor<?x?x2xf32>
  return %h : tensor<?x?xf32>
}
