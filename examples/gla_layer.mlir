// Gated linear attention (GLA): 4 heads, key and value size 128, a decay per
// key channel in log space, and a state carried across calls so that a long
// sequence can be processed in segments.
func.func @gla(%q: tensor<?x4x?x128xf32>, %k: tensor<?x4x?x128xf32>,
               %v: tensor<?x4x?x128xf32>, %g: tensor<?x4x?x128xf32>,
               %s0: tensor<?x4x128x128xf32>)
    -> (tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>) {
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<?x4x?x128xf32>)
      initial_state(%s0 : tensor<?x4x128x128xf32>)
      : tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>
      -> tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
  return %o, %s : tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
}
