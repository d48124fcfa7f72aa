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
// the overflow to inf; results below 2^-126 are flushed to 0 by the
// vscalefps's lane mask. 15 vector ops where the generic expansion takes
// 22.
//
// Other f32 vectors (AVX2's vector<8xf32>) take the same polynomial with
// the power of 2 built in the exponent bits: n is rounded by adding
// 1.5 * 2^23 + 126 in the FMA that scales x by log2 e, which leaves n + 126
// in the low mantissa bits, so one shift makes 2^(n-1) and one
// subtraction n; the polynomial's coefficients are doubled (exactly) to
// make 2 exp(r). n runs from -126 to 128 over the clamped x, [-87.5,
// 88.8]: 255 powers where a float has 254 normal ones, so the lowest,
// 2^-127, is 0 (results below 2^-125.5 flush to 0) and the highest,
// 2^127 * 2 exp(r), overflows to inf. 14 vector ops where MLIR's
// expansion has 20 in its IR (it clamps n on both sides, converts it to an
// integer and adds the bias); within 1 ulp where it is within 6. exp is
// 16% of AVX2 attention's time and most of the selective scan's.
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

/// exp(r) on [-ln2/2, ln2/2], r = x - n ln 2: a least-squares fit of the
/// relative error (Lawson's iteration), the constant and linear terms fixed
/// at 1; times `scale` (a power of 2: exact). `c` makes a splat constant.
template <typename Const>
Value expOfReduced(ImplicitLocOpBuilder &b, Value x, Value n, Const c,
                   float scale = 1.0f) {
  auto fma = [&](Value x, Value y, Value z) -> Value {
    return math::FmaOp::create(b, x, y, z);
  };
  // ln 2 = 0.693359375 (few bits: n * it is exact) - 2.12194440e-4.
  Value r = fma(n, c(-0.693359375f), x);
  r = fma(n, c(2.12194440e-4f), r);
  const float coefficients[] = {1.3843654e-3f, 8.3741555e-3f, 4.1668002e-2f,
                                0.16666432f,   0.49999994f,   1.0f,
                                1.0f};
  Value p = c(scale * coefficients[0]);
  for (float coefficient : ArrayRef<float>(coefficients).drop_front())
    p = fma(p, r, c(scale * coefficient));
  return p;
}

/// x clamped to [low, high]; a NaN fails both compares and passes through.
template <typename Const>
Value clampKeepingNaN(ImplicitLocOpBuilder &b, Value x, float low, float high,
                      Const c) {
  Value lowV = c(low), highV = c(high);
  x = arith::SelectOp::create(
      b, arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, x, lowV), lowV, x);
  return arith::SelectOp::create(
      b, arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x, highV), highV,
      x);
}

/// A splat f32 constant of `type`.
Value splatF32(ImplicitLocOpBuilder &b, VectorType type, float v) {
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
}

/// exp(x) on vector<16xf32> with AVX-512's vscalefps (see the top).
struct Avx512Exp : OpRewritePattern<math::ExpOp> {
  Avx512Exp(MLIRContext *ctx) : OpRewritePattern(ctx, /*benefit=*/3) {}

  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<VectorType>(op.getType());
    if (!type || type.getShape() != ArrayRef<int64_t>{16} ||
        !type.getElementType().isF32() || type.isScalable())
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto c = [&](float v) { return splatF32(b, type, v); };
    // Clamped so that r stays finite: exp(-110) is 0 and exp(88.8) inf in
    // f32 either way.
    Value x = clampKeepingNaN(b, op.getOperand(), -110.0f, 88.8f, c);
    Value n = math::RoundEvenOp::create(
        b, arith::MulFOp::create(b, x, c(1.44269504f)));
    Value p = expOfReduced(b, x, n, c);
    // Results below 2^-126 (x < -87.33654, the least x whose exp rounds to
    // 2^-126 or more) are 0, as in the AVX2 expansion: without DAZ every
    // FMA that reads a denormal takes a microcode assist, and a softmax
    // whose scores fall far below their max (ALiBi's distances) made
    // thousands of them (attention 3x slower). NaN (unordered) lanes keep
    // their NaN.
    Value normal =
        arith::CmpFOp::create(b, arith::CmpFPredicate::UGE, x, c(-87.33654f));
    Value lanes = vector::ExtractOp::create(
        b,
        vector::BitCastOp::create(b, VectorType::get({1}, b.getI16Type()),
                                  normal),
        ArrayRef<int64_t>{0});
    // _MM_FROUND_CUR_DIRECTION: the rounding mode of MXCSR.
    Value rounding = arith::ConstantOp::create(b, b.getI32IntegerAttr(4));
    // The op's operands reach llvm.x86.avx512.mask.scalef.ps.512 in order,
    // which takes (a, b, passthrough, mask): p, n, and 0 for the lanes
    // outside `lanes`.
    rewriter.replaceOp(op, x86vector::MaskScaleFOp::create(
                               b, type, p, n, c(0.0f), lanes, rounding));
    return success();
  }
};

/// exp(x) on other f32 vectors, 2^n made in the exponent bits (see the
/// top).
struct ShiftedExponentExp : OpRewritePattern<math::ExpOp> {
  ShiftedExponentExp(MLIRContext *ctx) : OpRewritePattern(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<VectorType>(op.getType());
    if (!type || type.getRank() != 1 || !type.getElementType().isF32() ||
        type.isScalable())
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto c = [&](float v) { return splatF32(b, type, v); };
    auto ints = VectorType::get(type.getShape(), b.getI32Type());
    // From -87.5, n = -126 (2^(n-1) = 0: a flushed result); from 88.8 up,
    // exp is inf.
    Value x = clampKeepingNaN(b, op.getOperand(), -87.5f, 88.8f, c);
    // 1.5 * 2^23 + 126: t is an integer, n + 126 in its low bits.
    constexpr float kShifter = 12582912.0f + 126.0f;
    Value shifter = c(kShifter);
    Value t = math::FmaOp::create(b, x, c(1.44269504f), shifter);
    Value n = arith::SubFOp::create(b, t, shifter);
    Value p = expOfReduced(b, x, n, c, /*scale=*/2.0f);
    Value exponent = arith::ShLIOp::create(
        b, arith::BitcastOp::create(b, ints, t),
        arith::ConstantOp::create(
            b, DenseElementsAttr::get(ints, b.getI32IntegerAttr(23))));
    rewriter.replaceOp(
        op, arith::MulFOp::create(b, p,
                                  arith::BitcastOp::create(b, type, exponent)));
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
    vectorPatterns.add<ShiftedExponentExp>(&getContext());
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
