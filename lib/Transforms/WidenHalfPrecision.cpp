//===- WidenHalfPrecision.cpp - -seq-widen-half-precision ----------------===//
//
// f16 and bf16 seq ops become the same ops in f32 between an extf of each
// half-precision operand and a truncf of each such result, so that the
// CPU's fast lowerings (written for f32) take them; see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQWIDENHALFPRECISION
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// `type` in f32 if it is an f16 or bf16 tensor, else null.
RankedTensorType widened(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor ||
      !(tensor.getElementType().isF16() || tensor.getElementType().isBF16()))
    return {};
  return tensor.clone(Float32Type::get(type.getContext()));
}

bool hasHalfPrecision(Operation *op) {
  auto half = [](Type type) { return static_cast<bool>(widened(type)); };
  return llvm::any_of(op->getOperandTypes(), half) ||
         llvm::any_of(op->getResultTypes(), half);
}

/// The ops whose fast lowerings take f32, without a region of their own
/// (a region's block arguments and ops have the element type too).
bool isWidenable(Operation *op) {
  if (!isa<AttentionOp, LinearAttentionOp, SelectiveScanOp, Conv1DOp,
           RecurrenceOp>(op))
    return false;
  return llvm::all_of(op->getRegions(),
                      [](Region &region) { return region.empty(); });
}

void widen(Operation *op) {
  OpBuilder b(op);
  Operation *wide = b.clone(*op);
  b.setInsertionPoint(wide);
  // One extf per value (q, k and v are often one tensor).
  llvm::DenseMap<Value, Value> extended;
  for (OpOperand &operand : wide->getOpOperands()) {
    Value value = operand.get();
    RankedTensorType type = widened(value.getType());
    if (!type)
      continue;
    Value &ext = extended[value];
    if (!ext)
      ext = arith::ExtFOp::create(b, op->getLoc(), type, value);
    operand.set(ext);
  }
  SmallVector<Value> results;
  b.setInsertionPointAfter(wide);
  for (auto [old, result] : llvm::zip(op->getResults(), wide->getResults())) {
    RankedTensorType type = widened(old.getType());
    if (!type) {
      results.push_back(result);
      continue;
    }
    result.setType(type);
    results.push_back(
        arith::TruncFOp::create(b, op->getLoc(), old.getType(), result));
  }
  op->replaceAllUsesWith(results);
  op->erase();
}

struct SeqWidenHalfPrecisionPass
    : mlir::seq::impl::SeqWidenHalfPrecisionBase<SeqWidenHalfPrecisionPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isWidenable(op) && hasHalfPrecision(op))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      widen(op);
  }
};
} // namespace
