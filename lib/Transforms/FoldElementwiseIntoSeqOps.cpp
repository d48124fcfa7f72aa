//===- FoldElementwiseIntoSeqOps.cpp - seq-fold-elementwise ---------------===//
//
// Folds elementwise linalg.generic producers and consumers of seq ops into
// the ops' own operands and attributes, which every lowering fuses into its
// loop: softplus(delta + bias) into seq.selective_scan's delta_bias and
// delta_softplus, y * silu(z) into its z gate, act(y + bias) into
// seq.conv1d's bias and activation. Each fold removes a pass over a
// [B, L, D] tensor and the tensor itself.
//
// The bodies are matched as the frontend, PyTorch exporters and
// convert-elementwise-to-linalg (followed by linalg's elementwise fusion)
// write them; see the pass description for the forms.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQFOLDELEMENTWISE
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {

//===----------------------------------------------------------------------===//
// Scalar forms in a generic's body
//===----------------------------------------------------------------------===//

/// The op of type OpTy defining `v`, or null (also for a null `v`: the
/// matchers below pass on what an inner match did not find).
template <typename OpTy> OpTy def(Value v) {
  return v ? v.getDefiningOp<OpTy>() : OpTy();
}

/// The value of the float constant `v`, as a double; none if `v` is not
/// one.
std::optional<double> floatConstant(Value v) {
  APFloat value(0.0);
  if (!matchPattern(v, m_ConstantFloat(&value)))
    return std::nullopt;
  bool lost;
  value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return value.convertToDouble();
}

bool isFloatConstant(Value v, double expected) {
  return floatConstant(v) == expected;
}

/// Calls `match(a, b)` with the operands of the commutative `op` in both
/// orders; true if either matched.
template <typename OpTy>
bool eitherOrder(OpTy op, function_ref<bool(Value, Value)> match) {
  return op &&
         (match(op.getLhs(), op.getRhs()) || match(op.getRhs(), op.getLhs()));
}

/// x if `v` is max(x, 0) (relu), else null.
Value reluArgument(Value v) {
  Value x;
  auto match = [&](Value a, Value zero) {
    x = a;
    return isFloatConstant(zero, 0.0);
  };
  if (eitherOrder(def<arith::MaximumFOp>(v), match) ||
      eitherOrder(def<arith::MaxNumFOp>(v), match))
    return x;
  return Value();
}

/// x if `v` is exp(x), else null.
Value expArgument(Value v) {
  auto e = def<math::ExpOp>(v);
  return e ? e.getOperand() : Value();
}

/// x if `v` is log(1 + exp(x)), in any of the forms PyTorch's softplus is
/// written in, else null:
///   log1p(exp(x)), log(1 + exp(x)),
///   select(x > T, x, <either of those>) for a threshold T >= 15 (PyTorch
///     uses 20; above 15 log1p(exp(-x)) is below half an f32 ulp of x, so
///     the threshold does not change the result),
///   max(x, 0) + log1p(exp(-|x|)) (the form that never overflows).
/// The first two overflow to inf for x > 88 where the op returns x: the
/// fold gives the finite value.
Value softplusArgument(Value v) {
  if (auto log1p = def<math::Log1pOp>(v))
    return expArgument(log1p.getOperand());
  if (auto log = def<math::LogOp>(v)) {
    Value x;
    if (eitherOrder(def<arith::AddFOp>(log.getOperand()),
                    [&](Value one, Value e) {
                      x = expArgument(e);
                      return x && isFloatConstant(one, 1.0);
                    }))
      return x;
    return Value();
  }
  if (auto select = def<arith::SelectOp>(v)) {
    auto compare = def<arith::CmpFOp>(select.getCondition());
    Value x = select.getTrueValue();
    if (!compare || compare.getLhs() != x ||
        (compare.getPredicate() != arith::CmpFPredicate::OGT &&
         compare.getPredicate() != arith::CmpFPredicate::UGT))
      return Value();
    std::optional<double> threshold = floatConstant(compare.getRhs());
    if (!threshold || *threshold < 15.0 ||
        softplusArgument(select.getFalseValue()) != x)
      return Value();
    return x;
  }
  Value x;
  if (eitherOrder(def<arith::AddFOp>(v), [&](Value max, Value log) {
        x = reluArgument(max);
        auto log1p = def<math::Log1pOp>(log);
        auto neg = log1p ? def<arith::NegFOp>(expArgument(log1p.getOperand()))
                         : arith::NegFOp();
        auto abs = neg ? def<math::AbsFOp>(neg.getOperand()) : math::AbsFOp();
        return x && abs && abs.getOperand() == x;
      }))
    return x;
  return Value();
}

/// x if `v` is 1 + exp(-x), the denominator of sigmoid(x), else null.
Value sigmoidDenominatorArgument(Value v) {
  Value x;
  if (eitherOrder(def<arith::AddFOp>(v), [&](Value one, Value e) {
        auto neg = def<arith::NegFOp>(expArgument(e));
        x = neg ? neg.getOperand() : Value();
        return x && isFloatConstant(one, 1.0);
      }))
    return x;
  return Value();
}

/// x if `v` is 1 / (1 + exp(-x)), else null.
Value sigmoidArgument(Value v) {
  auto div = def<arith::DivFOp>(v);
  if (!div || !isFloatConstant(div.getLhs(), 1.0))
    return Value();
  return sigmoidDenominatorArgument(div.getRhs());
}

/// x if `v` is silu(x): x * sigmoid(x) or x / (1 + exp(-x)), else null.
Value siluArgument(Value v) {
  Value x;
  if (eitherOrder(def<arith::MulFOp>(v), [&](Value a, Value s) {
        x = a;
        return sigmoidArgument(s) == a;
      }))
    return x;
  auto div = def<arith::DivFOp>(v);
  if (div && sigmoidDenominatorArgument(div.getRhs()) == div.getLhs())
    return div.getLhs();
  return Value();
}

//===----------------------------------------------------------------------===//
// The generic around the body
//===----------------------------------------------------------------------===//

/// An elementwise generic: all loops parallel, one result, its init not
/// read. Gives access to the operand behind a value of the body.
struct Elementwise {
  linalg::GenericOp op;

  static std::optional<Elementwise> match(Operation *candidate) {
    auto g = dyn_cast_or_null<linalg::GenericOp>(candidate);
    if (!g || g.getNumDpsInits() != 1 || g.getNumResults() != 1 ||
        g.getNumParallelLoops() != g.getNumLoops() ||
        !g.getMatchingBlockArgument(g.getDpsInitOperand(0)).use_empty() ||
        !g.getBody()->getOps<linalg::IndexOp>().empty())
      return std::nullopt;
    return Elementwise{g};
  }

  Value yielded() {
    return cast<linalg::YieldOp>(op.getBody()->getTerminator()).getOperand(0);
  }
  Type resultType() { return op.getResult(0).getType(); }

  /// The input operand that body value `v` reads, if `v` is an input's
  /// block argument.
  OpOperand *input(Value v) {
    auto arg = dyn_cast_if_present<BlockArgument>(v);
    if (!arg || arg.getOwner() != op.getBody() ||
        arg.getArgNumber() >= op.getNumDpsInputs())
      return nullptr;
    return op.getDpsInputOperand(arg.getArgNumber());
  }

  /// The tensor body value `v` reads element for element (identity map,
  /// the result's type), or null.
  Value fullInput(Value v) {
    OpOperand *operand = input(v);
    if (!operand || operand->get().getType() != resultType() ||
        !op.getMatchingIndexingMap(operand).isIdentity())
      return Value();
    return operand->get();
  }

  /// The 1-D tensor along the last dimension that body value `v` reads
  /// (read through its map, or the input of a linalg.broadcast of it over
  /// the leading dimensions), or null.
  Value lastDimVector(Value v) {
    OpOperand *operand = input(v);
    if (!operand)
      return Value();
    auto type = dyn_cast<RankedTensorType>(operand->get().getType());
    AffineMap map = op.getMatchingIndexingMap(operand);
    unsigned rank = op.getNumLoops();
    if (type && type.getRank() == 1 && map.getNumResults() == 1 &&
        map.getResult(0) == getAffineDimExpr(rank - 1, op.getContext()))
      return operand->get();
    auto broadcast = operand->get().getDefiningOp<linalg::BroadcastOp>();
    if (!broadcast || !map.isIdentity() ||
        broadcast.getInput().getType().getRank() != 1 ||
        broadcast.getDimensions().size() != rank - 1 ||
        llvm::any_of(llvm::enumerate(broadcast.getDimensions()),
                     [](auto d) { return d.value() != (int64_t)d.index(); }))
      return Value();
    return broadcast.getInput();
  }

  /// Splits `v` = a + bias (either order) into the body value a and the
  /// bias vector; false if `v` is not such a sum.
  bool splitBias(Value v, Value &a, Value &bias) {
    return eitherOrder(def<arith::AddFOp>(v), [&](Value x, Value b) {
      a = x;
      bias = lastDimVector(b);
      return bool(bias);
    });
  }
};

/// The elementwise generic of `result`'s type that reads `result` once
/// (and maybe as its unread init), if nothing else but tensor.dim uses
/// `result`: once the consumer's result is replaced by `result` itself,
/// nothing sees the difference.
std::optional<Elementwise> soleElementwiseConsumer(Value result) {
  Operation *user = nullptr;
  for (Operation *u : result.getUsers())
    if (!isa<tensor::DimOp>(u))
      user = u;
  std::optional<Elementwise> consumer = Elementwise::match(user);
  if (!consumer || consumer->resultType() != result.getType())
    return std::nullopt;
  unsigned reads = 0;
  for (OpOperand &use : result.getUses()) {
    if (isa<tensor::DimOp>(use.getOwner()))
      continue;
    if (use.getOwner() != consumer->op)
      return std::nullopt;
    if (consumer->op.isDpsInput(&use))
      ++reads;
  }
  if (reads != 1)
    return std::nullopt;
  return consumer;
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// delta = softplus(x + bias), softplus(x) or x + bias, computed by a
/// generic the scan alone reads, becomes the scan's own delta_softplus and
/// delta_bias on x.
struct FoldDeltaProducer : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SelectiveScanOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<Elementwise> g =
        Elementwise::match(op.getDelta().getDefiningOp());
    if (!g || !op.getDelta().hasOneUse())
      return rewriter.notifyMatchFailure(op, "delta is no elementwise op");
    Value v = g->yielded();
    bool softplus = false;
    if (Value x = softplusArgument(v)) {
      // softplus(x) + bias is not softplus(x + bias).
      if (op.getDeltaSoftplus() || op.getDeltaBias())
        return rewriter.notifyMatchFailure(op, "softplus already applied");
      softplus = true;
      v = x;
    }
    Value bias;
    if (!op.getDeltaBias()) {
      Value a;
      if (g->splitBias(v, a, bias))
        v = a;
    }
    Value x = g->fullInput(v);
    if (!x || (!softplus && !bias))
      return rewriter.notifyMatchFailure(op, "delta's body is not foldable");
    rewriter.modifyOpInPlace(op, [&] {
      op.getDeltaMutable().assign(x);
      if (bias)
        op.getDeltaBiasMutable().assign(bias);
      if (softplus)
        op.setDeltaSoftplus(true);
    });
    return success();
  }
};

/// y * silu(z), the scan's only consumer, becomes the scan's z gate.
struct FoldGateConsumer : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SelectiveScanOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getZ())
      return rewriter.notifyMatchFailure(op, "already gated");
    Value y = op.getY();
    std::optional<Elementwise> g = soleElementwiseConsumer(y);
    if (!g)
      return rewriter.notifyMatchFailure(op, "y has no elementwise consumer");
    Value z;
    bool gated =
        eitherOrder(def<arith::MulFOp>(g->yielded()), [&](Value a, Value s) {
          z = g->fullInput(siluArgument(s));
          return z && g->fullInput(a) == y;
        });
    if (!gated)
      return rewriter.notifyMatchFailure(op, "not y * silu(z)");
    if (!DominanceInfo().properlyDominates(z, op))
      return rewriter.notifyMatchFailure(op, "z is computed after the scan");
    rewriter.modifyOpInPlace(op, [&] { op.getZMutable().assign(z); });
    rewriter.replaceOp(g->op, y);
    return success();
  }
};

/// act(y + bias), act(y) or y + bias, the convolution's only consumer,
/// becomes its bias and activation.
struct FoldConv1DConsumer : OpRewritePattern<Conv1DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv1DOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getActivation() != Activation::none)
      return rewriter.notifyMatchFailure(op, "already activated");
    Value y = op.getY();
    std::optional<Elementwise> g = soleElementwiseConsumer(y);
    if (!g)
      return rewriter.notifyMatchFailure(op, "y has no elementwise consumer");
    Value v = g->yielded();
    Activation activation = Activation::none;
    if (Value x = siluArgument(v)) {
      activation = Activation::silu;
      v = x;
    } else if (Value x = reluArgument(v)) {
      activation = Activation::relu;
      v = x;
    } else if (auto tanh = def<math::TanhOp>(v)) {
      activation = Activation::tanh;
      v = tanh.getOperand();
    }
    Value bias;
    if (!op.getBias()) {
      Value a;
      if (g->splitBias(v, a, bias))
        v = a;
    }
    if (g->fullInput(v) != y || (activation == Activation::none && !bias))
      return rewriter.notifyMatchFailure(op, "consumer is not act(y + bias)");
    if (bias && !DominanceInfo().properlyDominates(bias, op))
      return rewriter.notifyMatchFailure(op, "bias is computed after y");
    rewriter.modifyOpInPlace(op, [&] {
      if (bias)
        op.getBiasMutable().assign(bias);
      op.setActivation(activation);
    });
    rewriter.replaceOp(g->op, y);
    return success();
  }
};

struct SeqFoldElementwisePass
    : mlir::seq::impl::SeqFoldElementwiseBase<SeqFoldElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldDeltaProducer, FoldGateConsumer, FoldConv1DConsumer>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
