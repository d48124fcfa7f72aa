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

/// A rule between two dimension sizes a and b that is not equality.
/// Mirrors seqc_constraint_kind in seqc-runtime/seqc_runtime.h.
enum class ShapeConstraintKind {
  MultipleOf = 1, // a % b == 0 and b >= 1
  PlusConstant = 2, // a == b + value
  OneOrEqual = 3, // a == 1 or a == b (broadcasting)
  Constant = 4, // a == value (b unused)
};

struct ShapeConstraint {
  ShapeConstraintKind kind;
  Value a;
  unsigned dimA;
  Value b; // null for Constant
  unsigned dimB;
  int64_t value;
  StringRef description; // the rule in words, for error messages
};

/// Runs the verifier of `op` and calls `named(value, dim, sizeKey,
/// operandName)` for every dimension it relates by name (dimensions reported
/// with the same key must have the same size; keys are unique to `op`;
/// operandName is the op's name for `value`, like "q", or empty), and
/// `constrained` for every other rule it checks between sizes.
void collectShapeRelations(
    Operation *op,
    llvm::function_ref<void(Value, unsigned, StringRef, StringRef)> named,
    llvm::function_ref<void(const ShapeConstraint &)> constrained);

} // namespace mlir::seq

#endif // SEQC_DIALECT_SEQ_IR_SHAPERELATIONS_H
