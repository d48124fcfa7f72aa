//===- SeqToLinalg.h - reference lowering of seq ops ------------*- C++ -*-===//
//
// One entry point per op, so that other passes (the fast lowerings, when
// they fall back) can reuse the reference form of a single op.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_CONVERSION_SEQTOLINALG_SEQTOLINALG_H
#define SEQC_CONVERSION_SEQTOLINALG_SEQTOLINALG_H

#include "mlir/IR/PatternMatch.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

namespace mlir::seq {

/// Each replaces `op` by its reference lowering, or emits an error on `op`
/// and returns failure without changing the IR.
LogicalResult lowerConv1DToLinalg(RewriterBase &rewriter, Conv1DOp op);
LogicalResult lowerDequantizeToLinalg(RewriterBase &rewriter,
                                      DequantizeOp op);
LogicalResult lowerFakeQuantizeToLinalg(RewriterBase &rewriter,
                                        FakeQuantizeOp op);
LogicalResult lowerHadamardToLinalg(RewriterBase &rewriter, HadamardOp op);
LogicalResult lowerScanToLinalg(RewriterBase &rewriter, ScanOp op);
LogicalResult lowerSelectiveScanToLinalg(RewriterBase &rewriter,
                                         SelectiveScanOp op);
LogicalResult lowerAttentionToLinalg(RewriterBase &rewriter, AttentionOp op);
LogicalResult lowerLinearAttentionToLinalg(RewriterBase &rewriter,
                                           LinearAttentionOp op);
LogicalResult lowerRecurrenceToLinalg(RewriterBase &rewriter,
                                      RecurrenceOp op);

} // namespace mlir::seq

#endif // SEQC_CONVERSION_SEQTOLINALG_SEQTOLINALG_H
