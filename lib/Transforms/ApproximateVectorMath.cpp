//===- ApproximateVectorMath.cpp - -seq-approximate-vector-math ----------===//
//
// LLVM has no vector exp or tanh: a math.exp on vector<16xf32> becomes 16
// calls to expf. The fast kernels' math on vectors is replaced by MLIR's
// polynomial approximations (plain vector arithmetic). Scalar math keeps
// libm's accuracy: the reference lowerings stay as they are. With
// linalg-bodies (the fast pipeline, before linalg becomes loops), so do the
// scalar exp-family ops in linalg bodies: as libm calls they keep LLVM from
// vectorizing an elementwise loop (a SwiGLU's sigmoid was 3.5% of a Llama
// prefill in expf alone).
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQAPPROXIMATEVECTORMATH
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

namespace {
/// The exp family: what linalg-bodies approximates in scalar form.
bool isExpFamily(StringRef name) {
  name.consume_front("math.");
  return llvm::is_contained({"exp", "expm1", "tanh", "log", "log1p"}, name);
}

struct SeqApproximateVectorMathPass
    : mlir::seq::impl::SeqApproximateVectorMathBase<
          SeqApproximateVectorMathPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> vectorOps, scalarOps;
    getOperation()->walk([&](Operation *op) {
      if (!isa<math::MathDialect>(op->getDialect()) || op->getNumResults() != 1)
        return;
      Type type = op->getResultTypes()[0];
      if (isa<VectorType>(type))
        vectorOps.push_back(op);
      else if (linalgBodies && type.isF32() &&
               isExpFamily(op->getName().getStringRef()) &&
               isa<linalg::LinalgOp>(op->getParentOp()))
        scalarOps.push_back(op);
    });
    RewritePatternSet vectorPatterns(&getContext());
    populateMathPolynomialApproximationPatterns(vectorPatterns);
    // Only the exp family's patterns: the full set would also rewrite a
    // math.sin that uses an approximated value.
    RewritePatternSet scalarPatterns(&getContext());
    populateMathPolynomialApproximationPatterns(scalarPatterns, isExpFamily);
    if (failed(applyOpPatternsGreedily(vectorOps, std::move(vectorPatterns))) ||
        failed(applyOpPatternsGreedily(scalarOps, std::move(scalarPatterns))))
      signalPassFailure();
  }
};
} // namespace
