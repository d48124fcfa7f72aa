//===- QuantizationToLinalg.cpp - reference lowerings of quantization ----===//
//
// seq.fake_quantize: a max-abs reduction per token, then one elementwise
// generic computing the scale and the rounded, clamped, rescaled value;
// with an outlier threshold, first a max-abs reduction per column, whose
// outlier columns the other two skip and pass through. With a static scale,
// only the elementwise generic.
//
// seq.dequantize: one linalg.generic over the float weight w[n, k] whose
// indexing maps pick the stored byte and the scale (both affine in k); for
// bf16, the two bytes 2k and 2k + 1 joined into the bf16's bits:
//
//   scale = scales[n, k floordiv S]   (zero point: the same map)
//   8-bit: q = quantized[n, k]
//   4-bit: q = nibble of quantized[n, (k floordiv S) * S/2 + k mod S/2],
//          the high one when k mod S >= S/2
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "seqc/Conversion/SeqToLinalg/SeqToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::seq;

LogicalResult mlir::seq::lowerDequantizeToLinalg(RewriterBase &rewriter,
                                                 DequantizeOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  auto type = cast<RankedTensorType>(op.getResult().getType());
  int64_t group = op.getGroupSize();
  bool packed = op.getBits() == 4;
  if (op.getBits() == 16) {
    AffineExpr n = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx);
    SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {n, 2 * k}, ctx),
                                   AffineMap::get(2, 0, {n, 2 * k + 1}, ctx),
                                   AffineMap::getMultiDimIdentityMap(2, ctx)};
    Value init = emptyTensor(rewriter, loc,
                             sizesOf(rewriter, loc, op.getResult()),
                             type.getElementType());
    ValueRange results = buildGeneric(
        rewriter, loc, {op.getQuantized(), op.getQuantized()}, {init}, maps,
        "pp",
        [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
          Type i16 = b.getI16Type();
          Value low = arith::ExtUIOp::create(b, loc, i16, args[0]);
          Value high = arith::ShLIOp::create(
              b, loc, arith::ExtUIOp::create(b, loc, i16, args[1]),
              arith::ConstantOp::create(b, loc, b.getI16IntegerAttr(8)));
          Value bits = arith::OrIOp::create(b, loc, low, high);
          Value bf16 =
              arith::BitcastOp::create(b, loc, b.getBF16Type(), bits);
          return {arith::ExtFOp::create(b, loc, args[2].getType(), bf16)};
        });
    rewriter.replaceOp(op, results);
    return success();
  }

  AffineExpr n = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx);
  AffineExpr byte = packed ? k.floorDiv(group) * (group / 2) + k % (group / 2)
                           : k;
  AffineExpr scale = group == type.getDimSize(1)
                         ? getAffineConstantExpr(0, ctx)
                         : k.floorDiv(group);
  SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {n, byte}, ctx),
                                 AffineMap::get(2, 0, {n, scale}, ctx)};
  SmallVector<Value> inputs = {op.getQuantized(), op.getScales()};
  Value zeros = op.getZeroPoints();
  if (zeros) {
    inputs.push_back(zeros);
    maps.push_back(maps.back());
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(2, ctx));
  Value init = emptyTensor(rewriter, loc, sizesOf(rewriter, loc, op.getResult()),
                           type.getElementType());
  ValueRange results = buildGeneric(
      rewriter, loc, inputs, {init}, maps, "pp",
      [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        Value q = args[0];
        if (packed) {
          Type i8 = q.getType();
          auto c = [&](int64_t v) {
            return arith::ConstantOp::create(b, loc, b.getIntegerAttr(i8, v));
          };
          Value low = arith::ShRSIOp::create(
              b, loc, arith::ShLIOp::create(b, loc, q, c(4)), c(4));
          Value high = arith::ShRSIOp::create(b, loc, q, c(4));
          Value col = linalg::IndexOp::create(b, loc, 1);
          Value inGroup = arith::RemUIOp::create(
              b, loc, col, arith::ConstantIndexOp::create(b, loc, group));
          Value isHigh = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::uge, inGroup,
              arith::ConstantIndexOp::create(b, loc, group / 2));
          q = arith::SelectOp::create(b, loc, isHigh, high, low);
        }
        Value value = arith::SIToFPOp::create(b, loc, args[1].getType(), q);
        if (zeros)
          value = arith::SubFOp::create(
              b, loc, value,
              arith::SIToFPOp::create(b, loc, args[1].getType(), args[2]));
        return {arith::MulFOp::create(b, loc, value, args[1])};
      });
  rewriter.replaceOp(op, results);
  return success();
}

LogicalResult mlir::seq::lowerFakeQuantizeToLinalg(RewriterBase &rewriter,
                                                   FakeQuantizeOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Value x = op.getInput();
  auto type = cast<RankedTensorType>(x.getType());
  unsigned rank = type.getRank();
  Type f32 = type.getElementType();
  std::optional<APFloat> threshold = op.getOutlierThreshold();

  SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, x);
  SmallVector<AffineExpr> tokenDims;
  for (unsigned d = 0; d + 1 < rank; ++d)
    tokenDims.push_back(getAffineDimExpr(d, ctx));
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap perToken = dimsMap(ctx, rank, tokenDims);
  AffineMap perColumn = dimsMap(ctx, rank, {getAffineDimExpr(rank - 1, ctx)});
  auto c = [&](OpBuilder &b, Location loc, double v) {
    return floatConst(b, loc, f32, v);
  };
  // round(x / s) clamped to the int8 range, times s.
  auto quantize = [&](OpBuilder &b, Location loc, Value x, Value scale) {
    Value q = math::RoundEvenOp::create(b, loc,
                                        arith::DivFOp::create(b, loc, x, scale));
    q = arith::MinimumFOp::create(
        b, loc, arith::MaximumFOp::create(b, loc, q, c(b, loc, -127.0)),
        c(b, loc, 127.0));
    return arith::MulFOp::create(b, loc, q, scale);
  };

  if (Value scaleTensor = op.getScale()) {
    Value scale = tensor::ExtractOp::create(rewriter, loc, scaleTensor,
                                            ValueRange{});
    Value result = mapElementwise(
        rewriter, loc, {x}, f32,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return quantize(b, loc, args[0], scale);
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, type));
    return success();
  }

  // LLM.int8(): colmax[k] = max over every token of |x[..., k]|; column k
  // is an outlier when colmax[k] >= threshold.
  Value colmax;
  auto isOutlier = [&](OpBuilder &b, Location loc, Value columnMax) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, columnMax,
                                 c(b, loc, threshold->convertToDouble()));
  };
  if (threshold) {
    std::string iterators(rank, 'r');
    iterators.back() = 'p';
    colmax = filledTensor(rewriter, loc, {sizes.back()}, f32, 0.0);
    colmax = buildGeneric(
        rewriter, loc, {x}, {colmax}, {identity, perColumn}, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
          Value magnitude = math::AbsFOp::create(b, loc, args[0]);
          return {arith::MaximumFOp::create(b, loc, args[1], magnitude)};
        })[0];
  }

  // absmax[t] = max_k |x[t, k]| over the columns that are not outliers.
  SmallVector<OpFoldResult> tokenSizes(sizes.begin(), sizes.end() - 1);
  Value absmax = filledTensor(rewriter, loc, tokenSizes, f32, 0.0);
  std::string iterators(rank, 'p');
  iterators.back() = 'r';
  SmallVector<Value> inputs = {x};
  SmallVector<AffineMap> maps = {identity};
  if (threshold) {
    inputs.push_back(colmax);
    maps.push_back(perColumn);
  }
  maps.push_back(perToken);
  absmax = buildGeneric(
      rewriter, loc, inputs, {absmax}, maps, iterators,
      [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        Value magnitude = math::AbsFOp::create(b, loc, args[0]);
        if (threshold)
          magnitude = arith::SelectOp::create(
              b, loc, isOutlier(b, loc, args[1]), c(b, loc, 0.0), magnitude);
        return {arith::MaximumFOp::create(b, loc, args.back(), magnitude)};
      })[0];

  inputs.push_back(absmax);
  maps.back() = perToken;
  maps.push_back(identity);
  Value init = emptyTensor(rewriter, loc, sizes, f32);
  ValueRange results = buildGeneric(
      rewriter, loc, inputs, {init}, maps, std::string(rank, 'p'),
      [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        Value tokenMax = args[inputs.size() - 1];
        Value zero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                           tokenMax, c(b, loc, 0.0));
        Value scale = arith::SelectOp::create(
            b, loc, zero, c(b, loc, 1.0),
            arith::DivFOp::create(b, loc, tokenMax, c(b, loc, 127.0)));
        Value y = quantize(b, loc, args[0], scale);
        if (threshold)
          y = arith::SelectOp::create(b, loc, isOutlier(b, loc, args[1]),
                                      args[0], y);
        return {y};
      });
  rewriter.replaceOp(op, results);
  return success();
}
