// RUN: seq-opt %s -seq-gpu-selective-scan=emit-remarks=true -split-input-file -verify-diagnostics | FileCheck %s

// N = 16 with every option: one parallel loop over B * Dm * 16 threads
// padded to whole warps; each carries h[n] through the sequence
// (softplus(delta + bias), exp(dt A), the update in f32), sums C h over its
// channel's 16 lanes with shuffles xor 8, 4, 2, 1, and the channel's first
// lane adds D u, gates with silu(z) and stores y; the last state is stored
// after the loop. Nothing else is allocated. Steps past the end (the
// length need not be a multiple of 4) read the last step's inputs and
// change nothing.
// CHECK-LABEL: func.func @mamba
// CHECK: %[[Y:.*]] = memref.alloc({{.*}}) : memref<?x?x64xbf16>
// CHECK: %[[LAST:.*]] = memref.alloc({{.*}}) : memref<?x64x16xbf16>
// CHECK-NOT: memref.alloc
// CHECK: arith.ceildivui %{{.*}}, %c32
// CHECK: scf.parallel
// Four steps at a time, the loads of all four (delta, u, B, C and z a
// step) before the first step's arithmetic.
// CHECK: scf.for {{.*}} step %c4 iter_args({{.*}}) -> (f32)
// CHECK-COUNT-20: memref.load
// CHECK-NOT: memref.load
// CHECK: math.log1p
// CHECK: math.exp
// CHECK: gpu.shuffle  xor %{{.*}}, %c8_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c4_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c2_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32
// CHECK: scf.if
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: memref.store {{.*}}, %[[Y]]
// CHECK: scf.yield
// CHECK: memref.store {{.*}}, %[[LAST]]
// CHECK-NOT: seq.selective_scan
func.func @mamba(%u: tensor<?x?x64xbf16>, %A: tensor<64x16xbf16>,
                 %B: tensor<?x?x2x16xbf16>, %D: tensor<64xbf16>,
                 %h0: tensor<?x64x16xbf16>)
    -> (tensor<?x?x64xbf16>, tensor<?x64x16xbf16>) {
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B D(%D : tensor<64xbf16>)
      z(%u : tensor<?x?x64xbf16>) delta_bias(%D : tensor<64xbf16>)
      initial_state(%h0 : tensor<?x64x16xbf16>) {delta_softplus}
      : tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<64x16xbf16>,
        tensor<?x?x2x16xbf16>, tensor<?x?x2x16xbf16>
      -> tensor<?x?x64xbf16>, tensor<?x64x16xbf16>
  return %y, %h : tensor<?x?x64xbf16>, tensor<?x64x16xbf16>
}

// -----

// A state size that is not a power of two stays with the reference lowering.
// CHECK-LABEL: func.func @odd_states
// CHECK: seq.selective_scan
func.func @odd_states(%u: tensor<1x8x4xf32>, %A: tensor<4x3xf32>,
                      %B: tensor<1x8x1x3xf32>)
    -> (tensor<1x8x4xf32>, tensor<1x4x3xf32>) {
  // expected-remark @+1 {{left for the reference lowering: a state size that is not a static power of two up to 32}}
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B
      : tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<4x3xf32>,
        tensor<1x8x1x3xf32>, tensor<1x8x1x3xf32>
      -> tensor<1x8x4xf32>, tensor<1x4x3xf32>
  return %y, %h : tensor<1x8x4xf32>, tensor<1x4x3xf32>
}
