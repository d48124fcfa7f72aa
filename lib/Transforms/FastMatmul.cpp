//===- FastMatmul.cpp - -seq-fast-matmul ----------------------------------===//
//
// Rewrites the projections of a model, y[..., n] = init[..., n] +
// sum_k x[..., k] * w[n, k] (a linalg.contract with the weight stored
// [out, in], as nn.Linear keeps it), into a vector kernel. Both operands are
// contiguous along k, so each output is a dot product: a register tile of
// MR rows of x by NR rows of w accumulates MR x NR vectors over k, reduced
// horizontally once at the end. (A call with many rows per batch entry, a
// prompt, is compute-bound and runs the panel kernel of
// FastMatmulPanels.cpp instead, a quantized w converted tile by tile.) Tasks
// are (batch entry, block of rows, block of outputs): a decode step (one row)
// still splits over outputs, so the weight is streamed once by all threads
// together; within a task the tile of w stays in L1 while the rows of x pass
// by. As a tile streams its rows of w, the next tile's rows are prefetched: a
// row of a projection is only a few cache lines (768 int8 weights are 12), too
// short a stream for the hardware prefetcher, and a decode step reads every
// weight from DRAM (measured: 2x on the decode of a 110M int8 model, 10% in
// fp32).
//
// A weight that is a seq.dequantize of int8 or packed int4 values is read
// as integers and converted in registers (never materialized as floats):
// one scale per output channel multiplies the finished dot product, group
// scales multiply each converted vector of weights.
//
//   %y = linalg.contract indexing_maps = [(b, l, n, k) -> (b, l, k),
//            (b, l, n, k) -> (n, k), (b, l, n, k) -> (b, l, n)]
//            ins(%x, %w : tensor<?x?x768xf32>, tensor<2048x768xf32>)
//            outs(%init)
//   // becomes
//   scf.parallel (%task) { ... vector.fma ... vector.reduction <add> ... }
//
//===----------------------------------------------------------------------===//

#include "FastMatmulBF16.h"
#include "FastMatmulPanels.h"
#include "FastMatmulW8A8.h"
#include "KernelBuilder.h"
#include "ProjectionTasks.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQFASTMATMUL
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;
using namespace mlir::seq;

namespace {
/// The loops of the contraction: outer dimensions of x and y, then n, k.
bool isProjection(linalg::ContractOp op) {
  if (op.getInputs().size() != 2 || op.getOutputs().size() != 1)
    return false;
  auto x = dyn_cast<RankedTensorType>(op.getInputs()[0].getType());
  auto w = dyn_cast<RankedTensorType>(op.getInputs()[1].getType());
  auto y = dyn_cast<RankedTensorType>(op.getOutputs()[0].getType());
  if (!x || !w || !y || w.getRank() != 2 || x.getRank() != y.getRank() ||
      (x.getRank() != 2 && x.getRank() != 3))
    return false;
  return op.getIndexingMapsArray() ==
         projectionMaps(op.getContext(), x.getRank());
}

const char *unsupportedReason(linalg::ContractOp op, int64_t lanes) {
  if (!op.hasPureTensorSemantics())
    return "a contraction on buffers";
  if (!isProjection(op))
    return "a contraction other than x[..., k] * w[n, k]";
  if (!allOperandsF32(op))
    return "element type other than f32";
  auto w = cast<RankedTensorType>(op.getInputs()[1].getType());
  if (!w.hasStaticShape())
    return "dynamic weight sizes";
  auto x = cast<RankedTensorType>(op.getInputs()[0].getType());
  if (x.getDimSize(x.getRank() - 1) != w.getDimSize(1))
    return "an input size of x that is dynamic or differs from the weight's";
  if (w.getDimSize(1) % lanes != 0)
    return "an input size that is not a multiple of the vector width";
  if (auto dq = op.getInputs()[1].getDefiningOp<DequantizeOp>()) {
    int64_t group = dq.getGroupSize();
    bool perChannel = group == w.getDimSize(1);
    if (dq.getBits() == 8 && !perChannel && group % lanes != 0)
      return "an int8 group size that is not a multiple of the vector width";
    if (dq.getBits() == 4 && (group / 2) % lanes != 0)
      return "an int4 group size that is not twice a multiple of the vector "
             "width";
  }
  return nullptr;
}

struct Rewriter : VectorKernelBuilder {
  Rewriter(ImplicitLocOpBuilder &b, int64_t lanes, linalg::ContractOp op,
           int64_t mr)
      : VectorKernelBuilder{{b}, lanes}, op(op), mr(mr) {}

  linalg::ContractOp op;
  int64_t mr;

  void run();

  /// How the weight is stored: f32 [N, K], `bits`-bit integers with
  /// `groups` scales per output channel, or bf16 bytes (bits 16, no scales)
  /// (a seq.dequantize).
  Value w, scales, zeros; // zeros: asymmetric weights only
  int64_t bits = 32, groups = 0, groupSize = 0;

  /// Reads the weight operand (through a seq.dequantize if there is one).
  void readWeights();
  /// Positions per output channel that the loop over k steps through:
  /// stored bytes for 4-bit, inputs otherwise.
  int64_t storedDepth(int64_t depth) const {
    return bits == 4 ? depth / 2 : depth;
  }
  /// The column of w at position `pos` (bf16 takes two bytes an input).
  Value storedColumn(Value pos) {
    return bits == 16 ? mul(pos, index(2)) : pos;
  }
  /// The inputs k that the vector of stored elements at `pos` holds: one
  /// run of lanes, or two for packed 4-bit values.
  SmallVector<Value> inputsAt(Value pos);
  /// The weights of output `n` for `inputsAt(pos)`, as f32 vectors with
  /// group scales applied.
  SmallVector<Value> weightsAt(Value n, Value pos);
  /// Applies a per-channel scale to the finished dot product of output n.
  Value finish(Value sum, Value n);
};
} // namespace

void Rewriter::readWeights() {
  Value operand = op.getInputs()[1];
  auto dq = operand.getDefiningOp<DequantizeOp>();
  if (!dq) {
    w = readBuffer(operand);
    return;
  }
  w = readBuffer(dq.getQuantized());
  bits = dq.getBits();
  groupSize = dq.getGroupSize();
  if (bits == 16)
    return;
  scales = readBuffer(dq.getScales());
  groups = dq.getScales().getType().getDimSize(1);
  if (dq.getZeroPoints())
    zeros = readBuffer(dq.getZeroPoints());
}

SmallVector<Value> Rewriter::inputsAt(Value pos) {
  if (bits != 4)
    return {pos};
  // Byte j of group g holds inputs g*S + j (low) and g*S + S/2 + j (high).
  int64_t half = groupSize / 2;
  Value low = add(mul(div(pos, index(half)), index(groupSize)),
                  rem(pos, index(half)));
  return {low, add(low, index(half))};
}

SmallVector<Value> Rewriter::weightsAt(Value n, Value pos) {
  if (bits == 32)
    return {loadVec(w, {n, pos})};
  if (bits == 16) {
    // bf16 is the high half of an f32: the bits, shifted up.
    auto words = VectorType::get({lanes}, b.getI32Type());
    Value raw = vector::LoadOp::create(
        b, VectorType::get({2 * lanes}, b.getI8Type()), w,
        ValueRange{n, storedColumn(pos)});
    Value halves = vector::BitCastOp::create(
        b, VectorType::get({lanes}, b.getI16Type()), raw);
    Value wide = arith::ShLIOp::create(
        b, arith::ExtUIOp::create(b, words, halves),
        arith::ConstantOp::create(
            b, DenseElementsAttr::get(words, b.getI32IntegerAttr(16))));
    return {vector::BitCastOp::create(b, vec(), wide)};
  }
  auto bytes = VectorType::get({lanes}, b.getI8Type());
  Value q = vector::LoadOp::create(b, bytes, w, ValueRange{n, pos});
  SmallVector<Value> ints = {q};
  if (bits == 4) {
    // Nibbles are split after sign-extending to i32: x86 has no 8-bit
    // vector shifts, and the high nibble of a sign-extended byte is then
    // one arithmetic shift.
    auto words = VectorType::get({lanes}, b.getI32Type());
    auto shift = [&](int32_t n) {
      return arith::ConstantOp::create(
          b, DenseElementsAttr::get(words, b.getI32IntegerAttr(n)));
    };
    Value wide = arith::ExtSIOp::create(b, words, q);
    ints = {arith::ShRSIOp::create(
                b, arith::ShLIOp::create(b, wide, shift(28)), shift(28)),
            arith::ShRSIOp::create(b, wide, shift(4))};
  }
  SmallVector<Value> out;
  int64_t storedPerGroup = bits == 4 ? groupSize / 2 : groupSize;
  Value group = div(pos, index(storedPerGroup));
  for (Value i : ints) {
    Value v = arith::SIToFPOp::create(b, vec(), i);
    // q - z is exact in f32 (|q - z| < 2^9).
    if (zeros)
      v = arith::SubFOp::create(
          b, v,
          splat(arith::SIToFPOp::create(b, b.getF32Type(),
                                        load(zeros, {n, group}))));
    if (groups > 1)
      v = arith::MulFOp::create(b, v, splat(load(scales, {n, group})));
    out.push_back(v);
  }
  return out;
}

Value Rewriter::finish(Value sum, Value n) {
  if (bits == 32 || bits == 16 || groups > 1)
    return sum;
  return arith::MulFOp::create(b, sum, load(scales, {n, index(0)}));
}

void Rewriter::run() {
  Value xTensor = op.getInputs()[0], initTensor = op.getOutputs()[0];
  auto wType = cast<RankedTensorType>(op.getInputs()[1].getType());
  int64_t outputs = wType.getDimSize(0), depth = wType.getDimSize(1);
  Value x = readBuffer(xTensor);
  readWeights();
  Value init = readBuffer(initTensor);
  Value zero = index(0);
  ProjectionTasks tasks = ProjectionTasks::allocate(*this, op, x, outputs);
  Value y = tasks.y;
  auto at = [&](Value bi, Value row, Value col) {
    return tasks.at(bi, row, col);
  };

  // One register tile: rows [r0, r0 + tileRows) by outputs [n0, n0 +
  // tileCols), reduced over k and stored with init added.
  auto tile = [&](Value bi, Value r0, Value n0, int64_t tileRows,
                  int64_t tileCols) {
    Value zeroVec = splat(f32(0.0));
    SmallVector<Value> inits(tileRows * tileCols, zeroVec);
    SmallVector<Value> sums = loop(
        zero, index(storedDepth(depth)), index(lanes), inits,
        [&](Value pos, ValueRange accs) {
          SmallVector<Value> ks = inputsAt(pos);
          SmallVector<SmallVector<Value>> xs;
          for (int64_t r = 0; r < tileRows; ++r) {
            xs.emplace_back();
            for (Value k : ks)
              xs.back().push_back(loadVec(x, at(bi, add(r0, index(r)), k)));
          }
          SmallVector<Value> next(accs.begin(), accs.end());
          for (int64_t c = 0; c < tileCols; ++c) {
            Value ahead = min(add(n0, index(tileCols + c)), index(outputs - 1));
            memref::PrefetchOp::create(b, w,
                                       ValueRange{ahead, storedColumn(pos)},
                                       false, 3, true);
            SmallVector<Value> wv = weightsAt(add(n0, index(c)), pos);
            for (size_t part = 0; part < wv.size(); ++part)
              for (int64_t r = 0; r < tileRows; ++r)
                next[r * tileCols + c] = vector::FMAOp::create(
                    b, xs[r][part], wv[part], next[r * tileCols + c]);
          }
          return next;
        });
    for (int64_t r = 0; r < tileRows; ++r)
      for (int64_t c = 0; c < tileCols; ++c) {
        Value sum = finish(
            vector::ReductionOp::create(b, vector::CombiningKind::ADD,
                                        sums[r * tileCols + c]),
            add(n0, index(c)));
        SmallVector<Value> pos = at(bi, add(r0, index(r)), add(n0, index(c)));
        store(arith::AddFOp::create(b, sum, load(init, pos)), y, pos);
      }
  };
  constexpr int64_t nr = 4;
  auto dotProducts = [&] {
    tasks.forEach(*this, [&](Value bi, Value r0, Value r1, Value n0, Value n1) {
      // Outputs outside, rows inside: the tile of w is reused from L1.
      tiledLoop(*this, n0, n1, nr, [&](Value n, int64_t cols) {
        tiledLoop(*this, r0, r1, mr, [&](Value r, int64_t tileRows) {
          tile(bi, r, n, tileRows, cols);
        });
      });
    });
  };
  // Quantized or bf16 weights reach the panel kernel converted to f32, a
  // tile of NR outputs at a time (the inputs of packed int4 bytes at their
  // own positions); the per-channel scale multiplies the finished sums.
  auto fill = [&](Value tileBuf, Value n, int64_t cols) {
    for (int64_t c = 0; c < cols; ++c) {
      Value row = add(n, index(c));
      loop(zero, index(storedDepth(depth)), index(lanes), {},
           [&](Value pos, ValueRange) {
             SmallVector<Value> ks = inputsAt(pos);
             SmallVector<Value> wv = weightsAt(row, pos);
             for (size_t part = 0; part < wv.size(); ++part)
               storeVec(wv[part], tileBuf, {index(c), ks[part]});
             return SmallVector<Value>{};
           });
    }
  };
  auto finishSum = [&](Value sum, Value n) { return finish(sum, n); };
  DequantizedWeights dequantized{fill, finishSum};
  if (bits != 32 && !dequantizedTileFits(lanes, depth)) {
    dotProducts();
  } else {
    // Many rows: compute-bound, the panel kernel; few (a decode step):
    // bound by reading w, which the dot products stream once.
    ifThenElse(
        cmp(arith::CmpIPredicate::uge, tasks.rows, index(kPanelMinRows)),
        [&] {
          emitPanelProjection(*this, tasks, x, w, init, depth,
                              bits == 32 ? nullptr : &dequantized);
        },
        dotProducts);
  }
  auto dq = op.getInputs()[1].getDefiningOp<DequantizeOp>();
  replaceProjection(*this, op, y, {dq});
}

namespace {
struct SeqFastMatmulPass
    : mlir::seq::impl::SeqFastMatmulBase<SeqFastMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    // Rows per register tile: MR x 4 accumulators plus MR + 1 operands
    // must fit the register file (16 vectors on AVX2, 32 on AVX-512).
    int64_t mr = lanes == 16 ? 4 : 2;
    auto reason = [&](linalg::ContractOp op) -> const char * {
      return unsupportedReason(op, lanes);
    };
    if (failed(rewriteSupported<linalg::ContractOp>(
            getOperation(), getArgument(), lanes, emitRemarks, reason,
            [&](linalg::ContractOp op) {
              ImplicitLocOpBuilder b(op.getLoc(), op);
              const char *w8a8 = unsupportedW8A8Reason(op, lanes, int8Dot);
              if (!w8a8) {
                rewriteW8A8(b, op, lanes);
                return;
              }
              const char *bf16 = unsupportedBF16Reason(op, lanes, bf16Dot);
              if (!bf16) {
                rewriteBF16(b, op, lanes);
                return;
              }
              if (emitRemarks && isBF16Compute(op))
                op.emitRemark() << getArgument()
                                << ": bf16 products as f32 (" << bf16 << ")";
              if (emitRemarks &&
                  op.getInputs()[0].getDefiningOp<FakeQuantizeOp>())
                op.emitRemark() << getArgument()
                                << ": int8 activations as f32 (" << w8a8
                                << ")";
              Rewriter(b, lanes, op, mr).run();
            })))
      signalPassFailure();
  }
};
} // namespace
