//===- LoweringUtils.cpp - shared pieces of the reference lowerings ------===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seq;

Value mlir::seq::floatConst(OpBuilder &b, Location loc, Type type,
                            double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value mlir::seq::emptyTensor(OpBuilder &b, Location loc,
                             ArrayRef<OpFoldResult> sizes, Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

Value mlir::seq::filledTensor(OpBuilder &b, Location loc,
                              ArrayRef<OpFoldResult> sizes, Type elementType,
                              double value) {
  Value empty = emptyTensor(b, loc, sizes, elementType);
  Value scalar = floatConst(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

SmallVector<OpFoldResult> mlir::seq::sizesOf(OpBuilder &b, Location loc,
                                             Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

/// The reassociation that merges dimension `dim` (of size 1) of a rank-`rank`
/// tensor into a neighbour, dropping it.
static SmallVector<ReassociationIndices> dropDimReassociation(int64_t rank,
                                                              int64_t dim) {
  SmallVector<ReassociationIndices> groups;
  if (rank == 1)
    return groups; // to rank 0
  for (int64_t d = 0; d < rank; ++d) {
    if (d == dim)
      continue;
    groups.push_back({d});
  }
  // The unit dimension joins the group of the next kept dimension, or of the
  // previous one when it is last.
  if (dim < rank - 1) {
    groups[dim].insert(groups[dim].begin(), dim);
  } else {
    groups.back().push_back(dim);
  }
  return groups;
}

namespace {
/// The slice of step `index` along `dim` of a tensor of type `type`:
/// offsets, sizes (1 along `dim`), unit strides, and the slice's type
/// (`type` with 1 along `dim`).
struct StepSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  RankedTensorType type;

  StepSlice(OpBuilder &b, Location loc, Value tensor, int64_t dim,
            Value index) {
    auto full = cast<RankedTensorType>(tensor.getType());
    offsets.assign(full.getRank(), b.getIndexAttr(0));
    sizes = sizesOf(b, loc, tensor);
    strides.assign(full.getRank(), b.getIndexAttr(1));
    offsets[dim] = index;
    sizes[dim] = b.getIndexAttr(1);
    SmallVector<int64_t> shape(full.getShape());
    shape[dim] = 1;
    type = RankedTensorType::get(shape, full.getElementType());
  }
};
} // namespace

// Steps are sliced without rank reduction and the unit dimension is then
// collapsed explicitly: a rank-reducing slice of a tensor with several unit
// dimensions (batch 1, one step) is ambiguous, and canonicalization may
// drop the wrong one.
Value mlir::seq::extractStep(OpBuilder &b, Location loc, Value tensor,
                             int64_t dim, Value index) {
  auto type = cast<RankedTensorType>(tensor.getType());
  StepSlice slice(b, loc, tensor, dim, index);
  Value step = tensor::ExtractSliceOp::create(b, loc, slice.type, tensor,
                                              slice.offsets, slice.sizes,
                                              slice.strides);
  return tensor::CollapseShapeOp::create(
      b, loc, dropDim(type, dim), step,
      dropDimReassociation(type.getRank(), dim));
}

RankedTensorType mlir::seq::dropDim(RankedTensorType type, int64_t dim) {
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + dim);
  return RankedTensorType::get(shape, type.getElementType());
}

Value mlir::seq::insertStep(OpBuilder &b, Location loc, Value step,
                            Value dest, int64_t dim, Value index) {
  auto type = cast<RankedTensorType>(dest.getType());
  StepSlice slice(b, loc, dest, dim, index);
  // The step's type follows `dest`'s static information, which may be less
  // than the step's (a static batch computed into a dynamic carried tensor).
  step = castTo(b, loc, step, dropDim(type, dim));
  Value expanded = tensor::ExpandShapeOp::create(
      b, loc, slice.type, step, dropDimReassociation(type.getRank(), dim),
      slice.sizes);
  return tensor::InsertSliceOp::create(b, loc, expanded, dest, slice.offsets,
                                       slice.sizes, slice.strides);
}

SmallVector<utils::IteratorType> mlir::seq::iteratorTypes(StringRef pattern) {
  SmallVector<utils::IteratorType> types;
  for (char c : pattern)
    types.push_back(c == 'r' ? utils::IteratorType::reduction
                             : utils::IteratorType::parallel);
  return types;
}

ValueRange mlir::seq::buildGeneric(OpBuilder &b, Location loc,
                                   ValueRange inputs, ValueRange outputs,
                                   ArrayRef<AffineMap> maps,
                                   StringRef iterators, GenericBody body) {
  auto generic = linalg::GenericOp::create(
      b, loc, outputs.getTypes(), inputs, outputs, maps,
      iteratorTypes(iterators),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                body(nested, nestedLoc, args));
      });
  return generic.getResults();
}

SmallVector<Value> mlir::seq::multiplyAccumulate(OpBuilder &b, Location loc,
                                                 ValueRange args) {
  Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
  return {arith::AddFOp::create(b, loc, args[2], product)};
}

Value mlir::seq::mapElementwise(
    OpBuilder &b, Location loc, ValueRange inputs, Type resultElementType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  auto type = cast<RankedTensorType>(inputs.front().getType());
  Value init =
      emptyTensor(b, loc, sizesOf(b, loc, inputs.front()), resultElementType);
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<AffineMap> maps(inputs.size() + 1, id);
  std::string iterators(type.getRank(), 'p');
  return buildGeneric(b, loc, inputs, init, maps, iterators,
                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                        return SmallVector<Value>{
                            fn(nb, nl, args.drop_back())};
                      })
      .front();
}

AffineMap mlir::seq::dimsMap(MLIRContext *ctx, unsigned numDims,
                             ArrayRef<AffineExpr> results) {
  return AffineMap::get(numDims, 0, results, ctx);
}

LogicalResult mlir::seq::requireStaticDims(Operation *op, Type type,
                                           StringRef name,
                                           ArrayRef<int64_t> dims) {
  auto shaped = cast<RankedTensorType>(type);
  for (int64_t d : dims)
    if (shaped.isDynamicDim(d))
      return op->emitError() << "the reference lowering needs a static size "
                                "for dimension "
                             << d << " of '" << name << "' (" << type << ")";
  return success();
}

Value mlir::seq::castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

OpFoldResult mlir::seq::addIndex(OpBuilder &b, Location loc, OpFoldResult size,
                                 int64_t addend) {
  if (std::optional<int64_t> c = getConstantIntValue(size))
    return b.getIndexAttr(*c + addend);
  return arith::AddIOp::create(
             b, loc, getValueOrCreateConstantIndexOp(b, loc, size),
             arith::ConstantIndexOp::create(b, loc, addend))
      .getResult();
}

Value mlir::seq::inverseSqrt(OpBuilder &b, Location loc, OpFoldResult size,
                             Type type) {
  if (std::optional<int64_t> c = getConstantIntValue(size))
    return floatConst(b, loc, type, 1.0 / std::sqrt(static_cast<double>(*c)));
  Value asInt = arith::IndexCastUIOp::create(
      b, loc, b.getI64Type(), getValueOrCreateConstantIndexOp(b, loc, size));
  Value asFloat = arith::UIToFPOp::create(b, loc, type, asInt);
  return math::RsqrtOp::create(b, loc, asFloat);
}
