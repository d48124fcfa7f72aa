// RUN: seq-opt %s -seq-flash-attention=emit-remarks=true -split-input-file -verify-diagnostics | FileCheck %s
// RUN: seq-opt %s -seq-flash-attention="lanes=8 block-keys=32" -split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: not seq-opt %s -seq-flash-attention=lanes=5 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT
// RUN: not seq-opt %s -seq-flash-attention=block-keys=9223372036854775807 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADBLOCK
// RUN: not seq-opt %s -seq-flash-attention=min-tasks=0 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADBLOCK
// BADBLOCK: block-keys 1 to 65536 and min-tasks positive
// RUN: not seq-opt %s -seq-flash-attention=row-vectors=0 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADROWS
// RUN: seq-opt %s -seq-flash-attention=narrow-rows=0 -split-input-file | FileCheck %s --check-prefix=WIDE
// RUN: not seq-opt %s -seq-flash-attention=narrow-rows=17 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADNARROW

// Causal GQA prefill: buffers in, two parallel loops (the tiles' tasks,
// then the combination of key splits), fresh buffers out; no [Lq, Lk]
// buffer anywhere.
// CHECK-LABEL: func.func @causal_gqa
// CHECK-DAG: bufferization.to_buffer %{{.*}} read_only {{.*}}: tensor<?x8x?x64xf32> to memref<?x8x?x64xf32, strided<[?, ?, ?, 1], offset: ?>>
// CHECK-DAG: %[[OUT:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x8x?x64xf32>
// The key/value heads: H / Hkv query heads share one.
// CHECK-DAG: %[[G:.*]] = arith.divui %c8, %c2
// CHECK: scf.parallel
// Rows in lanes: the tile's queries transposed, scores [key][row].
// CHECK: memref.alloc(%{{.*}}) : memref<?x32xf32>
// CHECK: memref.alloc() : memref<128x32xf32>
// CHECK: scf.for
// CHECK: vector.fma {{.*}} : vector<16xf32>
// A register tile of keys that every row sees skips the mask.
// CHECK: scf.if
// CHECK-NOT: arith.cmpi
// CHECK: arith.cmpf ogt, {{.*}} : vector<16xf32>
// CHECK: } else {
// CHECK: arith.cmpi sge, {{.*}} : vector<16xi32>
// CHECK: arith.cmpf ogt, {{.*}} : vector<16xf32>
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: scf.parallel
// CHECK: math.exp {{.*}} : f32
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[T]]
// CHECK-NOT: seq.attention
// AVX2-LABEL: func.func @causal_gqa
// AVX2: memref.alloc() : memref<{{.*}}x16xf32>
// AVX2: vector.fma {{.*}} : vector<8xf32>
// BADOPT: seq-flash-attention: lanes must be 4, 8 or 16 (got 5)
// BADROWS: seq-flash-attention: row-vectors must be 1 to 4 (got 0)
func.func @causal_gqa(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>,
                      %v: tensor<?x2x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = seq.attention %q, %k, %v {causal}
      : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>
      -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

// -----

// The lse result, a softcap (tanh on vectors) and kv_len.
// CHECK-LABEL: func.func @decode_lse
// CHECK: bufferization.to_buffer %{{.*}} read_only {{.*}}: tensor<?xi32>
// CHECK: math.tanh {{.*}} : vector<16xf32>
// CHECK: math.log {{.*}} : f32
// CHECK: %[[O:.*]] = bufferization.to_tensor {{.*}} restrict writable : memref<?x4x1x16xf32>
// CHECK: %[[L:.*]] = bufferization.to_tensor {{.*}} restrict writable : memref<?x4x1xf32>
// CHECK: return %[[O]], %[[L]]
func.func @decode_lse(%q: tensor<?x4x1x16xf32>, %k: tensor<?x1x?x16xf32>,
                      %v: tensor<?x1x?x16xf32>, %len: tensor<?xi32>)
    -> (tensor<?x4x1x16xf32>, tensor<?x4x1xf32>) {
  %o, %lse = seq.attention %q, %k, %v kv_len(%len : tensor<?xi32>)
      {causal, softcap = 30.0 : f32}
      : tensor<?x4x1x16xf32>, tensor<?x1x?x16xf32>, tensor<?x1x?x16xf32>
      -> tensor<?x4x1x16xf32>, tensor<?x4x1xf32>
  return %o, %lse : tensor<?x4x1x16xf32>, tensor<?x4x1xf32>
}

// -----

// Decoding with GQA (G * Lq = 4 rows per key/value head, D = 128): keys in
// lanes. The tile holds its queries [R][D], a block of scores [R][keys]
// and its output [R][Dv]; each score is a dot product of K's row and a
// query, reduced across lanes once; the block's max and sum run on vectors
// of keys. With narrow-rows=0 the rows-in-lanes tile, which reduces
// nothing across lanes. The value rows of the keys being scored, and the
// key rows 16 KiB (32 keys) ahead, are prefetched into L2 a cache line at a
// time (128 floats: 8 lines per key).
// CHECK-LABEL: func.func @decode_gqa
// CHECK: scf.parallel
// CHECK: memref.alloc() : memref<4x128xf32>
// CHECK: vector.load {{.*}} : memref<?x32x1x128xf32{{.*}}>, vector<16xf32>
// CHECK: memref.alloc() : memref<4x128xf32>
// CHECK: memref.alloc() : memref<4x128xf32>
// CHECK: scf.for
// CHECK: memref.prefetch %[[V:[0-9a-z_]+]][%{{.*}}, %{{.*}}, %[[KEY:[0-9a-z_]+]], %c0{{.*}}], read, locality<2>, data : memref<?x8x?x128xf32
// CHECK: memref.prefetch %[[V]][%{{.*}}, %{{.*}}, %[[KEY]], %c16{{.*}}], read
// CHECK-COUNT-6: memref.prefetch %[[V]][%{{.*}}, %{{.*}}, %[[KEY]], %c
// CHECK: %[[AHEAD:.*]] = arith.addi %[[KEY]], %c32
// CHECK: %[[AHEAD_KEY:.*]] = arith.minsi %[[AHEAD]]
// CHECK: memref.prefetch %[[K:[0-9a-z_]+]][%{{.*}}, %{{.*}}, %[[AHEAD_KEY]], %c0{{.*}}], read, locality<2>, data : memref<?x8x?x128xf32
// CHECK-COUNT-7: memref.prefetch %[[K]][%{{.*}}, %{{.*}}, %[[AHEAD_KEY]], %c
// CHECK: vector.load {{.*}} : memref<?x8x?x128xf32{{.*}}>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>, {{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK: vector.reduction <maximumf>, {{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.load {{.*}} : memref<?x8x?x128xf32{{.*}}>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.parallel
// WIDE-LABEL: func.func @decode_gqa
// WIDE-NOT: vector.reduction
// WIDE: return
// BADNARROW: narrow-rows at most lanes (got 17)
func.func @decode_gqa(%q: tensor<?x32x1x128xf32>, %k: tensor<?x8x?x128xf32>,
                      %v: tensor<?x8x?x128xf32>) -> tensor<?x32x1x128xf32> {
  %o = seq.attention %q, %k, %v {causal}
      : tensor<?x32x1x128xf32>, tensor<?x8x?x128xf32>, tensor<?x8x?x128xf32>
      -> tensor<?x32x1x128xf32>
  return %o : tensor<?x32x1x128xf32>
}

// -----

// A bias, here ALiBi's shape [1, H, Lq, Lk]. Rows in lanes: each row's
// offset into the bias (head kvHead * G + t % G, query t / G, by the
// bias's strides) is computed once per task; a key's bias for a vector of
// rows is one gather at [batch, 0, 0, key], added to the scores after the
// softcap, before the mask and the max, on both paths of a register tile.
// Decoding (keys in lanes) reads a row's bias for a vector of keys, masked
// past the last key (a static key dimension).
// CHECK-LABEL: func.func @alibi
// CHECK: %[[BIAS:.*]] = bufferization.to_buffer %{{.*}} read_only {{.*}}: tensor<1x8x?x?xf32> to memref<1x8x?x?xf32
// CHECK: scf.parallel
// CHECK: %{{.*}}, %{{.*}}, %{{.*}}:4, %[[STRIDES:.*]]:4 = memref.extract_strided_metadata %[[BIAS]]
// CHECK: %[[OFFS:.*]] = memref.alloc() : memref<32xindex>
// CHECK: arith.muli %{{.*}}, %[[STRIDES]]#1
// CHECK: arith.muli %{{.*}}, %[[STRIDES]]#2
// CHECK: vector.load %[[OFFS]][%c0{{.*}}] : memref<32xindex>, vector<16xindex>
// CHECK: vector.load %[[OFFS]][%c16{{.*}}] : memref<32xindex>, vector<16xindex>
// CHECK: scf.if
// CHECK: math.tanh {{.*}} : vector<16xf32>
// CHECK: %[[B1:.*]] = vector.gather %[[BIAS]][%c0{{.*}}, %c0{{.*}}, %c0{{.*}}, %{{.*}}] [%{{.*}}], %{{.*}}, %{{.*}} : memref<1x8x?x?xf32{{.*}}>, vector<16xindex>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK: arith.addf %{{.*}}, %[[B1]] : vector<16xf32>
// CHECK: } else {
// CHECK: math.tanh {{.*}} : vector<16xf32>
// CHECK: %[[B2:.*]] = vector.gather %[[BIAS]]
// CHECK: arith.addf %{{.*}}, %[[B2]] : vector<16xf32>
// CHECK: arith.cmpi sge
// CHECK-LABEL: func.func @alibi_decode
// CHECK: %[[DBIAS:.*]] = bufferization.to_buffer %{{.*}} read_only {{.*}}: tensor<?x8x1x300xf32>
// CHECK: vector.reduction <add>
// CHECK: %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: %[[DV:.*]] = vector.maskedload %[[DBIAS]][%{{.*}}, %{{.*}}, %c0{{.*}}, %{{.*}}], %[[MASK]]
// CHECK: arith.addf %{{.*}}, %[[DV]] : vector<16xf32>
// CHECK: vector.reduction <maximumf>
// A key dimension that may be 1 at run time: a gather whose offsets step
// by 1, or by 0 where it is.
// CHECK-LABEL: func.func @decode_dynamic_bias
// CHECK: vector.create_mask
// CHECK: vector.gather {{.*}} : memref<?x?x?x?xf32{{.*}}>, vector<16xindex>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK: vector.reduction <maximumf>
// A padding mask [B, 1, 1, Lk]: every row reads the same bias row, one
// element per key broadcast to all rows (no gather).
// CHECK-LABEL: func.func @padding_mask
// CHECK: %[[PBIAS:.*]] = bufferization.to_buffer %{{.*}} read_only {{.*}}: tensor<?x1x1x?xf32>
// CHECK-NOT: vector.gather
// CHECK: %[[PX:.*]] = memref.load %[[PBIAS]][%{{.*}}, %c0{{.*}}, %c0{{.*}}, %{{.*}}]
// CHECK: vector.broadcast %[[PX]] : f32 to vector<16xf32>
// CHECK-NOT: vector.gather
// CHECK: return
func.func @alibi(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>,
                 %b: tensor<1x8x?x?xf32>) -> tensor<1x8x?x64xf32> {
  %o = seq.attention %q, %k, %k bias(%b : tensor<1x8x?x?xf32>)
      {causal, softcap = 30.0 : f32}
      : tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>
      -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}
func.func @alibi_decode(%q: tensor<?x8x1x64xf32>, %k: tensor<?x2x300x64xf32>,
                        %b: tensor<?x8x1x300xf32>) -> tensor<?x8x1x64xf32> {
  %o = seq.attention %q, %k, %k bias(%b : tensor<?x8x1x300xf32>) {causal}
      : tensor<?x8x1x64xf32>, tensor<?x2x300x64xf32>, tensor<?x2x300x64xf32>
      -> tensor<?x8x1x64xf32>
  return %o : tensor<?x8x1x64xf32>
}
func.func @decode_dynamic_bias(%q: tensor<?x8x1x64xf32>, %k: tensor<?x2x?x64xf32>,
                               %b: tensor<?x?x?x?xf32>) -> tensor<?x8x1x64xf32> {
  %o = seq.attention %q, %k, %k bias(%b : tensor<?x?x?x?xf32>) {causal}
      : tensor<?x8x1x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>
      -> tensor<?x8x1x64xf32>
  return %o : tensor<?x8x1x64xf32>
}

func.func @padding_mask(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                        %b: tensor<?x1x1x?xf32>) -> tensor<?x8x?x64xf32> {
  %o = seq.attention %q, %k, %k bias(%b : tensor<?x1x1x?xf32>)
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
      -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

// -----

// Left for the reference lowering: f16.
// CHECK-LABEL: func.func @left_alone
// CHECK: seq.attention
func.func @left_alone(%h: tensor<1x2x8x16xf16>) -> tensor<1x2x8x16xf16> {
  // expected-remark @below {{left for the reference lowering: element type other than f32}}
  %p = seq.attention %h, %h, %h
      : tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>
      -> tensor<1x2x8x16xf16>
  return %p : tensor<1x2x8x16xf16>
}

// -----

// Decoding with a huge head (4100 channels: 256 whole vectors and 4 lanes):
// still the narrow tile, its passes over the channel vectors loops rather
// than unrolled code (which took 38 s to compile at D = 32768): the
// queries' whole vectors, the prefetch of each row's cache lines, and the
// value passes over whole vectors; the last, ragged vector is read through a
// mask.
// CHECK-LABEL: func.func @decode_huge_head
// CHECK: scf.parallel
// CHECK: scf.for %[[QV:.*]] = %c0{{.*}} to %c256{{.*}} step %c1
// CHECK: arith.muli %[[QV]], %c16
// CHECK: vector.maskedload {{.*}}%c4096{{.*}} : memref<1x8x1x4100xf32
// CHECK: memref.prefetch %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{[0-9]+}}], read, locality<2>
// CHECK: vector.reduction <add>
// CHECK: math.exp
// CHECK: scf.for %[[PASS:.*]] = %c0{{.*}} to %c256{{.*}} step %c1
// CHECK: %[[E0:.*]] = arith.muli %[[PASS]], %c16
// CHECK: vector.load %{{.*}}[%{{.*}}, %[[E0]]]
// CHECK: vector.maskedload {{.*}}%c4096{{.*}} : memref<1x2x?x4100xf32
// CHECK: return
func.func @decode_huge_head(%q: tensor<1x8x1x4100xf32>, %k: tensor<1x2x?x4100xf32>,
                            %v: tensor<1x2x?x4100xf32>) -> tensor<1x8x1x4100xf32> {
  %o = seq.attention %q, %k, %v : tensor<1x8x1x4100xf32>, tensor<1x2x?x4100xf32>, tensor<1x2x?x4100xf32>
      -> tensor<1x8x1x4100xf32>
  return %o : tensor<1x8x1x4100xf32>
}
