//===- FlashAttentionNarrowTile.cpp - a decoding tile, keys in lanes ------===//
//
// A tile of few query rows (decoding: the G query heads of one position
// share a key/value head; G * Lq is 1 to 8) against a range of keys. Rows
// in lanes (FlashAttentionTile.cpp) would leave most lanes idle and read K
// and V one broadcast element at a time; here K and V stream as vectors:
//
//   q   [R][D]    the tile's queries, pre-scaled (heap, per task)
//   s   [R][Bk]   one block of scores, then probabilities: keys in lanes
//   acc [R][Dv]   the running, unnormalized output
//   m, l          running max and sum per row (scalars)
//
// Per block of Bk keys: each score is a dot product over D, `keysPerStep`
// keys x R rows of vector accumulators at a time, reduced across lanes
// once; the bias (read in place, a vector of keys at a time), masking,
// the block max, exp and the block sum then run on vectors of keys; acc += p V
// reads each value row as vectors, with a register tile of R rows x E vectors
// of channels. Head sizes that are not whole vectors end in a vector read
// through a mask: q and acc are padded with zeros to whole vectors, and only
// the real channels are stored.
//
//===----------------------------------------------------------------------===//

#include "FlashAttentionTile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::seq::flash;

namespace {
/// Floats in a 64-byte cache line.
constexpr int64_t kFloatsPerLine = 16;
/// How far ahead of the key rows being scored their prefetch runs.
constexpr int64_t kPrefetchBytes = 16 * 1024;
/// Up to this many vectors (or cache lines) of a head are visited by
/// unrolled code, beyond it by a loop: unrolled throughout, the tile's code
/// grew with the head size (38 s to compile at D = 32768).
constexpr int64_t kUnrolledVectors = 16;

struct NarrowTileEmitter : mlir::seq::VectorKernelBuilder {
  const TileShape &shape;
  const TileInputs &in;
  int64_t rows, headDim, valueDim;
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  /// The head sizes rounded up to whole vectors (q's and acc's).
  int64_t paddedHead = llvm::alignTo(headDim, lanes),
          paddedValue = llvm::alignTo(valueDim, lanes);
  /// With a bias: each row's indices {batch, head, query} into it.
  SmallVector<std::array<Value, 3>> biasRows = {};

  /// The vector at `at` in `memref`, whose last `lanes - real` lanes (if
  /// any) lie past the row's end and read as zeros.
  Value loadPartial(Value memref, ValueRange at, int64_t real) {
    return loadVec(memref, at, firstLanes(real));
  }

  Value negInf() { return f32Const(-std::numeric_limits<double>::infinity()); }
  Value f32Const(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value toI32(Value x) { return arith::IndexCastOp::create(b, i32, x); }
  /// x + c, folded where x is a constant (the unrolled offsets stay
  /// constants).
  Value plus(Value x, int64_t c) {
    if (std::optional<int64_t> known = getConstantIntValue(x))
      return index(*known + c);
    return c ? add(x, index(c)) : x;
  }
  /// fn(i * stride) for i < count, unrolled for up to kUnrolledVectors.
  void forEachOffset(int64_t count, int64_t stride,
                     function_ref<void(Value)> fn) {
    KernelBuilder::forEachOffset(count, stride, kUnrolledVectors, fn);
  }
  Value reduce(vector::CombiningKind kind, Value v) {
    // Lanes may be combined in any order: a tree, not a chain.
    return vector::ReductionOp::create(b, kind, v, Value(),
                                       arith::FastMathFlags::reassoc);
  }
  Value lanesFrom(int64_t first) {
    SmallVector<int32_t> values;
    for (int64_t l = 0; l < lanes; ++l)
      values.push_back(static_cast<int32_t>(first + l));
    auto type = VectorType::get({lanes}, i32);
    return arith::ConstantOp::create(b, type,
                                     DenseIntElementsAttr::get(type, values));
  }

  void run(Value splitIndex, Value splitCount, const TileOutputs &out);
  Value biasOfKeys(int64_t row, Value first);
  Value packQueries();
  void scoreBlock(Value q, Value scores, Value keyStart, Value padded);
  SmallVector<Value> maskAndMax(Value scores, Value keyStart, Value padded,
                                ArrayRef<Value> lo, ArrayRef<Value> hi);
  void valueBlock(Value scores, Value acc, Value keyStart, Value keyCount);
};
} // namespace

/// Row `row`'s bias at the keys first .. first + lanes - 1: a vector read
/// (through a mask: keys past the last read 0, and are masked), one
/// element for all keys where the bias broadcasts them, or a gather where
/// that is known only at run time.
Value NarrowTileEmitter::biasOfKeys(int64_t row, Value first) {
  auto type = cast<MemRefType>(in.bias.getType());
  SmallVector<Value> at(biasRows[row].begin(), biasRows[row].end());
  if (type.getDimSize(3) == 1) {
    at.push_back(index(0));
    return splat(load(in.bias, at));
  }
  Value mask = vector::CreateMaskOp::create(
      b, VectorType::get({lanes}, b.getI1Type()),
      ValueRange{min(sub(in.keyLength, first), index(lanes))});
  if (!type.isDynamicDim(3)) {
    at.push_back(first);
    return loadVec(in.bias, at, mask);
  }
  // Key j at offset j * step: step 1, or 0 where the keys broadcast.
  Value step = biasIndex(*this, in, 3, index(1));
  auto indexVector = VectorType::get({lanes}, b.getIndexType());
  SmallVector<int64_t> laneNumbers(lanes);
  std::iota(laneNumbers.begin(), laneNumbers.end(), 0);
  Value offsets = arith::AddIOp::create(
      b, vector::BroadcastOp::create(b, indexVector, mul(first, step)),
      arith::MulIOp::create(
          b,
          arith::ConstantOp::create(
              b, indexVector,
              DenseElementsAttr::get(indexVector, ArrayRef(laneNumbers))),
          vector::BroadcastOp::create(b, indexVector, step)));
  at.push_back(index(0));
  return vector::GatherOp::create(b, vec(), in.bias, at, offsets, mask,
                                  splat(f32Const(0.0)));
}

/// q[r][d] = scale * q[b, h(r), i(r), d]; rows past the real ones read the
/// last real row (their results are never stored).
Value NarrowTileEmitter::packQueries() {
  Value q =
      memref::AllocOp::create(b, MemRefType::get({rows, paddedHead}, f32));
  Value lastRow = sub(mul(in.group, in.queryLength), index(1));
  Value scale = splat(in.scale);
  for (int64_t r = 0; r < rows; ++r) {
    Value t = min(add(in.firstRow, index(r)), lastRow);
    Value i = div(t, in.group);
    Value h = add(mul(in.kvHead, in.group), rem(t, in.group));
    auto scaleVector = [&](Value d, int64_t real) {
      Value x = loadPartial(in.q, {in.batch, h, i, d}, real);
      storeVec(arith::MulFOp::create(b, x, scale), q, {index(r), d});
    };
    forEachOffset(headDim / lanes, lanes,
                  [&](Value d) { scaleVector(d, lanes); });
    if (headDim % lanes)
      scaleVector(index(headDim / lanes * lanes), headDim % lanes);
  }
  return q;
}

/// scores[r][j] = K[keyStart + j] . q[r] for j < padded (keys past the
/// last read the last key; they are masked afterwards).
void NarrowTileEmitter::scoreBlock(Value q, Value scores, Value keyStart,
                                   Value padded) {
  // Independent accumulator chains enough to hide the FMA latency.
  int64_t keysPerStep = std::max<int64_t>(1, 8 / rows);
  Value lastKey = sub(in.keyLength, index(1));
  Value zeros = splat(f32Const(0.0));
  loop(index(0), padded, index(keysPerStep), {},
       [&](Value j, ValueRange) -> SmallVector<Value> {
         SmallVector<Value> keys;
         for (int64_t kk = 0; kk < keysPerStep; ++kk)
           keys.push_back(min(add(add(keyStart, j), index(kk)), lastKey));
         // Decoding streams K and V from memory once, faster than the
         // hardware prefetchers alone fetch them (docs/performance.md,
         // 2026-12-06 decode). Into L2, a line at a time: these keys' value
         // rows, which valueBlock reads next in passes of a few channels over
         // all the block's keys (a stride of one row per key that the
         // prefetchers follow badly), and the key rows kPrefetchBytes ahead.
         // Into L1 they evicted the K lines in use (Zen 4: 3.4 ms against
         // 2.4-2.7 with both into L2).
         auto prefetch = [&](Value memref, Value key, int64_t channels) {
           forEachOffset(llvm::divideCeil(channels, kFloatsPerLine),
                         kFloatsPerLine, [&](Value e) {
                           memref::PrefetchOp::create(
                               b, memref, {in.batch, in.kvHead, key, e},
                               /*isWrite=*/false, /*localityHint=*/2,
                               /*isDataCache=*/true);
                         });
         };
         int64_t keysAhead = llvm::divideCeil(kPrefetchBytes, 4 * headDim);
         for (Value key : keys) {
           prefetch(in.v, key, valueDim);
           prefetch(in.k, min(add(key, index(keysAhead)), lastKey), headDim);
         }
         // `real` channels of K from d (q is 0 past the head's end).
         auto step = [&](Value d, int64_t real,
                         ValueRange acc) -> SmallVector<Value> {
           SmallVector<Value> qv, next;
           for (int64_t r = 0; r < rows; ++r)
             qv.push_back(loadVec(q, {index(r), d}));
           for (int64_t kk = 0; kk < keysPerStep; ++kk) {
             Value kv =
                 loadPartial(in.k, {in.batch, in.kvHead, keys[kk], d}, real);
             for (int64_t r = 0; r < rows; ++r)
               next.push_back(
                   vector::FMAOp::create(b, kv, qv[r], acc[kk * rows + r]));
           }
           return next;
         };
         int64_t whole = headDim / lanes * lanes;
         SmallVector<Value> sums =
             loop(index(0), index(whole), index(lanes),
                  SmallVector<Value>(keysPerStep * rows, zeros),
                  [&](Value d, ValueRange acc) { return step(d, lanes, acc); });
         if (whole < headDim)
           sums = step(index(whole), headDim - whole, sums);
         for (int64_t kk = 0; kk < keysPerStep; ++kk)
           for (int64_t r = 0; r < rows; ++r)
             store(reduce(vector::CombiningKind::ADD, sums[kk * rows + r]),
                   scores, {index(r), add(j, index(kk))});
         return {};
       });
}

/// Applies the softcap, the bias and each row's visible keys [lo, hi) to
/// the block's scores (on vectors of keys) and returns each row's max.
SmallVector<Value> NarrowTileEmitter::maskAndMax(Value scores, Value keyStart,
                                                 Value padded,
                                                 ArrayRef<Value> lo,
                                                 ArrayRef<Value> hi) {
  SmallVector<Value> maxes;
  Value lanesFromZero = lanesFrom(0);
  Value minusInf = splat(negInf());
  for (int64_t r = 0; r < rows; ++r) {
    Value loV = vector::BroadcastOp::create(b, VectorType::get({lanes}, i32),
                                            toI32(lo[r]));
    Value hiV = vector::BroadcastOp::create(b, VectorType::get({lanes}, i32),
                                            toI32(hi[r]));
    Value best = loop(
        index(0), padded, index(lanes), {minusInf},
        [&](Value j, ValueRange best) -> SmallVector<Value> {
          Value s = loadVec(scores, {index(r), j});
          if (in.softcap) {
            Value cap = splat(f32Const(*in.softcap));
            s = arith::MulFOp::create(
                b, cap,
                math::TanhOp::create(b, arith::DivFOp::create(b, s, cap)));
          }
          if (in.bias)
            s = arith::AddFOp::create(b, s, biasOfKeys(r, add(keyStart, j)));
          Value key = arith::AddIOp::create(
              b,
              vector::BroadcastOp::create(b, VectorType::get({lanes}, i32),
                                          toI32(add(keyStart, j))),
              lanesFromZero);
          Value visible = arith::AndIOp::create(
              b, cmp(arith::CmpIPredicate::sge, key, loV),
              cmp(arith::CmpIPredicate::slt, key, hiV));
          s = arith::SelectOp::create(b, visible, s, minusInf);
          storeVec(s, scores, {index(r), j});
          return {arith::MaximumFOp::create(b, best[0], s)};
        })[0];
    maxes.push_back(reduce(vector::CombiningKind::MAXIMUMF, best));
  }
  return maxes;
}

/// acc[r][e] += sum_j p[r][j] * V[keyStart + j][e] for j < keyCount, in
/// register tiles of all R rows x E vectors of channels.
void NarrowTileEmitter::valueBlock(Value scores, Value acc, Value keyStart,
                                   Value keyCount) {
  int64_t vectors = paddedValue / lanes;
  int64_t e = std::max<int64_t>(1, shape.accumulators / rows);
  while (vectors % e != 0)
    --e;
  // A pass over the keys for the E vectors of channels from e0; the last
  // has `lastReal` real lanes.
  auto pass = [&](Value e0, int64_t lastReal) {
    auto real = [&](int64_t c) { return c == e - 1 ? lastReal : lanes; };
    SmallVector<Value> init;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < e; ++c)
        init.push_back(loadVec(acc, {index(r), plus(e0, c * lanes)}));
    SmallVector<Value> sums = loop(
        index(0), keyCount, index(1), init,
        [&](Value j, ValueRange sums) -> SmallVector<Value> {
          Value key = add(keyStart, j);
          SmallVector<Value> values, next;
          for (int64_t c = 0; c < e; ++c)
            values.push_back(loadPartial(
                in.v, {in.batch, in.kvHead, key, plus(e0, c * lanes)},
                real(c)));
          for (int64_t r = 0; r < rows; ++r) {
            Value p = splat(load(scores, {index(r), j}));
            for (int64_t c = 0; c < e; ++c)
              next.push_back(vector::FMAOp::create(b, values[c], p,
                                                   sums[r * e + c]));
          }
          return next;
        });
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < e; ++c)
        storeVec(sums[r * e + c], acc, {index(r), plus(e0, c * lanes)});
  };
  // Only the last pass can hold a vector that runs past the head's end.
  int64_t passes = vectors / e, ragged = valueDim % lanes ? 1 : 0;
  forEachOffset(passes - ragged, e * lanes, [&](Value e0) { pass(e0, lanes); });
  if (ragged)
    pass(index((passes - 1) * e * lanes), valueDim % lanes);
}

void NarrowTileEmitter::run(Value splitIndex, Value splitCount,
                            const TileOutputs &out) {
  // Each row's visible keys, and the tile's range over rows that see any.
  SmallVector<Value> lo, hi;
  Value kvLo = in.keyLength, kvHi = index(0);
  for (int64_t r = 0; r < rows; ++r) {
    auto [l, h] = visibleKeys(*this, in, add(in.firstRow, index(r)));
    Value sees = cmp(arith::CmpIPredicate::slt, l, h);
    kvLo = arith::SelectOp::create(b, sees, min(kvLo, l), kvLo);
    kvHi = arith::SelectOp::create(b, sees, max(kvHi, h), kvHi);
    lo.push_back(l);
    hi.push_back(h);
  }
  kvLo = min(kvLo, kvHi);
  // (Named values, not structured bindings: the loop body captures them.)
  std::pair<Value, Value> split =
      splitRange(*this, kvLo, kvHi, shape.blockKeys, splitIndex, splitCount);
  Value splitLo = split.first, splitHi = split.second;
  for (Value &h : hi)
    h = min(h, splitHi);

  Value q = packQueries();
  Value acc =
      memref::AllocOp::create(b, MemRefType::get({rows, paddedValue}, f32));
  Value zeros = splat(f32Const(0.0));
  for (int64_t r = 0; r < rows; ++r)
    forEachOffset(paddedValue / lanes, lanes, [&](Value e) {
      storeVec(zeros, acc, {index(r), e});
    });
  // Whole vectors of keys: the last may run past the block (masked).
  int64_t blockKeys = shape.blockKeys;
  int64_t paddedKeys = llvm::divideCeil(blockKeys, lanes) * lanes;
  Value scores =
      memref::AllocOp::create(b, MemRefType::get({rows, paddedKeys}, f32));
  if (in.bias)
    for (int64_t r = 0; r < rows; ++r)
      biasRows.push_back(biasRow(*this, in, add(in.firstRow, index(r))));

  SmallVector<Value> init(rows, negInf());
  init.append(rows, f32Const(0.0));
  SmallVector<Value> state = loop(
      splitLo, splitHi, index(blockKeys), init,
      [&](Value keyStart, ValueRange state) -> SmallVector<Value> {
        Value keyCount = min(index(blockKeys), sub(splitHi, keyStart));
        Value padded =
            mul(ceilDiv(keyCount, index(lanes)), index(lanes));
        scoreBlock(q, scores, keyStart, padded);
        SmallVector<Value> blockMax =
            maskAndMax(scores, keyStart, padded, lo, hi);
        SmallVector<Value> next(rows), sums(rows);
        for (int64_t r = 0; r < rows; ++r) {
          // A row that has seen no key yet keeps max -inf and is shifted
          // by 0, so that its probabilities are exp(-inf) = 0.
          Value newMax = arith::MaximumFOp::create(b, state[r], blockMax[r]);
          Value shift = softmaxShift(b, newMax);
          Value alpha = math::ExpOp::create(
              b, arith::SubFOp::create(b, state[r], shift));
          Value shiftV = splat(shift);
          Value sum = loop(
              index(0), padded, index(lanes), {zeros},
              [&](Value j, ValueRange sum) -> SmallVector<Value> {
                Value p = math::ExpOp::create(
                    b, arith::SubFOp::create(
                           b, loadVec(scores, {index(r), j}), shiftV));
                storeVec(p, scores, {index(r), j});
                return {arith::AddFOp::create(b, sum[0], p)};
              })[0];
          Value alphaV = splat(alpha);
          forEachOffset(paddedValue / lanes, lanes, [&](Value e) {
            storeVec(
                arith::MulFOp::create(b, loadVec(acc, {index(r), e}), alphaV),
                acc, {index(r), e});
          });
          next[r] = newMax;
          sums[r] = arith::AddFOp::create(
              b, arith::MulFOp::create(b, state[rows + r], alpha),
              reduce(vector::CombiningKind::ADD, sum));
        }
        valueBlock(scores, acc, keyStart, keyCount);
        next.append(sums);
        return next;
      });

  for (int64_t r = 0; r < rows; ++r) {
    store(state[r], out.rowMax, {index(r)});
    store(state[rows + r], out.rowSum, {index(r)});
    loop(index(0), index(valueDim), [&](Value e) {
      store(load(acc, {index(r), e}), out.acc, {e, index(r)});
    });
  }
}

void mlir::seq::flash::buildNarrowTile(ImplicitLocOpBuilder &b,
                                       const TileShape &shape, int64_t rows,
                                       int64_t headDim, int64_t valueDim,
                                       const TileInputs &in, Value splitIndex,
                                       Value splitCount,
                                       const TileOutputs &out) {
  NarrowTileEmitter{{{b}, shape.lanes}, shape, in, rows, headDim, valueDim}
      .run(splitIndex, splitCount, out);
}
