//===- AttentionOp.cpp - seq.attention verifier and shapes ---------------===//

#include "ReifyUtils.h"
#include "ShapeChecker.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seq;

FailureOr<double> AttentionOp::getEffectiveScale() {
  if (FloatAttr scale = getScaleAttr())
    return scale.getValueAsDouble();
  int64_t d = getQ().getType().getDimSize(3);
  if (ShapedType::isDynamic(d))
    return failure();
  return 1.0 / std::sqrt(static_cast<double>(d));
}

LogicalResult AttentionOp::verify() {
  ShapeChecker shapes(*this);
  if (failed(shapes.check(getQ(), "q", {"B", "H", "Lq", "D"})) ||
      failed(shapes.check(getK(), "k", {"B", "Hkv", "Lk", "D"})) ||
      failed(shapes.check(getV(), "v", {"B", "Hkv", "Lk", "Dv"})))
    return failure();
  Type elementType = elementTypeOf(getQ().getType());
  if (failed(checkFloatElementType(*this, getQ().getType(), "q", nullptr, "")) ||
      failed(checkFloatElementType(*this, getK().getType(), "k", elementType,
                                   "q")) ||
      failed(checkFloatElementType(*this, getV().getType(), "v", elementType,
                                   "q")))
    return failure();

  if (Value bias = getBias()) {
    auto biasType = dyn_cast<RankedTensorType>(bias.getType());
    if (!biasType || biasType.getRank() != 4)
      return emitOpError() << "'bias' must have rank 4 [B, H, Lq, Lk] (each "
                              "dimension may be 1 to broadcast), got "
                           << bias.getType();
    static const StringRef names[] = {"B", "H", "Lq", "Lk"};
    for (int64_t d = 0; d < 4; ++d) {
      if (biasType.isDynamicDim(d) || biasType.getDimSize(d) == 1)
        continue;
      std::optional<int64_t> expected = shapes.lookup(names[d]);
      if (expected && *expected != biasType.getDimSize(d))
        return emitOpError() << "'bias' dimension " << d << " (" << names[d]
                             << ") must be 1 or " << *expected << ", got "
                             << biasType.getDimSize(d);
    }
    if (failed(checkFloatElementType(*this, biasType, "bias", elementType,
                                     "q")))
      return failure();
  }

  if (Value kvLen = getKvLen()) {
    if (failed(shapes.check(kvLen, "kv_len", {"B"})))
      return failure();
    Type t = elementTypeOf(kvLen.getType());
    if (!t.isSignlessInteger() && !t.isIndex())
      return emitOpError() << "'kv_len' must hold signless integers or "
                              "index values, got "
                           << t;
  }

  if (failed(shapes.check(getOutput(), "output",
                          {"B", "H", "Lq", "Dv"})) ||
      failed(checkFloatElementType(*this, getOutput().getType(), "output",
                                   elementType, "q")))
    return failure();
  if (Value lse = getLse()) {
    if (failed(shapes.check(lse, "lse", {"B", "H", "Lq"})))
      return failure();
    Type t = elementTypeOf(lse.getType());
    if (t != elementType && !t.isF32())
      return emitOpError() << "'lse' element type must be f32 or the element "
                              "type of 'q' ("
                           << elementType << "), got " << t;
  }

  shapes.constrain(ShapeConstraintKind::MultipleOf, getQ(), 1, getK(), 1, 0,
                   "query heads H ('q' dimension 1) must be a multiple of "
                   "key/value heads Hkv ('k' dimension 1)");
  if (Value bias = getBias()) {
    Value sources[] = {getQ(), getQ(), getQ(), getK()};
    unsigned dims[] = {0, 1, 2, 2};
    for (unsigned d = 0; d < 4; ++d)
      shapes.constrain(ShapeConstraintKind::OneOrEqual, bias, d, sources[d],
                       dims[d], 0,
                       "'bias' dimensions must be 1 or [B, H, Lq, Lk]");
  }

  // Relations between sizes, once every operand and result has bound its
  // sizes (a size may be static in only one of them).
  std::optional<int64_t> heads = shapes.lookup("H");
  std::optional<int64_t> kvHeads = shapes.lookup("Hkv");
  if (kvHeads && *kvHeads == 0)
    return emitOpError("key/value heads Hkv (dimension 1 of 'k' and 'v') must "
                       "be at least 1, got 0");
  if (heads && *heads == 0)
    return emitOpError("query heads H (dimension 1 of 'q') must be at least "
                       "1, got 0");
  if (heads && kvHeads && *heads % *kvHeads != 0)
    return emitOpError() << "query heads H = " << *heads
                         << " must be a multiple of key/value heads Hkv = "
                         << *kvHeads << " (grouped-query attention)";
  if (std::optional<int64_t> d = shapes.lookup("D"); d && *d == 0)
    return emitOpError("head size D (dimension 3 of 'q' and 'k') must be at "
                       "least 1, got 0");

  if (failed(verifyPositiveFinite(*this, getScaleAttr(), "scale")) ||
      failed(verifyPositiveFinite(*this, getSoftcapAttr(), "softcap")))
    return failure();
  if (IntegerAttr window = getWindowAttr(); window && window.getInt() < 1)
    return emitOpError() << "'window' must be at least 1, got "
                         << window.getInt();
  if (IntegerAttr chunk = getChunkAttr(); chunk && chunk.getInt() < 1)
    return emitOpError() << "'chunk' must be at least 1, got "
                         << chunk.getInt();
  if (getWindow() && getChunk())
    return emitOpError("'window' and 'chunk' cannot be combined: give one "
                       "visibility pattern besides 'causal'");
  return success();
}

LogicalResult
AttentionOp::reifyResultShapes(OpBuilder &builder,
                               ReifiedRankedShapedTypeDims &shapes) {
  Location loc = getLoc();
  Value q = getQ(), v = getV();
  shapes.push_back(reifyDims(builder, loc, getOutput().getType(),
                             {{q, 0}, {q, 1}, {q, 2}, {v, 3}}));
  if (Value lse = getLse())
    shapes.push_back(
        reifyDims(builder, loc, lse.getType(), {{q, 0}, {q, 1}, {q, 2}}));
  return success();
}
