//===- Conv1DToLinalg.cpp - reference lowering of seq.conv1d -------------===//
//
// The causal padding is materialized: the input is written after the carried
// state (or zeros) in a [B, P + L, Cin] tensor, P = (K - 1) * dilation, and
// one linalg.generic reduces over input channels of the group and taps:
//
//   y[b,t,o] = bias[o] + sum_{c,j} xs[b, t + j*dil, g(o)*Cg + c] * w[o,c,j]
//
// followed by the activation. The final state is the last P rows of xs.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "seqc/Conversion/SeqToLinalg/SeqToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::seq;

LogicalResult mlir::seq::lowerConv1DToLinalg(RewriterBase &rewriter,
                                             Conv1DOp op) {
  if (failed(requireStaticDims(op, op.getX().getType(), "x", {2})) ||
      failed(requireStaticDims(op, op.getWeight().getType(), "weight",
                               {0, 1, 2})))
    return failure();

  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Value x = op.getX(), w = op.getWeight();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  Type elementType = xType.getElementType();
  int64_t cin = xType.getDimSize(2);
  int64_t cout = wType.getDimSize(0), perGroup = wType.getDimSize(1);
  int64_t kernel = wType.getDimSize(2);
  int64_t dilation = op.getDilationAttr().getInt();
  int64_t pad = (kernel - 1) * dilation;
  int64_t groups = cin / perGroup;
  int64_t outPerGroup = cout / groups;

  // xs = [state | x] along the sequence.
  SmallVector<OpFoldResult> xSizes = sizesOf(rewriter, loc, x);
  OpFoldResult batch = xSizes[0], length = xSizes[1];
  Value lengthValue = getValueOrCreateConstantIndexOp(rewriter, loc, length);
  Value paddedLength = arith::AddIOp::create(
      rewriter, loc, lengthValue,
      arith::ConstantIndexOp::create(rewriter, loc, pad));
  SmallVector<OpFoldResult> xsSizes = {batch, paddedLength,
                                       rewriter.getIndexAttr(cin)};
  Value xs = filledTensor(rewriter, loc, xsSizes, elementType, 0.0);
  SmallVector<OpFoldResult> ones(3, rewriter.getIndexAttr(1));
  if (Value state = op.getState())
    xs = tensor::InsertSliceOp::create(
        rewriter, loc, state, xs,
        SmallVector<OpFoldResult>(3, rewriter.getIndexAttr(0)),
        sizesOf(rewriter, loc, state), ones);
  xs = tensor::InsertSliceOp::create(
      rewriter, loc, x, xs,
      {rewriter.getIndexAttr(0), rewriter.getIndexAttr(pad),
       rewriter.getIndexAttr(0)},
      xSizes, ones);

  // y starts as the broadcast bias (or zeros).
  SmallVector<OpFoldResult> ySizes = {batch, length,
                                      rewriter.getIndexAttr(cout)};
  Value y = filledTensor(rewriter, loc, ySizes, elementType, 0.0);
  if (Value bias = op.getBias()) {
    AffineExpr d2 = rewriter.getAffineDimExpr(2);
    y = buildGeneric(
            rewriter, loc, bias, y,
            {dimsMap(ctx, 3, {d2}), rewriter.getMultiDimIdentityMap(3)},
            "ppp",
            [](OpBuilder &, Location, ValueRange args) {
              return SmallVector<Value>{args[0]};
            })
            .front();
  }

  // Loop dims (b, t, o, c, j).
  AffineExpr b = rewriter.getAffineDimExpr(0), t = rewriter.getAffineDimExpr(1),
             o = rewriter.getAffineDimExpr(2), c = rewriter.getAffineDimExpr(3),
             j = rewriter.getAffineDimExpr(4);
  AffineMap xsMap = dimsMap(
      ctx, 5, {b, t + j * dilation, o.floorDiv(outPerGroup) * perGroup + c});
  AffineMap wMap = dimsMap(ctx, 5, {o, c, j});
  AffineMap yMap = dimsMap(ctx, 5, {b, t, o});
  y = buildGeneric(rewriter, loc, {xs, w}, y, {xsMap, wMap, yMap}, "ppprr",
                   multiplyAccumulate)
          .front();

  Activation act = op.getActivation();
  if (act != Activation::none)
    y = mapElementwise(rewriter, loc, y, elementType,
                       [&](OpBuilder &nb, Location nl, ValueRange args) {
                         return applyActivation(nb, nl, args[0], act);
                       });
  SmallVector<Value> results = {castTo(rewriter, loc, y, op.getY().getType())};
  if (Value finalState = op.getFinalState()) {
    Value last = tensor::ExtractSliceOp::create(
        rewriter, loc, xs,
        {rewriter.getIndexAttr(0), length, rewriter.getIndexAttr(0)},
        {batch, rewriter.getIndexAttr(pad), rewriter.getIndexAttr(cin)},
        ones);
    results.push_back(castTo(rewriter, loc, last, finalState.getType()));
  }
  rewriter.replaceOp(op, results);
  return success();
}
