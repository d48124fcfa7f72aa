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
    BoolAttr writable = BoolAttr::get(&getContext(), true);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      for (BlockArgument arg : func.getArguments()) {
        if (!isa<TensorType>(arg.getType()))
          continue;
        // A donated argument (a model's state) is the caller's buffer for
        // the function to update in place.
        bool donated = func.getArgAttr(arg.getArgNumber(), "seqc.donated") !=
                       nullptr;
        func.setArgAttr(arg.getArgNumber(), "bufferization.writable",
                        donated ? writable : readOnly);
      }
    }
  }
};
} // namespace
