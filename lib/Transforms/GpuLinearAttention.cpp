//===- GpuLinearAttention.cpp - -seq-gpu-linear-attention -----------------===//
//
// seq.linear_attention with f16 or bf16 operands on the GPU, chunkwise on
// tensor cores (see the pass description in Passes.td). A warp owns one
// batch entry, one head and 16 columns of the value dimension, and walks
// the sequence in chunks of 16 steps carrying its slice of the state in
// registers, transposed (S^T: 16 value rows by Dk key columns, as Dk / 8
// mma.sync accumulators). With G_i the decay's cumulative log within the
// chunk (0 without decay), for the chunk's steps i and j:
//
//   o_i  = scale (exp(G_i) q_i S  +  sum_{j <= i} exp(G_i - G_j) (q_i . k_j)
//   v_j) S'^T = exp(G_15) S^T  +  sum_j exp(G_15 - G_j) v_j^T k_j
//
// Each product is mma.sync.m16n8k16: Q K^T for the chunk's scores; the
// masked, decayed scores, rounded to the input type, as the A operand of
// P V (MmaBuilder.h: a C tile pair is an A fragment); Q S, whose B operand
// is the state's C fragments read as B fragments of S (MmaBuilder.h: the
// transpose); and the state update V^T K. Every factor exp(...) is at most
// 1 for decays <= 0, so nothing overflows within a chunk.
//
// With a decay per key channel (GLA, bf16), G_i is a vector over the
// channels, written for every step by a first kernel, and the factors
// move into the operands: q_i exp(G_i) for the scores and Q S, k_j
// exp(-G_j) for the scores (up to exp(16 |decay|): within bf16's range,
// which is f32's, not f16's), k_j exp(G_15 - G_j) for the update, and each
// state column decays by its own channel's exp(G_15).
//
// Without that per-channel decay the warps of one head's value slices are
// one block, which copies each chunk's rows of Q and K to shared memory
// once for all of them (a barrier after the copy, another before the next).
//
//===----------------------------------------------------------------------===//

#include "MmaBuilder.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/GpuBlockKernels.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPULINEARATTENTION
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
constexpr int64_t kChunk = 16, kSlice = 16, kMaxKeyDim = 128;
/// The largest block of a head's value slices that stages Q and K (value
/// heads up to 512); larger ones read them from global memory.
constexpr int64_t kMaxBlockThreads = 1024;

/// Why `op` stays with the reference lowering, or null.
const char *unsupportedReason(LinearAttentionOp op) {
  auto q = cast<ShapedType>(op.getQ().getType());
  Type element = q.getElementType();
  if (!element.isF16() && !element.isBF16())
    return "an element type other than f16 or bf16";
  if (op.getBeta())
    return "the delta rule (beta)";
  if (op.getNormalize())
    return "the mLSTM normalizer";
  if (Value decay = op.getDecay())
    if (cast<ShapedType>(decay.getType()).getRank() == 4 && !element.isBF16())
      return "a decay per key channel in f16 (the chunk's keys are rescaled "
             "by up to exp(16 |decay|), beyond f16's range; bf16 has f32's)";
  int64_t dk = q.getDimSize(3);
  int64_t dv = cast<ShapedType>(op.getV().getType()).getDimSize(3);
  if (ShapedType::isDynamic(dk) || dk % 16 != 0 || dk > kMaxKeyDim)
    return "a key size that is not a static multiple of 16 up to 128";
  if (ShapedType::isDynamic(dv) || dv % kSlice != 0)
    return "a value size that is not a static multiple of 16";
  return nullptr;
}

struct Kernel : MmaBuilder {
  LinearAttentionOp op;
  int64_t keyDim, valueDim;
  void run();
};
} // namespace

void Kernel::run() {
  Value q = readBuffer(op.getQ()), k = readBuffer(op.getK()),
        v = readBuffer(op.getV());
  Value decay = op.getDecay() ? readBuffer(op.getDecay()) : Value();
  // [H]: one decay per head; [B, H, L]: one per step; [B, H, L, Dk]: one
  // per step and key channel (GLA).
  int64_t decayRank = decay ? cast<MemRefType>(decay.getType()).getRank() : 0;
  bool perHead = decayRank == 1, perKey = decayRank == 4;
  Value initial =
      op.getInitialState() ? readBuffer(op.getInitialState()) : Value();
  Value batch = dim(q, 0), heads = dim(q, 1), length = dim(q, 2);
  double scaleValue = op.getScaleAttr() ? op.getScaleAttr().getValueAsDouble()
                                        : 1.0 / std::sqrt(double(keyDim));

  Value out = allocResultBuffer(op.getOutput(),
                                {batch, heads, length, index(valueDim)});
  Value finalState = allocResultBuffer(
      op.getFinalState(), {batch, heads, index(keyDim), index(valueDim)});

  Value slices = index(valueDim / kSlice);
  Value warps = mul(mul(batch, heads), slices);
  Value zero = f32(0.0), scale = f32(scaleValue);
  Value lastStep = sub(length, index(1));

  // Per key channel, a first kernel writes each step's cumulative decay
  // within its chunk, G[b, h, t, d] (f32), which the chunks then read
  // instead of each lane summing the decays it needs again.
  Value cumulativeDecay;
  if (perKey) {
    Value chunks = ceilDiv(length, index(kChunk));
    cumulativeDecay = allocF32(
        {ShapedType::kDynamic, ShapedType::kDynamic, ShapedType::kDynamic,
         keyDim},
        {batch, heads, length});
    parallel(mul(mul(mul(batch, heads), chunks), index(keyDim)),
             [&](Value task) {
               Value d = rem(task, index(keyDim));
               Value rest = div(task, index(keyDim));
               Value start = mul(rem(rest, chunks), index(kChunk));
               Value h = rem(div(rest, chunks), heads);
               Value bi = div(div(rest, chunks), heads);
               Value end = min(add(start, index(kChunk)), length);
               loop(start, end, index(1), {f32(0.0)},
                    [&](Value t, ValueRange sum) -> SmallVector<Value> {
                      Value next = arith::AddFOp::create(
                          b, sum[0], toF32(load(decay, {bi, h, t, d})));
                      store(next, cumulativeDecay, {bi, h, t, d});
                      return {next};
                    });
             });
  }
  // One iteration per lane; seq-gpu-map-parallel-loops makes consecutive
  // iterations consecutive threads, so each aligned 32 are one warp, and
  // the warps of one head's value slices, consecutive, one block when they
  // stage the chunk's Q and K in shared memory.
  int64_t blockThreads = valueDim / kSlice * kWarp;
  bool staged = blockThreads <= kMaxBlockThreads && !perKey;
  Value lanes = mul(warps, index(kWarp));
  scf::ParallelOp kernel = parallel(lanes, [&](Value iteration) {
    Value qShared, kShared;
    if (staged) {
      // A chunk's rows of Q and K, in pairs (each fragment register is one
      // 4-byte load), rows padded by 8 elements against bank conflicts.
      auto type = sharedBufferType({kChunk, (keyDim + 8) / 2}, pairType());
      qShared = memref::AllocaOp::create(b, type);
      kShared = memref::AllocaOp::create(b, type);
    }
    Value lane = rem(iteration, index(kWarp));
    Value warp = div(iteration, index(kWarp));
    Value firstColumn = mul(rem(warp, slices), index(kSlice));
    Value h = rem(div(warp, slices), heads);
    Value bi = div(div(warp, slices), heads);
    Value g = div(lane, index(4)), t = rem(lane, index(4));
    Value twoT = mul(t, index(2));

    // The state's slice, transposed: tile n holds S[8n + 2t + j][g + 8r].
    SmallVector<Value> state;
    for (int64_t n = 0; n < keyDim / 8; ++n) {
      if (!initial) {
        state.push_back(zeros(cType()));
        continue;
      }
      SmallVector<Value> values;
      for (int64_t r = 0; r < 2; ++r)
        for (int64_t j = 0; j < 2; ++j)
          values.push_back(toF32(load(
              initial, {bi, h, add(index(8 * n + j), twoT),
                        add(firstColumn, add(g, index(8 * r)))})));
      state.push_back(vector::FromElementsOp::create(b, cType(), values));
    }

    SmallVector<Value> finalTiles = loop(
        index(0), length, index(kChunk), state,
        [&](Value start, ValueRange tiles) -> SmallVector<Value> {
          Value valid = sub(length, start); // steps [0, valid) are real
          auto real = [&](Value i) {
            return cmp(arith::CmpIPredicate::slt, i, valid);
          };
          auto step = [&](Value i) { return min(add(start, i), lastStep); };
          // The block copies the chunk's Q and K rows (clamped to real
          // steps, as every read is) to shared memory and waits.
          if (staged) {
            Value thread = rem(iteration, index(blockThreads));
            int64_t pairsPerRow = keyDim / 2;
            loop(thread, index(kChunk * pairsPerRow), index(blockThreads), {},
                 [&](Value p, ValueRange) -> SmallVector<Value> {
                   Value row = div(p, index(pairsPerRow));
                   Value column = rem(p, index(pairsPerRow));
                   Value at = mul(column, index(2));
                   store(pair(q, {bi, h, step(row), at}), qShared,
                         {row, column});
                   store(pair(k, {bi, h, step(row), at}), kShared,
                         {row, column});
                   return {};
                 });
            gpu::BarrierOp::create(b);
          }
          // Q's and K's pairs at step `t` (a clamped step of the chunk),
          // channels `d`, `d` + 1, and K's element at channel `d`.
          auto pairAt = [&](Value memref, Value shared, Value t,
                            Value d) -> Value {
            if (!staged)
              return pair(memref, {bi, h, t, d});
            return load(shared, {sub(t, start), div(d, index(2))});
          };
          auto qPair = [&](Value t, Value d) {
            return pairAt(q, qShared, t, d);
          };
          auto kPair = [&](Value t, Value d) {
            return pairAt(k, kShared, t, d);
          };
          auto kElement = [&](Value t, Value d) -> Value {
            if (!staged)
              return load(k, {bi, h, t, d});
            return vector::ExtractOp::create(
                b, kPair(t, mul(div(d, index(2)), index(2))),
                ArrayRef<OpFoldResult>{rem(d, index(2))});
          };
          // G_i: the decay's sum over the chunk's real steps 0..i.
          auto cumulative = [&](Value i) -> Value {
            if (!decay || perKey)
              return zero;
            Value last = min(add(i, index(1)), valid);
            return loop(index(0), last, index(1), {zero},
                        [&](Value u, ValueRange sum) -> SmallVector<Value> {
                          Value x = perHead
                                        ? load(decay, {h})
                                        : load(decay, {bi, h, add(start, u)});
                          return {arith::AddFOp::create(b, sum[0], toF32(x))};
                        })[0];
          };
          auto exp = [&](Value x) { return math::ExpOp::create(b, x); };
          auto sub32 = [&](Value x, Value y) {
            return arith::SubFOp::create(b, x, y);
          };
          auto mul32 = [&](Value x, Value y) {
            return arith::MulFOp::create(b, x, y);
          };

          // This lane's rows g + 8r and key columns 8n + 2t + j.
          Value rows[2], rowDecay[2], columns[2][2], columnDecay[2][2];
          for (int64_t r = 0; r < 2; ++r) {
            rows[r] = add(g, index(8 * r));
            rowDecay[r] = cumulative(rows[r]);
          }
          for (int64_t n = 0; n < 2; ++n)
            for (int64_t j = 0; j < 2; ++j) {
              columns[n][j] = add(twoT, index(8 * n + j));
              columnDecay[n][j] = cumulative(columns[n][j]);
            }
          Value chunkDecay = cumulative(index(kChunk - 1));

          // Per key channel: exp(sign * G) of step `t` (clamped to a real
          // step, as the loads are) and channel `d`; the chunk's last real
          // step carries its whole decay.
          Value lastOfChunk = step(index(kChunk - 1));
          auto decayFactor = [&](Value t, Value d, double sign) {
            Value x = load(cumulativeDecay, {bi, h, t, d});
            return exp(sign > 0 ? x : arith::NegFOp::create(b, x).getResult());
          };
          // A pair of `memref` at row `t`, channels `d`, `d` + 1, each scaled
          // by exp(sign * G[t][its channel]).
          auto scaledPair = [&](function_ref<Value(Value, Value)> pairOf,
                                Value t, Value d, double sign) {
            Value values = pairOf(t, d);
            SmallVector<Value> scaled;
            for (int64_t j = 0; j < 2; ++j)
              scaled.push_back(mul32(
                  toF32(vector::ExtractOp::create(b, values,
                                                  ArrayRef<int64_t>{j})),
                  decayFactor(t, add(d, index(j)), sign)));
            return scaled;
          };

          // Q's fragments; per key channel, q_i exp(G_i) (at most 1), which
          // serves both the chunk's scores and Q S.
          SmallVector<Value> queries;
          for (int64_t d = 0; d < keyDim; d += 16) {
            Value column = add(index(d), twoT);
            Value column8 = add(column, index(8));
            if (!perKey) {
              queries.push_back(
                  fragment(aType(), {qPair(step(rows[0]), column),
                                     qPair(step(rows[1]), column),
                                     qPair(step(rows[0]), column8),
                                     qPair(step(rows[1]), column8)}));
              continue;
            }
            SmallVector<Value> scaled;
            for (int64_t r = 0; r < 4; ++r)
              llvm::append_range(scaled,
                                 scaledPair(qPair, step(rows[r % 2]),
                                            r / 2 ? column8 : column, 1.0));
            queries.push_back(fragmentOf(aType(), scaled));
          }

          // P[i][j] = scale exp(G_i - G_j) q_i . k_j for j <= i, else 0
          // (per key channel: scale (q_i exp(G_i)) . (k_j exp(-G_j)); for a
          // masked key the factor may overflow, but only into its own,
          // discarded, scores).
          SmallVector<Value> probabilities;
          for (int64_t n = 0; n < 2; ++n) {
            Value key = step(add(g, index(8 * n)));
            Value scores = zeros(cType());
            for (int64_t d = 0; d < keyDim; d += 16) {
              Value column = add(index(d), twoT);
              Value column8 = add(column, index(8));
              Value keys;
              if (perKey) {
                SmallVector<Value> scaled =
                    scaledPair(kPair, key, column, -1.0);
                llvm::append_range(scaled,
                                   scaledPair(kPair, key, column8, -1.0));
                keys = fragmentOf(bType(), scaled);
              } else {
                keys = fragment(bType(),
                                {kPair(key, column), kPair(key, column8)});
              }
              scores = mma(queries[d / 16], keys, scores);
            }
            for (int64_t r = 0; r < 2; ++r)
              for (int64_t j = 0; j < 2; ++j) {
                Value seen = arith::AndIOp::create(
                    b, cmp(arith::CmpIPredicate::ule, columns[n][j], rows[r]),
                    real(columns[n][j]));
                Value p = mul32(extract(scores, r, j), scale);
                if (!perKey)
                  p = mul32(p, exp(sub32(rowDecay[r], columnDecay[n][j])));
                probabilities.push_back(arith::SelectOp::create(b, seen, p, zero));
              }
          }
          Value pFragment = fragmentOf(aType(), probabilities);

          // The output: two tiles of 8 value columns.
          for (int64_t m = 0; m < 2; ++m) {
            Value column = add(firstColumn, add(index(8 * m), g));
            SmallVector<Value> values;
            for (int64_t r = 0; r < 2; ++r)
              for (int64_t j = 0; j < 2; ++j)
                values.push_back(load(
                    v, {bi, h, step(add(twoT, index(j + 8 * r))), column}));
            Value intra = mma(pFragment,
                              vector::FromElementsOp::create(b, bType(), values),
                              zeros(cType()));
            Value inter = zeros(cType());
            for (int64_t d = 0; d < keyDim / 16; ++d)
              inter = mma(queries[d],
                          fragmentOf(bType(), {extract(tiles[2 * d], m, 0),
                                               extract(tiles[2 * d], m, 1),
                                               extract(tiles[2 * d + 1], m, 0),
                                               extract(tiles[2 * d + 1], m, 1)}),
                          inter);
            for (int64_t r = 0; r < 2; ++r)
              ifThen(real(rows[r]), [&] {
                Value rowScale =
                    perKey ? scale : mul32(scale, exp(rowDecay[r]));
                SmallVector<Value> pairValues;
                for (int64_t j = 0; j < 2; ++j)
                  pairValues.push_back(arith::AddFOp::create(
                      b, mul32(extract(inter, r, j), rowScale),
                      extract(intra, r, j)));
                vector::StoreOp::create(
                    b, fragmentOf(pairType(), pairValues), out,
                    ValueRange{bi, h, add(start, rows[r]),
                               add(firstColumn, add(index(8 * m), twoT))});
              });
          }

          // S'^T = exp(G_15) S^T + (V^T scaled by exp(G_15 - G_j)) K.
          SmallVector<Value> values;
          for (int64_t r = 0; r < 4; ++r)
            for (int64_t j = 0; j < 2; ++j) {
              Value column = columns[r / 2][j];
              Value x = toF32(load(
                  v, {bi, h, step(column),
                      add(firstColumn, add(g, index(8 * (r % 2))))}));
              if (!perKey)
                x = mul32(x, exp(sub32(chunkDecay, columnDecay[r / 2][j])));
              values.push_back(
                  arith::SelectOp::create(b, real(column), x, zero));
            }
          Value valuesT = fragmentOf(aType(), values);
          Value carry = vector::BroadcastOp::create(b, cType(), exp(chunkDecay));
          SmallVector<Value> next;
          for (int64_t n = 0; n < keyDim / 8; ++n) {
            Value channel = add(index(8 * n), g);
            Value channelChunkDecay =
                perKey ? load(cumulativeDecay, {bi, h, lastOfChunk, channel})
                       : Value();
            SmallVector<Value> keys;
            for (int64_t r = 0; r < 2; ++r)
              for (int64_t j = 0; j < 2; ++j) {
                Value keyStep = step(add(twoT, index(j + 8 * r)));
                Value x = kElement(keyStep, channel);
                // Per key channel: k_j exp(G_15 - G_j) (at most 1).
                if (perKey)
                  x = mul32(toF32(x),
                            exp(sub32(channelChunkDecay,
                                      load(cumulativeDecay,
                                           {bi, h, keyStep, channel}))));
                keys.push_back(x);
              }
            // Per key channel, column 8n + 2t + j of the tile decays by its
            // channel's exp(G_15).
            Value tileCarry = carry;
            if (perKey) {
              Value column = add(index(8 * n), twoT);
              Value e0 = decayFactor(lastOfChunk, column, 1.0);
              Value e1 = decayFactor(lastOfChunk, add(column, index(1)), 1.0);
              tileCarry = vector::FromElementsOp::create(
                  b, cType(), ValueRange{e0, e1, e0, e1});
            }
            next.push_back(mma(valuesT, fragmentOf(bType(), keys),
                               arith::MulFOp::create(b, tiles[n], tileCarry)));
          }
          // The next chunk's copy overwrites the tiles.
          if (staged)
            gpu::BarrierOp::create(b);
          return next;
        });

    for (int64_t n = 0; n < keyDim / 8; ++n)
      for (int64_t r = 0; r < 2; ++r)
        for (int64_t j = 0; j < 2; ++j)
          store(arith::TruncFOp::create(b, element, extract(finalTiles[n], r, j)),
                finalState,
                {bi, h, add(index(8 * n + j), twoT),
                 add(firstColumn, add(g, index(8 * r)))});
  });

  if (staged)
    setBlockSize(kernel, blockThreads);

  op->replaceAllUsesWith(
      ValueRange{resultTensor(out, op.getOutput().getType()),
                 resultTensor(finalState, op.getFinalState().getType())});
  op->erase();
}

namespace {
struct SeqGpuLinearAttentionPass
    : mlir::seq::impl::SeqGpuLinearAttentionBase<SeqGpuLinearAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    rewriteSupported<LinearAttentionOp>(
        getOperation(), emitRemarks, unsupportedReason,
        [](LinearAttentionOp op) {
          ImplicitLocOpBuilder b(op.getLoc(), op);
          auto q = cast<ShapedType>(op.getQ().getType());
          Kernel kernel{{{b}, q.getElementType()},
                        op,
                        q.getDimSize(3),
                        cast<ShapedType>(op.getV().getType()).getDimSize(3)};
          kernel.run();
        });
  }
};
} // namespace
