//===- LinearAttentionToLinalg.cpp - reference lowering of seq.linear_attention -===//
//
// The recurrent form: an scf.for over the sequence carrying the state
// S [B, H, Dk, Dv'] and the output, one linalg.generic per formula:
//
//   S   = exp(decay_t) (.) S                      (per head / step / key)
//   S   = S + k_t^T v_t                           (plain)
//   S   = S + k_t^T (beta_t (v_t - k_t S))        (delta rule)
//   o_t = scale * q_t S
//
// With `normalize`, v is extended by a column of ones (Dv' = Dv + 1), so the
// last state column is the normalizer n and o = o[:Dv] / max(|o[Dv]|, 1).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "seqc/Conversion/SeqToLinalg/SeqToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::seq;

LogicalResult mlir::seq::lowerLinearAttentionToLinalg(RewriterBase &rewriter,
                                                      LinearAttentionOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Value q = op.getQ(), k = op.getK(), v = op.getV();
  auto qType = cast<RankedTensorType>(q.getType());
  Type elementType = qType.getElementType();
  bool normalize = op.getNormalize();
  auto index = [&](int64_t i) { return rewriter.getIndexAttr(i); };

  // Every size may be dynamic; static ones stay static in the types.
  SmallVector<OpFoldResult> qSizes = sizesOf(rewriter, loc, q);
  SmallVector<OpFoldResult> vSizes = sizesOf(rewriter, loc, v);
  OpFoldResult batch = qSizes[0], heads = qSizes[1], dk = qSizes[3],
               dv = vSizes[3];
  OpFoldResult dvState = dv;
  if (normalize)
    dvState = addIndex(rewriter, loc, dv, 1);
  int64_t headsStatic = qType.getDimSize(1), dkStatic = qType.getDimSize(3);
  int64_t dvStatic = cast<RankedTensorType>(v.getType()).getDimSize(3);
  int64_t dvStateStatic = ShapedType::isDynamic(dvStatic) || !normalize
                              ? dvStatic
                              : dvStatic + 1;
  Value scale = op.getScaleAttr()
                    ? floatConst(rewriter, loc, elementType,
                                 op.getScaleAttr().getValueAsDouble())
                    : inverseSqrt(rewriter, loc, dk, elementType);

  // v' = [v | 1] with the normalizer.
  if (normalize) {
    Value extended = filledTensor(rewriter, loc,
                                  {batch, heads, qSizes[2], dvState},
                                  elementType, 1.0);
    v = tensor::InsertSliceOp::create(
        rewriter, loc, v, extended, SmallVector<OpFoldResult>(4, index(0)),
        vSizes, SmallVector<OpFoldResult>(4, index(1)));
  }

  auto stateType = RankedTensorType::get(
      {ShapedType::kDynamic, headsStatic, dkStatic, dvStateStatic},
      elementType);
  Value s0 = op.getInitialState()
                 ? op.getInitialState()
                 : filledTensor(rewriter, loc, {batch, heads, dk, dvState},
                                elementType, 0.0);
  s0 = castTo(rewriter, loc, s0, stateType);
  Value out0 = castTo(
      rewriter, loc,
      emptyTensor(rewriter, loc, {batch, heads, qSizes[2], dv}, elementType),
      RankedTensorType::get({ShapedType::kDynamic, headsStatic,
                             ShapedType::kDynamic, dvStatic},
                            elementType));

  AffineExpr b = rewriter.getAffineDimExpr(0), h = rewriter.getAffineDimExpr(1),
             kk = rewriter.getAffineDimExpr(2), e = rewriter.getAffineDimExpr(3);
  AffineMap bhke = dimsMap(ctx, 4, {b, h, kk, e}), bhk = dimsMap(ctx, 4, {b, h, kk}),
            bhe = dimsMap(ctx, 4, {b, h, e}), bh4 = dimsMap(ctx, 4, {b, h});
  // The same maps with the key dimension reduced, loops (b, h, e, k).
  AffineExpr rk = rewriter.getAffineDimExpr(3), re = rewriter.getAffineDimExpr(2);
  AffineMap rBhk = dimsMap(ctx, 4, {b, h, rk}), rBhke = dimsMap(ctx, 4, {b, h, rk, re}),
            rBhe = dimsMap(ctx, 4, {b, h, re});

  Value decay = op.getDecay(), beta = op.getBeta();
  int64_t decayRank =
      decay ? cast<RankedTensorType>(decay.getType()).getRank() : 0;
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value length = tensor::DimOp::create(rewriter, loc, q, 2);

  auto mulAdd = [](OpBuilder &nb, Location nl, Value a, Value c, Value acc) {
    return arith::AddFOp::create(nb, nl, acc,
                                 arith::MulFOp::create(nb, nl, a, c))
        .getResult();
  };

  auto loop = scf::ForOp::create(
      rewriter, loc, zero, length, one, ValueRange{s0, out0},
      [&](OpBuilder &bld, Location l, Value t, ValueRange carried) {
        Value state = carried[0], out = carried[1];
        Value qT = extractStep(bld, l, q, 2, t);
        Value kT = extractStep(bld, l, k, 2, t);
        Value vT = extractStep(bld, l, v, 2, t);
        SmallVector<OpFoldResult> stateSizes = sizesOf(bld, l, state);
        SmallVector<OpFoldResult> rowSizes = {stateSizes[0], stateSizes[1],
                                              stateSizes[3]};

        if (decay) {
          Value gate = decay;
          AffineMap gateMap = dimsMap(ctx, 4, {h});
          if (decayRank == 3) {
            gate = extractStep(bld, l, decay, 2, t);
            gateMap = bh4;
          } else if (decayRank == 4) {
            gate = extractStep(bld, l, decay, 2, t);
            gateMap = bhk;
          }
          state = buildGeneric(
                      bld, l, ValueRange{state, gate},
                      emptyTensor(bld, l, stateSizes, elementType),
                      {bhke, gateMap, bhke}, "pppp",
                      [](OpBuilder &nb, Location nl, ValueRange args) {
                        return SmallVector<Value>{arith::MulFOp::create(
                            nb, nl, args[0],
                            math::ExpOp::create(nb, nl, args[1]))};
                      })
                      .front();
        }

        // The value written into the state: v, or beta (v - k S).
        Value update = vT;
        if (beta) {
          Value kS = buildGeneric(
                         bld, l, ValueRange{kT, state},
                         filledTensor(bld, l, rowSizes, elementType, 0.0),
                         {rBhk, rBhke, rBhe}, "pppr", multiplyAccumulate)
                         .front();
          Value betaT = extractStep(bld, l, beta, 2, t);
          update = buildGeneric(
                       bld, l, ValueRange{vT, kS, betaT},
                       emptyTensor(bld, l, rowSizes, elementType),
                       {dimsMap(ctx, 3, {b, h, kk}), dimsMap(ctx, 3, {b, h, kk}),
                        dimsMap(ctx, 3, {b, h}), dimsMap(ctx, 3, {b, h, kk})},
                       "ppp",
                       [](OpBuilder &nb, Location nl, ValueRange args) {
                         Value diff =
                             arith::SubFOp::create(nb, nl, args[0], args[1]);
                         return SmallVector<Value>{
                             arith::MulFOp::create(nb, nl, args[2], diff)};
                       })
                       .front();
        }
        state = buildGeneric(bld, l, ValueRange{state, kT, update},
                             emptyTensor(bld, l, stateSizes, elementType),
                             {bhke, bhk, bhe, bhke}, "pppp",
                             [&](OpBuilder &nb, Location nl, ValueRange args) {
                               return SmallVector<Value>{
                                   mulAdd(nb, nl, args[1], args[2], args[0])};
                             })
                    .front();

        // o = scale * q S, over the Dv' columns.
        Value o = buildGeneric(
                      bld, l, ValueRange{qT, state},
                      filledTensor(bld, l, rowSizes, elementType, 0.0),
                      {rBhk, rBhke, rBhe}, "pppr",
                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                        Value scaled =
                            arith::MulFOp::create(nb, nl, args[0], scale);
                        return SmallVector<Value>{
                            mulAdd(nb, nl, scaled, args[1], args[2])};
                      })
                      .front();
        if (normalize) {
          // o[:, :, :Dv] / max(|o[:, :, Dv]|, 1); the slices come first so
          // that the loop extents are Dv, not Dv + 1.
          SmallVector<OpFoldResult> zeros(3, index(0)), ones(3, index(1));
          Value numerator = tensor::ExtractSliceOp::create(
              bld, l, o, zeros, {rowSizes[0], rowSizes[1], dv}, ones);
          Value normalizer = extractStep(
              bld, l, o, 2, getValueOrCreateConstantIndexOp(bld, l, dv));
          o = buildGeneric(
                  bld, l, ValueRange{numerator, normalizer},
                  emptyTensor(bld, l, {rowSizes[0], rowSizes[1], dv},
                              elementType),
                  {dimsMap(ctx, 3, {b, h, kk}), dimsMap(ctx, 3, {b, h}),
                   dimsMap(ctx, 3, {b, h, kk})},
                  "ppp",
                  [&](OpBuilder &nb, Location nl, ValueRange args) {
                    Value denom = arith::MaximumFOp::create(
                        nb, nl, math::AbsFOp::create(nb, nl, args[1]),
                        floatConst(nb, nl, elementType, 1.0));
                    return SmallVector<Value>{
                        arith::DivFOp::create(nb, nl, args[0], denom)};
                  })
                  .front();
        }
        scf::YieldOp::create(
            bld, l, ValueRange{state, insertStep(bld, l, o, out, 2, t)});
      });

  rewriter.replaceOp(op, {castTo(rewriter, loc, loop.getResult(1),
                                 op.getOutput().getType()),
                          castTo(rewriter, loc, loop.getResult(0),
                                 op.getFinalState().getType())});
  return success();
}
