//===- LowerInt8Dot.cpp - -seq-lower-int8-dot -----------------------------===//
//
// seq.int8_dot becomes the LLVM intrinsic of vpdpbusd (see the pass
// description for why this waits until after buffer deallocation).
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQLOWERINT8DOT
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
struct SeqLowerInt8DotPass
    : mlir::seq::impl::SeqLowerInt8DotBase<SeqLowerInt8DotPass> {
  void runOnOperation() override {
    getOperation()->walk([](Int8DotOp op) {
      OpBuilder b(op);
      auto call = LLVM::CallIntrinsicOp::create(
          b, op.getLoc(), op.getType(),
          b.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
          ValueRange{op.getAcc(), op.getA(), op.getB()});
      op.replaceAllUsesWith(call.getResult(0));
      op.erase();
    });
  }
};
} // namespace
