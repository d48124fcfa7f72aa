// Causal grouped-query attention as in a Llama-style block (8 query heads
// sharing 2 key/value heads, head size 64), for prefill (Lq == Lk) and for
// one decode step against a KV cache whose valid length varies per batch
// entry (end-aligned causal mask, kv_len).
func.func @prefill(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>,
                   %v: tensor<?x2x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = seq.attention %q, %k, %v {causal}
      : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>
      -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

func.func @decode(%q: tensor<?x8x1x64xf32>, %kcache: tensor<?x2x4096x64xf32>,
                  %vcache: tensor<?x2x4096x64xf32>, %len: tensor<?xi32>)
    -> (tensor<?x8x1x64xf32>, tensor<?x8x1xf32>) {
  %o, %lse = seq.attention %q, %kcache, %vcache kv_len(%len : tensor<?xi32>)
      {causal}
      : tensor<?x8x1x64xf32>, tensor<?x2x4096x64xf32>, tensor<?x2x4096x64xf32>
      -> tensor<?x8x1x64xf32>, tensor<?x8x1xf32>
  return %o, %lse : tensor<?x8x1x64xf32>, tensor<?x8x1xf32>
}
