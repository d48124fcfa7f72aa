//===- HadamardToLinalg.cpp - reference lowering of seq.hadamard ----------===//
//
// The fast Walsh-Hadamard transform: log2(B) butterfly stages, stage h
// (h = 1, 2, ..., B/2) replacing each pair (x[i], x[i + h]) of a run of 2h
// by (x[i] + x[i + h], x[i] - x[i + h]). Each stage is one linalg.generic on
// the last dimension viewed as [K / 2h, 2, h], reading the two halves
// through constant indexing maps; the last stage also scales by 1/sqrt(B).
// Runs of 2h <= B never cross a block, so the stages up to B/2 give the
// block-diagonal rotation without slicing.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "seqc/Conversion/SeqToLinalg/SeqToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seq;

LogicalResult mlir::seq::lowerHadamardToLinalg(RewriterBase &rewriter,
                                               HadamardOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Value x = op.getInput();
  auto type = cast<RankedTensorType>(x.getType());
  Type f32 = type.getElementType();
  int64_t rank = type.getRank(), size = type.getShape().back(),
          block = op.getBlock();
  SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, x);

  // Dimensions of a stage: the leading ones, then pair run j, half s, k.
  SmallVector<AffineExpr> lead;
  for (int64_t d = 0; d + 1 < rank; ++d)
    lead.push_back(getAffineDimExpr(d, ctx));
  AffineExpr j = getAffineDimExpr(rank - 1, ctx),
             k = getAffineDimExpr(rank + 1, ctx);
  auto half = [&](int64_t s) {
    SmallVector<AffineExpr> results(lead);
    results.append({j, getAffineConstantExpr(s, ctx), k});
    return dimsMap(ctx, rank + 2, results);
  };
  SmallVector<AffineMap> maps = {
      half(0), half(1), AffineMap::getMultiDimIdentityMap(rank + 2, ctx)};
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d + 1 < rank; ++d)
    reassociation.push_back({d});
  reassociation.push_back({rank - 1, rank, rank + 1});

  Value value = x;
  for (int64_t h = 1; h < block; h *= 2) {
    SmallVector<int64_t> shape(type.getShape().drop_back());
    shape.append({size / (2 * h), 2, h});
    SmallVector<OpFoldResult> stageSizes(sizes.begin(), sizes.end() - 1);
    for (int64_t s : {size / (2 * h), int64_t(2), h})
      stageSizes.push_back(rewriter.getIndexAttr(s));
    auto stageType = RankedTensorType::get(shape, f32);
    Value pairs = tensor::ExpandShapeOp::create(rewriter, loc, stageType, value,
                                                reassociation, stageSizes);
    bool last = 2 * h == block;
    double norm = 1.0 / std::sqrt(double(block));
    Value stage = buildGeneric(
        rewriter, loc, {pairs, pairs},
        {emptyTensor(rewriter, loc, stageSizes, f32)}, maps,
        std::string(rank + 2, 'p'),
        [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
          Value second = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, linalg::IndexOp::create(b, loc, rank),
              arith::ConstantIndexOp::create(b, loc, 1));
          Value y = arith::SelectOp::create(
              b, loc, second, arith::SubFOp::create(b, loc, args[0], args[1]),
              arith::AddFOp::create(b, loc, args[0], args[1]));
          if (last)
            y = arith::MulFOp::create(b, loc, y, floatConst(b, loc, f32, norm));
          return {y};
        })[0];
    value = tensor::CollapseShapeOp::create(rewriter, loc, stage, reassociation);
  }
  rewriter.replaceOp(op, castTo(rewriter, loc, value, type));
  return success();
}
