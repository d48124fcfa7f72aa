//===- MmaBuilder.h - kernels on mma.sync.m16n8k16 fragments ---*- C++ -*-===//
//
// The pieces that the tensor-core kernels (GpuAttentionTensorCore.cpp,
// GpuLinearAttentionTensorCore.cpp) build from: fragments of
// mma.sync.m16n8k16 with f16/bf16 operands and f32 accumulators, in the
// layouts of the PTX ISA ("Matrix fragments for mma.m16n8k16 with floating
// point type"; lane = 4 g + t):
//   A (16x16): register r, element j at row g + 8 (r % 2),
//              column 2 t + j + 8 (r / 2)            vector<4x2xT>
//   B (16x8):  register r, element j at row 2 t + j + 8 r, column g
//                                                    vector<2x2xT>
//   C (16x8):  register r, element j at row g + 8 r, column 2 t + j
//                                                    vector<2x2xf32>
// Two facts the kernels rely on: the C fragments of two 16x8 tiles side by
// side hold, register for register, the A fragment of their 16x16 product
// with the next matrix (C tile n, register r -> A register r + 2 n); and
// the C fragments of a [16 x 8n] matrix are, read the other way round, the
// B fragments of its transpose (tile 2d, register r -> B fragment (d, r),
// register 0; tile 2d + 1 -> register 1).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_TRANSFORMS_MMABUILDER_H
#define SEQC_LIB_TRANSFORMS_MMABUILDER_H

#include "KernelBuilder.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::seq {

struct MmaBuilder : KernelBuilder {
  static constexpr int64_t kWarp = 32;
  Type element; // f16 or bf16

  VectorType aType() { return VectorType::get({4, 2}, element); }
  VectorType bType() { return VectorType::get({2, 2}, element); }
  VectorType cType() { return VectorType::get({2, 2}, b.getF32Type()); }
  VectorType pairType() { return VectorType::get({2}, element); }

  Value zeros(VectorType type) {
    return arith::ConstantOp::create(
        b, type,
        DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
  }
  /// A fragment from f32 values, register-major, each rounded to `element`.
  Value fragmentOf(VectorType type, ArrayRef<Value> values) {
    SmallVector<Value> rounded;
    for (Value v : values)
      rounded.push_back(v.getType() == element
                            ? v
                            : arith::TruncFOp::create(b, element, v));
    return vector::FromElementsOp::create(b, type, rounded);
  }
  /// A fragment whose register r is `registers[r]` (vector<2 x element>).
  Value fragment(VectorType type, ArrayRef<Value> registers) {
    Value f = zeros(type);
    for (auto [r, pair] : llvm::enumerate(registers))
      f = vector::InsertOp::create(b, pair, f, ArrayRef<int64_t>{int64_t(r)});
    return f;
  }
  /// Two consecutive elements of a row-major buffer.
  Value pair(Value memref, ValueRange at) {
    return vector::LoadOp::create(b, pairType(), memref, at);
  }
  Value mma(Value a, Value bm, Value c) {
    return nvgpu::MmaSyncOp::create(b, a, bm, c, ArrayRef<int64_t>{16, 8, 16});
  }
  Value extract(Value v, int64_t r, int64_t j) {
    return vector::ExtractOp::create(b, v, ArrayRef<int64_t>{r, j});
  }
  /// The max or sum of `x` over the four lanes that hold a row of a C
  /// fragment.
  Value rowReduce(Value x, bool isMax) {
    for (int32_t offset : {1, 2}) {
      Value other = gpu::ShuffleOp::create(b, x, offset, int32_t(kWarp),
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
      x = isMax ? arith::MaximumFOp::create(b, x, other).getResult()
                : arith::AddFOp::create(b, x, other).getResult();
    }
    return x;
  }
};

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_MMABUILDER_H
