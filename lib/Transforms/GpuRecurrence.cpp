//===- GpuRecurrence.cpp - -seq-gpu-recurrence ----------------------------===//
//
// A named-cell seq.recurrence (lstm, gru, elman, slstm) on the GPU as one
// persistent kernel that walks the whole sequence (see the pass description
// in Passes.td), where the reference lowering launches kernels at every
// step:
//
// - a first kernel computes every step's input part x_t W_in^T + b_in (all
//   steps at once: it does not depend on h) and a second one transposes
//   the recurrent weights to [gate][head][j][unit], so that neighbouring
//   threads (units) read neighbouring weights;
// - in the recurrent kernel a block owns one head of R batch rows; each
//   thread owns U units of one row and keeps their cell states in
//   registers through the sequence; h_{t-1} of the block's rows is in
//   shared memory (double-buffered: a step reads one half and writes the
//   other, so one barrier per step suffices); the recurrent weights are
//   copied to shared memory once when they fit (FlashRNN's weights on
//   chip) and read through the caches otherwise, the weights of
//   kInputsAhead inputs at a time, loaded before any is used: a thread's
//   loads are all the latency hiding it has (a block per batch row makes
//   few warps), and read one input at a time a 512-unit LSTM took 235 us
//   a step on an H200, an L2 round trip per input.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/CellMath.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/GpuBlockKernels.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPURECURRENCE
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
constexpr int64_t kBlock = 256;
/// Shared memory a block may use without the opt-in for more (48 KiB).
constexpr int64_t kSharedBytes = 48 * 1024;
/// Inputs j of the recurrent product whose weights are loaded together.
constexpr int64_t kInputsAhead = 4;
/// Steps of the input projection a thread computes (each weight it reads
/// serves them all).
constexpr int64_t kProjectionSteps = 4;
/// Above this size a head's recurrent weights (f32) take a kernel per step
/// instead of the persistent one: what an H200's L1 holds beside the
/// shared memory (256 KiB in all) is what a persistent block reads at
/// every step from nearer than L2.
constexpr int64_t kCachedWeightBytes = 128 * 1024;
/// A step kernel's block: kStepWarps warps share the inputs j of 32 units
/// of one head for kStepRows batch rows; then a thread per (row, unit).
constexpr int64_t kStepWarps = 4, kStepRows = 4, kStepUnits = 32;
constexpr int64_t kStepBlock = kStepWarps * kStepUnits;
static_assert(kStepBlock == kStepRows * kStepUnits,
              "a step block's threads are its (row, unit) pairs");
/// The largest head: a step block's rows of h (32 KiB) and the warps' sums
/// (8 KiB for 4 gates) in 48 KiB of shared memory.
constexpr int64_t kMaxStepHead = 2048;
static_assert(kCachedWeightBytes / 4 <= (4 * kBlock) * (4 * kBlock),
              "the persistent kernel's heads (one gate's f32 weights within "
              "kCachedWeightBytes) have at most 4 units a thread");

/// Why `op` stays with the reference lowering, or null.
const char *unsupportedReason(RecurrenceOp op) {
  if (!op.getCell())
    return "a cell region (only named cells have a GPU kernel)";
  Type element =
      cast<ShapedType>(op.getInputs().front().getType()).getElementType();
  if (!element.isF32() && !element.isF16() && !element.isBF16())
    return "an element type other than f32, f16 or bf16";
  auto wRec = cast<RankedTensorType>(op.getWRec().getType());
  if (!wRec.hasStaticShape())
    return "dynamic recurrent weight sizes";
  if (wRec.getDimSize(2) > kMaxStepHead)
    return "a head size above 2048";
  return nullptr;
}

struct Kernel : KernelBuilder {
  RecurrenceOp op;
  CellKind kind;
  // Set by run() for the recurrent kernels.
  int64_t gates = 0, heads = 0, headDim = 0, hidden = 0, numStates = 0;
  Type element = {};
  Value batch = {}, length = {}, xg = {}, wT = {}, bRec = {}, y = {};
  SmallVector<Value> init = {}, finals = {};

  Value read(Value buffer, ValueRange at) { return toF32(load(buffer, at)); }
  /// A kernel of a thread per element of [0, n), whole blocks of threads:
  /// a loop of one iteration would be folded into host code.
  void perElement(Value n, function_ref<void(Value)> fn) {
    parallel(mul(ceilDiv(n, index(kBlock)), index(kBlock)), [&](Value it) {
      ifThen(cmp(arith::CmpIPredicate::ult, it, n), [&] { fn(it); });
    });
  }
  void run();
  void persistentKernel();
  void stepKernels();
};
} // namespace

void Kernel::run() {
  auto wRecType = cast<RankedTensorType>(op.getWRec().getType());
  gates = wRecType.getDimSize(0);
  heads = wRecType.getDimSize(1);
  headDim = wRecType.getDimSize(2);
  hidden = heads * headDim;
  numStates = RecurrenceOp::getNumStates(kind);
  element = cast<ShapedType>(op.getResults().back().getType()).getElementType();
  int64_t dyn = ShapedType::kDynamic;

  Value x = readBuffer(op.getInputs().front()), wIn = readBuffer(op.getWIn()),
        wRec = readBuffer(op.getWRec());
  Value bIn = op.getBIn() ? readBuffer(op.getBIn()) : Value();
  bRec = op.getBRec() ? readBuffer(op.getBRec()) : Value();
  for (Value v : op.getInit())
    init.push_back(readBuffer(v));
  batch = dim(x, 0);
  length = dim(x, 1);
  Value inputs = dim(x, 2);
  Value zero = index(0), one = index(1), hs = index(hidden),
        dh = index(headDim);

  // The input weights as [i][column] (f32), so that neighbouring threads,
  // which own neighbouring columns, read neighbouring weights (read as
  // [column][i], each lane of a warp read its own row).
  Value columns = index(gates * hidden);
  Value wInT = allocF32({dyn, gates * hidden}, {inputs});
  perElement(mul(inputs, columns), [&](Value it) {
    Value column = rem(it, columns), i = div(it, columns);
    store(read(wIn, {column, i}), wInT, {i, column});
  });

  // Every step's input part, [B, L, nG * Hs]: a thread per column of
  // kProjectionSteps steps of one row, which reads each weight once for
  // all of them.
  xg = allocF32({dyn, dyn, gates * hidden}, {batch, length});
  Value stepTiles = ceilDiv(length, index(kProjectionSteps));
  perElement(mul(mul(batch, stepTiles), columns), [&](Value it) {
    Value column = rem(it, columns);
    Value firstStep =
        mul(rem(div(it, columns), stepTiles), index(kProjectionSteps));
    Value bi = div(div(it, columns), stepTiles);
    // Steps past the end compute on the last one and store nothing.
    SmallVector<Value> steps;
    for (int64_t s = 0; s < kProjectionSteps; ++s)
      steps.push_back(min(add(firstStep, index(s)), sub(length, one)));
    SmallVector<Value> acc(kProjectionSteps,
                           bIn ? read(bIn, {column}) : f32(0.0));
    acc =
        loop(zero, inputs, one, acc,
             [&](Value i, ValueRange sum) -> SmallVector<Value> {
               Value w = load(wInT, {i, column});
               SmallVector<Value> out;
               for (int64_t s = 0; s < kProjectionSteps; ++s)
                 out.push_back(arith::AddFOp::create(
                     b, sum[s],
                     arith::MulFOp::create(b, read(x, {bi, steps[s], i}), w)));
               return out;
             });
    for (int64_t s = 0; s < kProjectionSteps; ++s)
      ifThen(cmp(arith::CmpIPredicate::ult, add(firstStep, index(s)), length),
             [&] {
               store(acc[s], xg, {bi, steps[s], column});
             });
  });

  // The recurrent weights as [g][head][j][unit] in f32.
  wT = allocF32({gates, heads, headDim, headDim});
  perElement(index(gates * heads * headDim * headDim), [&](Value it) {
    Value u = rem(it, dh);
    Value j = rem(div(it, dh), dh);
    Value gh = div(div(it, dh), dh);
    Value g = div(gh, index(heads)), h = rem(gh, index(heads));
    store(read(wRec, {g, h, u, j}), wT, {g, h, j, u});
  });

  // Results.
  y = allocResultBuffer(op.getResults().back(), {batch, length, hs});
  for (int64_t s = 0; s < numStates; ++s)
    finals.push_back(allocResultBuffer(op.getResult(s), {batch, hs}));

  if (int64_t(gates * headDim * headDim * 4) > kCachedWeightBytes)
    stepKernels();
  else
    persistentKernel();

  SmallVector<Value> results;
  for (int64_t s = 0; s < numStates; ++s)
    results.push_back(resultTensor(finals[s], op.getResult(s).getType()));
  results.push_back(resultTensor(y, op.getResults().back().getType()));
  op->replaceAllUsesWith(results);
  op->erase();
}

void Kernel::persistentKernel() {
  Value zero = index(0), one = index(1), dh = index(headDim);

  // A thread owns `units` units (u = q + perRow * k) of one row; a block
  // owns `rows` rows of one head.
  int64_t units = llvm::divideCeil(headDim, kBlock);
  int64_t perRow = llvm::divideCeil(headDim, units);
  int64_t rows = kBlock / perRow;
  Type f32Type = b.getF32Type();
  auto sharedType = [&](ArrayRef<int64_t> shape) {
    return sharedBufferType(shape, f32Type);
  };
  int64_t hBytes = 2 * rows * headDim * 4;
  int64_t wBytes = gates * headDim * headDim * 4;
  bool weightsOnChip = hBytes + wBytes <= kSharedBytes;

  Value tiles = ceilDiv(batch, index(rows));
  Value threads = mul(mul(tiles, index(heads)), index(kBlock));
  scf::ParallelOp kernel = parallel(threads, [&](Value it) {
    Value hShared = memref::AllocaOp::create(b, sharedType({2, rows, headDim}));
    Value wShared =
        weightsOnChip
            ? memref::AllocaOp::create(b, sharedType({gates, headDim, headDim}))
                  .getResult()
            : Value();
    Value tid = rem(it, index(kBlock));
    Value blockId = div(it, index(kBlock));
    Value head = rem(blockId, index(heads));
    Value tile = div(blockId, index(heads));
    // Threads past the last row or unit compute on clamped indices (every
    // thread must reach the barriers) and store nothing.
    Value r = div(tid, index(perRow)), q = rem(tid, index(perRow));
    Value rowInBlock = cmp(arith::CmpIPredicate::ult, r, index(rows));
    r = min(r, index(rows - 1));
    Value bi = add(mul(tile, index(rows)), r);
    Value realRow = arith::AndIOp::create(
        b, rowInBlock, cmp(arith::CmpIPredicate::ult, bi, batch));
    bi = min(bi, sub(batch, one));
    SmallVector<Value> unit, unitOk, column;
    for (int64_t k = 0; k < units; ++k) {
      Value u = add(q, index(perRow * k));
      unitOk.push_back(arith::AndIOp::create(
          b, rowInBlock, cmp(arith::CmpIPredicate::ult, u, dh)));
      unit.push_back(min(u, index(headDim - 1)));
      column.push_back(add(mul(head, dh), unit.back()));
    }

    if (weightsOnChip)
      loop(tid, index(gates * headDim * headDim), index(kBlock), {},
           [&](Value i, ValueRange) -> SmallVector<Value> {
             Value u = rem(i, dh), j = rem(div(i, dh), dh);
             Value g = div(div(i, dh), dh);
             store(load(wT, {g, head, j, u}), wShared, {g, j, u});
             return {};
           });
    // The states in registers, h_0 also in the first half of hShared.
    SmallVector<Value> states;
    for (int64_t k = 0; k < units; ++k)
      for (int64_t s = 0; s < numStates; ++s) {
        Value v = init.empty() ? f32(0.0) : read(init[s], {bi, column[k]});
        states.push_back(v);
        if (s == 0)
          ifThen(unitOk[k], [&] { store(v, hShared, {zero, r, unit[k]}); });
      }
    gpu::BarrierOp::create(b);
    SmallVector<Value> recurrentBias;
    for (int64_t k = 0; k < units; ++k)
      for (int64_t g = 0; g < gates; ++g)
        recurrentBias.push_back(
            bRec ? read(bRec, {add(index(g * hidden), column[k])}) : f32(0.0));

    states =
        loop(zero, length, one, states,
             [&](Value step, ValueRange carried) -> SmallVector<Value> {
               Value t = op.getReverse() ? sub(sub(length, one), step) : step;
               Value parity = rem(step, index(2)), next = sub(one, parity);
               // h_{t-1} W_rec^T + b_rec for every gate of every unit,
               // kInputsAhead inputs j at a time, all their loads first (see
               // the file comment); a j past the head's end reads the last
               // one's weights and adds 0.
               SmallVector<Value> acc = loop(
                   zero, dh, index(kInputsAhead), recurrentBias,
                   [&](Value j0, ValueRange sum) -> SmallVector<Value> {
                     SmallVector<Value> hj, w;
                     for (int64_t s = 0; s < kInputsAhead; ++s) {
                       Value j = add(j0, index(s));
                       Value inRange = cmp(arith::CmpIPredicate::ult, j, dh);
                       j = min(j, index(headDim - 1));
                       hj.push_back(arith::SelectOp::create(
                           b, inRange, load(hShared, {parity, r, j}),
                           f32(0.0)));
                       for (int64_t k = 0; k < units; ++k)
                         for (int64_t g = 0; g < gates; ++g)
                           w.push_back(
                               weightsOnChip
                                   ? load(wShared, {index(g), j, unit[k]})
                                   : load(wT, {index(g), head, j, unit[k]}));
                     }
                     SmallVector<Value> out(sum);
                     for (int64_t s = 0; s < kInputsAhead; ++s)
                       for (int64_t i = 0; i < units * gates; ++i)
                         out[i] = arith::AddFOp::create(
                             b, out[i],
                             arith::MulFOp::create(b, w[s * units * gates + i],
                                                   hj[s]));
                     return out;
                   });
               SmallVector<Value> out;
               for (int64_t k = 0; k < units; ++k) {
                 SmallVector<Value> gx, gh, prev;
                 for (int64_t g = 0; g < gates; ++g) {
                   gx.push_back(
                       load(xg, {bi, t, add(index(g * hidden), column[k])}));
                   gh.push_back(acc[k * gates + g]);
                 }
                 prev.append(carried.begin() + k * numStates,
                             carried.begin() + (k + 1) * numStates);
                 SmallVector<Value> updated =
                     applyCell(b, b.getLoc(), kind, gx, gh, prev);
                 ifThen(unitOk[k], [&] {
                   store(updated[0], hShared, {next, r, unit[k]});
                 });
                 ifThen(arith::AndIOp::create(b, realRow, unitOk[k]), [&] {
                   store(fromF32(updated[0], element), y, {bi, t, column[k]});
                 });
                 out.append(updated.begin(), updated.end());
               }
               gpu::BarrierOp::create(b);
               return out;
             });

    for (int64_t k = 0; k < units; ++k)
      ifThen(arith::AndIOp::create(b, realRow, unitOk[k]), [&] {
        for (int64_t s = 0; s < numStates; ++s)
          store(fromF32(states[k * numStates + s], element), finals[s],
                {bi, column[k]});
      });
  });
  setBlockSize(kernel, kBlock);
}

void Kernel::stepKernels() {
  Value zero = index(0), one = index(1), two = index(2), dh = index(headDim),
        hs = index(hidden);
  int64_t dyn = ShapedType::kDynamic;
  Type f32Type = b.getF32Type();

  // The states between steps, [parity][state][B][Hs] in f32: step t reads
  // one half and writes the other (h is state 0).
  Value states = allocF32({2, numStates, dyn, hidden}, {batch});
  perElement(mul(mul(index(numStates), batch), hs), [&](Value it) {
    Value column = rem(it, hs);
    Value bi = rem(div(it, hs), batch);
    Value s = div(div(it, hs), batch);
    Value v = f32(0.0);
    for (int64_t k = 0; k < numStates && !init.empty(); ++k)
      v = arith::SelectOp::create(b, cmp(arith::CmpIPredicate::eq, s, index(k)),
                                  read(init[k], {bi, column}), v);
    store(v, states, {zero, s, bi, column});
  });

  // A warp's share of the head's inputs j, whole groups of kInputsAhead.
  int64_t perWarp =
      llvm::alignTo(llvm::divideCeil(headDim, kStepWarps), kInputsAhead);
  int64_t unitTiles = llvm::divideCeil(headDim, kStepUnits);
  int64_t partials = kStepRows * gates;
  Value rowTiles = ceilDiv(batch, index(kStepRows));
  Value threads =
      mul(mul(rowTiles, index(heads * unitTiles)), index(kStepBlock));
  loop(zero, length, [&](Value step) {
    Value t = op.getReverse() ? sub(sub(length, one), step) : step;
    Value parity = rem(step, two), next = sub(one, parity);
    scf::ParallelOp kernel = parallel(threads, [&](Value it) {
      Value hTile = memref::AllocaOp::create(
          b, sharedBufferType({kStepRows, headDim}, f32Type));
      Value partial = memref::AllocaOp::create(
          b, sharedBufferType({kStepWarps, partials, kStepUnits}, f32Type));
      Value tid = rem(it, index(kStepBlock));
      Value blockId = div(it, index(kStepBlock));
      Value unitTile = rem(blockId, index(unitTiles));
      Value head = rem(div(blockId, index(unitTiles)), index(heads));
      Value firstRow =
          mul(div(blockId, index(heads * unitTiles)), index(kStepRows));
      Value lastRow = sub(batch, one);

      // The block's rows of h_{t-1} in this head (rows past the batch read
      // its last one and store nothing).
      loop(tid, index(kStepRows * headDim), index(kStepBlock), {},
           [&](Value i, ValueRange) -> SmallVector<Value> {
             Value r = div(i, dh), j = rem(i, dh);
             Value bi = min(add(firstRow, r), lastRow);
             store(load(states, {parity, zero, bi, add(mul(head, dh), j)}),
                   hTile, {r, j});
             return {};
           });
      gpu::BarrierOp::create(b);

      // Warp w sums inputs [w * perWarp, (w + 1) * perWarp) for a unit per
      // lane and every row and gate; a j past the head adds 0.
      Value warp = div(tid, index(kStepUnits));
      Value lane = rem(tid, index(kStepUnits));
      Value unit =
          min(add(mul(unitTile, index(kStepUnits)), lane), index(headDim - 1));
      Value firstInput = mul(warp, index(perWarp));
      SmallVector<Value> acc = loop(
          zero, index(perWarp), index(kInputsAhead),
          SmallVector<Value>(partials, f32(0.0)),
          [&](Value j0, ValueRange sum) -> SmallVector<Value> {
            SmallVector<Value> hj, w;
            for (int64_t s = 0; s < kInputsAhead; ++s) {
              Value j = add(firstInput, add(j0, index(s)));
              Value inRange = cmp(arith::CmpIPredicate::ult, j, dh);
              j = min(j, index(headDim - 1));
              for (int64_t g = 0; g < gates; ++g)
                w.push_back(arith::SelectOp::create(
                    b, inRange, load(wT, {index(g), head, j, unit}), f32(0.0)));
              for (int64_t r = 0; r < kStepRows; ++r)
                hj.push_back(load(hTile, {index(r), j}));
            }
            SmallVector<Value> out(sum);
            for (int64_t s = 0; s < kInputsAhead; ++s)
              for (int64_t r = 0; r < kStepRows; ++r)
                for (int64_t g = 0; g < gates; ++g)
                  out[r * gates + g] = arith::AddFOp::create(
                      b, out[r * gates + g],
                      arith::MulFOp::create(b, w[s * gates + g],
                                            hj[s * kStepRows + r]));
            return out;
          });
      for (int64_t i = 0; i < partials; ++i)
        store(acc[i], partial, {warp, index(i), lane});
      gpu::BarrierOp::create(b);

      // Thread (r, u) adds the warps' sums of its row and unit and applies
      // the cell.
      Value r = div(tid, index(kStepUnits));
      Value u = add(mul(unitTile, index(kStepUnits)), lane);
      Value bi = add(firstRow, r);
      Value real =
          arith::AndIOp::create(b, cmp(arith::CmpIPredicate::ult, u, dh),
                                cmp(arith::CmpIPredicate::ult, bi, batch));
      ifThen(real, [&] {
        Value column = add(mul(head, dh), u);
        SmallVector<Value> gx, gh, prev;
        for (int64_t g = 0; g < gates; ++g) {
          Value gateColumn = add(index(g * hidden), column);
          Value sum = bRec ? read(bRec, {gateColumn}) : f32(0.0);
          for (int64_t w = 0; w < kStepWarps; ++w)
            sum = arith::AddFOp::create(
                b, sum,
                load(partial,
                     {index(w), add(mul(r, index(gates)), index(g)), lane}));
          gh.push_back(sum);
          gx.push_back(load(xg, {bi, t, gateColumn}));
        }
        for (int64_t s = 0; s < numStates; ++s)
          prev.push_back(load(states, {parity, index(s), bi, column}));
        SmallVector<Value> updated =
            applyCell(b, b.getLoc(), kind, gx, gh, prev);
        for (int64_t s = 0; s < numStates; ++s)
          store(updated[s], states, {next, index(s), bi, column});
        store(fromF32(updated[0], element), y, {bi, t, column});
      });
    });
    setBlockSize(kernel, kStepBlock);
  });

  // The last step wrote the half of parity L % 2.
  Value last = rem(length, two);
  perElement(mul(batch, hs), [&](Value it) {
    Value column = rem(it, hs), bi = div(it, hs);
    for (int64_t s = 0; s < numStates; ++s)
      store(fromF32(load(states, {last, index(s), bi, column}), element),
            finals[s], {bi, column});
  });
}

namespace {
struct SeqGpuRecurrencePass
    : mlir::seq::impl::SeqGpuRecurrenceBase<SeqGpuRecurrencePass> {
  using Base::Base;

  void runOnOperation() override {
    rewriteSupported<RecurrenceOp>(getOperation(), emitRemarks,
                                   unsupportedReason, [](RecurrenceOp op) {
                                     ImplicitLocOpBuilder b(op.getLoc(), op);
                                     Kernel{{b}, op, *op.getCell()}.run();
                                   });
  }
};
} // namespace
