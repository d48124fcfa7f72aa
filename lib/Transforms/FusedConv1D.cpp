//===- FusedConv1D.cpp - -seq-fused-conv1d --------------------------------===//
//
// Rewrites depthwise seq.conv1d (Mamba's short convolution, TCN layers)
// into one streaming vector kernel: channels in lanes (the layout is
// channels-last), bias and activation fused, y written once. A convolution
// has no recurrence, so tasks are (batch entry, block of steps), each
// walking its rows in order so that x and y stream sequentially. Steps that
// reach back before the sequence read the carried `state` (or zeros) and
// take a separate, slower path; the others read x only. A channel count
// that is not a multiple of the vector width ends in a block of masked
// loads and stores.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/ElementwiseMath.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQFUSEDCONV1D
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// Steps per task: enough work to amortize a task, enough tasks for the
/// threads on short sequences.
constexpr int64_t kStepsPerTask = 64;

const char *unsupportedReason(Conv1DOp op) {
  if (!allOperandsF32(op))
    return "element type other than f32";
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  auto xType = cast<RankedTensorType>(op.getX().getType());
  if (!wType.hasStaticShape() || xType.isDynamicDim(2))
    return "dynamic channel or kernel sizes";
  if (wType.getDimSize(1) != 1 || wType.getDimSize(0) != xType.getDimSize(2))
    return "a convolution that is not depthwise";
  return nullptr;
}

struct Rewriter : VectorKernelBuilder {
  Conv1DOp op;
  /// While the last block of channels is emitted, if it is partial: which
  /// of its lanes are channels (null for a whole block).
  Value mask;

  Value loadBlock(Value memref, ValueRange at) {
    return loadVec(memref, at, mask);
  }
  void storeBlock(Value v, Value memref, ValueRange at) {
    storeVec(v, memref, at, mask);
  }
  /// Emits `body(first channel)` for every whole block of channels (as
  /// unrolled code for at most `maxUnrolled` blocks, a loop for more), then
  /// for the partial last one with `mask` set.
  void forBlocks(int64_t channels, int64_t maxUnrolled,
                 function_ref<void(Value)> body);

  void run();
};
} // namespace

void Rewriter::forBlocks(int64_t channels, int64_t maxUnrolled,
                         function_ref<void(Value)> body) {
  int64_t whole = channels / lanes;
  forEachOffset(whole, lanes, maxUnrolled, body);
  if (int64_t tail = channels % lanes) {
    mask = firstLanes(tail);
    body(index(whole * lanes));
    mask = Value();
  }
}

void Rewriter::run() {
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t channels = wType.getDimSize(0), taps = wType.getDimSize(2);
  int64_t dilation = op.getDilation(), history = (taps - 1) * dilation;
  Value x = readBuffer(op.getX()), w = readBuffer(op.getWeight());
  Value bias = op.getBias() ? readBuffer(op.getBias()) : Value();
  Value state = op.getState() ? readBuffer(op.getState()) : Value();
  Value batch = dim(x, 0), length = dim(x, 1);
  Value zero = index(0);

  Value y = allocResult(op.getY(), {batch, length, index(channels)});

  // w transposed to [K][C]: tap j of a block of channels is one vector
  // (the channels padded to whole vectors with zeros).
  int64_t paddedChannels = llvm::alignTo(channels, lanes);
  Value wT = allocF32({taps, paddedChannels});
  loop(zero, index(paddedChannels), [&](Value c) {
    Value real = cmp(arith::CmpIPredicate::ult, c, index(channels));
    Value from = min(c, index(channels - 1));
    for (int64_t j = 0; j < taps; ++j)
      store(arith::SelectOp::create(b, real, load(w, {from, zero, index(j)}),
                                    f32(0.0)),
            wT, {index(j), c});
  });

  // xs(i) for i in [-history, L): x, or the carried state before it.
  auto input = [&](Value bi, Value i, Value c, bool maybeBefore) -> Value {
    if (!maybeBefore)
      return loadBlock(x, {bi, i, c});
    // A branch, not a select: x may have no row to load from (L = 0).
    Value before = cmp(arith::CmpIPredicate::slt, i, zero);
    auto ifOp = scf::IfOp::create(b, vec(), before, /*withElse=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(
        b, state ? loadBlock(state, {bi, add(i, index(history)), c})
                 : floatLike(b, b.getLoc(), vec(), 0.0));
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, loadBlock(x, {bi, i, c}));
    return ifOp.getResult(0);
  };

  // A task walks its steps row by row, every channel of a row in turn:
  // x and y stream sequentially, the taps' weights come from L1.
  Value stepBlocks = ceilDiv(length, index(kStepsPerTask));
  parallel(mul(batch, stepBlocks), [&](Value task) {
    Value bi = div(task, stepBlocks), sb = rem(task, stepBlocks);
    Value t0 = mul(sb, index(kStepsPerTask));
    Value t1 = min(add(t0, index(kStepsPerTask)), length);
    auto steps = [&](Value from, Value to, bool maybeBefore) {
      loop(from, to, [&](Value t) {
        forBlocks(channels, /*maxUnrolled=*/0, [&](Value c) {
          Value acc = bias ? loadBlock(bias, {c})
                           : floatLike(b, b.getLoc(), vec(), 0.0);
          for (int64_t j = 0; j < taps; ++j) {
            Value i = sub(t, index((taps - 1 - j) * dilation));
            acc = vector::FMAOp::create(b, loadVec(wT, {index(j), c}),
                                        input(bi, i, c, maybeBefore), acc);
          }
          storeBlock(applyActivation(b, b.getLoc(), acc, op.getActivation()), y,
                     {bi, t, c});
        });
      });
    };
    // Steps before `history` reach back into the state.
    Value split = max(min(index(history), t1), t0);
    steps(t0, split, /*maybeBefore=*/true);
    steps(split, t1, /*maybeBefore=*/false);
  });

  SmallVector<Value> results = {resultTensor(y, op.getY().getType())};
  if (Value finalState = op.getFinalState()) {
    // The last `history` inputs of xs: what a streaming caller passes next.
    Value next =
        allocResult(finalState, {batch, index(history), index(channels)});
    loop(zero, batch, [&](Value bi) {
      loop(zero, index(history), [&](Value s) {
        Value i = sub(add(length, s), index(history));
        // Unrolled for a few blocks; a loop beyond (d_inner = 65536 took
        // 100 s and 2.5 GB to compile, 4096 blocks of straight-line code).
        forBlocks(channels, /*maxUnrolled=*/16, [&](Value c) {
          storeBlock(input(bi, i, c, /*maybeBefore=*/true), next, {bi, s, c});
        });
      });
    });
    results.push_back(resultTensor(next, finalState.getType()));
  }
  op->replaceAllUsesWith(results);
  op->erase();
}

namespace {
struct SeqFusedConv1DPass
    : mlir::seq::impl::SeqFusedConv1DBase<SeqFusedConv1DPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(rewriteSupported<Conv1DOp>(
            getOperation(), getArgument(), lanes, emitRemarks,
            [&](Conv1DOp op) { return unsupportedReason(op); },
            [&](Conv1DOp op) {
              ImplicitLocOpBuilder b(op.getLoc(), op);
              Rewriter{{{b}, lanes}, op, /*mask=*/Value()}.run();
            })))
      signalPassFailure();
  }
};
} // namespace
