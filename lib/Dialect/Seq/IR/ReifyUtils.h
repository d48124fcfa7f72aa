//===- ReifyUtils.h - result-shape reification helpers ----------*- C++ -*-===//
//
// Every seq op's result dimensions are copies of operand dimensions (or
// small arithmetic on them, like Dv + 1). These helpers build the
// OpFoldResults that ReifyRankedShapedTypeOpInterface returns, folding to
// constants wherever the result type is static.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_DIALECT_SEQ_IR_REIFYUTILS_H
#define SEQC_LIB_DIALECT_SEQ_IR_REIFYUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace mlir::seq {

/// Where one result dimension comes from: dimension `dim` of `source`.
struct DimSource {
  Value source;
  int64_t dim;
};

/// The sizes of `resultType`: a constant for every static dimension, else the
/// size of the matching `sources` entry (a tensor.dim when it is dynamic).
SmallVector<OpFoldResult> reifyDims(OpBuilder &builder, Location loc,
                                    Type resultType,
                                    ArrayRef<DimSource> sources);

/// `lhs * rhs + addend` on index values, folded when both are constants.
OpFoldResult mulAddIndex(OpBuilder &builder, Location loc, OpFoldResult lhs,
                         OpFoldResult rhs, int64_t addend);

} // namespace mlir::seq

#endif // SEQC_LIB_DIALECT_SEQ_IR_REIFYUTILS_H
