//===- GpuAttentionTensorCore.cpp - attention on tensor cores -------------===//
//
// seq.attention with f16 or bf16 operands on the GPU as FlashAttention-2
// does it in registers: a warp owns 16 query rows of one head and streams
// over their keys 16 at a time. The scores S = Q K^T of a block are two
// mma.sync.m16n8k16 accumulators (f32), whose layout puts two rows and
// four keys of each row in every lane, so the online softmax's row max and
// sum take two shuffles among the row's four lanes; the probabilities P,
// rounded to the input type, are already in the layout of the A operand of
// the next mma.sync, P V, which accumulates the output in registers. No
// shared memory, no barriers: warps are independent. Q's fragments are
// loaded once; K and V are read from global memory (through the caches) in
// the operand layouts.
//
// The fragment layouts are in MmaBuilder.h. seq-gpu-emulate-on-host computes mma.sync from the same layouts, which is
// how this kernel is tested numerically without a GPU.
//
//===----------------------------------------------------------------------===//

#include "GpuAttentionTensorCore.h"
#include "FlashAttentionTile.h"
#include "MmaBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;
using namespace mlir::seq;

namespace {
constexpr int64_t kRows = 16, kKeys = 16;
/// The largest head sizes: the kernel keeps D / 16 fragments of Q (4
/// registers each) and Dv / 8 accumulators (4 each) in each lane's
/// registers; at 128 and 128 that is 174 registers on sm_80, no spills.
constexpr int64_t kMaxHeadDim = 128, kMaxValueDim = 128;
} // namespace

const char *mlir::seq::tensorCoreUnsupportedReason(AttentionOp op) {
  Type element = cast<ShapedType>(op.getQ().getType()).getElementType();
  if (!element.isF16() && !element.isBF16())
    return "an element type other than f16 or bf16";
  int64_t headDim = cast<ShapedType>(op.getQ().getType()).getDimSize(3);
  int64_t valueDim = cast<ShapedType>(op.getV().getType()).getDimSize(3);
  if (ShapedType::isDynamic(headDim) || headDim % 16 != 0 ||
      headDim > kMaxHeadDim)
    return "a head size that is not a static multiple of 16 up to 128";
  if (ShapedType::isDynamic(valueDim) || valueDim % 8 != 0 ||
      valueDim > kMaxValueDim)
    return "a value head size that is not a static multiple of 8 up to 128";
  return nullptr;
}

namespace {
struct TensorCoreKernel : MmaBuilder {
  AttentionOp op;
  int64_t headDim, valueDim;

  void run();
};
} // namespace

void TensorCoreKernel::run() {
  Value q = readBuffer(op.getQ()), k = readBuffer(op.getK()),
        v = readBuffer(op.getV());
  Value kvLen = op.getKvLen() ? readBuffer(op.getKvLen()) : Value();
  Value batch = dim(q, 0), heads = dim(q, 1), queryLength = dim(q, 2),
        kvHeads = dim(k, 1), keyLength = dim(k, 2);
  Value group = div(heads, kvHeads);
  Value scale = flash::attentionScale(*this, op, index(headDim));

  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  Value out = allocResultBuffer(
      op.getOutput(), {batch, heads, queryLength, index(valueDim)});
  Value lse;
  RankedTensorType lseType;
  if (Value lseResult = op.getLse()) {
    lseType = cast<RankedTensorType>(lseResult.getType());
    lse = allocResult(lseResult, {batch, heads, queryLength});
  }

  Value negInf = f32(-std::numeric_limits<double>::infinity());
  Value zero = f32(0.0);
  Value queryBlocks = ceilDiv(queryLength, index(kRows));
  Value warps = mul(mul(batch, heads), queryBlocks);
  // One iteration per lane; seq-gpu-map-parallel-loops makes consecutive
  // iterations consecutive threads, so each aligned 32 are one warp.
  parallel(mul(warps, index(kWarp)), [&](Value iteration) {
    Value lane = rem(iteration, index(kWarp));
    Value warp = div(iteration, index(kWarp));
    Value queryBlock = rem(warp, queryBlocks);
    Value h = rem(div(warp, queryBlocks), heads);
    Value bi = div(div(warp, queryBlocks), heads);
    Value kvHead = div(h, group);
    Value g = div(lane, index(4)), t = rem(lane, index(4));

    flash::TileInputs in;
    in.group = group, in.queryLength = queryLength, in.keyLength = keyLength;
    in.visibleLength = flash::visibleLength(*this, kvLen, bi, keyLength);
    flash::setMasks(in, op);
    // The masks' key intervals move forward with the row, so the warp's
    // keys run from its first row's first to its last row's last.
    Value firstRow = mul(queryBlock, index(kRows));
    Value lastQuery = sub(queryLength, index(1));
    Value lastRow = min(add(firstRow, index(kRows - 1)), lastQuery);
    Value warpLo = flash::visibleKeys(*this, in, mul(firstRow, group)).first;
    Value warpHi = flash::visibleKeys(*this, in, mul(lastRow, group)).second;

    // This lane's rows g and g + 8 of the block: their keys, and the row
    // each reads (past the last query: the last, never stored).
    Value rows[2], lo[2], hi[2], readRows[2];
    for (int64_t i = 0; i < 2; ++i) {
      rows[i] = add(firstRow, add(g, index(8 * i)));
      std::tie(lo[i], hi[i]) = flash::visibleKeys(*this, in, mul(rows[i], group));
      readRows[i] = min(rows[i], lastQuery);
    }
    Value twoT = mul(t, index(2));
    SmallVector<Value> queryFragments;
    for (int64_t d = 0; d < headDim; d += 16) {
      Value column = add(index(d), twoT);
      Value column8 = add(column, index(8));
      queryFragments.push_back(fragment(
          aType(), {pair(q, {bi, h, readRows[0], column}),
                    pair(q, {bi, h, readRows[1], column}),
                    pair(q, {bi, h, readRows[0], column8}),
                    pair(q, {bi, h, readRows[1], column8})}));
    }

    // Carried: each row's running max and (this lane's part of the) sum,
    // then the Dv / 8 output accumulators.
    SmallVector<Value> inits = {negInf, negInf, zero, zero};
    for (int64_t e = 0; e < valueDim; e += 8)
      inits.push_back(zeros(cType()));
    Value lastKey = sub(keyLength, index(1));
    SmallVector<Value> state = loop(
        warpLo, warpHi, index(kKeys), inits,
        [&](Value keyStart, ValueRange carried) -> SmallVector<Value> {
          // s[n][i][j]: row g + 8i, key keyStart + 8n + 2t + j.
          Value s[2][2][2];
          for (int64_t n = 0; n < 2; ++n) {
            Value key = min(add(keyStart, add(index(8 * n), g)), lastKey);
            Value scores = zeros(cType());
            for (int64_t d = 0; d < headDim; d += 16) {
              Value column = add(index(d), twoT);
              Value keys = fragment(
                  bType(), {pair(k, {bi, kvHead, key, column}),
                            pair(k, {bi, kvHead, key, add(column, index(8))})});
              scores = mma(queryFragments[d / 16], keys, scores);
            }
            for (int64_t i = 0; i < 2; ++i)
              for (int64_t j = 0; j < 2; ++j) {
                Value x = arith::MulFOp::create(b, extract(scores, i, j), scale);
                if (in.softcap) {
                  Value cap = f32(*in.softcap);
                  x = arith::MulFOp::create(
                      b, cap,
                      math::TanhOp::create(b, arith::DivFOp::create(b, x, cap)));
                }
                Value keyIndex = add(keyStart, add(index(8 * n), add(twoT, index(j))));
                Value seen = arith::AndIOp::create(
                    b, cmp(arith::CmpIPredicate::sge, keyIndex, lo[i]),
                    cmp(arith::CmpIPredicate::slt, keyIndex, hi[i]));
                s[n][i][j] = arith::SelectOp::create(b, seen, x, negInf);
              }
          }
          SmallVector<Value> next(4);
          Value alpha[2], p[2][2][2];
          for (int64_t i = 0; i < 2; ++i) {
            Value blockMax = negInf;
            for (int64_t n = 0; n < 2; ++n)
              for (int64_t j = 0; j < 2; ++j)
                blockMax = arith::MaximumFOp::create(b, blockMax, s[n][i][j]);
            Value newMax = arith::MaximumFOp::create(
                b, carried[i], rowReduce(blockMax, /*isMax=*/true));
            // A row that has seen no key yet: subtract 0, not -inf.
            Value safe = arith::SelectOp::create(
                b,
                arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, newMax,
                                      negInf),
                zero, newMax);
            alpha[i] = math::ExpOp::create(
                b, arith::SubFOp::create(b, carried[i], safe));
            Value sum = arith::MulFOp::create(b, carried[2 + i], alpha[i]);
            for (int64_t n = 0; n < 2; ++n)
              for (int64_t j = 0; j < 2; ++j) {
                p[n][i][j] = math::ExpOp::create(
                    b, arith::SubFOp::create(b, s[n][i][j], safe));
                sum = arith::AddFOp::create(b, sum, p[n][i][j]);
              }
            next[i] = newMax;
            next[2 + i] = sum;
          }
          // P as the A operand: register r = 2n + i holds p[n][i][0..1].
          SmallVector<Value> probabilities;
          for (int64_t n = 0; n < 2; ++n)
            for (int64_t i = 0; i < 2; ++i)
              for (int64_t j = 0; j < 2; ++j)
                probabilities.push_back(p[n][i][j]);
          Value pFragment = fragmentOf(aType(), probabilities);
          Value rescale = vector::FromElementsOp::create(
              b, cType(), ValueRange{alpha[0], alpha[0], alpha[1], alpha[1]});
          // V's rows keyStart + 2t + j + 8r (clamped: their P is 0).
          Value valueKeys[2][2];
          for (int64_t r = 0; r < 2; ++r)
            for (int64_t j = 0; j < 2; ++j)
              valueKeys[r][j] = min(
                  add(keyStart, add(twoT, index(j + 8 * r))), lastKey);
          for (int64_t e = 0; e < valueDim; e += 8) {
            Value column = add(index(e), g);
            SmallVector<Value> values;
            for (int64_t r = 0; r < 2; ++r)
              for (int64_t j = 0; j < 2; ++j)
                values.push_back(load(v, {bi, kvHead, valueKeys[r][j], column}));
            Value acc = arith::MulFOp::create(b, carried[4 + e / 8], rescale);
            next.push_back(mma(pFragment,
                               vector::FromElementsOp::create(b, bType(), values),
                               acc));
          }
          return next;
        });

    for (int64_t i = 0; i < 2; ++i) {
      Value rowMax = state[i];
      Value rowSum = rowReduce(state[2 + i], /*isMax=*/false);
      // A row that saw no key: output 0, lse -inf.
      Value none =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, rowSum, zero);
      Value inverse = arith::SelectOp::create(
          b, none, zero, arith::DivFOp::create(b, f32(1.0), rowSum));
      ifThen(cmp(arith::CmpIPredicate::slt, rows[i], queryLength), [&] {
        for (int64_t e = 0; e < valueDim; e += 8) {
          Value acc = state[4 + e / 8];
          SmallVector<Value> pairValues;
          for (int64_t j = 0; j < 2; ++j)
            pairValues.push_back(arith::TruncFOp::create(
                b, element,
                arith::MulFOp::create(b, extract(acc, i, j), inverse)));
          vector::StoreOp::create(
              b,
              vector::FromElementsOp::create(
                  b, VectorType::get({2}, element), pairValues),
              out, ValueRange{bi, h, rows[i], add(index(e), twoT)});
        }
        if (lse)
          ifThen(cmp(arith::CmpIPredicate::eq, t, index(0)), [&] {
            Value value = arith::SelectOp::create(
                b, none, negInf,
                arith::AddFOp::create(b, rowMax, math::LogOp::create(b, rowSum)));
            store(value, lse, {bi, h, rows[i]});
          });
      });
    }
  });

  SmallVector<Value> results = {resultTensor(out, outType)};
  if (lse)
    results.push_back(resultTensor(lse, lseType));
  op->replaceAllUsesWith(results);
  op->erase();
}

void mlir::seq::lowerAttentionOnTensorCores(ImplicitLocOpBuilder &b,
                                            AttentionOp op) {
  auto headDim = cast<ShapedType>(op.getQ().getType()).getDimSize(3);
  auto valueDim = cast<ShapedType>(op.getV().getType()).getDimSize(3);
  Type element = cast<ShapedType>(op.getQ().getType()).getElementType();
  TensorCoreKernel kernel{{{b}, element}, op, headDim, valueDim};
  kernel.run();
}
