// RUN: seq-opt %s -seq-fused-selective-scan="lanes=8 channel-vectors=2 emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: not seq-opt %s -seq-fused-selective-scan=lanes=7 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT
// RUN: not seq-opt %s -seq-fused-selective-scan=channel-vectors=0 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADVECTORS -DGOT=0
// RUN: not seq-opt %s -seq-fused-selective-scan=channel-vectors=-1 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADVECTORS -DGOT=-1
// RUN: not seq-opt %s -seq-fused-selective-scan=channel-vectors=9223372036854775807 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADVECTORS -DGOT=9223372036854775807
// BADVECTORS: seq-fused-selective-scan: channel-vectors must be 1 to 16 (got [[GOT]]) and prefetch-steps at least 0 (got 8)

// Mamba's scan: one parallel loop over (batch entry, 16 channels) tasks;
// the sequence loop carries the 2 x 4 state vectors; every step is fused.
// CHECK-LABEL: func.func @mamba
// CHECK: memref.alloc() : memref<4x64xf32>
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: memref.prefetch {{.*}}, read, locality<3>, data
// CHECK: math.log1p {{.*}} : vector<8xf32>
// CHECK: math.exp {{.*}} : vector<8xf32>
// CHECK: vector.fma
// CHECK: vector.store {{.*}} : memref<?x?x64xf32>, vector<8xf32>
// CHECK: bufferization.to_tensor
// CHECK-NOT: seq.selective_scan
// BADOPT: lanes must be 4, 8 or 16 (got 7)
func.func @mamba(%u: tensor<?x?x64xf32>, %dt: tensor<?x?x64xf32>,
                 %A: tensor<64x4xf32>, %B: tensor<?x?x2x4xf32>,
                 %C: tensor<?x?x2x4xf32>, %D: tensor<64xf32>,
                 %z: tensor<?x?x64xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x64x4xf32>) {
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<64xf32>)
      z(%z : tensor<?x?x64xf32>) {delta_softplus}
      : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64x4xf32>,
        tensor<?x?x2x4xf32>, tensor<?x?x2x4xf32>
      -> tensor<?x?x64xf32>, tensor<?x64x4xf32>
  return %y, %h : tensor<?x?x64xf32>, tensor<?x64x4xf32>
}

// -----

// 12 channels in one group (lanes = 8): a task of two vectors, the second
// ragged. Each vector's lanes before the group's end are a mask that u,
// delta and y go through; A's transpose has a vector of zeros past Dm
// (12 + 8), and the last state is stored lane by lane up to the real
// count. Nothing is padded or sliced.
// CHECK-LABEL: func.func @ragged_channels
// CHECK-NOT: tensor.pad
// CHECK: memref.alloc() : memref<4x20xf32>
// CHECK: scf.parallel
// CHECK: %[[MASK0:.*]] = vector.create_mask
// CHECK: %[[MASK1:.*]] = vector.create_mask
// CHECK: scf.for
// CHECK: vector.maskedload {{.*}}, %[[MASK0]], {{.*}} : memref<1x4x12xf32
// CHECK: vector.maskedstore {{.*}}, %[[MASK0]], {{.*}} : memref<1x4x12xf32>
// CHECK: vector.maskedload {{.*}}, %[[MASK1]], {{.*}} : memref<1x4x12xf32
// CHECK: vector.maskedstore {{.*}}, %[[MASK1]], {{.*}} : memref<1x4x12xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK: return
func.func @ragged_channels(%u: tensor<1x4x12xf32>, %A: tensor<12x4xf32>,
                           %B: tensor<1x4x1x4xf32>)
    -> (tensor<1x4x12xf32>, tensor<1x12x4xf32>) {
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B
      : tensor<1x4x12xf32>, tensor<1x4x12xf32>, tensor<12x4xf32>,
        tensor<1x4x1x4xf32>, tensor<1x4x1x4xf32>
      -> tensor<1x4x12xf32>, tensor<1x12x4xf32>
  return %y, %h : tensor<1x4x12xf32>, tensor<1x12x4xf32>
}

// -----

// Ragged groups with a dynamic channel dimension in u: the masks need
// only A's static count.
// CHECK-LABEL: func.func @ragged_dynamic_channels
// CHECK: vector.create_mask
// CHECK-NOT: seq.selective_scan
// CHECK: return
func.func @ragged_dynamic_channels(%u: tensor<1x4x?xf32>, %A: tensor<12x4xf32>,
                                   %B: tensor<1x4x1x4xf32>)
    -> (tensor<1x4x?xf32>, tensor<1x12x4xf32>) {
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B
      : tensor<1x4x?xf32>, tensor<1x4x?xf32>, tensor<12x4xf32>,
        tensor<1x4x1x4xf32>, tensor<1x4x1x4xf32>
      -> tensor<1x4x?xf32>, tensor<1x12x4xf32>
  return %y, %h : tensor<1x4x?xf32>, tensor<1x12x4xf32>
}

// -----

// CHECK-LABEL: func.func @left_alone
// CHECK: seq.selective_scan
func.func @left_alone(%u: tensor<1x4x12xf32>, %A: tensor<?x4xf32>,
                      %B: tensor<1x4x1x4xf32>)
    -> (tensor<1x4x12xf32>, tensor<1x12x4xf32>) {
  // expected-remark @below {{left for the reference lowering: dynamic channel, state or group counts}}
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B
      : tensor<1x4x12xf32>, tensor<1x4x12xf32>, tensor<?x4xf32>,
        tensor<1x4x1x4xf32>, tensor<1x4x1x4xf32>
      -> tensor<1x4x12xf32>, tensor<1x12x4xf32>
  return %y, %h : tensor<1x4x12xf32>, tensor<1x12x4xf32>
}
