//===- ReturnDonatedInPlace.cpp - -seq-return-donated-in-place -----------===//
//
// Returns a donated argument's buffer instead of the clone that buffer
// deallocation makes of it (see the pass description).
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQRETURNDONATEDINPLACE
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

/// The donated argument `value` is (through casts), or null.
static BlockArgument donatedArgument(func::FuncOp func, Value value) {
  while (auto cast = value.getDefiningOp<memref::CastOp>())
    value = cast.getSource();
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner() != &func.getBody().front() ||
      !func.getArgAttr(arg.getArgNumber(), "seqc.donated"))
    return nullptr;
  return arg;
}

namespace {
struct SeqReturnDonatedInPlacePass
    : mlir::seq::impl::SeqReturnDonatedInPlaceBase<
          SeqReturnDonatedInPlacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    func.walk([&](func::ReturnOp ret) {
      for (OpOperand &operand : ret->getOpOperands()) {
        auto clone = operand.get().getDefiningOp<bufferization::CloneOp>();
        if (!clone || !donatedArgument(func, clone.getInput()))
          continue;
        OpBuilder b(clone);
        Value input = clone.getInput();
        if (input.getType() != clone.getType())
          input = memref::CastOp::create(b, clone.getLoc(), clone.getType(),
                                         input);
        clone.replaceAllUsesWith(input);
        clone.erase();
      }
    });
  }
};
} // namespace
