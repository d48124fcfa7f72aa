//===- ShapeChecker.h - named-dimension checks for verifiers ----*- C++ -*-===//
//
// The seq ops relate many operands through shared sizes (B, H, L, D, ...).
// Rather than hand-writing a comparison per pair, each verifier declares the
// layout of every operand as a list of size names; the checker binds a name
// to the first static size it sees and reports any later mismatch with both
// operands named, e.g.
//
//   'k' dimension 0 (B) is 3, but 'q' has B = 2
//
// Dynamic dimensions match anything: dynamic batch and sequence lengths are
// checked at run time by the generated code, not here.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_DIALECT_SEQ_IR_SHAPECHECKER_H
#define SEQC_LIB_DIALECT_SEQ_IR_SHAPECHECKER_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "seqc/Dialect/Seq/IR/ShapeRelations.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>

namespace mlir::seq {

class ShapeChecker {
public:
  explicit ShapeChecker(Operation *op) : op(op) {}

  /// Checks that `value` (called `name` in messages) is a ranked tensor
  /// whose rank equals `layout.size()`, then checks and binds each dimension
  /// against the size named by the corresponding entry of `layout`. An
  /// empty entry leaves that dimension unchecked.
  LogicalResult check(Value value, StringRef name,
                      ArrayRef<StringRef> layout);
  /// The same for a type, e.g. a region argument or a result type.
  LogicalResult check(Type type, StringRef name, ArrayRef<StringRef> layout);

  /// Checks one dimension of `type` against a size computed by the caller
  /// (e.g. `Dv + 1`); `what` describes the expected size in messages.
  LogicalResult checkDim(Type type, StringRef name, unsigned dim,
                         std::optional<int64_t> expected, StringRef what);

  /// Binds `sizeName` to `size` on behalf of `source` (for sizes that come
  /// from attributes) unless it is already bound.
  void bind(StringRef sizeName, int64_t size, StringRef source);

  /// The static size bound to `sizeName`, if any operand fixed it.
  std::optional<int64_t> lookup(StringRef sizeName) const;

  /// Records, for shape-relation clients (see ShapeRelations.h), that
  /// dimension `dim` of `value` has the size called `sizeName`. check()
  /// records every named dimension itself; verifiers call this for
  /// relations they check by hand.
  void record(Value value, unsigned dim, StringRef sizeName,
              StringRef operandName = "");

  /// Records a rule between sizes that is not equality (see
  /// ShapeConstraint), for the ABI to check at run time when the sizes are
  /// dynamic. Verifiers call it where they check the rule statically.
  void constrain(ShapeConstraintKind kind, Value a, unsigned dimA, Value b,
                 unsigned dimB, int64_t value, StringRef description);

private:
  struct Binding {
    int64_t size;
    std::string source;
  };
  Operation *op;
  llvm::StringMap<Binding> bindings;
};

/// Formats a layout as "[B, H, L, D]" for messages.
std::string formatLayout(ArrayRef<StringRef> layout);

/// Checks that the shaped type `type` (of operand or result `name`) has a
/// float element type equal to `expected`, the element type of
/// `expectedName`; with a null `expected`, only that it is a float.
LogicalResult checkFloatElementType(Operation *op, Type type, StringRef name,
                                    Type expected, StringRef expectedName);

/// Checks that the optional float attribute `attr` (called `name`), if
/// present, is positive and finite.
LogicalResult verifyPositiveFinite(Operation *op, FloatAttr attr,
                                   StringRef name);

/// The element type of a shaped type.
inline Type elementTypeOf(Type type) {
  return cast<ShapedType>(type).getElementType();
}

} // namespace mlir::seq

#endif // SEQC_LIB_DIALECT_SEQ_IR_SHAPECHECKER_H
