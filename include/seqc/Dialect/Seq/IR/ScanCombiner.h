//===- ScanCombiner.h - applying seq.scan's combiner region -----*- C++ -*-===//
//
// One way of applying a scan's combiner, used by its reference lowering and
// by its CPU and GPU kernels.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_SCANCOMBINER_H
#define SEQC_DIALECT_SEQ_IR_SCANCOMBINER_H

#include "seqc/Dialect/Seq/IR/SeqOps.h"

namespace mlir::seq {

/// The combiner of `op` applied to (earlier, later): its ops cloned at
/// `b`'s insertion point with the accumulators `earlier` and the elements
/// `later` (one value per scanned input each) for its arguments; the
/// values it yields.
SmallVector<Value> applyScanCombiner(OpBuilder &b, ScanOp op,
                                     ValueRange earlier, ValueRange later);

} // namespace mlir::seq

#endif // SEQC_DIALECT_SEQ_IR_SCANCOMBINER_H
