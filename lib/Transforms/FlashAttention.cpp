//===- FlashAttention.cpp - -seq-flash-attention --------------------------===//
//
// Rewrites seq.attention into flash-style code: tiles of R query rows
// stream over blocks of keys with an online softmax, so no [Lq, Lk] buffer
// ever exists (memory O(L * D)). Work is split into independent tasks, one
// per (tile, key split), run by an scf.parallel (OpenMP on the CPU); a
// second parallel loop combines the splits' partial results, which is
// flash-decoding when a short query meets a long key sequence and a plain
// normalization otherwise. The vector code of one task is in
// FlashAttentionTile.cpp.
//
// The rewritten code works on buffers obtained with bufferization.to_buffer
// (read only) and returns fresh buffers through bufferization.to_tensor, so
// it composes with the tensor-level IR around it. Attention that this pass
// does not handle (see `unsupportedReason`) is left for the reference
// lowering.
//
//===----------------------------------------------------------------------===//

#include "FlashAttentionTile.h"
#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>

namespace mlir::seq {
#define GEN_PASS_DEF_SEQFLASHATTENTION
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// Why `op` stays with the reference lowering, or null.
const char *unsupportedReason(AttentionOp op) {
  Type f32 = Float32Type::get(op.getContext());
  for (Value v : {op.getQ(), op.getK(), op.getV(), op.getOutput()})
    if (cast<ShapedType>(v.getType()).getElementType() != f32)
      return "element type other than f32";
  // (The bias has q's element type.)
  return flash::unsupportedLseType(op);
}

struct Rewriter : KernelBuilder {
  AttentionOp op;
  flash::TileShape shape;
  int64_t minTasks;
  int64_t narrowRows;

  /// An scf.for carrying one value, `fn` giving the next from the old.
  Value reduce(Value lb, Value ub, Value init,
               function_ref<Value(Value, Value)> fn) {
    return loop(lb, ub, index(1), init,
                [&](Value iv, ValueRange acc) -> SmallVector<Value> {
                  return {fn(iv, acc.front())};
                })
        .front();
  }

  void run();
};
} // namespace

void Rewriter::run() {
  // Fewer row vectors when a static query needs fewer rows (decoding: G
  // query heads of one position share a tile).
  auto qType = cast<RankedTensorType>(op.getQ().getType());
  int64_t staticHeads = qType.getDimSize(1), queries = qType.getDimSize(2),
          staticKvHeads =
              cast<RankedTensorType>(op.getK().getType()).getDimSize(1);
  if (!ShapedType::isDynamic(staticHeads) && !ShapedType::isDynamic(queries) &&
      !ShapedType::isDynamic(staticKvHeads) && queries > 0) {
    int64_t needed =
        llvm::divideCeil(staticHeads / staticKvHeads * queries, shape.lanes);
    if (needed < shape.rowVectors) {
      shape.rowVectors = needed;
      shape.keyRows = shape.accumulators / needed;
    }
  }
  int64_t staticD = qType.getDimSize(3),
          staticDv = cast<RankedTensorType>(op.getV().getType()).getDimSize(3);
  // Few rows per key/value head (decoding) with static head sizes: keys in
  // lanes (FlashAttentionNarrowTile.cpp).
  auto staticSize = [&](int64_t size) {
    return !ShapedType::isDynamic(size) && size > 0;
  };
  int64_t narrow = 0;
  if (!ShapedType::isDynamic(staticHeads) && !ShapedType::isDynamic(queries) &&
      !ShapedType::isDynamic(staticKvHeads) && staticKvHeads > 0 &&
      staticSize(staticD) && staticSize(staticDv)) {
    int64_t rowsPerHead = staticHeads / staticKvHeads * queries;
    if (rowsPerHead >= 1 && rowsPerHead <= narrowRows)
      narrow = rowsPerHead;
  }
  // Value rows of one pass of the value kernel stay in L1 (16 KiB).
  if (!ShapedType::isDynamic(staticDv) && staticDv > 0)
    shape.valueKeys = std::clamp<int64_t>(4096 / staticDv, 8, shape.blockKeys);
  Value q = readBuffer(op.getQ()), k = readBuffer(op.getK()),
        v = readBuffer(op.getV());
  Value bias = op.getBias() ? readBuffer(op.getBias()) : Value();
  Value batch = dim(q, 0), heads = dim(q, 1), queryLength = dim(q, 2),
        headDim = dim(q, 3), kvHeads = dim(k, 1), keyLength = dim(k, 2),
        valueDim = dim(v, 3);
  Value group = div(heads, kvHeads);
  Value rows = index(shape.rows());
  Value tilesPerHead = ceilDiv(mul(group, queryLength), rows);
  Value tiles = mul(mul(batch, kvHeads), tilesPerHead);
  // Enough tasks for the threads: short queries split their keys.
  Value one = index(1);
  Value keyBlocks = max(ceilDiv(keyLength, index(shape.blockKeys)), one);
  Value splits = min(ceilDiv(index(minTasks), max(tiles, one)), keyBlocks);
  Value tasks = mul(tiles, splits);

  Value scale = flash::attentionScale(*this, op, headDim);

  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  Value out =
      allocResult(op.getOutput(), {batch, heads, queryLength, valueDim});
  Value lse;
  RankedTensorType lseType;
  if (Value lseResult = op.getLse()) {
    lseType = cast<RankedTensorType>(lseResult.getType());
    lse = allocResult(lseResult, {batch, heads, queryLength});
  }
  int64_t r = shape.rows(), dyn = ShapedType::kDynamic;
  Value partAcc = allocF32({dyn, dyn, r}, {tasks, valueDim});
  Value partMax = allocF32({dyn, r}, {tasks});
  Value partSum = allocF32({dyn, r}, {tasks});

  // Which tile (batch entry, kv head, rows) a tile number stands for.
  auto decompose = [&](Value tile) {
    Value kvHeadTiles = div(tile, tilesPerHead);
    return std::array<Value, 3>{div(kvHeadTiles, kvHeads),
                                rem(kvHeadTiles, kvHeads),
                                mul(rem(tile, tilesPerHead), rows)};
  };
  Value kvLen = op.getKvLen() ? readBuffer(op.getKvLen()) : Value();

  parallel(tasks, [&](Value task) {
    // Tiles of causal attention grow with their position. OpenMP's static
    // schedule gives each thread a contiguous range of tasks, so tiles are
    // visited in the order 0, n-1, 1, n-2, ... to balance those ranges.
    Value slot = div(task, splits), split = rem(task, splits);
    Value half = div(slot, index(2));
    Value odd = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                      rem(slot, index(2)), one);
    Value tile =
        arith::SelectOp::create(b, odd, sub(sub(tiles, one), half), half);
    std::array<Value, 3> where = decompose(tile);
    Value batchIndex = where[0];
    // Partial results are stored by tile, as the combination reads them.
    Value part = add(mul(tile, splits), split);

    flash::TileInputs in;
    in.q = q, in.k = k, in.v = v;
    in.batch = batchIndex, in.kvHead = where[1], in.group = group;
    in.queryLength = queryLength, in.keyLength = keyLength;
    in.visibleLength =
        flash::visibleLength(*this, kvLen, batchIndex, keyLength);
    in.headDim = headDim, in.valueDim = valueDim, in.firstRow = where[2];
    in.scale = scale;
    in.bias = bias;
    flash::setMasks(in, op);

    auto accType =
        cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
            {dyn, r}, cast<MemRefType>(partAcc.getType()),
            ArrayRef<int64_t>{dyn, 0, 0}, ArrayRef<int64_t>{1, dyn, r},
            ArrayRef<int64_t>{1, 1, 1}));
    flash::TileOutputs outs;
    outs.acc = memref::SubViewOp::create(
        b, accType, partAcc,
        ArrayRef<OpFoldResult>{part, b.getIndexAttr(0), b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), valueDim, b.getIndexAttr(r)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                               b.getIndexAttr(1)});
    auto rowType =
        cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
            {r}, cast<MemRefType>(partMax.getType()), ArrayRef<int64_t>{dyn, 0},
            ArrayRef<int64_t>{1, r}, ArrayRef<int64_t>{1, 1}));
    auto rowsOf = [&](Value partial) {
      return memref::SubViewOp::create(
          b, rowType, partial, ArrayRef<OpFoldResult>{part, b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(r)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    };
    outs.rowMax = rowsOf(partMax);
    outs.rowSum = rowsOf(partSum);
    if (narrow)
      flash::buildNarrowTile(b, shape, narrow, staticD, staticDv, in, split,
                             splits, outs);
    else
      flash::buildTile(b, shape, in, split, splits, outs);
  });

  // out = sum_s w_s acc_s / sum_s w_s l_s with w_s = exp(m_s - max_s m_s);
  // a row that saw no key gets out = 0 and lse = -inf.
  Value negInf = f32(-std::numeric_limits<double>::infinity());
  Value fzero = f32(0.0);
  parallel(tiles, [&](Value tile) {
    std::array<Value, 3> where = decompose(tile);
    Value batchIndex = where[0], kvHead = where[1], firstRow = where[2];
    Value base = mul(tile, splits);
    Value rowEnd = min(rows, sub(mul(group, queryLength), firstRow));
    loop(index(0), rowEnd, [&](Value row) {
      Value t = add(firstRow, row);
      Value i = div(t, group);
      Value h = add(mul(kvHead, group), rem(t, group));
      auto partial = [&](Value part, Value s) -> Value {
        return memref::LoadOp::create(b, part, ValueRange{add(base, s), row});
      };
      Value m = reduce(index(0), splits, negInf, [&](Value s, Value acc) {
        return arith::MaximumFOp::create(b, acc, partial(partMax, s));
      });
      Value shift = flash::softmaxShift(b, m);
      auto weight = [&](Value s) -> Value {
        return math::ExpOp::create(
            b, arith::SubFOp::create(b, partial(partMax, s), shift));
      };
      Value l = reduce(index(0), splits, fzero, [&](Value s, Value acc) {
        return arith::AddFOp::create(
            b, acc, arith::MulFOp::create(b, partial(partSum, s), weight(s)));
      });
      Value none =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, l, fzero);
      Value inverse = arith::SelectOp::create(
          b, none, fzero, arith::DivFOp::create(b, f32(1.0), l));
      SmallVector<Value> at = {batchIndex, h, i};
      loop(index(0), valueDim, [&](Value e) {
        SmallVector<Value> outAt = at;
        outAt.push_back(e);
        memref::StoreOp::create(b, fzero, out, outAt);
      });
      loop(index(0), splits, [&](Value s) {
        Value w = arith::MulFOp::create(b, weight(s), inverse);
        loop(index(0), valueDim, [&](Value e) {
          SmallVector<Value> outAt = at;
          outAt.push_back(e);
          Value x = memref::LoadOp::create(b, partAcc,
                                           ValueRange{add(base, s), e, row});
          Value sum =
              arith::AddFOp::create(b, memref::LoadOp::create(b, out, outAt),
                                    arith::MulFOp::create(b, w, x));
          memref::StoreOp::create(b, sum, out, outAt);
        });
      });
      if (lse) {
        Value value = arith::SelectOp::create(
            b, none, negInf,
            arith::AddFOp::create(b, m, math::LogOp::create(b, l)));
        memref::StoreOp::create(b, value, lse, at);
      }
    });
  });

  SmallVector<Value> results = {resultTensor(out, outType)};
  if (lse)
    results.push_back(resultTensor(lse, lseType));
  op->replaceAllUsesWith(results);
  op->erase();
}

namespace {
struct SeqFlashAttentionPass
    : mlir::seq::impl::SeqFlashAttentionBase<SeqFlashAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    flash::TileShape shape;
    shape.lanes = lanes;
    shape.rowVectors = rowVectors;
    shape.blockKeys = blockKeys;
    // AVX-512 has 32 vector registers, AVX2 and SSE 16: the register
    // tiles keep about half of them (a third) as accumulators.
    shape.accumulators = accumulators ? accumulators : lanes == 16 ? 16 : 12;
    int64_t narrow = narrowRows < 0 ? lanes / 2 : narrowRows;
    // Sizes of a block's buffers are products of block-keys: a bound far
    // above any useful block keeps them from overflowing.
    if (rowVectors < 1 || rowVectors > 4 || blockKeys < 1 ||
        blockKeys > 65536 || minTasks < 1 || shape.accumulators < rowVectors ||
        narrow > lanes) {
      getOperation()->emitError()
          << "seq-flash-attention: row-vectors must be 1 to 4 (got "
          << static_cast<int64_t>(rowVectors)
          << "), block-keys 1 to 65536 and min-tasks positive (got "
          << static_cast<int64_t>(blockKeys) << " and "
          << static_cast<int64_t>(minTasks)
          << "), accumulators at least row-vectors, narrow-rows at most "
             "lanes (got "
          << narrow << ")";
      return signalPassFailure();
    }
    shape.keyRows = shape.accumulators / rowVectors;
    if (failed(rewriteSupported<AttentionOp>(
            getOperation(), getArgument(), lanes, emitRemarks,
            unsupportedReason, [&](AttentionOp op) {
              ImplicitLocOpBuilder b(op.getLoc(), op);
              Rewriter{{b}, op, shape, minTasks, narrow}.run();
            })))
      signalPassFailure();
  }
};
} // namespace
