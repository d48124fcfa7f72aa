// RUN: seq-opt %s -split-input-file -verify-diagnostics

// Verifier diagnostics of the seq dialect: one case per split, grouped by op.
// Each case is a small function whose one seq op makes one mistake; the
// expected message is matched in full.

//===----------------------------------------------------------------------===//
// seq.attention: operand ranks
//===----------------------------------------------------------------------===//

func.func @attention_q_rank(%q: tensor<2x8x16xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'q' must have rank 4 [B, H, Lq, D], got rank 3 ('tensor<2x8x16xf32>')}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

// Batch-folded k, [B*Hkv, Lk, D], as some frameworks store the KV cache.
func.func @attention_k_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<4x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'k' must have rank 4 [B, Hkv, Lk, D], got rank 3 ('tensor<4x16x64xf32>')}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<4x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_v_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64x1xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'v' must have rank 4 [B, Hkv, Lk, Dv], got rank 5 ('tensor<2x2x16x64x1xf32>')}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64x1xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.attention: sizes shared between q, k and v
//===----------------------------------------------------------------------===//

func.func @attention_k_batch(%q: tensor<2x8x16x64xf32>, %k: tensor<3x2x16x64xf32>, %v: tensor<3x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'k' dimension 0 (B) is 3, but 'q' has B = 2}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<3x2x16x64xf32>, tensor<3x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_k_head_dim(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'k' dimension 3 (D) is 32, but 'q' has D = 64}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

// [B, L, H, D] layout (the flash-attn convention) given for k and v.
func.func @attention_kv_layout(%q: tensor<2x8x16x64xf32>, %k: tensor<2x16x2x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'v' dimension 1 (Hkv) is 2, but 'k' has Hkv = 16}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x16x2x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_v_length(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x128x64xf32>, %v: tensor<2x2x127x64xf32>) -> tensor<2x8x1x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'v' dimension 2 (Lk) is 127, but 'k' has Lk = 128}}
  %o = seq.attention %q, %k, %v : tensor<2x8x1x64xf32>, tensor<2x2x128x64xf32>, tensor<2x2x127x64xf32> -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.attention: element types
//===----------------------------------------------------------------------===//

func.func @attention_q_not_float(%q: tensor<2x8x16x64xi8>, %k: tensor<2x2x16x64xi8>, %v: tensor<2x2x16x64xi8>) -> tensor<2x8x16x64xi8> {
  // expected-error @+1 {{'seq.attention' op 'q' must have a float element type, got 'i8'}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xi8>, tensor<2x2x16x64xi8>, tensor<2x2x16x64xi8> -> tensor<2x8x16x64xi8>
  return %o : tensor<2x8x16x64xi8>
}

// -----

func.func @attention_k_element_type(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf16>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'k' element type 'f16' does not match 'q' element type 'f32'}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf16>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_v_element_type(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x16x64xbf16>, %v: tensor<2x2x16x64xf16>) -> tensor<2x8x16x64xbf16> {
  // expected-error @+1 {{'seq.attention' op 'v' element type 'f16' does not match 'q' element type 'bf16'}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xbf16>, tensor<2x2x16x64xbf16>, tensor<2x2x16x64xf16> -> tensor<2x8x16x64xbf16>
  return %o : tensor<2x8x16x64xbf16>
}

// -----

// Unranked operands are rejected by the ODS operand constraint before the
// verifier runs (so ShapeChecker's "must be a ranked tensor" is unreachable).
func.func @attention_bias_unranked(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>, %b: tensor<*xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op operand #3 must be ranked tensor of any type values, but got 'tensor<*xf32>'}}
  %o = seq.attention %q, %k, %v bias(%b : tensor<*xf32>) : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.attention: grouped-query head counts
//===----------------------------------------------------------------------===//

func.func @attention_zero_kv_heads(%q: tensor<2x8x16x64xf32>, %k: tensor<2x0x16x64xf32>, %v: tensor<2x0x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op key/value heads Hkv (dimension 1 of 'k' and 'v') must be at least 1, got 0}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x0x16x64xf32>, tensor<2x0x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_gqa_not_divisible(%q: tensor<2x8x16x64xf32>, %k: tensor<2x3x16x64xf32>, %v: tensor<2x3x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op query heads H = 8 must be a multiple of key/value heads Hkv = 3 (grouped-query attention)}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x3x16x64xf32>, tensor<2x3x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

// More key/value heads than query heads (q and k swapped).
func.func @attention_more_kv_heads(%q: tensor<2x2x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x2x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op query heads H = 2 must be a multiple of key/value heads Hkv = 8 (grouped-query attention)}}
  %o = seq.attention %q, %k, %v : tensor<2x2x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32> -> tensor<2x2x16x64xf32>
  return %o : tensor<2x2x16x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.attention: bias
//===----------------------------------------------------------------------===//

// A [Lq, Lk] mask without the broadcast batch and head dimensions.
func.func @attention_bias_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>, %b: tensor<16x16xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'bias' must have rank 4 [B, H, Lq, Lk] (each dimension may be 1 to broadcast), got 'tensor<16x16xf32>'}}
  %o = seq.attention %q, %k, %v bias(%b : tensor<16x16xf32>) : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

// A per-kv-head bias (Hkv = 2) where the bias is per query head (H = 8).
func.func @attention_bias_heads(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>, %b: tensor<1x2x16x16xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'bias' dimension 1 (H) must be 1 or 8, got 2}}
  %o = seq.attention %q, %k, %v bias(%b : tensor<1x2x16x16xf32>) : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_bias_key_length(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x128x64xf32>, %v: tensor<2x2x128x64xf32>, %b: tensor<1x1x1x127xf32>) -> tensor<2x8x1x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'bias' dimension 3 (Lk) must be 1 or 128, got 127}}
  %o = seq.attention %q, %k, %v bias(%b : tensor<1x1x1x127xf32>) : tensor<2x8x1x64xf32>, tensor<2x2x128x64xf32>, tensor<2x2x128x64xf32> -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

// -----

// A boolean mask given where an additive float bias is expected.
func.func @attention_bias_bool(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>, %b: tensor<1x1x16x16xi1>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'bias' must have a float element type, got 'i1'}}
  %o = seq.attention %q, %k, %v bias(%b : tensor<1x1x16x16xi1>) : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_bias_element_type(%q: tensor<2x8x16x64xf16>, %k: tensor<2x2x16x64xf16>, %v: tensor<2x2x16x64xf16>, %b: tensor<1x1x16x16xf32>) -> tensor<2x8x16x64xf16> {
  // expected-error @+1 {{'seq.attention' op 'bias' element type 'f32' does not match 'q' element type 'f16'}}
  %o = seq.attention %q, %k, %v bias(%b : tensor<1x1x16x16xf32>) : tensor<2x8x16x64xf16>, tensor<2x2x16x64xf16>, tensor<2x2x16x64xf16> -> tensor<2x8x16x64xf16>
  return %o : tensor<2x8x16x64xf16>
}

// -----

//===----------------------------------------------------------------------===//
// seq.attention: kv_len
//===----------------------------------------------------------------------===//

func.func @attention_kv_len_rank(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x128x64xf32>, %v: tensor<2x2x128x64xf32>, %n: tensor<2x1xi32>) -> tensor<2x8x1x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'kv_len' must have rank 1 [B], got rank 2 ('tensor<2x1xi32>')}}
  %o = seq.attention %q, %k, %v kv_len(%n : tensor<2x1xi32>) {causal} : tensor<2x8x1x64xf32>, tensor<2x2x128x64xf32>, tensor<2x2x128x64xf32> -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

// -----

func.func @attention_kv_len_batch(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x128x64xf32>, %v: tensor<2x2x128x64xf32>, %n: tensor<4xi32>) -> tensor<2x8x1x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'kv_len' dimension 0 (B) is 4, but 'q' has B = 2}}
  %o = seq.attention %q, %k, %v kv_len(%n : tensor<4xi32>) {causal} : tensor<2x8x1x64xf32>, tensor<2x2x128x64xf32>, tensor<2x2x128x64xf32> -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

// -----

func.func @attention_kv_len_float(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x128x64xf32>, %v: tensor<2x2x128x64xf32>, %n: tensor<2xf32>) -> tensor<2x8x1x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'kv_len' must hold signless integers or index values, got 'f32'}}
  %o = seq.attention %q, %k, %v kv_len(%n : tensor<2xf32>) {causal} : tensor<2x8x1x64xf32>, tensor<2x2x128x64xf32>, tensor<2x2x128x64xf32> -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

// -----

func.func @attention_kv_len_unsigned(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x128x64xf32>, %v: tensor<2x2x128x64xf32>, %n: tensor<2xui32>) -> tensor<2x8x1x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'kv_len' must hold signless integers or index values, got 'ui32'}}
  %o = seq.attention %q, %k, %v kv_len(%n : tensor<2xui32>) {causal} : tensor<2x8x1x64xf32>, tensor<2x2x128x64xf32>, tensor<2x2x128x64xf32> -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.attention: results
//===----------------------------------------------------------------------===//

func.func @attention_output_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x16x512xf32> {
  // expected-error @+1 {{'seq.attention' op 'output' must have rank 4 [B, H, Lq, Dv], got rank 3 ('tensor<2x16x512xf32>')}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x16x512xf32>
  return %o : tensor<2x16x512xf32>
}

// -----

// The output has the query heads, not the key/value heads.
func.func @attention_output_heads(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x2x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'output' dimension 1 (H) is 2, but 'q' has H = 8}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x2x16x64xf32>
  return %o : tensor<2x2x16x64xf32>
}

// -----

// The output's last dimension is Dv (from v), not D (from q).
func.func @attention_output_value_dim(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x128xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'output' dimension 3 (Dv) is 64, but 'v' has Dv = 128}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x128xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

// Prefill output length used for a decode step (Lq = 1).
func.func @attention_output_query_length(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x128x64xf32>, %v: tensor<2x2x128x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'output' dimension 2 (Lq) is 128, but 'q' has Lq = 1}}
  %o = seq.attention %q, %k, %v {causal} : tensor<2x8x1x64xf32>, tensor<2x2x128x64xf32>, tensor<2x2x128x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

func.func @attention_output_element_type(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x16x64xbf16>, %v: tensor<2x2x16x64xbf16>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'output' element type 'f32' does not match 'q' element type 'bf16'}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xbf16>, tensor<2x2x16x64xbf16>, tensor<2x2x16x64xbf16> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_output_not_float(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xi32> {
  // expected-error @+1 {{'seq.attention' op 'output' must have a float element type, got 'i32'}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xi32>
  return %o : tensor<2x8x16x64xi32>
}

// -----

// lse keeps the query length dimension: [B, H, Lq].
func.func @attention_lse_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> (tensor<2x8x16x64xf32>, tensor<2x8xf32>) {
  // expected-error @+1 {{'seq.attention' op 'lse' must have rank 3 [B, H, Lq], got rank 2 ('tensor<2x8xf32>')}}
  %o, %l = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>, tensor<2x8xf32>
  return %o, %l : tensor<2x8x16x64xf32>, tensor<2x8xf32>
}

// -----

func.func @attention_lse_heads(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> (tensor<2x8x16x64xf32>, tensor<2x2x16xf32>) {
  // expected-error @+1 {{'seq.attention' op 'lse' dimension 1 (H) is 2, but 'q' has H = 8}}
  %o, %l = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>, tensor<2x2x16xf32>
  return %o, %l : tensor<2x8x16x64xf32>, tensor<2x2x16xf32>
}

// -----

func.func @attention_lse_element_type(%q: tensor<2x8x16x64xf16>, %k: tensor<2x2x16x64xf16>, %v: tensor<2x2x16x64xf16>) -> (tensor<2x8x16x64xf16>, tensor<2x8x16xf64>) {
  // expected-error @+1 {{'seq.attention' op 'lse' element type must be f32 or the element type of 'q' ('f16'), got 'f64'}}
  %o, %l = seq.attention %q, %k, %v : tensor<2x8x16x64xf16>, tensor<2x2x16x64xf16>, tensor<2x2x16x64xf16> -> tensor<2x8x16x64xf16>, tensor<2x8x16xf64>
  return %o, %l : tensor<2x8x16x64xf16>, tensor<2x8x16xf64>
}

// -----

//===----------------------------------------------------------------------===//
// seq.attention: attributes
//===----------------------------------------------------------------------===//

func.func @attention_scale_zero(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'scale' must be a positive finite number, got 0.000000e+00}}
  %o = seq.attention %q, %k, %v {scale = 0.0 : f32} : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_scale_negative(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'scale' must be a positive finite number, got -1.250000e-01}}
  %o = seq.attention %q, %k, %v {scale = -0.125 : f32} : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_scale_infinite(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'scale' must be a positive finite number, got INF}}
  %o = seq.attention %q, %k, %v {scale = 0x7F800000 : f32} : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_softcap_negative(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'softcap' must be a positive finite number, got -3.000000e+01}}
  %o = seq.attention %q, %k, %v {softcap = -30.0 : f32} : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_softcap_nan(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'softcap' must be a positive finite number, got nan}}
  %o = seq.attention %q, %k, %v {softcap = 0x7FC00000 : f32} : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_window_zero(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'window' must be at least 1, got 0}}
  %o = seq.attention %q, %k, %v {causal, window = 0} : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

// window = -1 is how some frameworks spell "no window"; here it is omitted.
func.func @attention_window_negative(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'window' must be at least 1, got -1}}
  %o = seq.attention %q, %k, %v {causal, window = -1} : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_chunk_zero(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'chunk' must be at least 1, got 0}}
  %o = seq.attention %q, %k, %v {chunk = 0} : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_window_and_chunk(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op 'window' and 'chunk' cannot be combined: give one visibility pattern besides 'causal'}}
  %o = seq.attention %q, %k, %v {causal, window = 4, chunk = 8} : tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.linear_attention: q, k, v
//===----------------------------------------------------------------------===//

func.func @linear_q_rank(%q: tensor<2x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'q' must have rank 4 [B, H, L, Dk], got rank 3 ('tensor<2x16x32xf32>')}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_v_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'v' must have rank 4 [B, H, L, Dv], got rank 3 ('tensor<2x4x16xf32>')}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_k_key_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x64xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'k' dimension 3 (Dk) is 64, but 'q' has Dk = 32}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

// Linear attention has no grouped-query form: k has the heads of q.
func.func @linear_k_heads(%q: tensor<2x4x16x32xf32>, %k: tensor<2x1x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'k' dimension 1 (H) is 1, but 'q' has H = 4}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x1x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_v_length(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x8x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'v' dimension 2 (L) is 8, but 'q' has L = 16}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x8x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_q_not_float(%q: tensor<2x4x16x32xi32>, %k: tensor<2x4x16x32xi32>, %v: tensor<2x4x16x64xi32>) -> (tensor<2x4x16x64xi32>, tensor<2x4x32x64xi32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'q' must have a float element type, got 'i32'}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xi32>, tensor<2x4x16x32xi32>, tensor<2x4x16x64xi32> -> tensor<2x4x16x64xi32>, tensor<2x4x32x64xi32>
  return %o, %s : tensor<2x4x16x64xi32>, tensor<2x4x32x64xi32>
}

// -----

func.func @linear_k_element_type(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xbf16>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'k' element type 'bf16' does not match 'q' element type 'f32'}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xbf16>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_v_element_type(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf16>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'v' element type 'f16' does not match 'q' element type 'f32'}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf16> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.linear_attention: decay and beta
//===----------------------------------------------------------------------===//

// A [B, H] decay (per batch and head, but not per step) is none of the kinds.
func.func @linear_decay_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %g: tensor<2x4xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'decay' must have rank 1 [H] (constant per head), 3 [B, H, L] (per head and step) or 4 [B, H, L, Dk] (per key channel), got rank 2 ('tensor<2x4xf32>')}}
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<2x4xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_decay_per_head(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %g: tensor<8xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'decay' dimension 0 (H) is 8, but 'q' has H = 4}}
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<8xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

// Per-step decay in [B, L, H] order.
func.func @linear_decay_per_step(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %g: tensor<2x16x4xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'decay' dimension 1 (H) is 16, but 'q' has H = 4}}
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<2x16x4xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

// Per-channel decay over the value channels instead of the key channels.
func.func @linear_decay_per_channel(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %g: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'decay' dimension 3 (Dk) is 64, but 'q' has Dk = 32}}
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<2x4x16x64xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_decay_element_type(%q: tensor<2x4x16x32xbf16>, %k: tensor<2x4x16x32xbf16>, %v: tensor<2x4x16x64xbf16>, %g: tensor<2x4x16xf32>) -> (tensor<2x4x16x64xbf16>, tensor<2x4x32x64xbf16>) {
  // expected-error @+1 {{'seq.linear_attention' op 'decay' element type 'f32' does not match 'q' element type 'bf16'}}
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<2x4x16xf32>) : tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x16x64xbf16> -> tensor<2x4x16x64xbf16>, tensor<2x4x32x64xbf16>
  return %o, %s : tensor<2x4x16x64xbf16>, tensor<2x4x32x64xbf16>
}

// -----

// beta is one scalar per head and step, not per channel.
func.func @linear_beta_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %b: tensor<2x4x16x32xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'beta' must have rank 3 [B, H, L], got rank 4 ('tensor<2x4x16x32xf32>')}}
  %o, %s = seq.linear_attention %q, %k, %v beta(%b : tensor<2x4x16x32xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_beta_length(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %b: tensor<2x4x15xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'beta' dimension 2 (L) is 15, but 'q' has L = 16}}
  %o, %s = seq.linear_attention %q, %k, %v beta(%b : tensor<2x4x15xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_beta_element_type(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %b: tensor<2x4x16xf16>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'beta' element type 'f16' does not match 'q' element type 'f32'}}
  %o, %s = seq.linear_attention %q, %k, %v beta(%b : tensor<2x4x16xf16>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_normalize_with_beta(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %b: tensor<2x4x16xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x65xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'normalize' (the mLSTM normalizer) cannot be combined with 'beta' (the delta rule)}}
  %o, %s = seq.linear_attention %q, %k, %v beta(%b : tensor<2x4x16xf32>) {normalize} : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x65xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x65xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.linear_attention: initial_state
//===----------------------------------------------------------------------===//

func.func @linear_initial_state_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %s0: tensor<8x32x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'initial_state' must have rank 4 [B, H, Dk, Dv], got rank 3 ('tensor<8x32x64xf32>')}}
  %o, %s = seq.linear_attention %q, %k, %v initial_state(%s0 : tensor<8x32x64xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

// A state in [Dv, Dk] order (values index rows) instead of [Dk, Dv].
func.func @linear_initial_state_transposed(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %s0: tensor<2x4x64x32xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'initial_state' dimension 2 (Dk) is 64, but 'q' has Dk = 32}}
  %o, %s = seq.linear_attention %q, %k, %v initial_state(%s0 : tensor<2x4x64x32xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_initial_state_batch(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %s0: tensor<1x4x32x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'initial_state' dimension 0 (B) is 1, but 'q' has B = 2}}
  %o, %s = seq.linear_attention %q, %k, %v initial_state(%s0 : tensor<1x4x32x64xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_initial_state_value_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %s0: tensor<2x4x32x32xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'initial_state' dimension 3 (Dv) is 32, but 'v' has Dv = 64}}
  %o, %s = seq.linear_attention %q, %k, %v initial_state(%s0 : tensor<2x4x32x32xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

// With normalize (mLSTM) the state carries the normalizer as an extra column.
func.func @linear_normalize_initial_state(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>, %g: tensor<2x4x16xf32>, %s0: tensor<2x4x32x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x65xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'initial_state' dimension 3 (Dv+1) is 64, but 'final_state' has Dv+1 = 65}}
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<2x4x16xf32>) initial_state(%s0 : tensor<2x4x32x64xf32>) {normalize} : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x65xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x65xf32>
}

// -----

func.func @linear_normalize_final_state(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'final_state' dimension 3 must be Dv + 1 (the normalizer column) = 65, got 64}}
  %o, %s = seq.linear_attention %q, %k, %v {normalize} : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

// An mLSTM-shaped state ([Dk, Dv + 1]) without normalize.
func.func @linear_extra_column_without_normalize(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x65xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'final_state' dimension 3 (Dv) is 65, but 'v' has Dv = 64}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x65xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x65xf32>
}

// -----

func.func @linear_initial_state_element_type(%q: tensor<2x4x16x32xbf16>, %k: tensor<2x4x16x32xbf16>, %v: tensor<2x4x16x64xbf16>, %s0: tensor<2x4x32x64xf32>) -> (tensor<2x4x16x64xbf16>, tensor<2x4x32x64xbf16>) {
  // expected-error @+1 {{'seq.linear_attention' op 'initial_state' element type 'f32' does not match 'q' element type 'bf16'}}
  %o, %s = seq.linear_attention %q, %k, %v initial_state(%s0 : tensor<2x4x32x64xf32>) : tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x16x64xbf16> -> tensor<2x4x16x64xbf16>, tensor<2x4x32x64xbf16>
  return %o, %s : tensor<2x4x16x64xbf16>, tensor<2x4x32x64xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// seq.linear_attention: results and scale
//===----------------------------------------------------------------------===//

// The output has Dv channels (from v), not Dk.
func.func @linear_output_value_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x32xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'output' dimension 3 (Dv) is 32, but 'v' has Dv = 64}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x32xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x32xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_output_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x16x256xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'output' must have rank 4 [B, H, L, Dv], got rank 3 ('tensor<2x16x256xf32>')}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x16x256xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x16x256xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_output_element_type(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf16>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'output' element type 'f16' does not match 'q' element type 'f32'}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf16>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf16>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_final_state_heads(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x1x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'final_state' dimension 1 (H) is 1, but 'q' has H = 4}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x1x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x1x32x64xf32>
}

// -----

// Keeping the state in f32 while the activations are bf16 is not expressible.
func.func @linear_final_state_element_type(%q: tensor<2x4x16x32xbf16>, %k: tensor<2x4x16x32xbf16>, %v: tensor<2x4x16x64xbf16>) -> (tensor<2x4x16x64xbf16>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'final_state' element type 'f32' does not match 'q' element type 'bf16'}}
  %o, %s = seq.linear_attention %q, %k, %v : tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x16x64xbf16> -> tensor<2x4x16x64xbf16>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xbf16>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_scale_negative(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'scale' must be a positive finite number, got -1.000000e+00}}
  %o, %s = seq.linear_attention %q, %k, %v {scale = -1.0 : f32} : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

func.func @linear_scale_zero(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x64xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'scale' must be a positive finite number, got 0.000000e+00}}
  %o, %s = seq.linear_attention %q, %k, %v {scale = 0.0 : f32} : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x64xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.selective_scan: u, delta, A, B, C
//===----------------------------------------------------------------------===//

func.func @selective_scan_u_rank(%u: tensor<16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'u' must have rank 3 [batch, L, Dm], got rank 2 ('tensor<16x64xf32>')}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

// Channels-first [batch, Dm, L] delta (the layout of the reference CUDA kernel).
func.func @selective_scan_delta_layout(%u: tensor<2x16x64xf32>, %dt: tensor<2x64x16xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'delta' dimension 1 (L) is 64, but 'u' has L = 16}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x64x16xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

// A given as [N, Dm].
func.func @selective_scan_A_transposed(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<8x64xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'A' dimension 0 (Dm) is 8, but 'u' has Dm = 64}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<8x64xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_A_rank(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'A' must have rank 2 [Dm, N], got rank 1 ('tensor<64xf32>')}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

// B without the group dimension ([batch, L, N], Mamba's shared B).
func.func @selective_scan_B_rank(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'B' must have rank 4 [batch, L, G, N], got rank 3 ('tensor<2x16x8xf32>')}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_B_state_size(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x16xf32>, %C: tensor<2x16x1x16xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'B' dimension 3 (N) is 16, but 'A' has N = 8}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x16xf32>, tensor<2x16x1x16xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_C_groups(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x2x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'C' dimension 2 (G) is 1, but 'B' has G = 2}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_u_not_float(%u: tensor<2x16x64xi32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'u' must have a float element type, got 'i32'}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xi32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_delta_element_type(%u: tensor<2x16x64xbf16>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xbf16>, %B: tensor<2x16x1x8xbf16>, %C: tensor<2x16x1x8xbf16>) -> (tensor<2x16x64xbf16>, tensor<2x64x8xbf16>) {
  // expected-error @+1 {{'seq.selective_scan' op 'delta' element type 'f32' does not match 'u' element type 'bf16'}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xbf16>, tensor<2x16x64xf32>, tensor<64x8xbf16>, tensor<2x16x1x8xbf16>, tensor<2x16x1x8xbf16> -> tensor<2x16x64xbf16>, tensor<2x64x8xbf16>
  return %y, %h : tensor<2x16x64xbf16>, tensor<2x64x8xbf16>
}

// -----

// A kept in f32 (as Mamba stores A_log) with bf16 activations.
func.func @selective_scan_A_element_type(%u: tensor<2x16x64xbf16>, %dt: tensor<2x16x64xbf16>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xbf16>, %C: tensor<2x16x1x8xbf16>) -> (tensor<2x16x64xbf16>, tensor<2x64x8xbf16>) {
  // expected-error @+1 {{'seq.selective_scan' op 'A' element type 'f32' does not match 'u' element type 'bf16'}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xbf16>, tensor<2x16x64xbf16>, tensor<64x8xf32>, tensor<2x16x1x8xbf16>, tensor<2x16x1x8xbf16> -> tensor<2x16x64xbf16>, tensor<2x64x8xbf16>
  return %y, %h : tensor<2x16x64xbf16>, tensor<2x64x8xbf16>
}

// -----

func.func @selective_scan_C_element_type(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf16>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'C' element type 'f16' does not match 'u' element type 'f32'}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf16> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.selective_scan: groups
//===----------------------------------------------------------------------===//

func.func @selective_scan_zero_groups(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x0x8xf32>, %C: tensor<2x16x0x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'B' and 'C' must have at least one group (G = 0)}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x0x8xf32>, tensor<2x16x0x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_groups_not_dividing(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x3x8xf32>, %C: tensor<2x16x3x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op groups G = 3 (dimension 2 of 'B' and 'C') must divide the channels Dm = 64}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x3x8xf32>, tensor<2x16x3x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.selective_scan: D, z, delta_bias, initial_state
//===----------------------------------------------------------------------===//

// D is one skip weight per channel, [Dm], not [Dm, N].
func.func @selective_scan_D_rank(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %D: tensor<64x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'D' must have rank 1 [Dm], got rank 2 ('tensor<64x8xf32>')}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<64x8xf32>) : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_D_size(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %D: tensor<8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'D' dimension 0 (Dm) is 8, but 'u' has Dm = 64}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<8xf32>) : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_z_length(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %z: tensor<2x1x64xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'z' dimension 1 (L) is 1, but 'u' has L = 16}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C z(%z : tensor<2x1x64xf32>) : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_z_element_type(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %z: tensor<2x16x64xf16>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'z' element type 'f16' does not match 'u' element type 'f32'}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C z(%z : tensor<2x16x64xf16>) : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_delta_bias_size(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %db: tensor<1xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'delta_bias' dimension 0 (Dm) is 1, but 'u' has Dm = 64}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C delta_bias(%db : tensor<1xf32>) {delta_softplus} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

// initial_state in [batch, N, Dm] order instead of [batch, Dm, N].
func.func @selective_scan_initial_state_transposed(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %h0: tensor<2x8x64xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'initial_state' dimension 1 (Dm) is 8, but 'u' has Dm = 64}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C initial_state(%h0 : tensor<2x8x64xf32>) : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_initial_state_rank(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %h0: tensor<64x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'initial_state' must have rank 3 [batch, Dm, N], got rank 2 ('tensor<64x8xf32>')}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C initial_state(%h0 : tensor<64x8xf32>) : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_initial_state_element_type(%u: tensor<2x16x64xf16>, %dt: tensor<2x16x64xf16>, %A: tensor<64x8xf16>, %B: tensor<2x16x1x8xf16>, %C: tensor<2x16x1x8xf16>, %h0: tensor<2x64x8xf32>) -> (tensor<2x16x64xf16>, tensor<2x64x8xf16>) {
  // expected-error @+1 {{'seq.selective_scan' op 'initial_state' element type 'f32' does not match 'u' element type 'f16'}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C initial_state(%h0 : tensor<2x64x8xf32>) : tensor<2x16x64xf16>, tensor<2x16x64xf16>, tensor<64x8xf16>, tensor<2x16x1x8xf16>, tensor<2x16x1x8xf16> -> tensor<2x16x64xf16>, tensor<2x64x8xf16>
  return %y, %h : tensor<2x16x64xf16>, tensor<2x64x8xf16>
}

// -----

//===----------------------------------------------------------------------===//
// seq.selective_scan: results
//===----------------------------------------------------------------------===//

func.func @selective_scan_y_channels(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'y' dimension 2 (Dm) is 8, but 'u' has Dm = 64}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x8xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x8xf32>, tensor<2x64x8xf32>
}

// -----

func.func @selective_scan_y_element_type(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf16>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'y' element type 'f16' does not match 'u' element type 'f32'}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf16>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf16>, tensor<2x64x8xf32>
}

// -----

// last_state has no sequence dimension.
func.func @selective_scan_last_state_rank(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x16x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'last_state' must have rank 3 [batch, Dm, N], got rank 4 ('tensor<2x16x64x8xf32>')}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x16x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x16x64x8xf32>
}

// -----

func.func @selective_scan_last_state_size(%u: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x16xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'last_state' dimension 2 (N) is 16, but 'A' has N = 8}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x16xf32>
}

// -----

func.func @selective_scan_last_state_element_type(%u: tensor<2x16x64xbf16>, %dt: tensor<2x16x64xbf16>, %A: tensor<64x8xbf16>, %B: tensor<2x16x1x8xbf16>, %C: tensor<2x16x1x8xbf16>) -> (tensor<2x16x64xbf16>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op 'last_state' element type 'f32' does not match 'u' element type 'bf16'}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<2x16x64xbf16>, tensor<2x16x64xbf16>, tensor<64x8xbf16>, tensor<2x16x1x8xbf16>, tensor<2x16x1x8xbf16> -> tensor<2x16x64xbf16>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xbf16>, tensor<2x64x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.scan: inputs and dim
//===----------------------------------------------------------------------===//

// The custom syntax cannot spell an empty input list; the generic form can.
func.func @scan_no_inputs() {
  // expected-error @+1 {{'seq.scan' op requires at least one input}}
  "seq.scan"() <{dim = 0 : i64, operandSegmentSizes = array<i32: 0, 0>}> ({
  ^bb0:
    seq.yield
  }) : () -> ()
  return
}

// -----

func.func @scan_dim_out_of_range(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op 'dim' must be in [0, 2) for inputs of rank 2, got 2}}
  %r = seq.scan dim = 2 ins(%x : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    seq.yield %s : f32
  }
  return %r : tensor<4x16xf32>
}

// -----

// Negative dimensions do not count from the back.
func.func @scan_dim_negative(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op 'dim' must be in [0, 2) for inputs of rank 2, got -1}}
  %r = seq.scan dim = -1 ins(%x : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    seq.yield %s : f32
  }
  return %r : tensor<4x16xf32>
}

// -----

func.func @scan_input_rank(%a: tensor<4x16xf32>, %b: tensor<4x16x1xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  // expected-error @+1 {{'seq.scan' op 'input #1' must have rank 2 [d0, d1], got rank 3 ('tensor<4x16x1xf32>')}}
  %r:2 = seq.scan dim = 1 ins(%a, %b : tensor<4x16xf32>, tensor<4x16x1xf32>) -> tensor<4x16xf32>, tensor<4x16xf32> {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a1, %a0 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  return %r#0, %r#1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

func.func @scan_input_shape(%a: tensor<4x16xf32>, %b: tensor<4x8xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  // expected-error @+1 {{'seq.scan' op 'input #1' dimension 1 (d1) is 8, but 'input #0' has d1 = 16}}
  %r:2 = seq.scan dim = 1 ins(%a, %b : tensor<4x16xf32>, tensor<4x8xf32>) -> tensor<4x16xf32>, tensor<4x16xf32> {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a1, %a0 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  return %r#0, %r#1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.scan: init and exclusive
//===----------------------------------------------------------------------===//

func.func @scan_init_count(%a: tensor<4x16xf32>, %b: tensor<4x16xf32>, %b0: tensor<4xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  // expected-error @+1 {{'seq.scan' op 'init' must give one value per input (2), got 1}}
  %r:2 = seq.scan dim = 1 ins(%a, %b : tensor<4x16xf32>, tensor<4x16xf32>) init(%b0 : tensor<4xf32>) -> tensor<4x16xf32>, tensor<4x16xf32> {
  ^bb0(%a0: f32, %x0: f32, %a1: f32, %x1: f32):
    %a2 = arith.mulf %a1, %a0 : f32
    %t = arith.mulf %a1, %x0 : f32
    %x2 = arith.addf %t, %x1 : f32
    seq.yield %a2, %x2 : f32, f32
  }
  return %r#0, %r#1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

func.func @scan_exclusive_without_init(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op an exclusive scan requires 'init' (the value of its first element)}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) {exclusive} -> tensor<4x16xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    seq.yield %s : f32
  }
  return %r : tensor<4x16xf32>
}

// -----

// init has the input's shape without the scanned dimension.
func.func @scan_init_full_shape(%x: tensor<4x16xf32>, %x0: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op 'init #0' must have rank 1 [d0], got rank 2 ('tensor<4x16xf32>')}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) init(%x0 : tensor<4x16xf32>) {exclusive} -> tensor<4x16xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    seq.yield %s : f32
  }
  return %r : tensor<4x16xf32>
}

// -----

// The init of a scan along dimension 1 has dimension 0's size, not dimension 1's.
func.func @scan_init_wrong_dim(%x: tensor<4x16xf32>, %x0: tensor<16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op 'init #0' dimension 0 (d0) is 16, but 'input #0' has d0 = 4}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) init(%x0 : tensor<16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    seq.yield %s : f32
  }
  return %r : tensor<4x16xf32>
}

// -----

func.func @scan_init_element_type(%x: tensor<4x16xf32>, %x0: tensor<4xf16>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op 'init #0' element type 'f16' does not match input #0 element type 'f32'}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) init(%x0 : tensor<4xf16>) -> tensor<4x16xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    seq.yield %s : f32
  }
  return %r : tensor<4x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.scan: results
//===----------------------------------------------------------------------===//

// Only the second component of the affine-map scan is wanted, but every
// scanned input has a result.
func.func @scan_result_count(%a: tensor<4x16xf32>, %b: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op must have one result per input (2), got 1}}
  %r = seq.scan dim = 1 ins(%a, %b : tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a1, %a0 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  return %r : tensor<4x16xf32>
}

// -----

// A scan keeps the scanned dimension (it is not a reduction).
func.func @scan_result_reduced(%x: tensor<4x16xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'seq.scan' op 'result #0' must have rank 2 [d0, d1], got rank 1 ('tensor<4xf32>')}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) -> tensor<4xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    seq.yield %s : f32
  }
  return %r : tensor<4xf32>
}

// -----

func.func @scan_result_shape(%x: tensor<4x16xf32>) -> tensor<4x15xf32> {
  // expected-error @+1 {{'seq.scan' op 'result #0' dimension 1 (d1) is 15, but 'input #0' has d1 = 16}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) -> tensor<4x15xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    seq.yield %s : f32
  }
  return %r : tensor<4x15xf32>
}

// -----

func.func @scan_result_element_type(%x: tensor<4x16xi32>) -> tensor<4x16xi64> {
  // expected-error @+1 {{'seq.scan' op 'result #0' element type 'i64' does not match input #0 element type 'i32'}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xi32>) -> tensor<4x16xi64> {
  ^bb0(%a: i32, %b: i32):
    %s = arith.addi %a, %b : i32
    seq.yield %s : i32
  }
  return %r : tensor<4x16xi64>
}

// -----

//===----------------------------------------------------------------------===//
// seq.scan: combiner region
//===----------------------------------------------------------------------===//

// A combiner written like a map over the input (one argument).
func.func @scan_combiner_arity(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op combiner region must take 2 arguments (1 accumulator, then 1 element), got 1}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%b: f32):
    seq.yield %b : f32
  }
  return %r : tensor<4x16xf32>
}

// -----

// Two inputs need four arguments: (acc_a, acc_b, a, b).
func.func @scan_combiner_arity_two_inputs(%a: tensor<4x16xf32>, %b: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  // expected-error @+1 {{'seq.scan' op combiner region must take 4 arguments (2 accumulators, then 2 elements), got 2}}
  %r:2 = seq.scan dim = 1 ins(%a, %b : tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>, tensor<4x16xf32> {
  ^bb0(%x: f32, %y: f32):
    seq.yield %x, %y : f32, f32
  }
  return %r#0, %r#1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// The combiner works on scalars, not on tensors.
func.func @scan_combiner_tensor_args(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op combiner argument #0 must be 'f32' (element type of input #0), got 'tensor<4xf32>'}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    %s = arith.addf %a, %b : tensor<4xf32>
    seq.yield %s : tensor<4xf32>
  }
  return %r : tensor<4x16xf32>
}

// -----

// Arguments ordered (a0, a1, b0, b1) instead of (a0, b0, a1, b1).
func.func @scan_combiner_arg_order(%a: tensor<4x16xf32>, %i: tensor<4x16xi32>) -> (tensor<4x16xf32>, tensor<4x16xi32>) {
  // expected-error @+1 {{'seq.scan' op combiner argument #1 must be 'i32' (element type of input #1), got 'f32'}}
  %r:2 = seq.scan dim = 1 ins(%a, %i : tensor<4x16xf32>, tensor<4x16xi32>) -> tensor<4x16xf32>, tensor<4x16xi32> {
  ^bb0(%a0: f32, %a1: f32, %i0: i32, %i1: i32):
    %m = arith.maximumf %a0, %a1 : f32
    %j = arith.maxsi %i0, %i1 : i32
    seq.yield %m, %j : f32, i32
  }
  return %r#0, %r#1 : tensor<4x16xf32>, tensor<4x16xi32>
}

// -----

func.func @scan_combiner_no_yield(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{'seq.scan' op combiner region must end with seq.yield}}
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: f32, %b: f32):
    ub.unreachable
  }
  return %r : tensor<4x16xf32>
}

// -----

func.func @scan_yield_count(%a: tensor<4x16xf32>, %b: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %r:2 = seq.scan dim = 1 ins(%a, %b : tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>, tensor<4x16xf32> {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    // expected-error @+1 {{'seq.yield' op must yield 2 values (one per scanned input), got 1}}
    seq.yield %b2 : f32
  }
  return %r#0, %r#1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

func.func @scan_yield_type(%x: tensor<4x16xf16>) -> tensor<4x16xf16> {
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xf16>) -> tensor<4x16xf16> {
  ^bb0(%a: f16, %b: f16):
    %a32 = arith.extf %a : f16 to f32
    %b32 = arith.extf %b : f16 to f32
    %s = arith.addf %a32, %b32 : f32
    // expected-error @+1 {{'seq.yield' op value #0 must be 'f16' (element type of input #0), got 'f32'}}
    seq.yield %s : f32
  }
  return %r : tensor<4x16xf16>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (named cells): form
//===----------------------------------------------------------------------===//

func.func @recurrence_named_with_region(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op a named cell ('lstm') takes no region}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32> {
  ^bb0(%h0: tensor<2x128xf32>, %c0: tensor<2x128xf32>, %xt: tensor<2x64xf32>):
    seq.yield %h0, %c0, %h0 : tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x128xf32>
  }
  return %y : tensor<2x16x128xf32>
}

// -----

// Two inputs (say, x and a mask) for a named cell.
func.func @recurrence_named_two_inputs(%x: tensor<2x16x64xf32>, %m: tensor<2x16x64xf32>, %wi: tensor<384x64xf32>, %wr: tensor<3x1x128x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op a named cell takes exactly one input x [B, L, I], got 2}}
  %h, %y = seq.recurrence cell = gru ins(%x, %m : tensor<2x16x64xf32>, tensor<2x16x64xf32>) w_in(%wi : tensor<384x64xf32>) w_rec(%wr : tensor<3x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_named_missing_w_rec(%x: tensor<2x16x64xf32>, %wi: tensor<384x64xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell 'gru' requires both 'w_in' and 'w_rec'}}
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<384x64xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_named_missing_w_in(%x: tensor<2x16x64xf32>, %wr: tensor<1x1x128x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell 'elman' requires both 'w_in' and 'w_rec'}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x16x64xf32>) w_rec(%wr : tensor<1x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (named cells): x and w_rec
//===----------------------------------------------------------------------===//

func.func @recurrence_named_x_rank(%x: tensor<16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'x' must have rank 3 [B, L, I], got rank 2 ('tensor<16x64xf32>')}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// PyTorch's weight_hh [4 * Hs, Hs] used as is, without the reshape to
// [nG, NH, Dh, Dh].
func.func @recurrence_named_w_rec_rank(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<512x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_rec' must have rank 4 [nG, NH, Dh, Dh], got rank 2 ('tensor<512x128xf32>')}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<512x128xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// Recurrent blocks must be square (Dh x Dh).
func.func @recurrence_named_w_rec_not_square(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x16xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_rec' dimension 3 (Dh) is 16, but its other Dh dimension is 32}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x16xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_named_x_not_float(%x: tensor<2x16x64xi32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'x' must have a float element type, got 'i32'}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xi32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_named_w_rec_element_type(%x: tensor<2x16x64xbf16>, %wi: tensor<512x64xbf16>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x128xbf16> {
  // expected-error @+1 {{'seq.recurrence' op 'w_rec' element type 'f32' does not match 'x' element type 'bf16'}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xbf16>) w_in(%wi : tensor<512x64xbf16>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xbf16>, tensor<2x128xbf16>, tensor<2x16x128xbf16>
  return %y : tensor<2x16x128xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (named cells): gate counts
//===----------------------------------------------------------------------===//

// LSTM weights (4 gates) given to a GRU (3 gates).
func.func @recurrence_gru_four_gates(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x1x128x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_rec' dimension 0 must be the number of gates of 'gru' = 3, got 4}}
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_lstm_three_gates(%x: tensor<2x16x64xf32>, %wi: tensor<384x64xf32>, %wr: tensor<3x1x128x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_rec' dimension 0 must be the number of gates of 'lstm' = 4, got 3}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<384x64xf32>) w_rec(%wr : tensor<3x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_slstm_three_gates(%x: tensor<2x16x64xf32>, %wi: tensor<384x64xf32>, %wr: tensor<3x4x32x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_rec' dimension 0 must be the number of gates of 'slstm' = 4, got 3}}
  %h, %c, %n, %m, %y = seq.recurrence cell = slstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<384x64xf32>) w_rec(%wr : tensor<3x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// An Elman cell's recurrent weight without the leading gate dimension.
func.func @recurrence_elman_w_rec_rank(%x: tensor<2x16x64xf32>, %wi: tensor<128x64xf32>, %wr: tensor<1x128x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_rec' must have rank 4 [nG, NH, Dh, Dh], got rank 3 ('tensor<1x128x128xf32>')}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<128x64xf32>) w_rec(%wr : tensor<1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_elman_gates(%x: tensor<2x16x64xf32>, %wi: tensor<128x64xf32>, %wr: tensor<2x1x128x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_rec' dimension 0 must be the number of gates of 'elman' = 1, got 2}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<128x64xf32>) w_rec(%wr : tensor<2x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (named cells): w_in, b_in, b_rec
//===----------------------------------------------------------------------===//

func.func @recurrence_named_w_in_rank(%x: tensor<2x16x64xf32>, %wi: tensor<4x128x64xf32>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_in' must have rank 2 [nG*Hs, I], got rank 3 ('tensor<4x128x64xf32>')}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<4x128x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// w_in in [I, nG * Hs] order (a JAX/Keras kernel) instead of PyTorch's.
func.func @recurrence_named_w_in_transposed(%x: tensor<2x16x64xf32>, %wi: tensor<64x512xf32>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_in' dimension 1 (I) is 512, but 'x' has I = 64}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<64x512xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// LSTM-sized input weights (4 * 128 rows) for a GRU (3 * 128).
func.func @recurrence_gru_w_in_rows(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<3x1x128x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_in' dimension 0 must be nG * Hs = 3 * 128 = 384, got 512}}
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<3x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// w_rec with NH = 4 heads of Dh = 16 (Hs = 64) while w_in assumes Hs = 128.
func.func @recurrence_lstm_hidden_size(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x16x16xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_in' dimension 0 must be nG * Hs = 4 * 64 = 256, got 512}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x16x16xf32>) -> tensor<2x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

func.func @recurrence_named_w_in_element_type(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf16>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_in' element type 'f16' does not match 'x' element type 'f32'}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf16>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// A per-gate bias [4, Hs] instead of the flat [4 * Hs].
func.func @recurrence_named_b_in_rank(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>, %bi: tensor<4x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'b_in' must have rank 1 [nG*Hs], got rank 2 ('tensor<4x128xf32>')}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) b_in(%bi : tensor<4x128xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// A bias of Hs entries instead of nG * Hs.
func.func @recurrence_named_b_in_size(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>, %bi: tensor<128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'b_in' dimension 0 (nG*Hs) is 128, but 'w_in' has nG*Hs = 512}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) b_in(%bi : tensor<128xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_named_b_rec_size(%x: tensor<2x16x64xf32>, %wi: tensor<384x64xf32>, %wr: tensor<3x1x128x128xf32>, %bi: tensor<384xf32>, %br: tensor<512xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'b_rec' dimension 0 (nG*Hs) is 512, but 'w_in' has nG*Hs = 384}}
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<384x64xf32>) w_rec(%wr : tensor<3x1x128x128xf32>) b_in(%bi : tensor<384xf32>) b_rec(%br : tensor<512xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_named_b_rec_element_type(%x: tensor<2x16x64xf32>, %wi: tensor<384x64xf32>, %wr: tensor<3x1x128x128xf32>, %br: tensor<384xf64>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'b_rec' element type 'f64' does not match 'x' element type 'f32'}}
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<384x64xf32>) w_rec(%wr : tensor<3x1x128x128xf32>) b_rec(%br : tensor<384xf64>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (named cells): init
//===----------------------------------------------------------------------===//

// An LSTM given only h0 (c0 missing).
func.func @recurrence_lstm_one_init(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>, %h0: tensor<2x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell 'lstm' takes 2 initial states (h, c), got 1}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) init(%h0 : tensor<2x128xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// An sLSTM given LSTM-style (h, c) only; it also carries (n, m).
func.func @recurrence_slstm_two_inits(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>, %h0: tensor<2x128xf32>, %c0: tensor<2x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell 'slstm' takes 4 initial states (h, c, n, m), got 2}}
  %h, %c, %n, %m, %y = seq.recurrence cell = slstm ins(%x : tensor<2x16x64xf32>) init(%h0, %c0 : tensor<2x128xf32>, tensor<2x128xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_gru_two_inits(%x: tensor<2x16x64xf32>, %wi: tensor<384x64xf32>, %wr: tensor<3x1x128x128xf32>, %h0: tensor<2x128xf32>, %c0: tensor<2x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell 'gru' takes 1 initial state (h), got 2}}
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<2x16x64xf32>) init(%h0, %c0 : tensor<2x128xf32>, tensor<2x128xf32>) w_in(%wi : tensor<384x64xf32>) w_rec(%wr : tensor<3x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// A per-head initial state [B, NH, Dh] instead of [B, Hs].
func.func @recurrence_named_init_rank(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>, %h0: tensor<2x4x32xf32>, %c0: tensor<2x4x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'init #0' must have rank 2 [B, Hs], got rank 3 ('tensor<2x4x32xf32>')}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) init(%h0, %c0 : tensor<2x4x32xf32>, tensor<2x4x32xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// An initial state of the input size (I = 64) instead of the hidden size.
func.func @recurrence_named_init_hidden(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>, %h0: tensor<2x128xf32>, %c0: tensor<2x64xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'init #1' dimension 1 (Hs) is 64, but 'init #0' has Hs = 128}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) init(%h0, %c0 : tensor<2x128xf32>, tensor<2x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_named_init_batch(%x: tensor<2x16x64xf32>, %wi: tensor<128x64xf32>, %wr: tensor<1x1x128x128xf32>, %h0: tensor<1x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'init #0' dimension 0 (B) is 1, but 'x' has B = 2}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x16x64xf32>) init(%h0 : tensor<1x128xf32>) w_in(%wi : tensor<128x64xf32>) w_rec(%wr : tensor<1x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_named_init_element_type(%x: tensor<2x16x64xf32>, %wi: tensor<128x64xf32>, %wr: tensor<1x1x128x128xf32>, %h0: tensor<2x128xf16>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'init #0' element type 'f16' does not match 'x' element type 'f32'}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x16x64xf32>) init(%h0 : tensor<2x128xf16>) w_in(%wi : tensor<128x64xf32>) w_rec(%wr : tensor<1x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (named cells): results
//===----------------------------------------------------------------------===//

// An LSTM returning only (h, y): the final c is a result too.
func.func @recurrence_lstm_result_count(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell 'lstm' has 3 results (final states (h, c), then y), got 2}}
  %h, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_gru_result_count(%x: tensor<2x16x64xf32>, %wi: tensor<384x64xf32>, %wr: tensor<3x1x128x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell 'gru' has 2 results (final states (h), then y), got 1}}
  %y = seq.recurrence cell = gru ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<384x64xf32>) w_rec(%wr : tensor<3x1x128x128xf32>) -> tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// Outputs listed first (y, h, c) instead of final states first.
func.func @recurrence_named_result_order(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #0' must have rank 2 [B, Hs], got rank 3 ('tensor<2x16x128xf32>')}}
  %y, %h, %c = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x16x128xf32>, tensor<2x128xf32>, tensor<2x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

func.func @recurrence_named_output_hidden(%x: tensor<2x16x64xf32>, %wi: tensor<512x64xf32>, %wr: tensor<4x4x32x32xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #2' dimension 2 (Hs) is 64, but 'result #0' has Hs = 128}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

func.func @recurrence_named_output_length(%x: tensor<2x16x64xf32>, %wi: tensor<128x64xf32>, %wr: tensor<1x1x128x128xf32>) -> tensor<2x1x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #1' dimension 1 (L) is 1, but 'x' has L = 16}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<128x64xf32>) w_rec(%wr : tensor<1x1x128x128xf32>) -> tensor<2x128xf32>, tensor<2x1x128xf32>
  return %y : tensor<2x1x128xf32>
}

// -----

func.func @recurrence_named_result_element_type(%x: tensor<2x16x64xf32>, %wi: tensor<128x64xf32>, %wr: tensor<1x1x128x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #0' element type 'f16' does not match 'x' element type 'f32'}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x16x64xf32>) w_in(%wi : tensor<128x64xf32>) w_rec(%wr : tensor<1x1x128x128xf32>) -> tensor<2x128xf16>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (cell region): form
//===----------------------------------------------------------------------===//

// Weights are captured from above inside a region cell, not passed as w_in.
func.func @recurrence_region_with_weights(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>, %w: tensor<32x8xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_in', 'w_rec', 'b_in' and 'b_rec' are only for named cells; a cell region uses values from above}}
  %h, %y = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) w_in(%w : tensor<32x8xf32>) -> tensor<2x32xf32>, tensor<2x16x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>):
    seq.yield %hp, %hp : tensor<2x32xf32>, tensor<2x32xf32>
  }
  return %y : tensor<2x16x32xf32>
}

// -----

func.func @recurrence_region_with_bias(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>, %b: tensor<32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_in', 'w_rec', 'b_in' and 'b_rec' are only for named cells; a cell region uses values from above}}
  %h, %y = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) b_rec(%b : tensor<32xf32>) -> tensor<2x32xf32>, tensor<2x16x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>):
    seq.yield %hp, %hp : tensor<2x32xf32>, tensor<2x32xf32>
  }
  return %y : tensor<2x16x32xf32>
}

// -----

// Weights given but the cell kind forgotten.
func.func @recurrence_no_cell_no_region(%x: tensor<2x16x64xf32>, %h0: tensor<2x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op requires either 'cell' or a cell region}}
  %h, %y = seq.recurrence ins(%x : tensor<2x16x64xf32>) init(%h0 : tensor<2x128xf32>) -> tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}

// -----

// The custom syntax cannot spell an empty input list; the generic form can.
func.func @recurrence_region_no_inputs(%h0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op requires at least one input [B, L, ...]}}
  %h = "seq.recurrence"(%h0) <{operandSegmentSizes = array<i32: 0, 1, 0, 0, 0, 0>}> ({
  ^bb0(%hp: tensor<2x32xf32>):
    seq.yield %hp : tensor<2x32xf32>
  }) : (tensor<2x32xf32>) -> tensor<2x32xf32>
  return %h : tensor<2x32xf32>
}

// -----

// A stateless "cell" is a map, not a recurrence.
func.func @recurrence_region_no_state(%x: tensor<2x16x8xf32>) -> tensor<2x16x8xf32> {
  // expected-error @+1 {{'seq.recurrence' op a cell region requires at least one state in 'init'}}
  %y = seq.recurrence ins(%x : tensor<2x16x8xf32>) -> tensor<2x16x8xf32> {
  ^bb0(%xt: tensor<2x8xf32>):
    seq.yield %xt : tensor<2x8xf32>
  }
  return %y : tensor<2x16x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (cell region): inputs and init
//===----------------------------------------------------------------------===//

// An unbatched sequence [L].
func.func @recurrence_region_input_rank(%x: tensor<16xf32>, %h0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'input #0' must have rank >= 2 [B, L, ...], got 'tensor<16xf32>'}}
  %h = seq.recurrence ins(%x : tensor<16xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<f32>):
    seq.yield %hp : tensor<2x32xf32>
  }
  return %h : tensor<2x32xf32>
}

// -----

func.func @recurrence_region_input_batch(%x: tensor<2x16x8xf32>, %m: tensor<3x16xf32>, %h0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'input #1' dimension 0 must be B = 2, got 3}}
  %h = seq.recurrence ins(%x, %m : tensor<2x16x8xf32>, tensor<3x16xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>, %mt: tensor<3xf32>):
    seq.yield %hp : tensor<2x32xf32>
  }
  return %h : tensor<2x32xf32>
}

// -----

// The sequence is dimension 1: a [L, B, ...] input next to a [B, L, ...] one.
func.func @recurrence_region_input_time_major(%x: tensor<2x16x8xf32>, %m: tensor<16x2xf32>, %h0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'input #1' dimension 0 must be B = 2, got 16}}
  %h = seq.recurrence ins(%x, %m : tensor<2x16x8xf32>, tensor<16x2xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>, %mt: tensor<16xf32>):
    seq.yield %hp : tensor<2x32xf32>
  }
  return %h : tensor<2x32xf32>
}

// -----

func.func @recurrence_region_input_length_mismatch(%x: tensor<2x16x8xf32>, %m: tensor<2x8xf32>, %h0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'input #1' dimension 1 must be L = 16, got 8}}
  %h = seq.recurrence ins(%x, %m : tensor<2x16x8xf32>, tensor<2x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>, %mt: tensor<2xf32>):
    seq.yield %hp : tensor<2x32xf32>
  }
  return %h : tensor<2x32xf32>
}

// -----

// A scalar state without the batch dimension.
func.func @recurrence_region_init_rank(%x: tensor<2x16xf32>, %s0: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'seq.recurrence' op 'init #0' must have rank >= 1 [B, ...], got 'tensor<f32>'}}
  %s = seq.recurrence ins(%x : tensor<2x16xf32>) init(%s0 : tensor<f32>) -> tensor<f32> {
  ^bb0(%sp: tensor<f32>, %xt: tensor<2xf32>):
    seq.yield %sp : tensor<f32>
  }
  return %s : tensor<f32>
}

// -----

func.func @recurrence_region_init_batch(%x: tensor<2x16x8xf32>, %h0: tensor<1x32xf32>) -> tensor<1x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'init #0' dimension 0 must be B = 2, got 1}}
  %h = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<1x32xf32>) -> tensor<1x32xf32> {
  ^bb0(%hp: tensor<1x32xf32>, %xt: tensor<2x8xf32>):
    seq.yield %hp : tensor<1x32xf32>
  }
  return %h : tensor<1x32xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (cell region): results
//===----------------------------------------------------------------------===//

func.func @recurrence_region_too_few_results(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>, %c0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op must have at least 2 results (one final value per state), got 1}}
  %h = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0, %c0 : tensor<2x32xf32>, tensor<2x32xf32>) -> tensor<2x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %cp: tensor<2x32xf32>, %xt: tensor<2x8xf32>):
    seq.yield %hp : tensor<2x32xf32>
  }
  return %h : tensor<2x32xf32>
}

// -----

// The stacked outputs listed before the final state.
func.func @recurrence_region_final_state_type(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #0' (final state) must have the type of 'init #0' ('tensor<2x32xf32>'), got 'tensor<2x16x32xf32>'}}
  %y, %h = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x16x32xf32>, tensor<2x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>):
    seq.yield %hp, %hp : tensor<2x32xf32>, tensor<2x32xf32>
  }
  return %y : tensor<2x16x32xf32>
}

// -----

// A final state with a dynamic batch where init's is static: the types must be equal.
func.func @recurrence_region_final_state_dynamic(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #0' (final state) must have the type of 'init #0' ('tensor<2x32xf32>'), got 'tensor<?x32xf32>'}}
  %h = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<?x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>):
    seq.yield %hp : tensor<2x32xf32>
  }
  return %h : tensor<?x32xf32>
}

// -----

// A step output declared with its per-step type [B, ...] instead of stacked.
func.func @recurrence_region_output_rank(%x: tensor<2x16xf32>, %s0: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #1' (a step output) must have rank >= 2 [B, L, ...], got 'tensor<2xf32>'}}
  %s, %y = seq.recurrence ins(%x : tensor<2x16xf32>) init(%s0 : tensor<2xf32>) -> tensor<2xf32>, tensor<2xf32> {
  ^bb0(%sp: tensor<2xf32>, %xt: tensor<2xf32>):
    seq.yield %sp, %sp : tensor<2xf32>, tensor<2xf32>
  }
  return %y : tensor<2xf32>
}

// -----

func.func @recurrence_region_output_batch(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<4x16x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #1' dimension 0 must be B = 2, got 4}}
  %h, %y = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32>, tensor<4x16x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>):
    seq.yield %hp, %hp : tensor<2x32xf32>, tensor<2x32xf32>
  }
  return %y : tensor<4x16x32xf32>
}

// -----

func.func @recurrence_region_output_length(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<2x15x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #1' dimension 1 must be L = 16, got 15}}
  %h, %y = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32>, tensor<2x15x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>):
    seq.yield %hp, %hp : tensor<2x32xf32>, tensor<2x32xf32>
  }
  return %y : tensor<2x15x32xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.recurrence (cell region): the cell
//===----------------------------------------------------------------------===//

// The cell takes the states first: (h, x_t), here x_t is missing.
func.func @recurrence_region_arity(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell region must take 2 arguments (1 state, then 1 input step), got 1}}
  %h = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>):
    seq.yield %hp : tensor<2x32xf32>
  }
  return %h : tensor<2x32xf32>
}

// -----

// Arguments in (x_t, h) order.
func.func @recurrence_region_state_arg_type(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell argument #0 must be 'tensor<2x32xf32>' (the type of the state), got 'tensor<2x8xf32>'}}
  %h = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32> {
  ^bb0(%xt: tensor<2x8xf32>, %hp: tensor<2x32xf32>):
    seq.yield %hp : tensor<2x32xf32>
  }
  return %h : tensor<2x32xf32>
}

// -----

// The whole input sequence as the cell argument instead of one step.
func.func @recurrence_region_input_arg_type(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell argument #1 must be 'tensor<2x8xf32>' (one step of the input), got 'tensor<2x16x8xf32>'}}
  %h = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x16x8xf32>):
    seq.yield %hp : tensor<2x32xf32>
  }
  return %h : tensor<2x32xf32>
}

// -----

func.func @recurrence_region_no_yield(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op cell region must end with seq.yield}}
  %h = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>):
    ub.unreachable
  }
  return %h : tensor<2x32xf32>
}

// -----

// The cell yields only the new state, not the step output.
func.func @recurrence_region_yield_count(%x: tensor<2x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<2x16x32xf32> {
  %h, %y = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32>, tensor<2x16x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<2x8xf32>):
    // expected-error @+1 {{'seq.yield' op must yield 2 values (1 new states, then 1 step outputs), got 1}}
    seq.yield %hp : tensor<2x32xf32>
  }
  return %y : tensor<2x16x32xf32>
}

// -----

func.func @recurrence_region_yield_state_type(%x: tensor<2x16x8xf32>, %h0: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %h = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x8xf32>) -> tensor<2x8xf32> {
  ^bb0(%hp: tensor<2x8xf32>, %xt: tensor<2x8xf32>):
    %e = tensor.expand_shape %hp [[0], [1, 2]] output_shape [2, 1, 8] : tensor<2x8xf32> into tensor<2x1x8xf32>
    // expected-error @+1 {{'seq.yield' op value #0 must be 'tensor<2x8xf32>' (the type of the state), got 'tensor<2x1x8xf32>'}}
    seq.yield %e : tensor<2x1x8xf32>
  }
  return %h : tensor<2x8xf32>
}

// -----

// The cell yields a stacked-shaped value instead of one step of the output.
func.func @recurrence_region_yield_output_type(%x: tensor<2x16x8xf32>, %h0: tensor<2x8xf32>, %big: tensor<2x16x8xf32>) -> tensor<2x16x8xf32> {
  %h, %y = seq.recurrence ins(%x : tensor<2x16x8xf32>) init(%h0 : tensor<2x8xf32>) -> tensor<2x8xf32>, tensor<2x16x8xf32> {
  ^bb0(%hp: tensor<2x8xf32>, %xt: tensor<2x8xf32>):
    // expected-error @+1 {{'seq.yield' op value #1 must be 'tensor<2x8xf32>' (one step of the stacked output), got 'tensor<2x16x8xf32>'}}
    seq.yield %hp, %big : tensor<2x8xf32>, tensor<2x16x8xf32>
  }
  return %y : tensor<2x16x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.conv1d: x and weight
//===----------------------------------------------------------------------===//

// An unbatched input [L, Cin].
func.func @conv1d_x_rank(%x: tensor<16x64xf32>, %w: tensor<64x1x4xf32>) -> tensor<16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'x' must have rank 3 [B, L, Cin], got rank 2 ('tensor<16x64xf32>')}}
  %y = seq.conv1d %x, %w : tensor<16x64xf32>, tensor<64x1x4xf32> -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
}

// -----

// A depthwise weight [C, K] without the Cin / G = 1 dimension.
func.func @conv1d_weight_rank(%x: tensor<2x16x64xf32>, %w: tensor<64x4xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'weight' must have rank 3 [Cout, Cin/G, K], got rank 2 ('tensor<64x4xf32>')}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<64x4xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

func.func @conv1d_x_not_float(%x: tensor<2x16x64xi8>, %w: tensor<64x1x4xi8>) -> tensor<2x16x64xi8> {
  // expected-error @+1 {{'seq.conv1d' op 'x' must have a float element type, got 'i8'}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xi8>, tensor<64x1x4xi8> -> tensor<2x16x64xi8>
  return %y : tensor<2x16x64xi8>
}

// -----

func.func @conv1d_weight_element_type(%x: tensor<2x16x64xbf16>, %w: tensor<64x1x4xf32>) -> tensor<2x16x64xbf16> {
  // expected-error @+1 {{'seq.conv1d' op 'weight' element type 'f32' does not match 'x' element type 'bf16'}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xbf16>, tensor<64x1x4xf32> -> tensor<2x16x64xbf16>
  return %y : tensor<2x16x64xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// seq.conv1d: dilation, kernel size and groups
//===----------------------------------------------------------------------===//

func.func @conv1d_dilation_zero(%x: tensor<2x16x64xf32>, %w: tensor<64x1x4xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'dilation' must be at least 1, got 0}}
  %y = seq.conv1d %x, %w {dilation = 0} : tensor<2x16x64xf32>, tensor<64x1x4xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

func.func @conv1d_dilation_negative(%x: tensor<2x16x64xf32>, %w: tensor<64x1x4xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'dilation' must be at least 1, got -2}}
  %y = seq.conv1d %x, %w {dilation = -2} : tensor<2x16x64xf32>, tensor<64x1x4xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

func.func @conv1d_kernel_zero(%x: tensor<2x16x64xf32>, %w: tensor<64x1x0xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'weight' dimension 2 (K, the kernel size) must be at least 1, got 0}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<64x1x0xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

func.func @conv1d_zero_channels_per_group(%x: tensor<2x16x64xf32>, %w: tensor<64x0x4xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'weight' dimension 1 (Cin/G) must be at least 1}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<64x0x4xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

// A weight in [K, Cin/G, Cout]-like order: dimension 1 is 3, not a divisor of 64.
func.func @conv1d_group_not_dividing(%x: tensor<2x16x64xf32>, %w: tensor<64x3x4xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'weight' dimension 1 (Cin/G) is 3, which does not divide the input channels Cin = 64}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<64x3x4xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

// Cin / G = 16 gives G = 4 groups; 30 output channels do not split into 4.
func.func @conv1d_cout_not_multiple_of_groups(%x: tensor<2x16x64xf32>, %w: tensor<30x16x4xf32>) -> tensor<2x16x30xf32> {
  // expected-error @+1 {{'seq.conv1d' op output channels Cout = 30 ('weight' dimension 0) must be a multiple of the groups G = Cin / weight.dim(1) = 4}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<30x16x4xf32> -> tensor<2x16x30xf32>
  return %y : tensor<2x16x30xf32>
}

// -----

// A depthwise weight for a different channel count than x.
func.func @conv1d_depthwise_channels(%x: tensor<2x16x64xf32>, %w: tensor<48x1x4xf32>) -> tensor<2x16x48xf32> {
  // expected-error @+1 {{'seq.conv1d' op output channels Cout = 48 ('weight' dimension 0) must be a multiple of the groups G = Cin / weight.dim(1) = 64}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<48x1x4xf32> -> tensor<2x16x48xf32>
  return %y : tensor<2x16x48xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seq.conv1d: bias
//===----------------------------------------------------------------------===//

func.func @conv1d_bias_size(%x: tensor<2x16x64xf32>, %w: tensor<64x1x4xf32>, %b: tensor<4xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'bias' dimension 0 (Cout) is 4, but 'weight' has Cout = 64}}
  %y = seq.conv1d %x, %w bias(%b : tensor<4xf32>) : tensor<2x16x64xf32>, tensor<64x1x4xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

func.func @conv1d_bias_rank(%x: tensor<2x16x64xf32>, %w: tensor<64x1x4xf32>, %b: tensor<64x1xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'bias' must have rank 1 [Cout], got rank 2 ('tensor<64x1xf32>')}}
  %y = seq.conv1d %x, %w bias(%b : tensor<64x1xf32>) : tensor<2x16x64xf32>, tensor<64x1x4xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

func.func @conv1d_bias_element_type(%x: tensor<2x16x64xf16>, %w: tensor<64x1x4xf16>, %b: tensor<64xf32>) -> tensor<2x16x64xf16> {
  // expected-error @+1 {{'seq.conv1d' op 'bias' element type 'f32' does not match 'x' element type 'f16'}}
  %y = seq.conv1d %x, %w bias(%b : tensor<64xf32>) : tensor<2x16x64xf16>, tensor<64x1x4xf16> -> tensor<2x16x64xf16>
  return %y : tensor<2x16x64xf16>
}

// -----

//===----------------------------------------------------------------------===//
// seq.conv1d: streaming state
//===----------------------------------------------------------------------===//

// The state holds K - 1 = 3 inputs, not K = 4.
func.func @conv1d_state_length(%x: tensor<2x1x64xf32>, %w: tensor<64x1x4xf32>, %s0: tensor<2x4x64xf32>) -> tensor<2x1x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'state' dimension 1 must be (K - 1) * dilation = 3, got 4}}
  %y = seq.conv1d %x, %w state(%s0 : tensor<2x4x64xf32>) activation silu : tensor<2x1x64xf32>, tensor<64x1x4xf32> -> tensor<2x1x64xf32>
  return %y : tensor<2x1x64xf32>
}

// -----

// With dilation 2 the state holds (4 - 1) * 2 = 6 inputs.
func.func @conv1d_state_length_dilated(%x: tensor<2x1x64xf32>, %w: tensor<64x1x4xf32>, %s0: tensor<2x3x64xf32>) -> tensor<2x1x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'state' dimension 1 must be (K - 1) * dilation = 6, got 3}}
  %y = seq.conv1d %x, %w state(%s0 : tensor<2x3x64xf32>) {dilation = 2} : tensor<2x1x64xf32>, tensor<64x1x4xf32> -> tensor<2x1x64xf32>
  return %y : tensor<2x1x64xf32>
}

// -----

// A channels-first state [B, Cin, K - 1] (the layout of causal_conv1d_update).
func.func @conv1d_state_channels_first(%x: tensor<2x1x64xf32>, %w: tensor<64x1x4xf32>, %s0: tensor<2x64x3xf32>) -> tensor<2x1x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'state' dimension 2 (Cin) is 3, but 'x' has Cin = 64}}
  %y = seq.conv1d %x, %w state(%s0 : tensor<2x64x3xf32>) : tensor<2x1x64xf32>, tensor<64x1x4xf32> -> tensor<2x1x64xf32>
  return %y : tensor<2x1x64xf32>
}

// -----

func.func @conv1d_state_batch(%x: tensor<2x1x64xf32>, %w: tensor<64x1x4xf32>, %s0: tensor<1x3x64xf32>) -> tensor<2x1x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'state' dimension 0 (B) is 1, but 'x' has B = 2}}
  %y = seq.conv1d %x, %w state(%s0 : tensor<1x3x64xf32>) : tensor<2x1x64xf32>, tensor<64x1x4xf32> -> tensor<2x1x64xf32>
  return %y : tensor<2x1x64xf32>
}

// -----

func.func @conv1d_state_rank(%x: tensor<2x1x64xf32>, %w: tensor<64x1x4xf32>, %s0: tensor<3x64xf32>) -> tensor<2x1x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'state' must have rank 3 [B, P, Cin], got rank 2 ('tensor<3x64xf32>')}}
  %y = seq.conv1d %x, %w state(%s0 : tensor<3x64xf32>) : tensor<2x1x64xf32>, tensor<64x1x4xf32> -> tensor<2x1x64xf32>
  return %y : tensor<2x1x64xf32>
}

// -----

func.func @conv1d_state_element_type(%x: tensor<2x1x64xf16>, %w: tensor<64x1x4xf16>, %s0: tensor<2x3x64xf32>) -> tensor<2x1x64xf16> {
  // expected-error @+1 {{'seq.conv1d' op 'state' element type 'f32' does not match 'x' element type 'f16'}}
  %y = seq.conv1d %x, %w state(%s0 : tensor<2x3x64xf32>) : tensor<2x1x64xf16>, tensor<64x1x4xf16> -> tensor<2x1x64xf16>
  return %y : tensor<2x1x64xf16>
}

// -----

//===----------------------------------------------------------------------===//
// seq.conv1d: results
//===----------------------------------------------------------------------===//

// "valid" (non-causal) output length L - K + 1.
func.func @conv1d_y_length(%x: tensor<2x16x64xf32>, %w: tensor<64x1x4xf32>) -> tensor<2x13x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'y' dimension 1 (L) is 13, but 'x' has L = 16}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<64x1x4xf32> -> tensor<2x13x64xf32>
  return %y : tensor<2x13x64xf32>
}

// -----

func.func @conv1d_y_channels(%x: tensor<2x16x64xf32>, %w: tensor<128x1x4xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'y' dimension 2 (Cout) is 64, but 'weight' has Cout = 128}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<128x1x4xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// -----

func.func @conv1d_y_element_type(%x: tensor<2x16x64xf32>, %w: tensor<64x1x4xf32>) -> tensor<2x16x64xbf16> {
  // expected-error @+1 {{'seq.conv1d' op 'y' element type 'bf16' does not match 'x' element type 'f32'}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<64x1x4xf32> -> tensor<2x16x64xbf16>
  return %y : tensor<2x16x64xbf16>
}

// -----

func.func @conv1d_final_state_length(%x: tensor<2x16x64xf32>, %w: tensor<64x1x4xf32>) -> (tensor<2x16x64xf32>, tensor<2x4x64xf32>) {
  // expected-error @+1 {{'seq.conv1d' op 'final_state' dimension 1 must be (K - 1) * dilation = 3, got 4}}
  %y, %s = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<64x1x4xf32> -> tensor<2x16x64xf32>, tensor<2x4x64xf32>
  return %y, %s : tensor<2x16x64xf32>, tensor<2x4x64xf32>
}

// -----

func.func @conv1d_final_state_element_type(%x: tensor<2x16x64xf32>, %w: tensor<64x1x4xf32>) -> (tensor<2x16x64xf32>, tensor<2x3x64xf16>) {
  // expected-error @+1 {{'seq.conv1d' op 'final_state' element type 'f16' does not match 'x' element type 'f32'}}
  %y, %s = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<64x1x4xf32> -> tensor<2x16x64xf32>, tensor<2x3x64xf16>
  return %y, %s : tensor<2x16x64xf32>, tensor<2x3x64xf16>
}


// -----

// Regressions: sizes that are static in only one operand or result, zero
// sizes and overflowing products must still be rejected.

func.func @b1(%q: tensor<2x?x16x64xf32>, %k: tensor<2x3x16x64xf32>, %v: tensor<2x3x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op query heads H = 8 must be a multiple of key/value heads Hkv = 3 (grouped-query attention)}}
  %o = seq.attention %q, %k, %v : tensor<2x?x16x64xf32>, tensor<2x3x16x64xf32>, tensor<2x3x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}
// -----
func.func @b2(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x?xf32>, %s0: tensor<2x4x32x16xf32>) -> (tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>) {
  // expected-error @+1 {{'seq.linear_attention' op 'initial_state' dimension 3 (Dv) is 16, but 'output' has Dv = 64}}
  %o, %s = seq.linear_attention %q, %k, %v initial_state(%s0 : tensor<2x4x32x16xf32>) : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x?xf32> -> tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
  return %o, %s : tensor<2x4x16x64xf32>, tensor<2x4x32x64xf32>
}
// -----
func.func @b3(%u: tensor<2x16x?xf32>, %dt: tensor<2x16x?xf32>, %A: tensor<?x8xf32>, %B: tensor<2x16x3x8xf32>, %C: tensor<2x16x3x8xf32>, %D: tensor<64xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf32>) {
  // expected-error @+1 {{'seq.selective_scan' op groups G = 3 (dimension 2 of 'B' and 'C') must divide the channels Dm = 64}}
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<64xf32>) : tensor<2x16x?xf32>, tensor<2x16x?xf32>, tensor<?x8xf32>, tensor<2x16x3x8xf32>, tensor<2x16x3x8xf32> -> tensor<2x16x64xf32>, tensor<2x64x8xf32>
  return %y, %h : tensor<2x16x64xf32>, tensor<2x64x8xf32>
}
// -----
func.func @b4(%x: tensor<2x16x64xf32>, %w: tensor<?x16x4xf32>) -> tensor<2x16x30xf32> {
  // expected-error @+1 {{'seq.conv1d' op output channels Cout = 30 ('weight' dimension 0) must be a multiple of the groups G = Cin / weight.dim(1) = 4}}
  %y = seq.conv1d %x, %w : tensor<2x16x64xf32>, tensor<?x16x4xf32> -> tensor<2x16x30xf32>
  return %y : tensor<2x16x30xf32>
}
// -----
func.func @b5(%x: tensor<2x16x64xf32>, %w: tensor<64x1x?xf32>, %s0: tensor<2x3x64xf32>) -> (tensor<2x16x64xf32>, tensor<2x5x64xf32>) {
  // expected-error @+1 {{'seq.conv1d' op 'final_state' dimension 1 (P) is 5, but 'state' has P = 3}}
  %y, %s = seq.conv1d %x, %w state(%s0 : tensor<2x3x64xf32>) : tensor<2x16x64xf32>, tensor<64x1x?xf32> -> tensor<2x16x64xf32>, tensor<2x5x64xf32>
  return %y, %s : tensor<2x16x64xf32>, tensor<2x5x64xf32>
}
// -----
func.func @b6(%x: tensor<?x16x8xf32>, %h0: tensor<2x32xf32>) -> tensor<3x16x32xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'result #1' dimension 0 must be B = 2, got 3}}
  %h, %y = seq.recurrence ins(%x : tensor<?x16x8xf32>) init(%h0 : tensor<2x32xf32>) -> tensor<2x32xf32>, tensor<3x16x32xf32> {
  ^bb0(%hp: tensor<2x32xf32>, %xt: tensor<?x8xf32>):
    %e = tensor.empty() : tensor<3x32xf32>
    seq.yield %hp, %e : tensor<2x32xf32>, tensor<3x32xf32>
  }
  return %y : tensor<3x16x32xf32>
}
// -----
func.func @b7(%x: tensor<2x16x64xf32>, %wi: tensor<100x64xf32>, %wr: tensor<4x?x?x?xf32>, %h0: tensor<2x128xf32>, %c0: tensor<2x128xf32>) -> tensor<2x16x128xf32> {
  // expected-error @+1 {{'seq.recurrence' op 'w_in' dimension 0 must be nG * Hs = 4 * 128 = 512, got 100}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<2x16x64xf32>) init(%h0, %c0 : tensor<2x128xf32>, tensor<2x128xf32>) w_in(%wi : tensor<100x64xf32>) w_rec(%wr : tensor<4x?x?x?xf32>) -> tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x16x128xf32>
  return %y : tensor<2x16x128xf32>
}
// -----
func.func @b8(%q: tensor<2x8x16x0xf32>, %k: tensor<2x2x16x0xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op head size D (dimension 3 of 'q' and 'k') must be at least 1, got 0}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x0xf32>, tensor<2x2x16x0xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}
// -----
func.func @b9(%x: tensor<2x16x64xf32>, %w: tensor<64x1x4xf32>, %s0: tensor<2x3x64xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'dilation' = 6148914691236517206 is too large: (K - 1) * dilation overflows}}
  %y = seq.conv1d %x, %w state(%s0 : tensor<2x3x64xf32>) {dilation = 6148914691236517206} : tensor<2x16x64xf32>, tensor<64x1x4xf32> -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}
// -----
func.func @b10(%q: tensor<2x8x16x64xf32>, %k: tensor<2x?x16x64xf32>, %v: tensor<2x0x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'seq.attention' op key/value heads Hkv (dimension 1 of 'k' and 'v') must be at least 1, got 0}}
  %o = seq.attention %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x?x16x64xf32>, tensor<2x0x16x64xf32> -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}
// -----
func.func @b11(%x: tensor<2x1x?xf32>, %w: tensor<64x3x4xf32>, %s0: tensor<2x3x64xf32>) -> tensor<2x1x64xf32> {
  // expected-error @+1 {{'seq.conv1d' op 'weight' dimension 1 (Cin/G) is 3, which does not divide the input channels Cin = 64}}
  %y = seq.conv1d %x, %w state(%s0 : tensor<2x3x64xf32>) : tensor<2x1x?xf32>, tensor<64x3x4xf32> -> tensor<2x1x64xf32>
  return %y : tensor<2x1x64xf32>
}

// -----

func.func @conv_cin0(%x: tensor<1x4x0xf32>, %w: tensor<4x1x3xf32>) -> tensor<1x4x4xf32> {
  // expected-error @+1 {{'seq.conv1d' op input channels Cin must be at least 1, got 0}}
  %y = seq.conv1d %x, %w : tensor<1x4x0xf32>, tensor<4x1x3xf32> -> tensor<1x4x4xf32>
  return %y : tensor<1x4x4xf32>
}

// -----

func.func @dequantize_bits(%q: tensor<8x16xi8>, %s: tensor<8x1xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op attribute 'bits' failed to satisfy constraint: 64-bit signless integer attribute whose value is one of {4, 8, 16}}}
  %w = seq.dequantize %q, %s bits 2 : tensor<8x16xi8>, tensor<8x1xf32> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_dynamic(%q: tensor<?x16xi8>, %s: tensor<8x1xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op 'quantized' must be a 2-D tensor of static shape, got 'tensor<?x16xi8>'}}
  %w = seq.dequantize %q, %s bits 8 : tensor<?x16xi8>, tensor<8x1xf32> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_storage_type(%q: tensor<8x16xi32>, %s: tensor<8x1xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op 'quantized' must hold i8, got 'i32'}}
  %w = seq.dequantize %q, %s bits 8 : tensor<8x16xi32>, tensor<8x1xf32> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_scale_type(%q: tensor<8x16xi8>, %s: tensor<8x1xf16>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op 'scales' must hold f32, got 'f16'}}
  %w = seq.dequantize %q, %s bits 8 : tensor<8x16xi8>, tensor<8x1xf16> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_int4_unpacked(%q: tensor<8x16xi8>, %s: tensor<8x1xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op 'quantized' must be [N, K / 2] = [8, 8] for a [8, 16] result with 4-bit values, got [8, 16]}}
  %w = seq.dequantize %q, %s bits 4 : tensor<8x16xi8>, tensor<8x1xf32> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_groups(%q: tensor<8x16xi8>, %s: tensor<8x3xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op 'scales' must be [N, G] with N = 8 and G dividing K = 16, got [8, 3]}}
  %w = seq.dequantize %q, %s bits 8 : tensor<8x16xi8>, tensor<8x3xf32> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_odd_int4_group(%q: tensor<8x6xi8>, %s: tensor<8x4xf32>) -> tensor<8x12xf32> {
  // expected-error @+1 {{'seq.dequantize' op 4-bit groups must hold an even number of inputs (two share a byte), got a group size of 3}}
  %w = seq.dequantize %q, %s bits 4 : tensor<8x6xi8>, tensor<8x4xf32> -> tensor<8x12xf32>
  return %w : tensor<8x12xf32>
}

// -----

func.func @dequantize_bf16_scales(%q: tensor<8x32xi8>, %s: tensor<8x1xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op bf16 weights (bits 16) take no scales}}
  %w = seq.dequantize %q, %s bits 16 : tensor<8x32xi8>, tensor<8x1xf32> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_int8_no_scales(%q: tensor<8x16xi8>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op integer weights need 'scales'}}
  %w = seq.dequantize %q bits 8 : tensor<8x16xi8> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_zero_shape(%q: tensor<8x16xi8>, %s: tensor<8x1xf32>, %z: tensor<8x2xi8>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op 'zero_points' must be i8 of the scales' shape 'tensor<8x1xf32>' (integer weights only), got 'tensor<8x2xi8>'}}
  %w = seq.dequantize %q, %s zero %z bits 8 : tensor<8x16xi8>, tensor<8x1xf32>, tensor<8x2xi8> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_zero_type(%q: tensor<8x16xi8>, %s: tensor<8x1xf32>, %z: tensor<8x1xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op 'zero_points' must be i8 of the scales' shape 'tensor<8x1xf32>' (integer weights only), got 'tensor<8x1xf32>'}}
  %w = seq.dequantize %q, %s zero %z bits 8 : tensor<8x16xi8>, tensor<8x1xf32>, tensor<8x1xf32> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @dequantize_bf16_shape(%q: tensor<8x16xi8>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'seq.dequantize' op 'quantized' must be [N, 2K] = [8, 32] for a [8, 16] result with 16-bit values, got [8, 16]}}
  %w = seq.dequantize %q bits 16 : tensor<8x16xi8> -> tensor<8x16xf32>
  return %w : tensor<8x16xf32>
}

// -----

func.func @fake_quantize_type(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'seq.fake_quantize' op the input must be a tensor of f32 with at least one dimension, got 'tensor<4x8xf16>'}}
  %y = seq.fake_quantize %x : tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

func.func @fake_quantize_threshold(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'seq.fake_quantize' op 'outlier_threshold' must be a positive finite number, got -1}}
  %y = seq.fake_quantize %x outliers -1.0 : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @fake_quantize_scale(%x: tensor<4x8xf32>, %s: tensor<1xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'seq.fake_quantize' op operand #1 must be 0D tensor of 32-bit float values, but got 'tensor<1xf32>'}}
  %y = seq.fake_quantize %x scale %s : tensor<4x8xf32>, tensor<1xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @fake_quantize_scale_and_outliers(%x: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'seq.fake_quantize' op takes either a static 'scale' or an 'outlier_threshold', not both}}
  %y = seq.fake_quantize %x outliers 6.0 scale %s : tensor<4x8xf32>, tensor<f32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @hadamard_block(%x: tensor<4x24xf32>) -> tensor<4x24xf32> {
  // expected-error @+1 {{'seq.hadamard' op 'block' must be a power of two, got 12}}
  %y = seq.hadamard %x block 12 : tensor<4x24xf32>
  return %y : tensor<4x24xf32>
}

// -----

func.func @hadamard_size(%x: tensor<4x24xf32>) -> tensor<4x24xf32> {
  // expected-error @+1 {{'seq.hadamard' op the last dimension must be static and a multiple of the block 16, got 'tensor<4x24xf32>'}}
  %y = seq.hadamard %x block 16 : tensor<4x24xf32>
  return %y : tensor<4x24xf32>
}

// -----

func.func @hadamard_dynamic(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{'seq.hadamard' op the last dimension must be static and a multiple of the block 8, got 'tensor<4x?xf32>'}}
  %y = seq.hadamard %x block 8 : tensor<4x?xf32>
  return %y : tensor<4x?xf32>
}

// -----

func.func @hadamard_type(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'seq.hadamard' op the input must be a tensor of f32 with at least one dimension, got 'tensor<4x8xf16>'}}
  %y = seq.hadamard %x block 8 : tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}
// -----
// A cell of no units (its lowerings divide by the head size).
func.func @recurrence_zero_head_size(%x: tensor<2x3x8xf32>, %wi: tensor<0x8xf32>, %wr: tensor<1x1x0x0xf32>) -> (tensor<2x0xf32>, tensor<2x3x0xf32>) {
  // expected-error @+1 {{'seq.recurrence' op head size Dh (dimension 2 of 'w_rec') must be at least 1, got 0}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x3x8xf32>) w_in(%wi : tensor<0x8xf32>) w_rec(%wr : tensor<1x1x0x0xf32>) -> tensor<2x0xf32>, tensor<2x3x0xf32>
  return %h, %y : tensor<2x0xf32>, tensor<2x3x0xf32>
}
// -----
func.func @recurrence_zero_heads(%x: tensor<2x3x8xf32>, %wi: tensor<0x8xf32>, %wr: tensor<1x0x4x4xf32>) -> (tensor<2x0xf32>, tensor<2x3x0xf32>) {
  // expected-error @+1 {{'seq.recurrence' op heads NH (dimension 1 of 'w_rec') must be at least 1, got 0}}
  %h, %y = seq.recurrence cell = elman ins(%x : tensor<2x3x8xf32>) w_in(%wi : tensor<0x8xf32>) w_rec(%wr : tensor<1x0x4x4xf32>) -> tensor<2x0xf32>, tensor<2x3x0xf32>
  return %h, %y : tensor<2x0xf32>, tensor<2x3x0xf32>
}
// -----
func.func @linear_attention_zero_key_size(%q: tensor<1x2x8x0xf32>, %v: tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32> {
  // expected-error @+1 {{'seq.linear_attention' op key size Dk (dimension 3 of 'q' and 'k') must be at least 1, got 0}}
  %o, %s = seq.linear_attention %q, %q, %v {scale = 1.0 : f32} : tensor<1x2x8x0xf32>, tensor<1x2x8x0xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x8x4xf32>, tensor<1x2x0x4xf32>
  return %o : tensor<1x2x8x4xf32>
}
// -----
func.func @attention_zero_heads(%q: tensor<1x0x4x8xf32>, %k: tensor<1x2x4x8xf32>) -> tensor<1x0x4x8xf32> {
  // expected-error @+1 {{'seq.attention' op query heads H (dimension 1 of 'q') must be at least 1, got 0}}
  %o = seq.attention %q, %k, %k : tensor<1x0x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x0x4x8xf32>
  return %o : tensor<1x0x4x8xf32>
}
