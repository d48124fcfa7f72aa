// RUN: seq-opt %s -seq-fused-conv1d="lanes=8 emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: not seq-opt %s -seq-fused-conv1d=lanes=12 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT

// Mamba's short convolution, streaming: taps transposed once, then tasks
// over (batch, 8 channels, 256 steps); the first 3 steps read the state
// behind a branch, the others x only; silu fused; the final state is the
// last 3 inputs.
// CHECK-LABEL: func.func @mamba_conv
// CHECK: memref.alloc() : memref<4x64xf32>
// CHECK: scf.parallel
// CHECK: scf.if {{.*}} -> (vector<8xf32>)
// CHECK: vector.fma
// CHECK: math.exp {{.*}} : vector<8xf32>
// CHECK: vector.store
// CHECK: %[[S:.*]] = memref.alloc(%{{.*}}) : memref<?x3x64xf32>
// CHECK: bufferization.to_tensor %[[S]]
// CHECK-NOT: seq.conv1d
// BADOPT: seq-fused-conv1d: lanes must be 4, 8 or 16 (got 12)
func.func @mamba_conv(%x: tensor<?x?x64xf32>, %w: tensor<64x1x4xf32>,
                      %b: tensor<64xf32>, %s: tensor<?x3x64xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x3x64xf32>) {
  %y, %t = seq.conv1d %x, %w bias(%b : tensor<64xf32>)
      state(%s : tensor<?x3x64xf32>) activation silu
      : tensor<?x?x64xf32>, tensor<64x1x4xf32>
      -> tensor<?x?x64xf32>, tensor<?x3x64xf32>
  return %y, %t : tensor<?x?x64xf32>, tensor<?x3x64xf32>
}

// -----

// 12 channels: a whole block of 8, then a block of 4 channels through
// masked loads and stores (the taps padded with zeros to 16 channels).
// CHECK-LABEL: func.func @channel_tail
// CHECK: memref.alloc() : memref<3x16xf32>
// CHECK: scf.parallel
// CHECK: vector.store
// CHECK: vector.constant_mask [4] : vector<8xi1>
// CHECK: vector.maskedload
// CHECK: vector.maskedstore
// CHECK-NOT: seq.conv1d
func.func @channel_tail(%x: tensor<1x5x12xf32>, %w: tensor<12x1x3xf32>,
                        %b: tensor<12xf32>) -> tensor<1x5x12xf32> {
  %y = seq.conv1d %x, %w bias(%b : tensor<12xf32>)
      : tensor<1x5x12xf32>, tensor<12x1x3xf32> -> tensor<1x5x12xf32>
  return %y : tensor<1x5x12xf32>
}

// -----

// 4100 channels (512 blocks of 8 and a block of 4): the final state's copy
// is a loop over the blocks, not 512 copies of its code (d_inner = 65536
// took 100 s to compile), then the masked block.
// CHECK-LABEL: func.func @wide_final_state
// CHECK: %[[S:.*]] = memref.alloc(%{{.*}}) : memref<?x3x4100xf32>
// CHECK: scf.for %[[CB:.*]] = %c0{{.*}} to %c512
// CHECK: %[[C:.*]] = arith.muli %[[CB]], %c8
// CHECK: vector.store {{.*}}, %[[S]][%{{.*}}, %{{.*}}, %[[C]]]
// CHECK: vector.maskedstore %[[S]][%{{.*}}, %{{.*}}, %c4096
// CHECK-NOT: vector.store {{.*}}, %[[S]]
// CHECK: bufferization.to_tensor %[[S]]
func.func @wide_final_state(%x: tensor<?x?x4100xf32>, %w: tensor<4100x1x4xf32>,
                            %s: tensor<?x3x4100xf32>)
    -> (tensor<?x?x4100xf32>, tensor<?x3x4100xf32>) {
  %y, %t = seq.conv1d %x, %w state(%s : tensor<?x3x4100xf32>)
      : tensor<?x?x4100xf32>, tensor<4100x1x4xf32>
      -> tensor<?x?x4100xf32>, tensor<?x3x4100xf32>
  return %y, %t : tensor<?x?x4100xf32>, tensor<?x3x4100xf32>
}

// -----

// CHECK-LABEL: func.func @left_alone
// CHECK: seq.conv1d
func.func @left_alone(%x: tensor<1x5x16xf32>, %w: tensor<16x4x3xf32>)
    -> tensor<1x5x16xf32> {
  // expected-remark @below {{left for the reference lowering: a convolution that is not depthwise}}
  %y = seq.conv1d %x, %w : tensor<1x5x16xf32>, tensor<16x4x3xf32>
      -> tensor<1x5x16xf32>
  return %y : tensor<1x5x16xf32>
}
