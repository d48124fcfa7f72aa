//===- SeqDialect.td - the seq dialect ---------------------*- tablegen -*-===//
//
// The seq dialect: sequence mixers as first-class operations on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_SEQDIALECT_TD
#define SEQC_DIALECT_SEQ_IR_SEQDIALECT_TD

include "mlir/IR/OpBase.td"

def Seq_Dialect : Dialect {
  let name = "seq";
  let cppNamespace = "::mlir::seq";
  let summary = "Sequence mixers (attention, scans, linear attention, "
                "recurrences, causal convolutions) as tensor operations";
  let description = [{
    The `seq` dialect holds only what is specific to sequence models:
    softmax attention, linear attention and its delta-rule variants, the
    Mamba selective scan, generic associative scans, nonlinear recurrences
    and causal 1-D convolutions. Everything else (matmuls, elementwise math,
    norms, reshapes) is upstream `linalg`, `tensor`, `arith` and `math`.

    Ops have value semantics on ranked tensors and carry the math, not a
    schedule: the computational form (parallel, chunkwise, recurrent) and
    tile sizes are chosen by passes. Batch and sequence dimensions may be
    dynamic; head and feature dimensions are usually static but need not be.

    Layout conventions, shared by all ops: batch first, then heads (where
    there are heads), then the sequence, then features. Channels are last.
  }];
  // Shape reification creates tensor.dim and index arithmetic.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

class Seq_Op<string mnemonic, list<Trait> traits = []>
    : Op<Seq_Dialect, mnemonic, traits>;

#endif // SEQC_DIALECT_SEQ_IR_SEQDIALECT_TD
