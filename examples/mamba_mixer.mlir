// The sequence-mixing core of a Mamba-1 block (d_model 768, d_inner 1536,
// d_state 16, d_conv 4, dt_rank 48), as seqc sees it after the input
// projection: a causal depthwise convolution with SiLU, then the selective
// scan gated by silu(z). Batch and sequence length are dynamic.
func.func @mamba_mixer(%x: tensor<?x?x1536xf32>, %z: tensor<?x?x1536xf32>,
                       %conv_w: tensor<1536x1x4xf32>,
                       %conv_b: tensor<1536xf32>,
                       %dt: tensor<?x?x1536xf32>, %dt_bias: tensor<1536xf32>,
                       %A: tensor<1536x16xf32>, %B: tensor<?x?x1x16xf32>,
                       %C: tensor<?x?x1x16xf32>, %D: tensor<1536xf32>)
    -> tensor<?x?x1536xf32> {
  %u = seq.conv1d %x, %conv_w bias(%conv_b : tensor<1536xf32>) activation silu
      : tensor<?x?x1536xf32>, tensor<1536x1x4xf32> -> tensor<?x?x1536xf32>
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<1536xf32>)
      z(%z : tensor<?x?x1536xf32>) delta_bias(%dt_bias : tensor<1536xf32>)
      {delta_softplus}
      : tensor<?x?x1536xf32>, tensor<?x?x1536xf32>, tensor<1536x16xf32>,
        tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>
      -> tensor<?x?x1536xf32>, tensor<?x1536x16xf32>
  return %y : tensor<?x?x1536xf32>
}
