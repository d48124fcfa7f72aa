//===- ReifyUtils.cpp - result-shape reification helpers ------------------===//

#include "ReifyUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::seq;

SmallVector<OpFoldResult> mlir::seq::reifyDims(OpBuilder &builder,
                                               Location loc, Type resultType,
                                               ArrayRef<DimSource> sources) {
  auto shaped = cast<RankedTensorType>(resultType);
  SmallVector<OpFoldResult> dims;
  for (int64_t d = 0, e = shaped.getRank(); d < e; ++d) {
    if (!shaped.isDynamicDim(d)) {
      dims.push_back(builder.getIndexAttr(shaped.getDimSize(d)));
      continue;
    }
    const DimSource &src = sources[d];
    dims.push_back(tensor::getMixedSize(builder, loc, src.source, src.dim));
  }
  return dims;
}

OpFoldResult mlir::seq::mulAddIndex(OpBuilder &builder, Location loc,
                                    OpFoldResult lhs, OpFoldResult rhs,
                                    int64_t addend) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return builder.getIndexAttr(*l * *r + addend);
  Value product = arith::MulIOp::create(
      builder, loc, getValueOrCreateConstantIndexOp(builder, loc, lhs),
      getValueOrCreateConstantIndexOp(builder, loc, rhs));
  if (addend == 0)
    return product;
  return arith::AddIOp::create(
             builder, loc, product,
             arith::ConstantIndexOp::create(builder, loc, addend))
      .getResult();
}
