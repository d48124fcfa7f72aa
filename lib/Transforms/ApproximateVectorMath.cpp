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
// With avx512, exp on vector<16xf32> has its own expansion (exp is most of
// the non-FMA work of attention's softmax and of the scans' decays, and on
// AVX-512 every vector op shares the FMA ports): n = round(x log2 e),
// r = x - n ln 2 in two parts, a degree-6 polynomial for exp(r) (within
// about 1 ulp on [-88, 88]) and vscalefps for the 2^n, which also gives
// the overflow to inf and the underflow to denormals and 0. 14 vector ops
// where the generic expansion takes 22.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
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

/// exp(x) on vector<16xf32> with AVX-512's vscalefps (see the top).
struct Avx512Exp : OpRewritePattern<math::ExpOp> {
  Avx512Exp(MLIRContext *ctx) : OpRewritePattern(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<VectorType>(op.getType());
    if (!type || type.getShape() != ArrayRef<int64_t>{16} ||
        !type.getElementType().isF32() || type.isScalable())
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto c = [&](float v) -> Value {
      return arith::ConstantOp::create(
          b, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
    };
    auto fma = [&](Value x, Value y, Value z) -> Value {
      return math::FmaOp::create(b, x, y, z);
    };
    // Clamped so that r stays finite: exp(-110) is 0 and exp(88.8) inf in
    // f32 either way. A NaN fails both compares and passes through.
    Value x = op.getOperand();
    Value low = c(-110.0f), high = c(88.8f);
    x = arith::SelectOp::create(
        b, arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, x, low), low, x);
    x = arith::SelectOp::create(
        b, arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x, high), high,
        x);
    Value n = math::RoundEvenOp::create(
        b, arith::MulFOp::create(b, x, c(1.44269504f)));
    // ln 2 = 0.693359375 (few bits: n * it is exact) - 2.12194440e-4.
    Value r = fma(n, c(-0.693359375f), x);
    r = fma(n, c(2.12194440e-4f), r);
    // exp(r) on [-ln2/2, ln2/2]: a least-squares fit of the relative error
    // (Lawson's iteration), the constant and linear terms fixed at 1.
    const float coefficients[] = {1.3843654e-3f, 8.3741555e-3f, 4.1668002e-2f,
                                  0.16666432f,   0.49999994f,   1.0f,
                                  1.0f};
    Value p = c(coefficients[0]);
    for (float coefficient : ArrayRef<float>(coefficients).drop_front())
      p = fma(p, r, c(coefficient));
    Value allLanes = arith::ConstantOp::create(b, b.getI16IntegerAttr(-1));
    // _MM_FROUND_CUR_DIRECTION: the rounding mode of MXCSR.
    Value rounding = arith::ConstantOp::create(b, b.getI32IntegerAttr(4));
    // The op's operands reach llvm.x86.avx512.mask.scalef.ps.512 in order,
    // which takes (a, b, passthrough): so p, n, then p again.
    rewriter.replaceOp(op, x86vector::MaskScaleFOp::create(b, type, p, n, p,
                                                           allLanes, rounding));
    return success();
  }
};

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
    if (avx512)
      vectorPatterns.add<Avx512Exp>(&getContext());
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
