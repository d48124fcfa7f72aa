//===- ElementwiseMath.h - activations shared by the lowerings --*- C++ -*-===//
//
// The elementwise functions the seq ops define (activations, softplus),
// built on a float or a vector of floats, for the reference and the fast
// lowerings alike.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_ELEMENTWISEMATH_H
#define SEQC_DIALECT_SEQ_IR_ELEMENTWISEMATH_H

#include "seqc/Dialect/Seq/IR/SeqOps.h"

namespace mlir::seq {

/// The constant `value` of `type`: a float type, or a splat vector of one.
Value floatLike(OpBuilder &b, Location loc, Type type, double value);

Value sigmoid(OpBuilder &b, Location loc, Value x);
Value silu(OpBuilder &b, Location loc, Value x);
/// log(1 + exp(x)), returning x itself above 20 as PyTorch does, so that
/// exp does not overflow.
Value softplus(OpBuilder &b, Location loc, Value x);
/// seq.conv1d's fused activation (gelu in its exact erf form).
Value applyActivation(OpBuilder &b, Location loc, Value x, Activation act);

} // namespace mlir::seq

#endif // SEQC_DIALECT_SEQ_IR_ELEMENTWISEMATH_H
