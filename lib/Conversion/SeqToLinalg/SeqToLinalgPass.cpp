//===- SeqToLinalgPass.cpp - -convert-seq-to-linalg ----------------------===//
//
// Drives the per-op reference lowerings. Ops are visited innermost first, so
// a seq op inside a seq.recurrence cell is lowered before the cell is
// inlined into the recurrence's loop.
//
//===----------------------------------------------------------------------===//

#include "seqc/Conversion/Passes.h"
#include "seqc/Conversion/SeqToLinalg/SeqToLinalg.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::seq {
#define GEN_PASS_DEF_CONVERTSEQTOLINALG
#include "seqc/Conversion/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
struct ConvertSeqToLinalgPass
    : mlir::seq::impl::ConvertSeqToLinalgBase<ConvertSeqToLinalgPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk<WalkOrder::PostOrder>([&](Operation *op) {
      // seq.int8_dot is part of a fast kernel already, lowered later.
      if (isa<SeqDialect>(op->getDialect()) && !isa<YieldOp, Int8DotOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    bool failedAny = false;
    for (Operation *op : ops) {
      LogicalResult lowered =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case<Conv1DOp>(
                  [&](Conv1DOp o) { return lowerConv1DToLinalg(rewriter, o); })
              .Case<DequantizeOp>([&](DequantizeOp o) {
                return lowerDequantizeToLinalg(rewriter, o);
              })
              .Case<FakeQuantizeOp>([&](FakeQuantizeOp o) {
                return lowerFakeQuantizeToLinalg(rewriter, o);
              })
              .Case<HadamardOp>([&](HadamardOp o) {
                return lowerHadamardToLinalg(rewriter, o);
              })
              .Case<ScanOp>(
                  [&](ScanOp o) { return lowerScanToLinalg(rewriter, o); })
              .Case<SelectiveScanOp>([&](SelectiveScanOp o) {
                return lowerSelectiveScanToLinalg(rewriter, o);
              })
              .Case<AttentionOp>([&](AttentionOp o) {
                return lowerAttentionToLinalg(rewriter, o);
              })
              .Case<LinearAttentionOp>([&](LinearAttentionOp o) {
                return lowerLinearAttentionToLinalg(rewriter, o);
              })
              .Case<RecurrenceOp>([&](RecurrenceOp o) {
                return lowerRecurrenceToLinalg(rewriter, o);
              })
              .Default([](Operation *o) {
                return o->emitError()
                       << "no reference lowering for '" << o->getName()
                       << "' yet";
              });
      failedAny |= failed(lowered);
    }
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
