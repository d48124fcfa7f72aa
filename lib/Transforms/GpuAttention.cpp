//===- GpuAttention.cpp - -seq-gpu-attention ------------------------------===//
//
// seq.attention for the CUDA target as one parallel loop over query rows
// and splits of their keys, each streaming over its keys with an online
// softmax, and a second loop combining the splits (split-KV, so that
// decoding's few rows still fill the GPU; see the pass description in
// Passes.td). The reference lowering builds the [Lq, Lk] scores in memory
// and passes over them several times; here a row's scores live one at a
// time in registers and memory is O(L * D). fp16 and bf16 inputs are
// computed in f32.
//
// f16 and bf16 attention whose head sizes suit mma.sync takes the
// tensor-core kernel instead (GpuAttentionTensorCore.cpp); this file keeps
// the thread-per-row form for everything else and chooses between them.
//
//===----------------------------------------------------------------------===//

#include "FlashAttentionTile.h"
#include "GpuAttentionTensorCore.h"
#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <array>
#include <limits>

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPUATTENTION
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// Split-KV: threads the splits aim for at least, and keys a split takes
/// at least.
constexpr int64_t kTargetThreads = 32768, kMinSplitKeys = 64;

/// Why `op` stays with the reference lowering, or null.
const char *unsupportedReason(AttentionOp op) {
  Type element = cast<ShapedType>(op.getQ().getType()).getElementType();
  if (!element.isF32() && !element.isF16() && !element.isBF16())
    return "an element type other than f32, f16 or bf16";
  for (Value v : {op.getK(), op.getV(), op.getOutput()})
    if (cast<ShapedType>(v.getType()).getElementType() != element)
      return "operands of different element types";
  // (rewriteSupported checks this too, but only after the reasons below.)
  if (insideSeqRegion(op))
    return "inside the region of another seq op";
  return flash::unsupportedLseType(op);
}

struct Rewriter : KernelBuilder {
  AttentionOp op;

  void run();
};
} // namespace

void Rewriter::run() {
  Value q = readBuffer(op.getQ()), k = readBuffer(op.getK()),
        v = readBuffer(op.getV());
  Value kvLen = op.getKvLen() ? readBuffer(op.getKvLen()) : Value();
  Value bias = op.getBias() ? readBuffer(op.getBias()) : Value();
  Value batch = dim(q, 0), heads = dim(q, 1), queryLength = dim(q, 2),
        headDim = dim(q, 3), kvHeads = dim(k, 1), keyLength = dim(k, 2),
        valueDim = dim(v, 3);
  Value group = div(heads, kvHeads);
  Value scale = flash::attentionScale(*this, op, headDim);

  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  Type element = outType.getElementType();
  SmallVector<Value> outSizes = {batch, heads, queryLength, valueDim};
  Value out = allocResultBuffer(op.getOutput(), outSizes);
  Value lse;
  RankedTensorType lseType;
  if (Value lseResult = op.getLse()) {
    lseType = cast<RankedTensorType>(lseResult.getType());
    lse = allocResult(lseResult, {batch, heads, queryLength});
  }

  // Split-KV (flash-decoding): with few rows (decoding: B * H of them) a
  // thread per row leaves the GPU idle, so each row's keys are split among
  // up to `splits` threads, chosen on the host, each with its own running
  // max, sum and output; a second kernel combines them. With many rows
  // `splits` is 1.
  Value rows = mul(mul(batch, heads), queryLength);
  Value one = index(1);
  Value splits = min(ceilDiv(index(kTargetThreads), max(rows, one)),
                     ceilDiv(keyLength, index(kMinSplitKeys)));
  splits = max(splits, one);
  int64_t dyn = ShapedType::kDynamic;
  Value partialOut = allocF32({dyn, dyn, dyn}, {rows, splits, valueDim});
  Value partialMax = allocF32({dyn, dyn}, {rows, splits});
  Value partialSum = allocF32({dyn, dyn}, {rows, splits});

  Value negInf = f32(-std::numeric_limits<double>::infinity());
  Value zero = f32(0.0);
  // (batch, head, query) of a row, rows ordered as the output's.
  auto rowIndices = [&](Value row) {
    Value bh = div(row, queryLength);
    return std::array<Value, 3>{div(bh, heads), rem(bh, heads),
                                rem(row, queryLength)};
  };
  parallel(mul(rows, splits), [&](Value task) {
    Value split = rem(task, splits);
    Value row = div(task, splits);
    std::array<Value, 3> at = rowIndices(row);
    Value bi = at[0], h = at[1], i = at[2];
    Value kvHead = div(h, group);
    flash::TileInputs in;
    in.group = group, in.queryLength = queryLength, in.keyLength = keyLength;
    in.visibleLength = flash::visibleLength(*this, kvLen, bi, keyLength);
    flash::setMasks(in, op);
    in.bias = bias;
    // The row's bias row (broadcast dimensions at 0).
    SmallVector<Value> biasAt;
    if (bias) {
      std::array<Value, 3> row = flash::biasRowAt(*this, in, bi, h, i);
      biasAt.assign(row.begin(), row.end());
    }
    // The row's keys: query i of any of the group's heads (row i * G);
    // this split's share of them.
    auto [rowLo, rowHi] = flash::visibleKeys(*this, in, mul(i, group));
    Value span = ceilDiv(max(sub(rowHi, rowLo), index(0)), splits);
    Value lo = min(add(rowLo, mul(split, span)), rowHi);
    Value hi = min(add(lo, span), rowHi);

    loop(index(0), valueDim,
         [&](Value e) { store(zero, partialOut, {row, split, e}); });
    SmallVector<Value> state = loop(
        lo, hi, index(1), {negInf, zero},
        [&](Value j, ValueRange state) -> SmallVector<Value> {
          Value dot = loop(index(0), headDim, index(1), {zero},
                           [&](Value d, ValueRange sum) -> SmallVector<Value> {
                             Value x = toF32(load(q, {bi, h, i, d}));
                             Value y = toF32(load(k, {bi, kvHead, j, d}));
                             return {arith::AddFOp::create(
                                 b, sum[0], arith::MulFOp::create(b, x, y))};
                           })[0];
          Value s = arith::MulFOp::create(b, dot, scale);
          if (in.softcap) {
            Value cap = f32(*in.softcap);
            s = arith::MulFOp::create(
                b, cap,
                math::TanhOp::create(b, arith::DivFOp::create(b, s, cap)));
          }
          if (bias) {
            SmallVector<Value> at = biasAt;
            at.push_back(flash::biasIndex(*this, in, 3, j));
            s = arith::AddFOp::create(b, s, toF32(load(bias, at)));
          }
          // Online softmax: the first key's alpha is exp(-inf) = 0. While
          // every score so far is -inf (a bias can mask keys), the shift
          // is 0, not -inf, so that alpha and p are exp(-inf) = 0.
          Value newMax = arith::MaximumFOp::create(b, state[0], s);
          Value shift = flash::softmaxShift(b, newMax);
          Value alpha =
              math::ExpOp::create(b, arith::SubFOp::create(b, state[0], shift));
          Value p = math::ExpOp::create(b, arith::SubFOp::create(b, s, shift));
          loop(index(0), valueDim, [&](Value e) {
            Value a = load(partialOut, {row, split, e});
            Value x = toF32(load(v, {bi, kvHead, j, e}));
            store(arith::AddFOp::create(b, arith::MulFOp::create(b, a, alpha),
                                        arith::MulFOp::create(b, p, x)),
                  partialOut, {row, split, e});
          });
          return {newMax, arith::AddFOp::create(
                              b, arith::MulFOp::create(b, state[1], alpha), p)};
        });
    store(state[0], partialMax, {row, split});
    store(state[1], partialSum, {row, split});
  });

  // The splits combined, a thread per output element: each split's share
  // rescaled to the row's max (a split that saw no key has max -inf and
  // sum 0, and contributes nothing).
  parallel(mul(rows, valueDim), [&](Value task) {
    Value e = rem(task, valueDim);
    Value row = div(task, valueDim);
    std::array<Value, 3> at = rowIndices(row);
    Value bi = at[0], h = at[1], i = at[2];
    Value rowMax = loop(index(0), splits, one, {negInf},
                        [&](Value sp, ValueRange m) -> SmallVector<Value> {
                          return {arith::MaximumFOp::create(
                              b, m[0], load(partialMax, {row, sp}))};
                        })[0];
    // A row that saw no key: subtract 0, not -inf (its output is 0).
    Value safe = flash::softmaxShift(b, rowMax);
    SmallVector<Value> sums = loop(
        index(0), splits, one, {zero, zero},
        [&](Value sp, ValueRange acc) -> SmallVector<Value> {
          Value w = math::ExpOp::create(
              b, arith::SubFOp::create(b, load(partialMax, {row, sp}), safe));
          return {arith::AddFOp::create(
                      b, acc[0],
                      arith::MulFOp::create(b, w, load(partialSum, {row, sp}))),
                  arith::AddFOp::create(
                      b, acc[1],
                      arith::MulFOp::create(
                          b, w, load(partialOut, {row, sp, e})))};
        });
    Value none =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, sums[0], zero);
    Value x = arith::SelectOp::create(
        b, none, zero, arith::DivFOp::create(b, sums[1], sums[0]));
    store(fromF32(x, element), out, {bi, h, i, e});
    if (lse)
      ifThen(cmp(arith::CmpIPredicate::eq, e, index(0)), [&] {
        store(arith::SelectOp::create(
                  b, none, negInf,
                  arith::AddFOp::create(b, rowMax,
                                        math::LogOp::create(b, sums[0]))),
              lse, {bi, h, i});
      });
  });

  SmallVector<Value> results = {resultTensor(out, outType)};
  if (lse)
    results.push_back(resultTensor(lse, lseType));
  op->replaceAllUsesWith(results);
  op->erase();
}

namespace {
struct SeqGpuAttentionPass
    : mlir::seq::impl::SeqGpuAttentionBase<SeqGpuAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    rewriteSupported<AttentionOp>(
        getOperation(), emitRemarks, unsupportedReason, [&](AttentionOp op) {
          ImplicitLocOpBuilder b(op.getLoc(), op);
          const char *scalarWhy = tensorCores ? tensorCoreUnsupportedReason(op)
                                              : "tensor-cores=false";
          if (!scalarWhy) {
            lowerAttentionOnTensorCores(b, op, sharedMemory);
            return;
          }
          // Remarks only where tensor cores were possible (f16, bf16).
          Type element =
              cast<ShapedType>(op.getQ().getType()).getElementType();
          if (emitRemarks && (element.isF16() || element.isBF16()))
            op->emitRemark() << "a thread per query row, not tensor cores: "
                             << scalarWhy;
          Rewriter{{b}, op}.run();
        });
  }
};
} // namespace
