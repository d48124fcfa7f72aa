func.func private @helper(%x: tensor<?x?x4xf32>, %w: tensor<4x1x2xf32>) -> tensor<?x?x4xf32> {
  %y = seq.conv1d %x, %w : tensor<?x?x4xf32>, tensor<4x1x2xf32> -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}
func.func @free(%x: tensor<?x?x4xf32>, %w: tensor<4x1x2xf32>) -> tensor<?x?x4xf32> {
  %y = func.call @helper(%x, %w) : (tensor<?x?x4xf32>, tensor<4x1x2xf32>) -> tensor<?x?x4xf32>
  %z = arith.addf %y, %y : tensor<?x?x4xf32>
  return %z : tensor<?x?x4xf32>
}
func.func @malloc(%x: tensor<?x?x4xf32>, %w: tensor<4x1x2xf32>) -> tensor<?x?x4xf32> {
  %y = seq.conv1d %x, %w activation silu : tensor<?x?x4xf32>, tensor<4x1x2xf32> -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}
