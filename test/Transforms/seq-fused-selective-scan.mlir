// RUN: seq-opt %s -seq-fused-selective-scan="lanes=8 channel-vectors=2 emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: not seq-opt %s -seq-fused-selective-scan=lanes=7 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT

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

// 12 channels in one group: padded with zero channels to 16, y and the
// last state sliced back to 12.
// CHECK-LABEL: func.func @padded_channels
// CHECK: } : tensor<1x4x1x12xf32> to tensor<1x4x1x16xf32>
// CHECK: } : tensor<1x12x4xf32> to tensor<1x16x4xf32>
// CHECK-NOT: seq.selective_scan
// CHECK: tensor.extract_slice {{.*}} : tensor<1x4x1x16xf32> to tensor<1x4x1x12xf32>
// CHECK: tensor.extract_slice {{.*}} : tensor<1x1x16x4xf32> to tensor<1x1x12x4xf32>
func.func @padded_channels(%u: tensor<1x4x12xf32>, %A: tensor<12x4xf32>,
                           %B: tensor<1x4x1x4xf32>)
    -> (tensor<1x4x12xf32>, tensor<1x12x4xf32>) {
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B
      : tensor<1x4x12xf32>, tensor<1x4x12xf32>, tensor<12x4xf32>,
        tensor<1x4x1x4xf32>, tensor<1x4x1x4xf32>
      -> tensor<1x4x12xf32>, tensor<1x12x4xf32>
  return %y, %h : tensor<1x4x12xf32>, tensor<1x12x4xf32>
}

// -----

// CHECK-LABEL: func.func @left_alone
// CHECK: seq.selective_scan
func.func @left_alone(%u: tensor<1x4x?xf32>, %A: tensor<12x4xf32>,
                      %B: tensor<1x4x1x4xf32>)
    -> (tensor<1x4x?xf32>, tensor<1x12x4xf32>) {
  // expected-remark @below {{left for the reference lowering: channels per group not a multiple of the vector width, with dynamic channel dimensions (they are padded when static)}}
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B
      : tensor<1x4x?xf32>, tensor<1x4x?xf32>, tensor<12x4xf32>,
        tensor<1x4x1x4xf32>, tensor<1x4x1x4xf32>
      -> tensor<1x4x?xf32>, tensor<1x12x4xf32>
  return %y, %h : tensor<1x4x?xf32>, tensor<1x12x4xf32>
}
