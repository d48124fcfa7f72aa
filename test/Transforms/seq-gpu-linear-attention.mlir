// RUN: seq-opt %s -seq-gpu-linear-attention=emit-remarks=true -split-input-file -verify-diagnostics | FileCheck %s

// bf16 with a per-step decay and a carried state: one parallel loop over
// B * H * (Dv / 16) warps of 32 lanes. The state slice (Dk / 8 = 4
// accumulators) is loaded from the initial state and carried over chunks
// of 16 steps; per chunk: the decay's cumulative sums, the scores (2 tiles
// of Dk / 16 = 2 mma.sync), the decayed and masked P rounded to bf16, per
// output tile P V and Q S (2 mma.sync), the output stored in pairs, and the
// state update V^T K (4 mma.sync); the final state stored from registers.
// The warps of a head's value slices (Dv / 16 = 2: a block of 64 threads)
// share the chunk's Q and K rows through shared memory (16 rows of 32 + 8
// elements, in pairs): copied, a barrier, read, and a barrier before the
// next chunk's copy. GLA (below) reads them from global memory.
// CHECK-LABEL: func.func @ssd_bf16
// CHECK: %[[OUT:.*]] = memref.alloc({{.*}}) : memref<?x2x?x32xbf16>
// CHECK: %[[STATE:.*]] = memref.alloc({{.*}}) : memref<?x2x32x32xbf16>
// CHECK: scf.parallel
// CHECK: %[[QS:.*]] = memref.alloca() : memref<16x20xvector<2xbf16>, #gpu.address_space<workgroup>>
// CHECK: %[[KS:.*]] = memref.alloca() : memref<16x20xvector<2xbf16>, #gpu.address_space<workgroup>>
// CHECK-COUNT-16: memref.load %{{.*}} : memref<?x2x32x32xbf16
// CHECK: scf.for {{.*}} step %c16{{[_0-9]*}} iter_args({{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: scf.for
// CHECK: memref.store {{.*}}, %[[QS]]
// CHECK: memref.store {{.*}}, %[[KS]]
// CHECK: gpu.barrier
// CHECK: scf.for
// CHECK: memref.load %{{.*}} : memref<?x2x?xbf16
// CHECK: memref.load %[[QS]]
// CHECK: memref.load %[[KS]]
// CHECK-COUNT-4: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: nvgpu.mma.sync
// CHECK-COUNT-2: nvgpu.mma.sync
// CHECK: scf.if
// CHECK: vector.store {{.*}}, %[[OUT]]
// CHECK-COUNT-6: nvgpu.mma.sync
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK-COUNT-16: memref.store {{.*}}, %[[STATE]]
// CHECK: } {seq.gpu_block_size = 64 : i64}
// CHECK-NOT: seq.linear_attention
func.func @ssd_bf16(%q: tensor<?x2x?x32xbf16>, %v: tensor<?x2x?x32xbf16>,
                    %g: tensor<?x2x?xbf16>, %s0: tensor<?x2x32x32xbf16>)
    -> (tensor<?x2x?x32xbf16>, tensor<?x2x32x32xbf16>) {
  %o, %s = seq.linear_attention %q, %q, %v decay(%g : tensor<?x2x?xbf16>)
      initial_state(%s0 : tensor<?x2x32x32xbf16>)
      : tensor<?x2x?x32xbf16>, tensor<?x2x?x32xbf16>, tensor<?x2x?x32xbf16>
      -> tensor<?x2x?x32xbf16>, tensor<?x2x32x32xbf16>
  return %o, %s : tensor<?x2x?x32xbf16>, tensor<?x2x32x32xbf16>
}

// -----

// GLA in bf16: a first kernel writes each step's cumulative decay within
// its chunk (f32, [B, H, L, Dk]); the chunks read it to scale Q by
// exp(G_i), K by exp(-G_j) for the scores, K by exp(G_15 - G_j) for the
// state update and the state's columns by exp(G_15).
// CHECK-LABEL: func.func @gla_bf16
// CHECK: %[[G:.*]] = memref.alloc({{.*}}) : memref<?x?x?x32xf32>
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: memref.store {{.*}}, %[[G]]
// CHECK: scf.parallel
// CHECK-NOT: #gpu.address_space<workgroup>
// CHECK: memref.load %[[G]]
// CHECK: math.exp
// CHECK: nvgpu.mma.sync
// CHECK: arith.negf
// CHECK-NOT: seq.linear_attention
func.func @gla_bf16(%q: tensor<?x2x?x32xbf16>, %g: tensor<?x2x?x32xbf16>)
    -> (tensor<?x2x?x32xbf16>, tensor<?x2x32x32xbf16>) {
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : tensor<?x2x?x32xbf16>)
      : tensor<?x2x?x32xbf16>, tensor<?x2x?x32xbf16>, tensor<?x2x?x32xbf16>
      -> tensor<?x2x?x32xbf16>, tensor<?x2x32x32xbf16>
  return %o, %s : tensor<?x2x?x32xbf16>, tensor<?x2x32x32xbf16>
}

// -----

// The forms that stay with the reference lowering, with the reason.
// CHECK-LABEL: func.func @left
// CHECK-COUNT-5: seq.linear_attention
func.func @left(%q: tensor<1x2x8x16xf16>, %k: tensor<1x2x8x24xf16>,
                %v: tensor<1x2x8x16xf16>, %v8: tensor<1x2x8x8xf16>,
                %beta: tensor<1x2x8xf16>, %gk: tensor<1x2x8x16xf16>,
                %f: tensor<1x2x8x16xf32>) {
  // expected-remark @+1 {{left for the reference lowering: an element type other than f16 or bf16}}
  %o0, %s0 = seq.linear_attention %f, %f, %f
      : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>
      -> tensor<1x2x8x16xf32>, tensor<1x2x16x16xf32>
  // expected-remark @+1 {{left for the reference lowering: the delta rule (beta)}}
  %o1, %s1 = seq.linear_attention %q, %q, %v beta(%beta : tensor<1x2x8xf16>)
      : tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>
      -> tensor<1x2x8x16xf16>, tensor<1x2x16x16xf16>
  // expected-remark @+1 {{left for the reference lowering: a decay per key channel in f16}}
  %o2, %s2 = seq.linear_attention %q, %q, %v decay(%gk : tensor<1x2x8x16xf16>)
      : tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>
      -> tensor<1x2x8x16xf16>, tensor<1x2x16x16xf16>
  // expected-remark @+1 {{left for the reference lowering: a value size that is not a static multiple of 16}}
  %o3, %s3 = seq.linear_attention %q, %q, %v8
      : tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>, tensor<1x2x8x8xf16>
      -> tensor<1x2x8x8xf16>, tensor<1x2x16x8xf16>
  // expected-remark @+1 {{left for the reference lowering: the mLSTM normalizer}}
  %o4, %s4 = seq.linear_attention %q, %q, %v {normalize}
      : tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>
      -> tensor<1x2x8x16xf16>, tensor<1x2x16x17xf16>
  return
}
