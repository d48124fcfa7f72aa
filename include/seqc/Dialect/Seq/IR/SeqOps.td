//===- SeqOps.td - operations of the seq dialect -----------*- tablegen -*-===//
//
// Each op carries the math of one family of sequence mixers. Shape, rank,
// dtype and attribute checks live in the C++ verifiers (one file per op under
// lib/Dialect/Seq/IR) so that every message can name the operand and give the
// expected and actual values; ODS only fixes the operand structure.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_SEQOPS_TD
#define SEQC_DIALECT_SEQ_IR_SEQOPS_TD

include "seqc/Dialect/Seq/IR/SeqDialect.td"
include "seqc/Dialect/Seq/IR/SeqEnums.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/IR/OpBase.td"

//===----------------------------------------------------------------------===//
// seq.attention
//===----------------------------------------------------------------------===//

def Seq_AttentionOp : Seq_Op<"attention", [Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>]> {
  let summary = "scaled dot-product softmax attention (causal, window, chunked, "
                "softcap, GQA/MQA, decode)";
  let description = [{
    Computes, for every batch `b`, query head `h`, query `i` and value
    channel `e`:

    ```
    s[j]   = scale * sum_d q[b,h,i,d] * k[b,h/G,j,d]
    s[j]   = softcap * tanh(s[j] / softcap)        (if softcap is set)
    s[j]   = s[j] + bias[b,h,i,j]                   (if bias is given)
    s[j]   = -inf where key j is not visible from query i (mask below)
    out[b,h,i,e] = sum_j softmax(s)[j] * v[b,h/G,j,e]
    lse[b,h,i]   = log(sum_j exp(s[j]))             (optional result)
    ```

    Shapes: `q` is `[B, H, Lq, D]`, `k` is `[B, Hkv, Lk, D]`, `v` is
    `[B, Hkv, Lk, Dv]`, `out` is `[B, H, Lq, Dv]`, `lse` is `[B, H, Lq]`.
    Grouped-query attention is expressed by shape: `H` must be a multiple of
    `Hkv` and query head `h` reads key/value head `h / (H / Hkv)`; `Hkv == 1`
    is multi-query attention.

    Visibility. Queries are aligned to the end of the keys: query `i` sits at
    position `p = i + Lk - Lq` (so a decode step with `Lq = 1` sits at the
    last key). Key `j` is visible from query `i` when all of these hold:
    - `causal`: `j <= p`;
    - `window = W`: `p - W < j`, and also `j < p + W` when not causal
      (a sliding window of `W` keys, centred when not causal);
    - `chunk = C`: `floor(j / C) == floor(p / C)` (block-diagonal attention
      over chunks of `C` positions, TCNCA-style chunked attention).
    A query that sees no key gets `out = 0` and `lse = -inf`.

    Optional operands:
    - `bias`: additive scores of rank 4, each dimension either 1
      (broadcast) or equal to `[B, H, Lq, Lk]`; `-inf` entries mask.
    - `kv_len`: `[B]` integers in `[0, Lk]`, the number of valid keys per
      batch entry (a KV cache longer than its contents); keys
      `j >= kv_len[b]` are invisible and the end alignment uses `kv_len[b]`
      in place of `Lk`. Values outside `[0, Lk]` give unspecified results
      (never an access outside `k` and `v`).

    Attributes: `scale` (default `1/sqrt(D)`, must be positive), `causal`,
    `window` (positive), `chunk` (positive; not with `window`), `softcap`
    (positive). `q`, `k`, `v` and `bias` share one float element type;
    `lse` is that type or f32.

    Example (causal GQA prefill with dynamic batch and length):

    ```mlir
    %o = seq.attention %q, %k, %v {causal}
        : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>
        -> tensor<?x8x?x64xf32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$k,
      AnyRankedTensor:$v, Optional<AnyRankedTensor>:$bias,
      Optional<AnyRankedTensor>:$kv_len, OptionalAttr<F32Attr>:$scale,
      UnitAttr:$causal, OptionalAttr<I64Attr>:$window,
      OptionalAttr<I64Attr>:$chunk, OptionalAttr<F32Attr>:$softcap);
  let results = (outs AnyRankedTensor:$output,
      Optional<AnyRankedTensor>:$lse);

  let assemblyFormat = [{
    $q `,` $k `,` $v
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`kv_len` `(` $kv_len^ `:` type($kv_len) `)`)?
    attr-dict `:` type($q) `,` type($k) `,` type($v) `->` type(results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The softmax scale: the attribute if present, else 1/sqrt(D).
    /// Returns failure when D is dynamic and no scale is given.
    ::mlir::FailureOr<double> getEffectiveScale();
  }];
}

//===----------------------------------------------------------------------===//
// seq.linear_attention
//===----------------------------------------------------------------------===//

def Seq_LinearAttentionOp : Seq_Op<"linear_attention", [Pure,
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>]> {
  let summary = "linear attention with optional decay, delta rule and "
                "mLSTM normalizer (RetNet, GLA, Mamba-2 SSD, DeltaNet, mLSTM)";
  let description = [{
    A matrix-valued recurrence over the sequence, per batch `b` and head `h`,
    with state `S` of shape `[Dk, Dv]` (keys index rows):

    ```
    a_t  = exp(decay_t)                 (1 without decay; log-space input)
    S    = a_t (.) S_{t-1}              (row-wise for per-key-channel decay)
    S_t  = S + k_t^T v_t                               (plain)
    S_t  = S + beta_t k_t^T (v_t - k_t S)              (delta rule, with beta)
    o_t  = scale * q_t S_t
    ```

    With `normalize` (mLSTM), a normalizer `n_t = a_t (.) n_{t-1} + k_t` of
    length `Dk` is carried with the state and the output becomes
    `o_t = scale * q_t S_t / max(|scale * q_t . n_t|, 1)`. The normalizer is
    stored as an extra last column of the state, so the state is
    `[Dk, Dv + 1]` in that mode (equivalently: `v` extended by a column of
    ones). `normalize` does not combine with `beta`.

    Shapes: `q`, `k` are `[B, H, L, Dk]`, `v` is `[B, H, L, Dv]`; `output`
    is `[B, H, L, Dv]`; `initial_state` and `final_state` are
    `[B, H, Dk, Dv]` (or `[B, H, Dk, Dv + 1]` with `normalize`).

    `decay` (log space, so `decay <= 0` is a contraction) takes one of three
    shapes, which select its kind:
    - `[H]`: a constant per head (RetNet, ViR);
    - `[B, H, L]`: a scalar per head and step (Mamba-2 SSD, Gated DeltaNet,
      mLSTM forget gate);
    - `[B, H, L, Dk]`: per key channel (GLA, HGRN2).

    `beta` is `[B, H, L]` and turns on the delta rule (DeltaNet; with decay,
    Gated DeltaNet). `scale` defaults to `1/sqrt(Dk)`. All operands share
    one float element type.

    Example (GLA with a carried state):

    ```mlir
    %o, %s = seq.linear_attention %q, %k, %v
        decay(%g : tensor<?x4x?x128xf32>)
        initial_state(%s0 : tensor<?x4x128x128xf32>)
        : tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>, tensor<?x4x?x128xf32>
        -> tensor<?x4x?x128xf32>, tensor<?x4x128x128xf32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$k,
      AnyRankedTensor:$v, Optional<AnyRankedTensor>:$decay,
      Optional<AnyRankedTensor>:$beta,
      Optional<AnyRankedTensor>:$initial_state,
      OptionalAttr<F32Attr>:$scale, UnitAttr:$normalize);
  let results = (outs AnyRankedTensor:$output, AnyRankedTensor:$final_state);

  let assemblyFormat = [{
    $q `,` $k `,` $v
    (`decay` `(` $decay^ `:` type($decay) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`initial_state` `(` $initial_state^ `:` type($initial_state) `)`)?
    attr-dict `:` type($q) `,` type($k) `,` type($v)
    `->` type($output) `,` type($final_state)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// seq.selective_scan
//===----------------------------------------------------------------------===//

def Seq_SelectiveScanOp : Seq_Op<"selective_scan", [Pure,
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>]> {
  let summary = "Mamba-1 selective state-space scan (S6)";
  let description = [{
    Per batch `b`, channel `d` and state index `n`, with `g` the group of
    channel `d` (`g = d / (Dm / G)`):

    ```
    dt      = delta[b,t,d] + delta_bias[d]          (bias optional)
    dt      = softplus(dt)                          (if delta_softplus)
    h[n]    = exp(dt * A[d,n]) * h[n] + dt * B[b,t,g,n] * u[b,t,d]
    y[b,t,d] = sum_n C[b,t,g,n] * h[n] + D[d] * u[b,t,d]    (D optional)
    y[b,t,d] = y[b,t,d] * silu(z[b,t,d])            (if z is given)
    ```

    `h` starts at `initial_state[b,d,:]` (zeros if absent) and its value
    after the last step is the `last_state` result.

    Shapes (sequence-major, channels last): `u`, `delta`, `z` and `y` are
    `[B, L, Dm]`; `A` is `[Dm, N]`; `B` and `C` are `[B, L, G, N]` with `G`
    dividing `Dm` (`G = 1` is Mamba's shared B/C); `D` and `delta_bias` are
    `[Dm]`; `initial_state` and `last_state` are `[B, Dm, N]`. All operands
    share one float element type.

    Example:

    ```mlir
    %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<1536xf32>)
        z(%z : tensor<?x?x1536xf32>) delta_bias(%db : tensor<1536xf32>)
        {delta_softplus}
        : tensor<?x?x1536xf32>, tensor<?x?x1536xf32>, tensor<1536x16xf32>,
          tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>
        -> tensor<?x?x1536xf32>, tensor<?x1536x16xf32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$u, AnyRankedTensor:$delta,
      AnyRankedTensor:$A, AnyRankedTensor:$B, AnyRankedTensor:$C,
      Optional<AnyRankedTensor>:$D, Optional<AnyRankedTensor>:$z,
      Optional<AnyRankedTensor>:$delta_bias,
      Optional<AnyRankedTensor>:$initial_state, UnitAttr:$delta_softplus);
  let results = (outs AnyRankedTensor:$y, AnyRankedTensor:$last_state);

  let assemblyFormat = [{
    $u `,` $delta `,` $A `,` $B `,` $C
    (`D` `(` $D^ `:` type($D) `)`)?
    (`z` `(` $z^ `:` type($z) `)`)?
    (`delta_bias` `(` $delta_bias^ `:` type($delta_bias) `)`)?
    (`initial_state` `(` $initial_state^ `:` type($initial_state) `)`)?
    attr-dict `:` type($u) `,` type($delta) `,` type($A) `,` type($B) `,`
    type($C) `->` type($y) `,` type($last_state)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// seq.scan
//===----------------------------------------------------------------------===//

def Seq_ScanOp : Seq_Op<"scan", [RecursiveMemoryEffects,
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>]> {
  let summary = "associative scan with a combiner region";
  let description = [{
    Scans `N` tensors of one shape together along dimension `dim` with an
    associative combiner `(acc_1..acc_N, x_1..x_N) -> (acc'_1..acc'_N)`
    given as a region over scalars. The combiner must be associative; it
    need not be commutative: forms that reassociate (chunked, tree) keep the
    left-to-right order of its operands.

    Forward inclusive: `y_0 = x_0` (or `init (+) x_0`), `y_t = y_{t-1} (+) x_t`.
    Exclusive: `y_0 = init`, `y_t = y_{t-1} (+) x_{t-1}`; it requires `init`.
    `reverse` scans the sequence read backwards (as `jax.lax.associative_scan`
    does): `y_{L-1} = x_{L-1}` (or `init (+) x_{L-1}`) and
    `y_t = y_{t+1} (+) x_t`.

    `init` (optional) gives one tensor per input with the input's shape
    without dimension `dim`. Results have the inputs' types.

    Example (composition of affine maps `x -> a x + b`, the linear recurrence
    `h_t = a_t h_{t-1} + b_t` as a scan):

    ```mlir
    %A, %Bv = seq.scan dim = 1 ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
        -> tensor<?x?xf32>, tensor<?x?xf32> {
    ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
      %a2 = arith.mulf %a1, %a0 : f32
      %t = arith.mulf %a1, %b0 : f32
      %b2 = arith.addf %t, %b1 : f32
      seq.yield %a2, %b2 : f32, f32
    }
    ```
  }];

  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
      Variadic<AnyRankedTensor>:$inits, I64Attr:$dim, UnitAttr:$exclusive,
      UnitAttr:$reverse);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$combiner);

  let assemblyFormat = [{
    `dim` `=` $dim `ins` `(` $inputs `:` type($inputs) `)`
    (`init` `(` $inits^ `:` type($inits) `)`)?
    attr-dict `->` type($results) $combiner
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

//===----------------------------------------------------------------------===//
// seq.recurrence
//===----------------------------------------------------------------------===//

def Seq_RecurrenceOp : Seq_Op<"recurrence", [RecursiveMemoryEffects,
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>]> {
  let summary = "nonlinear recurrence h_t = cell(h_{t-1}, x_t): a cell "
                "region, or a named LSTM, GRU, sLSTM or Elman cell";
  let description = [{
    Runs a cell over the sequence dimension (dimension 1) of its inputs.

    **Region form.** The states `init` (each `[B, ...]`) and the inputs
    (each `[B, L, ...]`) are given; the single-block region receives the
    previous states followed by one time step of every input (the input
    types without dimension 1) and yields the new states followed by the
    step outputs. Results: the final states (types of `init`) followed by
    the step outputs stacked along dimension 1 (`[B, L, ...]`). Values
    defined above (weights) may be used inside the cell.

    **Named form** (`cell = lstm | gru | slstm | elman`, no region). One
    input `x` of shape `[B, L, I]`; hidden size `Hs = NH * Dh`; `nG` gates
    (lstm 4, gru 3, slstm 4, elman 1):
    - `w_in` `[nG * Hs, I]`: input weights, gate-major like PyTorch's
      `weight_ih` (gate order lstm i,f,g,o; gru r,z,n; slstm i,f,z,o);
    - `w_rec` `[nG, NH, Dh, Dh]`: recurrent weights, block-diagonal over
      `NH` heads: `w_rec[g,h,i,j]` maps `h_prev[h*Dh + j]` to the
      pre-activation of gate `g`, unit `h*Dh + i`. `NH = 1` is a dense
      recurrent matrix (PyTorch's `weight_hh` reshaped);
    - `b_in`, `b_rec` (optional) `[nG * Hs]`: PyTorch's `bias_ih`, `bias_hh`
      (GRU applies `b_rec` of gate n inside the reset product);
    - `init` (optional, zeros when absent): the initial states, each
      `[B, Hs]`: lstm `(h, c)`, gru `(h)`, elman `(h)`, slstm `(h, c, n, m)`.
    Results: the final states (as `init`) followed by `y = [B, L, Hs]`, the
    hidden state at every step.

    The cells, with `x~_g = x W_in[g]^T + b_in[g]` and
    `h~_g = h W_rec[g]^T + b_rec[g]` the two parts of gate `g`:
    - lstm: `i, f, o = sigmoid(x~ + h~)`, `g = tanh(x~ + h~)`,
      `c' = f c + i g`, `h' = o tanh(c')` (PyTorch's `nn.LSTM`);
    - gru: `r, z = sigmoid(x~ + h~)`, `n = tanh(x~_n + r h~_n)`,
      `h' = (1 - z) n + z h` (PyTorch's `nn.GRU`);
    - elman: `h' = tanh(x~ + h~)` (PyTorch's `nn.RNN`, tanh);
    - slstm (xLSTM, exponential input and forget gates, stabilized):
      `i~, f~ = x~ + h~` of gates i and f, `z = tanh(.)`, `o = sigmoid(.)`,
      `m' = max(f~ + m, i~)`, `i = exp(i~ - m')`, `f = exp(f~ + m - m')`,
      `c' = f c + i z`, `n' = f n + i`, `h' = o c' / n'`.

    `reverse` runs the recurrence from the last step to the first (outputs
    stay aligned with their input steps).

    Example (an LSTM with 4 heads of 32 units):

    ```mlir
    %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x64xf32>)
        w_in(%wi : tensor<512x64xf32>) w_rec(%wr : tensor<4x4x32x32xf32>)
        -> tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>
    ```
  }];

  let arguments = (ins OptionalAttr<Seq_CellKindAttr>:$cell,
      Variadic<AnyRankedTensor>:$inputs, Variadic<AnyRankedTensor>:$init,
      Optional<AnyRankedTensor>:$w_in, Optional<AnyRankedTensor>:$w_rec,
      Optional<AnyRankedTensor>:$b_in, Optional<AnyRankedTensor>:$b_rec,
      UnitAttr:$reverse);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region MaxSizedRegion<1>:$body);

  let assemblyFormat = [{
    (`cell` `=` $cell^)? `ins` `(` $inputs `:` type($inputs) `)`
    (`init` `(` $init^ `:` type($init) `)`)?
    (`w_in` `(` $w_in^ `:` type($w_in) `)`)?
    (`w_rec` `(` $w_rec^ `:` type($w_rec) `)`)?
    (`b_in` `(` $b_in^ `:` type($b_in) `)`)?
    (`b_rec` `(` $b_rec^ `:` type($b_rec) `)`)?
    attr-dict `->` type($results) ($body^)?
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// Number of gates of a named cell (lstm 4, gru 3, slstm 4, elman 1).
    static int64_t getNumGates(CellKind kind);
    /// Number of state tensors of a named cell (lstm 2, gru 1, slstm 4,
    /// elman 1).
    static int64_t getNumStates(CellKind kind);
    /// Number of state results: of the named cell, or of `init`.
    int64_t getNumStateResults();
  }];
}

//===----------------------------------------------------------------------===//
// seq.conv1d
//===----------------------------------------------------------------------===//

def Seq_Conv1DOp : Seq_Op<"conv1d", [Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>]> {
  let summary = "causal 1-D convolution (depthwise or grouped, dilated) with "
                "fused activation and a carried state for streaming";
  let description = [{
    A causal convolution over the sequence, channels last:

    ```
    y[b,t,o] = act(bias[o] + sum_{c,j} w[o,c,j] * xs[b, t - (K-1-j)*dil, g*Cg + c])
    ```

    where `g = o / (Cout / G)`, `Cg = Cin / G`, and `xs` is `x` preceded by
    `state` (the last `(K-1)*dil` inputs of the previous call; zeros if
    absent). The number of groups `G` is implied by the weight shape:
    `G = Cin / weight.dim(1)`; depthwise convolution is `weight = [C, 1, K]`.

    Shapes: `x` is `[B, L, Cin]`, `weight` is `[Cout, Cin / G, K]` (PyTorch
    layout), `bias` is `[Cout]`, `y` is `[B, L, Cout]`; `state` and the
    optional `final_state` result are `[B, (K-1)*dil, Cin]`, the inputs a
    streaming caller carries to the next call. All share one float type.

    Attributes: `dilation` (default 1, positive), `activation` (none, silu,
    relu, gelu in its exact erf form, tanh; default none).

    Example (Mamba's short convolution, streaming):

    ```mlir
    %y, %s = seq.conv1d %x, %w bias(%b : tensor<1536xf32>)
        state(%s0 : tensor<?x3x1536xf32>) activation silu
        : tensor<?x?x1536xf32>, tensor<1536x1x4xf32>
        -> tensor<?x?x1536xf32>, tensor<?x3x1536xf32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$weight,
      Optional<AnyRankedTensor>:$bias, Optional<AnyRankedTensor>:$state,
      DefaultValuedAttr<I64Attr, "1">:$dilation,
      DefaultValuedAttr<Seq_ActivationAttr,
                        "::mlir::seq::Activation::none">:$activation);
  let results = (outs AnyRankedTensor:$y,
      Optional<AnyRankedTensor>:$final_state);

  let assemblyFormat = [{
    $x `,` $weight
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`state` `(` $state^ `:` type($state) `)`)?
    (`activation` $activation^)?
    attr-dict `:` type($x) `,` type($weight) `->` type(results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// seq.dequantize
//===----------------------------------------------------------------------===//

def Seq_DequantizeOp : Seq_Op<"dequantize", [Pure,
    AttrSizedOperandSegments]> {
  let summary = "a weight matrix stored as int8 or packed int4 with "
                "per-channel or per-group scales, or as bf16, as floats";
  let description = [{
    Symmetric (zero-point-free) quantization of a weight `w[N, K]`, stored
    with its output channels as rows, as `nn.Linear` keeps it:

    ```
    w[n, k] = scales[n, k / S] * q(n, k),   S = K / scales.dim(1)
    ```

    `S` is the group size: `scales` is `[N, 1]` for one scale per output
    channel, `[N, K / S]` for groups of `S` inputs. With `zero` points
    (asymmetric quantization), `zero_points` is i8 of the scales' shape and
    `w[n, k] = scales[n, k / S] * (q(n, k) - zero_points[n, k / S])`: the
    integers then span each group's range [min, max] rather than
    [-max|w|, max|w|]. With `bits = 8`,
    `quantized` is `[N, K]` of i8 and `q(n, k) = quantized[n, k]`. With
    `bits = 4`, two signed 4-bit values in [-8, 7] share a byte and
    `quantized` is `[N, K / 2]`: within group `g`, byte `j < S / 2` holds
    input `g*S + j` in its low nibble and input `g*S + S/2 + j` in its high
    nibble, so that one load of bytes unpacks into two runs of consecutive
    inputs without shuffles. With `bits = 16` the weight is bf16, without
    scales: `quantized` is `[N, 2K]`, bytes `2k` and `2k + 1` the low and
    high byte of `w[n, k]`'s bf16 bits (little-endian), and
    `w[n, k] = extf(bf16(q(n, k)))`. A projection whose input is rounded to
    bf16 too (`arith.extf(arith.truncf(x))`) is bf16 compute: on a CPU with
    AVX512_BF16 the fast kernel multiplies bf16 pairs with `vdpbf16ps`,
    accumulating in f32.

    A dequantize feeding a projection (`linalg.contract` of `x[..., K]` with
    `w[N, K]`) is fused by `-seq-fast-matmul`: the kernel converts the
    integers in registers and the float weight is never materialized. The
    reference lowering materializes it.

    ```mlir
    %w = seq.dequantize %q, %s bits 4
        : tensor<2048x384xi8>, tensor<2048x12xf32> -> tensor<2048x768xf32>
    %h = seq.dequantize %b bits 16 : tensor<2048x1536xi8> -> tensor<2048x768xf32>
    %a = seq.dequantize %q, %s zero %z bits 4 : tensor<2048x384xi8>,
        tensor<2048x12xf32>, tensor<2048x12xi8> -> tensor<2048x768xf32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$quantized,
      Optional<AnyRankedTensor>:$scales,
      Optional<AnyRankedTensor>:$zero_points,
      ConfinedAttr<I64Attr, [IntIsOneOf<[4, 8, 16]>]>:$bits);
  let results = (outs AnyRankedTensor:$result);

  let assemblyFormat = [{
    $quantized (`,` $scales^)? (`zero` $zero_points^)? `bits` $bits attr-dict
    `:` type($quantized) (`,` type($scales)^)? (`,` type($zero_points)^)?
    `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Inputs per scale (S): K / scales.dim(1); K for bf16 (no scales).
    int64_t getGroupSize();
  }];
}

//===----------------------------------------------------------------------===//
// seq.fake_quantize
//===----------------------------------------------------------------------===//

def Seq_FakeQuantizeOp : Seq_Op<"fake_quantize", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "dynamic per-token int8 quantization of activations, as the "
                "floats the integers stand for";
  let description = [{
    Each vector along the last dimension ("token") is quantized
    symmetrically to int8 with its own scale, and the op returns the values
    the integers stand for:

    ```
    s[t]    = max_k |x[t, k]| / 127        (1 when the token is all zeros)
    y[t, k] = s[t] * clamp(round_half_even(x[t, k] / s[t]), -127, 127)
    ```

    computed in f32. Feeding a projection whose weight is an int8
    `seq.dequantize` with one scale per output channel, it expresses W8A8:
    `-seq-fast-matmul` then quantizes each token once, multiplies int8 by
    int8 with exact integer dot products (AVX512-VNNI) and applies both
    scales to the result, which equals the projection of the quantized
    values. The reference lowering computes the floats above.

    With `outlier_threshold` (LLM.int8()): a feature column `k` in which
    any token reaches `|x[t, k]| >= outlier_threshold` is an outlier and
    passes through unquantized (`y[t, k] = x[t, k]`); the scales are taken
    over the other columns only. The fast kernel computes the outlier
    columns in f32 beside the int8 product of the rest.

    With `scale` (static quantization, Quamba's int8 SSM inputs): one
    positive scale `s` for the whole tensor (a 0-d tensor: a model passes
    each layer's calibrated scale to a function its layers share), and
    `y = s * clamp(round_half_even(x / s), -127, 127)` elementwise. Values
    beyond `127 s` are clipped: calibration picks `s` from a percentile of
    `|x|` so that rare outliers do not coarsen every other value.

    ```mlir
    %xq = seq.fake_quantize %x : tensor<?x?x768xf32>
    %xo = seq.fake_quantize %x outliers 6.0 : tensor<?x?x768xf32>
    %xs = seq.fake_quantize %x scale %s : tensor<?x?x1536xf32>, tensor<f32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$input,
                   OptionalAttr<F32Attr>:$outlier_threshold,
                   Optional<0DTensorOf<[F32]>>:$scale);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input (`outliers` $outlier_threshold^)? (`scale` $scale^)? attr-dict
    `:` type($input) (`,` type($scale)^)?
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// seq.hadamard
//===----------------------------------------------------------------------===//

def Seq_HadamardOp : Seq_Op<"hadamard", [Pure,
    SameOperandsAndResultType]> {
  let summary = "an orthonormal Walsh-Hadamard rotation of the last "
                "dimension, block by block";
  let description = [{
    Splits the last dimension into blocks of `block` (a power of two that
    divides it) and multiplies each by the normalized Sylvester Hadamard
    matrix `H / sqrt(block)`, `H[i, j] = (-1)^popcount(i & j)`:

    ```
    y[..., b*B + i] = sum_j H[i, j] x[..., b*B + j] / sqrt(B)
    ```

    The rotation is orthogonal and its own inverse, so a projection
    `W x` equals `(W R)(R x)` with `R` this rotation: rotating a
    projection's input and its weight rows spreads an outlier feature over
    the whole block before the input is quantized (Quamba's rotation of the
    SSM output, `--quantize=int8-ssm`). Lowered as `log2(block)` butterfly
    stages (`x ± x'`), the last one scaled.

    ```mlir
    %r = seq.hadamard %y block 512 : tensor<?x?x1536xf32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$input,
                   ConfinedAttr<I64Attr, [IntPositive]>:$block);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `block` $block attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// seq.int8_dot
//===----------------------------------------------------------------------===//

def Seq_Int8DotOp : Seq_Op<"int8_dot", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["a", "b"]>]> {
  let summary = "unsigned by signed byte dot products into i32 lanes "
                "(AVX512-VNNI vpdpbusd), for the fast lowerings";
  let description = [{
    `result[i] = acc[i] + sum_{j < 4} zext(a[4i + j]) * sext(b[4i + j])`:
    the operation of `vpdpbusd`. Emitted by `-seq-fast-matmul`'s W8A8
    kernel on vectors; `-seq-lower-int8-dot` turns it into the LLVM
    intrinsic once buffers are deallocated (an intrinsic call has unknown
    memory effects, which buffer deallocation refuses). It has no reference
    lowering: it only appears inside fast kernels.

    ```mlir
    %r = seq.int8_dot %acc, %a, %b : vector<64xi8> -> vector<16xi32>
    ```
  }];

  let arguments = (ins VectorOfLengthAndType<[16], [I32]>:$acc,
                   VectorOfLengthAndType<[64], [I8]>:$a,
                   VectorOfLengthAndType<[64], [I8]>:$b);
  let results = (outs VectorOfLengthAndType<[16], [I32]>:$result);
  let assemblyFormat =
      "$acc `,` $a `,` $b attr-dict `:` type($a) `->` type($acc)";
}

//===----------------------------------------------------------------------===//
// seq.yield
//===----------------------------------------------------------------------===//

def Seq_YieldOp : Seq_Op<"yield", [Pure, Terminator,
    ParentOneOf<["ScanOp", "RecurrenceOp"]>]> {
  let summary = "yields the values of a seq.scan combiner or a "
                "seq.recurrence cell";
  let description = [{
    Terminates the region of `seq.scan` (the combined accumulator values)
    and of `seq.recurrence` (the new states, then the step outputs).

    ```mlir
    seq.yield %a, %b : f32, f32
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // SEQC_DIALECT_SEQ_IR_SEQOPS_TD
