//===- GpuSelectiveScan.cpp - -seq-gpu-selective-scan ---------------------===//
//
// seq.selective_scan on the GPU as one kernel with a thread per (batch,
// channel, state index) (see the pass description in Passes.td). The N
// threads of a channel are neighbouring lanes of one warp: each carries its
// h[n] in a register through the sequence, and y_t = sum_n C_t[n] h[n] is a
// butterfly of log2(N) shuffles among them. Nothing but y and the last
// state is written; the reference lowering instead keeps h for every step
// in memory ([B, L, Dm, N]) and reduces it in a second pass.
//
// The steps go kStepsAhead at a time, all their loads issued before the
// first of them is computed: a warp has only its own steps' loads to hide
// memory latency behind (a model's channels make few warps), and one
// step's arithmetic is far shorter than a load (on an H200, B1 D1536 N16
// L2048 took 2.77 ms loading a step at a time: 1.35 us a step). Four, not
// more: at eight ptxas used 78 registers, over the 64 of full occupancy.
//
//===----------------------------------------------------------------------===//

#include "GpuWarp.h"
#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/ElementwiseMath.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include "llvm/Support/MathExtras.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPUSELECTIVESCAN
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// Steps whose inputs are loaded together (see the file comment).
constexpr int64_t kStepsAhead = 4;

/// Why `op` stays with the reference lowering, or null.
const char *unsupportedReason(SelectiveScanOp op) {
  Type element = cast<ShapedType>(op.getU().getType()).getElementType();
  if (!element.isF32() && !element.isF16() && !element.isBF16())
    return "an element type other than f32, f16 or bf16";
  int64_t states = cast<ShapedType>(op.getA().getType()).getDimSize(1);
  if (ShapedType::isDynamic(states) || !llvm::isPowerOf2_64(states) ||
      states > kWarpLanes)
    return "a state size that is not a static power of two up to 32";
  return nullptr;
}

struct Kernel : KernelBuilder {
  SelectiveScanOp op;
  int64_t states;

  Value read(Value buffer, ValueRange at) { return toF32(load(buffer, at)); }
  void run();
};
} // namespace

void Kernel::run() {
  auto buffer = [&](Value tensor) {
    return tensor ? readBuffer(tensor) : Value();
  };
  Value u = buffer(op.getU()), delta = buffer(op.getDelta()),
        a = buffer(op.getA()), bm = buffer(op.getB()), c = buffer(op.getC()),
        d = buffer(op.getD()), z = buffer(op.getZ()),
        bias = buffer(op.getDeltaBias()),
        initial = buffer(op.getInitialState());
  Value batch = dim(u, 0), length = dim(u, 1), channels = dim(u, 2),
        groups = dim(bm, 2);
  Type element = cast<ShapedType>(op.getY().getType()).getElementType();
  Value y = allocResultBuffer(op.getY(), {batch, length, channels});
  Value last = allocResultBuffer(op.getLastState(),
                                 {batch, channels, index(states)});
  Value perGroup = div(channels, groups);

  // Whole warps: the padding lanes redo the last real thread's work (the
  // shuffles need every lane) and store nothing.
  Value threads = mul(mul(batch, channels), index(states));
  Value lanes = mul(ceilDiv(threads, index(kWarpLanes)), index(kWarpLanes));
  Value lastThread = sub(threads, index(1));
  parallel(lanes, [&](Value iteration) {
    Value real = cmp(arith::CmpIPredicate::slt, iteration, threads);
    Value thread = min(iteration, lastThread);
    Value n = rem(thread, index(states));
    Value channel = rem(div(thread, index(states)), channels);
    Value bi = div(div(thread, index(states)), channels);
    Value g = div(channel, perGroup);
    Value decayRate = read(a, {channel, n});
    Value h0 = initial ? read(initial, {bi, channel, n}) : f32(0.0);
    Value firstLane = cmp(arith::CmpIPredicate::eq, n, index(0));

    Value channelBias = bias ? read(bias, {channel}) : Value();
    Value skip = d ? read(d, {channel}) : Value();
    Value lastStep = sub(length, index(1));
    Value h = loop(
        index(0), length, index(kStepsAhead), {h0},
        [&](Value first, ValueRange carried) -> SmallVector<Value> {
          struct StepInputs {
            Value t, inRange, dt, x, bn, cn, gate;
          };
          // Past the end, steps read the last one's inputs and change
          // nothing.
          SmallVector<StepInputs> steps;
          for (int64_t s = 0; s < kStepsAhead; ++s) {
            Value t = add(first, index(s));
            Value inRange = cmp(arith::CmpIPredicate::slt, t, length);
            t = min(t, lastStep);
            steps.push_back({t, inRange, read(delta, {bi, t, channel}),
                             read(u, {bi, t, channel}), read(bm, {bi, t, g, n}),
                             read(c, {bi, t, g, n}),
                             z ? read(z, {bi, t, channel}) : Value()});
          }
          Value state = carried[0];
          for (StepInputs &step : steps) {
            Value dt = step.dt;
            if (channelBias)
              dt = arith::AddFOp::create(b, dt, channelBias);
            if (op.getDeltaSoftplus())
              dt = softplus(b, b.getLoc(), dt);
            Value next = arith::AddFOp::create(
                b,
                arith::MulFOp::create(
                    b,
                    math::ExpOp::create(
                        b, arith::MulFOp::create(b, dt, decayRate)),
                    state),
                arith::MulFOp::create(b, arith::MulFOp::create(b, dt, step.bn),
                                      step.x));
            // y_t: the sum over the channel's N lanes.
            Value sum = laneGroupSum(b, arith::MulFOp::create(b, step.cn, next),
                                     states);
            Value writes = arith::AndIOp::create(
                b, arith::AndIOp::create(b, real, firstLane), step.inRange);
            ifThen(writes, [&] {
              Value out = sum;
              if (skip)
                out = arith::AddFOp::create(
                    b, out, arith::MulFOp::create(b, skip, step.x));
              if (step.gate)
                out = arith::MulFOp::create(b, out,
                                            silu(b, b.getLoc(), step.gate));
              store(fromF32(out, element), y, {bi, step.t, channel});
            });
            state = arith::SelectOp::create(b, step.inRange, next, state);
          }
          return {state};
        })[0];
    ifThen(real, [&] { store(fromF32(h, element), last, {bi, channel, n}); });
  });

  op->replaceAllUsesWith(
      ValueRange{resultTensor(y, op.getY().getType()),
                 resultTensor(last, op.getLastState().getType())});
  op->erase();
}

namespace {
struct SeqGpuSelectiveScanPass
    : mlir::seq::impl::SeqGpuSelectiveScanBase<SeqGpuSelectiveScanPass> {
  using Base::Base;

  void runOnOperation() override {
    rewriteSupported<SelectiveScanOp>(
        getOperation(), emitRemarks, unsupportedReason,
        [](SelectiveScanOp op) {
          ImplicitLocOpBuilder b(op.getLoc(), op);
          Kernel kernel{{b},
                        op,
                        cast<ShapedType>(op.getA().getType()).getDimSize(1)};
          kernel.run();
        });
  }
};
} // namespace
