//===- RecurrenceToLinalg.cpp - reference lowering of seq.recurrence -----===//
//
// Both forms become an scf.for over the sequence (backwards with `reverse`)
// that carries the states and the stacked outputs.
//
// Cell region: the region is inlined into the loop body, its arguments
// bound to the carried states and to the current step of every input; the
// yielded outputs are inserted at the current step.
//
// Named cells: per step, with Hs = NH * Dh,
//   gx[b, g, u] = b_in[g*Hs + u] + sum_i x_t[b, i] * w_in[g*Hs + u, i]
//   gh[b, g, u] = sum_dj h[b, hd*Dh + dj] * w_rec[g, hd, di, dj]
//                 (hd = u / Dh, di = u % Dh: block-diagonal over heads)
// and one elementwise linalg.generic over (b, u) applies the cell to the
// gate pre-activations gx[b, g, u] and gh[b, g, u] (+ b_rec[g*Hs + u]).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "seqc/Conversion/SeqToLinalg/SeqToLinalg.h"
#include "seqc/Dialect/Seq/IR/CellMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::seq;


/// The step index: `iv`, or `length - 1 - iv` when running backwards.
static Value stepIndex(OpBuilder &b, Location l, Value iv, Value length,
                       bool reverse) {
  if (!reverse)
    return iv;
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  return arith::SubIOp::create(b, l, arith::SubIOp::create(b, l, length, one),
                               iv);
}

static LogicalResult lowerNamedCell(RewriterBase &rewriter, RecurrenceOp op,
                                    CellKind kind) {
  if (failed(requireStaticDims(op, op.getWRec().getType(), "w_rec",
                               {0, 1, 2, 3})))
    return failure();
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Value x = op.getInputs().front();
  auto wRecType = cast<RankedTensorType>(op.getWRec().getType());
  Type elementType = wRecType.getElementType();
  int64_t gates = wRecType.getDimSize(0), heads = wRecType.getDimSize(1),
          headDim = wRecType.getDimSize(2);
  int64_t hidden = heads * headDim;
  int64_t numStates = RecurrenceOp::getNumStates(kind);
  auto index = [&](int64_t i) { return rewriter.getIndexAttr(i); };

  SmallVector<OpFoldResult> xSizes = sizesOf(rewriter, loc, x);
  auto stateType =
      RankedTensorType::get({ShapedType::kDynamic, hidden}, elementType);
  SmallVector<Value> init;
  for (int64_t s = 0; s < numStates; ++s) {
    Value v = op.getInit().empty()
                  ? filledTensor(rewriter, loc, {xSizes[0], index(hidden)},
                                 elementType, 0.0)
                  : op.getInit()[s];
    init.push_back(castTo(rewriter, loc, v, stateType));
  }
  Value y0 = castTo(
      rewriter, loc,
      emptyTensor(rewriter, loc, {xSizes[0], xSizes[1], index(hidden)},
                  elementType),
      RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic, hidden},
                            elementType));
  SmallVector<Value> iterArgs(init);
  iterArgs.push_back(y0);

  AffineExpr d0 = rewriter.getAffineDimExpr(0), d1 = rewriter.getAffineDimExpr(1),
             d2 = rewriter.getAffineDimExpr(2), d3 = rewriter.getAffineDimExpr(3);
  Value bIn = op.getBIn(), bRec = op.getBRec(), wIn = op.getWIn(),
        wRec = op.getWRec();
  // b_rec as [nG, Hs]: gate g of unit u is then a plain (g, u) access.
  Value bRecByGate;
  if (bRec)
    bRecByGate = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({gates, hidden}, elementType),
        castTo(rewriter, loc, bRec,
               RankedTensorType::get({gates * hidden}, elementType)),
        SmallVector<ReassociationIndices>{{0, 1}});
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value length = tensor::DimOp::create(rewriter, loc, x, 1);
  bool reverse = op.getReverse();

  auto loop = scf::ForOp::create(
      rewriter, loc, zero, length, one, iterArgs,
      [&](OpBuilder &b, Location l, Value iv, ValueRange carried) {
        ValueRange states = carried.take_front(numStates);
        Value y = carried.back(), h = states.front();
        Value t = stepIndex(b, l, iv, length, reverse);
        Value xT = extractStep(b, l, x, 1, t);
        OpFoldResult batch = sizesOf(b, l, xT)[0];

        // Every generic below has an operand whose map names each loop
        // dimension directly with the right extent: linalg takes loop
        // ranges from the first such operand.
        SmallVector<OpFoldResult> gateSizes = {batch, index(gates),
                                               index(hidden)};
        // gx[b, g, u] = b_in[g*Hs + u] + sum_i x_t[b, i] * w_in[g*Hs + u, i]
        Value gxInit = filledTensor(b, l, gateSizes, elementType, 0.0);
        if (bIn)
          gxInit = buildGeneric(b, l, bIn, gxInit,
                                {dimsMap(ctx, 3, {d1 * hidden + d2}),
                                 b.getMultiDimIdentityMap(3)},
                                "ppp",
                                [](OpBuilder &, Location, ValueRange args) {
                                  return SmallVector<Value>{args[0]};
                                })
                       .front();
        Value gx =
            buildGeneric(b, l, ValueRange{xT, wIn}, gxInit,
                         {dimsMap(ctx, 4, {d0, d3}),
                          dimsMap(ctx, 4, {d1 * hidden + d2, d3}),
                          dimsMap(ctx, 4, {d0, d1, d2})},
                         "pppr",
                         multiplyAccumulate)
                .front();

        // gh[b, g, u] = sum_dj h[b, (u/Dh)*Dh + dj] * w_rec[g, u/Dh, u%Dh, dj]
        Value gh =
            buildGeneric(
                b, l, ValueRange{h, wRec},
                filledTensor(b, l, gateSizes, elementType, 0.0),
                {dimsMap(ctx, 4, {d0, d2.floorDiv(headDim) * headDim + d3}),
                 dimsMap(ctx, 4, {d1, d2.floorDiv(headDim), d2 % headDim, d3}),
                 dimsMap(ctx, 4, {d0, d1, d2})},
                "pppr",
                multiplyAccumulate)
                .front();

        // The cell, elementwise over (b, u).
        AffineExpr bb = b.getAffineDimExpr(0), u = b.getAffineDimExpr(1);
        SmallVector<Value> ins;
        SmallVector<AffineMap> maps;
        for (Value gateValues : {gx, gh})
          for (int64_t g = 0; g < gates; ++g) {
            ins.push_back(gateValues);
            maps.push_back(
                dimsMap(ctx, 2, {bb, b.getAffineConstantExpr(g), u}));
          }
        if (bRec)
          for (int64_t g = 0; g < gates; ++g) {
            ins.push_back(bRecByGate);
            maps.push_back(
                dimsMap(ctx, 2, {b.getAffineConstantExpr(g), u}));
          }
        for (Value s : states) {
          ins.push_back(s);
          maps.push_back(b.getMultiDimIdentityMap(2));
        }
        SmallVector<Value> outs;
        for (int64_t s = 0; s < numStates; ++s) {
          outs.push_back(
              emptyTensor(b, l, {batch, index(hidden)}, elementType));
          maps.push_back(b.getMultiDimIdentityMap(2));
        }
        ValueRange next = buildGeneric(
            b, l, ins, outs, maps, "pp",
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              SmallVector<Value> gxArgs(args.take_front(gates));
              SmallVector<Value> ghArgs(args.slice(gates, gates));
              unsigned next = 2 * gates;
              if (bRec)
                for (int64_t g = 0; g < gates; ++g)
                  ghArgs[g] = arith::AddFOp::create(nb, nl, ghArgs[g],
                                                    args[next + g]);
              if (bRec)
                next += gates;
              SmallVector<Value> prev(args.slice(next, numStates));
              return applyCell(nb, nl, kind, gxArgs, ghArgs, prev);
            });
        SmallVector<Value> yielded;
        for (Value v : next)
          yielded.push_back(castTo(b, l, v, stateType));
        yielded.push_back(insertStep(b, l, yielded.front(), y, 1, t));
        scf::YieldOp::create(b, l, yielded);
      });

  SmallVector<Value> results;
  for (auto [value, result] : llvm::zip(loop.getResults(), op.getResults()))
    results.push_back(castTo(rewriter, loc, value, result.getType()));
  rewriter.replaceOp(op, results);
  return success();
}

static LogicalResult lowerCellRegion(RewriterBase &rewriter, RecurrenceOp op) {
  Location loc = op.getLoc();
  size_t numStates = op.getInit().size();
  Value first = op.getInputs().front();
  SmallVector<Value> outInit;
  for (auto [i, result] :
       llvm::enumerate(op.getResults().drop_front(numStates))) {
    auto type = cast<RankedTensorType>(result.getType());
    SmallVector<int64_t> featureDims;
    for (int64_t d = 2; d < type.getRank(); ++d)
      featureDims.push_back(d);
    if (failed(requireStaticDims(op, type, "step output", featureDims)))
      return failure();
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rewriter, loc, first, 0),
        tensor::getMixedSize(rewriter, loc, first, 1)};
    for (int64_t d = 2; d < type.getRank(); ++d)
      sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
    outInit.push_back(castTo(
        rewriter, loc, emptyTensor(rewriter, loc, sizes, type.getElementType()),
        type));
  }
  SmallVector<Value> iterArgs(op.getInit());
  llvm::append_range(iterArgs, outInit);

  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value length = tensor::DimOp::create(rewriter, loc, first, 1);
  Block &body = op.getBody().front();
  auto loop = scf::ForOp::create(
      rewriter, loc, zero, length, one, iterArgs,
      [&](OpBuilder &b, Location l, Value iv, ValueRange carried) {
        Value t = stepIndex(b, l, iv, length, op.getReverse());
        IRMapping mapping;
        for (size_t s = 0; s < numStates; ++s)
          mapping.map(body.getArgument(s), carried[s]);
        for (auto [i, input] : llvm::enumerate(op.getInputs()))
          mapping.map(body.getArgument(numStates + i),
                      extractStep(b, l, input, 1, t));
        for (Operation &inner : body.without_terminator())
          b.clone(inner, mapping);
        auto yield = cast<YieldOp>(body.getTerminator());
        SmallVector<Value> yielded;
        for (size_t s = 0; s < numStates; ++s)
          yielded.push_back(mapping.lookupOrDefault(yield.getValues()[s]));
        for (auto [i, value] :
             llvm::enumerate(yield.getValues().drop_front(numStates)))
          yielded.push_back(insertStep(b, l, mapping.lookupOrDefault(value),
                                       carried[numStates + i], 1, t));
        scf::YieldOp::create(b, l, yielded);
      });
  rewriter.replaceOp(op, loop.getResults());
  return success();
}

LogicalResult mlir::seq::lowerRecurrenceToLinalg(RewriterBase &rewriter,
                                                 RecurrenceOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  if (std::optional<CellKind> kind = op.getCell())
    return lowerNamedCell(rewriter, op, *kind);
  return lowerCellRegion(rewriter, op);
}
