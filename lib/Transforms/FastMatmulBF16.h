//===- FastMatmulBF16.h - bf16 x bf16 projections ---------------*- C++ -*-===//

#ifndef SEQC_LIB_TRANSFORMS_FASTMATMULBF16_H
#define SEQC_LIB_TRANSFORMS_FASTMATMULBF16_H

#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::seq {

/// Whether `op` is bf16 compute: its input rounded to bf16
/// (arith.extf(arith.truncf(x))) times a bf16 weight (seq.dequantize bits
/// 16).
bool isBF16Compute(linalg::ContractOp op);

/// Why `op` (a projection, already checked by the f32 kernel's rules) is not
/// one the vdpbf16ps kernel computes, or null when it is. `bf16Dot`: the
/// target has AVX512_BF16.
const char *unsupportedBF16Reason(linalg::ContractOp op, int64_t lanes,
                                  bool bf16Dot);

/// Replaces `op` (bf16 compute) by the vdpbf16ps kernel.
void rewriteBF16(ImplicitLocOpBuilder &b, linalg::ContractOp op,
                 int64_t lanes);

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_FASTMATMULBF16_H
