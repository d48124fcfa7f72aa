//===- FastMatmulW8A8.cpp - int8 x int8 projections for -seq-fast-matmul -===//
//
// A projection whose input is a seq.fake_quantize (per-token int8) and whose
// weight is an int8 seq.dequantize with one scale per output channel is
// computed in integers: each task quantizes its rows of x once (to unsigned
// bytes, q + 128, on its stack), and AVX512-VNNI's vpdpbusd multiplies 64
// unsigned by 64 signed bytes into 16 i32 sums per instruction. The offset
// is removed with the weight row's own sum (a vpdpbusd of ones, shared by
// the tile's rows):
//
//   sum_k q_x[k] q_w[n, k] = sum_k (q_x[k] + 128) q_w[n, k] - 128 sum_k q_w[n, k]
//   y[t, n] = init[t, n] + s_x[t] * s_w[n] * that
//
// Integer sums are exact (|sum| <= 255 * 127 * K < 2^31 for K <= 32768), so
// the result is the projection of the quantized values up to the rounding
// of the final float products. With LLM.int8()'s outlier threshold, the
// outlier columns (found once over all rows) are zero in the bytes and
// their products are added in f32.
//
//===----------------------------------------------------------------------===//

#include "FastMatmulW8A8.h"
#include "ProjectionTasks.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::seq;

namespace {
constexpr int64_t kBytes = 64; // per vpdpbusd operand

struct W8A8Rewriter : VectorKernelBuilder {
  linalg::ContractOp op;

  void run();

  VectorType bytes() { return VectorType::get({kBytes}, b.getI8Type()); }
  VectorType words() { return VectorType::get({lanes}, b.getI32Type()); }
  Value dot(Value acc, Value unsignedBytes, Value signedBytes) {
    return Int8DotOp::create(b, acc, unsignedBytes, signedBytes);
  }
  Value vectorConst(VectorType type, Attribute value) {
    return arith::ConstantOp::create(b,
                                     DenseElementsAttr::get(type, value));
  }
};
} // namespace

const char *mlir::seq::unsupportedW8A8Reason(linalg::ContractOp op,
                                             int64_t lanes, bool int8Dot) {
  auto fq = op.getInputs()[0].getDefiningOp<FakeQuantizeOp>();
  auto dq = op.getInputs()[1].getDefiningOp<DequantizeOp>();
  if (!fq || !dq)
    return "not an int8 activation by int8 weight projection";
  if (fq.getScale())
    return "a statically scaled activation (the kernel scales per token)";
  if (!int8Dot || lanes != 16)
    return "no AVX512-VNNI int8 dot products on the target";
  int64_t depth = dq.getResult().getType().getDimSize(1);
  if (dq.getBits() != 8 || dq.getGroupSize() != depth || dq.getZeroPoints())
    return "a weight other than symmetric int8 with one scale per output "
           "channel";
  if (depth % kBytes != 0 || depth > 32768)
    return "an input size that is not a multiple of 64 or above 32768";
  return nullptr;
}

void W8A8Rewriter::run() {
  auto fq = op.getInputs()[0].getDefiningOp<FakeQuantizeOp>();
  auto dq = op.getInputs()[1].getDefiningOp<DequantizeOp>();
  Value xTensor = fq.getInput(), initTensor = op.getOutputs()[0];
  auto wType = cast<RankedTensorType>(dq.getResult().getType());
  int64_t outputs = wType.getDimSize(0), depth = wType.getDimSize(1);
  Value x = readBuffer(xTensor), w = readBuffer(dq.getQuantized());
  Value wScales = readBuffer(dq.getScales());
  Value init = readBuffer(initTensor);
  Value zero = index(0);
  ProjectionTasks tasks = ProjectionTasks::allocate(*this, op, x, outputs);
  Value y = tasks.y;
  auto at = [&](Value bi, Value row, Value col) {
    return tasks.at(bi, row, col);
  };

  // LLM.int8(): the outlier columns (any token at or above the threshold),
  // found once before the tasks: a mask (the column's max) for the
  // quantization and a list for the f32 products.
  std::optional<APFloat> threshold = fq.getOutlierThreshold();
  Value columnMax, outliers, outlierCount;
  if (threshold) {
    columnMax = memref::AllocaOp::create(
        b, MemRefType::get({depth}, b.getF32Type()));
    outliers = memref::AllocaOp::create(
        b, MemRefType::get({depth}, b.getIndexType()));
    loop(zero, index(depth), index(lanes), {},
         [&](Value k, ValueRange) -> SmallVector<Value> {
           storeVec(splat(f32(0.0)), columnMax, {k});
           return {};
         });
    loop(zero, tasks.batch, [&](Value bi) {
      loop(zero, tasks.rows, [&](Value r) {
        loop(zero, index(depth), index(lanes), {},
             [&](Value k, ValueRange) -> SmallVector<Value> {
               Value v = math::AbsFOp::create(b, loadVec(x, at(bi, r, k)));
               storeVec(arith::MaximumFOp::create(b, loadVec(columnMax, {k}), v),
                        columnMax, {k});
               return {};
             });
      });
    });
    Value limit = f32(threshold->convertToDouble());
    outlierCount = loop(
        zero, index(depth), index(1), {zero},
        [&](Value k, ValueRange count) -> SmallVector<Value> {
          Value isOutlier = arith::CmpFOp::create(
              b, arith::CmpFPredicate::OGE, load(columnMax, {k}), limit);
          auto ifOp = scf::IfOp::create(b, TypeRange{b.getIndexType()},
                                        isOutlier, /*withElse=*/true);
          {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(ifOp.thenBlock());
            store(k, outliers, {count[0]});
            scf::YieldOp::create(b, ValueRange{add(count[0], index(1))});
            b.setInsertionPointToStart(ifOp.elseBlock());
            scf::YieldOp::create(b, ValueRange{count[0]});
          }
          return {ifOp.getResult(0)};
        })[0];
  }
  // Whether the columns at k are outliers (a vector of i1), with LLM.int8().
  auto outlierMask = [&](Value k) -> Value {
    return arith::CmpFOp::create(b, arith::CmpFPredicate::OGE,
                                 loadVec(columnMax, {k}),
                                 splat(f32(threshold->convertToDouble())));
  };

  tasks.forEach(*this, [&](Value bi, Value r0, Value r1, Value n0, Value n1) {
    // The task's rows, quantized: q + 128 as bytes, and their scales.
    auto quantized = memref::AllocaOp::create(
        b, MemRefType::get({kRowsPerTask, depth}, b.getI8Type()));
    auto rowScales = memref::AllocaOp::create(
        b, MemRefType::get({kRowsPerTask}, b.getF32Type()));
    loop(r0, r1, [&](Value r) {
      Value local = sub(r, r0);
      SmallVector<Value> maxes = loop(
          zero, index(depth), index(lanes), {splat(f32(0.0))},
          [&](Value k, ValueRange acc) -> SmallVector<Value> {
            Value v = math::AbsFOp::create(b, loadVec(x, at(bi, r, k)));
            if (threshold)
              v = arith::SelectOp::create(b, outlierMask(k), splat(f32(0.0)),
                                          v);
            return {arith::MaximumFOp::create(b, acc[0], v)};
          });
      Value absmax = vector::ReductionOp::create(
          b, vector::CombiningKind::MAXIMUMF, maxes[0]);
      Value isZero = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ,
                                           absmax, f32(0.0));
      Value scale = arith::SelectOp::create(
          b, isZero, f32(1.0), arith::DivFOp::create(b, absmax, f32(127.0)));
      store(scale, rowScales, {local});
      Value scaleVec = splat(scale);
      loop(zero, index(depth), index(lanes), {},
           [&](Value k, ValueRange) -> SmallVector<Value> {
             Value q = math::RoundEvenOp::create(
                 b, arith::DivFOp::create(b, loadVec(x, at(bi, r, k)),
                                          scaleVec));
             q = arith::MinimumFOp::create(
                 b, arith::MaximumFOp::create(b, q, splat(f32(-127.0))),
                 splat(f32(127.0)));
             // An outlier column is 0 here (it is added in f32 below).
             if (threshold)
               q = arith::SelectOp::create(b, outlierMask(k), splat(f32(0.0)),
                                           q);
             Value i = arith::FPToSIOp::create(b, words(), q);
             i = arith::AddIOp::create(
                 b, i, vectorConst(words(), b.getI32IntegerAttr(128)));
             Value u8 = arith::TruncIOp::create(
                 b, VectorType::get({lanes}, b.getI8Type()), i);
             vector::StoreOp::create(b, u8, quantized, ValueRange{local, k});
             return {};
           });
    });

    // Register tiles of MR rows by 4 outputs: MR x 4 sums, 4 weight-row
    // sums, MR rows of x and one vector of weights in 32 registers.
    constexpr int64_t nr = 4, mr = 4;
    Value ones = vectorConst(bytes(), b.getI8IntegerAttr(1));
    Value zeroWords = vectorConst(words(), b.getI32IntegerAttr(0));
    auto tile = [&](Value r, Value n, int64_t tileRows, int64_t tileCols) {
      SmallVector<Value> inits((tileRows + 1) * tileCols, zeroWords);
      SmallVector<Value> sums = loop(
          zero, index(depth), index(kBytes), inits,
          [&](Value k, ValueRange accs) {
            SmallVector<Value> xs;
            for (int64_t i = 0; i < tileRows; ++i)
              xs.push_back(vector::LoadOp::create(
                  b, bytes(), quantized,
                  ValueRange{sub(add(r, index(i)), r0), k}));
            SmallVector<Value> next(accs.begin(), accs.end());
            for (int64_t c = 0; c < tileCols; ++c) {
              Value col = add(n, index(c));
              Value ahead = min(add(n, index(tileCols + c)),
                                index(outputs - 1));
              memref::PrefetchOp::create(b, w, ValueRange{ahead, k}, false, 3,
                                         true);
              Value wv =
                  vector::LoadOp::create(b, bytes(), w, ValueRange{col, k});
              int64_t rowSum = tileRows * tileCols + c;
              next[rowSum] = dot(next[rowSum], ones, wv);
              for (int64_t i = 0; i < tileRows; ++i)
                next[i * tileCols + c] = dot(next[i * tileCols + c], xs[i], wv);
            }
            return next;
          });
      for (int64_t c = 0; c < tileCols; ++c) {
        Value col = add(n, index(c));
        Value rowSum = vector::ReductionOp::create(
            b, vector::CombiningKind::ADD, sums[tileRows * tileCols + c]);
        Value offset = arith::MulIOp::create(
            b, rowSum,
            arith::ConstantOp::create(b, b.getI32IntegerAttr(128)));
        Value ws = load(wScales, {col, zero});
        for (int64_t i = 0; i < tileRows; ++i) {
          Value row = add(r, index(i));
          Value total = arith::SubIOp::create(
              b,
              vector::ReductionOp::create(b, vector::CombiningKind::ADD,
                                          sums[i * tileCols + c]),
              offset);
          Value value = arith::SIToFPOp::create(b, b.getF32Type(), total);
          Value scale = arith::MulFOp::create(
              b, load(rowScales, {sub(row, r0)}), ws);
          SmallVector<Value> pos = at(bi, row, col);
          value = arith::AddFOp::create(
              b, arith::MulFOp::create(b, value, scale), load(init, pos));
          if (threshold)
            value = loop(zero, outlierCount, index(1), {value},
                         [&](Value i, ValueRange acc) -> SmallVector<Value> {
                           Value k = load(outliers, {i});
                           Value wk = arith::MulFOp::create(
                               b,
                               arith::SIToFPOp::create(b, b.getF32Type(),
                                                       load(w, {col, k})),
                               ws);
                           return {math::FmaOp::create(
                               b, load(x, at(bi, row, k)), wk, acc[0])};
                         })[0];
          store(value, y, pos);
        }
      }
    };
    tiledLoop(*this, n0, n1, nr, [&](Value n, int64_t cols) {
      tiledLoop(*this, r0, r1, mr, [&](Value r, int64_t tileRows) {
        tile(r, n, tileRows, cols);
      });
    });
  });
  replaceProjection(*this, op, y, {fq, dq});
}

void mlir::seq::rewriteW8A8(ImplicitLocOpBuilder &b, linalg::ContractOp op,
                            int64_t lanes) {
  W8A8Rewriter{{{b}, lanes}, op}.run();
}
