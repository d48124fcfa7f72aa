//===- GpuScan.cpp - -seq-gpu-scan ----------------------------------------===//
//
// seq.scan on the GPU as one kernel (see the pass description in
// Passes.td), where the reference lowering loops over the sequence on the
// host and launches a kernel at every step.
//
// With few rows (the independent scans: every index but the scanned
// dimension's), a warp scans each row: lane p owns the p-th of 32 chunks
// of the sequence, in the order the scan reads it. It folds its chunk with
// the combiner, the warp scans the 32 folds (Hillis-Steele: at offsets 1,
// 2, .., 16 a lane combines the fold of the lane `offset` below it on the
// left of its own, through `gpu.shuffle up`), and each lane then rescans
// its chunk starting from the folds of the lanes below it (and init). The
// combiner is only ever applied as (earlier, later), so it need not be
// commutative, and no identity element is needed: the chunks that exist
// are the lanes below some lane k, so a lane's shuffled-in neighbour
// always has a chunk when the lane itself has one. With many rows a thread
// scans each row, which already fills the GPU and reads each element once.
//
//===----------------------------------------------------------------------===//

#include "GpuWarp.h"
#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/ScanCombiner.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPUSCAN
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// Up to this many rows a warp scans each row; from it on a thread does
/// (8192 rows already make 8192 threads, and 32 lanes a row 262144: an
/// H200's 132 multiprocessors hold 270336).
constexpr int64_t kWarpRowsBelow = 8192;

/// Element types a lane can shuffle: 32-bit ones directly, 16-bit floats
/// widened to f32 and back (exactly).
bool shuffleable(Type t) {
  return t.isF32() || t.isInteger(32) || t.isF16() || t.isBF16();
}

/// Why `op` stays with the reference lowering, or null.
const char *unsupportedReason(ScanOp op) {
  for (Type t : op->getOperandTypes())
    if (!shuffleable(getElementTypeOrSelf(t)))
      return "an element type other than f32, f16, bf16 or i32";
  return nullptr;
}

struct Kernel : KernelBuilder {
  ScanOp op;
  int64_t scanDim = 0, rank = 0;
  SmallVector<Value> inputs = {}, inits = {}, outputs = {}, sizes = {};
  Value rows = {}, length = {};

  SmallVector<Value> combine(ValueRange earlier, ValueRange later) {
    return applyScanCombiner(b, op, earlier, later);
  }
  /// `whenTrue` where `condition` holds, `whenFalse` elsewhere, elementwise.
  SmallVector<Value> select(Value condition, ValueRange whenTrue,
                            ValueRange whenFalse) {
    SmallVector<Value> out;
    for (auto [t, f] : llvm::zip(whenTrue, whenFalse))
      out.push_back(arith::SelectOp::create(b, condition, t, f));
    return out;
  }
  Value boolean(bool value) {
    return arith::ConstantIntOp::create(b, value ? 1 : 0, 1);
  }
  /// `x` of lane `lane - offset` (its own where there is none).
  Value shuffleUp(Value x, int64_t offset) {
    Type type = x.getType();
    bool widen = type.isF16() || type.isBF16();
    if (widen)
      x = arith::ExtFOp::create(b, b.getF32Type(), x);
    Value y = gpu::ShuffleOp::create(b, x, int32_t(offset), int32_t(kWarpLanes),
                                     gpu::ShuffleMode::UP)
                  .getShuffleResult();
    return widen ? arith::TruncFOp::create(b, type, y).getResult() : y;
  }
  void scanKernel(int64_t lanes);
  void run();
};
} // namespace

void Kernel::scanKernel(int64_t lanes) {
  bool exclusive = op.getExclusive();
  Value zero = index(0), one = index(1);
  Value lastStep = sub(length, one);
  Value threads = mul(rows, index(lanes));
  if (lanes > 1)
    threads = mul(ceilDiv(threads, index(kWarpLanes)), index(kWarpLanes));
  parallel(threads, [&](Value it) {
    Value lane = rem(it, index(lanes));
    Value realRow = cmp(arith::CmpIPredicate::ult, div(it, index(lanes)), rows);
    Value row = min(div(it, index(lanes)), sub(rows, one));
    // The row's indices but the scanned one, and init's indices.
    SmallVector<Value> rowAt = delinearize(row, sizes, {scanDim});
    SmallVector<Value> initAt(rowAt);
    initAt.erase(initAt.begin() + scanDim);
    // The lane's chunk [begin, begin + chunk) of the steps in scan order,
    // cut at the length. Every lane loops over `chunk` steps (a warp's
    // lanes run in lockstep); past the end they read the last step and
    // keep what they had.
    Value chunk = ceilDiv(length, index(lanes));
    Value begin = mul(lane, chunk);
    auto inRange = [&](Value step) {
      return cmp(arith::CmpIPredicate::ult, step, length);
    };
    // The indices of a step (in scan order) of the row; steps past the end
    // are the last one.
    auto at = [&](Value step) {
      step = min(step, lastStep);
      SmallVector<Value> where(rowAt);
      where[scanDim] = op.getReverse() ? sub(lastStep, step) : step;
      return where;
    };
    auto element = [&](Value step) {
      SmallVector<Value> x;
      for (Value input : inputs)
        x.push_back(load(input, at(step)));
      return x;
    };

    // What comes before the lane's chunk: the chunks below's folds, after
    // init.
    SmallVector<Value> initValues;
    for (Value init : inits)
      initValues.push_back(load(init, initAt));
    SmallVector<Value> prefix;
    Value prefixValid;
    if (lanes > 1) {
      // The chunk's fold (a lane without a chunk folds other lanes' steps,
      // which only lanes above it, without chunks too, see).
      SmallVector<Value> fold =
          loop(one, chunk, one, element(begin),
               [&](Value s, ValueRange acc) -> SmallVector<Value> {
                 Value step = add(begin, s);
                 return select(inRange(step), combine(acc, element(step)), acc);
               });
      // The inclusive scan of the folds over the warp's lanes.
      for (int64_t offset = 1; offset < lanes; offset *= 2) {
        SmallVector<Value> below;
        for (Value v : fold)
          below.push_back(shuffleUp(v, offset));
        fold = select(cmp(arith::CmpIPredicate::uge, lane, index(offset)),
                      combine(below, fold), fold);
      }
      for (Value v : fold)
        prefix.push_back(shuffleUp(v, 1));
      prefixValid = cmp(arith::CmpIPredicate::uge, lane, one);
      if (!initValues.empty()) {
        prefix = select(prefixValid, combine(initValues, prefix), initValues);
        prefixValid = boolean(true);
      }
    } else if (!initValues.empty()) {
      prefix = initValues;
      prefixValid = boolean(true);
    } else {
      // Nothing before the row's first step, which takes its x as it is.
      for (Value input : inputs)
        prefix.push_back(arith::ConstantOp::create(
            b,
            b.getZeroAttr(cast<MemRefType>(input.getType()).getElementType())));
      prefixValid = boolean(false);
    }

    // The chunk's scan from the prefix; exclusive stores what came before
    // each step (it requires init, so something always did).
    SmallVector<Value> carried(prefix);
    carried.push_back(prefixValid);
    loop(zero, chunk, one, carried,
         [&](Value s, ValueRange acc) -> SmallVector<Value> {
           Value step = add(begin, s);
           ValueRange before = acc.drop_back();
           Value valid = acc.back();
           SmallVector<Value> x = element(step);
           SmallVector<Value> next = select(valid, combine(before, x), x);
           Value stores = arith::AndIOp::create(b, realRow, inRange(step));
           ifThen(stores, [&] {
             SmallVector<Value> where = at(step);
             for (size_t i = 0; i < outputs.size(); ++i)
               store(exclusive ? before[i] : next[i], outputs[i], where);
           });
           SmallVector<Value> out = select(inRange(step), next, before);
           out.push_back(arith::OrIOp::create(b, valid, inRange(step)));
           return out;
         });
  });
}

void Kernel::run() {
  scanDim = op.getDimAttr().getInt();
  rank = cast<ShapedType>(op.getInputs().front().getType()).getRank();
  for (Value input : op.getInputs())
    inputs.push_back(readBuffer(input));
  for (Value init : op.getInits())
    inits.push_back(readBuffer(init));
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(dim(inputs.front(), d));
  rows = product(sizes, {scanDim});
  length = sizes[scanDim];
  for (Value result : op.getResults())
    outputs.push_back(allocResultBuffer(result, sizes));

  // Nothing to scan in an empty sequence (and no step to read).
  ifThen(cmp(arith::CmpIPredicate::ugt, length, index(0)), [&] {
    ifThenElse(
        cmp(arith::CmpIPredicate::ult, rows, index(kWarpRowsBelow)),
        [&] { scanKernel(kWarpLanes); }, [&] { scanKernel(1); });
  });

  SmallVector<Value> results;
  for (auto [buffer, result] : llvm::zip(outputs, op.getResults()))
    results.push_back(resultTensor(buffer, result.getType()));
  op->replaceAllUsesWith(results);
  op->erase();
}

namespace {
struct SeqGpuScanPass : mlir::seq::impl::SeqGpuScanBase<SeqGpuScanPass> {
  using Base::Base;

  void runOnOperation() override {
    rewriteSupported<ScanOp>(getOperation(), emitRemarks, unsupportedReason,
                             [](ScanOp op) {
                               ImplicitLocOpBuilder b(op.getLoc(), op);
                               Kernel{{b}, op}.run();
                             });
  }
};
} // namespace
