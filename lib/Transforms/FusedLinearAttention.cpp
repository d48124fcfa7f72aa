//===- FusedLinearAttention.cpp - -seq-fused-linear-attention -------------===//
//
// Rewrites seq.linear_attention (plain, decayed, delta rule) into the
// recurrent form on vectors. Columns of the state S [Dk, Dv] evolve
// independently (decay scales rows, the updates are rank one), so a task
// owns a block of value columns of one (batch entry, head): its slice of S
// ([Dk] x `lanes * column-vectors` floats, contiguous) stays in L1 for the
// whole sequence, and each step is one pass over it (two with the delta
// rule):
//
//   s = a_k * S[k][cols]            (decay: per head, step or key channel)
//   s = s + k_k * v[cols]           (plain)      | pred += k_k * s (delta)
//   S[k][cols] = s;  o += q_k * s                | then s += k_k * beta (v -
//   pred)
//
// exp(decay) is computed once, vectorized, before the column tasks.
//
// mLSTM's normalizer (`normalize`: n = a n + k, o = scale q S / max(|scale
// q . n|, 1), n the state's last column) is one more column that every
// task carries for itself, a [Dk] vector updated and dotted with q on
// vectors of key channels; the first task stores it.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "PadUnits.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQFUSEDLINEARATTENTION
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
const char *unsupportedReason(LinearAttentionOp op, int64_t lanes) {
  if (!allOperandsF32(op))
    return "element type other than f32";
  auto qType = cast<RankedTensorType>(op.getQ().getType());
  int64_t dv = cast<RankedTensorType>(op.getV().getType()).getDimSize(3);
  if (ShapedType::isDynamic(qType.getDimSize(3)) || ShapedType::isDynamic(dv))
    return "dynamic head sizes";
  // (Padding v's columns would move the state's normalizer column.)
  if (op.getNormalize() && dv % lanes != 0)
    return "the mLSTM normalizer with a value head size that is not a "
           "multiple of the vector width";
  // padValueColumns retypes these from their static value size.
  SmallVector<Value> padded(op->getResults());
  if (Value initial = op.getInitialState())
    padded.push_back(initial);
  if (dv % lanes != 0 && llvm::any_of(padded, [](Value value) {
        return cast<ShapedType>(value.getType()).isDynamicDim(3);
      }))
    return "a dynamic value size in a result or the initial state, with the "
           "value head padded to the vector width";
  return nullptr;
}

/// Pads a value head size that is not a multiple of `lanes` with zero
/// columns of v and of the initial state: the state's padded columns stay
/// 0 (S = a S + k v^T, and the delta rule's v - k S is 0 there too), and so
/// do the output's. Both results are sliced back. From one task's worth of
/// columns on, to whole tasks: 100 columns padded only to 104 on AVX2 made
/// 13 one-vector tasks, each reading q, k and the decay at every step, and
/// ran 3x slower than 128 columns.
void padValueColumns(LinearAttentionOp op, int64_t lanes,
                     int64_t columnVectors) {
  int64_t dv = cast<RankedTensorType>(op.getV().getType()).getDimSize(3);
  if (dv % lanes == 0)
    return;
  int64_t task = lanes * columnVectors;
  int64_t padded = llvm::alignTo(dv, dv >= task ? task : lanes);
  ImplicitLocOpBuilder b(op.getLoc(), op);
  op.getVMutable().assign(resizeUnitGroups(b, op.getV(), 3, dv, padded));
  if (Value initial = op.getInitialState())
    op.getInitialStateMutable().assign(
        resizeUnitGroups(b, initial, 3, dv, padded));
  b.setInsertionPointAfter(op);
  for (OpResult result : op->getResults())
    widenResult(b, result, 3, dv, padded);
}

enum class DecayKind { None, PerHead, PerStep, PerKey };

struct Rewriter : VectorKernelBuilder {
  LinearAttentionOp op;
  int64_t columnVectors;

  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  Value fma(Value x, Value y, Value z) {
    return vector::FMAOp::create(b, x, y, z);
  }
  Value normalizerStep(Value normalizer, Value q, Value k, Value factor,
                       Value stepFactor, ValueRange at, int64_t dk);

  void run();
};
} // namespace

/// n = a n + k_t over the [Dk] normalizer (a: the per-key `factor` at
/// `at` = {b, h, t}, else `stepFactor`, a scalar, else 1), on vectors of key
/// channels and a scalar tail; returns q_t . n (f32).
Value Rewriter::normalizerStep(Value normalizer, Value q, Value k, Value factor,
                               Value stepFactor, ValueRange at, int64_t dk) {
  auto keyAt = [&](Value c) {
    SmallVector<Value> where(at.begin(), at.end());
    where.push_back(c);
    return where;
  };
  auto key = [&](int64_t c) { return keyAt(index(c)); };
  auto vectorStep = [&](Value c, Value dot) {
    Value n = loadVec(normalizer, {c});
    if (factor)
      n = mulf(loadVec(factor, keyAt(c)), n);
    else if (stepFactor)
      n = mulf(splat(stepFactor), n);
    n = arith::AddFOp::create(b, n, loadVec(k, keyAt(c)));
    storeVec(n, normalizer, {c});
    return fma(loadVec(q, keyAt(c)), n, dot);
  };
  Value dot = splat(f32(0.0));
  int64_t full = dk - dk % lanes;
  // A loop, not unrolled: unrolled, the step's code grew with Dk (Dk =
  // 65536 took 50 s to compile); the loop ran as fast at Dk = 64 and 128.
  dot = loop(index(0), index(full), index(lanes), {dot},
             [&](Value c, ValueRange acc) -> SmallVector<Value> {
               return {vectorStep(c, acc[0])};
             })[0];
  Value sum =
      vector::ReductionOp::create(b, vector::CombiningKind::ADD, dot, Value(),
                                  arith::FastMathFlags::reassoc);
  for (int64_t c = full; c < dk; ++c) {
    Value n = load(normalizer, {index(c)});
    if (factor)
      n = mulf(load(factor, key(c)), n);
    else if (stepFactor)
      n = mulf(stepFactor, n);
    n = arith::AddFOp::create(b, n, load(k, key(c)));
    store(n, normalizer, {index(c)});
    sum = math::FmaOp::create(b, load(q, key(c)), n, sum);
  }
  return sum;
}

void Rewriter::run() {
  auto qType = cast<RankedTensorType>(op.getQ().getType());
  int64_t dk = qType.getDimSize(3);
  int64_t dv = cast<RankedTensorType>(op.getV().getType()).getDimSize(3);
  Value q = readBuffer(op.getQ()), k = readBuffer(op.getK()),
        v = readBuffer(op.getV());
  Value decay = op.getDecay() ? readBuffer(op.getDecay()) : Value();
  Value beta = op.getBeta() ? readBuffer(op.getBeta()) : Value();
  Value init =
      op.getInitialState() ? readBuffer(op.getInitialState()) : Value();
  DecayKind kind = DecayKind::None;
  if (decay) {
    int64_t rank = cast<MemRefType>(decay.getType()).getRank();
    kind = rank == 1   ? DecayKind::PerHead
           : rank == 3 ? DecayKind::PerStep
                       : DecayKind::PerKey;
  }
  Value batch = dim(q, 0), heads = dim(q, 1), length = dim(q, 2);
  Value zero = index(0), one = index(1);
  double scaleValue = op.getScaleAttr() ? op.getScaleAttr().getValueAsDouble()
                                        : 1.0 / std::sqrt(double(dk));
  Value scale = f32(scaleValue);

  // exp(decay), once: per key channel vectorized over the channels.
  Value factor;
  if (kind == DecayKind::PerKey) {
    int64_t dyn = ShapedType::kDynamic;
    factor = allocF32({dyn, dyn, dyn, dk}, {batch, heads, length});
    parallel(mul(batch, heads), [&](Value bh) {
      Value bi = div(bh, heads), h = rem(bh, heads);
      loop(zero, length, [&](Value t) {
        int64_t full = dk - dk % lanes;
        loop(index(0), index(full), index(lanes), {},
             [&](Value c, ValueRange) -> SmallVector<Value> {
               storeVec(math::ExpOp::create(b, loadVec(decay, {bi, h, t, c})),
                        factor, {bi, h, t, c});
               return {};
             });
        for (int64_t c = full; c < dk; ++c)
          store(math::ExpOp::create(b, load(decay, {bi, h, t, index(c)})),
                factor, {bi, h, t, index(c)});
      });
    });
  }

  Value out = allocResult(op.getOutput(), {batch, heads, length, index(dv)});
  bool normalize = op.getNormalize();
  Value state =
      allocResult(op.getFinalState(),
                  {batch, heads, index(dk), index(dv + (normalize ? 1 : 0))});

  // Value columns per task: as many vectors as divide Dv.
  int64_t vectors = columnVectors;
  while (dv % (vectors * lanes) != 0)
    --vectors;
  int64_t width = vectors * lanes, blocks = dv / width;
  parallel(mul(mul(batch, heads), index(blocks)), [&](Value task) {
    Value bh = div(task, index(blocks));
    Value bi = div(bh, heads), h = rem(bh, heads);
    SmallVector<Value> cols;
    for (int64_t c = 0; c < vectors; ++c)
      cols.push_back(
          add(mul(rem(task, index(blocks)), index(width)), index(c * lanes)));
    // The task's slice of S, contiguous: rows of the [B, H, Dk, Dv] state
    // are Dv floats apart, which would map the slice onto a few L1 sets.
    Value slice = allocF32({dk, width});
    SmallVector<Value> at;
    for (int64_t c = 0; c < vectors; ++c)
      at.push_back(index(c * lanes));
    loop(zero, index(dk), [&](Value row) {
      for (int64_t c = 0; c < vectors; ++c)
        storeVec(init ? loadVec(init, {bi, h, row, cols[c]}) : splat(f32(0.0)),
                 slice, {row, at[c]});
    });
    // The normalizer (the state's column Dv), this task's own copy.
    Value normalizer;
    if (normalize) {
      normalizer = allocF32({dk});
      loop(zero, index(dk), [&](Value row) {
        store(init ? load(init, {bi, h, row, index(dv)}) : f32(0.0), normalizer,
              {row});
      });
    }
    loop(zero, length, [&](Value t) {
      SmallVector<Value> vv;
      for (Value col : cols)
        vv.push_back(loadVec(v, {bi, h, t, col}));
      Value stepScalar, stepFactor;
      if (kind == DecayKind::PerHead)
        stepScalar = math::ExpOp::create(b, load(decay, {h}));
      if (kind == DecayKind::PerStep)
        stepScalar = math::ExpOp::create(b, load(decay, {bi, h, t}));
      if (stepScalar)
        stepFactor = splat(stepScalar);
      Value zeros = splat(f32(0.0));
      // One pass over the rows of S: decay, then the plain update or the
      // delta rule's prediction k S.
      SmallVector<Value> acc =
          loop(zero, index(dk), one, SmallVector<Value>(vectors, zeros),
               [&](Value row, ValueRange acc) -> SmallVector<Value> {
                 Value kk = splat(load(k, {bi, h, t, row}));
                 Value a = stepFactor;
                 if (kind == DecayKind::PerKey)
                   a = splat(load(factor, {bi, h, t, row}));
                 Value qk = beta ? Value()
                                 : splat(mulf(load(q, {bi, h, t, row}), scale));
                 SmallVector<Value> next;
                 for (int64_t c = 0; c < vectors; ++c) {
                   Value s = loadVec(slice, {row, at[c]});
                   if (a)
                     s = mulf(a, s);
                   if (beta) {
                     next.push_back(fma(kk, s, acc[c]));
                   } else {
                     s = fma(kk, vv[c], s);
                     next.push_back(fma(qk, s, acc[c]));
                   }
                   storeVec(s, slice, {row, at[c]});
                 }
                 return next;
               });
      SmallVector<Value> o = acc;
      if (beta) {
        // u = beta (v - k S); S += k^T u; o = scale q S.
        Value bt = splat(load(beta, {bi, h, t}));
        SmallVector<Value> u;
        for (int64_t c = 0; c < vectors; ++c)
          u.push_back(mulf(bt, arith::SubFOp::create(b, vv[c], acc[c])));
        o = loop(zero, index(dk), one, SmallVector<Value>(vectors, zeros),
                 [&](Value row, ValueRange acc) -> SmallVector<Value> {
                   Value kk = splat(load(k, {bi, h, t, row}));
                   Value qk = splat(mulf(load(q, {bi, h, t, row}), scale));
                   SmallVector<Value> next;
                   for (int64_t c = 0; c < vectors; ++c) {
                     Value s = fma(kk, u[c], loadVec(slice, {row, at[c]}));
                     storeVec(s, slice, {row, at[c]});
                     next.push_back(fma(qk, s, acc[c]));
                   }
                   return next;
                 });
      }
      if (normalize) {
        // o / max(|scale q . n|, 1).
        Value qn = arith::MulFOp::create(
            b, scale,
            normalizerStep(normalizer, q, k,
                           kind == DecayKind::PerKey ? factor : Value(),
                           stepScalar, {bi, h, t}, dk));
        Value divisor = splat(arith::MaximumFOp::create(
            b, math::AbsFOp::create(b, qn), f32(1.0)));
        for (Value &oc : o)
          oc = arith::DivFOp::create(b, oc, divisor);
      }
      for (int64_t c = 0; c < vectors; ++c)
        storeVec(o[c], out, {bi, h, t, cols[c]});
    });
    loop(zero, index(dk), [&](Value row) {
      for (int64_t c = 0; c < vectors; ++c)
        storeVec(loadVec(slice, {row, at[c]}), state, {bi, h, row, cols[c]});
    });
    if (normalize)
      ifThen(cmp(arith::CmpIPredicate::eq, rem(task, index(blocks)), zero),
             [&] {
               loop(zero, index(dk), [&](Value row) {
                 store(load(normalizer, {row}), state, {bi, h, row, index(dv)});
               });
             });
  });

  Value outTensor = resultTensor(out, op.getOutput().getType());
  Value stateTensor = resultTensor(state, op.getFinalState().getType());
  op->replaceAllUsesWith(ValueRange{outTensor, stateTensor});
  op->erase();
}

namespace {
struct SeqFusedLinearAttentionPass
    : mlir::seq::impl::SeqFusedLinearAttentionBase<
          SeqFusedLinearAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    // A task's column vectors are unrolled in its step: past 16 the code
    // only grows (and 0 would divide by zero).
    if (columnVectors < 1 || columnVectors > 16) {
      getOperation()->emitError()
          << "seq-fused-linear-attention: column-vectors must be 1 to 16 "
             "(got "
          << static_cast<int64_t>(columnVectors) << ")";
      return signalPassFailure();
    }
    if (failed(rewriteSupported<LinearAttentionOp>(
            getOperation(), getArgument(), lanes, emitRemarks,
            [&](LinearAttentionOp op) { return unsupportedReason(op, lanes); },
            [&](LinearAttentionOp op) {
              padValueColumns(op, lanes, columnVectors);
              ImplicitLocOpBuilder b(op.getLoc(), op);
              Rewriter{{{b}, lanes}, op, columnVectors}.run();
            })))
      signalPassFailure();
  }
};
} // namespace
