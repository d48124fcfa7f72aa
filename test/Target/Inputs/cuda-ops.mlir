// One function per seq op (and the linalg ops models use around them), as
// the CUDA target tests compile them: test/Target/cuda-kernels.mlir.

func.func @attention(%q: tensor<?x8x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x16xf32>) -> tensor<?x8x?x16xf32> {
  %o = seq.attention %q, %k, %v {causal} : tensor<?x8x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x8x?x16xf32>
  return %o : tensor<?x8x?x16xf32>
}

func.func @linear_attention(%q: tensor<?x2x?x4xf32>, %g: tensor<?x2x?xf32>) -> (tensor<?x2x?x4xf32>, tensor<?x2x4x4xf32>) {
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : tensor<?x2x?xf32>) beta(%g : tensor<?x2x?xf32>)
      : tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32> -> tensor<?x2x?x4xf32>, tensor<?x2x4x4xf32>
  return %o, %s : tensor<?x2x?x4xf32>, tensor<?x2x4x4xf32>
}

func.func @selective_scan(%u: tensor<?x?x4xf32>, %A: tensor<4x3xf32>, %B: tensor<?x?x2x3xf32>) -> (tensor<?x?x4xf32>, tensor<?x4x3xf32>) {
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B {delta_softplus}
      : tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<4x3xf32>, tensor<?x?x2x3xf32>, tensor<?x?x2x3xf32> -> tensor<?x?x4xf32>, tensor<?x4x3xf32>
  return %y, %h : tensor<?x?x4xf32>, tensor<?x4x3xf32>
}

func.func @scan(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %r0, %r1 = seq.scan dim = 1 ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a1, %a0 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  return %r0, %r1 : tensor<?x?xf32>, tensor<?x?xf32>
}

func.func @lstm(%x: tensor<?x?x3xf32>, %wi: tensor<16x3xf32>, %wr: tensor<4x2x2x2xf32>) -> tensor<?x?x4xf32> {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x3xf32>) w_in(%wi : tensor<16x3xf32>) w_rec(%wr : tensor<4x2x2x2xf32>)
      -> tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}

func.func @cell_region(%x: tensor<?x?x4xf32>, %h0: tensor<?x4xf32>) -> tensor<?x?x4xf32> {
  %h, %y = seq.recurrence ins(%x : tensor<?x?x4xf32>) init(%h0 : tensor<?x4xf32>) -> tensor<?x4xf32>, tensor<?x?x4xf32> {
  ^bb0(%hp: tensor<?x4xf32>, %xt: tensor<?x4xf32>):
    %n = math.tanh %xt : tensor<?x4xf32>
    %s = arith.addf %hp, %n : tensor<?x4xf32>
    seq.yield %s, %s : tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %y : tensor<?x?x4xf32>
}

func.func @conv1d(%x: tensor<?x?x6xf32>, %w: tensor<6x2x3xf32>) -> tensor<?x?x6xf32> {
  %y = seq.conv1d %x, %w activation silu {dilation = 2} : tensor<?x?x6xf32>, tensor<6x2x3xf32> -> tensor<?x?x6xf32>
  return %y : tensor<?x?x6xf32>
}

func.func @hadamard(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = seq.hadamard %x block 4 : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @dequantize(%q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<4x8xf32> {
  %w = seq.dequantize %q, %s bits 8 : tensor<4x8xi8>, tensor<4x1xf32> -> tensor<4x8xf32>
  return %w : tensor<4x8xf32>
}

func.func @fake_quantize(%x: tensor<?x?x64xf32>, %s: tensor<f32>) -> tensor<?x?x64xf32> {
  %y = seq.fake_quantize %x scale %s : tensor<?x?x64xf32>, tensor<f32>
  return %y : tensor<?x?x64xf32>
}

func.func @matmul(%a: tensor<?x64xf32>, %b: tensor<64x32xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %c = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x32xf32>) outs(%init : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %c : tensor<?x32xf32>
}

func.func @attention_f16(%q: tensor<?x4x?x32xf16>) -> tensor<?x4x?x32xf16> {
  %o = seq.attention %q, %q, %q {causal} : tensor<?x4x?x32xf16>, tensor<?x4x?x32xf16>, tensor<?x4x?x32xf16> -> tensor<?x4x?x32xf16>
  return %o : tensor<?x4x?x32xf16>
}

func.func @attention_bf16(%q: tensor<?x4x?x32xbf16>) -> tensor<?x4x?x32xbf16> {
  %o = seq.attention %q, %q, %q {causal} : tensor<?x4x?x32xbf16>, tensor<?x4x?x32xbf16>, tensor<?x4x?x32xbf16> -> tensor<?x4x?x32xbf16>
  return %o : tensor<?x4x?x32xbf16>
}

// Tensor cores at a common head size, and f16 whose head size (72) is not
// a multiple of 16: the thread-per-row kernel.
func.func @attention_f16_d128(%q: tensor<?x4x?x128xf16>, %k: tensor<?x1x?x128xf16>) -> tensor<?x4x?x128xf16> {
  %o = seq.attention %q, %k, %k {causal} : tensor<?x4x?x128xf16>, tensor<?x1x?x128xf16>, tensor<?x1x?x128xf16> -> tensor<?x4x?x128xf16>
  return %o : tensor<?x4x?x128xf16>
}

func.func @attention_f16_d72(%q: tensor<?x4x?x72xf16>) -> tensor<?x4x?x72xf16> {
  %o = seq.attention %q, %q, %q {causal} : tensor<?x4x?x72xf16>, tensor<?x4x?x72xf16>, tensor<?x4x?x72xf16> -> tensor<?x4x?x72xf16>
  return %o : tensor<?x4x?x72xf16>
}

// Chunked linear attention on tensor cores (bf16, a decay per step).
func.func @linear_attention_bf16(%q: tensor<?x2x?x64xbf16>, %g: tensor<?x2x?xbf16>) -> (tensor<?x2x?x64xbf16>, tensor<?x2x64x64xbf16>) {
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : tensor<?x2x?xbf16>) : tensor<?x2x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x64xbf16> -> tensor<?x2x?x64xbf16>, tensor<?x2x64x64xbf16>
  return %o, %s : tensor<?x2x?x64xbf16>, tensor<?x2x64x64xbf16>
}

// Mamba's state size: the selective scan's own kernel (seq-gpu-selective-scan).
func.func @selective_scan_n16(%u: tensor<?x?x64xf32>, %A: tensor<64x16xf32>, %B: tensor<?x?x1x16xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x16xf32>) {
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B {delta_softplus}
      : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32> -> tensor<?x?x64xf32>, tensor<?x64x16xf32>
  return %y, %h : tensor<?x?x64xf32>, tensor<?x64x16xf32>
}

// GLA (a decay per key channel) in bf16 at a common key size: the
// cumulative decays' kernel, then the chunked tensor-core kernel.
func.func @gla_bf16(%q: tensor<?x2x?x128xbf16>, %g: tensor<?x2x?x128xbf16>) -> (tensor<?x2x?x128xbf16>, tensor<?x2x128x128xbf16>) {
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : tensor<?x2x?x128xbf16>) : tensor<?x2x?x128xbf16>, tensor<?x2x?x128xbf16>, tensor<?x2x?x128xbf16> -> tensor<?x2x?x128xbf16>, tensor<?x2x128x128xbf16>
  return %o, %s : tensor<?x2x?x128xbf16>, tensor<?x2x128x128xbf16>
}

// The forms the tensor cores do not take, at the benchmark's key and
// value sizes: f32 GLA, the f32 gated delta rule, f16 GLA and an f32
// mLSTM (seq-gpu-recurrent-linear-attention: one kernel walking the steps).
func.func @gla_f32(%q: tensor<?x4x?x128xf32>, %g: tensor<?x4x?x128xf32>) -> (tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>) {
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : tensor<?x4x?x128xf32>) : tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32> -> tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
  return %o, %s : tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
}

func.func @gated_delta_f32(%q: tensor<?x4x?x128xf32>, %g: tensor<?x4x?xf32>) -> (tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>) {
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : tensor<?x4x?xf32>) beta(%g : tensor<?x4x?xf32>) : tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32> -> tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
  return %o, %s : tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
}

func.func @gla_f16(%q: tensor<?x4x?x64xf16>, %g: tensor<?x4x?x64xf16>) -> (tensor<?x4x?x64xf16>, tensor<?x4x64x64xf16>) {
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : tensor<?x4x?x64xf16>) : tensor<?x4x?x64xf16>, tensor<?x4x?x64xf16>, tensor<?x4x?x64xf16> -> tensor<?x4x?x64xf16>, tensor<?x4x64x64xf16>
  return %o, %s : tensor<?x4x?x64xf16>, tensor<?x4x64x64xf16>
}

func.func @mlstm_f32(%q: tensor<?x4x?x128xf32>, %g: tensor<?x4x?xf32>, %s0: tensor<?x4x128x129xf32>) -> (tensor<?x4x?x128xf32>, tensor<?x4x128x129xf32>) {
  %o, %s = seq.linear_attention %q, %q, %q decay(%g : tensor<?x4x?xf32>) initial_state(%s0 : tensor<?x4x128x129xf32>) {normalize} : tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32> -> tensor<?x4x?x128xf32>, tensor<?x4x128x129xf32>
  return %o, %s : tensor<?x4x?x128xf32>, tensor<?x4x128x129xf32>
}

// Named-cell recurrences as persistent kernels (seq-gpu-recurrence): the
// benchmark's LSTM (a head of 512 units: two per thread, the recurrent
// weights read through the caches), a bf16 GRU with two heads of 64, and
// an sLSTM whose heads of 32 units keep their weights in shared memory.
func.func @lstm_h512(%x: tensor<?x?x512xf32>, %wi: tensor<2048x512xf32>, %wr: tensor<4x1x512x512xf32>, %b: tensor<2048xf32>) -> tensor<?x?x512xf32> {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x512xf32>) w_in(%wi : tensor<2048x512xf32>) w_rec(%wr : tensor<4x1x512x512xf32>) b_in(%b : tensor<2048xf32>) b_rec(%b : tensor<2048xf32>)
      -> tensor<?x512xf32>, tensor<?x512xf32>, tensor<?x?x512xf32>
  return %y : tensor<?x?x512xf32>
}

func.func @gru_bf16(%x: tensor<?x?x64xbf16>, %wi: tensor<384x64xbf16>, %wr: tensor<3x2x64x64xbf16>, %h0: tensor<?x128xbf16>) -> (tensor<?x128xbf16>, tensor<?x?x128xbf16>) {
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<?x?x64xbf16>) init(%h0 : tensor<?x128xbf16>) w_in(%wi : tensor<384x64xbf16>) w_rec(%wr : tensor<3x2x64x64xbf16>) {reverse}
      -> tensor<?x128xbf16>, tensor<?x?x128xbf16>
  return %h, %y : tensor<?x128xbf16>, tensor<?x?x128xbf16>
}

func.func @slstm_h4x32(%x: tensor<?x?x128xf32>, %wi: tensor<512x128xf32>, %wr: tensor<4x4x32x32xf32>) -> tensor<?x?x128xf32> {
  %h, %c, %n, %m, %y = seq.recurrence cell = slstm ins(%x : tensor<?x?x128xf32>) w_in(%wi : tensor<512x128xf32>) w_rec(%wr : tensor<4x4x32x32xf32>)
      -> tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>
  return %y : tensor<?x?x128xf32>
}

// An additive bias (ALiBi's shape): read per row and key by the split-KV
// kernel (f32) and per lane by the tensor-core one (f16).
func.func @attention_bias(%q: tensor<?x8x?x16xf32>, %k: tensor<?x2x?x16xf32>, %b: tensor<1x8x?x?xf32>) -> tensor<?x8x?x16xf32> {
  %o = seq.attention %q, %k, %k bias(%b : tensor<1x8x?x?xf32>) {causal} : tensor<?x8x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x8x?x16xf32>
  return %o : tensor<?x8x?x16xf32>
}
func.func @attention_bias_f16(%q: tensor<?x4x?x32xf16>, %b: tensor<1x4x?x?xf16>) -> tensor<?x4x?x32xf16> {
  %o = seq.attention %q, %q, %q bias(%b : tensor<1x4x?x?xf16>) {causal} : tensor<?x4x?x32xf16>, tensor<?x4x?x32xf16>, tensor<?x4x?x32xf16> -> tensor<?x4x?x32xf16>
  return %o : tensor<?x4x?x32xf16>
}
