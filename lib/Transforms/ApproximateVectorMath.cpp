//===- ApproximateVectorMath.cpp - -seq-approximate-vector-math ----------===//
//
// LLVM has no vector exp or tanh: a math.exp on vector<16xf32> becomes 16
// calls to expf. The fast kernels' math on vectors is replaced by MLIR's
// polynomial approximations (plain vector arithmetic). Scalar math keeps
// libm's accuracy: the reference lowerings stay as they are.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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
struct SeqApproximateVectorMathPass
    : mlir::seq::impl::SeqApproximateVectorMathBase<
          SeqApproximateVectorMathPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<math::MathDialect>(op->getDialect()) &&
          op->getNumResults() == 1 && isa<VectorType>(op->getResultTypes()[0]))
        ops.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
