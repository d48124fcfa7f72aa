//===- SelectiveScanToLinalg.cpp - reference lowering of seq.selective_scan -===//
//
// The recurrent form, one time step per iteration of an scf.for that carries
// the state h [B, Dm, N] and the output y [B, L, Dm]:
//
//   dt  = softplus(delta_t + delta_bias)                      [B, Dm]
//   h   = exp(dt * A) * h + dt * B_t[group(d)] * u_t          [B, Dm, N]
//   y_t = (sum_n C_t[group(d), n] * h[n] + D * u_t) * silu(z_t)
//
// Each line is one linalg.generic; group(d) = d floordiv (Dm / G) is an
// affine map when Dm and G are static, and a gather otherwise.
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

LogicalResult mlir::seq::lowerSelectiveScanToLinalg(RewriterBase &rewriter,
                                                    SelectiveScanOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  auto aType = cast<RankedTensorType>(op.getA().getType());
  Type elementType = aType.getElementType();
  int64_t channels = aType.getDimSize(0), state = aType.getDimSize(1);
  int64_t groups = cast<RankedTensorType>(op.getB().getType()).getDimSize(2);
  // Channel d reads group d / (Dm / G): an affine map when the sizes are
  // static, else B_t and C_t are gathered to [B, Dm, N] at each step.
  bool staticGroups =
      !ShapedType::isDynamic(channels) && !ShapedType::isDynamic(groups);
  int64_t perGroup = staticGroups ? channels / groups : 1;

  Value u = op.getU();
  SmallVector<OpFoldResult> uSizes = sizesOf(rewriter, loc, u);
  SmallVector<OpFoldResult> aSizes = sizesOf(rewriter, loc, op.getA());
  OpFoldResult batch = uSizes[0];
  SmallVector<OpFoldResult> stateSizes = {batch, aSizes[0], aSizes[1]};
  // The loop carries types with only what is dynamic left dynamic.
  auto stateType = RankedTensorType::get(
      {ShapedType::kDynamic, channels, state}, elementType);
  Value h0 = op.getInitialState()
                 ? op.getInitialState()
                 : filledTensor(rewriter, loc, stateSizes, elementType, 0.0);
  h0 = castTo(rewriter, loc, h0, stateType);
  Value y0 = emptyTensor(rewriter, loc, uSizes, elementType);
  y0 = castTo(rewriter, loc, y0,
              RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic,
                                     channels},
                                    elementType));

  AffineExpr b = rewriter.getAffineDimExpr(0), d = rewriter.getAffineDimExpr(1),
             n = rewriter.getAffineDimExpr(2);
  AffineMap bdn = dimsMap(ctx, 3, {b, d, n}), bd3 = dimsMap(ctx, 3, {b, d}),
            dn = dimsMap(ctx, 3, {d, n}),
            bgn = staticGroups ? dimsMap(ctx, 3, {b, d.floorDiv(perGroup), n})
                               : bdn;
  AffineMap bd = dimsMap(ctx, 2, {b, d}), d2 = dimsMap(ctx, 2, {d});
  // B_t or C_t [B, G, N] -> [B, Dm, N] for dynamic group arithmetic.
  auto perChannel = [&](OpBuilder &bld, Location l, Value grouped) -> Value {
    if (staticGroups)
      return grouped;
    SmallVector<OpFoldResult> sizes = sizesOf(bld, l, grouped);
    Value perGroupValue = arith::DivUIOp::create(
        bld, l, getValueOrCreateConstantIndexOp(bld, l, aSizes[0]),
        getValueOrCreateConstantIndexOp(bld, l, sizes[1]));
    return buildGeneric(
               bld, l, ValueRange{},
               emptyTensor(bld, l, {sizes[0], aSizes[0], sizes[2]},
                           elementType),
               {bdn}, "ppp",
               [&](OpBuilder &nb, Location nl, ValueRange) {
                 Value bi = linalg::IndexOp::create(nb, nl, 0);
                 Value di = linalg::IndexOp::create(nb, nl, 1);
                 Value ni = linalg::IndexOp::create(nb, nl, 2);
                 Value gi = arith::DivUIOp::create(nb, nl, di, perGroupValue);
                 return SmallVector<Value>{tensor::ExtractOp::create(
                     nb, nl, grouped, ValueRange{bi, gi, ni})};
               })
        .front();
  };

  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value length = tensor::DimOp::create(rewriter, loc, u, 1);
  bool softplusDelta = op.getDeltaSoftplus();
  Value deltaBias = op.getDeltaBias(), dSkip = op.getD(), z = op.getZ();

  auto loop = scf::ForOp::create(
      rewriter, loc, zero, length, one, ValueRange{h0, y0},
      [&](OpBuilder &bld, Location l, Value t, ValueRange carried) {
        Value h = carried[0], y = carried[1];
        Value uT = extractStep(bld, l, u, 1, t);
        Value deltaT = extractStep(bld, l, op.getDelta(), 1, t);
        Value bT = perChannel(bld, l, extractStep(bld, l, op.getB(), 1, t));
        Value cT = perChannel(bld, l, extractStep(bld, l, op.getC(), 1, t));
        SmallVector<OpFoldResult> bdSizes = sizesOf(bld, l, uT);

        // dt = softplus(delta + bias)
        SmallVector<Value> dtIns = {deltaT};
        SmallVector<AffineMap> dtMaps = {bd};
        if (deltaBias) {
          dtIns.push_back(deltaBias);
          dtMaps.push_back(d2);
        }
        dtMaps.push_back(bd);
        Value dt =
            buildGeneric(bld, l, dtIns,
                         emptyTensor(bld, l, bdSizes, elementType), dtMaps,
                         "pp",
                         [&](OpBuilder &nb, Location nl, ValueRange args) {
                           Value v = args[0];
                           if (deltaBias)
                             v = arith::AddFOp::create(nb, nl, v, args[1]);
                           if (softplusDelta)
                             v = softplus(nb, nl, v);
                           return SmallVector<Value>{v};
                         })
                .front();

        // h = exp(dt * A) * h + dt * B * u
        Value hNext =
            buildGeneric(
                bld, l, ValueRange{h, dt, op.getA(), bT, uT},
                emptyTensor(bld, l, sizesOf(bld, l, h), elementType),
                {bdn, bd3, dn, bgn, bd3, bdn}, "ppp",
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  Value decay = math::ExpOp::create(
                      nb, nl, arith::MulFOp::create(nb, nl, args[1], args[2]));
                  Value kept = arith::MulFOp::create(nb, nl, decay, args[0]);
                  Value input = arith::MulFOp::create(
                      nb, nl, arith::MulFOp::create(nb, nl, args[1], args[3]),
                      args[4]);
                  return SmallVector<Value>{
                      arith::AddFOp::create(nb, nl, kept, input)};
                })
                .front();

        // y_t = sum_n C * h
        Value yT =
            buildGeneric(bld, l, ValueRange{hNext, cT},
                         filledTensor(bld, l, bdSizes, elementType, 0.0),
                         {bdn, bgn, bd3}, "ppr", multiplyAccumulate)
                .front();

        // y_t = (y_t + D * u) * silu(z)
        if (dSkip || z) {
          SmallVector<Value> ins = {yT, uT};
          SmallVector<AffineMap> maps = {bd, bd};
          if (dSkip) {
            ins.push_back(dSkip);
            maps.push_back(d2);
          }
          if (z) {
            ins.push_back(extractStep(bld, l, z, 1, t));
            maps.push_back(bd);
          }
          maps.push_back(bd);
          yT = buildGeneric(
                   bld, l, ins, emptyTensor(bld, l, bdSizes, elementType), maps,
                   "pp",
                   [&](OpBuilder &nb, Location nl, ValueRange args) {
                     Value v = args[0];
                     unsigned next = 2;
                     if (dSkip)
                       v = arith::AddFOp::create(
                           nb, nl, v,
                           arith::MulFOp::create(nb, nl, args[next++], args[1]));
                     if (z)
                       v = arith::MulFOp::create(nb, nl, v,
                                                 silu(nb, nl, args[next]));
                     return SmallVector<Value>{v};
                   })
                   .front();
        }
        Value yNext = insertStep(bld, l, yT, y, 1, t);
        scf::YieldOp::create(bld, l, ValueRange{hNext, yNext});
      });

  rewriter.replaceOp(
      op, {castTo(rewriter, loc, loop.getResult(1), op.getY().getType()),
           castTo(rewriter, loc, loop.getResult(0),
                  op.getLastState().getType())});
  return success();
}
