//===- Conv1DOp.cpp - seq.conv1d verifier and shapes ----------------------===//

#include "ReifyUtils.h"
#include "ShapeChecker.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::seq;

/// The length of the carried state, (K - 1) * dilation, when K is static and
/// the product fits in 64 bits.
static std::optional<int64_t> stateLength(Conv1DOp op) {
  int64_t k = op.getWeight().getType().getDimSize(2);
  if (ShapedType::isDynamic(k) || k < 1)
    return std::nullopt;
  return llvm::checkedMul(k - 1, op.getDilationAttr().getInt());
}

LogicalResult Conv1DOp::verify() {
  ShapeChecker shapes(*this);
  if (failed(shapes.check(getX(), "x", {"B", "L", "Cin"})) ||
      failed(shapes.check(getWeight(), "weight", {"Cout", "Cin/G", "K"})))
    return failure();
  Type elementType = elementTypeOf(getX().getType());
  if (failed(checkFloatElementType(*this, getX().getType(), "x", nullptr, "")) ||
      failed(checkFloatElementType(*this, getWeight().getType(), "weight",
                                   elementType, "x")))
    return failure();

  int64_t dilation = getDilationAttr().getInt();
  if (dilation < 1)
    return emitOpError() << "'dilation' must be at least 1, got " << dilation;
  std::optional<int64_t> kernel = shapes.lookup("K");
  if (kernel && *kernel < 1)
    return emitOpError("'weight' dimension 2 (K, the kernel size) must be at "
                       "least 1, got ")
           << *kernel;
  if (kernel && !stateLength(*this))
    return emitOpError() << "'dilation' = " << dilation
                         << " is too large: (K - 1) * dilation overflows";

  if (Value bias = getBias()) {
    if (failed(shapes.check(bias, "bias", {"Cout"})) ||
        failed(checkFloatElementType(*this, bias.getType(), "bias",
                                     elementType, "x")))
      return failure();
  }
  if (failed(shapes.check(getY(), "y", {"B", "L", "Cout"})) ||
      failed(checkFloatElementType(*this, getY().getType(), "y", elementType,
                                   "x")))
    return failure();
  for (auto [value, name] :
       {std::pair<Value, StringRef>{getState(), "state"},
        {getFinalState(), "final_state"}}) {
    if (!value)
      continue;
    if (std::optional<int64_t> length = stateLength(*this))
      shapes.constrain(ShapeConstraintKind::Constant, value, 1, Value(), 0,
                       *length,
                       "the carried state holds (K - 1) * dilation steps");
    if (failed(shapes.check(value, name, {"B", "P", "Cin"})) ||
        failed(shapes.checkDim(value.getType(), name, 1, stateLength(*this),
                               "(K - 1) * dilation")) ||
        failed(checkFloatElementType(*this, value.getType(), name,
                                     elementType, "x")))
      return failure();
  }

  // Group arithmetic, once every operand and result has bound its sizes.
  std::optional<int64_t> cin = shapes.lookup("Cin");
  std::optional<int64_t> perGroup = shapes.lookup("Cin/G");
  std::optional<int64_t> cout = shapes.lookup("Cout");
  if (perGroup && *perGroup < 1)
    return emitOpError("'weight' dimension 1 (Cin/G) must be at least 1");
  if (cin && *cin < 1)
    return emitOpError("input channels Cin must be at least 1, got 0");
  if (cin && perGroup) {
    if (*cin % *perGroup != 0)
      return emitOpError() << "'weight' dimension 1 (Cin/G) is " << *perGroup
                           << ", which does not divide the input channels Cin "
                              "= "
                           << *cin;
    int64_t groups = *cin / *perGroup;
    if (cout && *cout % groups != 0)
      return emitOpError() << "output channels Cout = " << *cout
                           << " ('weight' dimension 0) must be a multiple of "
                              "the groups G = Cin / weight.dim(1) = "
                           << groups;
  }
  return success();
}

LogicalResult
Conv1DOp::reifyResultShapes(OpBuilder &builder,
                            ReifiedRankedShapedTypeDims &shapes) {
  Location loc = getLoc();
  Value x = getX(), w = getWeight();
  shapes.push_back(
      reifyDims(builder, loc, getY().getType(), {{x, 0}, {x, 1}, {w, 0}}));
  if (Value finalState = getFinalState()) {
    SmallVector<OpFoldResult> dims =
        reifyDims(builder, loc, finalState.getType(), {{x, 0}, {w, 2}, {x, 2}});
    // A dynamic state length is (K - 1) * dilation, not K.
    if (cast<RankedTensorType>(finalState.getType()).isDynamicDim(1))
      dims[1] = mulAddIndex(builder, loc, dims[1],
                            builder.getIndexAttr(getDilationAttr().getInt()),
                            -getDilationAttr().getInt());
    shapes.push_back(dims);
  }
  return success();
}
