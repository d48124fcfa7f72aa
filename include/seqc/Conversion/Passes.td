//===- Passes.td - seqc conversion passes ------------------*- tablegen -*-===//

#ifndef SEQC_CONVERSION_PASSES_TD
#define SEQC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSeqToLinalg : Pass<"convert-seq-to-linalg", "ModuleOp"> {
  let summary = "Reference lowering of seq ops to linalg, scf and tensor ops";
  let description = [{
    Rewrites every `seq` op into upstream ops on tensors in the most direct
    form of its math: a `linalg.generic` per formula for the parallel parts
    and an `scf.for` over the sequence for recurrences, carrying the state
    as loop-carried tensors. These lowerings are the oracle that the fast
    lowerings are checked against, and what `-O0` compiles; they are meant to
    be obviously correct, not fast (attention materializes the `Lq x Lk`
    scores).

    Batch and sequence dimensions may be dynamic. Channel, head and state
    sizes that enter index arithmetic (groups) must be static; an op that
    cannot be lowered gets an error naming the reason.

    ```mlir
    // before
    %y = seq.conv1d %x, %w : tensor<?x?x8xf32>, tensor<8x1x4xf32>
        -> tensor<?x?x8xf32>
    // after (sketch)
    %xs = tensor.insert_slice %x into %zeros[0, 3, 0] ...   // causal padding
    %y = linalg.generic {iterator_types = [par, par, par, red, red]}
        ins(%xs, %w) outs(%init) { y += xs[b, t + j, c] * w[o, c, j] }
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // SEQC_CONVERSION_PASSES_TD
