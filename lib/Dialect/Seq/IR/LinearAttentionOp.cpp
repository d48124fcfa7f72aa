//===- LinearAttentionOp.cpp - seq.linear_attention verifier and shapes --===//

#include "ReifyUtils.h"
#include "ShapeChecker.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

using namespace mlir;
using namespace mlir::seq;

/// With `normalize`, the mLSTM normalizer rides in an extra state column.
static int64_t stateColumnsExtra(LinearAttentionOp op) {
  return op.getNormalize() ? 1 : 0;
}

/// Checks a state-shaped type: [B, H, Dk, Dv (+1)].
static LogicalResult checkState(LinearAttentionOp op, ShapeChecker &shapes,
                                Value value, StringRef name) {
  Type type = value.getType();
  if (failed(shapes.check(value, name,
                          {"B", "H", "Dk", op.getNormalize() ? "Dv+1" : "Dv"})))
    return failure();
  std::optional<int64_t> dv = shapes.lookup("Dv");
  int64_t extra = stateColumnsExtra(op);
  if (extra)
    shapes.constrain(ShapeConstraintKind::PlusConstant, value, 3, op.getV(), 3,
                     extra,
                     "with 'normalize' the state has Dv + 1 columns "
                     "('v' dimension 3 plus one)");
  return shapes.checkDim(type, name, 3,
                         dv ? std::optional<int64_t>(*dv + extra)
                            : std::nullopt,
                         extra ? "Dv + 1 (the normalizer column)" : "Dv");
}

LogicalResult LinearAttentionOp::verify() {
  ShapeChecker shapes(*this);
  if (failed(shapes.check(getQ(), "q", {"B", "H", "L", "Dk"})) ||
      failed(shapes.check(getK(), "k", {"B", "H", "L", "Dk"})) ||
      failed(shapes.check(getV(), "v", {"B", "H", "L", "Dv"})))
    return failure();
  Type elementType = elementTypeOf(getQ().getType());
  if (failed(checkFloatElementType(*this, getQ().getType(), "q", nullptr, "")) ||
      failed(checkFloatElementType(*this, getK().getType(), "k", elementType,
                                   "q")) ||
      failed(checkFloatElementType(*this, getV().getType(), "v", elementType,
                                   "q")))
    return failure();

  // As attention's head size: heads of no channels compute nothing (and
  // the lowerings divide by them).
  for (auto [size, what] :
       {std::pair<StringRef, StringRef>{"Dk", "key size Dk (dimension 3 of "
                                              "'q' and 'k')"},
        std::pair<StringRef, StringRef>{"Dv", "value size Dv (dimension 3 of "
                                              "'v')"}})
    if (shapes.lookup(size) == 0)
      return emitOpError() << what << " must be at least 1, got 0";

  if (failed(shapes.check(getOutput(), "output",
                          {"B", "H", "L", "Dv"})) ||
      failed(checkFloatElementType(*this, getOutput().getType(), "output",
                                   elementType, "q")))
    return failure();

  if (Value decay = getDecay()) {
    auto type = cast<RankedTensorType>(decay.getType());
    LogicalResult shaped = failure();
    switch (type.getRank()) {
    case 1:
      shaped = shapes.check(decay, "decay", {"H"});
      break;
    case 3:
      shaped = shapes.check(decay, "decay", {"B", "H", "L"});
      break;
    case 4:
      shaped = shapes.check(decay, "decay", {"B", "H", "L", "Dk"});
      break;
    default:
      return emitOpError()
             << "'decay' must have rank 1 [H] (constant per head), 3 "
                "[B, H, L] (per head and step) or 4 [B, H, L, Dk] (per key "
                "channel), got rank "
             << type.getRank() << " (" << type << ")";
    }
    if (failed(shaped) || failed(checkFloatElementType(*this, type, "decay",
                                                       elementType, "q")))
      return failure();
  }
  if (getBeta() && getNormalize())
    return emitOpError("'normalize' (the mLSTM normalizer) cannot be combined "
                       "with 'beta' (the delta rule)");
  if (Value beta = getBeta()) {
    if (failed(shapes.check(beta, "beta", {"B", "H", "L"})) ||
        failed(checkFloatElementType(*this, beta.getType(), "beta",
                                     elementType, "q")))
      return failure();
  }
  if (failed(checkState(*this, shapes, getFinalState(),
                        "final_state")) ||
      failed(checkFloatElementType(*this, getFinalState().getType(),
                                   "final_state", elementType, "q")))
    return failure();
  // Checked last: Dv may be static only in 'output'.
  if (Value init = getInitialState()) {
    if (failed(checkState(*this, shapes, init, "initial_state")) ||
        failed(checkFloatElementType(*this, init.getType(), "initial_state",
                                     elementType, "q")))
      return failure();
  }
  return verifyPositiveFinite(*this, getScaleAttr(), "scale");
}

LogicalResult
LinearAttentionOp::reifyResultShapes(OpBuilder &builder,
                                     ReifiedRankedShapedTypeDims &shapes) {
  Location loc = getLoc();
  Value q = getQ(), v = getV();
  shapes.push_back(reifyDims(builder, loc, getOutput().getType(),
                             {{q, 0}, {q, 1}, {q, 2}, {v, 3}}));
  SmallVector<OpFoldResult> state = reifyDims(
      builder, loc, getFinalState().getType(), {{q, 0}, {q, 1}, {q, 3}, {v, 3}});
  // The dynamic Dv + 1 case: reifyDims copied Dv; add the normalizer column.
  if (getFinalState().getType().isDynamicDim(3) && getNormalize())
    state[3] = mulAddIndex(builder, loc, state[3], builder.getIndexAttr(1), 1);
  shapes.push_back(state);
  return success();
}
