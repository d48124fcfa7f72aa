//===- DequantizeToLinalg.cpp - reference lowering of seq.dequantize ------===//
//
// One linalg.generic over the float weight w[n, k] whose indexing maps pick
// the stored byte and the scale (both affine in k):
//
//   scale = scales[n, k floordiv S]
//   8-bit: q = quantized[n, k]
//   4-bit: q = nibble of quantized[n, (k floordiv S) * S/2 + k mod S/2],
//          the high one when k mod S >= S/2
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "seqc/Conversion/SeqToLinalg/SeqToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

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

  AffineExpr n = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx);
  AffineExpr byte = packed ? k.floorDiv(group) * (group / 2) + k % (group / 2)
                           : k;
  AffineExpr scale = group == type.getDimSize(1)
                         ? getAffineConstantExpr(0, ctx)
                         : k.floorDiv(group);
  SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {n, byte}, ctx),
                                 AffineMap::get(2, 0, {n, scale}, ctx),
                                 AffineMap::getMultiDimIdentityMap(2, ctx)};
  Value init = emptyTensor(rewriter, loc, sizesOf(rewriter, loc, op.getResult()),
                           type.getElementType());
  ValueRange results = buildGeneric(
      rewriter, loc, {op.getQuantized(), op.getScales()}, {init}, maps, "pp",
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
        return {arith::MulFOp::create(b, loc, value, args[1])};
      });
  rewriter.replaceOp(op, results);
  return success();
}
