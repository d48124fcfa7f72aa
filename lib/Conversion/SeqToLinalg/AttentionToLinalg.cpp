//===- AttentionToLinalg.cpp - reference lowering of seq.attention -------===//
//
// The textbook form, with the full [B, H, Lq, Lk] score tensor:
//
//   s   = scale * q k^T            (k head = h floordiv (H / Hkv))
//   s   = softcap * tanh(s / softcap) + bias, -inf where masked
//   m   = max_j s;  e = exp(s - m);  l = sum_j e
//   out = (e v) / l;  lse = m + log(l)
//
// A row that sees no key has m = -inf; it is computed with m = 0 so that
// e = 0 and l = 0, and gets out = 0 and lse = -inf as the op specifies.
// The fast lowerings (flash tiling) are checked against this one.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "seqc/Conversion/SeqToLinalg/SeqToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seq;

namespace {
/// Builds the visibility predicate of key `j` for query `i` of batch `b`.
struct MaskBuilder {
  AttentionOp op;
  Value lq, lk; // index values of the sequence lengths

  Value build(OpBuilder &b, Location l, Value batchLength, Value i,
              Value j) {
    // p = i + len - Lq, the query's position among the keys.
    Value p = arith::SubIOp::create(
        b, l, arith::AddIOp::create(b, l, i, batchLength), lq);
    Value visible = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j,
                                          batchLength);
    auto both = [&](Value a, Value c) {
      return arith::AndIOp::create(b, l, a, c).getResult();
    };
    if (op.getCausal())
      visible = both(visible, arith::CmpIOp::create(
                                  b, l, arith::CmpIPredicate::sle, j, p));
    if (IntegerAttr window = op.getWindowAttr()) {
      Value w = arith::ConstantIndexOp::create(b, l, window.getInt());
      visible = both(visible,
                     arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, j,
                                           arith::SubIOp::create(b, l, p, w)));
      if (!op.getCausal())
        visible = both(visible, arith::CmpIOp::create(
                                    b, l, arith::CmpIPredicate::slt, j,
                                    arith::AddIOp::create(b, l, p, w)));
    }
    if (IntegerAttr chunk = op.getChunkAttr()) {
      Value c = arith::ConstantIndexOp::create(b, l, chunk.getInt());
      visible = both(visible,
                     arith::CmpIOp::create(
                         b, l, arith::CmpIPredicate::eq,
                         arith::FloorDivSIOp::create(b, l, j, c),
                         arith::FloorDivSIOp::create(b, l, p, c)));
    }
    return visible;
  }
};
} // namespace

/// `kv` [B, Hkv, L, D] repeated to [B, H, L, D], head h taking kv head
/// h / (H / Hkv): a gather, for head counts that are not static.
static Value repeatHeads(OpBuilder &b, Location loc, Value kv,
                         OpFoldResult heads) {
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, kv);
  Value group = arith::DivUIOp::create(
      b, loc, getValueOrCreateConstantIndexOp(b, loc, heads),
      getValueOrCreateConstantIndexOp(b, loc, sizes[1]));
  sizes[1] = heads;
  Type elementType = cast<RankedTensorType>(kv.getType()).getElementType();
  AffineMap id = b.getMultiDimIdentityMap(4);
  return buildGeneric(
             b, loc, ValueRange{}, emptyTensor(b, loc, sizes, elementType), {id},
             "pppp",
             [&](OpBuilder &nb, Location nl, ValueRange) {
               SmallVector<Value> at;
               for (int64_t d = 0; d < 4; ++d)
                 at.push_back(linalg::IndexOp::create(nb, nl, d));
               at[1] = arith::DivUIOp::create(nb, nl, at[1], group);
               return SmallVector<Value>{
                   tensor::ExtractOp::create(nb, nl, kv, at)};
             })
      .front();
}

LogicalResult mlir::seq::lowerAttentionToLinalg(RewriterBase &rewriter,
                                                AttentionOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Value q = op.getQ(), k = op.getK(), v = op.getV();
  auto qType = cast<RankedTensorType>(q.getType());
  Type elementType = qType.getElementType();
  int64_t heads = qType.getDimSize(1);
  int64_t kvHeads = cast<RankedTensorType>(k.getType()).getDimSize(1);
  // Query head h reads key/value head h / G. With static head counts that
  // is an affine map; otherwise K and V are first gathered to H heads.
  int64_t group = 1;
  if (!ShapedType::isDynamic(heads) && !ShapedType::isDynamic(kvHeads)) {
    group = heads / kvHeads;
  } else {
    k = repeatHeads(rewriter, loc, k, tensor::getMixedSize(rewriter, loc, q, 1));
    v = repeatHeads(rewriter, loc, v, tensor::getMixedSize(rewriter, loc, q, 1));
  }
  Value scale =
      op.getScaleAttr()
          ? floatConst(rewriter, loc, elementType,
                       op.getScaleAttr().getValueAsDouble())
          : inverseSqrt(rewriter, loc, tensor::getMixedSize(rewriter, loc, q, 3),
                        elementType);

  SmallVector<OpFoldResult> qSizes = sizesOf(rewriter, loc, q);
  SmallVector<OpFoldResult> kSizes = sizesOf(rewriter, loc, k);
  SmallVector<OpFoldResult> vSizes = sizesOf(rewriter, loc, v);
  SmallVector<OpFoldResult> scoreSizes = {qSizes[0], qSizes[1], qSizes[2],
                                          kSizes[2]};
  SmallVector<OpFoldResult> rowSizes = {qSizes[0], qSizes[1], qSizes[2]};
  SmallVector<OpFoldResult> outSizes = {qSizes[0], qSizes[1], qSizes[2],
                                        vSizes[3]};

  AffineExpr d0 = rewriter.getAffineDimExpr(0), d1 = rewriter.getAffineDimExpr(1),
             d2 = rewriter.getAffineDimExpr(2), d3 = rewriter.getAffineDimExpr(3),
             d4 = rewriter.getAffineDimExpr(4);
  AffineMap id4 = rewriter.getMultiDimIdentityMap(4);
  AffineMap rows4 = dimsMap(ctx, 4, {d0, d1, d2});
  AffineMap id3 = rewriter.getMultiDimIdentityMap(3);

  // s[b,h,i,j] = sum_d q[b,h,i,d] * k[b,h/G,j,d]
  Value scores =
      buildGeneric(rewriter, loc, ValueRange{q, k},
                   filledTensor(rewriter, loc, scoreSizes, elementType, 0.0),
                   {dimsMap(ctx, 5, {d0, d1, d2, d4}),
                    dimsMap(ctx, 5, {d0, d1.floorDiv(group), d3, d4}),
                    dimsMap(ctx, 5, {d0, d1, d2, d3})},
                   "ppppr",
                   multiplyAccumulate)
          .front();

  // Scale, softcap, bias and mask, elementwise over [B, H, Lq, Lk].
  MaskBuilder mask{op, getValueOrCreateConstantIndexOp(rewriter, loc, qSizes[2]),
                   getValueOrCreateConstantIndexOp(rewriter, loc, kSizes[2])};
  SmallVector<Value> ins = {scores};
  SmallVector<AffineMap> maps = {id4};
  Value bias = op.getBias(), kvLen = op.getKvLen();
  // A bias dimension of size 1 broadcasts. Static sizes become the map;
  // when any size is dynamic the bias is read with tensor.extract at
  // indices clamped to 0 where the size turns out to be 1.
  bool biasInMap = false;
  SmallVector<Value> biasIsOne;
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    biasInMap = biasType.hasStaticShape();
    if (biasInMap) {
      SmallVector<AffineExpr> exprs;
      for (int64_t d = 0; d < 4; ++d)
        exprs.push_back(biasType.getDimSize(d) == 1
                            ? rewriter.getAffineConstantExpr(0)
                            : rewriter.getAffineDimExpr(d));
      ins.push_back(bias);
      maps.push_back(dimsMap(ctx, 4, exprs));
    } else {
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      for (int64_t d = 0; d < 4; ++d)
        biasIsOne.push_back(arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq,
            tensor::DimOp::create(rewriter, loc, bias, d), one));
    }
  }
  if (kvLen) {
    ins.push_back(kvLen);
    maps.push_back(dimsMap(ctx, 4, {d0}));
  }
  maps.push_back(id4);
  FloatAttr softcapAttr = op.getSoftcapAttr();
  double negInf = -std::numeric_limits<double>::infinity();
  Value masked =
      buildGeneric(
          rewriter, loc, ins,
          emptyTensor(rewriter, loc, scoreSizes, elementType), maps, "pppp",
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value s = arith::MulFOp::create(b, l, args[0], scale);
            if (softcapAttr) {
              Value cap = floatConst(b, l, elementType,
                                     softcapAttr.getValueAsDouble());
              s = arith::MulFOp::create(
                  b, l, cap,
                  math::TanhOp::create(b, l,
                                       arith::DivFOp::create(b, l, s, cap)));
            }
            unsigned next = 1;
            if (biasInMap) {
              s = arith::AddFOp::create(b, l, s, args[next++]);
            } else if (bias) {
              Value zero = arith::ConstantIndexOp::create(b, l, 0);
              SmallVector<Value> at;
              for (int64_t d = 0; d < 4; ++d)
                at.push_back(arith::SelectOp::create(
                    b, l, biasIsOne[d], zero, linalg::IndexOp::create(b, l, d)));
              s = arith::AddFOp::create(
                  b, l, s, tensor::ExtractOp::create(b, l, bias, at));
            }
            Value length = mask.lk;
            if (kvLen) {
              Value len = args[next++];
              length = len.getType().isIndex()
                           ? len
                           : arith::IndexCastOp::create(b, l,
                                                        b.getIndexType(), len)
                                 .getResult();
            }
            Value i = linalg::IndexOp::create(b, l, 2);
            Value j = linalg::IndexOp::create(b, l, 3);
            Value visible = mask.build(b, l, length, i, j);
            return SmallVector<Value>{arith::SelectOp::create(
                b, l, visible, s, floatConst(b, l, elementType, negInf))};
          })
          .front();

  auto reduceRows = [&](Value input, double init, bool isMax) {
    return buildGeneric(
               rewriter, loc, input,
               filledTensor(rewriter, loc, rowSizes, elementType, init),
               {id4, rows4}, "pppr",
               [&](OpBuilder &b, Location l, ValueRange args) {
                 Value r = isMax ? arith::MaximumFOp::create(b, l, args[0],
                                                             args[1])
                                       .getResult()
                                 : arith::AddFOp::create(b, l, args[0], args[1])
                                       .getResult();
                 return SmallVector<Value>{r};
               })
        .front();
  };
  Value rowMax = reduceRows(masked, negInf, /*isMax=*/true);
  // m' = (m == -inf) ? 0 : m, so exp(s - m') of a fully masked row is 0.
  Value safeMax = mapElementwise(
      rewriter, loc, rowMax, elementType,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value isNegInf = arith::CmpFOp::create(
            b, l, arith::CmpFPredicate::OEQ, args[0],
            floatConst(b, l, elementType, negInf));
        return arith::SelectOp::create(b, l, isNegInf,
                                       floatConst(b, l, elementType, 0.0),
                                       args[0])
            .getResult();
      });
  Value probs =
      buildGeneric(rewriter, loc, ValueRange{masked, safeMax},
                   emptyTensor(rewriter, loc, scoreSizes, elementType),
                   {id4, rows4, id4}, "pppp",
                   [](OpBuilder &b, Location l, ValueRange args) {
                     return SmallVector<Value>{math::ExpOp::create(
                         b, l, arith::SubFOp::create(b, l, args[0], args[1]))};
                   })
          .front();
  Value rowSum = reduceRows(probs, 0.0, /*isMax=*/false);

  // out[b,h,i,e] = sum_j p[b,h,i,j] * v[b,h/G,j,e], then / l.
  Value weighted =
      buildGeneric(rewriter, loc, ValueRange{probs, v},
                   filledTensor(rewriter, loc, outSizes, elementType, 0.0),
                   {dimsMap(ctx, 5, {d0, d1, d2, d4}),
                    dimsMap(ctx, 5, {d0, d1.floorDiv(group), d4, d3}),
                    dimsMap(ctx, 5, {d0, d1, d2, d3})},
                   "ppppr",
                   multiplyAccumulate)
          .front();
  Value output =
      buildGeneric(rewriter, loc, ValueRange{weighted, rowSum},
                   emptyTensor(rewriter, loc, outSizes, elementType),
                   {id4, rows4, id4}, "pppp",
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     Value empty = arith::CmpFOp::create(
                         b, l, arith::CmpFPredicate::OEQ, args[1],
                         floatConst(b, l, elementType, 0.0));
                     Value ratio = arith::DivFOp::create(b, l, args[0], args[1]);
                     return SmallVector<Value>{arith::SelectOp::create(
                         b, l, empty, floatConst(b, l, elementType, 0.0),
                         ratio)};
                   })
          .front();

  SmallVector<Value> results = {
      castTo(rewriter, loc, output, op.getOutput().getType())};
  if (Value lse = op.getLse()) {
    Type lseElementType = cast<RankedTensorType>(lse.getType()).getElementType();
    Value lseValue =
        buildGeneric(
            rewriter, loc, ValueRange{rowMax, rowSum},
            emptyTensor(rewriter, loc, rowSizes, lseElementType),
            {id3, id3, id3}, "ppp",
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value r = arith::AddFOp::create(
                  b, l, args[0], math::LogOp::create(b, l, args[1]));
              Value empty = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OEQ, args[1],
                  floatConst(b, l, elementType, 0.0));
              r = arith::SelectOp::create(
                  b, l, empty, floatConst(b, l, elementType, negInf), r);
              if (lseElementType.getIntOrFloatBitWidth() >
                  elementType.getIntOrFloatBitWidth())
                r = arith::ExtFOp::create(b, l, lseElementType, r);
              else if (lseElementType != elementType)
                r = arith::TruncFOp::create(b, l, lseElementType, r);
              return SmallVector<Value>{r};
            })
            .front();
    results.push_back(castTo(rewriter, loc, lseValue, lse.getType()));
  }
  rewriter.replaceOp(op, results);
  return success();
}
