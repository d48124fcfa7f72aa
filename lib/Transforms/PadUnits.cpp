//===- PadUnits.cpp - pad a tensor dimension's groups of units ------------===//

#include "PadUnits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"

using namespace mlir;

/// Splits dimension `dim` of a rank-`rank` tensor into (groups, units).
static SmallVector<ReassociationIndices> splitUnits(int64_t rank, int64_t dim) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0, next = 0; i < rank; ++i) {
    if (i == dim) {
      groups.push_back({next, next + 1});
      next += 2;
    } else {
      groups.push_back({next++});
    }
  }
  return groups;
}

Value mlir::seq::resizeUnitGroups(ImplicitLocOpBuilder &b, Value value,
                                  int64_t dim, int64_t from, int64_t to) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] /= from;
  shape.insert(shape.begin() + dim + 1, from);
  auto groups = splitUnits(type.getRank(), dim);
  Value split = tensor::ExpandShapeOp::create(
      b, RankedTensorType::get(shape, type.getElementType()), value, groups);
  shape[dim + 1] = to;
  Value resized;
  if (to > from) {
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
    resized = tensor::createPadHighOp(
        RankedTensorType::get(shape, type.getElementType()), split, zero,
        /*nofold=*/false, b.getLoc(), b,
        tensor::createDynamicDimValues(b, b.getLoc(), split));
  } else {
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(b, b.getLoc(), split);
    sizes[dim + 1] = b.getIndexAttr(to);
    resized = tensor::ExtractSliceOp::create(
        b, split, SmallVector<OpFoldResult>(shape.size(), b.getIndexAttr(0)),
        sizes, SmallVector<OpFoldResult>(shape.size(), b.getIndexAttr(1)));
  }
  return tensor::CollapseShapeOp::create(b, resized, groups);
}

void mlir::seq::widenResult(ImplicitLocOpBuilder &b, OpResult result,
                            int64_t dim, int64_t from, int64_t to) {
  auto type = cast<RankedTensorType>(result.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] = shape[dim] / from * to;
  SmallVector<OpOperand *> uses = llvm::map_to_vector(
      result.getUses(), [](OpOperand &use) { return &use; });
  result.setType(RankedTensorType::get(shape, type.getElementType()));
  Value narrowed = resizeUnitGroups(b, result, dim, to, from);
  for (OpOperand *use : uses)
    use->set(narrowed);
}
