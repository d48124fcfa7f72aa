//===- FusedRecurrence.cpp - -seq-fused-recurrence ------------------------===//
//
// Rewrites a named-cell seq.recurrence (lstm, gru, elman, slstm) into one
// fused kernel per time step, FlashRNN-style:
//
// - the weights are packed once per call so that, for a block of W units
//   (one vector), the columns of every gate are adjacent:
//     packX[ub][i][g][:] = w_in[g*Hs + ub*W + :][i]
//     packH[ub][j][g][:] = w_rec[g][head][ub*W - head*Dh + :][j]
//   and each k step of the kernel reads nG contiguous vectors;
// - each step is an scf.parallel over unit blocks; a task accumulates
//   x_t W_in^T and h_{t-1} W_rec^T for all gates of its units, a register
//   tile of batch rows at a time (rows broadcast, gates in vectors; the
//   rows left over get a tile of their own size), over L1-sized chunks of
//   k, then applies the cell (CellMath) on vectors and stores the new
//   states: the gate pre-activations never leave the task;
// - h is double-buffered across steps (every task reads all of h_{t-1});
//   the other states are owned by one task each and updated in place.
//
// The input projection is computed inside the step rather than as one GEMM
// over the sequence: the same FLOPs, and no [B, L, nG*Hs] buffer; except
// for a batch of one (hoist-input-max-batch), where a step's matvec would
// stream W_in as well as W_rec.
//
// A head size that is not a multiple of the vector width is first padded
// with units whose weights, biases and initial states are zero: such a
// unit's h stays 0 in every cell (lstm: c = 0.5 c + 0.5 tanh(0); gru:
// h = 0.5 h + 0.5 tanh(0); elman: tanh(0); slstm: c stays 0 and n > 0, so
// h = o c / n = 0), and its zero recurrent columns keep it out of the real
// units. The results are sliced back.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "PadUnits.h"
#include "ProjectionTasks.h"
#include "seqc/Dialect/Seq/IR/CellMath.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQFUSEDRECURRENCE
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// Why `op` stays with the reference lowering (null when it does not).
const char *unsupportedReason(RecurrenceOp op, int64_t lanes) {
  if (!op.getCell())
    return "a cell region (only named cells are fused)";
  if (!allOperandsF32(op))
    return "element type other than f32";
  auto wRec = cast<RankedTensorType>(op.getWRec().getType());
  if (!wRec.hasStaticShape())
    return "dynamic recurrent weight sizes";
  if (wRec.getDimSize(2) % lanes == 0)
    return nullptr;
  // padHeads retypes these from their static unit counts.
  auto dynamicAt = [](Value value, int64_t dim) {
    auto type = cast<ShapedType>(value.getType());
    return type.isDynamicDim(dim < 0 ? type.getRank() + dim : dim);
  };
  bool dynamic =
      dynamicAt(op.getWIn(), 0) || (op.getBIn() && dynamicAt(op.getBIn(), 0)) ||
      (op.getBRec() && dynamicAt(op.getBRec(), 0)) ||
      llvm::any_of(op.getInit(), [&](Value v) { return dynamicAt(v, 1); }) ||
      llvm::any_of(op->getResults(), [&](Value v) { return dynamicAt(v, -1); });
  return dynamic ? "a dynamic unit count in a result, state or input weight, "
                   "with the heads padded to the vector width"
                 : nullptr;
}

/// Pads every head of `op` to a multiple of `lanes` units (see the file
/// comment) in place, and slices its results back for their users.
void padHeads(RecurrenceOp op, int64_t lanes) {
  int64_t headDim =
      cast<RankedTensorType>(op.getWRec().getType()).getDimSize(2);
  int64_t padded = llvm::alignTo(headDim, lanes);
  if (padded == headDim)
    return;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  auto pad = [&](Value v, int64_t dim) {
    return resizeUnitGroups(b, v, dim, headDim, padded);
  };
  op.getWInMutable().assign(pad(op.getWIn(), 0));
  // w_rec [nG, NH, Dh, Dh]: a head's units, then the h inputs they read.
  op.getWRecMutable().assign(pad(pad(op.getWRec(), 2), 3));
  if (op.getBIn())
    op.getBInMutable().assign(pad(op.getBIn(), 0));
  if (op.getBRec())
    op.getBRecMutable().assign(pad(op.getBRec(), 0));
  SmallVector<Value> init;
  for (Value v : op.getInit())
    init.push_back(pad(v, 1));
  op.getInitMutable().assign(init);
  b.setInsertionPointAfter(op);
  for (OpResult result : op->getResults())
    widenResult(b, result,
                cast<RankedTensorType>(result.getType()).getRank() - 1, headDim,
                padded);
}

struct Rewriter : VectorKernelBuilder {
  RecurrenceOp op;
  CellKind kind;
  int64_t registers, accumulators;
  /// The largest static batch whose x W_in^T is one GEMM over the whole
  /// sequence before the steps.
  int64_t hoistInputMaxBatch;
  /// Inputs (k) per pass of the row tiles: that many k of the packed
  /// weights (kChunk * gates vectors) stay in L1.
  int64_t kChunk = 64;

  void run();
  Value inputProjection();
};
} // namespace

/// xw[b, t, :] = x[b, t, :] W_in^T for the whole sequence, as the
/// linalg.contract that -seq-fast-matmul turns into its GEMM kernel.
Value Rewriter::inputProjection() {
  Value x = op.getInputs().front(), wIn = op.getWIn();
  auto wType = cast<RankedTensorType>(wIn.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, b.getLoc(), x);
  sizes.back() = b.getIndexAttr(wType.getDimSize(0));
  Value empty = tensor::EmptyOp::create(b, sizes, b.getF32Type());
  Value init =
      linalg::FillOp::create(b, ValueRange{f32(0.0)}, empty).getResult(0);
  ArrayAttr maps =
      b.getAffineMapArrayAttr(projectionMaps(b.getContext(), /*xRank=*/3));
  return linalg::ContractOp::create(b, TypeRange{init.getType()},
                                    ValueRange{x, wIn}, ValueRange{init}, maps)
      .getResult(0);
}

void Rewriter::run() {
  auto wRecType = cast<RankedTensorType>(op.getWRec().getType());
  int64_t gates = wRecType.getDimSize(0), heads = wRecType.getDimSize(1),
          headDim = wRecType.getDimSize(2), hidden = heads * headDim;
  int64_t numStates = RecurrenceOp::getNumStates(kind);
  bool gru = kind == CellKind::gru;
  // GRU keeps the recurrent part of gate n apart (it is gated by r).
  int64_t perRow = gates + (gru ? 1 : 0);
  // A k step holds nG weight vectors, a broadcast and nG accumulators per
  // row of the register tile.
  int64_t rowsPerTile = std::max<int64_t>(
      1, (accumulators ? accumulators : registers - 1 - gates) / gates);
  // GRU on AVX-512 would get 9 rows (27 accumulators); LLVM spilled that
  // tile (~640 stack accesses in the kernel, none at 8 rows) and it ran
  // 1.2x slower at B = 18 or 24 (docs/performance.md, 2026-12-06 Zen 4).
  if (gru && !accumulators)
    rowsPerTile = std::min<int64_t>(rowsPerTile, 8);

  // The input projection as one GEMM (where -seq-fast-matmul takes it:
  // static input sizes, a multiple of the vector width) for a batch of one,
  // else inside the step. Zen 4 VM, H = I = 512, L = 256: LSTM/GRU B1
  // 1.26x faster hoisted (each step then streams only W_rec), B4 1.2x and
  // B32 1.22x slower (docs/performance.md, 2026-12-07).
  auto xType = cast<RankedTensorType>(op.getInputs().front().getType());
  auto wInType = cast<RankedTensorType>(op.getWIn().getType());
  int64_t staticBatch = xType.getDimSize(0), staticInputs = xType.getDimSize(2);
  bool hoist = !ShapedType::isDynamic(staticBatch) &&
               staticBatch <= hoistInputMaxBatch && wInType.hasStaticShape() &&
               !ShapedType::isDynamic(staticInputs) &&
               staticInputs % lanes == 0;
  Value xw = hoist ? readBuffer(inputProjection()) : Value();
  Value x = readBuffer(op.getInputs().front()), wIn = readBuffer(op.getWIn()),
        wRec = readBuffer(op.getWRec());
  Value bIn = op.getBIn() ? readBuffer(op.getBIn()) : Value();
  Value bRec = op.getBRec() ? readBuffer(op.getBRec()) : Value();
  Value batch = dim(x, 0), length = dim(x, 1), inputs = dim(x, 2);
  Value zero = index(0), one = index(1), w = index(lanes);
  int64_t unitBlocks = hidden / lanes;
  Value blocks = index(unitBlocks);

  // Packed weights, once per call.
  int64_t dyn = ShapedType::kDynamic;
  Value packX =
      hoist ? Value() : allocF32({unitBlocks, dyn, gates, lanes}, {inputs});
  Value packH = allocF32({unitBlocks, headDim, gates, lanes}, {});
  parallel(blocks, [&](Value ub) {
    Value u0 = mul(ub, w);
    Value head = div(u0, index(headDim));
    Value within = sub(u0, mul(head, index(headDim)));
    for (int64_t g = 0; g < gates; ++g)
      loop(zero, w, [&](Value l) {
        Value row = add(add(index(g * hidden), u0), l);
        if (!hoist)
          loop(zero, inputs, [&](Value i) {
            store(load(wIn, {row, i}), packX, {ub, i, index(g), l});
          });
        loop(zero, index(headDim), [&](Value j) {
          store(load(wRec, {index(g), head, add(within, l), j}), packH,
                {ub, j, index(g), l});
        });
      });
  });

  // States: h double-buffered [2][B][Hs], the others [B][Hs] in place.
  Value hs = index(hidden);
  Value hBuf = allocF32({2, dyn, hidden}, {batch});
  SmallVector<Value> stateBufs = {Value()};
  for (int64_t s = 1; s < numStates; ++s)
    stateBufs.push_back(allocF32({dyn, hidden}, {batch}));
  SmallVector<Value> init;
  for (Value v : op.getInit())
    init.push_back(readBuffer(v));
  loop(zero, batch, [&](Value bi) {
    loop(zero, hs, [&](Value u) {
      for (int64_t s = 0; s < numStates; ++s) {
        Value v = init.empty() ? f32(0.0) : load(init[s], {bi, u});
        if (s == 0)
          store(v, hBuf, {zero, bi, u});
        else
          store(v, stateBufs[s], {bi, u});
      }
    });
  });
  Value y = allocResult(op.getResults().back(), {batch, length, hs});

  Value negZero = vector::BroadcastOp::create(b, vec(), f32(-0.0));
  loop(zero, length, [&](Value step) {
    Value t = op.getReverse() ? sub(sub(length, one), step) : step;
    Value parity = rem(step, index(2));
    Value nextParity = sub(one, parity);
    parallel(blocks, [&](Value ub) {
      Value u0 = mul(ub, w);
      Value hOffset = mul(div(u0, index(headDim)), index(headDim));

      // Accumulator a of a row: gate a (GRU: 0 r, 1 z, 2 n of x, 3 n of h).
      auto xAcc = [&](int64_t g) { return g; };
      auto hAcc = [&](int64_t g) { return gru && g == 2 ? 3 : g; };
      SmallVector<Value> bias(perRow);
      for (int64_t a = 0; a < perRow; ++a) {
        int64_t g = gru && a == 3 ? 2 : a;
        Value at = add(index(g * hidden), u0);
        bool withIn = bIn && !(gru && a == 3);
        bool withRec = bRec && !(gru && a == 2);
        Value v = withIn ? loadVec(bIn, {at}) : Value();
        if (withRec) {
          Value r = loadVec(bRec, {at});
          v = v ? arith::AddFOp::create(b, v, r).getResult() : r;
        }
        bias[a] =
            v ? v : vector::BroadcastOp::create(b, vec(), f32(0.0)).getResult();
      }
      // The task's accumulators for all rows, [row][a][lanes]: the weights
      // of a chunk of k stay in L1 while every tile of rows passes over it.
      Value accBuf = allocF32({dyn, perRow, lanes}, {batch});
      loop(zero, batch, [&](Value row) {
        for (int64_t a = 0; a < perRow; ++a) {
          // With the hoisted projection, gate a's x part (a < nG) is read.
          Value init = bias[a];
          if (hoist && a < gates)
            init = arith::AddFOp::create(
                b, init, loadVec(xw, {row, t, add(index(a * hidden), u0)}));
          storeVec(init, accBuf, {row, index(a), zero});
        }
      });
      // Adds a chunk [k0, k1) of the product to the accumulators of `rows`
      // rows from `firstRow`, in registers. Only the accumulators this
      // product updates are carried: nG per row (GRU's other n accumulator
      // waits in accBuf).
      auto tile = [&](Value k0, Value k1, Value firstRow, int64_t rows,
                      Value packed, auto element, auto target) {
        SmallVector<Value> acc;
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t g = 0; g < gates; ++g)
            acc.push_back(loadVec(
                accBuf, {add(firstRow, index(r)), index(target(g)), zero}));
        acc = loop(k0, k1, one, acc, [&](Value k, ValueRange acc) {
          SmallVector<Value> wv, next(acc.begin(), acc.end());
          for (int64_t g = 0; g < gates; ++g)
            wv.push_back(loadVec(packed, {ub, k, index(g), zero}));
          for (int64_t r = 0; r < rows; ++r) {
            Value e = vector::BroadcastOp::create(
                b, vec(), element(add(firstRow, index(r)), k));
            for (int64_t g = 0; g < gates; ++g) {
              int64_t a = r * gates + g;
              next[a] = vector::FMAOp::create(b, e, wv[g], next[a]);
            }
          }
          return next;
        });
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t g = 0; g < gates; ++g)
            storeVec(acc[r * gates + g], accBuf,
                     {add(firstRow, index(r)), index(target(g)), zero});
      };
      // Full tiles of rowsPerTile rows, then one tile of the rows left
      // (a tile for each possible count): no padded rows are computed.
      Value fullTiles = div(batch, index(rowsPerTile));
      Value leftFrom = mul(fullTiles, index(rowsPerTile));
      Value left = sub(batch, leftFrom);
      auto accumulate = [&](Value end, Value packed, auto element,
                            auto target) {
        Value chunk = index(kChunk);
        loop(zero, end, chunk, {}, [&](Value k0, ValueRange) {
          Value k1 = min(add(k0, chunk), end);
          loop(zero, fullTiles, [&](Value rt) {
            tile(k0, k1, mul(rt, index(rowsPerTile)), rowsPerTile, packed,
                 element, target);
          });
          for (int64_t rows = 1; rows < rowsPerTile; ++rows)
            ifThen(cmp(arith::CmpIPredicate::eq, left, index(rows)), [&] {
              tile(k0, k1, leftFrom, rows, packed, element, target);
            });
          return SmallVector<Value>{};
        });
      };
      if (!hoist)
        accumulate(
            inputs, packX,
            [&](Value row, Value k) {
              return load(x, {row, t, k});
            },
            xAcc);
      accumulate(
          index(headDim), packH,
          [&](Value row, Value j) {
            return load(hBuf, {parity, row, add(hOffset, j)});
          },
          hAcc);

      loop(zero, batch, [&](Value row) {
        SmallVector<Value> mine;
        for (int64_t a = 0; a < perRow; ++a)
          mine.push_back(loadVec(accBuf, {row, index(a), zero}));
        SmallVector<Value> prev = {loadVec(hBuf, {parity, row, u0})};
        for (int64_t s = 1; s < numStates; ++s)
          prev.push_back(loadVec(stateBufs[s], {row, u0}));
        SmallVector<Value> gx(ArrayRef<Value>(mine).take_front(gates)),
            gh(gates, negZero);
        if (gru)
          gh[2] = mine[3];
        SmallVector<Value> next = applyCell(b, b.getLoc(), kind, gx, gh, prev);
        storeVec(next[0], hBuf, {nextParity, row, u0});
        storeVec(next[0], y, {row, t, u0});
        for (int64_t s = 1; s < numStates; ++s)
          storeVec(next[s], stateBufs[s], {row, u0});
      });
    });
  });

  // The final h is in the buffer the last step wrote.
  Value hFinal = allocResult(op.getResults().front(), {batch, hs});
  Value finalParity = rem(length, index(2));
  loop(zero, batch, [&](Value bi) {
    loop(zero, hs, [&](Value u) {
      store(load(hBuf, {finalParity, bi, u}), hFinal, {bi, u});
    });
  });
  SmallVector<Value> results;
  auto toTensor = [&](Value buffer, Type type) {
    results.push_back(resultTensor(buffer, type));
  };
  toTensor(hFinal, op.getResult(0).getType());
  for (int64_t s = 1; s < numStates; ++s)
    toTensor(stateBufs[s], op.getResult(s).getType());
  toTensor(y, op.getResults().back().getType());
  op->replaceAllUsesWith(results);
  op->erase();
}

namespace {
struct SeqFusedRecurrencePass
    : mlir::seq::impl::SeqFusedRecurrenceBase<SeqFusedRecurrencePass> {
  using Base::Base;

  void runOnOperation() override {
    // AVX-512 has 32 vector registers, AVX2 and SSE 16.
    int64_t registers = lanes == 16 ? 32 : 16;
    if (failed(rewriteSupported<RecurrenceOp>(
            getOperation(), getArgument(), lanes, emitRemarks,
            [&](RecurrenceOp op) { return unsupportedReason(op, lanes); },
            [&](RecurrenceOp op) {
              padHeads(op, lanes);
              ImplicitLocOpBuilder b(op.getLoc(), op);
              Rewriter{{{b}, lanes}, op,           *op.getCell(),
                       registers,    accumulators, hoistInputMaxBatch}
                  .run();
            })))
      signalPassFailure();
  }
};
} // namespace
