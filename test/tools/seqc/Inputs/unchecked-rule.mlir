func.func @f(%u: tensor<1x3x8xf32>, %A: tensor<8x2xf32>, %x: tensor<?xf32>) -> tensor<1x3x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %g = arith.addi %n, %c1 : index
  %B = tensor.empty(%g) : tensor<1x3x?x2xf32>
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B : tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<8x2xf32>, tensor<1x3x?x2xf32>, tensor<1x3x?x2xf32> -> tensor<1x3x8xf32>, tensor<1x8x2xf32>
  return %y : tensor<1x3x8xf32>
}
