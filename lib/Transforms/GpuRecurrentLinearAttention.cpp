//===- GpuRecurrentLinearAttention.cpp - -seq-gpu-recurrent-linear-attention //
//
// seq.linear_attention as one GPU kernel that walks the sequence step by
// step with the state in registers (see the pass description in
// Passes.td): the forms the chunked tensor-core kernel does not take (f32,
// the delta rule, the mLSTM normalizer, f16 GLA). The reference lowering
// of those is a host loop over the steps that launches kernels at every
// step (on an H200, fp32 GLA at B1 H4 L4096 Dk=Dv=128 took 218 ms that
// way, the delta rule 410 ms).
//
// A group of `lanes` neighbouring lanes of a warp owns one value column of
// one head; lane p holds the state's rows p, p + lanes, p + 2 lanes, ...
// (interleaved, so that a step's rows of q and k are one coalesced read
// across the group, and the same read for every column of the warp). The
// dot products over the key dimension, k_t . S for the delta rule and
// q_t . S for the output, are each lane's partial sum followed by a
// butterfly of log2(lanes) shuffles, after which every lane of the group
// has the sum (the delta rule's update needs it in every lane).
//
// As in the selective scan's kernel, the steps go a few at a time with
// all their loads issued first: the warps of a layer's heads are few, and
// one step's arithmetic is far shorter than a load's latency.
//
//===----------------------------------------------------------------------===//

#include "GpuWarp.h"
#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/GpuBlockKernels.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPURECURRENTLINEARATTENTION
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// The most state rows a lane carries (registers; Dk = 1024 at 32 lanes).
constexpr int64_t kMaxRowsPerLane = 32;
/// The most values a lane loads ahead for a group of steps.
constexpr int64_t kLoadsAhead = 48;
/// Blocks of two warps: a layer's heads make few warps (B1 H4 Dk=Dv=128:
/// 512), which blocks of 256 threads would put on 64 multiprocessors of
/// an H200's 132; 64-thread blocks still fill one (32 blocks of them).
constexpr int64_t kBlockThreads = 64;

/// The lanes that share a value column: the largest power of two up to a
/// warp that divides the key size, so that each lane has whole rows.
int64_t lanesPerColumn(int64_t keyDim) {
  return std::min<int64_t>(kWarpLanes, keyDim & -keyDim);
}

/// Why `op` stays with the reference lowering, or null.
const char *unsupportedReason(LinearAttentionOp op) {
  auto q = cast<ShapedType>(op.getQ().getType());
  Type element = q.getElementType();
  if (!element.isF32() && !element.isF16() && !element.isBF16())
    return "an element type other than f32, f16 or bf16";
  int64_t keyDim = q.getDimSize(3);
  if (ShapedType::isDynamic(keyDim))
    return "a dynamic key size";
  if (keyDim / lanesPerColumn(keyDim) > kMaxRowsPerLane)
    return "a key size with more than 32 rows a lane (the key size over "
           "its largest power-of-two factor up to 32)";
  return nullptr;
}

struct Kernel : KernelBuilder {
  LinearAttentionOp op;
  int64_t keyDim, lanes, rows;

  Value read(Value buffer, ValueRange at) { return toF32(load(buffer, at)); }
  Value addf(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  /// sum_i x[i] y[i] over the column's lanes: each lane's rows, then a
  /// butterfly that leaves the sum in every lane of the group.
  Value dot(ArrayRef<Value> x, ArrayRef<Value> y) {
    Value sum = mulf(x[0], y[0]);
    for (size_t i = 1; i < x.size(); ++i)
      sum = addf(sum, mulf(x[i], y[i]));
    return laneGroupSum(b, sum, lanes);
  }
  void run();
};
} // namespace

void Kernel::run() {
  auto buffer = [&](Value tensor) {
    return tensor ? readBuffer(tensor) : Value();
  };
  Value q = buffer(op.getQ()), k = buffer(op.getK()), v = buffer(op.getV()),
        decay = buffer(op.getDecay()), beta = buffer(op.getBeta()),
        initial = buffer(op.getInitialState());
  // [H]: one decay per head; [B, H, L]: one per step; [B, H, L, Dk]: one
  // per step and key channel (GLA).
  int64_t decayRank = decay ? cast<MemRefType>(decay.getType()).getRank() : 0;
  bool perHead = decayRank == 1, perStep = decayRank == 3,
       perKey = decayRank == 4, normalize = op.getNormalize();
  Type element = cast<ShapedType>(op.getOutput().getType()).getElementType();
  Value batch = dim(q, 0), heads = dim(q, 1), length = dim(q, 2),
        valueDim = dim(v, 3);
  Value scale = f32(op.getScaleAttr() ? op.getScaleAttr().getValueAsDouble()
                                      : 1.0 / std::sqrt(double(keyDim)));

  Value out =
      allocResultBuffer(op.getOutput(), {batch, heads, length, valueDim});
  // With the normalizer, the state's last column (index Dv) is n.
  Value finalState = allocResultBuffer(
      op.getFinalState(), {batch, heads, index(keyDim),
                           normalize ? add(valueDim, index(1)) : valueDim});

  // A step's loads: q and k rows (and GLA's decay rows, or registers for
  // the normalizer's rows), v, beta, a decay.
  int64_t loadsPerStep = rows * (perKey || normalize ? 3 : 2) + 3;
  int64_t stepsAhead =
      std::clamp<int64_t>(kLoadsAhead / loadsPerStep, int64_t(1), int64_t(4));

  // Whole blocks: the padding lanes redo the last real thread's work (the
  // shuffles need every lane) and store nothing.
  Value threads = mul(mul(mul(batch, heads), valueDim), index(lanes));
  Value padded =
      mul(ceilDiv(threads, index(kBlockThreads)), index(kBlockThreads));
  Value lastThread = sub(threads, index(1));
  scf::ParallelOp kernel = parallel(padded, [&](Value iteration) {
    Value real = cmp(arith::CmpIPredicate::slt, iteration, threads);
    Value thread = min(iteration, lastThread);
    Value lane = rem(thread, index(lanes));
    Value rest = div(thread, index(lanes));
    Value column = rem(rest, valueDim);
    rest = div(rest, valueDim);
    Value h = rem(rest, heads);
    Value bi = div(rest, heads);
    SmallVector<Value> rowIndex;
    for (int64_t i = 0; i < rows; ++i)
      rowIndex.push_back(add(lane, index(lanes * i)));

    // Carried: the state's rows of this column, then the normalizer's.
    SmallVector<Value> init;
    for (int64_t i = 0; i < rows; ++i)
      init.push_back(initial ? read(initial, {bi, h, rowIndex[i], column})
                             : f32(0.0));
    if (normalize)
      for (int64_t i = 0; i < rows; ++i)
        init.push_back(initial ? read(initial, {bi, h, rowIndex[i], valueDim})
                               : f32(0.0));
    Value headDecay = perHead
                          ? math::ExpOp::create(b, read(decay, {h})).getResult()
                          : Value();
    Value stores = arith::AndIOp::create(
        b, real, cmp(arith::CmpIPredicate::eq, lane, index(0)));
    Value lastStep = sub(length, index(1));

    SmallVector<Value> last = loop(
        index(0), length, index(stepsAhead), init,
        [&](Value first, ValueRange carried) -> SmallVector<Value> {
          struct StepInputs {
            Value t, inRange, value, decay, beta;
            SmallVector<Value> query, key, keyDecay;
          };
          // Past the end, steps read the last one's inputs and change
          // nothing.
          SmallVector<StepInputs> steps;
          for (int64_t s = 0; s < stepsAhead; ++s) {
            StepInputs step;
            step.t = add(first, index(s));
            step.inRange = cmp(arith::CmpIPredicate::slt, step.t, length);
            Value t = min(step.t, lastStep);
            step.t = t;
            for (int64_t i = 0; i < rows; ++i) {
              step.query.push_back(read(q, {bi, h, t, rowIndex[i]}));
              step.key.push_back(read(k, {bi, h, t, rowIndex[i]}));
              if (perKey)
                step.keyDecay.push_back(read(decay, {bi, h, t, rowIndex[i]}));
            }
            step.value = read(v, {bi, h, t, column});
            if (perStep)
              step.decay = read(decay, {bi, h, t});
            if (beta)
              step.beta = read(beta, {bi, h, t});
            steps.push_back(std::move(step));
          }

          SmallVector<Value> state(carried.begin(), carried.begin() + rows);
          SmallVector<Value> norm(carried.begin() + rows, carried.end());
          for (StepInputs &step : steps) {
            // S = a (.) S, n = a (.) n.
            SmallVector<Value> decayed(state), decayedNorm(norm);
            Value factor = perHead ? headDecay
                           : perStep
                               ? math::ExpOp::create(b, step.decay).getResult()
                               : Value();
            for (int64_t i = 0; i < rows; ++i) {
              Value a =
                  perKey ? math::ExpOp::create(b, step.keyDecay[i]).getResult()
                         : factor;
              if (!a)
                continue;
              decayed[i] = mulf(a, decayed[i]);
              if (normalize)
                decayedNorm[i] = mulf(a, decayedNorm[i]);
            }
            // S += k^T u with u = v, or beta (v - k S) for the delta rule.
            Value update = step.value;
            if (beta)
              update = mulf(
                  step.beta,
                  arith::SubFOp::create(b, step.value, dot(step.key, decayed)));
            SmallVector<Value> next, nextNorm;
            for (int64_t i = 0; i < rows; ++i) {
              next.push_back(addf(decayed[i], mulf(step.key[i], update)));
              if (normalize)
                nextNorm.push_back(addf(decayedNorm[i], step.key[i]));
            }
            // o = scale q S (/ max(|scale q . n|, 1) with the normalizer).
            Value o = mulf(scale, dot(step.query, next));
            if (normalize)
              o = arith::DivFOp::create(
                  b, o,
                  arith::MaximumFOp::create(
                      b,
                      math::AbsFOp::create(
                          b, mulf(scale, dot(step.query, nextNorm))),
                      f32(1.0)));
            ifThen(arith::AndIOp::create(b, stores, step.inRange), [&] {
              store(fromF32(o, element), out, {bi, h, step.t, column});
            });
            for (int64_t i = 0; i < rows; ++i) {
              state[i] =
                  arith::SelectOp::create(b, step.inRange, next[i], state[i]);
              if (normalize)
                norm[i] = arith::SelectOp::create(b, step.inRange, nextNorm[i],
                                                  norm[i]);
            }
          }
          SmallVector<Value> yielded(state);
          yielded.append(norm);
          return yielded;
        });

    ifThen(real, [&] {
      for (int64_t i = 0; i < rows; ++i)
        store(fromF32(last[i], element), finalState,
              {bi, h, rowIndex[i], column});
    });
    // The normalizer is the same in every column: the first one stores it.
    if (normalize)
      ifThen(arith::AndIOp::create(
                 b, real, cmp(arith::CmpIPredicate::eq, column, index(0))),
             [&] {
               for (int64_t i = 0; i < rows; ++i)
                 store(fromF32(last[rows + i], element), finalState,
                       {bi, h, rowIndex[i], valueDim});
             });
  });
  setBlockSize(kernel, kBlockThreads);

  op->replaceAllUsesWith(
      ValueRange{resultTensor(out, op.getOutput().getType()),
                 resultTensor(finalState, op.getFinalState().getType())});
  op->erase();
}

namespace {
struct SeqGpuRecurrentLinearAttentionPass
    : mlir::seq::impl::SeqGpuRecurrentLinearAttentionBase<
          SeqGpuRecurrentLinearAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    rewriteSupported<LinearAttentionOp>(
        getOperation(), emitRemarks, unsupportedReason,
        [](LinearAttentionOp op) {
          ImplicitLocOpBuilder b(op.getLoc(), op);
          int64_t keyDim = cast<ShapedType>(op.getQ().getType()).getDimSize(3);
          int64_t lanes = lanesPerColumn(keyDim);
          Kernel kernel{{b}, op, keyDim, lanes, keyDim / lanes};
          kernel.run();
        });
  }
};
} // namespace
