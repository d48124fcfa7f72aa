//===- ParallelLinalg.cpp - -seq-parallel-linalg --------------------------===//
//
// What the fast lowerings leave as linalg ops (a model's norms, residual
// adds, gates, rotary embeddings, transposes, cache writes) becomes one
// thread's loops under convert-linalg-to-loops. In the prefill of a
// 128-token prompt through a 12-layer Llama they took about a tenth of the
// time on one core while the other waited in OpenMP. This pass splits each
// such op on buffers into an scf.parallel of tasks over its leading
// parallel loops (linalg's tiling by 1), keeping whole the inner loops that
// LLVM vectorizes. Only large ops are worth the threads: with dynamic sizes
// an scf.if keeps the op as it was below `min-elements` iterations (a
// decode step's 768-element add runs on the calling thread).
//
// A tiled loop must index every output, so that tasks write disjoint
// elements; ops inside an scf.parallel (a fast kernel's), and any linalg
// cannot tile, are left alone.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQPARALLELLINALG
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

namespace {
/// Tile sizes (1 for each leading loop split into tasks, 0 elsewhere) for
/// loops of static sizes `ranges` (dynamic ones kDynamic). A loop is split
/// while it is parallel, indexes every output, is not the innermost, and
/// leaves at least `minTaskElements` iterations (statically known) inside
/// each task.
SmallVector<int64_t> taskTileSizes(linalg::LinalgOp op,
                                   ArrayRef<int64_t> ranges,
                                   int64_t minTaskElements) {
  unsigned loops = op.getNumLoops();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> sizes(loops, 0);
  for (unsigned i = 0; i + 1 < loops; ++i) {
    if (iterators[i] != utils::IteratorType::parallel)
      break;
    bool indexesOutputs =
        llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
          return op.getMatchingIndexingMap(&init).isFunctionOfDim(i);
        });
    if (!indexesOutputs)
      break;
    int64_t inner = 1;
    bool dynamicInner = false;
    for (unsigned j = i + 1; j < loops; ++j) {
      if (ShapedType::isDynamic(ranges[j]))
        dynamicInner = true;
      else
        inner *= ranges[j];
    }
    if (!dynamicInner && inner < minTaskElements)
      break;
    sizes[i] = 1;
  }
  return sizes;
}

struct SeqParallelLinalgPass
    : mlir::seq::impl::SeqParallelLinalgBase<SeqParallelLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && op.getNumLoops() >= 2 &&
          !op->getParentOfType<scf::ParallelOp>())
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops)
      parallelize(op);
  }

  void parallelize(linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<int64_t> tileSizes = taskTileSizes(op, ranges, minTaskElements);
    if (!llvm::is_contained(tileSizes, 1))
      return;
    bool dynamic = llvm::any_of(ranges, ShapedType::isDynamic);
    if (!dynamic) {
      int64_t total = 1;
      for (int64_t r : ranges)
        total *= r;
      if (total < minElements)
        return;
    }

    // An op linalg cannot tile stays as it is: correct, on one thread.
    IRRewriter rewriter(op.getContext());
    rewriter.setInsertionPoint(op);
    linalg::LinalgTilingOptions options;
    options.setTileSizes(tileSizes).setLoopType(
        linalg::LinalgTilingLoopType::ParallelLoops);
    FailureOr<linalg::TiledLinalgOp> tiled =
        linalg::tileLinalgOp(rewriter, op, options);
    if (failed(tiled))
      return;
    if (!dynamic) {
      rewriter.eraseOp(op);
      return;
    }

    // Dynamic sizes: the tasks when the op has min-elements iterations at
    // run time, the op as it was otherwise.
    Operation *tasks = tiled->loops.front();
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(tasks);
    Value total = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (Range range : op.createLoopRanges(rewriter, loc))
      total = arith::MulIOp::create(
          rewriter, loc, total,
          getValueOrCreateConstantIndexOp(rewriter, loc, range.size));
    Value large = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::uge, total,
        arith::ConstantIndexOp::create(rewriter, loc, minElements));
    auto ifOp = scf::IfOp::create(rewriter, loc, large,
                                  /*withElseRegion=*/true);
    rewriter.moveOpBefore(tasks, ifOp.thenBlock()->getTerminator());
    rewriter.moveOpBefore(op, ifOp.elseBlock()->getTerminator());
  }
};
} // namespace
