//===- FusedScan.cpp - -seq-fused-scan ------------------------------------===//
//
// seq.scan on the CPU as one parallel loop nest whose combiner works on
// registers (see the pass description in Passes.td), where the reference
// lowering runs a linalg.generic over every row at each step, through
// tensor slices of the inputs and the results.
//
// A scan along any dimension but the last one takes the last dimension
// (contiguous) in vector lanes: a task owns up to kColumnsPerTask columns
// of it for one index of the other dimensions, reads them contiguously at
// each step and keeps their accumulators in an L1 buffer (a task of a few
// vectors in registers touched a new page at every step: consecutive
// steps are a whole row of the layout apart). The combiner is rebuilt on
// vectors (its ops are elementwise by requirement); the last vector of
// columns is masked.
//
// A scan along the last dimension has each row contiguous: a task owns
// kRowsPerTask rows and walks them in step, scalar, each row a stream the
// prefetcher follows and an independent chain of combiners.
//
// Only the (earlier, later) order of the combiner's operands is used, so
// it need not be commutative.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/ScanCombiner.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQFUSEDSCAN
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// Columns of the last dimension a task scans (2 KiB a step and input).
constexpr int64_t kColumnsPerTask = 512;
/// Rows a task walks together when the scan is along the last dimension.
constexpr int64_t kRowsPerTask = 4;

/// Why `op` stays with the reference lowering, or null.
const char *unsupportedReason(ScanOp op) {
  if (!allOperandsF32(op))
    return "an element type other than f32";
  for (Operation &inner : op.getCombiner().front().without_terminator()) {
    if (isa<arith::ConstantOp>(inner) && inner.getResult(0).getType().isF32())
      continue;
    if (!inner.hasTrait<OpTrait::Elementwise>() || inner.getNumRegions() != 0 ||
        !llvm::all_of(inner.getResultTypes(),
                      [](Type t) { return t.isF32() || t.isInteger(1); }))
      return "a combiner op that is not elementwise on f32 (or i1)";
    for (Value operand : inner.getOperands())
      if (!op.getCombiner().isAncestor(operand.getParentRegion()) &&
          !operand.getType().isF32())
        return "a combiner that uses a non-f32 value from outside";
  }
  return nullptr;
}

struct Rewriter : VectorKernelBuilder {
  ScanOp op;
  int64_t scanDim = 0, rank = 0;
  SmallVector<Value> inputs = {}, inits = {}, outputs = {};

  /// `type` with `width` lanes, or itself for a width of 0.
  Type widen(Type type, int64_t width) {
    return width ? VectorType::get({width}, type) : type;
  }
  /// The combiner on (earlier, later), its ops rebuilt on vectors of
  /// `width` lanes (scalars for 0).
  SmallVector<Value> combine(ValueRange earlier, ValueRange later,
                             int64_t width) {
    if (!width)
      return applyScanCombiner(b, op, earlier, later);
    Block &body = op.getCombiner().front();
    IRMapping mapping;
    for (auto [arg, value] : llvm::zip(
             body.getArguments(), llvm::concat<const Value>(earlier, later)))
      mapping.map(arg, value);
    for (Operation &inner : body.without_terminator()) {
      if (auto constant = dyn_cast<arith::ConstantOp>(inner)) {
        auto type = cast<ShapedType>(widen(constant.getType(), width));
        mapping.map(constant.getResult(),
                    arith::ConstantOp::create(
                        b, DenseElementsAttr::get(type, constant.getValue())));
        continue;
      }
      SmallVector<Value> operands;
      for (Value operand : inner.getOperands()) {
        Value mapped = mapping.lookupOrNull(operand);
        // A value from outside the combiner: the same in every lane.
        operands.push_back(
            mapped ? mapped
                   : vector::BroadcastOp::create(
                         b, widen(operand.getType(), width), operand));
      }
      SmallVector<Type> types;
      for (Type t : inner.getResultTypes())
        types.push_back(widen(t, width));
      OperationState state(inner.getLoc(), inner.getName(), operands, types,
                           inner.getAttrs());
      Operation *vectorOp = b.create(state);
      mapping.map(inner.getResults(), vectorOp->getResults());
    }
    SmallVector<Value> out;
    for (Value v : cast<YieldOp>(body.getTerminator()).getValues())
      out.push_back(mapping.lookupOrDefault(v));
    return out;
  }

  /// Walks the `length` steps of `groups` independent scalar scans of the
  /// op's inputs (in reverse when the op is): `read(t)` gives step t's
  /// elements of every group, group after group, and `write(t, values)`
  /// stores its results. `start` holds init's values the same way, or is
  /// empty: then the first step takes its elements as they are (the caller
  /// runs this only for a nonempty sequence).
  void walk(Value length, ArrayRef<Value> start, int64_t groups,
            function_ref<SmallVector<Value>(Value)> read,
            function_ref<void(Value, ValueRange)> write) {
    size_t n = inputs.size();
    Value zero = index(0), one = index(1), last = sub(length, one);
    auto step = [&](Value s) { return op.getReverse() ? sub(last, s) : s; };
    SmallVector<Value> acc(start);
    Value from = zero;
    if (start.empty()) {
      acc = read(step(zero));
      write(step(zero), acc);
      from = one;
    }
    loop(from, length, one, acc,
         [&](Value s, ValueRange before) -> SmallVector<Value> {
           Value t = step(s);
           SmallVector<Value> x = read(t), next;
           for (int64_t g = 0; g < groups; ++g)
             llvm::append_range(next, combine(before.slice(g * n, n),
                                              ArrayRef(x).slice(g * n, n),
                                              /*width=*/0));
           write(t, op.getExclusive() ? SmallVector<Value>(before) : next);
           return next;
         });
  }

  void alongInnerDims(ArrayRef<Value> sizes);
  void alongLastDim(ArrayRef<Value> sizes);
  void run();
};
} // namespace

/// Rows are the dimensions but the scanned one and the last; a task is a
/// row and up to kColumnsPerTask columns of the last dimension. Each step
/// reads its columns contiguously (a step of one row is a whole row of the
/// layout away from the next); the accumulators wait in an L1 buffer.
void Rewriter::alongInnerDims(ArrayRef<Value> sizes) {
  Value columns = sizes.back();
  SmallVector<int64_t> notRows = {scanDim, rank - 1};
  Value rows = product(sizes, notRows);
  Value blocks = ceilDiv(columns, index(kColumnsPerTask));
  VectorType maskType = VectorType::get({lanes}, b.getI1Type());
  size_t n = inputs.size();
  Value zero = index(0), one = index(1);
  parallel(mul(rows, blocks), [&](Value task) {
    Value first = mul(rem(task, blocks), index(kColumnsPerTask));
    Value count = min(sub(columns, first), index(kColumnsPerTask));
    SmallVector<Value> at = delinearize(div(task, blocks), sizes, notRows);
    // The accumulators of the task's columns, [input][column].
    Value acc = allocF32({int64_t(n), kColumnsPerTask});
    Value vectors = ceilDiv(count, index(lanes));
    // `body(offset, mask)` for each vector of the task's columns.
    auto forVectors = [&](function_ref<void(Value, Value)> body) {
      loop(zero, vectors, [&](Value v) {
        Value offset = mul(v, index(lanes));
        body(offset, vector::CreateMaskOp::create(
                         b, maskType, ValueRange{sub(count, offset)}));
      });
    };
    auto where = [&](Value t, Value offset) {
      SmallVector<Value> indices(at);
      indices[scanDim] = t;
      indices.back() = add(first, offset);
      return indices;
    };
    auto read = [&](Value t, Value offset, Value mask) {
      SmallVector<Value> x;
      for (Value input : inputs)
        x.push_back(loadVec(input, where(t, offset), mask));
      return x;
    };
    auto write = [&](Value t, Value offset, Value mask, ValueRange values,
                     ValueRange next) {
      for (size_t i = 0; i < n; ++i) {
        storeVec(values[i], outputs[i], where(t, offset), mask);
        storeVec(next[i], acc, {index(i), offset});
      }
    };

    Value length = sizes[scanDim], last = sub(length, one);
    auto step = [&](Value s) { return op.getReverse() ? sub(last, s) : s; };
    Value from = zero;
    if (inits.empty()) {
      // The first step takes its elements as they are.
      forVectors([&](Value offset, Value mask) {
        SmallVector<Value> x = read(step(zero), offset, mask);
        write(step(zero), offset, mask, x, x);
      });
      from = one;
    } else {
      forVectors([&](Value offset, Value mask) {
        for (size_t i = 0; i < n; ++i) {
          SmallVector<Value> indices = where(Value(), offset);
          indices.erase(indices.begin() + scanDim);
          storeVec(loadVec(inits[i], indices, mask), acc, {index(i), offset});
        }
      });
    }
    loop(from, length, [&](Value s) {
      Value t = step(s);
      forVectors([&](Value offset, Value mask) {
        SmallVector<Value> before;
        for (size_t i = 0; i < n; ++i)
          before.push_back(loadVec(acc, {index(i), offset}));
        SmallVector<Value> next = combine(before, read(t, offset, mask), lanes);
        write(t, offset, mask, op.getExclusive() ? before : next, next);
      });
    });
  });
}

/// Each row is contiguous along the scan: a task walks kRowsPerTask rows
/// in step, scalar.
void Rewriter::alongLastDim(ArrayRef<Value> sizes) {
  SmallVector<int64_t> notRows = {rank - 1};
  Value rows = product(sizes, notRows);
  Value lastRow = sub(rows, index(1));
  size_t n = inputs.size();
  parallel(ceilDiv(rows, index(kRowsPerTask)), [&](Value task) {
    // Rows past the end redo the last row, storing what it stores (no
    // branch in the loop).
    SmallVector<SmallVector<Value>> at;
    for (int64_t r = 0; r < kRowsPerTask; ++r) {
      Value row = min(add(mul(task, index(kRowsPerTask)), index(r)), lastRow);
      at.push_back(delinearize(row, sizes, notRows));
    }
    auto indicesAt = [&](Value t, int64_t r) {
      SmallVector<Value> where(at[r]);
      where.back() = t;
      return where;
    };
    SmallVector<Value> start;
    for (int64_t r = 0; r < kRowsPerTask; ++r)
      for (Value init : inits)
        start.push_back(load(init, ArrayRef<Value>(at[r]).drop_back()));
    walk(
        sizes.back(), start, kRowsPerTask,
        [&](Value t) {
          SmallVector<Value> x;
          for (int64_t r = 0; r < kRowsPerTask; ++r)
            for (Value input : inputs)
              x.push_back(load(input, indicesAt(t, r)));
          return x;
        },
        [&](Value t, ValueRange values) {
          for (int64_t r = 0; r < kRowsPerTask; ++r)
            for (size_t i = 0; i < n; ++i)
              store(values[r * n + i], outputs[i], indicesAt(t, r));
        });
  });
}

void Rewriter::run() {
  scanDim = op.getDimAttr().getInt();
  rank = cast<ShapedType>(op.getInputs().front().getType()).getRank();
  for (Value input : op.getInputs())
    inputs.push_back(readBuffer(input));
  for (Value init : op.getInits())
    inits.push_back(readBuffer(init));
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(dim(inputs.front(), d));
  for (Value result : op.getResults())
    outputs.push_back(allocResult(result, sizes));

  // Nothing to scan in an empty sequence (and no first step to take).
  ifThen(cmp(arith::CmpIPredicate::ugt, sizes[scanDim], index(0)), [&] {
    if (scanDim + 1 < rank)
      alongInnerDims(sizes);
    else
      alongLastDim(sizes);
  });

  SmallVector<Value> results;
  for (auto [buffer, result] : llvm::zip(outputs, op.getResults()))
    results.push_back(resultTensor(buffer, result.getType()));
  op->replaceAllUsesWith(results);
  op->erase();
}

namespace {
struct SeqFusedScanPass : mlir::seq::impl::SeqFusedScanBase<SeqFusedScanPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(rewriteSupported<ScanOp>(
            getOperation(), getArgument(), lanes, emitRemarks,
            [&](ScanOp op) { return unsupportedReason(op); },
            [&](ScanOp op) {
              ImplicitLocOpBuilder b(op.getLoc(), op);
              Rewriter{{{b}, lanes}, op}.run();
            })))
      signalPassFailure();
  }
};
} // namespace
