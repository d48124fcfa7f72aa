//===- FastMatmulBF16.cpp - bf16 x bf16 projections for -seq-fast-matmul -===//
//
// bf16 compute: a projection whose input is rounded to bf16
// (arith.extf(arith.truncf(x))) and whose weight is bf16 (seq.dequantize
// bits 16). Each task rounds its rows of x to bf16 once, on its stack, and
// AVX512_BF16's vdpbf16ps (x86vector.avx512.dot) multiplies 32 bf16 pairs
// of x by 32 of the weight, adding each pair's two products into one of 16
// f32 sums: twice the products of an f32 FMA per instruction, from half the
// bytes. The products of two bf16 are exact in f32, so the result is the
// projection of the rounded values up to the order of the f32 sums.
//
//===----------------------------------------------------------------------===//

#include "FastMatmulBF16.h"
#include "ProjectionTasks.h"

#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

using namespace mlir;
using namespace mlir::seq;

namespace {
constexpr int64_t kPairs = 32; // bf16 values per vdpbf16ps operand

struct BF16Rewriter : VectorKernelBuilder {
  linalg::ContractOp op;

  void run();

  VectorType halves() { return VectorType::get({kPairs}, b.getBF16Type()); }
};

/// The f32 x that `input` rounds to bf16, or null.
Value roundedInput(Value input) {
  auto ext = input.getDefiningOp<arith::ExtFOp>();
  if (!ext)
    return nullptr;
  auto trunc = ext.getIn().getDefiningOp<arith::TruncFOp>();
  if (!trunc || !getElementTypeOrSelf(trunc.getType()).isBF16() ||
      !getElementTypeOrSelf(trunc.getIn().getType()).isF32())
    return nullptr;
  return trunc.getIn();
}
} // namespace

bool mlir::seq::isBF16Compute(linalg::ContractOp op) {
  auto dq = op.getInputs()[1].getDefiningOp<DequantizeOp>();
  return dq && dq.getBits() == 16 && roundedInput(op.getInputs()[0]);
}

const char *mlir::seq::unsupportedBF16Reason(linalg::ContractOp op,
                                             int64_t lanes, bool bf16Dot) {
  if (!isBF16Compute(op))
    return "not a bf16 activation by bf16 weight projection";
  if (!bf16Dot || lanes != 16)
    return "no AVX512_BF16 dot products on the target";
  int64_t depth = cast<RankedTensorType>(op.getInputs()[1].getType())
                      .getDimSize(1);
  if (depth % kPairs != 0)
    return "an input size that is not a multiple of 32";
  return nullptr;
}

void BF16Rewriter::run() {
  auto dq = op.getInputs()[1].getDefiningOp<DequantizeOp>();
  Operation *ext = op.getInputs()[0].getDefiningOp();
  Value xTensor = roundedInput(op.getInputs()[0]);
  Value initTensor = op.getOutputs()[0];
  auto wType = cast<RankedTensorType>(dq.getResult().getType());
  int64_t outputs = wType.getDimSize(0), depth = wType.getDimSize(1);
  Value x = readBuffer(xTensor), w = readBuffer(dq.getQuantized());
  Value init = readBuffer(initTensor);
  Value zero = index(0);
  ProjectionTasks tasks = ProjectionTasks::allocate(*this, op, x, outputs);
  Value y = tasks.y;
  auto at = [&](Value bi, Value row, Value col) {
    return tasks.at(bi, row, col);
  };

  tasks.forEach(*this, [&](Value bi, Value r0, Value r1, Value n0, Value n1) {
    // The task's rows of x rounded to bf16 (round to nearest even).
    auto rounded = memref::AllocaOp::create(
        b, MemRefType::get({kRowsPerTask, depth}, b.getBF16Type()));
    loop(r0, r1, [&](Value r) {
      loop(zero, index(depth), index(lanes), {},
           [&](Value k, ValueRange) -> SmallVector<Value> {
             Value h = arith::TruncFOp::create(
                 b, VectorType::get({lanes}, b.getBF16Type()),
                 loadVec(x, at(bi, r, k)));
             vector::StoreOp::create(b, h, rounded, ValueRange{sub(r, r0), k});
             return {};
           });
    });

    // Register tiles of MR rows by 4 outputs, as the f32 kernel's.
    constexpr int64_t nr = 4, mr = 4;
    auto tile = [&](Value r, Value n, int64_t tileRows, int64_t tileCols) {
      SmallVector<Value> inits(tileRows * tileCols, splat(f32(0.0)));
      SmallVector<Value> sums = loop(
          zero, index(depth), index(kPairs), inits,
          [&](Value k, ValueRange accs) {
            SmallVector<Value> xs;
            for (int64_t i = 0; i < tileRows; ++i)
              xs.push_back(vector::LoadOp::create(
                  b, halves(), rounded,
                  ValueRange{sub(add(r, index(i)), r0), k}));
            Value byte = mul(k, index(2));
            SmallVector<Value> next(accs.begin(), accs.end());
            for (int64_t c = 0; c < tileCols; ++c) {
              Value ahead = min(add(n, index(tileCols + c)),
                                index(outputs - 1));
              memref::PrefetchOp::create(b, w, ValueRange{ahead, byte}, false,
                                         3, true);
              Value raw = vector::LoadOp::create(
                  b, VectorType::get({2 * kPairs}, b.getI8Type()), w,
                  ValueRange{add(n, index(c)), byte});
              Value wv = vector::BitCastOp::create(b, halves(), raw);
              for (int64_t i = 0; i < tileRows; ++i)
                next[i * tileCols + c] = x86vector::DotBF16Op::create(
                    b, vec(), next[i * tileCols + c], xs[i], wv);
            }
            return next;
          });
      for (int64_t i = 0; i < tileRows; ++i)
        for (int64_t c = 0; c < tileCols; ++c) {
          SmallVector<Value> pos = at(bi, add(r, index(i)), add(n, index(c)));
          Value sum = vector::ReductionOp::create(
              b, vector::CombiningKind::ADD, sums[i * tileCols + c]);
          store(arith::AddFOp::create(b, sum, load(init, pos)), y, pos);
        }
    };
    tiledLoop(*this, n0, n1, nr, [&](Value n, int64_t cols) {
      tiledLoop(*this, r0, r1, mr, [&](Value r, int64_t tileRows) {
        tile(r, n, tileRows, cols);
      });
    });
  });
  // The rounding is read only through ext (truncf's one use, when ext goes).
  Operation *trunc = ext->getOperand(0).getDefiningOp();
  replaceProjection(*this, op, y, {ext, trunc, dq});
}

void mlir::seq::rewriteBF16(ImplicitLocOpBuilder &b, linalg::ContractOp op,
                            int64_t lanes) {
  BF16Rewriter{{{b}, lanes}, op}.run();
}
