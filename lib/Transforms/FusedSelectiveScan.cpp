//===- FusedSelectiveScan.cpp - -seq-fused-selective-scan -----------------===//
//
// Rewrites seq.selective_scan (Mamba-1 S6) into one vector kernel: channels
// in vector lanes (the layout is channels-last), the N states of a block of
// channels carried in registers across the whole sequence, and every step
// fused: softplus(delta + bias), exp(dt * A), the state update, the C
// contraction, D * u and the silu(z) gate, with nothing but y written per
// step. Tasks are (batch entry, block of channels) pairs in an
// scf.parallel. Channels per group that are not whole vectors end in a
// masked vector (u, delta, z, D, the bias and y through the mask).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/ElementwiseMath.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQFUSEDSELECTIVESCAN
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// The most states carried in registers (more would only spill).
constexpr int64_t kMaxStates = 64;

const char *unsupportedReason(SelectiveScanOp op) {
  if (!allOperandsF32(op))
    return "element type other than f32";
  auto aType = cast<RankedTensorType>(op.getA().getType());
  int64_t channels = aType.getDimSize(0), states = aType.getDimSize(1);
  int64_t groups = cast<RankedTensorType>(op.getB().getType()).getDimSize(2);
  if (ShapedType::isDynamic(channels) || ShapedType::isDynamic(states) ||
      ShapedType::isDynamic(groups))
    return "dynamic channel, state or group counts";
  if (states > kMaxStates)
    return "more than 64 states per channel";
  return nullptr;
}

struct Rewriter : VectorKernelBuilder {
  SelectiveScanOp op;
  int64_t channelVectors, prefetchSteps;

  Value vconst(double v) { return splat(f32(v)); }
  Value addf(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, x); }
  /// softplus(x) = max(x, 0) + log1p(exp(-|x|)): no overflow for large x.
  Value softplus(Value x) {
    Value negAbs = arith::NegFOp::create(b, math::AbsFOp::create(b, x));
    return addf(arith::MaximumFOp::create(b, x, vconst(0.0)),
                math::Log1pOp::create(b, exp(negAbs)));
  }

  void run();
};
} // namespace

void Rewriter::run() {
  auto aType = cast<RankedTensorType>(op.getA().getType());
  int64_t channels = aType.getDimSize(0), states = aType.getDimSize(1);
  int64_t groups = cast<RankedTensorType>(op.getB().getType()).getDimSize(2);
  Value u = readBuffer(op.getU()), delta = readBuffer(op.getDelta()),
        a = readBuffer(op.getA()), bm = readBuffer(op.getB()),
        cm = readBuffer(op.getC());
  Value dSkip = op.getD() ? readBuffer(op.getD()) : Value();
  Value z = op.getZ() ? readBuffer(op.getZ()) : Value();
  Value bias = op.getDeltaBias() ? readBuffer(op.getDeltaBias()) : Value();
  Value init =
      op.getInitialState() ? readBuffer(op.getInitialState()) : Value();
  Value batch = dim(u, 0), length = dim(u, 1);
  Value zero = index(0), one = index(1);

  // Channels per group that are not whole vectors: each group ends in a
  // vector of `perGroup % lanes` real lanes.
  int64_t perGroup = channels / groups;
  int64_t groupVectors = llvm::divideCeil(perGroup, lanes);
  bool ragged = perGroup % lanes != 0;

  // A transposed, [N][Dm]: state n of a block of channels is one vector.
  // A ragged last vector reads up to lanes - 1 channels past Dm (lanes
  // whose results are never stored): zeros.
  int64_t rowLength = channels + (ragged ? lanes : 0);
  Value aT = allocF32({states, rowLength});
  loop(zero, index(states), [&](Value n) {
    loop(zero, index(rowLength), [&](Value d) {
      Value inside = cmp(arith::CmpIPredicate::ult, d, index(channels));
      Value v = load(a, {min(d, index(channels - 1)), n});
      store(arith::SelectOp::create(b, inside, v, f32(0.0)), aT, {n, d});
    });
  });
  Value y = allocResult(op.getY(), {batch, length, index(channels)});
  Value last =
      allocResult(op.getLastState(), {batch, index(channels), index(states)});

  // Channels per task: whole cache lines of u, delta, z and y per step (a
  // step moves Dm floats ahead), as many vectors as divide a group.
  int64_t vectors = channelVectors;
  while (groupVectors % vectors != 0)
    --vectors;
  int64_t width = vectors * lanes, groupBlocks = groupVectors / vectors,
          blocks = groups * groupBlocks;
  parallel(mul(batch, index(blocks)), [&](Value task) {
    Value bi = div(task, index(blocks));
    Value block = rem(task, index(blocks));
    Value g = div(block, index(groupBlocks));
    Value groupEnd = mul(add(g, one), index(perGroup));
    Value d0 = add(mul(g, index(perGroup)),
                   mul(rem(block, index(groupBlocks)), index(width)));
    // Vector c of the task covers channels d0 + c*lanes ..., its real
    // lanes those before the group's end (a mask where the group is
    // ragged; null, all lanes, where it is not).
    SmallVector<Value> at, mask, realLanes;
    for (int64_t c = 0; c < vectors; ++c) {
      at.push_back(add(d0, index(c * lanes)));
      realLanes.push_back(ragged ? min(sub(groupEnd, at[c]), index(lanes))
                                 : index(lanes));
      mask.push_back(ragged ? vector::CreateMaskOp::create(
                                  b, VectorType::get({lanes}, b.getI1Type()),
                                  ValueRange{realLanes[c]})
                                  .getResult()
                            : Value());
    }
    // Lane l of vector c, kept in the group (a ragged vector's last lanes
    // read its last channel's initial state).
    auto channelOf = [&](int64_t c, Value l) {
      Value d = add(at[c], l);
      return ragged ? min(d, sub(groupEnd, one)) : d;
    };
    // h[c * N + n]: state n of vector c.
    SmallVector<Value> h(vectors * states, vconst(0.0));
    // initial_state[b, d, n] is strided over the lanes and read once: a loop
    // over the lanes, not lanes x states unrolled inserts.
    if (init)
      h = loop(zero, index(lanes), one, h,
               [&](Value l, ValueRange carried) -> SmallVector<Value> {
                 SmallVector<Value> next;
                 for (int64_t c = 0; c < vectors; ++c)
                   for (int64_t n = 0; n < states; ++n)
                     next.push_back(vector::InsertOp::create(
                         b, load(init, {bi, channelOf(c, l), index(n)}),
                         carried[c * states + n], OpFoldResult(l)));
                 return next;
               });
    SmallVector<Value> biasV, dV;
    for (int64_t c = 0; c < vectors; ++c) {
      if (bias)
        biasV.push_back(loadVec(bias, {at[c]}, mask[c]));
      if (dSkip)
        dV.push_back(loadVec(dSkip, {at[c]}, mask[c]));
    }
    h = loop(
        zero, length, one, h, [&](Value t, ValueRange h) -> SmallVector<Value> {
          SmallVector<Value> next(h.begin(), h.end());
          // A step reads one row of u, delta and z: Dm floats past the last,
          // a stride the hardware prefetchers do not follow across pages.
          if (prefetchSteps > 0) {
            Value ahead = min(add(t, index(prefetchSteps)), sub(length, one));
            for (Value stream : {u, delta, z})
              if (stream)
                for (int64_t c = 0; c < vectors; c += 16 / lanes)
                  memref::PrefetchOp::create(b, stream, {bi, ahead, at[c]},
                                             /*isWrite=*/false,
                                             /*localityHint=*/3,
                                             /*isDataCache=*/true);
          }
          for (int64_t c = 0; c < vectors; ++c) {
            Value dt = loadVec(delta, {bi, t, at[c]}, mask[c]);
            if (bias)
              dt = addf(dt, biasV[c]);
            if (op.getDeltaSoftplus())
              dt = softplus(dt);
            Value uv = loadVec(u, {bi, t, at[c]}, mask[c]);
            Value du = mulf(dt, uv);
            // y = sum_n C_n h_n in four partial sums: one chain of N
            // dependent FMAs would be N FMA latencies per step.
            SmallVector<Value> partial(std::min<int64_t>(states, 4),
                                       vconst(0.0));
            for (int64_t n = 0; n < states; ++n) {
              Value decay = exp(mulf(dt, loadVec(aT, {index(n), at[c]})));
              Value input = mulf(du, splat(load(bm, {bi, t, g, index(n)})));
              Value &hn = next[c * states + n];
              hn = vector::FMAOp::create(b, decay, hn, input);
              Value &sum = partial[n % partial.size()];
              sum = vector::FMAOp::create(
                  b, splat(load(cm, {bi, t, g, index(n)})), hn, sum);
            }
            Value yv = partial[0];
            for (size_t k = 1; k < partial.size(); ++k)
              yv = addf(yv, partial[k]);
            if (dSkip)
              yv = vector::FMAOp::create(b, dV[c], uv, yv);
            if (z) {
              Value zv = loadVec(z, {bi, t, at[c]}, mask[c]);
              yv = mulf(yv, silu(b, b.getLoc(), zv));
            }
            storeVec(yv, y, {bi, t, at[c]}, mask[c]);
          }
          return next;
        });
    // The last state of each vector's real lanes.
    for (int64_t c = 0; c < vectors; ++c)
      loop(zero, realLanes[c], [&](Value l) {
        for (int64_t n = 0; n < states; ++n)
          store(
              vector::ExtractOp::create(b, h[c * states + n], OpFoldResult(l)),
              last, {bi, add(at[c], l), index(n)});
      });
  });

  Value yTensor = resultTensor(y, op.getY().getType());
  Value lastTensor = resultTensor(last, op.getLastState().getType());
  op->replaceAllUsesWith(ValueRange{yTensor, lastTensor});
  op->erase();
}

namespace {
struct SeqFusedSelectiveScanPass
    : mlir::seq::impl::SeqFusedSelectiveScanBase<SeqFusedSelectiveScanPass> {
  using Base::Base;

  void runOnOperation() override {
    // A task's channel vectors are unrolled in its step: past 16 the code
    // only grows (and 0 would divide by zero).
    if (channelVectors < 1 || channelVectors > 16 || prefetchSteps < 0) {
      getOperation()->emitError()
          << "seq-fused-selective-scan: channel-vectors must be 1 to 16 (got "
          << static_cast<int64_t>(channelVectors)
          << ") and prefetch-steps at least 0 (got "
          << static_cast<int64_t>(prefetchSteps) << ")";
      return signalPassFailure();
    }
    if (failed(rewriteSupported<SelectiveScanOp>(
            getOperation(), getArgument(), lanes, emitRemarks,
            [&](SelectiveScanOp op) { return unsupportedReason(op); },
            [&](SelectiveScanOp op) {
              ImplicitLocOpBuilder b(op.getLoc(), op);
              Rewriter{{{b}, lanes}, op, channelVectors, prefetchSteps}.run();
            })))
      signalPassFailure();
  }
};
} // namespace
