// RUN: seq-opt %s -seq-gpu-attention=emit-remarks=true -split-input-file -verify-diagnostics | FileCheck %s

// f16 with a head size that is not a multiple of 16 (72): split-KV. The
// host picks the splits per row, ceil(32768 / rows) but at most one per 64
// keys (and at least one); one parallel loop over rows x splits, each
// streaming over its share of the row's keys [lo, hi) with a running max
// and sum, widening its operands to f32 and accumulating its output in f32
// partial buffers (output, max, sum per row and split); a second loop, a
// thread per output element, rescales the splits to the row's max,
// divides by their sum and rounds once. No [Lq, Lk] buffer.
// CHECK-LABEL: func.func @causal_gqa_f16
// CHECK: %[[OUT:.*]] = memref.alloc({{.*}}) : memref<?x8x?x72xf16>
// CHECK: arith.ceildivui %c32768
// CHECK: arith.ceildivui %{{.*}}, %c64
// CHECK: %[[PART:.*]] = memref.alloc({{.*}}) : memref<?x?x?xf32>
// CHECK: %[[MAX:.*]] = memref.alloc({{.*}}) : memref<?x?xf32>
// CHECK: %[[SUM:.*]] = memref.alloc({{.*}}) : memref<?x?xf32>
// CHECK-NOT: memref.alloc
// CHECK: scf.parallel
// CHECK: %[[STATE:.*]]:2 = scf.for {{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: memref.store {{.*}}, %[[PART]]
// CHECK: memref.store %[[STATE]]#0, %[[MAX]]
// CHECK: memref.store %[[STATE]]#1, %[[SUM]]
// CHECK: scf.parallel
// CHECK: memref.load %[[MAX]]
// CHECK: memref.load %[[SUM]]
// CHECK: memref.load %[[PART]]
// CHECK: arith.divf
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: memref.store {{.*}}, %[[OUT]]
// CHECK: scf.reduce
// CHECK: bufferization.to_tensor %[[OUT]]
// CHECK-NOT: seq.attention
func.func @causal_gqa_f16(%q: tensor<?x8x?x72xf16>, %k: tensor<?x2x?x72xf16>,
                          %v: tensor<?x2x?x72xf16>) -> tensor<?x8x?x72xf16> {
  // expected-remark @+1 {{a thread per query row, not tensor cores: a head size that is not a static multiple of 16 up to 128}}
  %o = seq.attention %q, %k, %v {causal}
      : tensor<?x8x?x72xf16>, tensor<?x2x?x72xf16>, tensor<?x2x?x72xf16>
      -> tensor<?x8x?x72xf16>
  return %o : tensor<?x8x?x72xf16>
}

// -----

// Causal GQA in bf16 with static head sizes: the tensor-core kernels, the
// staged one from 64 query rows on (a host-side choice), independent warps
// below. In both a warp owns 16 query rows: Q's fragments (64 / 16 of
// them) loaded once; per block of 16 keys, two score tiles of 64 / 16
// mma.sync each, the row max and sum over a row's four lanes (shuffles xor
// 1 and 2), P rounded to bf16 as the A operand of 32 / 8 mma.sync for
// P V, accumulated in registers (loop-carried fragments); the output
// stored in pairs, rows past Lq skipped.
// Staged: blocks of 4 warps (seq.gpu_block_size = 128) sharing the tiles
// of one key/value head among 4, 2 or 1 of its query heads (as many as
// divide the group), with workgroup tiles of 64 keys, rows padded by 8 (K
// in pairs: 72 / 2 = 36; V 40);
// whether K's and V's rows are 16-byte aligned is read on the host; per
// tile each is copied in 16-byte chunks (aligned) or in pairs, a barrier,
// the four 16-key blocks from shared memory, a barrier.
// CHECK-LABEL: func.func @tensor_cores_bf16
// CHECK: %[[OUT:.*]] = memref.alloc({{.*}}) : memref<?x8x?x32xbf16>
// CHECK-NOT: memref.alloc
// CHECK: %[[WIDE:.*]] = arith.cmpi sge, %{{.*}}, %c64
// CHECK: scf.if %[[WIDE]] {
// CHECK: %[[TWO:.*]] = arith.select %{{.*}}, %c2{{[_0-9]*}}, %c1{{[_0-9]*}} : index
// CHECK: arith.select %{{.*}}, %c4{{[_0-9]*}}, %[[TWO]] : index
// CHECK: memref.extract_aligned_pointer_as_index
// CHECK: memref.extract_aligned_pointer_as_index
// CHECK: scf.parallel
// CHECK: %[[KS:.*]] = memref.alloca() : memref<64x36xvector<2xbf16>, #gpu.address_space<workgroup>>
// CHECK: %[[VS:.*]] = memref.alloca() : memref<64x40xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-16: vector.load {{.*}} vector<2xbf16>
// CHECK: scf.for {{.*}} step %c64{{[_0-9]*}} iter_args({{.*}}) -> (f32, f32, f32, f32, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: scf.if
// CHECK: vector.load {{.*}} {alignment = 16 : i64} : {{.*}}, vector<8xbf16>
// CHECK-COUNT-4: memref.store {{.*}}, %[[KS]]
// CHECK: } else {
// CHECK: memref.store {{.*}}, %[[KS]]
// CHECK: vector.load {{.*}} {alignment = 16 : i64} : {{.*}}, vector<8xbf16>
// CHECK: vector.store {{.*}}, %[[VS]]
// CHECK: } else {
// CHECK: vector.store {{.*}}, %[[VS]]{{.*}} vector<2xbf16>
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} step %c16{{[_0-9]*}} iter_args({{.*}}) -> (f32, f32, f32, f32, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: memref.load %[[KS]]
// CHECK-COUNT-4: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK: gpu.shuffle  xor %{{.*}}, %c2_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK: math.exp
// CHECK: vector.from_elements {{.*}} : vector<4x2xbf16>
// CHECK: memref.load %[[VS]]
// CHECK-COUNT-4: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: gpu.barrier
// CHECK: vector.store {{.*}}, %[[OUT]]{{.*}} : memref<?x8x?x32xbf16>, vector<2xbf16>
// CHECK: } {seq.gpu_block_size = 128 : i64}
// CHECK: } else {
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %{{.*}}, %c16
// CHECK: scf.parallel
// CHECK-NOT: memref.alloca
// CHECK-COUNT-16: vector.load {{.*}} vector<2xbf16>
// CHECK: scf.for {{.*}} step %c16{{[_0-9]*}} iter_args({{.*}}) -> (f32, f32, f32, f32, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK-COUNT-4: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: vector.from_elements {{.*}} : vector<4x2xbf16>
// CHECK-COUNT-4: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: scf.yield
// CHECK: scf.if
// CHECK: vector.store {{.*}}, %[[OUT]]{{.*}} : memref<?x8x?x32xbf16>, vector<2xbf16>
// CHECK-NOT: gpu.barrier
// CHECK: bufferization.to_tensor %[[OUT]]
// CHECK-NOT: seq.attention
func.func @tensor_cores_bf16(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x2x?x64xbf16>,
                             %v: tensor<?x2x?x32xbf16>) -> tensor<?x8x?x32xbf16> {
  %o = seq.attention %q, %k, %v {causal}
      : tensor<?x8x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x32xbf16>
      -> tensor<?x8x?x32xbf16>
  return %o : tensor<?x8x?x32xbf16>
}

// -----

// The option off: f16 takes the thread-per-row kernel.
// RUN: seq-opt %s -seq-gpu-attention=tensor-cores=false -split-input-file | FileCheck %s --check-prefix=OFF
// shared-memory=false: the tensor-core kernel with independent warps only.
// RUN: seq-opt %s -seq-gpu-attention=shared-memory=false -split-input-file | FileCheck %s --check-prefix=DIRECT
// DIRECT-LABEL: func.func @tensor_cores_bf16
// DIRECT-NOT: arith.cmpi sge, %{{.*}}, %c64
// DIRECT-NOT: #gpu.address_space<workgroup>
// DIRECT-NOT: gpu.barrier
// DIRECT: nvgpu.mma.sync
// DIRECT-NOT: #gpu.address_space<workgroup>
// DIRECT-LABEL: func.func @lse
// OFF-LABEL: func.func @tensor_cores_bf16
// OFF-NOT: nvgpu.mma.sync
// OFF: arith.extf {{.*}} : bf16 to f32
// OFF-LABEL: func.func @lse

// f32: lse (from the combining loop) and softcap.
// CHECK-LABEL: func.func @lse
// CHECK: %[[OUT:.*]] = memref.alloc({{.*}}) : memref<?x4x?x16xf32>
// CHECK: %[[LSE:.*]] = memref.alloc({{.*}}) : memref<?x4x?xf32>
// CHECK: scf.parallel
// CHECK: math.tanh
// CHECK: math.log
// CHECK: memref.store {{.*}}, %[[LSE]]
func.func @lse(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>,
               %v: tensor<?x4x?x16xf32>)
    -> (tensor<?x4x?x16xf32>, tensor<?x4x?xf32>) {
  %o, %lse = seq.attention %q, %k, %v {softcap = 30.0 : f32}
      : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>
      -> tensor<?x4x?x16xf32>, tensor<?x4x?xf32>
  return %o, %lse : tensor<?x4x?x16xf32>, tensor<?x4x?xf32>
}

// -----

// A bias: the thread of a row reads the bias at its (batch, head, query)
// for each key (a dimension of size 1 at index 0), after the softcap and
// before the online softmax, whose shift is 0 while every score is -inf
// (the bias masks keys).
// CHECK-LABEL: func.func @bias
// CHECK: %[[B:.*]] = bufferization.to_buffer %{{.*}} read_only {{.*}}: tensor<1x1x4x4xf32>
// CHECK: scf.parallel
// CHECK: scf.for %[[J:.*]] =
// CHECK: math.tanh
// CHECK: %[[X:.*]] = memref.load %[[B]][%c0{{.*}}, %c0{{.*}}, %{{.*}}, %[[J]]]
// CHECK: arith.addf %{{.*}}, %[[X]] : f32
// CHECK: arith.maximumf
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// The tensor-core kernel (f16): each lane adds the bias of its two rows
// at its keys (clamped to the last key) to the scores of the mma.
// CHECK-LABEL: func.func @bias_f16
// CHECK: %[[HB:.*]] = bufferization.to_buffer %{{.*}} read_only {{.*}}: tensor<1x2x32x?xf16>
// CHECK: nvgpu.mma.sync
// CHECK: %[[HX:.*]] = memref.load %[[HB]][%c0{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}]
// CHECK: arith.extf %[[HX]] : f16 to f32
// CHECK: arith.addf
func.func @bias(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                %v: tensor<1x2x4x8xf32>, %b: tensor<1x1x4x4xf32>)
    -> tensor<1x2x4x8xf32> {
  %o = seq.attention %q, %k, %v bias(%b : tensor<1x1x4x4xf32>)
      {softcap = 20.0 : f32}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
      -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
func.func @bias_f16(%q: tensor<1x2x32x16xf16>, %k: tensor<1x2x?x16xf16>,
                    %b: tensor<1x2x32x?xf16>) -> tensor<1x2x32x16xf16> {
  %o = seq.attention %q, %k, %k bias(%b : tensor<1x2x32x?xf16>)
      : tensor<1x2x32x16xf16>, tensor<1x2x?x16xf16>, tensor<1x2x?x16xf16>
      -> tensor<1x2x32x16xf16>
  return %o : tensor<1x2x32x16xf16>
}
