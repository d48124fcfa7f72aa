//===- ReadOnlyArguments.cpp - -seq-read-only-arguments ------------------===//
//
// Marks tensor arguments `bufferization.writable = false`, so bufferization
// never writes into a caller's input (see the pass description).
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQREADONLYARGUMENTS
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

namespace {
struct SeqReadOnlyArgumentsPass
    : mlir::seq::impl::SeqReadOnlyArgumentsBase<SeqReadOnlyArgumentsPass> {
  void runOnOperation() override {
    BoolAttr readOnly = BoolAttr::get(&getContext(), false);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      for (BlockArgument arg : func.getArguments())
        if (isa<TensorType>(arg.getType()))
          func.setArgAttr(arg.getArgNumber(), "bufferization.writable",
                          readOnly);
    }
  }
};
} // namespace
