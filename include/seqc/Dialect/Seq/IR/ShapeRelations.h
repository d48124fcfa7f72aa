//===- ShapeRelations.h - which dimensions of a seq op are equal -*- C++ -*-===//
//
// The verifiers of the seq ops know which operand and result dimensions must
// be equal (the B of q, k, v and the output, ...). Clients that need those
// relations outside the verifier -- the ABI generator, which checks them at
// a library's entry points -- get them from here, from the same code, so
// that the two never disagree.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_SHAPERELATIONS_H
#define SEQC_DIALECT_SEQ_IR_SHAPERELATIONS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::seq {

/// Runs the verifier of `op` and calls `fn(value, dim, sizeKey)` for every
/// dimension it relates by name: dimensions reported with the same key must
/// have the same size. Keys are unique to `op`.
void collectShapeRelations(
    Operation *op, llvm::function_ref<void(Value, unsigned, StringRef)> fn);

} // namespace mlir::seq

#endif // SEQC_DIALECT_SEQ_IR_SHAPERELATIONS_H
