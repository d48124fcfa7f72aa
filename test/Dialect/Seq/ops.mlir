// RUN: seq-opt %s | seq-opt | FileCheck %s
// RUN: seq-opt %s --mlir-print-op-generic | seq-opt | FileCheck %s

// Round trip of every seq op (custom and generic form) in its static,
// dynamic and optional-operand/attribute configurations. Each function's
// CHECK lines match the whole printed custom form of its body.

//===----------------------------------------------------------------------===//
// seq.attention
//===----------------------------------------------------------------------===//

// Static shapes, plain multi-head attention, default scale, no mask.
// CHECK-LABEL: func.func @attention_static(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x8x16x64xf32>, %[[K:.*]]: tensor<2x8x16x64xf32>, %[[V:.*]]: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] : tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32> -> tensor<2x8x16x64xf32>
// CHECK-NEXT:   return %[[OUTPUT]] : tensor<2x8x16x64xf32>
func.func @attention_static(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// Dynamic batch and length, causal, grouped-query (H = 8, Hkv = 2), Dv != D.
// CHECK-LABEL: func.func @attention_dynamic_causal_gqa(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x64xf32>, %[[K:.*]]: tensor<?x2x?x64xf32>, %[[V:.*]]: tensor<?x2x?x32xf32>) -> tensor<?x8x?x32xf32> {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] {causal} : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x32xf32> -> tensor<?x8x?x32xf32>
// CHECK-NEXT:   return %[[OUTPUT]] : tensor<?x8x?x32xf32>
func.func @attention_dynamic_causal_gqa(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x32xf32>) -> tensor<?x8x?x32xf32> {
  %o = seq.attention %q, %k, %v {causal} : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x32xf32> -> tensor<?x8x?x32xf32>
  return %o : tensor<?x8x?x32xf32>
}

// Multi-query attention (Hkv = 1).
// CHECK-LABEL: func.func @attention_mqa(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x64xf32>, %[[K:.*]]: tensor<?x1x?x64xf32>, %[[V:.*]]: tensor<?x1x?x64xf32>) -> tensor<?x8x?x64xf32> {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] {causal} : tensor<?x8x?x64xf32>, tensor<?x1x?x64xf32>, tensor<?x1x?x64xf32> -> tensor<?x8x?x64xf32>
// CHECK-NEXT:   return %[[OUTPUT]] : tensor<?x8x?x64xf32>
func.func @attention_mqa(%q: tensor<?x8x?x64xf32>, %k: tensor<?x1x?x64xf32>, %v: tensor<?x1x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = seq.attention %q, %k, %v {causal} : tensor<?x8x?x64xf32>, tensor<?x1x?x64xf32>, tensor<?x1x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

// Decode step (Lq = 1) over a KV cache with i32 kv_len, f16.
// CHECK-LABEL: func.func @attention_decode_kv_len_i32(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x1x64xf16>, %[[K:.*]]: tensor<?x2x?x64xf16>, %[[V:.*]]: tensor<?x2x?x64xf16>, %[[LEN:.*]]: tensor<?xi32>) -> tensor<?x8x1x64xf16> {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] kv_len(%[[LEN]] : tensor<?xi32>) {causal} : tensor<?x8x1x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x1x64xf16>
// CHECK-NEXT:   return %[[OUTPUT]] : tensor<?x8x1x64xf16>
func.func @attention_decode_kv_len_i32(%q: tensor<?x8x1x64xf16>, %k: tensor<?x2x?x64xf16>, %v: tensor<?x2x?x64xf16>, %len: tensor<?xi32>) -> tensor<?x8x1x64xf16> {
  %o = seq.attention %q, %k, %v kv_len(%len : tensor<?xi32>) {causal} : tensor<?x8x1x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x1x64xf16>
  return %o : tensor<?x8x1x64xf16>
}

// Static decode with index-typed kv_len, MQA, bf16.
// CHECK-LABEL: func.func @attention_kv_len_index(
// CHECK-SAME:    %[[Q:.*]]: tensor<4x8x1x64xbf16>, %[[K:.*]]: tensor<4x1x128x64xbf16>, %[[V:.*]]: tensor<4x1x128x64xbf16>, %[[LEN:.*]]: tensor<4xindex>) -> tensor<4x8x1x64xbf16> {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] kv_len(%[[LEN]] : tensor<4xindex>) : tensor<4x8x1x64xbf16>, tensor<4x1x128x64xbf16>, tensor<4x1x128x64xbf16> -> tensor<4x8x1x64xbf16>
// CHECK-NEXT:   return %[[OUTPUT]] : tensor<4x8x1x64xbf16>
func.func @attention_kv_len_index(%q: tensor<4x8x1x64xbf16>, %k: tensor<4x1x128x64xbf16>, %v: tensor<4x1x128x64xbf16>, %len: tensor<4xindex>) -> tensor<4x8x1x64xbf16> {
  %o = seq.attention %q, %k, %v kv_len(%len : tensor<4xindex>) : tensor<4x8x1x64xbf16>, tensor<4x1x128x64xbf16>, tensor<4x1x128x64xbf16> -> tensor<4x8x1x64xbf16>
  return %o : tensor<4x8x1x64xbf16>
}

// Full-shape additive bias [B, H, Lq, Lk] with Lq != Lk.
// CHECK-LABEL: func.func @attention_bias_full(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x8x16x64xf32>, %[[K:.*]]: tensor<2x8x32x64xf32>, %[[V:.*]]: tensor<2x8x32x64xf32>, %[[BIAS:.*]]: tensor<2x8x16x32xf32>) -> tensor<2x8x16x64xf32> {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] bias(%[[BIAS]] : tensor<2x8x16x32xf32>) : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
// CHECK-NEXT:   return %[[OUTPUT]] : tensor<2x8x16x64xf32>
func.func @attention_bias_full(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>, %bias: tensor<2x8x16x32xf32>) -> tensor<2x8x16x64xf32> {
  %o = seq.attention %q, %k, %v bias(%bias : tensor<2x8x16x32xf32>) : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// Broadcast biases: per head (ALiBi-like), per batch (mask) and a scalar.
// CHECK-LABEL: func.func @attention_bias_broadcast(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x8x16x64xf32>, %[[K:.*]]: tensor<2x2x32x64xf32>, %[[V:.*]]: tensor<2x2x32x64xf32>, %[[ALIBI:.*]]: tensor<1x8x1x32xf32>, %[[MASK:.*]]: tensor<2x1x16x32xf32>, %[[SCALAR:.*]]: tensor<1x1x1x1xf32>) -> (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] bias(%[[ALIBI]] : tensor<1x8x1x32xf32>) {causal} : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x64xf32> -> tensor<2x8x16x64xf32>
// CHECK-NEXT:   %[[OUTPUT_0:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] bias(%[[MASK]] : tensor<2x1x16x32xf32>) : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x64xf32> -> tensor<2x8x16x64xf32>
// CHECK-NEXT:   %[[OUTPUT_1:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] bias(%[[SCALAR]] : tensor<1x1x1x1xf32>) : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x64xf32> -> tensor<2x8x16x64xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[OUTPUT_0]], %[[OUTPUT_1]] : tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>
func.func @attention_bias_broadcast(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x64xf32>, %alibi: tensor<1x8x1x32xf32>, %mask: tensor<2x1x16x32xf32>, %scalar: tensor<1x1x1x1xf32>) -> (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) {
  %o0 = seq.attention %q, %k, %v bias(%alibi : tensor<1x8x1x32xf32>) {causal} : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x64xf32> -> tensor<2x8x16x64xf32>
  %o1 = seq.attention %q, %k, %v bias(%mask : tensor<2x1x16x32xf32>) : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x64xf32> -> tensor<2x8x16x64xf32>
  %o2 = seq.attention %q, %k, %v bias(%scalar : tensor<1x1x1x1xf32>) : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x64xf32> -> tensor<2x8x16x64xf32>
  return %o0, %o1, %o2 : tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>
}

// Bias with dynamic and broadcast dimensions.
// CHECK-LABEL: func.func @attention_bias_dynamic(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x64xf32>, %[[K:.*]]: tensor<?x8x?x64xf32>, %[[V:.*]]: tensor<?x8x?x64xf32>, %[[BIAS:.*]]: tensor<?x1x?x?xf32>) -> tensor<?x8x?x64xf32> {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] bias(%[[BIAS]] : tensor<?x1x?x?xf32>) : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
// CHECK-NEXT:   return %[[OUTPUT]] : tensor<?x8x?x64xf32>
func.func @attention_bias_dynamic(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>, %v: tensor<?x8x?x64xf32>, %bias: tensor<?x1x?x?xf32>) -> tensor<?x8x?x64xf32> {
  %o = seq.attention %q, %k, %v bias(%bias : tensor<?x1x?x?xf32>) : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

// Optional lse result in f32 for f16 inputs.
// CHECK-LABEL: func.func @attention_lse_f32(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x64xf16>, %[[K:.*]]: tensor<?x2x?x64xf16>, %[[V:.*]]: tensor<?x2x?x64xf16>) -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[LSE:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] {causal} : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[LSE]] : tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
func.func @attention_lse_f32(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>, %v: tensor<?x2x?x64xf16>) -> (tensor<?x8x?x64xf16>, tensor<?x8x?xf32>) {
  %o, %lse = seq.attention %q, %k, %v {causal} : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
  return %o, %lse : tensor<?x8x?x64xf16>, tensor<?x8x?xf32>
}

// Optional lse result in the input element type (bf16).
// CHECK-LABEL: func.func @attention_lse_same_type(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x4x16x32xbf16>, %[[K:.*]]: tensor<2x4x16x32xbf16>, %[[V:.*]]: tensor<2x4x16x32xbf16>) -> (tensor<2x4x16x32xbf16>, tensor<2x4x16xbf16>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[LSE:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] : tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16> -> tensor<2x4x16x32xbf16>, tensor<2x4x16xbf16>
// CHECK-NEXT:   return %[[OUTPUT]], %[[LSE]] : tensor<2x4x16x32xbf16>, tensor<2x4x16xbf16>
func.func @attention_lse_same_type(%q: tensor<2x4x16x32xbf16>, %k: tensor<2x4x16x32xbf16>, %v: tensor<2x4x16x32xbf16>) -> (tensor<2x4x16x32xbf16>, tensor<2x4x16xbf16>) {
  %o, %lse = seq.attention %q, %k, %v : tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16> -> tensor<2x4x16x32xbf16>, tensor<2x4x16xbf16>
  return %o, %lse : tensor<2x4x16x32xbf16>, tensor<2x4x16xbf16>
}

// Explicit scale (needed: D is dynamic) and softcap.
// CHECK-LABEL: func.func @attention_scale_softcap(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x?xf32>, %[[K:.*]]: tensor<?x8x?x?xf32>, %[[V:.*]]: tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32> {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f32, softcap = 5.000000e+01 : f32} : tensor<?x8x?x?xf32>, tensor<?x8x?x?xf32>, tensor<?x8x?x?xf32> -> tensor<?x8x?x?xf32>
// CHECK-NEXT:   return %[[OUTPUT]] : tensor<?x8x?x?xf32>
func.func @attention_scale_softcap(%q: tensor<?x8x?x?xf32>, %k: tensor<?x8x?x?xf32>, %v: tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32> {
  %o = seq.attention %q, %k, %v {scale = 0.125 : f32, softcap = 50.0 : f32} : tensor<?x8x?x?xf32>, tensor<?x8x?x?xf32>, tensor<?x8x?x?xf32> -> tensor<?x8x?x?xf32>
  return %o : tensor<?x8x?x?xf32>
}

// Sliding window, causal and centred (non-causal).
// CHECK-LABEL: func.func @attention_window(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x64xf32>, %[[K:.*]]: tensor<?x8x?x64xf32>, %[[V:.*]]: tensor<?x8x?x64xf32>) -> (tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] {causal, window = 256 : i64} : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
// CHECK-NEXT:   %[[OUTPUT_0:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] {window = 4 : i64} : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[OUTPUT_0]] : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
func.func @attention_window(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>, %v: tensor<?x8x?x64xf32>) -> (tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>) {
  %o0 = seq.attention %q, %k, %v {causal, window = 256 : i64} : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  %o1 = seq.attention %q, %k, %v {window = 4 : i64} : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o0, %o1 : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
}

// Chunked (block-diagonal) attention, causal and not.
// CHECK-LABEL: func.func @attention_chunk(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x64xf32>, %[[K:.*]]: tensor<?x8x?x64xf32>, %[[V:.*]]: tensor<?x8x?x64xf32>) -> (tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] {causal, chunk = 64 : i64} : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
// CHECK-NEXT:   %[[OUTPUT_0:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] {chunk = 128 : i64} : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[OUTPUT_0]] : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
func.func @attention_chunk(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>, %v: tensor<?x8x?x64xf32>) -> (tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>) {
  %o0 = seq.attention %q, %k, %v {causal, chunk = 64 : i64} : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  %o1 = seq.attention %q, %k, %v {chunk = 128 : i64} : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o0, %o1 : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
}

// Every operand and attribute at once (bias, i64 kv_len, lse, scale, softcap, causal window).
// CHECK-LABEL: func.func @attention_everything(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x64xbf16>, %[[K:.*]]: tensor<?x2x?x64xbf16>, %[[V:.*]]: tensor<?x2x?x128xbf16>, %[[BIAS:.*]]: tensor<?x8x?x?xbf16>, %[[LEN:.*]]: tensor<?xi64>) -> (tensor<?x8x?x128xbf16>, tensor<?x8x?xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[LSE:.*]] = seq.attention %[[Q]], %[[K]], %[[V]] bias(%[[BIAS]] : tensor<?x8x?x?xbf16>) kv_len(%[[LEN]] : tensor<?xi64>) {causal, scale = 2.500000e-01 : f32, softcap = 3.000000e+01 : f32, window = 1024 : i64} : tensor<?x8x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x128xbf16> -> tensor<?x8x?x128xbf16>, tensor<?x8x?xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[LSE]] : tensor<?x8x?x128xbf16>, tensor<?x8x?xf32>
func.func @attention_everything(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x2x?x64xbf16>, %v: tensor<?x2x?x128xbf16>, %bias: tensor<?x8x?x?xbf16>, %len: tensor<?xi64>) -> (tensor<?x8x?x128xbf16>, tensor<?x8x?xf32>) {
  %o, %lse = seq.attention %q, %k, %v bias(%bias : tensor<?x8x?x?xbf16>) kv_len(%len : tensor<?xi64>) {causal, scale = 2.500000e-01 : f32, softcap = 3.000000e+01 : f32, window = 1024 : i64} : tensor<?x8x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x128xbf16> -> tensor<?x8x?x128xbf16>, tensor<?x8x?xf32>
  return %o, %lse : tensor<?x8x?x128xbf16>, tensor<?x8x?xf32>
}

//===----------------------------------------------------------------------===//
// seq.linear_attention
//===----------------------------------------------------------------------===//

// Static shapes, plain linear attention (Dk != Dv).
// CHECK-LABEL: func.func @linear_attention_static(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x4x16x32xf32>, %[[K:.*]]: tensor<2x4x16x32xf32>, %[[V:.*]]: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[FINAL_STATE:.*]] = seq.linear_attention %[[Q]], %[[K]], %[[V]] : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[FINAL_STATE]] : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
func.func @linear_attention_static(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// Dynamic batch and length with an explicit scale.
// CHECK-LABEL: func.func @linear_attention_dynamic_scale(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x4x?x32xf32>, %[[K:.*]]: tensor<?x4x?x32xf32>, %[[V:.*]]: tensor<?x4x?x64xf32>) -> (tensor<?x4x?x64xf32>, tensor<?x4x32x64xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[FINAL_STATE:.*]] = seq.linear_attention %[[Q]], %[[K]], %[[V]] {scale = 1.000000e+00 : f32} : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x64xf32> -> tensor<?x4x?x64xf32>, tensor<?x4x32x64xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[FINAL_STATE]] : tensor<?x4x?x64xf32>, tensor<?x4x32x64xf32>
func.func @linear_attention_dynamic_scale(%q: tensor<?x4x?x32xf32>, %k: tensor<?x4x?x32xf32>, %v: tensor<?x4x?x64xf32>) -> (tensor<?x4x?x64xf32>, tensor<?x4x32x64xf32>) {
  %o, %s = seq.linear_attention %q, %k, %v {scale = 1.000000e+00 : f32} : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x64xf32> -> tensor<?x4x?x64xf32>, tensor<?x4x32x64xf32>
  return %o, %s : tensor<?x4x?x64xf32>, tensor<?x4x32x64xf32>
}

// Decay of rank 1 [H] (RetNet).
// CHECK-LABEL: func.func @linear_attention_decay_per_head(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x4x?x32xf32>, %[[K:.*]]: tensor<?x4x?x32xf32>, %[[V:.*]]: tensor<?x4x?x32xf32>, %[[G:.*]]: tensor<4xf32>) -> (tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[FINAL_STATE:.*]] = seq.linear_attention %[[Q]], %[[K]], %[[V]] decay(%[[G]] : tensor<4xf32>) : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32> -> tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[FINAL_STATE]] : tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>
func.func @linear_attention_decay_per_head(%q: tensor<?x4x?x32xf32>, %k: tensor<?x4x?x32xf32>, %v: tensor<?x4x?x32xf32>, %g: tensor<4xf32>) -> (tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>) {
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<4xf32>) : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32> -> tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>
  return %o, %s : tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>
}

// Decay of rank 3 [B, H, L] (Mamba-2 SSD).
// CHECK-LABEL: func.func @linear_attention_decay_per_step(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x4x?x32xf32>, %[[K:.*]]: tensor<?x4x?x32xf32>, %[[V:.*]]: tensor<?x4x?x32xf32>, %[[G:.*]]: tensor<?x4x?xf32>) -> (tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[FINAL_STATE:.*]] = seq.linear_attention %[[Q]], %[[K]], %[[V]] decay(%[[G]] : tensor<?x4x?xf32>) : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32> -> tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[FINAL_STATE]] : tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>
func.func @linear_attention_decay_per_step(%q: tensor<?x4x?x32xf32>, %k: tensor<?x4x?x32xf32>, %v: tensor<?x4x?x32xf32>, %g: tensor<?x4x?xf32>) -> (tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>) {
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<?x4x?xf32>) : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32> -> tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>
  return %o, %s : tensor<?x4x?x32xf32>, tensor<?x4x32x32xf32>
}

// Decay of rank 4 [B, H, L, Dk] (GLA) with an initial state.
// CHECK-LABEL: func.func @linear_attention_decay_per_channel(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x4x?x128xf32>, %[[K:.*]]: tensor<?x4x?x128xf32>, %[[V:.*]]: tensor<?x4x?x128xf32>, %[[G:.*]]: tensor<?x4x?x128xf32>, %[[S0:.*]]: tensor<?x4x128x128xf32>) -> (tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[FINAL_STATE:.*]] = seq.linear_attention %[[Q]], %[[K]], %[[V]] decay(%[[G]] : tensor<?x4x?x128xf32>) initial_state(%[[S0]] : tensor<?x4x128x128xf32>) : tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32> -> tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[FINAL_STATE]] : tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
func.func @linear_attention_decay_per_channel(%q: tensor<?x4x?x128xf32>, %k: tensor<?x4x?x128xf32>, %v: tensor<?x4x?x128xf32>, %g: tensor<?x4x?x128xf32>, %s0: tensor<?x4x128x128xf32>) -> (tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>) {
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<?x4x?x128xf32>) initial_state(%s0 : tensor<?x4x128x128xf32>) : tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32> -> tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
  return %o, %s : tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
}

// Delta rule (beta), static bf16.
// CHECK-LABEL: func.func @linear_attention_delta_rule(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x4x16x32xbf16>, %[[K:.*]]: tensor<2x4x16x32xbf16>, %[[V:.*]]: tensor<2x4x16x32xbf16>, %[[BETA:.*]]: tensor<2x4x16xbf16>) -> (tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[FINAL_STATE:.*]] = seq.linear_attention %[[Q]], %[[K]], %[[V]] beta(%[[BETA]] : tensor<2x4x16xbf16>) : tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16> -> tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>
// CHECK-NEXT:   return %[[OUTPUT]], %[[FINAL_STATE]] : tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>
func.func @linear_attention_delta_rule(%q: tensor<2x4x16x32xbf16>, %k: tensor<2x4x16x32xbf16>, %v: tensor<2x4x16x32xbf16>, %beta: tensor<2x4x16xbf16>) -> (tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>) {
  %o, %s = seq.linear_attention %q, %k, %v beta(%beta : tensor<2x4x16xbf16>) : tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16> -> tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>
  return %o, %s : tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>
}

// Gated delta rule (decay + beta) with initial state and scale, f16.
// CHECK-LABEL: func.func @linear_attention_gated_delta(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x4x?x32xf16>, %[[K:.*]]: tensor<?x4x?x32xf16>, %[[V:.*]]: tensor<?x4x?x64xf16>, %[[G:.*]]: tensor<?x4x?xf16>, %[[BETA:.*]]: tensor<?x4x?xf16>, %[[S0:.*]]: tensor<?x4x32x64xf16>) -> (tensor<?x4x?x64xf16>, tensor<?x4x32x64xf16>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[FINAL_STATE:.*]] = seq.linear_attention %[[Q]], %[[K]], %[[V]] decay(%[[G]] : tensor<?x4x?xf16>) beta(%[[BETA]] : tensor<?x4x?xf16>) initial_state(%[[S0]] : tensor<?x4x32x64xf16>) {scale = 5.000000e-01 : f32} : tensor<?x4x?x32xf16>, tensor<?x4x?x32xf16>, tensor<?x4x?x64xf16> -> tensor<?x4x?x64xf16>, tensor<?x4x32x64xf16>
// CHECK-NEXT:   return %[[OUTPUT]], %[[FINAL_STATE]] : tensor<?x4x?x64xf16>, tensor<?x4x32x64xf16>
func.func @linear_attention_gated_delta(%q: tensor<?x4x?x32xf16>, %k: tensor<?x4x?x32xf16>, %v: tensor<?x4x?x64xf16>, %g: tensor<?x4x?xf16>, %beta: tensor<?x4x?xf16>, %s0: tensor<?x4x32x64xf16>) -> (tensor<?x4x?x64xf16>, tensor<?x4x32x64xf16>) {
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<?x4x?xf16>) beta(%beta : tensor<?x4x?xf16>) initial_state(%s0 : tensor<?x4x32x64xf16>) {scale = 0.5 : f32} : tensor<?x4x?x32xf16>, tensor<?x4x?x32xf16>, tensor<?x4x?x64xf16> -> tensor<?x4x?x64xf16>, tensor<?x4x32x64xf16>
  return %o, %s : tensor<?x4x?x64xf16>, tensor<?x4x32x64xf16>
}

// mLSTM: normalize (state Dv + 1) with a per-step forget gate and initial state.
// CHECK-LABEL: func.func @linear_attention_mlstm(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x4x?x32xf32>, %[[K:.*]]: tensor<?x4x?x32xf32>, %[[V:.*]]: tensor<?x4x?x64xf32>, %[[F:.*]]: tensor<?x4x?xf32>, %[[S0:.*]]: tensor<?x4x32x65xf32>) -> (tensor<?x4x?x64xf32>, tensor<?x4x32x65xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[FINAL_STATE:.*]] = seq.linear_attention %[[Q]], %[[K]], %[[V]] decay(%[[F]] : tensor<?x4x?xf32>) initial_state(%[[S0]] : tensor<?x4x32x65xf32>) {normalize} : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x64xf32> -> tensor<?x4x?x64xf32>, tensor<?x4x32x65xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[FINAL_STATE]] : tensor<?x4x?x64xf32>, tensor<?x4x32x65xf32>
func.func @linear_attention_mlstm(%q: tensor<?x4x?x32xf32>, %k: tensor<?x4x?x32xf32>, %v: tensor<?x4x?x64xf32>, %f: tensor<?x4x?xf32>, %s0: tensor<?x4x32x65xf32>) -> (tensor<?x4x?x64xf32>, tensor<?x4x32x65xf32>) {
  %o, %s = seq.linear_attention %q, %k, %v decay(%f : tensor<?x4x?xf32>) initial_state(%s0 : tensor<?x4x32x65xf32>) {normalize} : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x64xf32> -> tensor<?x4x?x64xf32>, tensor<?x4x32x65xf32>
  return %o, %s : tensor<?x4x?x64xf32>, tensor<?x4x32x65xf32>
}

// normalize with a dynamic Dv (state dim 3 dynamic).
// CHECK-LABEL: func.func @linear_attention_normalize_dynamic_dv(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x4x?x32xf32>, %[[K:.*]]: tensor<?x4x?x32xf32>, %[[V:.*]]: tensor<?x4x?x?xf32>) -> (tensor<?x4x?x?xf32>, tensor<?x4x32x?xf32>) {
// CHECK-NEXT:   %[[OUTPUT:.*]], %[[FINAL_STATE:.*]] = seq.linear_attention %[[Q]], %[[K]], %[[V]] {normalize, scale = 2.500000e-01 : f32} : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x?xf32> -> tensor<?x4x?x?xf32>, tensor<?x4x32x?xf32>
// CHECK-NEXT:   return %[[OUTPUT]], %[[FINAL_STATE]] : tensor<?x4x?x?xf32>, tensor<?x4x32x?xf32>
func.func @linear_attention_normalize_dynamic_dv(%q: tensor<?x4x?x32xf32>, %k: tensor<?x4x?x32xf32>, %v: tensor<?x4x?x?xf32>) -> (tensor<?x4x?x?xf32>, tensor<?x4x32x?xf32>) {
  %o, %s = seq.linear_attention %q, %k, %v {normalize, scale = 0.25 : f32} : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x?xf32> -> tensor<?x4x?x?xf32>, tensor<?x4x32x?xf32>
  return %o, %s : tensor<?x4x?x?xf32>, tensor<?x4x32x?xf32>
}

//===----------------------------------------------------------------------===//
// seq.selective_scan
//===----------------------------------------------------------------------===//

// Static, no optional operands, G = 1.
// CHECK-LABEL: func.func @selective_scan_minimal(
// CHECK-SAME:    %[[U:.*]]: tensor<2x16x64xf32>, %[[DT:.*]]: tensor<2x16x64xf32>, %[[A:.*]]: tensor<64x16xf32>, %[[B:.*]]: tensor<2x16x1x16xf32>, %[[C:.*]]: tensor<2x16x1x16xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT:   %[[Y:.*]], %[[LAST_STATE:.*]] = seq.selective_scan %[[U]], %[[DT]], %[[A]], %[[B]], %[[C]] : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x16xf32>, tensor<2x16x1x16xf32>, tensor<2x16x1x16xf32> -> tensor<2x16x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT:   return %[[Y]], %[[LAST_STATE]] : tensor<2x16x64xf32>, tensor<2x64x16xf32>
func.func @selective_scan_minimal(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x16x1x16xf32>, %C: tensor<2x16x1x16xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x16xf32>, tensor<2x16x1x16xf32>, tensor<2x16x1x16xf32> -> tensor<2x16x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x16xf32>
}

// Dynamic batch/length with D, z, delta_bias, initial_state and delta_softplus.
// CHECK-LABEL: func.func @selective_scan_full(
// CHECK-SAME:    %[[U:.*]]: tensor<?x?x1536xf32>, %[[DT:.*]]: tensor<?x?x1536xf32>, %[[A:.*]]: tensor<1536x16xf32>, %[[B:.*]]: tensor<?x?x1x16xf32>, %[[C:.*]]: tensor<?x?x1x16xf32>, %[[D:.*]]: tensor<1536xf32>, %[[Z:.*]]: tensor<?x?x1536xf32>, %[[DB:.*]]: tensor<1536xf32>, %[[H0:.*]]: tensor<?x1536x16xf32>) -> (tensor<?x?x1536xf32>, tensor<?x1536x16xf32>) {
// CHECK-NEXT:   %[[Y:.*]], %[[LAST_STATE:.*]] = seq.selective_scan %[[U]], %[[DT]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<1536xf32>) z(%[[Z]] : tensor<?x?x1536xf32>) delta_bias(%[[DB]] : tensor<1536xf32>) initial_state(%[[H0]] : tensor<?x1536x16xf32>) {delta_softplus} : tensor<?x?x1536xf32>, tensor<?x?x1536xf32>, tensor<1536x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32> -> tensor<?x?x1536xf32>, tensor<?x1536x16xf32>
// CHECK-NEXT:   return %[[Y]], %[[LAST_STATE]] : tensor<?x?x1536xf32>, tensor<?x1536x16xf32>
func.func @selective_scan_full(%u: tensor<?x?x1536xf32>, %dt: tensor<?x?x1536xf32>, %A: tensor<1536x16xf32>, %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>, %D: tensor<1536xf32>, %z: tensor<?x?x1536xf32>, %db: tensor<1536xf32>, %h0: tensor<?x1536x16xf32>) -> (tensor<?x?x1536xf32>, tensor<?x1536x16xf32>) {
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<1536xf32>) z(%z : tensor<?x?x1536xf32>) delta_bias(%db : tensor<1536xf32>) initial_state(%h0 : tensor<?x1536x16xf32>) {delta_softplus} : tensor<?x?x1536xf32>, tensor<?x?x1536xf32>, tensor<1536x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32> -> tensor<?x?x1536xf32>, tensor<?x1536x16xf32>
  return %y, %h : tensor<?x?x1536xf32>, tensor<?x1536x16xf32>
}

// Groups G = 4 for B and C, with D only, bf16.
// CHECK-LABEL: func.func @selective_scan_groups(
// CHECK-SAME:    %[[U:.*]]: tensor<?x?x64xbf16>, %[[DT:.*]]: tensor<?x?x64xbf16>, %[[A:.*]]: tensor<64x8xbf16>, %[[B:.*]]: tensor<?x?x4x8xbf16>, %[[C:.*]]: tensor<?x?x4x8xbf16>, %[[D:.*]]: tensor<64xbf16>) -> (tensor<?x?x64xbf16>, tensor<?x64x8xbf16>) {
// CHECK-NEXT:   %[[Y:.*]], %[[LAST_STATE:.*]] = seq.selective_scan %[[U]], %[[DT]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<64xbf16>) : tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<64x8xbf16>, tensor<?x?x4x8xbf16>, tensor<?x?x4x8xbf16> -> tensor<?x?x64xbf16>, tensor<?x64x8xbf16>
// CHECK-NEXT:   return %[[Y]], %[[LAST_STATE]] : tensor<?x?x64xbf16>, tensor<?x64x8xbf16>
func.func @selective_scan_groups(%u: tensor<?x?x64xbf16>, %dt: tensor<?x?x64xbf16>, %A: tensor<64x8xbf16>, %B: tensor<?x?x4x8xbf16>, %C: tensor<?x?x4x8xbf16>, %D: tensor<64xbf16>) -> (tensor<?x?x64xbf16>, tensor<?x64x8xbf16>) {
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<64xbf16>) : tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<64x8xbf16>, tensor<?x?x4x8xbf16>, tensor<?x?x4x8xbf16> -> tensor<?x?x64xbf16>, tensor<?x64x8xbf16>
  return %y, %h : tensor<?x?x64xbf16>, tensor<?x64x8xbf16>
}

// Fully dynamic shapes with z and delta_softplus, f16.
// CHECK-LABEL: func.func @selective_scan_z_softplus(
// CHECK-SAME:    %[[U:.*]]: tensor<?x?x?xf16>, %[[DT:.*]]: tensor<?x?x?xf16>, %[[A:.*]]: tensor<?x?xf16>, %[[B:.*]]: tensor<?x?x?x?xf16>, %[[C:.*]]: tensor<?x?x?x?xf16>, %[[Z:.*]]: tensor<?x?x?xf16>) -> (tensor<?x?x?xf16>, tensor<?x?x?xf16>) {
// CHECK-NEXT:   %[[Y:.*]], %[[LAST_STATE:.*]] = seq.selective_scan %[[U]], %[[DT]], %[[A]], %[[B]], %[[C]] z(%[[Z]] : tensor<?x?x?xf16>) {delta_softplus} : tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16> -> tensor<?x?x?xf16>, tensor<?x?x?xf16>
// CHECK-NEXT:   return %[[Y]], %[[LAST_STATE]] : tensor<?x?x?xf16>, tensor<?x?x?xf16>
func.func @selective_scan_z_softplus(%u: tensor<?x?x?xf16>, %dt: tensor<?x?x?xf16>, %A: tensor<?x?xf16>, %B: tensor<?x?x?x?xf16>, %C: tensor<?x?x?x?xf16>, %z: tensor<?x?x?xf16>) -> (tensor<?x?x?xf16>, tensor<?x?x?xf16>) {
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C z(%z : tensor<?x?x?xf16>) {delta_softplus} : tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16> -> tensor<?x?x?xf16>, tensor<?x?x?xf16>
  return %y, %h : tensor<?x?x?xf16>, tensor<?x?x?xf16>
}

// delta_bias and initial_state without D or z, G = 2.
// CHECK-LABEL: func.func @selective_scan_bias_state(
// CHECK-SAME:    %[[U:.*]]: tensor<1x8x32xf32>, %[[DT:.*]]: tensor<1x8x32xf32>, %[[A:.*]]: tensor<32x4xf32>, %[[B:.*]]: tensor<1x8x2x4xf32>, %[[C:.*]]: tensor<1x8x2x4xf32>, %[[DB:.*]]: tensor<32xf32>, %[[H0:.*]]: tensor<1x32x4xf32>) -> (tensor<1x8x32xf32>, tensor<1x32x4xf32>) {
// CHECK-NEXT:   %[[Y:.*]], %[[LAST_STATE:.*]] = seq.selective_scan %[[U]], %[[DT]], %[[A]], %[[B]], %[[C]] delta_bias(%[[DB]] : tensor<32xf32>) initial_state(%[[H0]] : tensor<1x32x4xf32>) : tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<32x4xf32>, tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32> -> tensor<1x8x32xf32>, tensor<1x32x4xf32>
// CHECK-NEXT:   return %[[Y]], %[[LAST_STATE]] : tensor<1x8x32xf32>, tensor<1x32x4xf32>
func.func @selective_scan_bias_state(%u: tensor<1x8x32xf32>, %dt: tensor<1x8x32xf32>, %A: tensor<32x4xf32>, %B: tensor<1x8x2x4xf32>, %C: tensor<1x8x2x4xf32>, %db: tensor<32xf32>, %h0: tensor<1x32x4xf32>) -> (tensor<1x8x32xf32>, tensor<1x32x4xf32>) {
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C delta_bias(%db : tensor<32xf32>) initial_state(%h0 : tensor<1x32x4xf32>) : tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<32x4xf32>, tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32> -> tensor<1x8x32xf32>, tensor<1x32x4xf32>
  return %y, %h : tensor<1x8x32xf32>, tensor<1x32x4xf32>
}

//===----------------------------------------------------------------------===//
// seq.scan
//===----------------------------------------------------------------------===//

// One input, inclusive forward cumulative sum over dim 1.
// CHECK-LABEL: func.func @scan_cumsum_static(
// CHECK-SAME:    %[[X:.*]]: tensor<4x16xf32>) -> tensor<4x16xf32> {
// CHECK-NEXT:   %[[R:.*]] = seq.scan dim = 1 ins(%[[X]] : tensor<4x16xf32>) -> tensor<4x16xf32> {
// CHECK-NEXT:   ^bb0(%[[ACC:.*]]: f32, %[[E:.*]]: f32):
// CHECK-NEXT:   %[[V1:.*]] = arith.addf %[[ACC]], %[[E]] : f32
// CHECK-NEXT:   seq.yield %[[V1]] : f32
// CHECK-NEXT:   }
// CHECK-NEXT:   return %[[R]] : tensor<4x16xf32>
func.func @scan_cumsum_static(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%acc: f32, %e: f32):
    %s = arith.addf %acc, %e : f32
    seq.yield %s : f32
  }
  return %r : tensor<4x16xf32>
}

// Exclusive integer scan over dim 0 with init.
// CHECK-LABEL: func.func @scan_exclusive_init_dim0(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?xi32>, %[[INIT:.*]]: tensor<?xi32>) -> tensor<?x?xi32> {
// CHECK-NEXT:   %[[R:.*]] = seq.scan dim = 0 ins(%[[X]] : tensor<?x?xi32>) init(%[[INIT]] : tensor<?xi32>) {exclusive} -> tensor<?x?xi32> {
// CHECK-NEXT:   ^bb0(%[[ACC:.*]]: i32, %[[E:.*]]: i32):
// CHECK-NEXT:   %[[V1:.*]] = arith.addi %[[ACC]], %[[E]] : i32
// CHECK-NEXT:   seq.yield %[[V1]] : i32
// CHECK-NEXT:   }
// CHECK-NEXT:   return %[[R]] : tensor<?x?xi32>
func.func @scan_exclusive_init_dim0(%x: tensor<?x?xi32>, %init: tensor<?xi32>) -> tensor<?x?xi32> {
  %r = seq.scan dim = 0 ins(%x : tensor<?x?xi32>) init(%init : tensor<?xi32>) {exclusive} -> tensor<?x?xi32> {
  ^bb0(%acc: i32, %e: i32):
    %s = arith.addi %acc, %e : i32
    seq.yield %s : i32
  }
  return %r : tensor<?x?xi32>
}

// Reverse running max over dim 1 of a rank-3 tensor with init.
// CHECK-LABEL: func.func @scan_reverse_rank3(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x32xf32>, %[[INIT:.*]]: tensor<?x32xf32>) -> tensor<?x?x32xf32> {
// CHECK-NEXT:   %[[R:.*]] = seq.scan dim = 1 ins(%[[X]] : tensor<?x?x32xf32>) init(%[[INIT]] : tensor<?x32xf32>) {reverse} -> tensor<?x?x32xf32> {
// CHECK-NEXT:   ^bb0(%[[ACC:.*]]: f32, %[[E:.*]]: f32):
// CHECK-NEXT:   %[[V1:.*]] = arith.maximumf %[[ACC]], %[[E]] : f32
// CHECK-NEXT:   seq.yield %[[V1]] : f32
// CHECK-NEXT:   }
// CHECK-NEXT:   return %[[R]] : tensor<?x?x32xf32>
func.func @scan_reverse_rank3(%x: tensor<?x?x32xf32>, %init: tensor<?x32xf32>) -> tensor<?x?x32xf32> {
  %r = seq.scan dim = 1 ins(%x : tensor<?x?x32xf32>) init(%init : tensor<?x32xf32>) {reverse} -> tensor<?x?x32xf32> {
  ^bb0(%acc: f32, %e: f32):
    %s = arith.maximumf %acc, %e : f32
    seq.yield %s : f32
  }
  return %r : tensor<?x?x32xf32>
}

// Two inputs: online-softmax combiner on (max, sum) pairs.
// CHECK-LABEL: func.func @scan_online_softmax(
// CHECK-SAME:    %[[M:.*]]: tensor<?x?xf32>, %[[S:.*]]: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
// CHECK-NEXT:   %[[R:.*]]:2 = seq.scan dim = 1 ins(%[[M]], %[[S]] : tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>, tensor<?x?xf32> {
// CHECK-NEXT:   ^bb0(%[[M0:.*]]: f32, %[[S0:.*]]: f32, %[[M1:.*]]: f32, %[[S1:.*]]: f32):
// CHECK-NEXT:   %[[V1:.*]] = arith.maximumf %[[M0]], %[[M1]] : f32
// CHECK-NEXT:   %[[V2:.*]] = arith.subf %[[M0]], %[[V1]] : f32
// CHECK-NEXT:   %[[V3:.*]] = arith.subf %[[M1]], %[[V1]] : f32
// CHECK-NEXT:   %[[V4:.*]] = math.exp %[[V2]] : f32
// CHECK-NEXT:   %[[V5:.*]] = math.exp %[[V3]] : f32
// CHECK-NEXT:   %[[V6:.*]] = arith.mulf %[[S0]], %[[V4]] : f32
// CHECK-NEXT:   %[[V7:.*]] = arith.mulf %[[S1]], %[[V5]] : f32
// CHECK-NEXT:   %[[V8:.*]] = arith.addf %[[V6]], %[[V7]] : f32
// CHECK-NEXT:   seq.yield %[[V1]], %[[V8]] : f32, f32
// CHECK-NEXT:   }
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1 : tensor<?x?xf32>, tensor<?x?xf32>
func.func @scan_online_softmax(%m: tensor<?x?xf32>, %s: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %rm, %rs = seq.scan dim = 1 ins(%m, %s : tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%m0: f32, %s0: f32, %m1: f32, %s1: f32):
    %mx = arith.maximumf %m0, %m1 : f32
    %d0 = arith.subf %m0, %mx : f32
    %d1 = arith.subf %m1, %mx : f32
    %e0 = math.exp %d0 : f32
    %e1 = math.exp %d1 : f32
    %t0 = arith.mulf %s0, %e0 : f32
    %t1 = arith.mulf %s1, %e1 : f32
    %sum = arith.addf %t0, %t1 : f32
    seq.yield %mx, %sum : f32, f32
  }
  return %rm, %rs : tensor<?x?xf32>, tensor<?x?xf32>
}

// Two inputs: composition of affine maps, with init, exclusive and reverse.
// CHECK-LABEL: func.func @scan_affine_composition(
// CHECK-SAME:    %[[A:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?x?xf32>, %[[A0:.*]]: tensor<?xf32>, %[[B0:.*]]: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
// CHECK-NEXT:   %[[R:.*]]:2 = seq.scan dim = 1 ins(%[[A]], %[[B]] : tensor<?x?xf32>, tensor<?x?xf32>) init(%[[A0]], %[[B0]] : tensor<?xf32>, tensor<?xf32>) {exclusive, reverse} -> tensor<?x?xf32>, tensor<?x?xf32> {
// CHECK-NEXT:   ^bb0(%[[X0:.*]]: f32, %[[Y0:.*]]: f32, %[[X1:.*]]: f32, %[[Y1:.*]]: f32):
// CHECK-NEXT:   %[[V1:.*]] = arith.mulf %[[X1]], %[[X0]] : f32
// CHECK-NEXT:   %[[V2:.*]] = arith.mulf %[[X1]], %[[Y0]] : f32
// CHECK-NEXT:   %[[V3:.*]] = arith.addf %[[V2]], %[[Y1]] : f32
// CHECK-NEXT:   seq.yield %[[V1]], %[[V3]] : f32, f32
// CHECK-NEXT:   }
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1 : tensor<?x?xf32>, tensor<?x?xf32>
func.func @scan_affine_composition(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %a0: tensor<?xf32>, %b0: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %A, %Bv = seq.scan dim = 1 ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) init(%a0, %b0 : tensor<?xf32>, tensor<?xf32>) {exclusive, reverse} -> tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%x0: f32, %y0: f32, %x1: f32, %y1: f32):
    %a2 = arith.mulf %x1, %x0 : f32
    %t = arith.mulf %x1, %y0 : f32
    %b2 = arith.addf %t, %y1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  return %A, %Bv : tensor<?x?xf32>, tensor<?x?xf32>
}

//===----------------------------------------------------------------------===//
// seq.recurrence: region form
//===----------------------------------------------------------------------===//

// Region cell using captured weights with linalg/arith/math on tensors.
// CHECK-LABEL: func.func @recurrence_region_captured_weight(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x16xf32>, %[[H0:.*]]: tensor<?x32xf32>, %[[W:.*]]: tensor<16x32xf32>, %[[U:.*]]: tensor<32x32xf32>) -> (tensor<?x32xf32>, tensor<?x?x32xf32>) {
// CHECK-NEXT:   %[[R:.*]]:2 = seq.recurrence ins(%[[X]] : tensor<?x?x16xf32>) init(%[[H0]] : tensor<?x32xf32>) -> tensor<?x32xf32>, tensor<?x?x32xf32> {
// CHECK-NEXT:   ^bb0(%[[HP:.*]]: tensor<?x32xf32>, %[[XT:.*]]: tensor<?x16xf32>):
// CHECK-NEXT:   %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT:   %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[DIM:.*]] = tensor.dim %[[XT]], %[[C0]] : tensor<?x16xf32>
// CHECK-NEXT:   %[[V1:.*]] = tensor.empty(%[[DIM]]) : tensor<?x32xf32>
// CHECK-NEXT:   %[[V2:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V1]] : tensor<?x32xf32>) -> tensor<?x32xf32>
// CHECK-NEXT:   %[[V3:.*]] = linalg.matmul ins(%[[XT]], %[[W]] : tensor<?x16xf32>, tensor<16x32xf32>) outs(%[[V2]] : tensor<?x32xf32>) -> tensor<?x32xf32>
// CHECK-NEXT:   %[[V4:.*]] = linalg.matmul ins(%[[HP]], %[[U]] : tensor<?x32xf32>, tensor<32x32xf32>) outs(%[[V3]] : tensor<?x32xf32>) -> tensor<?x32xf32>
// CHECK-NEXT:   %[[V5:.*]] = math.tanh %[[V4]] : tensor<?x32xf32>
// CHECK-NEXT:   seq.yield %[[V5]], %[[V5]] : tensor<?x32xf32>, tensor<?x32xf32>
// CHECK-NEXT:   }
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1 : tensor<?x32xf32>, tensor<?x?x32xf32>
func.func @recurrence_region_captured_weight(%x: tensor<?x?x16xf32>, %h0: tensor<?x32xf32>, %w: tensor<16x32xf32>, %u: tensor<32x32xf32>) -> (tensor<?x32xf32>, tensor<?x?x32xf32>) {
  %h, %y = seq.recurrence ins(%x : tensor<?x?x16xf32>) init(%h0 : tensor<?x32xf32>) -> tensor<?x32xf32>, tensor<?x?x32xf32> {
  ^bb0(%hp: tensor<?x32xf32>, %xt: tensor<?x16xf32>):
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.000000e+00 : f32
    %b = tensor.dim %xt, %c0 : tensor<?x16xf32>
    %e = tensor.empty(%b) : tensor<?x32xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
    %xw = linalg.matmul ins(%xt, %w : tensor<?x16xf32>, tensor<16x32xf32>) outs(%f : tensor<?x32xf32>) -> tensor<?x32xf32>
    %hu = linalg.matmul ins(%hp, %u : tensor<?x32xf32>, tensor<32x32xf32>) outs(%xw : tensor<?x32xf32>) -> tensor<?x32xf32>
    %hn = math.tanh %hu : tensor<?x32xf32>
    seq.yield %hn, %hn : tensor<?x32xf32>, tensor<?x32xf32>
  }
  return %h, %y : tensor<?x32xf32>, tensor<?x?x32xf32>
}

// Region cell with two states, two inputs, two step outputs, reverse.
// CHECK-LABEL: func.func @recurrence_region_multi_reverse(
// CHECK-SAME:    %[[X:.*]]: tensor<4x10x32xf32>, %[[G:.*]]: tensor<4x10x32xf32>, %[[H0:.*]]: tensor<4x32xf32>, %[[N0:.*]]: tensor<4xf32>) -> (tensor<4x32xf32>, tensor<4xf32>, tensor<4x10x32xf32>, tensor<4x10xf32>) {
// CHECK-NEXT:   %[[R:.*]]:4 = seq.recurrence ins(%[[X]], %[[G]] : tensor<4x10x32xf32>, tensor<4x10x32xf32>) init(%[[H0]], %[[N0]] : tensor<4x32xf32>, tensor<4xf32>) {reverse} -> tensor<4x32xf32>, tensor<4xf32>, tensor<4x10x32xf32>, tensor<4x10xf32> {
// CHECK-NEXT:   ^bb0(%[[HP:.*]]: tensor<4x32xf32>, %[[NP:.*]]: tensor<4xf32>, %[[XT:.*]]: tensor<4x32xf32>, %[[GT:.*]]: tensor<4x32xf32>):
// CHECK-NEXT:   %[[V1:.*]] = arith.mulf %[[GT]], %[[HP]] : tensor<4x32xf32>
// CHECK-NEXT:   %[[V2:.*]] = arith.addf %[[V1]], %[[XT]] : tensor<4x32xf32>
// CHECK-NEXT:   %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT:   %[[V3:.*]] = arith.addf %[[NP]], %[[CST]] : tensor<4xf32>
// CHECK-NEXT:   seq.yield %[[V2]], %[[V3]], %[[V2]], %[[V3]] : tensor<4x32xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<4xf32>
// CHECK-NEXT:   }
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1, %[[R]]#2, %[[R]]#3 : tensor<4x32xf32>, tensor<4xf32>, tensor<4x10x32xf32>, tensor<4x10xf32>
func.func @recurrence_region_multi_reverse(%x: tensor<4x10x32xf32>, %g: tensor<4x10x32xf32>, %h0: tensor<4x32xf32>, %n0: tensor<4xf32>) -> (tensor<4x32xf32>, tensor<4xf32>, tensor<4x10x32xf32>, tensor<4x10xf32>) {
  %h, %n, %y, %z = seq.recurrence ins(%x, %g : tensor<4x10x32xf32>, tensor<4x10x32xf32>) init(%h0, %n0 : tensor<4x32xf32>, tensor<4xf32>) {reverse} -> tensor<4x32xf32>, tensor<4xf32>, tensor<4x10x32xf32>, tensor<4x10xf32> {
  ^bb0(%hp: tensor<4x32xf32>, %np: tensor<4xf32>, %xt: tensor<4x32xf32>, %gt: tensor<4x32xf32>):
    %a = arith.mulf %gt, %hp : tensor<4x32xf32>
    %hn = arith.addf %a, %xt : tensor<4x32xf32>
    %one = arith.constant dense<1.000000e+00> : tensor<4xf32>
    %nn = arith.addf %np, %one : tensor<4xf32>
    seq.yield %hn, %nn, %hn, %nn : tensor<4x32xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<4xf32>
  }
  return %h, %n, %y, %z : tensor<4x32xf32>, tensor<4xf32>, tensor<4x10x32xf32>, tensor<4x10xf32>
}

// Region cell with a state and no step outputs.
// CHECK-LABEL: func.func @recurrence_region_no_outputs(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x8xf32>, %[[H0:.*]]: tensor<?x8xf32>) -> tensor<?x8xf32> {
// CHECK-NEXT:   %[[R:.*]] = seq.recurrence ins(%[[X]] : tensor<?x?x8xf32>) init(%[[H0]] : tensor<?x8xf32>) -> tensor<?x8xf32> {
// CHECK-NEXT:   ^bb0(%[[HP:.*]]: tensor<?x8xf32>, %[[XT:.*]]: tensor<?x8xf32>):
// CHECK-NEXT:   %[[V1:.*]] = arith.addf %[[HP]], %[[XT]] : tensor<?x8xf32>
// CHECK-NEXT:   seq.yield %[[V1]] : tensor<?x8xf32>
// CHECK-NEXT:   }
// CHECK-NEXT:   return %[[R]] : tensor<?x8xf32>
func.func @recurrence_region_no_outputs(%x: tensor<?x?x8xf32>, %h0: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %h = seq.recurrence ins(%x : tensor<?x?x8xf32>) init(%h0 : tensor<?x8xf32>) -> tensor<?x8xf32> {
  ^bb0(%hp: tensor<?x8xf32>, %xt: tensor<?x8xf32>):
    %hn = arith.addf %hp, %xt : tensor<?x8xf32>
    seq.yield %hn : tensor<?x8xf32>
  }
  return %h : tensor<?x8xf32>
}

//===----------------------------------------------------------------------===//
// seq.recurrence: named cells
//===----------------------------------------------------------------------===//

// LSTM, 4 heads of 32 units (block-diagonal w_rec), no init or biases.
// CHECK-LABEL: func.func @recurrence_lstm_multihead(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x64xf32>, %[[WI:.*]]: tensor<512x64xf32>, %[[WR:.*]]: tensor<4x4x32x32xf32>) -> (tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>) {
// CHECK-NEXT:   %[[R:.*]]:3 = seq.recurrence cell = lstm ins(%[[X]] : tensor<?x?x64xf32>) w_in(%[[WI]] : tensor<512x64xf32>) w_rec(%[[WR]] : tensor<4x4x32x32xf32>) -> tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1, %[[R]]#2 : tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>
func.func @recurrence_lstm_multihead(%x: tensor<?x?x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>) -> (tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>) {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>
  return %h, %c, %y : tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>
}

// LSTM with init (h, c), b_in, b_rec, dense w_rec (NH = 1), reverse.
// CHECK-LABEL: func.func @recurrence_lstm_full(
// CHECK-SAME:    %[[X:.*]]: tensor<2x16x32xf32>, %[[H0:.*]]: tensor<2x64xf32>, %[[C0:.*]]: tensor<2x64xf32>, %[[WI:.*]]: tensor<256x32xf32>, %[[WR:.*]]: tensor<4x1x64x64xf32>, %[[BI:.*]]: tensor<256xf32>, %[[BR:.*]]: tensor<256xf32>) -> (tensor<2x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>) {
// CHECK-NEXT:   %[[R:.*]]:3 = seq.recurrence cell = lstm ins(%[[X]] : tensor<2x16x32xf32>) init(%[[H0]], %[[C0]] : tensor<2x64xf32>, tensor<2x64xf32>) w_in(%[[WI]] : tensor<256x32xf32>) w_rec(%[[WR]] : tensor<4x1x64x64xf32>) b_in(%[[BI]] : tensor<256xf32>) b_rec(%[[BR]] : tensor<256xf32>) {reverse} -> tensor<2x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1, %[[R]]#2 : tensor<2x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>
func.func @recurrence_lstm_full(%x: tensor<2x16x32xf32>, %h0: tensor<2x64xf32>, %c0: tensor<2x64xf32>, %wi: tensor<256x32xf32>, %wr: tensor<4x1x64x64xf32>, %bi: tensor<256xf32>, %br: tensor<256xf32>) -> (tensor<2x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>) {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x32xf32>) init(%h0, %c0 : tensor<2x64xf32>, tensor<2x64xf32>) w_in(%wi : tensor<256x32xf32>) w_rec(%wr : tensor<4x1x64x64xf32>) b_in(%bi : tensor<256xf32>) b_rec(%br : tensor<256xf32>) {reverse} -> tensor<2x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>
  return %h, %c, %y : tensor<2x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>
}

// GRU with init and both biases, bf16.
// CHECK-LABEL: func.func @recurrence_gru(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x16xbf16>, %[[H0:.*]]: tensor<?x32xbf16>, %[[WI:.*]]: tensor<96x16xbf16>, %[[WR:.*]]: tensor<3x1x32x32xbf16>, %[[BI:.*]]: tensor<96xbf16>, %[[BR:.*]]: tensor<96xbf16>) -> (tensor<?x32xbf16>, tensor<?x?x32xbf16>) {
// CHECK-NEXT:   %[[R:.*]]:2 = seq.recurrence cell = gru ins(%[[X]] : tensor<?x?x16xbf16>) init(%[[H0]] : tensor<?x32xbf16>) w_in(%[[WI]] : tensor<96x16xbf16>) w_rec(%[[WR]] : tensor<3x1x32x32xbf16>) b_in(%[[BI]] : tensor<96xbf16>) b_rec(%[[BR]] : tensor<96xbf16>) -> tensor<?x32xbf16>, tensor<?x?x32xbf16>
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1 : tensor<?x32xbf16>, tensor<?x?x32xbf16>
func.func @recurrence_gru(%x: tensor<?x?x16xbf16>, %h0: tensor<?x32xbf16>, %wi: tensor<96x16xbf16>, %wr: tensor<3x1x32x32xbf16>, %bi: tensor<96xbf16>, %br: tensor<96xbf16>) -> (tensor<?x32xbf16>, tensor<?x?x32xbf16>) {
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<?x?x16xbf16>) init(%h0 : tensor<?x32xbf16>) w_in(%wi : tensor<96x16xbf16>) w_rec(%wr : tensor<3x1x32x32xbf16>) b_in(%bi : tensor<96xbf16>) b_rec(%br : tensor<96xbf16>) -> tensor<?x32xbf16>, tensor<?x?x32xbf16>
  return %h, %y : tensor<?x32xbf16>, tensor<?x?x32xbf16>
}

// GRU with 2 heads, no init, reverse.
// CHECK-LABEL: func.func @recurrence_gru_no_init(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x16xf32>, %[[WI:.*]]: tensor<96x16xf32>, %[[WR:.*]]: tensor<3x2x16x16xf32>) -> (tensor<?x32xf32>, tensor<?x?x32xf32>) {
// CHECK-NEXT:   %[[R:.*]]:2 = seq.recurrence cell = gru ins(%[[X]] : tensor<?x?x16xf32>) w_in(%[[WI]] : tensor<96x16xf32>) w_rec(%[[WR]] : tensor<3x2x16x16xf32>) {reverse} -> tensor<?x32xf32>, tensor<?x?x32xf32>
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1 : tensor<?x32xf32>, tensor<?x?x32xf32>
func.func @recurrence_gru_no_init(%x: tensor<?x?x16xf32>, %wi: tensor<96x16xf32>, %wr: tensor<3x2x16x16xf32>) -> (tensor<?x32xf32>, tensor<?x?x32xf32>) {
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<?x?x16xf32>) w_in(%wi : tensor<96x16xf32>) w_rec(%wr : tensor<3x2x16x16xf32>) {reverse} -> tensor<?x32xf32>, tensor<?x?x32xf32>
  return %h, %y : tensor<?x32xf32>, tensor<?x?x32xf32>
}

// sLSTM with four initial states (h, c, n, m) and b_in.
// CHECK-LABEL: func.func @recurrence_slstm(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x64xf32>, %[[H0:.*]]: tensor<?x64xf32>, %[[C0:.*]]: tensor<?x64xf32>, %[[N0:.*]]: tensor<?x64xf32>, %[[M0:.*]]: tensor<?x64xf32>, %[[WI:.*]]: tensor<256x64xf32>, %[[WR:.*]]: tensor<4x4x16x16xf32>, %[[BI:.*]]: tensor<256xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x?x64xf32>) {
// CHECK-NEXT:   %[[R:.*]]:5 = seq.recurrence cell = slstm ins(%[[X]] : tensor<?x?x64xf32>) init(%[[H0]], %[[C0]], %[[N0]], %[[M0]] : tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>) w_in(%[[WI]] : tensor<256x64xf32>) w_rec(%[[WR]] : tensor<4x4x16x16xf32>) b_in(%[[BI]] : tensor<256xf32>) -> tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x?x64xf32>
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1, %[[R]]#2, %[[R]]#3, %[[R]]#4 : tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x?x64xf32>
func.func @recurrence_slstm(%x: tensor<?x?x64xf32>, %h0: tensor<?x64xf32>, %c0: tensor<?x64xf32>, %n0: tensor<?x64xf32>, %m0: tensor<?x64xf32>, %wi: tensor<256x64xf32>, %wr: tensor<4x4x16x16xf32>, %bi: tensor<256xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x?x64xf32>) {
  %h, %c, %n, %m, %y = seq.recurrence cell = slstm ins(%x : tensor<?x?x64xf32>) init(%h0, %c0, %n0, %m0 : tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>) w_in(%wi : tensor<256x64xf32>) w_rec(%wr : tensor<4x4x16x16xf32>) b_in(%bi : tensor<256xf32>) -> tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x?x64xf32>
  return %h, %c, %n, %m, %y : tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x?x64xf32>
}

// sLSTM, static, no init, f16.
// CHECK-LABEL: func.func @recurrence_slstm_no_init(
// CHECK-SAME:    %[[X:.*]]: tensor<1x8x16xf16>, %[[WI:.*]]: tensor<128x16xf16>, %[[WR:.*]]: tensor<4x2x16x16xf16>) -> (tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x8x32xf16>) {
// CHECK-NEXT:   %[[R:.*]]:5 = seq.recurrence cell = slstm ins(%[[X]] : tensor<1x8x16xf16>) w_in(%[[WI]] : tensor<128x16xf16>) w_rec(%[[WR]] : tensor<4x2x16x16xf16>) -> tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x8x32xf16>
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1, %[[R]]#2, %[[R]]#3, %[[R]]#4 : tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x8x32xf16>
func.func @recurrence_slstm_no_init(%x: tensor<1x8x16xf16>, %wi: tensor<128x16xf16>, %wr: tensor<4x2x16x16xf16>) -> (tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x8x32xf16>) {
  %h, %c, %n, %m, %y = seq.recurrence cell = slstm ins(%x : tensor<1x8x16xf16>) w_in(%wi : tensor<128x16xf16>) w_rec(%wr : tensor<4x2x16x16xf16>) -> tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x8x32xf16>
  return %h, %c, %n, %m, %y : tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x32xf16>, tensor<1x8x32xf16>
}

// Elman with init and b_rec only, reverse.
// CHECK-LABEL: func.func @recurrence_elman(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x8xf32>, %[[H0:.*]]: tensor<?x16xf32>, %[[WI:.*]]: tensor<16x8xf32>, %[[WR:.*]]: tensor<1x1x16x16xf32>, %[[BR:.*]]: tensor<16xf32>) -> (tensor<?x16xf32>, tensor<?x?x16xf32>) {
// CHECK-NEXT:   %[[R:.*]]:2 = seq.recurrence cell = elman ins(%[[X]] : tensor<?x?x8xf32>) init(%[[H0]] : tensor<?x16xf32>) w_in(%[[WI]] : tensor<16x8xf32>) w_rec(%[[WR]] : tensor<1x1x16x16xf32>) b_rec(%[[BR]] : tensor<16xf32>) {reverse} -> tensor<?x16xf32>, tensor<?x?x16xf32>
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1 : tensor<?x16xf32>, tensor<?x?x16xf32>
func.func @recurrence_elman(%x: tensor<?x?x8xf32>, %h0: tensor<?x16xf32>, %wi: tensor<16x8xf32>, %wr: tensor<1x1x16x16xf32>, %br: tensor<16xf32>) -> (tensor<?x16xf32>, tensor<?x?x16xf32>) {
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<?x?x8xf32>) init(%h0 : tensor<?x16xf32>) w_in(%wi : tensor<16x8xf32>) w_rec(%wr : tensor<1x1x16x16xf32>) b_rec(%br : tensor<16xf32>) {reverse} -> tensor<?x16xf32>, tensor<?x?x16xf32>
  return %h, %y : tensor<?x16xf32>, tensor<?x?x16xf32>
}

// Elman whose hidden size is dynamic (from w_rec).
// CHECK-LABEL: func.func @recurrence_elman_dynamic_hidden(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x8xf32>, %[[WI:.*]]: tensor<?x8xf32>, %[[WR:.*]]: tensor<1x?x?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?x?xf32>) {
// CHECK-NEXT:   %[[R:.*]]:2 = seq.recurrence cell = elman ins(%[[X]] : tensor<?x?x8xf32>) w_in(%[[WI]] : tensor<?x8xf32>) w_rec(%[[WR]] : tensor<1x?x?x?xf32>) -> tensor<?x?xf32>, tensor<?x?x?xf32>
// CHECK-NEXT:   return %[[R]]#0, %[[R]]#1 : tensor<?x?xf32>, tensor<?x?x?xf32>
func.func @recurrence_elman_dynamic_hidden(%x: tensor<?x?x8xf32>, %wi: tensor<?x8xf32>, %wr: tensor<1x?x?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?x?xf32>) {
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<?x?x8xf32>) w_in(%wi : tensor<?x8xf32>) w_rec(%wr : tensor<1x?x?x?xf32>) -> tensor<?x?xf32>, tensor<?x?x?xf32>
  return %h, %y : tensor<?x?xf32>, tensor<?x?x?xf32>
}

//===----------------------------------------------------------------------===//
// seq.conv1d
//===----------------------------------------------------------------------===//

// Depthwise, static, no bias, default activation (none, elided).
// CHECK-LABEL: func.func @conv1d_depthwise_static(
// CHECK-SAME:    %[[X:.*]]: tensor<2x16x8xf32>, %[[W:.*]]: tensor<8x1x4xf32>) -> tensor<2x16x8xf32> {
// CHECK-NEXT:   %[[Y:.*]] = seq.conv1d %[[X]], %[[W]] : tensor<2x16x8xf32>, tensor<8x1x4xf32> -> tensor<2x16x8xf32>
// CHECK-NEXT:   return %[[Y]] : tensor<2x16x8xf32>
func.func @conv1d_depthwise_static(%x: tensor<2x16x8xf32>, %w: tensor<8x1x4xf32>) -> tensor<2x16x8xf32> {
  %y = seq.conv1d %x, %w : tensor<2x16x8xf32>, tensor<8x1x4xf32> -> tensor<2x16x8xf32>
  return %y : tensor<2x16x8xf32>
}

// Depthwise with bias and silu (Mamba's short convolution).
// CHECK-LABEL: func.func @conv1d_depthwise_bias_silu(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x1536xf32>, %[[W:.*]]: tensor<1536x1x4xf32>, %[[B:.*]]: tensor<1536xf32>) -> tensor<?x?x1536xf32> {
// CHECK-NEXT:   %[[Y:.*]] = seq.conv1d %[[X]], %[[W]] bias(%[[B]] : tensor<1536xf32>) activation silu : tensor<?x?x1536xf32>, tensor<1536x1x4xf32> -> tensor<?x?x1536xf32>
// CHECK-NEXT:   return %[[Y]] : tensor<?x?x1536xf32>
func.func @conv1d_depthwise_bias_silu(%x: tensor<?x?x1536xf32>, %w: tensor<1536x1x4xf32>, %b: tensor<1536xf32>) -> tensor<?x?x1536xf32> {
  %y = seq.conv1d %x, %w bias(%b : tensor<1536xf32>) activation silu : tensor<?x?x1536xf32>, tensor<1536x1x4xf32> -> tensor<?x?x1536xf32>
  return %y : tensor<?x?x1536xf32>
}

// Grouped (G = 2, Cout = 2 * Cin) with bias and relu, bf16.
// CHECK-LABEL: func.func @conv1d_grouped(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x8xbf16>, %[[W:.*]]: tensor<16x4x3xbf16>, %[[B:.*]]: tensor<16xbf16>) -> tensor<?x?x16xbf16> {
// CHECK-NEXT:   %[[Y:.*]] = seq.conv1d %[[X]], %[[W]] bias(%[[B]] : tensor<16xbf16>) activation relu : tensor<?x?x8xbf16>, tensor<16x4x3xbf16> -> tensor<?x?x16xbf16>
// CHECK-NEXT:   return %[[Y]] : tensor<?x?x16xbf16>
func.func @conv1d_grouped(%x: tensor<?x?x8xbf16>, %w: tensor<16x4x3xbf16>, %b: tensor<16xbf16>) -> tensor<?x?x16xbf16> {
  %y = seq.conv1d %x, %w bias(%b : tensor<16xbf16>) activation relu : tensor<?x?x8xbf16>, tensor<16x4x3xbf16> -> tensor<?x?x16xbf16>
  return %y : tensor<?x?x16xbf16>
}

// Dense (G = 1) with gelu, f16.
// CHECK-LABEL: func.func @conv1d_dense_gelu(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x8xf16>, %[[W:.*]]: tensor<12x8x2xf16>) -> tensor<?x?x12xf16> {
// CHECK-NEXT:   %[[Y:.*]] = seq.conv1d %[[X]], %[[W]] activation gelu : tensor<?x?x8xf16>, tensor<12x8x2xf16> -> tensor<?x?x12xf16>
// CHECK-NEXT:   return %[[Y]] : tensor<?x?x12xf16>
func.func @conv1d_dense_gelu(%x: tensor<?x?x8xf16>, %w: tensor<12x8x2xf16>) -> tensor<?x?x12xf16> {
  %y = seq.conv1d %x, %w activation gelu : tensor<?x?x8xf16>, tensor<12x8x2xf16> -> tensor<?x?x12xf16>
  return %y : tensor<?x?x12xf16>
}

// Dilation 2 with state [B, (K-1)*dil, C] and final_state, tanh.
// CHECK-LABEL: func.func @conv1d_dilated_state(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x8xf32>, %[[W:.*]]: tensor<8x1x4xf32>, %[[S0:.*]]: tensor<?x6x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x6x8xf32>) {
// CHECK-NEXT:   %[[Y:.*]], %[[FINAL_STATE:.*]] = seq.conv1d %[[X]], %[[W]] state(%[[S0]] : tensor<?x6x8xf32>) activation tanh {dilation = 2 : i64} : tensor<?x?x8xf32>, tensor<8x1x4xf32> -> tensor<?x?x8xf32>, tensor<?x6x8xf32>
// CHECK-NEXT:   return %[[Y]], %[[FINAL_STATE]] : tensor<?x?x8xf32>, tensor<?x6x8xf32>
func.func @conv1d_dilated_state(%x: tensor<?x?x8xf32>, %w: tensor<8x1x4xf32>, %s0: tensor<?x6x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x6x8xf32>) {
  %y, %s = seq.conv1d %x, %w state(%s0 : tensor<?x6x8xf32>) activation tanh {dilation = 2 : i64} : tensor<?x?x8xf32>, tensor<8x1x4xf32> -> tensor<?x?x8xf32>, tensor<?x6x8xf32>
  return %y, %s : tensor<?x?x8xf32>, tensor<?x6x8xf32>
}

// Single-step streaming call: bias, state, final_state, silu.
// CHECK-LABEL: func.func @conv1d_streaming(
// CHECK-SAME:    %[[X:.*]]: tensor<?x1x1536xf32>, %[[W:.*]]: tensor<1536x1x4xf32>, %[[B:.*]]: tensor<1536xf32>, %[[S0:.*]]: tensor<?x3x1536xf32>) -> (tensor<?x1x1536xf32>, tensor<?x3x1536xf32>) {
// CHECK-NEXT:   %[[Y:.*]], %[[FINAL_STATE:.*]] = seq.conv1d %[[X]], %[[W]] bias(%[[B]] : tensor<1536xf32>) state(%[[S0]] : tensor<?x3x1536xf32>) activation silu : tensor<?x1x1536xf32>, tensor<1536x1x4xf32> -> tensor<?x1x1536xf32>, tensor<?x3x1536xf32>
// CHECK-NEXT:   return %[[Y]], %[[FINAL_STATE]] : tensor<?x1x1536xf32>, tensor<?x3x1536xf32>
func.func @conv1d_streaming(%x: tensor<?x1x1536xf32>, %w: tensor<1536x1x4xf32>, %b: tensor<1536xf32>, %s0: tensor<?x3x1536xf32>) -> (tensor<?x1x1536xf32>, tensor<?x3x1536xf32>) {
  %y, %s = seq.conv1d %x, %w bias(%b : tensor<1536xf32>) state(%s0 : tensor<?x3x1536xf32>) activation silu : tensor<?x1x1536xf32>, tensor<1536x1x4xf32> -> tensor<?x1x1536xf32>, tensor<?x3x1536xf32>
  return %y, %s : tensor<?x1x1536xf32>, tensor<?x3x1536xf32>
}

// state without a final_state result.
// CHECK-LABEL: func.func @conv1d_state_only(
// CHECK-SAME:    %[[X:.*]]: tensor<2x16x8xf32>, %[[W:.*]]: tensor<8x1x4xf32>, %[[S0:.*]]: tensor<2x3x8xf32>) -> tensor<2x16x8xf32> {
// CHECK-NEXT:   %[[Y:.*]] = seq.conv1d %[[X]], %[[W]] state(%[[S0]] : tensor<2x3x8xf32>) : tensor<2x16x8xf32>, tensor<8x1x4xf32> -> tensor<2x16x8xf32>
// CHECK-NEXT:   return %[[Y]] : tensor<2x16x8xf32>
func.func @conv1d_state_only(%x: tensor<2x16x8xf32>, %w: tensor<8x1x4xf32>, %s0: tensor<2x3x8xf32>) -> tensor<2x16x8xf32> {
  %y = seq.conv1d %x, %w state(%s0 : tensor<2x3x8xf32>) : tensor<2x16x8xf32>, tensor<8x1x4xf32> -> tensor<2x16x8xf32>
  return %y : tensor<2x16x8xf32>
}

// final_state without state, dynamic K, dilation 3, explicit activation none (elided).
// CHECK-LABEL: func.func @conv1d_final_state_dynamic_kernel(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x8xf32>, %[[W:.*]]: tensor<8x1x?xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>) {
// CHECK-NEXT:   %[[Y:.*]], %[[FINAL_STATE:.*]] = seq.conv1d %[[X]], %[[W]] {dilation = 3 : i64} : tensor<?x?x8xf32>, tensor<8x1x?xf32> -> tensor<?x?x8xf32>, tensor<?x?x8xf32>
// CHECK-NEXT:   return %[[Y]], %[[FINAL_STATE]] : tensor<?x?x8xf32>, tensor<?x?x8xf32>
func.func @conv1d_final_state_dynamic_kernel(%x: tensor<?x?x8xf32>, %w: tensor<8x1x?xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>) {
  %y, %s = seq.conv1d %x, %w activation none {dilation = 3 : i64} : tensor<?x?x8xf32>, tensor<8x1x?xf32> -> tensor<?x?x8xf32>, tensor<?x?x8xf32>
  return %y, %s : tensor<?x?x8xf32>, tensor<?x?x8xf32>
}


//===----------------------------------------------------------------------===//
// seq.dequantize
//===----------------------------------------------------------------------===//

// int8, one scale per output channel.
// CHECK-LABEL: func.func @dequantize_int8_per_channel(
// CHECK-NEXT:   %{{.*}} = seq.dequantize %{{.*}}, %{{.*}} bits 8 : tensor<96x64xi8>, tensor<96x1xf32> -> tensor<96x64xf32>
func.func @dequantize_int8_per_channel(%q: tensor<96x64xi8>, %s: tensor<96x1xf32>) -> tensor<96x64xf32> {
  %w = seq.dequantize %q, %s bits 8 : tensor<96x64xi8>, tensor<96x1xf32> -> tensor<96x64xf32>
  return %w : tensor<96x64xf32>
}

// int4 in groups of 32: two values a byte.
// CHECK-LABEL: func.func @dequantize_int4_groups(
// CHECK-NEXT:   %{{.*}} = seq.dequantize %{{.*}}, %{{.*}} bits 4 : tensor<96x32xi8>, tensor<96x2xf32> -> tensor<96x64xf32>
func.func @dequantize_int4_groups(%q: tensor<96x32xi8>, %s: tensor<96x2xf32>) -> tensor<96x64xf32> {
  %w = seq.dequantize %q, %s bits 4 : tensor<96x32xi8>, tensor<96x2xf32> -> tensor<96x64xf32>
  return %w : tensor<96x64xf32>
}

// CHECK-LABEL: func.func @dequantize_asymmetric(
// CHECK-NEXT:   %{{.*}} = seq.dequantize %{{.*}}, %{{.*}} zero %{{.*}} bits 4 : tensor<96x32xi8>, tensor<96x2xf32>, tensor<96x2xi8> -> tensor<96x64xf32>
func.func @dequantize_asymmetric(%q: tensor<96x32xi8>, %s: tensor<96x2xf32>, %z: tensor<96x2xi8>) -> tensor<96x64xf32> {
  %w = seq.dequantize %q, %s zero %z bits 4 : tensor<96x32xi8>, tensor<96x2xf32>, tensor<96x2xi8> -> tensor<96x64xf32>
  return %w : tensor<96x64xf32>
}

// CHECK-LABEL: func.func @dequantize_bf16(
// CHECK-NEXT:   %{{.*}} = seq.dequantize %{{.*}} bits 16 : tensor<96x128xi8> -> tensor<96x64xf32>
func.func @dequantize_bf16(%q: tensor<96x128xi8>) -> tensor<96x64xf32> {
  %w = seq.dequantize %q bits 16 : tensor<96x128xi8> -> tensor<96x64xf32>
  return %w : tensor<96x64xf32>
}

// CHECK-LABEL: func.func @fake_quantize(
// CHECK-NEXT:   %{{.*}} = seq.fake_quantize %{{.*}} : tensor<?x?x768xf32>
func.func @fake_quantize(%x: tensor<?x?x768xf32>) -> tensor<?x?x768xf32> {
  %y = seq.fake_quantize %x : tensor<?x?x768xf32>
  return %y : tensor<?x?x768xf32>
}

// CHECK-LABEL: func.func @int8_dot(
// CHECK-NEXT:   %{{.*}} = seq.int8_dot %{{.*}}, %{{.*}}, %{{.*}} : vector<64xi8> -> vector<16xi32>
func.func @int8_dot(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %r = seq.int8_dot %acc, %a, %b : vector<64xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// CHECK-LABEL: func.func @fake_quantize_outliers(
// CHECK-NEXT:   %{{.*}} = seq.fake_quantize %{{.*}} outliers 6.000000e+00 : tensor<?x768xf32>
func.func @fake_quantize_outliers(%x: tensor<?x768xf32>) -> tensor<?x768xf32> {
  %y = seq.fake_quantize %x outliers 6.0 : tensor<?x768xf32>
  return %y : tensor<?x768xf32>
}

// CHECK-LABEL: func.func @fake_quantize_static(
// CHECK-NEXT:   %{{.*}} = seq.fake_quantize %{{.*}} scale %{{.*}} : tensor<?x?x1536xf32>, tensor<f32>
func.func @fake_quantize_static(%x: tensor<?x?x1536xf32>, %s: tensor<f32>) -> tensor<?x?x1536xf32> {
  %y = seq.fake_quantize %x scale %s : tensor<?x?x1536xf32>, tensor<f32>
  return %y : tensor<?x?x1536xf32>
}

// CHECK-LABEL: func.func @hadamard(
// CHECK-NEXT:   %{{.*}} = seq.hadamard %{{.*}} block 512 : tensor<?x?x1536xf32>
func.func @hadamard(%x: tensor<?x?x1536xf32>) -> tensor<?x?x1536xf32> {
  %y = seq.hadamard %x block 512 : tensor<?x?x1536xf32>
  return %y : tensor<?x?x1536xf32>
}
