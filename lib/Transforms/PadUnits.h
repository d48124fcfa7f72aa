//===- PadUnits.h - pad a tensor dimension's groups of units --------------===//
//
// The fused CPU lowerings work on whole vectors of units (a recurrence's
// head, linear attention's value columns, a selective scan's channels).
// Where a size is not a multiple of the vector width they pad the op's
// operands with zero units, for which each op computes zeros that never
// reach the real units, and slice the results back.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_TRANSFORMS_PADUNITS_H
#define SEQC_LIB_TRANSFORMS_PADUNITS_H

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Value.h"

namespace mlir::seq {

/// `value` (a tensor whose dimension `dim` is static) with that dimension,
/// groups of `from` units, regrouped to `to` units a group: zeros appended
/// (to > from) or the last units of each group dropped (to < from).
Value resizeUnitGroups(ImplicitLocOpBuilder &b, Value value, int64_t dim,
                       int64_t from, int64_t to);

/// Retypes `result` to groups of `to` units along `dim` (its op, padded,
/// now computes them) and gives its users the first `from` of each group,
/// as before. `b` must be positioned after the op.
void widenResult(ImplicitLocOpBuilder &b, OpResult result, int64_t dim,
                 int64_t from, int64_t to);

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_PADUNITS_H
