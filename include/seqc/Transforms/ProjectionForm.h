//===- ProjectionForm.h - the contraction form of a projection -*- C++ -*-===//
//
// y[..., n] = sum_k x[..., k] * w[n, k] as a linalg.contract over the loops
// (x's outer dimensions, n, k): the form -seq-fast-matmul takes. Defined
// once for the pass's matcher, -seq-fused-recurrence's hoisted projection
// and the model builder, which writes it as text (lib/Frontend).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TRANSFORMS_PROJECTIONFORM_H
#define SEQC_TRANSFORMS_PROJECTIONFORM_H

#include "llvm/ADT/SmallVector.h"

#include <array>

namespace mlir::seq {

/// The loop dimensions each operand of the contraction reads, for an x of
/// rank `xRank` (loops: xRank + 1): {x, w, y}.
inline std::array<llvm::SmallVector<unsigned>, 3>
projectionDims(unsigned xRank) {
  unsigned outer = xRank - 1;
  llvm::SmallVector<unsigned> xDims, yDims;
  for (unsigned i = 0; i < outer; ++i) {
    xDims.push_back(i);
    yDims.push_back(i);
  }
  xDims.push_back(outer + 1);
  yDims.push_back(outer);
  return {xDims, {outer, outer + 1}, yDims};
}

} // namespace mlir::seq

#endif // SEQC_TRANSFORMS_PROJECTIONFORM_H
