//===- FastMatmulW8A8.h - int8 x int8 projections ---------------*- C++ -*-===//

#ifndef SEQC_LIB_TRANSFORMS_FASTMATMULW8A8_H
#define SEQC_LIB_TRANSFORMS_FASTMATMULW8A8_H

#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::seq {

/// Why `op` (a projection, already checked by the f32 kernel's rules) is not
/// a W8A8 projection the VNNI kernel computes, or null when it is.
/// `int8Dot`: the target has AVX512-VNNI.
const char *unsupportedW8A8Reason(linalg::ContractOp op, int64_t lanes,
                                  bool int8Dot);

/// Replaces `op` (its input a seq.fake_quantize, its weight an int8
/// per-channel seq.dequantize) by the integer kernel.
void rewriteW8A8(ImplicitLocOpBuilder &b, linalg::ContractOp op,
                 int64_t lanes);

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_FASTMATMULW8A8_H
