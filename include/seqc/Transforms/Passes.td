//===- Passes.td - seqc transformation passes --------------*- tablegen -*-===//

#ifndef SEQC_TRANSFORMS_PASSES_TD
#define SEQC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SeqMemrefCopyToLinalg : Pass<"seq-memref-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy so that it lowers to loops";
  let description = [{
    Upstream lowers a `memref.copy` between non-contiguous buffers to a call
    to `memrefCopy` in MLIR's C runner-utils library. Generated libraries must
    not depend on MLIR, so the CPU pipeline turns every copy into a
    `linalg.copy`, which `-convert-linalg-to-loops` turns into plain loops.

    ```mlir
    memref.copy %a, %b : memref<?xf32, strided<[?]>> to memref<?xf32>
    // becomes
    linalg.copy ins(%a : memref<?xf32, strided<[?]>>) outs(%b : memref<?xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def SeqReadOnlyArguments : Pass<"seq-read-only-arguments", "::mlir::ModuleOp"> {
  let summary = "Mark every tensor argument of every function read-only";
  let description = [{
    A library's inputs belong to its caller. One-Shot Bufferize reuses a
    function argument's buffer for an in-place update (an elementwise op on
    an argument, a recurrence state initialized from one) unless the argument
    is marked `bufferization.writable = false`; this pass marks them all, so
    such updates write to a copy. The exception is an argument marked
    `seqc.donated` (a model's state, docs/models.md): the caller hands its
    buffer over, and it is marked writable so that the state is updated in
    place rather than copied on every call.

    ```mlir
    func.func @f(%a: tensor<4xf32>) -> tensor<4xf32>
    // becomes
    func.func @f(%a: tensor<4xf32> {bufferization.writable = false}) -> tensor<4xf32>
    ```
  }];
}

def SeqReturnDonatedInPlace : Pass<"seq-return-donated-in-place", "::mlir::func::FuncOp"> {
  let summary = "Return a donated argument's buffer itself rather than a "
                "clone of it";
  let description = [{
    A model's state pieces are `seqc.donated` arguments that the function
    updates in place and returns (docs/models.md). Ownership-based buffer
    deallocation must return buffers the caller owns, so it clones a
    returned argument: a copy of every KV cache on every decode step. The
    caller of a donated argument already owns its buffer, and the runtime
    neither copies nor frees a result that is one of its inputs; this pass,
    run after `buffer-deallocation-pipeline`, returns the argument instead
    of its clone. (Private functions return no such results: run
    `drop-equivalent-buffer-results` after bufferization.)

    ```mlir
    %c = bufferization.clone %state : memref<?x4x256x64xf32> to memref<?x4x256x64xf32>
    return %logits, %c
    // becomes
    return %logits, %state
    ```
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def SeqFlashAttention : Pass<"seq-flash-attention"> {
  let summary = "Tile seq.attention flash-style: online softmax over key "
                "blocks, vector kernels, parallel tasks";
  let description = [{
    Rewrites each f32 `seq.attention` into code that never builds the
    `[Lq, Lk]` score matrix (memory O(L * D)):

    - a tile holds `lanes * row-vectors` query rows of one batch entry and
      one key/value head; with grouped-query attention the rows of the `G`
      query heads that share the key/value head are interleaved in one tile,
      so K and V are read once for all of them and never copied;
    - the tile streams over blocks of `block-keys` keys with an online
      softmax; rows live in vector lanes (scores are kept `[key][row]`), so
      the softmax needs no horizontal reductions, and K and V are read in
      place one broadcast element at a time;
    - decoding (a static `G * Lq` of at most `narrow-rows` query rows per
      key/value head, static head sizes that are whole vectors) turns the
      tile around: keys live in lanes (scores `[row][key]`), each score is
      a dot product over `D` reduced across lanes once, and K and V stream
      as vectors, so no lane idles for lack of rows;
    - causal, window and chunk masks become one interval of visible keys per
      row; blocks outside the tile's intervals are never visited;
    - an additive bias is copied a block at a time into the layout of the
      block's scores (its broadcast dimensions read at 0) and added after
      the softcap; its `-inf` entries mask like the intervals do;
    - tasks are (tile, key split) pairs in an `scf.parallel`; when there are
      fewer tiles than `min-tasks` (decoding: a short query against a long
      key sequence) the keys are split (flash-decoding) and a second
      parallel loop combines the partial results.

    Attention with another element type, or inside another seq op's region,
    is left for `-convert-seq-to-linalg` (`emit-remarks` says which
    and why). The result is on buffers, bridged with
    `bufferization.to_buffer` / `to_tensor`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes per vector: 16 for AVX-512, 8 for AVX2, 4 for SSE/NEON">,
    Option<"rowVectors", "row-vectors", "int64_t", "2",
           "vectors of query rows per tile (1-4); a tile has lanes * "
           "row-vectors rows">,
    Option<"blockKeys", "block-keys", "int64_t", "128",
           "keys per block of the online softmax (1 to 65536)">,
    Option<"accumulators", "accumulators", "int64_t", "0",
           "vector registers a register tile accumulates in (0: 16 with "
           "16 lanes, 12 otherwise)">,
    Option<"minTasks", "min-tasks", "int64_t", "32",
           "split the keys until there are this many tasks">,
    Option<"narrowRows", "narrow-rows", "int64_t", "-1",
           "keys in lanes for tiles of at most this many query rows per "
           "key/value head (-1: lanes / 2; 0: never)">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.attention left for the reference lowering">,
  ];
}

def SeqFusedRecurrence : Pass<"seq-fused-recurrence"> {
  let summary = "Fuse each step of a named-cell seq.recurrence into one "
                "vector kernel (FlashRNN-style)";
  let description = [{
    Rewrites f32 `seq.recurrence` ops with a named cell (lstm, gru, elman,
    slstm) and static recurrent weight sizes:

    - a head size that is not a multiple of `lanes` is padded to one with
      units whose weights, biases and initial states are zero (their h
      stays 0 in every cell, and their zero recurrent columns keep them
      out of the real units); the results are sliced back;

    - the input and recurrent weights are packed once per call so that the
      columns of every gate of a block of `lanes` units are adjacent;
    - each time step is an `scf.parallel` over blocks of units; a task
      accumulates `x_t W_in^T + h_{t-1} W_rec^T` for all the gates of its
      units, a register tile of batch rows at a time over L1-sized chunks
      of the inputs, applies the cell on vectors and stores the new states:
      gate pre-activations never leave the task;
    - `h` is double-buffered across steps; the other states (c, n, m) are
      updated in place by the one task that owns them.

    Cell regions, other element types and dynamic recurrent weight sizes
    are left for `-convert-seq-to-linalg`
    (`emit-remarks` says which and why). The result is on buffers, bridged
    with `bufferization.to_buffer` / `to_tensor`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes per vector: 16 for AVX-512, 8 for AVX2, 4 for SSE/NEON">,
    Option<"accumulators", "accumulators", "int64_t", "0",
           "vector registers a register tile accumulates in (0: what the "
           "register file leaves beside one weight vector per gate and a "
           "broadcast); batch rows per tile = accumulators / gates">,
    Option<"hoistInputMaxBatch", "hoist-input-max-batch", "int64_t", "1",
           "compute x W_in^T for the whole sequence as one GEMM before the "
           "steps when the batch is static and at most this (and the input "
           "size static and a multiple of lanes); otherwise inside each "
           "step, beside h W_rec^T (faster from batch 4 on, measured)">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.recurrence left for the reference lowering">,
  ];
}

def SeqFusedSelectiveScan : Pass<"seq-fused-selective-scan"> {
  let summary = "Fuse seq.selective_scan into one vector kernel with the "
                "states in registers";
  let description = [{
    Rewrites f32 `seq.selective_scan` ops with static channel, state and
    group counts (A's sizes; at most 64 states) into one kernel:

    - channels per group that are not a multiple of `lanes` end in a
      masked vector (u, delta, z, D, the bias and y through the mask; the
      last state stored for the real lanes only);
    - channels in vector lanes (the layout is channels-last), one task per
      (batch entry, block of `lanes` channels) in an `scf.parallel`;
    - the block's N states carried in registers over the whole sequence;
    - each step fused: softplus(delta + bias), exp(dt * A), the state
      update, the C contraction, `D * u` and the `silu(z)` gate; only `y`
      is written per step.

    Other selective scans are left for `-convert-seq-to-linalg`
    (`emit-remarks` says which and why).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes per vector: 16 for AVX-512, 8 for AVX2, 4 for SSE/NEON">,
    Option<"channelVectors", "channel-vectors", "int64_t", "4",
           "vectors of channels per task, 1 to 16 (fewer when they do not "
           "divide a group): each step reads whole cache lines">,
    Option<"prefetchSteps", "prefetch-steps", "int64_t", "8",
           "prefetch the rows of u, delta and z this many steps ahead (0: "
           "none)">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.selective_scan left for the reference "
           "lowering">,
  ];
}

def SeqFusedLinearAttention : Pass<"seq-fused-linear-attention"> {
  let summary = "Vectorize seq.linear_attention's recurrent form, state "
                "columns in L1";
  let description = [{
    Rewrites f32 `seq.linear_attention` ops with static head sizes (any
    decay kind, with or without the delta rule or the mLSTM normalizer)
    into the recurrent form on vectors:

    - a value head size that is not a multiple of `lanes` is padded to one
      with zero columns of v and of the initial state (the state's and the
      output's padded columns stay 0), the results sliced back;
    - columns of the state S [Dk, Dv] evolve independently, so a task owns
      `lanes * column-vectors` value columns of one (batch entry, head): its
      slice of S stays in L1 for the whole sequence;
    - each step is one pass over the slice (two with the delta rule):
      decay, rank-one update and the output q S fused, rows broadcast,
      columns in vectors;
    - exp(decay) per key channel is computed once, vectorized, before the
      column tasks;
    - mLSTM's normalizer (the state's last column) is carried by every
      task as a [Dk] vector, updated and dotted with q on vectors of key
      channels each step; the first task stores it. With it the value head
      size must be a multiple of `lanes` (padding would move that column).

    This is the recurrent form, not the chunkwise one (intra-chunk matmuls):
    it does 3 multiply-adds per state element and step and is bound by L1
    bandwidth. Other ops are left for `-convert-seq-to-linalg`
    (`emit-remarks` says which and why).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes per vector: 16 for AVX-512, 8 for AVX2, 4 for SSE/NEON">,
    Option<"columnVectors", "column-vectors", "int64_t", "4",
           "vectors of value columns per task, 1 to 16 (fewer when they "
           "do not divide Dv)">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.linear_attention left for the reference "
           "lowering">,
  ];
}

def SeqFusedScan : Pass<"seq-fused-scan"> {
  let summary = "Lower seq.scan to one parallel loop nest with the combiner "
                "in registers (CPU, -O2)";
  let description = [{
    The reference lowering of `seq.scan` runs, at every step, a
    `linalg.generic` applying the combiner to every row, through tensor
    slices of the inputs and results. For f32 operands and a combiner of
    elementwise ops on f32 (and i1) values, this pass makes it one
    `scf.parallel` whose tasks walk the sequence with their accumulators
    in registers:

    - along any dimension but the last, the last (contiguous) dimension
      goes in vectors of `lanes` f32: a task owns 4 vectors of it for one
      index of the other dimensions (4 independent scans, whose combiners'
      latencies overlap); the combiner is rebuilt on vectors (a value from
      outside it broadcast); the last block is masked;
    - along the last dimension, each row is contiguous: a task walks 8
      rows in step, scalar (8 streams and 8 independent chains).

    Only (earlier, later) applications of the combiner are made, in the
    sequence's order (reversed with `reverse`); `exclusive` stores the
    accumulator before each step. Other scans keep the reference lowering
    (`emit-remarks` says why).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes per vector: 16 for AVX-512, 8 for AVX2, 4 for SSE/NEON">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.scan left for the reference lowering">,
  ];
}

def SeqFusedConv1D : Pass<"seq-fused-conv1d"> {
  let summary = "Depthwise seq.conv1d as one streaming vector kernel";
  let description = [{
    Rewrites f32 depthwise `seq.conv1d` ops (weight `[C, 1, K]`, static `C`
    and `K`) into one kernel: channels in lanes (a last partial block of
    channels through masked loads and stores), bias and activation fused,
    `y` written once. Tasks are (batch entry,
    block of 64 steps) in an `scf.parallel`, each walking its rows in order
    so that `x` and `y` stream sequentially; the first `(K-1)*dilation`
    steps read the carried `state` (or zeros) through a separate path. `final_state` is
    the last `(K-1)*dilation` inputs. Other convolutions are left for
    `-convert-seq-to-linalg` (`emit-remarks` says which and why).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes per vector: 16 for AVX-512, 8 for AVX2, 4 for SSE/NEON">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.conv1d left for the reference lowering">,
  ];
}

def SeqWidenHalfPrecision : Pass<"seq-widen-half-precision"> {
  let summary = "f16 and bf16 seq ops computed in f32 on the CPU: their "
                "operands widened, their results rounded once";
  let description = [{
    Rewrites each `seq.attention`, `seq.linear_attention`,
    `seq.selective_scan`, `seq.conv1d` and named-cell `seq.recurrence`
    with f16 or bf16 operands into the same op in f32: every f16/bf16
    tensor operand becomes `arith.extf` of it, every such result is
    computed in f32 and rounded back once with `arith.truncf`.

    The CPU's fast lowerings are written for f32, so without this pass
    half-precision ops took the reference lowering, computed in their own
    type: slower (every op converts, nothing is vectorized for the half
    types) and less accurate (bf16 keeps 8 significant bits through every
    sum and every step of a recurrence). With it they run the f32 kernels
    and round once, as PyTorch's CPU kernels and this project's GPU
    kernels do. The conversions are elementwise tensor ops that the
    pipeline fuses and runs in parallel. Ops with a region (`seq.scan`, a
    recurrence's own cell) keep their types.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SeqFoldElementwise : Pass<"seq-fold-elementwise"> {
  let summary = "Elementwise producers and consumers of seq ops folded into "
                "the ops' own operands and attributes";
  let description = [{
    Folds single-use elementwise `linalg.generic` ops around seq ops into
    the ops, whose lowerings (reference, fast and GPU) fuse them into their
    loops; each fold removes a `[B, L, D]` tensor and a pass over it:

    - `seq.selective_scan` whose `delta` is `softplus(x + bias)`,
      `softplus(x)` or `x + bias` takes `x` as `delta`, `bias` as
      `delta_bias` and sets `delta_softplus`;
    - `seq.selective_scan` whose `y` is read only by `y * silu(z)` takes
      `z` as its gate (`z` must be computed before the scan);
    - `seq.conv1d` without an activation whose `y` is read only by
      `act(y + bias)`, `act(y)` or `y + bias` takes the bias and the
      activation, for `act` silu, relu or tanh.

    `bias` is a 1-D tensor over the last dimension, read through the
    generic's indexing map or broadcast by `linalg.broadcast`. softplus is
    matched as `log1p(exp(x))`, `log(1 + exp(x))`, PyTorch's
    `select(x > T, x, ...)` with `T >= 15`, and the overflow-free
    `max(x, 0) + log1p(exp(-|x|))`; silu as `x * (1 / (1 + exp(-x)))` and
    `x / (1 + exp(-x))`. The first two softplus forms overflow to inf above
    x = 88 where the op returns x: there the fold gives the finite value.
    Run after `convert-elementwise-to-linalg` and
    `linalg-fuse-elementwise-ops` so that chains of tensor `arith` and
    `math` ops are one generic.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"];
}

def SeqFastMatmul : Pass<"seq-fast-matmul"> {
  let summary = "Projections (x times a [out, in] weight) as a vector kernel";
  let description = [{
    Rewrites f32 `linalg.contract` ops computing
    `y[..., n] = init[..., n] + sum_k x[..., k] * w[n, k]` (x of rank 2 or 3,
    w static `[N, K]` with `K` a multiple of `lanes`: a model's projections,
    the weight stored as `nn.Linear` keeps it) into vector kernels chosen
    at run time by the rows per batch entry. Below 20 (a decode step), dot
    products: register tiles of MR rows of x (2 with 8 lanes, 4 with 16) by
    4 rows of w accumulate vectors over k, reduced horizontally once; tasks
    in an `scf.parallel` are (batch entry, 16 rows, 64 outputs), so a
    single row still splits over the threads. From 20 rows (a prompt): x
    is first copied into panels of 2 vectors of rows, transposed, and
    register tiles of a panel by 12 outputs (6 with 8 lanes) accumulate
    along the rows, broadcasting one weight per output and step of k; no
    horizontal reductions. Quantized and bf16 weights reach this kernel
    converted to f32 a tile of outputs at a time, per task. Other
    contractions are left to `-convert-linalg-to-loops`.

    A weight that is a `seq.dequantize` (int8 or int4) is converted in
    registers. With `int8-dot` (the target has AVX512-VNNI), an input that
    is a `seq.fake_quantize` times an int8 per-channel weight is computed
    in integers (W8A8: each task quantizes its rows once, `vpdpbusd`
    multiplies the bytes); without, the input is quantized by the reference
    lowering and the f32 kernel runs. A bf16 weight (`seq.dequantize ...
    bits 16`) is widened in registers; with `bf16-dot` (AVX512_BF16) and an
    input rounded to bf16 (`arith.extf(arith.truncf(x))`), each task rounds
    its rows of x once and `vdpbf16ps` (`x86vector.avx512.dot`) multiplies
    32 bf16 pairs per instruction into f32 sums.

    ```mlir
    %y = linalg.contract indexing_maps = [
        affine_map<(b, l, n, k) -> (b, l, k)>, affine_map<(b, l, n, k) -> (n, k)>,
        affine_map<(b, l, n, k) -> (b, l, n)>]
        ins(%x, %w : tensor<?x?x64xf32>, tensor<128x64xf32>)
        outs(%init : tensor<?x?x128xf32>) -> tensor<?x?x128xf32>
    // becomes scf.parallel over tasks of vector.fma tiles
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect", "::mlir::math::MathDialect",
    "::mlir::seq::SeqDialect", "::mlir::x86vector::X86VectorDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes per vector: 16 for AVX-512, 8 for AVX2, 4 for SSE/NEON">,
    Option<"int8Dot", "int8-dot", "bool", "false",
           "the target has AVX512-VNNI int8 dot products (vpdpbusd)">,
    Option<"bf16Dot", "bf16-dot", "bool", "false",
           "the target has AVX512_BF16 dot products (vdpbf16ps)">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every contraction left to the loop lowering">,
  ];
}

def SeqVectorizeMatmul : Pass<"seq-vectorize-matmul"> {
  let summary = "f32 matmuls (a[..., k] times b[k, n]) as register-tiled "
                "vector kernels";
  let description = [{
    Rewrites f32 contractions on tensors of the form
    `c[..., n] = init[..., n] + sum_k a[..., k] * b[..., k, n]`:
    `linalg.matmul` and `linalg.batch_matmul` with their default indexing
    maps, and `linalg.contract` / `linalg.generic` contractions whose maps
    say the same (a of any rank, b `[k, n]` or with the leading batch
    dimensions of a). Rows of b are contiguous along n, so the kernel
    broadcasts elements of a against vectors of b's rows:

    - a register tile of MR rows by NV vectors of columns (6 x 4 with
      16 lanes, 6 x 2 with 8 or 4) accumulates over k in registers;
    - tasks of an `scf.parallel` are (batch entry, panel of NV vectors of
      columns, block of 8 MR rows), rows innermost;
    - within a task, k goes in chunks of 16 KiB of the panel, which stay in
      L1 while every tile of rows passes over them; the sums wait in the
      result between chunks;
    - the tiles read b packed contiguous (rows N apart share cache sets
      when N is a multiple of 1024): with several blocks of rows b is
      packed whole first, into panels they share; with one, each task
      copies its own chunks to the stack;
    - a last panel short of NV vectors is packed with zeros and its
      results masked; any sizes may be dynamic; an init that is a
      `linalg.fill` is a broadcast.

    It runs after `convert-seq-to-linalg`, so it takes the matmuls of a
    cell region (a custom `seq.recurrence`) once the region is a loop.
    Others (transposed b, other element types, other bodies) are left to
    `convert-linalg-to-loops`; `emit-remarks` says which and why.

    ```mlir
    %c = linalg.matmul ins(%a, %b : tensor<?x512xf32>, tensor<512x1024xf32>)
                       outs(%zero : tensor<?x1024xf32>) -> tensor<?x1024xf32>
    // becomes scf.parallel over tasks of vector.fma tiles
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes per vector: 16 for AVX-512, 8 for AVX2, 4 for SSE/NEON">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every contraction left to the loop lowering">,
  ];
}

def SeqLowerInt8Dot : Pass<"seq-lower-int8-dot"> {
  let summary = "seq.int8_dot to the AVX512-VNNI intrinsic";
  let description = [{
    Replaces each `seq.int8_dot` (emitted by the W8A8 projections of
    `-seq-fast-matmul`) by a call of `llvm.x86.avx512.vpdpbusd.512`. Runs
    after buffer deallocation, which refuses ops with unknown memory
    effects such as intrinsic calls.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SeqParallelLinalg : Pass<"seq-parallel-linalg"> {
  let summary = "Split large linalg ops on buffers into parallel tasks";
  let description = [{
    For the CPU with the fast lowerings: each linalg op on buffers that is
    not inside an `scf.parallel` (a model's norms, residual adds, gates,
    rotary embeddings, transposes and copies) is tiled by 1 along its
    leading parallel loops into an `scf.parallel` of tasks, which
    `-convert-scf-to-openmp` spreads over the threads. A loop is split
    while it indexes every output (tasks write disjoint elements), is not
    the innermost, and leaves at least `min-task-elements` iterations inside
    each task when those are known. Ops of fewer than `min-elements`
    iterations stay as they are: statically, or through an `scf.if` when a
    size is dynamic (a decode step is not worth waking the threads). An op
    that linalg's tiling refuses stays as it is.

    ```mlir
    linalg.generic {iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%x : memref<?x?x768xf32>) outs(%y : memref<?x?x768xf32>) {...}
    // becomes, when ? x ? x 768 >= min-elements,
    scf.parallel (%b, %l) = (%c0, %c0) to (%B, %L) step (%c1, %c1) {
      linalg.generic ... ins(%x_row : memref<1x1x768xf32, strided<...>>) ...
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
  let options = [
    Option<"minElements", "min-elements", "int64_t", "32768",
           "Iterations from which an op is split into tasks">,
    Option<"minTaskElements", "min-task-elements", "int64_t", "256",
           "Fewest iterations a task keeps when they are known statically">,
  ];
}

def SeqApproximateVectorMath : Pass<"seq-approximate-vector-math"> {
  let summary = "Polynomial approximations for math ops on vectors";
  let description = [{
    LLVM scalarizes `math.exp`, `math.tanh`, ... on vectors into libm calls.
    This pass replaces math ops whose result is a vector with MLIR's
    polynomial approximations (vector arithmetic); scalar math is left to
    libm, except with `linalg-bodies`: then also the scalar `math.exp`,
    `math.expm1`, `math.tanh`, `math.log` and `math.log1p` in the bodies of
    linalg ops (a SwiGLU's sigmoid, a softplus), whose loops LLVM
    vectorizes once they are plain arithmetic rather than libm calls.
    `math.sin` and `math.cos` keep libm's exact range reduction: rotary
    angles reach thousands of radians. `math.exp` on f32 vectors has its
    own expansion, within about 1 ulp: with `avx512` on `vector<16xf32>`
    it ends in AVX-512's `vscalefps` (`x86vector.avx512.mask.scalef`);
    otherwise the power of 2 is built in the exponent bits (14 vector ops
    where MLIR's expansion takes 20; results below 2^-125.5 are 0).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::x86vector::X86VectorDialect"];
  let options = [
    Option<"linalgBodies", "linalg-bodies", "bool", "false",
           "Also approximate scalar exp, expm1, tanh, log and log1p in "
           "linalg op bodies">,
    Option<"avx512", "avx512", "bool", "false",
           "The target has AVX-512: exp on vector<16xf32> uses vscalefps "
           "(14 vector ops instead of 22)">,
  ];
}

def SeqLowerAllocaScopes : Pass<"seq-lower-alloca-scopes"> {
  let summary = "Free stack buffers at the end of their scope "
                "(memref.alloca_scope ops and loop bodies) while the IR is "
                "structured";
  let description = [{
    `-convert-scf-to-openmp` wraps each parallel loop body in a
    `memref.alloca_scope`. Upstream lowers a scope to LLVM only while its
    body is a single block, which `-convert-scf-to-cf` breaks when the body
    holds loops, and not at all inside OpenMP regions. This pass lowers
    every scope without results first: one that allocates on the stack
    becomes `llvm.intr.stacksave` / body / `llvm.intr.stackrestore`, so each
    iteration frees its stack buffers; any other is replaced by its body.

    The bodies of `scf.for`, `scf.while` and `scf.parallel` are allocation
    scopes as well, which `-convert-scf-to-cf` does not honour: an alloca
    in a loop body would grow the stack at every iteration until the
    function returns (a fast kernel's parallel loop of one task folds into
    the loop around it, its task buffer with it). A loop body that
    allocates on the stack, and passes on no memref that may be a stack
    buffer (only heap buffers, globals and arguments are known not to be),
    gets the same save and restore.

    ```mlir
    memref.alloca_scope {
      %buf = memref.alloca() : memref<64xf32>
      ...
    }
    // becomes
    %sp = llvm.intr.stacksave : !llvm.ptr
    %buf = memref.alloca() : memref<64xf32>
    ...
    llvm.intr.stackrestore %sp : !llvm.ptr
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SeqGpuAttention : Pass<"seq-gpu-attention"> {
  let summary = "Lower seq.attention for the GPU: threads per query row "
                "(split-KV) or tensor cores, an online softmax over its keys "
                "(CUDA target)";
  let description = [{
    The reference lowering of `seq.attention` materializes the `[Lq, Lk]`
    scores of every head in memory and makes several passes over them
    (max, exp, sum, normalize, multiply by V): on a GPU, O(L^2) memory
    and as many kernels. The CUDA pipeline runs this pass first instead:
    one `scf.parallel` over the `B * H * Lq` query rows, each of which
    (one GPU thread after `seq-gpu-map-parallel-loops`) streams over the
    keys it sees, keeping one score at a time with a running max and sum
    (the online softmax of FlashAttention) and its output row in f32.
    Split-KV (flash-decoding): the host splits each row's keys among
    `min(ceil(32768 / rows), ceil(Lk / 64))` threads (at least one), so
    that decoding's few rows still fill the GPU; each split keeps its own
    max, sum and output in f32 partial buffers, and a second loop, a
    thread per output element, rescales the splits to the row's max and
    divides by their sum. Memory is O(L * D) and the op is two kernels. Masks (causal, window, chunk, `kv_len`) are one interval of
    keys per row, as in `seq-flash-attention`; GQA reads the shared K and
    V in place. f16 and bf16 operands are computed in f32 and the output
    rounded once.

    f16 and bf16 attention with static head sizes (multiples of 16 up to
    128; value heads multiples of 8 up to 128) takes the tensor-core
    kernel instead (`tensor-cores`, on by default;
    GpuAttentionTensorCore.cpp): one `scf.parallel` over
    `B * H * ceil(Lq / 16)` warps of 32 lanes (which
    `seq-gpu-map-parallel-loops` keeps whole: consecutive iterations are
    consecutive threads). A warp owns 16 query rows and streams over their
    keys 16 at a time: `nvgpu.mma.sync` (m16n8k16, f32 accumulators) for
    the scores, the online softmax's row max and sum over a row's four
    lanes with `gpu.shuffle xor`, and the probabilities, rounded to the
    input type, as the A operand of the `mma.sync` for P V, accumulated
    in registers (FlashAttention-2's layout).

    With `shared-memory` (on by default) and at least 64 query rows (a
    host-side choice per call) the warps come in blocks of four
    (`seq.gpu_block_size = 128`) that own 64 query rows of one key/value
    head: with GQA, the same 16, 32 or 64 rows of 4, 2 or 1 of its query
    heads (as many as divide the group). The block copies 64 keys of K and
    V at a time into workgroup
    buffers (16-byte loads where the operands' rows are 16-byte aligned,
    checked at run time; rows padded by 8 elements against bank
    conflicts), waits at a barrier, and each warp runs its rows over them
    16 keys at a time, the keys outside its own rows' masks contributing
    nothing; a second barrier protects the tile from the next copy. K and
    V are then read from global memory once per block instead of once per
    warp. `shared-memory=false`: each warp reads K and V from global
    memory itself, in the operand layouts.

    The thread-per-row (split-KV) form is the GPU's general one: no shared
    memory, no tensor cores (a warp reads the same K and V rows, which the
    cache serves). Both forms add an additive bias to the scores where
    they are made (its size-1 dimensions broadcast). Attention with mixed
    element types, or inside another seq op's region, is left for the
    reference lowering (`emit-remarks` says which and why, and why
    f16/bf16 attention does not take tensor cores).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::gpu::GPUDialect",
    "::mlir::nvgpu::NVGPUDialect", "::mlir::vector::VectorDialect"];
  let options = [
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.attention left for the reference lowering "
           "or for the one-thread-per-row kernel">,
    Option<"tensorCores", "tensor-cores", "bool", "true",
           "f16/bf16 attention with static head sizes (multiples of 16, "
           "value heads of 8, up to 128) on tensor cores (mma.sync)">,
    Option<"sharedMemory", "shared-memory", "bool", "true",
           "with tensor cores: blocks of 4 warps stage K and V in shared "
           "memory, 64 keys at a time">,
  ];
}

def SeqGpuAlignWorkgroupBuffers : Pass<"seq-gpu-align-workgroup-buffers"> {
  let summary = "Align the kernels' workgroup (shared) buffers to 16 bytes "
                "(CUDA target)";
  let description = [{
    Runs after `gpu-kernel-outlining`: every workgroup attribution of a
    `gpu.func` gets `llvm.align = 16` (a larger alignment already set is
    kept), which the GPU-to-NVVM lowering gives the buffer's `.shared`
    variable. Without it the variable has its element type's alignment (2
    bytes for f16), while the staged attention copies K and V 16 bytes at
    a time into rows that are multiples of 16 bytes and LLVM merges
    neighbouring 4-byte stores into 16-byte ones (`st.shared.v4.b32`),
    which a less aligned buffer would make misaligned accesses.

    ```mlir
    gpu.func @k() workgroup(%s : memref<64x72xf16, #gpu.address_space<workgroup>>) kernel
    // becomes
    gpu.func @k() workgroup(%s : memref<64x72xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SeqGpuBF16Mma : Pass<"seq-gpu-bf16-mma"> {
  let summary = "Lower bf16 nvgpu.mma.sync to nvvm.mma.sync (CUDA target)";
  let description = [{
    The tensor-core kernels (`seq-gpu-attention`) use `nvgpu.mma.sync`
    for f16 and bf16 alike, but upstream's `convert-nvgpu-to-nvvm` (LLVM
    22) lowers only the f16 form: for bf16 it fails with "failed to deduce
    operand PTX types". The CUDA pipeline runs this pass first: an
    m16n8k16 `nvgpu.mma.sync` with bf16 operands and an f32 accumulator
    becomes `nvvm.mma.sync` with each register of two bf16 passed as an
    i32 (as PTX's `mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32`
    takes them) and the accumulator as four f32. Other forms are left
    alone.
  }];
  let dependentDialects = ["::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect"];
}

def SeqGpuLinearAttention : Pass<"seq-gpu-linear-attention"> {
  let summary = "Lower f16/bf16 seq.linear_attention chunkwise on tensor "
                "cores (CUDA target)";
  let description = [{
    The reference lowering of `seq.linear_attention` is a sequential
    recurrence over the steps, a rank-one update of the `[Dk, Dv]` state
    per step. For f16 and bf16 operands without the delta rule or the mLSTM
    normalizer, with no decay, a decay per head (`[H]`) or per step
    (`[B, H, L]`) or, in bf16, per step and key channel (`[B, H, L, Dk]`,
    GLA), a static key size that is a multiple of 16 up to 128 and
    a static value size that is a multiple of 16, the CUDA pipeline runs
    this pass first: one `scf.parallel` over `B * H * Dv / 16` warps of 32
    lanes (`seq-gpu-map-parallel-loops` keeps them whole). A warp owns 16
    value columns of one head and walks the sequence in chunks of 16
    steps, its slice of the state in registers (transposed, `Dk / 8`
    accumulators of `nvgpu.mma.sync`, f32). Per chunk, with `G_i` the
    decay's cumulative log within the chunk:

    ```
    o_i  = scale (exp(G_i) q_i S + sum_{j <= i} exp(G_i - G_j) (q_i . k_j) v_j)
    S'^T = exp(G_15) S^T + sum_j exp(G_15 - G_j) v_j^T k_j
    ```

    Every product is `mma.sync.m16n8k16`: the chunk's scores Q K^T, the
    masked and decayed scores (rounded to the input type) times V, Q times
    the state (rounded to the input type), and the state update V^T K.
    Per key channel, a first kernel writes each step's cumulative decay
    within its chunk (`G`, f32, `[B, H, L, Dk]`) and the decays move into
    the operands: Q exp(G_i) for the scores and for Q S, K exp(-G_j) for
    the scores (up to exp(16 |decay|): bf16 has the range, f16 has not),
    K exp(G_15 - G_j) for the update, and each state column decays by its
    channel's exp(G_15).

    Without a per-key-channel decay, the warps of one head's value slices
    (consecutive, `Dv / 16` of them, up to 32) form one block
    (`seq.gpu_block_size = Dv / 16 * 32`) that copies each chunk's 16 rows
    of Q and K into workgroup buffers once (rows padded by 8 elements),
    waits at a barrier, reads its fragments from them, and waits again
    before the next chunk's copy: Q and K come from global memory once per
    head instead of once per warp. GLA keeps reading them from global
    memory: staged, its kernel reached 255 registers (sm_80), the most a
    thread of a 256-thread block may have.
    Other forms stay with the reference lowering (`emit-remarks` says
    why).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::gpu::GPUDialect",
    "::mlir::nvgpu::NVGPUDialect", "::mlir::vector::VectorDialect"];
  let options = [
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.linear_attention left for the reference "
           "lowering">,
  ];
}

def SeqGpuRecurrentLinearAttention
    : Pass<"seq-gpu-recurrent-linear-attention"> {
  let summary = "Lower seq.linear_attention to one GPU kernel that walks the "
                "sequence with the state in registers (CUDA target)";
  let description = [{
    The reference lowering of `seq.linear_attention` on the GPU is a host
    loop over the steps that launches kernels at every step. The CUDA
    pipeline runs this pass after `seq-gpu-linear-attention`, on every form
    that one leaves (f32, the delta rule, the mLSTM normalizer, f16 GLA)
    with a static key size `Dk` whose rows split into at most 32 per lane:
    one `scf.parallel` over `B * H * Dv * P` threads, padded to whole
    warps, where `P` is the largest power of two up to 32 that divides
    `Dk`. The `P` neighbouring lanes of a value column each carry `Dk / P`
    rows of that column of the state (rows `p`, `p + P`, ...; and of the
    normalizer) in registers through the sequence, in f32. Per step: the
    decay (per head, step or key channel), for the delta rule
    `u = beta (v - k . S)`, `S += k^T u` (`u = v` without it), and
    `o = scale q . S` (divided by `max(|scale q . n|, 1)` with the
    normalizer); each dot product is the lane's rows and a butterfly of
    `log2(P)` `gpu.shuffle xor`, and the column's first lane stores `o`.
    Steps go up to four at a time, all their loads issued before the first
    is computed. One kernel, nothing written but the output and the final
    state. Other forms keep the reference lowering (`emit-remarks` says
    why).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::gpu::GPUDialect"];
  let options = [
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.linear_attention left for the reference "
           "lowering">,
  ];
}

def SeqGpuSelectiveScan : Pass<"seq-gpu-selective-scan"> {
  let summary = "Lower seq.selective_scan to one GPU kernel, a warp's lanes "
                "per channel's states (CUDA target)";
  let description = [{
    The reference lowering of `seq.selective_scan` keeps the state of every
    step in memory (`[B, L, Dm, N]`) and contracts it with C in a second
    pass. For a static state size N that is a power of two up to 32 (Mamba's
    16) and f32, f16 or bf16 operands, the CUDA pipeline runs this pass
    first: one `scf.parallel` over the `B * Dm * N` (batch, channel, state)
    triples, padded to whole warps, in which the N threads of a channel
    are neighbouring lanes (`seq-gpu-map-parallel-loops` keeps the order).
    Each carries its `h[n]` in a register through the sequence (computed
    in f32: softplus(delta + bias), exp(dt A), the update), and
    `y_t = sum_n C_t[n] h[n]` is a butterfly of log2(N) `gpu.shuffle xor`
    among the channel's lanes; its first lane adds `D u`, applies the
    `silu(z)` gate and stores `y_t`. Nothing else is written but the last
    state: memory O(B L Dm) and one kernel. Other state sizes keep the
    reference lowering (`emit-remarks` says why).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::gpu::GPUDialect"];
  let options = [
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.selective_scan left for the reference "
           "lowering">,
  ];
}

def SeqGpuScan : Pass<"seq-gpu-scan"> {
  let summary = "Lower seq.scan to one GPU kernel, a warp or a thread a row "
                "(CUDA target)";
  let description = [{
    The reference lowering of `seq.scan` loops over the sequence on the
    host and launches a kernel at every step. For operands of f32, f16,
    bf16 or i32 the CUDA pipeline runs this pass first: one kernel over
    the rows (every index but the scanned dimension's), chosen on the host
    by their number. Below 8192 rows a warp scans each row: lane `p` owns
    the `p`-th of 32 chunks of the sequence in scan order, folds it with
    the combiner, the warp scans the 32 folds (at offsets 1, 2, .., 16 a
    lane combines the fold `offset` lanes below on the left of its own,
    through `gpu.shuffle up`; f16 and bf16 widened to f32 for the shuffle),
    and each lane rescans its chunk from the folds below it (after
    `init`), storing every step. From 8192 rows on a thread scans each
    row. The combiner is only applied as (earlier, later): it must be
    associative, not commutative, and needs no identity. Every lane loops
    over a whole chunk (a warp runs in lockstep); steps past the end read
    the last one and change nothing, so a combiner may see real elements
    in combinations the result does not use. Other element types keep the
    reference lowering (`emit-remarks` says why).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::gpu::GPUDialect"];
  let options = [
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.scan left for the reference lowering">,
  ];
}

def SeqGpuScanBatchDim : Pass<"seq-gpu-scan-batch-dim"> {
  let summary = "Give a seq.scan along a tensor's only dimension a leading "
                "unit dimension (CUDA target)";
  let description = [{
    The reference lowering of a `seq.scan` over rank-1 tensors is one
    sequential loop with no parallel dimension, which
    `seq-gpu-map-parallel-loops` cannot map to GPU threads. The CUDA
    pipeline runs this pass before the lowerings: each such scan scans
    `[1, L]` views of its inputs (`tensor.expand_shape`) along dimension 1,
    with `[1]` views of its inits, and its results are collapsed back. Its
    lowering is then a parallel loop of one iteration around the
    sequential one: a kernel of one thread. The scan stays sequential (a
    GPU scan that uses more threads is future work); it runs rather than
    being refused.

    ```mlir
    %y = seq.scan dim = 0 ins(%x : tensor<?xf32>) -> tensor<?xf32> {...}
    // becomes
    %x1 = tensor.expand_shape %x [[0, 1]] output_shape [1, %n]
        : tensor<?xf32> into tensor<1x?xf32>
    %y1 = seq.scan dim = 1 ins(%x1 : tensor<1x?xf32>) -> tensor<1x?xf32> {...}
    %y = tensor.collapse_shape %y1 [[0, 1]] : tensor<1x?xf32> into tensor<?xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def SeqGpuRecurrence : Pass<"seq-gpu-recurrence"> {
  let summary = "Lower named-cell seq.recurrence to a persistent GPU kernel "
                "or a kernel a step (CUDA target)";
  let description = [{
    The reference lowering of `seq.recurrence` runs the time loop on the
    host and launches kernels at every step. For a named cell (`lstm`,
    `gru`, `elman`, `slstm`) with f32, f16 or bf16 operands and static
    recurrent weights (heads of up to 2048 units), the CUDA pipeline runs
    this pass first:

    1. the input weights transposed to `[i][column]` (f32), and every
       step's input part `x_t W_in^T + b_in` (`[B, L, nG * Hs]`, f32), a
       thread per column of 4 steps of one row (each weight it reads
       serves the 4): it does not depend on h, so all steps run at once;
    2. the recurrent weights transposed to `[gate][head][j][unit]` (f32),
       so that neighbouring threads, which own neighbouring units, read
       neighbouring weights;
    3. for heads whose f32 recurrent weights take at most 128 KiB (what an
       L1 holds beside the shared memory), the recurrence itself,
       **persistent**: one launch walks the whole
       sequence. A block of 256 threads owns one head of
       `R = 256 / ceil(Dh / U)` batch rows, a thread `U = ceil(Dh / 256)`
       units of one row, with their cell states (h, c, n, m) in registers
       through the sequence. `h_{t-1}` of the block's rows is in shared
       memory, double-buffered (step t reads one half, writes the other,
       one `gpu.barrier` per step); each thread computes all gates of its
       units (`h_{t-1} W_rec^T + b_rec`, f32 accumulation) and applies the
       cell (the CPU lowerings' CellMath) without exchanging gates. The
       recurrent weights are copied to shared memory once, before the
       first step, when they fit beside h in 48 KiB (an LSTM head of 32
       units, an Elman head of up to 96: FlashRNN's weights on chip), and
       read through L1/L2 at every step otherwise;
    4. for larger heads, **a kernel a step** (a host loop), which spreads
       the step's product over the GPU where one block per batch row read
       all of a head's weights: a block of 4 warps owns 32 units of one
       head for 4 batch rows; it copies the rows' `h_{t-1}` to shared
       memory, each warp sums a quarter of the head's inputs for a unit
       per lane and every row and gate (16 accumulators for an LSTM,
       weights of 4 inputs loaded together) and stores the sums to shared
       memory; after a barrier a thread per (row, unit) adds the 4 warps'
       sums to `b_rec`, applies the cell and writes its states (f32,
       `[2][states][B][Hs]`, one half read and the other written each
       step) and y. The final states are copied out after the loop.

    The recurrent kernels' `scf.parallel`s carry `seq.gpu_block_size`
    (256 persistent, 128 a step) and their shared buffers are workgroup
    `memref.alloca`s at the top of the body, which
    `seq-gpu-map-parallel-loops` turns into the launch's workgroup
    attributions. Cell regions keep the reference lowering (`emit-remarks`
    says why).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::gpu::GPUDialect"];
  let options = [
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "remark on every seq.recurrence left for the reference "
           "lowering">,
  ];
}

def SeqGpuMapParallelLoops : Pass<"seq-gpu-map-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Turn each outermost scf.parallel into a gpu.launch, one "
                "thread per iteration";
  let description = [{
    The CUDA target's mapping of loop nests (`--target=cuda`,
    docs/cuda.md). Every `scf.parallel` that is not nested in another one
    (nor in a `gpu.launch`) becomes a one-dimensional launch: its iteration
    space, of any rank and with dynamic bounds, is linearized with the
    innermost dimension fastest, so that neighbouring threads touch
    neighbouring elements (coalesced accesses); blocks have `block-size`
    threads and the grid covers the space, each thread checking that its
    index is inside it. Loops nested in the body (a reduction's `scf.for`,
    an inner `scf.parallel`) run sequentially in each thread. A loop with
    reductions (`init` operands) is refused with an error. The kernel's
    `arith.mulf`, `addf` and `subf` are marked `contract`, so that the back
    end fuses multiply-adds into FMAs.

    A kernel whose threads cooperate as a block (`seq-gpu-recurrence`'s)
    says so on its loop: `seq.gpu_block_size = N` is the block size it was
    written for, used instead of `block-size` (consecutive iterations form
    a block), and each `memref.alloca` in `#gpu.address_space<workgroup>`
    at the top of its body becomes a workgroup attribution of the launch:
    one buffer shared by the block, not one per thread. Such an alloca
    must have a static shape and must not be nested deeper (errors).

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%m, %n) step (%c1, %c1) { ... }
    // becomes
    gpu.launch blocks(%bx, ...) in (%gx = ceildiv(m*n, 256), ...)
               threads(%tx, ...) in (%b = 256, ...) {
      %l = bx * 256 + tx
      scf.if %l < m*n { %i = %l / n; %j = %l % n; ... }
      gpu.terminator
    }
    ```
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (a multiple of 32, at most 1024)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def SeqGpuDeviceBuffers : Pass<"seq-gpu-device-buffers", "::mlir::ModuleOp"> {
  let summary = "Put the buffers of functions with kernels in GPU memory";
  let description = [{
    Runs after `seq-gpu-map-parallel-loops` on bufferized functions whose
    memory is touched only by GPU kernels. Every public function (an entry
    point of the library) and every function that launches kernels or
    calls one that does (a model's block) takes its memref arguments and
    returns its results in GPU memory; a call passes GPU buffers. The
    runtime copies a host caller's tensors in and out around an entry
    point (`lib/Runtime/device_call.c`), and a caller with GPU memory
    passes it as it is (`seqc_call_device`). Private functions without
    kernels (buffer deallocation's helper) are host code and left alone.
    In the others:

    - `memref.alloc`/`memref.alloca` outside kernels become `gpu.alloc`
      (an alloca's buffer is freed at the end of its block),
      `memref.dealloc` becomes `gpu.dealloc`; buffers only host code
      touches (the ownership bookkeeping of buffer deallocation) stay in
      host memory;
    - `memref.get_global` outside kernels (a constant tensor) is copied to
      a device buffer where it is read;
    - an entry point's argument that host code loads from itself (a
      model's position, which sets loop bounds) is copied to a host buffer
      on entry, which those loads read, freed at each return.

    A `memref.load` outside the kernels from a buffer nothing in the
    function writes, whose value only kernels use (a scale read from the
    weights), is moved into those kernels. Any other host code that would
    read or write a GPU buffer itself (a `memref.load` from a buffer a
    kernel writes, a store, a call of a function without kernels) is an
    error naming the op: the CUDA target does not copy buffers back and
    forth around host code.

    ```mlir
    func.func @f(%a: memref<4xf32>) -> memref<4xf32> {
      %r = memref.alloc() : memref<4xf32>
      gpu.launch ... { ... %a ... %r ... }
      return %r : memref<4xf32>
    }
    // becomes (%a and the result in GPU memory)
    func.func @f(%a: memref<4xf32>) -> memref<4xf32> {
      %r = gpu.alloc () : memref<4xf32>
      gpu.launch ... { ... %a ... %r ... }
      return %r : memref<4xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect"];
}

def SeqGpuEmulateOnHost : Pass<"seq-gpu-emulate-on-host", "::mlir::func::FuncOp"> {
  let summary = "Run GPU launches and buffers on the host (testing the "
                "CUDA target's lowering without a GPU)";
  let description = [{
    `seqc --target=cuda --cuda-emulate-on-host` (docs/cuda.md): the CUDA
    pipeline up to `seq-gpu-device-buffers`, then this pass, then the CPU
    back end. Each `gpu.launch` becomes an `scf.parallel` over its blocks
    and threads with the same body, each `gpu.alloc`/`gpu.dealloc`/
    `gpu.memcpy` its `memref` counterpart, and `gpu.wait` is dropped. The
    kernels' index arithmetic, bounds checks and copies then run, and are
    tested against the NumPy references, where there is no GPU.

    Kernels whose lanes exchange values (`nvgpu.mma.sync`, `gpu.shuffle`
    xor/idx) run a warp per host iteration instead: each value a lane
    holds lives in a `[32]` buffer, each op runs for all 32 lanes before
    the next (lockstep, as the warp does), and an exchange is computed
    from the lanes' buffers with the PTX ISA's fragment layouts, so the
    kernel's lane-index arithmetic is tested. Control flow around an
    exchange must be uniform across the warp, as on the GPU: loop bounds
    come from lane 0 and a divergent `scf.if` fails an assertion at run
    time.

    Kernels whose threads cooperate as a block (`gpu.barrier`, workgroup
    attributions) run a block per host iteration the same way, their lane
    buffers as wide as the block: every op runs for all of the block's
    threads before the next, so a barrier has nothing left to wait for,
    and each workgroup attribution is a host buffer of that iteration.
    Control flow around a barrier or an exchange must then agree across
    the whole block (an assertion). A race-free kernel computes what it
    computes on the GPU.

    ```mlir
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, ...)
               threads(%tx, %ty, %tz) in (%sx = %c256, ...) { body }
    // becomes
    scf.parallel (%bx, %by, %bz, %tx, %ty, %tz) = (%c0, ...) to (%n, ..., %c256, ...)
        step (%c1, ...) { body }
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // SEQC_TRANSFORMS_PASSES_TD
