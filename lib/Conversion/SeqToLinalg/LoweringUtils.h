//===- LoweringUtils.h - shared pieces of the reference lowerings -*- C++ -*-===//
//
// Builders every reference lowering needs: constants, empty and filled
// tensors with dynamic sizes, per-step slices of a sequence, the scalar
// activations (sigmoid, silu, softplus, ...) and linalg.generic shorthands.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_CONVERSION_SEQTOLINALG_LOWERINGUTILS_H
#define SEQC_LIB_CONVERSION_SEQTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "seqc/Dialect/Seq/IR/ElementwiseMath.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

namespace mlir::seq {

/// A float constant of scalar type `type`.
Value floatConst(OpBuilder &b, Location loc, Type type, double value);

/// A tensor.empty of the given sizes (static sizes as attributes).
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                  Type elementType);

/// A tensor of the given sizes filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   Type elementType, double value);

/// The sizes of `tensor` (constants where static, tensor.dim otherwise).
SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value tensor);

/// Slice `index` of dimension `dim` of `tensor`, with that dimension dropped.
Value extractStep(OpBuilder &b, Location loc, Value tensor, int64_t dim,
                  Value index);

/// `type` without dimension `dim` (the type of one step).
RankedTensorType dropDim(RankedTensorType type, int64_t dim);

/// `dest` with slice `index` of dimension `dim` replaced by `step` (which
/// has `dest`'s shape without dimension `dim`).
Value insertStep(OpBuilder &b, Location loc, Value step, Value dest,
                 int64_t dim, Value index);


/// Iterator types from a string of 'p' (parallel) and 'r' (reduction).
SmallVector<utils::IteratorType> iteratorTypes(StringRef pattern);

/// A linalg.generic on tensors; the body receives the block arguments
/// (inputs, then outputs) and returns the values to yield.
using GenericBody =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;
ValueRange buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                        ValueRange outputs, ArrayRef<AffineMap> maps,
                        StringRef iterators, GenericBody body);

/// The body of a contraction: args[2] + args[0] * args[1] (inputs a, b and
/// the accumulator), for buildGeneric.
SmallVector<Value> multiplyAccumulate(OpBuilder &b, Location loc,
                                      ValueRange args);

/// An elementwise map over tensors of one shape (all identity maps), writing
/// into a fresh tensor shaped like `inputs[0]`.
Value mapElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                     Type resultElementType,
                     function_ref<Value(OpBuilder &, Location, ValueRange)> fn);

/// The affine map (d0, ..., d{numDims-1}) -> (results...).
AffineMap dimsMap(MLIRContext *ctx, unsigned numDims,
                  ArrayRef<AffineExpr> results);

/// `value` as `type`, through a tensor.cast when the static information
/// differs (lowerings build the most natural type; results keep the op's).
Value castTo(OpBuilder &b, Location loc, Value value, Type type);

/// `size + addend` as an index (folded when `size` is a constant).
OpFoldResult addIndex(OpBuilder &b, Location loc, OpFoldResult size,
                      int64_t addend);

/// 1 / sqrt(size) as a float of `type`: the default softmax / linear
/// attention scale for a head size that may be dynamic.
Value inverseSqrt(OpBuilder &b, Location loc, OpFoldResult size, Type type);

/// Emits `message` on `op` when `type` has a dynamic dimension in `dims`.
LogicalResult requireStaticDims(Operation *op, Type type, StringRef name,
                                ArrayRef<int64_t> dims);

} // namespace mlir::seq

#endif // SEQC_LIB_CONVERSION_SEQTOLINALG_LOWERINGUTILS_H
