//===- ProjectionTasks.h - the task layout of the projection kernels -*- C++
//-*-===//
//
// Shared by -seq-fast-matmul's f32/dequantizing kernel and its W8A8 kernel:
// the result y[B?, L, N] of a projection of x[B?, L, K], and the parallel
// tasks (batch entry, 16 rows, 64 outputs) over which both split it. Also
// the indexing maps of the linalg.contract form those kernels take
// (seqc/Transforms/ProjectionForm.h), which -seq-fused-recurrence builds
// for its hoisted input projection.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_TRANSFORMS_PROJECTIONTASKS_H
#define SEQC_LIB_TRANSFORMS_PROJECTIONTASKS_H

#include "KernelBuilder.h"
#include "seqc/Transforms/ProjectionForm.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::seq {

/// The indexing maps of y[..., n] = sum_k x[..., k] * w[n, k] for an x of
/// rank `xRank` (projectionDims as maps).
inline SmallVector<AffineMap> projectionMaps(MLIRContext *ctx, unsigned xRank) {
  SmallVector<AffineMap> maps;
  for (ArrayRef<unsigned> dims : projectionDims(xRank)) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : dims)
      exprs.push_back(getAffineDimExpr(d, ctx));
    maps.push_back(AffineMap::get(xRank + 1, 0, exprs, ctx));
  }
  return maps;
}

/// Rows and outputs per task: enough outputs that a decode step splits over
/// the threads, few enough rows that a task's rows of x stay in L2.
constexpr int64_t kRowsPerTask = 16;
constexpr int64_t kOutputsPerTask = 64;

struct ProjectionTasks {
  bool batched;
  Value batch, rows; // batch is 1 for a rank-2 x
  int64_t outputs;
  Value y; // the result buffer

  /// The result of `op` (x of rank 2 or 3 as `x`, `outputs` columns).
  static ProjectionTasks allocate(KernelBuilder &kb, linalg::ContractOp op,
                                  Value x, int64_t outputs) {
    ProjectionTasks t;
    t.batched = cast<MemRefType>(x.getType()).getRank() == 3;
    t.batch = t.batched ? kb.dim(x, 0) : kb.index(1);
    t.rows = kb.dim(x, t.batched ? 1 : 0);
    t.outputs = outputs;
    SmallVector<Value> sizes;
    if (t.batched)
      sizes.push_back(t.batch);
    sizes.append({t.rows, kb.index(outputs)});
    t.y = kb.allocResult(op.getResult(0), sizes);
    return t;
  }

  /// Indices of x, y or init at (batch entry, row, column).
  SmallVector<Value> at(Value bi, Value row, Value col) const {
    if (batched)
      return {bi, row, col};
    return {row, col};
  }

  /// An scf.parallel over the tasks; `body(bi, r0, r1, n0, n1)` gets the
  /// batch entry, rows [r0, r1) and outputs [n0, n1) of one. A task has
  /// `rowsPerTask` rows and `outputsPerTask` outputs, fewer at the ends.
  void forEach(KernelBuilder &kb,
               function_ref<void(Value, Value, Value, Value, Value)> body,
               int64_t rowsPerTask = kRowsPerTask,
               int64_t outputsPerTask = kOutputsPerTask) const {
    Value rowBlocks = kb.ceilDiv(rows, kb.index(rowsPerTask));
    int64_t outputBlocks = (outputs + outputsPerTask - 1) / outputsPerTask;
    Value tasks = kb.mul(kb.mul(batch, rowBlocks), kb.index(outputBlocks));
    kb.parallel(tasks, [&](Value task) {
      Value nb = kb.rem(task, kb.index(outputBlocks));
      Value rest = kb.div(task, kb.index(outputBlocks));
      Value rb = kb.rem(rest, rowBlocks), bi = kb.div(rest, rowBlocks);
      Value r0 = kb.mul(rb, kb.index(rowsPerTask));
      Value r1 = kb.min(kb.add(r0, kb.index(rowsPerTask)), rows);
      Value n0 = kb.mul(nb, kb.index(outputsPerTask));
      Value n1 =
          kb.min(kb.add(n0, kb.index(outputsPerTask)), kb.index(outputs));
      body(bi, r0, r1, n0, n1);
    });
  }
};

/// [from, to) in steps of `step` (body(i, step)), then the rest one at a
/// time (body(i, 1)): register tiles and their tails.
inline void tiledLoop(KernelBuilder &kb, Value from, Value to, int64_t step,
                      function_ref<void(Value, int64_t)> body) {
  Value count = kb.div(kb.sub(to, from), kb.index(step));
  Value split = kb.add(from, kb.mul(count, kb.index(step)));
  kb.loop(from, split, kb.index(step), {}, [&](Value i, ValueRange) {
    body(i, step);
    return SmallVector<Value>{};
  });
  if (step > 1)
    kb.loop(split, to, [&](Value i) { body(i, 1); });
}

/// Replaces the projection `op` by the kernel's result buffer `y`, then
/// erases `producers` (its dequantize, its input's quantize or rounding,
/// in order, each feeding the next null or erased one) that nothing else
/// reads.
inline void replaceProjection(KernelBuilder &kb, linalg::ContractOp op,
                              Value y, ArrayRef<Operation *> producers) {
  op->replaceAllUsesWith(
      ValueRange{kb.resultTensor(y, op.getResult(0).getType())});
  op->erase();
  for (Operation *producer : producers)
    if (producer && producer->use_empty())
      producer->erase();
}

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_PROJECTIONTASKS_H
