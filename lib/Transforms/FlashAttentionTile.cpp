//===- FlashAttentionTile.cpp - one tile of flash attention, in vectors ---===//
//
// Layout of the work for one tile of R rows (see FlashAttentionTile.h):
//
//   qT    [D][R]   the tile's queries, transposed and pre-scaled
//   s     [Bk][R]  one block of scores, then probabilities
//   acc   [Dv][R]  the running, unnormalized output (the caller's buffer)
//   m, l           running max and sum per row, Nv vectors each (registers)
//
// (qT and s are heap buffers of the task.)
//
// Per block of Bk keys: s = K qT on register tiles of keyRows keys x R rows
// (each K element is one broadcast, each qT row Nv vector loads); the bias
// is added (a gather over the tile's rows per key: each row reads its own
// row of the bias) and the mask is one interval [lo, hi) of keys per row;
// then the online-softmax update and acc += V^T p on register tiles of
// `valueRows` value channels x R rows.
//
//===----------------------------------------------------------------------===//

#include "FlashAttentionTile.h"
#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::seq::flash;

namespace {
struct TileEmitter : mlir::seq::KernelBuilder {
  const TileShape &shape;
  const TileInputs &in;
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  VectorType floats = VectorType::get({shape.lanes}, f32);
  VectorType ints = VectorType::get({shape.lanes}, i32);
  /// With a bias: its batch index, and each row's offset (in elements)
  /// from the bias at [batch, 0, 0, key], Nv vectors of index lanes; none
  /// when every row reads the same bias row (its head and query dimensions
  /// broadcast).
  Value biasBatch = {};
  SmallVector<Value> biasOffsets = {};

  Value toI32(Value x) { return arith::IndexCastOp::create(b, i32, x); }
  Value splat(Value scalar) {
    return vector::BroadcastOp::create(
        b, scalar.getType() == f32 ? floats : ints, scalar);
  }
  Value floatSplat(double v) {
    return splat(arith::ConstantOp::create(b, b.getF32FloatAttr(v)));
  }
  Value loadLanes(Value memref, ValueRange at) {
    auto elementType = cast<MemRefType>(memref.getType()).getElementType();
    return vector::LoadOp::create(b, elementType == f32 ? floats : ints, memref,
                                  at);
  }
  Value lane(int64_t n) { return index(n * shape.lanes); }

  SmallVector<Value> repeat(Value v, int64_t n) {
    return SmallVector<Value>(n, v);
  }

  void run(Value splitIndex, Value splitCount, const TileOutputs &out);
  void prepareBias();
  SmallVector<Value> biasOfKey(Value key);
  SmallVector<Value> rowBounds(Value bounds);
  Value packQueries();
  SmallVector<Value> scoreBlock(Value qT, Value scores, Value keyStart,
                                Value keyCount, ArrayRef<Value> lo,
                                ArrayRef<Value> hi, Value unmaskedLo,
                                Value unmaskedHi);
  void valueBlock(Value scores, Value acc, Value keyStart, Value first,
                  Value keyCount, Value begin, Value end, int64_t valueRows);
};
} // namespace

std::pair<Value, Value> mlir::seq::flash::visibleKeys(KernelBuilder &kb,
                                                      const TileInputs &in,
                                                      Value t) {
  ImplicitLocOpBuilder &b = kb.b;
  Value zero = kb.index(0), one = kb.index(1);
  Value real = kb.cmp(arith::CmpIPredicate::slt, t,
                      kb.mul(in.group, in.queryLength));
  // The query's position among the keys: queries end-aligned.
  Value i = arith::DivUIOp::create(b, t, in.group);
  Value p = kb.sub(kb.add(i, in.visibleLength), in.queryLength);
  Value lo = zero, hi = in.visibleLength;
  if (in.causal)
    hi = kb.min(hi, kb.add(p, one));
  if (in.window) {
    lo = kb.max(lo, kb.sub(p, kb.index(*in.window - 1)));
    if (!in.causal)
      hi = kb.min(hi, kb.add(p, kb.index(*in.window)));
  }
  if (in.chunk) {
    Value c = kb.index(*in.chunk);
    Value start = kb.mul(arith::FloorDivSIOp::create(b, p, c), c);
    lo = kb.max(lo, start);
    hi = kb.min(hi, kb.add(start, c));
  }
  return {arith::SelectOp::create(b, real, lo, zero),
          arith::SelectOp::create(b, real, hi, zero)};
}

Value mlir::seq::flash::attentionScale(KernelBuilder &kb, AttentionOp op,
                                       Value headDim) {
  if (FloatAttr scale = op.getScaleAttr())
    return kb.f32(scale.getValueAsDouble());
  ImplicitLocOpBuilder &b = kb.b;
  Value d = arith::SIToFPOp::create(
      b, b.getF32Type(), arith::IndexCastOp::create(b, b.getI64Type(), headDim));
  return arith::DivFOp::create(b, kb.f32(1.0), math::SqrtOp::create(b, d));
}

void mlir::seq::flash::setMasks(TileInputs &in, AttentionOp op) {
  in.causal = op.getCausal();
  if (IntegerAttr window = op.getWindowAttr())
    in.window = window.getInt();
  if (IntegerAttr chunk = op.getChunkAttr())
    in.chunk = chunk.getInt();
  if (FloatAttr softcap = op.getSoftcapAttr())
    in.softcap = softcap.getValueAsDouble();
}

const char *mlir::seq::flash::unsupportedLseType(AttentionOp op) {
  if (Value lse = op.getLse())
    if (!cast<ShapedType>(lse.getType()).getElementType().isF32())
      return "lse element type other than f32";
  return nullptr;
}

Value mlir::seq::flash::biasIndex(KernelBuilder &kb, const TileInputs &in,
                                  int64_t d, Value i) {
  auto type = cast<MemRefType>(in.bias.getType());
  if (type.getDimSize(d) == 1)
    return kb.index(0);
  if (!type.isDynamicDim(d))
    return i;
  // i is below the full size, so min(i, size - 1) is i there and 0 where
  // the size is 1 (one op, where a compare and select kept a predicate
  // live through the GPU kernels' key loops).
  return kb.min(i, kb.sub(kb.dim(in.bias, d), kb.index(1)));
}

std::array<Value, 3> mlir::seq::flash::biasRowAt(KernelBuilder &kb,
                                                 const TileInputs &in,
                                                 Value batch, Value head,
                                                 Value query) {
  return {biasIndex(kb, in, 0, batch), biasIndex(kb, in, 1, head),
          biasIndex(kb, in, 2, query)};
}

std::array<Value, 3> mlir::seq::flash::biasRow(KernelBuilder &kb,
                                               const TileInputs &in, Value t) {
  Value lastRow = kb.sub(kb.mul(in.group, in.queryLength), kb.index(1));
  t = kb.min(t, lastRow);
  Value head = kb.add(kb.mul(in.kvHead, in.group), kb.rem(t, in.group));
  return biasRowAt(kb, in, in.batch, head, kb.div(t, in.group));
}

Value mlir::seq::flash::softmaxShift(ImplicitLocOpBuilder &b, Value max) {
  Type type = max.getType();
  FloatAttr negInf = b.getF32FloatAttr(-std::numeric_limits<float>::infinity());
  TypedAttr negInfAttr = negInf;
  if (auto vector = dyn_cast<VectorType>(type))
    negInfAttr = DenseElementsAttr::get(vector, negInf);
  Value empty = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, max,
                                      arith::ConstantOp::create(b, negInfAttr));
  return arith::SelectOp::create(
      b, empty, arith::ConstantOp::create(b, b.getZeroAttr(type)), max);
}

Value mlir::seq::flash::visibleLength(KernelBuilder &kb, Value kvLen,
                                      Value batchIndex, Value keyLength) {
  if (!kvLen)
    return keyLength;
  Value len = memref::LoadOp::create(kb.b, kvLen, ValueRange{batchIndex});
  if (!len.getType().isIndex())
    len = arith::IndexCastOp::create(kb.b, kb.b.getIndexType(), len);
  // Out-of-range lengths give unspecified values, never stray reads.
  return kb.min(kb.max(len, kb.index(0)), keyLength);
}

std::pair<Value, Value> mlir::seq::flash::splitRange(KernelBuilder &kb,
                                                     Value kvLo, Value kvHi,
                                                     int64_t blockKeys,
                                                     Value splitIndex,
                                                     Value splitCount) {
  ImplicitLocOpBuilder &b = kb.b;
  Value block = kb.index(blockKeys);
  Value blocks = arith::CeilDivUIOp::create(b, kb.sub(kvHi, kvLo), block);
  Value perSplit =
      kb.mul(arith::CeilDivUIOp::create(b, blocks, splitCount), block);
  Value splitLo = kb.min(kb.add(kvLo, kb.mul(splitIndex, perSplit)), kvHi);
  return {splitLo, kb.min(kb.add(splitLo, perSplit), kvHi)};
}

void TileEmitter::prepareBias() {
  auto type = cast<MemRefType>(in.bias.getType());
  biasBatch = biasIndex(*this, in, 0, in.batch);
  if (type.getDimSize(1) == 1 && type.getDimSize(2) == 1)
    return;
  auto meta = memref::ExtractStridedMetadataOp::create(b, in.bias);
  Type indexType = b.getIndexType();
  Value offsets =
      memref::AllocOp::create(b, MemRefType::get({shape.rows()}, indexType));
  loop(index(0), index(shape.rows()), [&](Value r) {
    std::array<Value, 3> at = biasRow(*this, in, add(in.firstRow, r));
    store(
        add(mul(at[1], meta.getStrides()[1]), mul(at[2], meta.getStrides()[2])),
        offsets, {r});
  });
  for (int64_t n = 0; n < shape.rowVectors; ++n)
    biasOffsets.push_back(vector::LoadOp::create(
        b, VectorType::get({shape.lanes}, indexType), offsets, lane(n)));
}

/// The bias of the tile's rows at `key` (a real key), Nv vectors: one
/// gather per vector of rows (each row's bias is a different row of the
/// bias in memory), or one broadcast element for all of them.
SmallVector<Value> TileEmitter::biasOfKey(Value key) {
  Value zero = index(0);
  SmallVector<Value> at = {biasBatch, zero, zero, biasIndex(*this, in, 3, key)};
  if (biasOffsets.empty())
    return repeat(splat(memref::LoadOp::create(b, in.bias, at)),
                  shape.rowVectors);
  Value all = vector::ConstantMaskOp::create(
      b, VectorType::get({shape.lanes}, b.getI1Type()),
      ArrayRef<int64_t>{shape.lanes});
  SmallVector<Value> rowsBias;
  for (Value offsets : biasOffsets)
    rowsBias.push_back(vector::GatherOp::create(b, floats, in.bias, at, offsets,
                                                all, floatSplat(0.0)));
  return rowsBias;
}

/// Stores each row's visible keys [lo, hi) into `bounds` [2][R] (empty for
/// rows past the G*Lq real ones) and returns the tile's [lowest lo,
/// highest hi) over rows that see any key, then [highest lo, lowest hi)
/// over its real rows: the keys that no real row masks.
SmallVector<Value> TileEmitter::rowBounds(Value bounds) {
  Value zero = index(0), one = index(1);
  Value realRows = mul(in.group, in.queryLength);
  return loop(
      zero, index(shape.rows()), one, {in.keyLength, zero, zero, in.keyLength},
      [&](Value r, ValueRange range) -> SmallVector<Value> {
        Value row = add(in.firstRow, r);
        auto [lo, hi] = visibleKeys(*this, in, row);
        memref::StoreOp::create(b, toI32(lo), bounds, ValueRange{zero, r});
        memref::StoreOp::create(b, toI32(hi), bounds, ValueRange{one, r});
        Value sees = cmp(arith::CmpIPredicate::slt, lo, hi);
        Value real = cmp(arith::CmpIPredicate::slt, row, realRows);
        return {arith::SelectOp::create(b, sees, min(range[0], lo), range[0]),
                arith::SelectOp::create(b, sees, max(range[1], hi), range[1]),
                arith::SelectOp::create(b, real, max(range[2], lo), range[2]),
                arith::SelectOp::create(b, real, min(range[3], hi), range[3])};
      });
}

/// qT[d][r] = scale * q[b, h(r), i(r), d], rows past the real ones reading
/// the last real row (their results are never stored).
Value TileEmitter::packQueries() {
  Value zero = index(0), one = index(1);
  auto type = MemRefType::get({ShapedType::kDynamic, shape.rows()}, f32);
  Value qT = memref::AllocOp::create(b, type, ValueRange{in.headDim});
  Value lastRow = sub(mul(in.group, in.queryLength), one);
  loop(zero, index(shape.rows()), one, {},
       [&](Value r, ValueRange) -> SmallVector<Value> {
         Value t = min(add(in.firstRow, r), lastRow);
         Value i = arith::DivUIOp::create(b, t, in.group);
         Value g = arith::RemUIOp::create(b, t, in.group);
         Value h = add(mul(in.kvHead, in.group), g);
         loop(zero, in.headDim, one, {},
              [&](Value d, ValueRange) -> SmallVector<Value> {
                Value x = memref::LoadOp::create(b, in.q,
                                                 ValueRange{in.batch, h, i, d});
                memref::StoreOp::create(b,
                                        arith::MulFOp::create(b, x, in.scale),
                                        qT, ValueRange{d, r});
                return {};
              });
         return {};
       });
  return qT;
}

/// scores[j][r] for keys keyStart + j, j < keyCount (rounded up to whole
/// register tiles; the extra keys are masked), masked to -inf outside each
/// row's [lo, hi). A register tile of keys inside [unmaskedLo, unmaskedHi),
/// which every row sees, skips the mask: most tiles of a long sequence.
/// Returns the block's max per row.
SmallVector<Value> TileEmitter::scoreBlock(Value qT, Value scores,
                                           Value keyStart, Value keyCount,
                                           ArrayRef<Value> lo,
                                           ArrayRef<Value> hi, Value unmaskedLo,
                                           Value unmaskedHi) {
  int64_t nv = shape.rowVectors, kr = shape.keyRows;
  Value zero = index(0), one = index(1);
  Value lastKey = sub(in.keyLength, one);
  Value negInf = floatSplat(-std::numeric_limits<double>::infinity());
  return loop(
      zero, keyCount, index(kr), repeat(negInf, nv),
      [&](Value j, ValueRange blockMax) -> SmallVector<Value> {
        SmallVector<Value> keys, keyRows;
        for (int64_t kk = 0; kk < kr; ++kk) {
          keys.push_back(add(add(keyStart, j), index(kk)));
          keyRows.push_back(min(keys.back(), lastKey));
        }
        SmallVector<Value> acc = loop(
            zero, in.headDim, one, repeat(floatSplat(0.0), kr * nv),
            [&](Value d, ValueRange acc) -> SmallVector<Value> {
              SmallVector<Value> qv, next;
              for (int64_t n = 0; n < nv; ++n)
                qv.push_back(loadLanes(qT, {d, lane(n)}));
              for (int64_t kk = 0; kk < kr; ++kk) {
                Value x = splat(memref::LoadOp::create(
                    b, in.k, ValueRange{in.batch, in.kvHead, keyRows[kk], d}));
                for (int64_t n = 0; n < nv; ++n)
                  next.push_back(
                      vector::FMAOp::create(b, x, qv[n], acc[kk * nv + n]));
              }
              return next;
            });
        auto finish = [&](bool masked) {
          SmallVector<Value> maxes(blockMax.begin(), blockMax.end());
          for (int64_t kk = 0; kk < kr; ++kk) {
            Value key = masked ? splat(toI32(keys[kk])) : Value();
            SmallVector<Value> bias =
                in.bias ? biasOfKey(keyRows[kk]) : SmallVector<Value>();
            for (int64_t n = 0; n < nv; ++n) {
              Value s = acc[kk * nv + n];
              if (in.softcap) {
                Value cap = floatSplat(*in.softcap);
                s = arith::MulFOp::create(
                    b, cap,
                    math::TanhOp::create(b, arith::DivFOp::create(b, s, cap)));
              }
              if (in.bias)
                s = arith::AddFOp::create(b, s, bias[n]);
              if (masked) {
                Value visible = arith::AndIOp::create(
                    b, cmp(arith::CmpIPredicate::sge, key, lo[n]),
                    cmp(arith::CmpIPredicate::slt, key, hi[n]));
                s = arith::SelectOp::create(b, visible, s, negInf);
              }
              vector::StoreOp::create(b, s, scores,
                                      ValueRange{add(j, index(kk)), lane(n)});
              // One vmaxps: arith.maximumf's NaN and signed-zero rules cost
              // six instructions on x86. A NaN score is skipped here but
              // still makes its row NaN through exp(s - max).
              Value greater = arith::CmpFOp::create(
                  b, arith::CmpFPredicate::OGT, s, maxes[n]);
              maxes[n] = arith::SelectOp::create(b, greater, s, maxes[n]);
            }
          }
          return maxes;
        };
        Value first = add(keyStart, j);
        Value unmasked = arith::AndIOp::create(
            b, cmp(arith::CmpIPredicate::sge, first, unmaskedLo),
            cmp(arith::CmpIPredicate::sle, add(first, index(kr)), unmaskedHi));
        auto ifOp = scf::IfOp::create(b, TypeRange(ValueRange(blockMax)),
                                      unmasked, /*withElseRegion=*/true);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        scf::YieldOp::create(b, finish(false));
        b.setInsertionPointToStart(ifOp.elseBlock());
        scf::YieldOp::create(b, finish(true));
        return SmallVector<Value>(ifOp.getResults());
      });
}

/// acc[e][r] += sum_j v[keyStart + j][e] * p[first + j][r] for j <
/// keyCount and channels e in [begin, end), `valueRows` channels per
/// register tile.
void TileEmitter::valueBlock(Value scores, Value acc, Value keyStart,
                             Value first, Value keyCount, Value begin,
                             Value end, int64_t valueRows) {
  int64_t nv = shape.rowVectors;
  Value zero = index(0), one = index(1);
  loop(begin, end, index(valueRows), {},
       [&](Value e0, ValueRange) -> SmallVector<Value> {
         SmallVector<Value> channels, init;
         for (int64_t e = 0; e < valueRows; ++e) {
           channels.push_back(add(e0, index(e)));
           for (int64_t n = 0; n < nv; ++n)
             init.push_back(loadLanes(acc, {channels[e], lane(n)}));
         }
         SmallVector<Value> sums =
             loop(zero, keyCount, one, init,
                  [&](Value j, ValueRange sums) -> SmallVector<Value> {
                    SmallVector<Value> p, next;
                    for (int64_t n = 0; n < nv; ++n)
                      p.push_back(loadLanes(scores, {add(first, j), lane(n)}));
                    Value key = add(add(keyStart, first), j);
                    for (int64_t e = 0; e < valueRows; ++e) {
                      Value x = splat(memref::LoadOp::create(
                          b, in.v,
                          ValueRange{in.batch, in.kvHead, key, channels[e]}));
                      for (int64_t n = 0; n < nv; ++n)
                        next.push_back(vector::FMAOp::create(b, x, p[n],
                                                             sums[e * nv + n]));
                    }
                    return next;
                  });
         for (int64_t e = 0; e < valueRows; ++e)
           for (int64_t n = 0; n < nv; ++n)
             vector::StoreOp::create(b, sums[e * nv + n], acc,
                                     ValueRange{channels[e], lane(n)});
         return {};
       });
}

void TileEmitter::run(Value splitIndex, Value splitCount,
                      const TileOutputs &out) {
  int64_t nv = shape.rowVectors, rows = shape.rows();
  Value zero = index(0), one = index(1), blockKeys = index(shape.blockKeys);

  Value bounds = memref::AllocOp::create(b, MemRefType::get({2, rows}, i32));
  SmallVector<Value> range = rowBounds(bounds);
  Value kvHi = range[1], kvLo = min(range[0], kvHi);
  Value unmaskedLo = range[2];
  // This split's share of the tile's keys, in whole blocks.
  // (Named values, not structured bindings: the loop body captures them.)
  std::pair<Value, Value> split =
      splitRange(*this, kvLo, kvHi, shape.blockKeys, splitIndex, splitCount);
  Value splitLo = split.first, splitHi = split.second;
  Value unmaskedHi = min(range[3], splitHi);

  Value qT = packQueries();
  SmallVector<Value> lo, hi;
  Value splitEnd = splat(toI32(splitHi));
  for (int64_t n = 0; n < nv; ++n) {
    lo.push_back(loadLanes(bounds, {zero, lane(n)}));
    hi.push_back(
        arith::MinSIOp::create(b, loadLanes(bounds, {one, lane(n)}), splitEnd));
  }
  Value zeros = floatSplat(0.0);
  loop(zero, in.valueDim, one, {},
       [&](Value e, ValueRange) -> SmallVector<Value> {
         for (int64_t n = 0; n < nv; ++n)
           vector::StoreOp::create(b, zeros, out.acc, ValueRange{e, lane(n)});
         return {};
       });

  // Value channels per register tile: as many as the accumulator budget
  // allows; the remaining channels of a static Dv form one narrower tile,
  // those of a dynamic Dv one-channel tiles.
  int64_t valueRows = std::max<int64_t>(1, shape.accumulators / nv);
  int64_t tailRows = 1;
  bool hasTail = true;
  Value mainEnd;
  if (std::optional<int64_t> dv = getConstantIntValue(in.valueDim)) {
    valueRows = std::min(valueRows, std::max<int64_t>(*dv, 1));
    tailRows = std::max<int64_t>(*dv % valueRows, 1);
    hasTail = *dv % valueRows != 0;
    mainEnd = index(*dv - *dv % valueRows);
  } else {
    mainEnd = mul(arith::DivUIOp::create(b, in.valueDim, index(valueRows)),
                  index(valueRows));
  }

  // Whole register tiles of keys: the last may run past the block.
  int64_t scoreRows =
      llvm::divideCeil(shape.blockKeys, shape.keyRows) * shape.keyRows;
  auto scoreType = MemRefType::get({scoreRows, rows}, f32);
  Value scores = memref::AllocOp::create(b, scoreType);
  if (in.bias)
    prepareBias();
  Value negInf = floatSplat(-std::numeric_limits<double>::infinity());
  SmallVector<Value> init = repeat(negInf, nv);
  init.append(repeat(zeros, nv));
  SmallVector<Value> state = loop(
      splitLo, splitHi, blockKeys, init,
      [&](Value keyStart, ValueRange state) -> SmallVector<Value> {
        Value keyCount = min(blockKeys, sub(splitHi, keyStart));
        SmallVector<Value> blockMax = scoreBlock(
            qT, scores, keyStart, keyCount, lo, hi, unmaskedLo, unmaskedHi);
        // Online softmax: a row that has seen no key yet keeps max -inf,
        // and is shifted by 0 so that its probabilities are exp(-inf) = 0.
        SmallVector<Value> newMax, shift, alpha;
        for (int64_t n = 0; n < nv; ++n) {
          newMax.push_back(arith::MaximumFOp::create(b, state[n], blockMax[n]));
          shift.push_back(softmaxShift(b, newMax[n]));
          alpha.push_back(math::ExpOp::create(
              b, arith::SubFOp::create(b, state[n], shift[n])));
        }
        SmallVector<Value> blockSum = loop(
            zero, keyCount, one, repeat(zeros, nv),
            [&](Value j, ValueRange sums) -> SmallVector<Value> {
              SmallVector<Value> next;
              for (int64_t n = 0; n < nv; ++n) {
                Value p = math::ExpOp::create(
                    b, arith::SubFOp::create(b, loadLanes(scores, {j, lane(n)}),
                                             shift[n]));
                vector::StoreOp::create(b, p, scores, ValueRange{j, lane(n)});
                next.push_back(arith::AddFOp::create(b, sums[n], p));
              }
              return next;
            });
        // acc *= alpha, then acc += V^T p over sub-blocks of keys whose
        // values stay in L1 while every channel tile passes over them.
        loop(zero, in.valueDim, one, {},
             [&](Value e, ValueRange) -> SmallVector<Value> {
               for (int64_t n = 0; n < nv; ++n)
                 vector::StoreOp::create(
                     b,
                     arith::MulFOp::create(b, loadLanes(out.acc, {e, lane(n)}),
                                           alpha[n]),
                     out.acc, ValueRange{e, lane(n)});
               return {};
             });
        Value valueKeys = index(shape.valueKeys);
        loop(zero, keyCount, valueKeys, {},
             [&](Value first, ValueRange) -> SmallVector<Value> {
               Value count = min(valueKeys, sub(keyCount, first));
               valueBlock(scores, out.acc, keyStart, first, count, zero,
                          mainEnd, valueRows);
               if (hasTail)
                 valueBlock(scores, out.acc, keyStart, first, count, mainEnd,
                            in.valueDim, tailRows);
               return {};
             });
        SmallVector<Value> next = newMax;
        for (int64_t n = 0; n < nv; ++n)
          next.push_back(arith::AddFOp::create(
              b, arith::MulFOp::create(b, state[nv + n], alpha[n]),
              blockSum[n]));
        return next;
      });
  for (int64_t n = 0; n < nv; ++n) {
    vector::StoreOp::create(b, state[n], out.rowMax, ValueRange{lane(n)});
    vector::StoreOp::create(b, state[nv + n], out.rowSum, ValueRange{lane(n)});
  }
}

void mlir::seq::flash::buildTile(ImplicitLocOpBuilder &b,
                                 const TileShape &shape, const TileInputs &in,
                                 Value splitIndex, Value splitCount,
                                 const TileOutputs &out) {
  TileEmitter{{b}, shape, in}.run(splitIndex, splitCount, out);
}
