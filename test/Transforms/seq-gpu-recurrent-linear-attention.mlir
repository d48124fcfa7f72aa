// RUN: seq-opt %s -seq-gpu-recurrent-linear-attention=emit-remarks=true -split-input-file -verify-diagnostics | FileCheck %s

// f32 GLA at Dk = 128 with a carried state: one parallel loop over
// B * H * Dv * 32 threads padded to whole 64-thread blocks; a column's 32
// lanes each load rows p, p + 32, p + 64, p + 96 of the initial state and
// carry them through the sequence, 3 steps at a time (each step's q, k
// and decay rows and v loaded before the first step's arithmetic). Per
// step: a decay factor a row, the update, q . S as the lane's 4 rows and
// shuffles xor 16 .. 1, stored by the column's first lane. The final
// state's rows after the loop; nothing else is allocated.
// CHECK-LABEL: func.func @gla
// CHECK: %[[OUT:.*]] = memref.alloc({{.*}}) : memref<?x4x?x?xf32>
// CHECK: %[[FINAL:.*]] = memref.alloc({{.*}}) : memref<?x4x128x?xf32>
// CHECK-NOT: memref.alloc
// CHECK: arith.ceildivui %{{.*}}, %c64
// CHECK: scf.parallel
// CHECK-COUNT-4: memref.load
// CHECK: scf.for {{.*}} step %c3{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32)
// CHECK-COUNT-39: memref.load
// CHECK-NOT: memref.load
// CHECK-COUNT-4: math.exp
// CHECK: gpu.shuffle  xor %{{.*}}, %c16_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c8_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c4_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c2_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32
// CHECK-NOT: gpu.shuffle
// CHECK: scf.if
// CHECK: memref.store {{.*}}, %[[OUT]]
// CHECK: scf.yield
// CHECK-COUNT-4: memref.store {{.*}}, %[[FINAL]]
// CHECK: } {seq.gpu_block_size = 64 : i64}
// CHECK-NOT: seq.linear_attention
func.func @gla(%q: tensor<?x4x?x128xf32>, %g: tensor<?x4x?x128xf32>,
               %s0: tensor<?x4x128x?xf32>, %v: tensor<?x4x?x?xf32>)
    -> (tensor<?x4x?x?xf32>, tensor<?x4x128x?xf32>) {
  %o, %s = seq.linear_attention %q, %q, %v decay(%g : tensor<?x4x?x128xf32>)
      initial_state(%s0 : tensor<?x4x128x?xf32>)
      : tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>, tensor<?x4x?x?xf32>
      -> tensor<?x4x?x?xf32>, tensor<?x4x128x?xf32>
  return %o, %s : tensor<?x4x?x?xf32>, tensor<?x4x128x?xf32>
}

// -----

// The gated delta rule in bf16 at Dk = 12: 4 lanes of 3 rows each (the
// largest power of two dividing 12). The decay is one exponential a step,
// k . S is summed over the column's lanes (xor 2, 1) before the update
// beta (v - k . S), then q . S; computed in f32, stored in bf16.
// CHECK-LABEL: func.func @gated_delta
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32)
// CHECK: math.exp
// CHECK-COUNT-3: arith.mulf
// CHECK: gpu.shuffle  xor %{{.*}}, %c2_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32
// CHECK: arith.subf
// CHECK: gpu.shuffle  xor %{{.*}}, %c2_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32
// CHECK: arith.truncf {{.*}} : f32 to bf16
func.func @gated_delta(%q: tensor<2x3x?x12xbf16>, %v: tensor<2x3x?x8xbf16>,
                       %g: tensor<2x3x?xbf16>)
    -> (tensor<2x3x?x8xbf16>, tensor<2x3x12x8xbf16>) {
  %o, %s = seq.linear_attention %q, %q, %v decay(%g : tensor<2x3x?xbf16>)
      beta(%g : tensor<2x3x?xbf16>)
      : tensor<2x3x?x12xbf16>, tensor<2x3x?x12xbf16>, tensor<2x3x?x8xbf16>
      -> tensor<2x3x?x8xbf16>, tensor<2x3x12x8xbf16>
  return %o, %s : tensor<2x3x?x8xbf16>, tensor<2x3x12x8xbf16>
}

// -----

// mLSTM at an odd key size (5: one lane, 5 rows, no shuffles): the state's
// rows and the normalizer's are carried (10 values); the output is divided
// by max(|scale q . n|, 1); the normalizer is the state's last column
// (index Dv), which the first value column stores.
// CHECK-LABEL: func.func @mlstm
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-NOT: gpu.shuffle
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: arith.divf
// CHECK: scf.yield
// CHECK-COUNT-5: memref.store {{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<1x2x5x7xf32>
// CHECK: arith.cmpi eq, %{{.*}}, %c0
// CHECK: scf.if
// CHECK-COUNT-5: memref.store {{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %c6] : memref<1x2x5x7xf32>
func.func @mlstm(%q: tensor<1x2x9x5xf32>, %v: tensor<1x2x9x6xf32>,
                 %g: tensor<1x2x9xf32>)
    -> (tensor<1x2x9x6xf32>, tensor<1x2x5x7xf32>) {
  %o, %s = seq.linear_attention %q, %q, %v decay(%g : tensor<1x2x9xf32>)
      {normalize}
      : tensor<1x2x9x5xf32>, tensor<1x2x9x5xf32>, tensor<1x2x9x6xf32>
      -> tensor<1x2x9x6xf32>, tensor<1x2x5x7xf32>
  return %o, %s : tensor<1x2x9x6xf32>, tensor<1x2x5x7xf32>
}

// -----

// Key sizes the lanes cannot hold stay with the reference lowering.
// CHECK-LABEL: func.func @unsupported
// CHECK: seq.linear_attention
// CHECK: seq.linear_attention
func.func @unsupported(%q: tensor<1x1x4x?xf32>, %r: tensor<1x1x4x33xf32>)
    -> (tensor<1x1x4x?xf32>, tensor<1x1x4x33xf32>) {
  // expected-remark @+1 {{left for the reference lowering: a dynamic key size}}
  %o, %s = seq.linear_attention %q, %q, %q
      : tensor<1x1x4x?xf32>, tensor<1x1x4x?xf32>, tensor<1x1x4x?xf32>
      -> tensor<1x1x4x?xf32>, tensor<1x1x?x?xf32>
  // expected-remark @+1 {{left for the reference lowering: a key size with more than 32 rows a lane}}
  %o2, %s2 = seq.linear_attention %r, %r, %r
      : tensor<1x1x4x33xf32>, tensor<1x1x4x33xf32>, tensor<1x1x4x33xf32>
      -> tensor<1x1x4x33xf32>, tensor<1x1x33x33xf32>
  return %o, %o2 : tensor<1x1x4x?xf32>, tensor<1x1x4x33xf32>
}

// -----

// A sequence of length 0 (no work) stays with the reference lowering:
// every fast lowering leaves ops with a static size of 0 (some divided by
// such sizes and crashed).
// CHECK-LABEL: func.func @empty_sequence
// CHECK: seq.linear_attention
func.func @empty_sequence(%q: tensor<1x2x0x8xf32>, %v: tensor<1x2x0x4xf32>) -> tensor<1x2x0x4xf32> {
  // expected-remark @+1 {{left for the reference lowering: a dimension of size 0 (nothing to compute)}}
  %o, %s = seq.linear_attention %q, %q, %v {scale = 1.0 : f32}
      : tensor<1x2x0x8xf32>, tensor<1x2x0x8xf32>, tensor<1x2x0x4xf32>
      -> tensor<1x2x0x4xf32>, tensor<1x2x8x4xf32>
  return %o : tensor<1x2x0x4xf32>
}
