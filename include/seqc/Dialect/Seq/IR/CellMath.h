//===- CellMath.h - the math of seq.recurrence's named cells ----*- C++ -*-===//
//
// One definition of the LSTM, GRU, Elman and sLSTM cells, used by the
// reference lowering (on scalars) and the fast lowering (on vectors).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_CELLMATH_H
#define SEQC_DIALECT_SEQ_IR_CELLMATH_H

#include "seqc/Dialect/Seq/IR/SeqOps.h"

namespace mlir::seq {

/// The new states of a `kind` cell from the input part `gx` and the
/// recurrent part `gh` (its bias included) of each gate's pre-activation
/// and the previous `states`, all floats or all vectors of floats of one
/// type. The first state is the cell's output h.
SmallVector<Value> applyCell(OpBuilder &b, Location loc, CellKind kind,
                             ArrayRef<Value> gx, ArrayRef<Value> gh,
                             ArrayRef<Value> states);

} // namespace mlir::seq

#endif // SEQC_DIALECT_SEQ_IR_CELLMATH_H
