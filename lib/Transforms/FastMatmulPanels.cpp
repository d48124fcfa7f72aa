//===- FastMatmulPanels.cpp - -seq-fast-matmul's kernel for many rows ----===//
//
// A projection y = init + x w^T of many rows (a 128-token prompt through a
// 768 x 2048 layer) is compute-bound, and the dot-product kernel of
// FastMatmul.cpp ran it at 133 GFLOP/s on the 2-core AVX-512 VM, half of
// PyTorch's: per vector of k it loads 4 vectors of x and 4 of w (and
// prefetches 4) for 16 FMAs, and reduces every sum across lanes at the
// end. This kernel (223-262 GFLOP/s there) keeps 2 vectors of rows in the
// lanes instead:
//
//   1. x is copied, once per call, into panels xT[panel][k][2 * lanes]:
//      2 * lanes consecutive rows of one batch entry, transposed, the rows
//      past the last one zero. x has few rows beside w's outputs, so the
//      copy is a few percent of the work. It loops over k outside and rows
//      inside: LLVM then gathers a vector of rows and stores it whole
//      (rows outside made it scatter, which at 24 rows took a fifth to
//      nearly half of the time of a 768-wide projection).
//   2. A register tile is a panel's rows by NR outputs (2 x NR
//      accumulators: 24 of AVX-512's 32 registers, 12 of AVX2's 16). Each
//      step of k loads the panel's 2 vectors and broadcasts the NR weights
//      w[n, k], which stream along w's rows as stored: 2 NR FMAs for 2 + NR
//      loads, and the loads of x come from a contiguous panel.
//   3. k is summed in registers 128 steps at a time, into totals in a
//      stack buffer, from which the finished tile is transposed into y's
//      rows (with init added), the panel's zero rows dropped.
//
// Tasks are (batch entry, 4 panels, 8 tiles of outputs): each tile of w is
// reused by the task's 4 panels while it is in L1, and a prompt of up to
// 4 panels reads w from memory once.
//
//===----------------------------------------------------------------------===//

#include "FastMatmulPanels.h"

using namespace mlir;
using namespace mlir::seq;

namespace {
constexpr int64_t kPanelsPerTask = 4;
constexpr int64_t kTilesPerTask = 8;
/// Steps of k summed in registers before they are added to the tile's
/// total in its stack buffer: a sequential f32 sum over k = 1536 had 3.6x
/// the rms error of the dot products (16 lanes of partial sums, then a
/// tree), twice PyTorch's; in blocks of 128 it is on a par with both, for
/// 2 x NR vector additions per block (about 2% more time).
constexpr int64_t kDepthPerSum = 128;
} // namespace

void mlir::seq::emitPanelProjection(VectorKernelBuilder &kb,
                                    const ProjectionTasks &tasks, Value x,
                                    Value w, Value init, int64_t depth,
                                    const DequantizedWeights *dequantized) {
  ImplicitLocOpBuilder &b = kb.b;
  const int64_t lanes = kb.lanes, panelRows = 2 * lanes;
  const int64_t nr = panelTileOutputs(lanes);
  const int64_t dyn = ShapedType::kDynamic;
  Value zero = kb.index(0), y = tasks.y;
  Value panelsPerEntry = kb.ceilDiv(tasks.rows, kb.index(panelRows));
  Value panels = kb.mul(tasks.batch, panelsPerEntry);
  // Rows of the panel from row m0 that x has (the rest are zero).
  auto rowsFrom = [&](Value m0) {
    return kb.min(kb.index(panelRows), kb.sub(tasks.rows, m0));
  };

  // 1. The panels of x.
  Value xT = kb.allocF32({dyn, depth, panelRows}, {panels});
  kb.parallel(panels, [&](Value p) {
    Value bi = kb.div(p, panelsPerEntry);
    Value m0 = kb.mul(kb.rem(p, panelsPerEntry), kb.index(panelRows));
    Value rows = rowsFrom(m0);
    kb.loop(zero, kb.index(depth), [&](Value k) {
      kb.loop(zero, rows, [&](Value r) {
        kb.store(kb.load(x, tasks.at(bi, kb.add(m0, r), k)), xT, {p, k, r});
      });
      kb.loop(rows, kb.index(panelRows), [&](Value r) {
        kb.store(kb.f32(0.0), xT, {p, k, r});
      });
    });
  });

  // 2-3. Register tiles of a panel by `cols` outputs from n, written to y
  // through `staging` [nr, panelRows]; the weights of output n + c are row
  // n + c of w, or row c of the task's dequantized `weights`.
  auto tile = [&](Value staging, Value weights, Value bi, Value p, Value m0,
                  Value n, int64_t cols) {
    auto weightAt = [&](int64_t c, Value k) {
      if (dequantized)
        return kb.load(weights, {kb.index(c), k});
      return kb.load(w, {kb.add(n, kb.index(c)), k});
    };
    Value zeroVec = kb.splat(kb.f32(0.0));
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t half = 0; half < 2; ++half)
        kb.storeVec(zeroVec, staging, {kb.index(c), kb.index(half * lanes)});
    kb.loop(
        zero, kb.index(depth), kb.index(kDepthPerSum), {},
        [&](Value k0, ValueRange) {
          Value k1 =
              kb.min(kb.add(k0, kb.index(kDepthPerSum)), kb.index(depth));
          SmallVector<Value> inits(2 * cols, zeroVec);
          SmallVector<Value> sums = kb.loop(
              k0, k1, kb.index(1), inits, [&](Value k, ValueRange accs) {
                Value low = kb.loadVec(xT, {p, k, zero});
                Value high = kb.loadVec(xT, {p, k, kb.index(lanes)});
                SmallVector<Value> next(accs.begin(), accs.end());
                for (int64_t c = 0; c < cols; ++c) {
                  Value wk = kb.splat(weightAt(c, k));
                  next[c] = vector::FMAOp::create(b, low, wk, next[c]);
                  next[cols + c] =
                      vector::FMAOp::create(b, high, wk, next[cols + c]);
                }
                return next;
              });
          for (int64_t c = 0; c < cols; ++c)
            for (int64_t half = 0; half < 2; ++half) {
              SmallVector<Value> at = {kb.index(c), kb.index(half * lanes)};
              Value total = arith::AddFOp::create(b, kb.loadVec(staging, at),
                                                  sums[half * cols + c]);
              kb.storeVec(total, staging, at);
            }
          return SmallVector<Value>{};
        });
    kb.loop(zero, rowsFrom(m0), [&](Value r) {
      for (int64_t c = 0; c < cols; ++c) {
        SmallVector<Value> at =
            tasks.at(bi, kb.add(m0, r), kb.add(n, kb.index(c)));
        Value sum = kb.load(staging, {kb.index(c), r});
        if (dequantized)
          sum = dequantized->finish(sum, kb.add(n, kb.index(c)));
        kb.store(arith::AddFOp::create(b, sum, kb.load(init, at)), y, at);
      }
    });
  };

  // Tasks of (batch entry, kPanelsPerTask panels, kTilesPerTask tiles of
  // outputs): rows [r0, r1) are panels [r0 / panelRows, ceil(r1 /
  // panelRows)) of the batch entry.
  tasks.forEach(
      kb,
      [&](Value bi, Value r0, Value r1, Value n0, Value n1) {
        Value first = kb.div(r0, kb.index(panelRows));
        Value last = kb.ceilDiv(r1, kb.index(panelRows));
        Value staging = memref::AllocaOp::create(
            b, MemRefType::get({nr, panelRows}, b.getF32Type()));
        Value weights;
        if (dequantized)
          weights = memref::AllocaOp::create(
              b, MemRefType::get({nr, depth}, b.getF32Type()));
        // Outputs outside, panels inside: a tile of w is reused from L1.
        tiledLoop(kb, n0, n1, nr, [&](Value n, int64_t cols) {
          if (dequantized)
            dequantized->fill(weights, n, cols);
          kb.loop(first, last, [&](Value q) {
            Value p = kb.add(kb.mul(bi, panelsPerEntry), q);
            tile(staging, weights, bi, p, kb.mul(q, kb.index(panelRows)), n,
                 cols);
          });
        });
      },
      kPanelsPerTask * panelRows, kTilesPerTask * nr);
}
