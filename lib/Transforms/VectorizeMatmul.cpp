//===- VectorizeMatmul.cpp - -seq-vectorize-matmul ------------------------===//
//
// Rewrites f32 contractions c[..., n] = init[..., n] + sum_k a[..., k] *
// b[k, n] (linalg.matmul, linalg.batch_matmul, and linalg.contract or
// linalg.generic of that form, b optionally with the leading batch
// dimensions of a) into a vector kernel. Without it they became scalar
// loops (convert-linalg-to-loops): a 256x512x1024 linalg.matmul ran at
// 1.9 GFLOP/s, and a cell region's matmuls made a custom recurrence ~28x
// slower than the same named cell.
//
// b's rows are contiguous along n: a register tile of MR rows of a (one
// broadcast each) by NV vectors of a row of b accumulates MR x NV vectors
// over k (6 x 4 with 16 lanes, 6 x 2 with 8 or 4). Tasks of an
// scf.parallel are (batch entry, panel of NV vectors of columns, block of
// rows), rows innermost. Within a task, k goes in chunks of 16 KiB of the
// panel, which stay in L1 while every tile of rows passes over them, the
// sums kept in the result between chunks. The tiles read b packed
// contiguous (b's rows N apart would share a few cache sets when N is a
// multiple of 1024): with several blocks of rows, all of b is packed first,
// in parallel, into panels that they share; with one, each task copies its
// own chunks (as many copies either way). A last panel short of NV vectors
// is packed with zeros and its results are masked.
//
// It runs after convert-seq-to-linalg, so it also takes the matmuls of a
// cell region once the region is a loop.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQVECTORIZEMATMUL
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// The dimension of loop `expr`, or -1 where it is not a plain loop index.
int64_t loopOf(AffineExpr expr) {
  auto d = dyn_cast<AffineDimExpr>(expr);
  return d ? int64_t(d.getPosition()) : -1;
}

/// Why `op` is not c[..., n] = init + a[..., k] * b[batch..., k, n]; null
/// where it is, with `batchDims` set to b's leading dimensions (those of a
/// and c it shares).
const char *unsupportedReason(linalg::LinalgOp op, unsigned &batchDims) {
  if (!op.hasPureTensorSemantics())
    return "a contraction on buffers";
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return "not two inputs and one output";
  if (!allOperandsF32(op))
    return "element type other than f32";
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap aMap = maps[0], bMap = maps[1], cMap = maps[2];
  unsigned rank = aMap.getNumResults();
  if (rank < 2 || cMap.getNumResults() != rank || bMap.getNumResults() < 2 ||
      bMap.getNumResults() > rank || op.getNumLoops() != rank + 1 ||
      aMap.getNumSymbols() != 0)
    return "not a[..., k] times b[..., k, n]";
  // Every result is a distinct loop; a and c share all but their last.
  llvm::SmallDenseSet<int64_t> seen;
  for (unsigned i = 0; i < rank; ++i) {
    int64_t d = loopOf(aMap.getResult(i));
    if (d < 0 || !seen.insert(d).second)
      return "not a[..., k] times b[..., k, n]";
    if (i + 1 < rank && loopOf(cMap.getResult(i)) != d)
      return "not a[..., k] times b[..., k, n]";
  }
  int64_t k = loopOf(aMap.getResult(rank - 1));
  int64_t n = loopOf(cMap.getResult(rank - 1));
  if (n < 0 || seen.contains(n))
    return "not a[..., k] times b[..., k, n]";
  batchDims = bMap.getNumResults() - 2;
  for (unsigned i = 0; i < batchDims; ++i)
    if (loopOf(bMap.getResult(i)) != loopOf(aMap.getResult(i)))
      return "b's leading dimensions are not a's";
  if (loopOf(bMap.getResult(batchDims)) != k ||
      loopOf(bMap.getResult(batchDims + 1)) != n)
    return "b is not [..., k, n] (a transposed b)";
  if (!linalg::isaContractionOpInterface(op))
    return "a body other than a multiply-add";
  return nullptr;
}

struct Rewriter : VectorKernelBuilder {
  Rewriter(ImplicitLocOpBuilder &b, int64_t lanes, linalg::LinalgOp op,
           unsigned batchDims)
      : VectorKernelBuilder{{b}, lanes}, op(op), batchDims(batchDims) {}

  linalg::LinalgOp op;
  unsigned batchDims;

  void run();
};
} // namespace

void Rewriter::run() {
  // Vectors of columns per tile and rows per tile: MR x NV accumulators,
  // NV vectors of b and a broadcast fill the register file (32 vectors
  // with AVX-512, 16 with AVX2 and SSE).
  int64_t registers = lanes == 16 ? 32 : 16;
  int64_t nv = lanes == 16 ? 4 : 2;
  int64_t mr = (registers - nv - 1) / nv;
  int64_t blockCols = nv * lanes;
  // Rows per task: enough tiles that a chunk of b in L1 serves several.
  int64_t blockRows = 8 * mr;
  // A chunk of k: 16 KiB of b's block of columns.
  int64_t chunk = std::max<int64_t>(lanes, 4096 / blockCols);

  Value aTensor = op.getDpsInputs()[0], initTensor = op.getDpsInits()[0];
  Value a = readBuffer(aTensor), w = readBuffer(op.getDpsInputs()[1]);
  // A fill (the usual zero init) is a broadcast of its value.
  Value fillValue;
  if (auto fill = initTensor.getDefiningOp<linalg::FillOp>())
    if (fill.value().getType().isF32())
      fillValue = fill.value();
  Value init = fillValue ? Value() : readBuffer(initTensor);
  int64_t rank = cast<MemRefType>(a.getType()).getRank();
  int64_t outer = rank - 1;
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < outer; ++d)
    sizes.push_back(dim(a, d));
  Value depth = dim(a, outer), cols = dim(w, batchDims + 1);
  SmallVector<Value> cSizes(sizes);
  cSizes.push_back(cols);
  Value c = allocResult(op->getResult(0), cSizes);

  // a's outer dimensions: b's batch dimensions, then those of the rows.
  SmallVector<int64_t> batchDimList, rowDimList;
  for (int64_t d = 0; d < outer; ++d)
    (d < int64_t(batchDims) ? batchDimList : rowDimList).push_back(d);
  Value batches = product(sizes, /*skip=*/rowDimList);
  Value rows = product(sizes, /*skip=*/batchDimList);
  Value zero = index(0), one = index(1);
  Value colBlocks = ceilDiv(cols, index(blockCols));
  Value rowBlocks = ceilDiv(rows, index(blockRows));

  Value panelCount = mul(batches, colBlocks);
  auto withLast = [](SmallVector<Value> at, Value last) {
    at.push_back(last);
    return at;
  };
  auto maskType = VectorType::get({lanes}, b.getI1Type());
  // The lanes of vector v of the block of columns from n0 below `cols`.
  auto columnMask = [&](Value n0, int64_t v) -> Value {
    Value left = sub(cols, add(n0, index(v * lanes)));
    return vector::CreateMaskOp::create(b, maskType,
                                        max(min(left, index(lanes)), zero));
  };
  // Copies b[batch, k0:k1, n0:n0 + blockCols] to dst[k - k0, :], masked-off
  // columns as 0 (the tiles then load b unmasked). The tiles read b from
  // such copies, contiguous: b's rows are N apart, and with N a multiple
  // of 1024 (common) a chunk's rows would fall in the same few cache sets
  // and evict each other.
  auto packColumns = [&](Value dst, ValueRange dstAt, ArrayRef<Value> wBatch,
                         Value k0, Value k1, Value n0, ArrayRef<Value> masks) {
    loop(k0, k1, [&](Value k) {
      for (int64_t v = 0; v < nv; ++v) {
        SmallVector<Value> wAt(wBatch), at(dstAt);
        wAt.append({k, add(n0, index(v * lanes))});
        at.append({sub(k, k0), index(v * lanes)});
        storeVec(loadVec(w, wAt, masks[v]), dst, at);
      }
    });
  };
  // With several blocks of rows, b is packed whole first, in panels
  // [batch * colBlocks + colBlock][k][blockCols] that every block of rows
  // reads; with one, each task packs its chunks itself (as many copies).
  Value many = cmp(arith::CmpIPredicate::ugt, rowBlocks, one);
  auto ifMany = [&](Value v) {
    return arith::SelectOp::create(b, many, v, zero).getResult();
  };
  int64_t dyn = ShapedType::kDynamic;
  Value panels =
      allocF32({dyn, dyn, blockCols}, {ifMany(panelCount), ifMany(depth)});
  ifThen(many, [&] {
    parallel(panelCount, [&](Value panel) {
      Value n0 = mul(rem(panel, colBlocks), index(blockCols));
      SmallVector<Value> batchAt =
          delinearize(div(panel, colBlocks), sizes, rowDimList);
      SmallVector<Value> masks;
      for (int64_t v = 0; v < nv; ++v)
        masks.push_back(columnMask(n0, v));
      packColumns(panels, {panel}, ArrayRef(batchAt).take_front(batchDims),
                  zero, depth, n0, masks);
    });
  });
  auto chunkType = MemRefType::get(
      {dyn, blockCols}, b.getF32Type(),
      StridedLayoutAttr::get(b.getContext(), dyn, {blockCols, 1}));

  parallel(mul(panelCount, rowBlocks), [&](Value task) {
    Value rowBlock = rem(task, rowBlocks);
    Value panel = div(task, rowBlocks);
    Value n0 = mul(rem(panel, colBlocks), index(blockCols));
    SmallVector<Value> batchAt =
        delinearize(div(panel, colBlocks), sizes, rowDimList);
    Value row0 = mul(rowBlock, index(blockRows));
    Value rowEnd = min(add(row0, index(blockRows)), rows);
    // The indices of a and c before their last, for row `row`.
    auto outerAt = [&](Value row) {
      SmallVector<Value> at = delinearize(row, sizes, batchDimList);
      for (unsigned d = 0; d < batchDims; ++d)
        at[d] = batchAt[d];
      return at;
    };
    SmallVector<Value> wBatch(batchAt.begin(), batchAt.begin() + batchDims);
    Value taskChunk = memref::AllocaOp::create(
        b, MemRefType::get({chunk, blockCols}, b.getF32Type()));
    // b's rows k0:k1 of the block, packed: the panel's, or the task's own
    // copy.
    auto packedChunk = [&](Value k0, Value k1, ArrayRef<Value> masks) {
      auto ifOp = scf::IfOp::create(b, TypeRange{chunkType}, many,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToEnd(ifOp.thenBlock());
      SmallVector<OpFoldResult> offsets = {panel, k0, b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), sub(k1, k0),
                                         b.getIndexAttr(blockCols)};
      SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
      scf::YieldOp::create(
          b, ValueRange{memref::SubViewOp::create(b, chunkType, panels, offsets,
                                                  sizes, strides)});
      b.setInsertionPointToEnd(ifOp.elseBlock());
      packColumns(taskChunk, {}, wBatch, k0, k1, n0, masks);
      scf::YieldOp::create(
          b, ValueRange{memref::CastOp::create(b, chunkType, taskChunk)});
      return ifOp.getResult(0);
    };

    // The task's block; `masks` (null for a whole block) keep each vector
    // of columns to those below `cols`.
    auto block = [&](ArrayRef<Value> masks) {
      auto colAt = [&](int64_t v) { return add(n0, index(v * lanes)); };
      loop(row0, rowEnd, [&](Value row) {
        SmallVector<Value> at = outerAt(row);
        for (int64_t v = 0; v < nv; ++v) {
          Value start = fillValue
                            ? splat(fillValue)
                            : loadVec(init, withLast(at, colAt(v)), masks[v]);
          storeVec(start, c, withLast(at, colAt(v)), masks[v]);
        }
      });
      // Adds a[rows, k0:k1] * b[k0:k1, block] to the sums of `count` rows
      // from `first`, in registers.
      auto tile = [&](Value packed, Value k0, Value k1, Value first,
                      int64_t count) {
        SmallVector<SmallVector<Value>> at;
        SmallVector<Value> acc;
        for (int64_t r = 0; r < count; ++r) {
          at.push_back(outerAt(add(first, index(r))));
          for (int64_t v = 0; v < nv; ++v)
            acc.push_back(loadVec(c, withLast(at[r], colAt(v)), masks[v]));
        }
        acc = loop(zero, sub(k1, k0), one, acc, [&](Value kk, ValueRange acc) {
          SmallVector<Value> wv, next(acc.begin(), acc.end());
          for (int64_t v = 0; v < nv; ++v)
            wv.push_back(loadVec(packed, {kk, index(v * lanes)}));
          Value k = add(k0, kk);
          for (int64_t r = 0; r < count; ++r) {
            Value e = splat(load(a, withLast(at[r], k)));
            for (int64_t v = 0; v < nv; ++v)
              next[r * nv + v] =
                  vector::FMAOp::create(b, e, wv[v], next[r * nv + v]);
          }
          return next;
        });
        for (int64_t r = 0; r < count; ++r)
          for (int64_t v = 0; v < nv; ++v)
            storeVec(acc[r * nv + v], c, withLast(at[r], colAt(v)), masks[v]);
      };
      Value count = sub(rowEnd, row0);
      Value fullTiles = div(count, index(mr));
      Value leftFrom = add(row0, mul(fullTiles, index(mr)));
      Value left = sub(rowEnd, leftFrom);
      loop(zero, depth, index(chunk), {}, [&](Value k0, ValueRange) {
        Value k1 = min(add(k0, index(chunk)), depth);
        Value packed = packedChunk(k0, k1, masks);
        loop(zero, fullTiles, [&](Value t) {
          tile(packed, k0, k1, add(row0, mul(t, index(mr))), mr);
        });
        for (int64_t r = 1; r < mr; ++r)
          ifThen(cmp(arith::CmpIPredicate::eq, left, index(r)),
                 [&] { tile(packed, k0, k1, leftFrom, r); });
        return SmallVector<Value>{};
      });
    };
    ifThenElse(
        cmp(arith::CmpIPredicate::ule, add(n0, index(blockCols)), cols),
        [&] { block(SmallVector<Value>(nv)); },
        [&] {
          SmallVector<Value> masks;
          for (int64_t v = 0; v < nv; ++v)
            masks.push_back(columnMask(n0, v));
          block(masks);
        });
  });

  Operation *fill = fillValue ? initTensor.getDefiningOp() : nullptr;
  op->getResult(0).replaceAllUsesWith(
      resultTensor(c, op->getResult(0).getType()));
  op->erase();
  if (fill && fill->use_empty())
    fill->erase();
}

namespace {
struct SeqVectorizeMatmulPass
    : mlir::seq::impl::SeqVectorizeMatmulBase<SeqVectorizeMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes != 4 && lanes != 8 && lanes != 16) {
      getOperation()->emitError()
          << getArgument() << ": lanes must be 4, 8 or 16 (got "
          << int64_t(lanes) << ")";
      return signalPassFailure();
    }
    // Contractions only: the elementwise linalg ops are not this pass's.
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) ||
          linalg::isaContractionOpInterface(op))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      unsigned batchDims = 0;
      const char *why = unsupportedReason(op, batchDims);
      if (!why && insideSeqRegion(op))
        why = "inside the region of a seq op";
      if (!why) {
        ImplicitLocOpBuilder b(op.getLoc(), op);
        Rewriter(b, lanes, op, batchDims).run();
      } else if (emitRemarks) {
        op.emitRemark() << "left for the loop lowering: " << why;
      }
    }
  }
};
} // namespace
