// A one-layer LSTM (input 64, hidden 128) with PyTorch's weight layout:
// w_in is weight_ih [4*128, 64], w_rec is weight_hh reshaped to
// [4 gates, 1 head, 128, 128]. Returns every hidden state and the final (h, c).
func.func @lstm(%x: tensor<?x?x64xf32>, %w_ih: tensor<512x64xf32>,
                %w_hh: tensor<4x1x128x128xf32>, %b_ih: tensor<512xf32>,
                %b_hh: tensor<512xf32>, %h0: tensor<?x128xf32>,
                %c0: tensor<?x128xf32>)
    -> (tensor<?x?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>) {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x64xf32>)
      init(%h0, %c0 : tensor<?x128xf32>, tensor<?x128xf32>)
      w_in(%w_ih : tensor<512x64xf32>) w_rec(%w_hh : tensor<4x1x128x128xf32>)
      b_in(%b_ih : tensor<512xf32>) b_rec(%b_hh : tensor<512xf32>)
      -> tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>
  return %y, %h, %c : tensor<?x?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>
}
