//===- ScanToLinalg.cpp - reference lowering of seq.scan ------------------===//
//
// A sequential loop over the scanned dimension that carries the accumulators
// (tensors of the input shape without that dimension) and applies the
// combiner elementwise with one linalg.generic per step:
//
//   scf.for %i = 0 to %L iter_args(%acc..., %out...) {
//     %t   = reverse ? L - 1 - i : i
//     %x_t = tensor.extract_slice %x[.., %t, ..]
//     %new = i == 0 && !init ? %x_t : linalg.generic(%acc, %x_t) {combiner}
//     %out = tensor.insert_slice (exclusive ? %acc : %new) into %out[.., %t, ..]
//   }
//
// The combiner sees (accumulator, element) in the order of the sequence
// read, so a non-commutative combiner composes as the op defines.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "seqc/Conversion/SeqToLinalg/SeqToLinalg.h"
#include "seqc/Dialect/Seq/IR/ScanCombiner.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::seq;

/// Applies the combiner of `op` elementwise to `acc` and `elements`.
static SmallVector<Value> combine(OpBuilder &b, Location loc, ScanOp op,
                                  ValueRange acc, ValueRange elements) {
  auto type = cast<RankedTensorType>(acc.front().getType());
  SmallVector<Value> inits;
  for (Value a : acc)
    inits.push_back(emptyTensor(b, loc, sizesOf(b, loc, a),
                                cast<RankedTensorType>(a.getType())
                                    .getElementType()));
  SmallVector<Value> inputs(acc);
  llvm::append_range(inputs, elements);
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<AffineMap> maps(inputs.size() + inits.size(), id);
  ValueRange results = buildGeneric(
      b, loc, inputs, inits, maps, std::string(type.getRank(), 'p'),
      [&](OpBuilder &nb, Location, ValueRange args) {
        size_t n = acc.size();
        return applyScanCombiner(nb, op, args.take_front(n), args.slice(n, n));
      });
  return SmallVector<Value>(results);
}

LogicalResult mlir::seq::lowerScanToLinalg(RewriterBase &rewriter,
                                           ScanOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  int64_t dim = op.getDimAttr().getInt();
  size_t n = op.getInputs().size();
  Value first = op.getInputs().front();

  // Accumulators start as init, or as (never read) empty tensors when the
  // first step takes the first element instead.
  SmallVector<Value> accInit, outInit;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
    Type elementType = cast<RankedTensorType>(input.getType()).getElementType();
    outInit.push_back(emptyTensor(rewriter, loc, sizes, elementType));
    if (!op.getInits().empty()) {
      accInit.push_back(op.getInits()[i]);
      continue;
    }
    sizes.erase(sizes.begin() + dim);
    accInit.push_back(emptyTensor(rewriter, loc, sizes, elementType));
  }
  // Static accumulator types can differ from init types only in static
  // information; the loop carries the types the step computes.
  for (auto [i, acc] : llvm::enumerate(accInit))
    acc = castTo(rewriter, loc, acc,
                 dropDim(cast<RankedTensorType>(op.getInputs()[i].getType()),
                         dim));

  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value length = tensor::DimOp::create(rewriter, loc, first, dim);
  SmallVector<Value> iterArgs(accInit);
  llvm::append_range(iterArgs, outInit);
  bool hasInit = !op.getInits().empty();
  bool exclusive = op.getExclusive(), reverse = op.getReverse();

  auto loop = scf::ForOp::create(
      rewriter, loc, zero, length, one, iterArgs,
      [&](OpBuilder &b, Location l, Value iv, ValueRange carried) {
        ValueRange acc = carried.take_front(n), outs = carried.drop_front(n);
        Value t = iv;
        if (reverse)
          t = arith::SubIOp::create(
              b, l, arith::SubIOp::create(b, l, length, one), iv);
        SmallVector<Value> elements;
        for (Value input : op.getInputs())
          elements.push_back(extractStep(b, l, input, dim, t));

        SmallVector<Value> next;
        if (hasInit) {
          next = combine(b, l, op, acc, elements);
        } else {
          Value isFirst =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, iv, zero);
          auto branch = scf::IfOp::create(
              b, l, isFirst,
              [&](OpBuilder &tb, Location tl) {
                scf::YieldOp::create(tb, tl, elements);
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, combine(eb, el, op, acc, elements));
              });
          next = SmallVector<Value>(branch.getResults());
        }
        SmallVector<Value> yielded(next);
        for (size_t i = 0; i < n; ++i)
          yielded.push_back(insertStep(b, l, exclusive ? acc[i] : next[i],
                                       outs[i], dim, t));
        scf::YieldOp::create(b, l, yielded);
      });

  SmallVector<Value> results;
  for (auto [value, result] :
       llvm::zip(loop.getResults().drop_front(n), op.getResults()))
    results.push_back(castTo(rewriter, loc, value, result.getType()));
  rewriter.replaceOp(op, results);
  return success();
}
