// RUN: seq-opt %s -convert-seq-to-linalg -split-input-file -verify-diagnostics

// Sizes the reference lowering needs statically get an error naming them.
func.func @conv_dynamic_channels(%x: tensor<?x?x?xf32>, %w: tensor<4x1x2xf32>) -> tensor<?x?x4xf32> {
  // expected-error @+1 {{the reference lowering needs a static size for dimension 2 of 'x' ('tensor<?x?x?xf32>')}}
  %y = seq.conv1d %x, %w : tensor<?x?x?xf32>, tensor<4x1x2xf32> -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}

// -----

func.func @lstm_dynamic_weights(%x: tensor<?x?x3xf32>, %wi: tensor<?x3xf32>, %wr: tensor<4x?x2x2xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{the reference lowering needs a static size for dimension 1 of 'w_rec'}}
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x3xf32>) w_in(%wi : tensor<?x3xf32>) w_rec(%wr : tensor<4x?x2x2xf32>)
      -> tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}
