//===- ShapeChecker.cpp - named-dimension checks for verifiers -----------===//

#include "ShapeChecker.h"
#include "seqc/Dialect/Seq/IR/ShapeRelations.h"

#include "llvm/ADT/Twine.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::seq;

std::string mlir::seq::formatLayout(ArrayRef<StringRef> layout) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(layout, os, [&](StringRef n) { os << (n.empty() ? "_" : n); });
  os << "]";
  return s;
}

namespace {
/// The collector of the innermost active collectShapeRelations call on this
/// thread, if any.
thread_local llvm::function_ref<void(Value, unsigned, StringRef, StringRef)>
    *activeRecorder = nullptr;
thread_local llvm::function_ref<void(const ShapeConstraint &)>
    *activeConstraints = nullptr;
} // namespace

void ShapeChecker::constrain(ShapeConstraintKind kind, Value a, unsigned dimA,
                             Value b, unsigned dimB, int64_t value,
                             StringRef description) {
  if (activeConstraints)
    (*activeConstraints)({kind, a, dimA, b, dimB, value, description});
}

void ShapeChecker::record(Value value, unsigned dim, StringRef sizeName,
                          StringRef operandName) {
  if (activeRecorder && !sizeName.empty())
    (*activeRecorder)(value, dim,
                      (op->getName().getStringRef() + "." +
                       Twine(reinterpret_cast<uintptr_t>(op)) + "." + sizeName)
                          .str(),
                      operandName);
}

void mlir::seq::collectShapeRelations(
    Operation *op,
    llvm::function_ref<void(Value, unsigned, StringRef, StringRef)> named,
    llvm::function_ref<void(const ShapeConstraint &)> constrained) {
  auto *previousNamed = activeRecorder;
  auto *previousConstrained = activeConstraints;
  activeRecorder = &named;
  activeConstraints = &constrained;
  (void)op->getName().verifyInvariants(op);
  activeRecorder = previousNamed;
  activeConstraints = previousConstrained;
}

LogicalResult ShapeChecker::check(Value value, StringRef name,
                                  ArrayRef<StringRef> layout) {
  if (auto type = dyn_cast<RankedTensorType>(value.getType());
      type && type.getRank() == static_cast<int64_t>(layout.size()))
    for (auto [dim, sizeName] : llvm::enumerate(layout))
      record(value, dim, sizeName, name);
  return check(value.getType(), name, layout);
}

LogicalResult ShapeChecker::check(Type type, StringRef name,
                                  ArrayRef<StringRef> layout) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped)
    return op->emitOpError() << "'" << name
                             << "' must be a ranked tensor, got " << type;
  if (shaped.getRank() != static_cast<int64_t>(layout.size()))
    return op->emitOpError()
           << "'" << name << "' must have rank " << layout.size() << " "
           << formatLayout(layout) << ", got rank " << shaped.getRank()
           << " (" << type << ")";
  for (auto [dim, sizeName] : llvm::enumerate(layout)) {
    if (sizeName.empty() || shaped.isDynamicDim(dim))
      continue;
    int64_t size = shaped.getDimSize(dim);
    auto [it, inserted] =
        bindings.try_emplace(sizeName, Binding{size, name.str()});
    if (inserted || it->second.size == size)
      continue;
    if (it->second.source == name.str())
      return op->emitOpError()
             << "'" << name << "' dimension " << dim << " (" << sizeName
             << ") is " << size << ", but its other " << sizeName
             << " dimension is " << it->second.size;
    return op->emitOpError() << "'" << name << "' dimension " << dim << " ("
                             << sizeName << ") is " << size << ", but '"
                             << it->second.source << "' has " << sizeName
                             << " = " << it->second.size;
  }
  return success();
}

LogicalResult ShapeChecker::checkDim(Type type, StringRef name, unsigned dim,
                                     std::optional<int64_t> expected,
                                     StringRef what) {
  auto shaped = cast<RankedTensorType>(type);
  if (!expected || shaped.isDynamicDim(dim) ||
      shaped.getDimSize(dim) == *expected)
    return success();
  return op->emitOpError() << "'" << name << "' dimension " << dim
                           << " must be " << what << " = " << *expected
                           << ", got " << shaped.getDimSize(dim);
}

void ShapeChecker::bind(StringRef sizeName, int64_t size, StringRef source) {
  bindings.try_emplace(sizeName, Binding{size, source.str()});
}

std::optional<int64_t> ShapeChecker::lookup(StringRef sizeName) const {
  auto it = bindings.find(sizeName);
  if (it == bindings.end())
    return std::nullopt;
  return it->second.size;
}

LogicalResult mlir::seq::checkFloatElementType(Operation *op, Type type,
                                               StringRef name, Type expected,
                                               StringRef expectedName) {
  Type elementType = elementTypeOf(type);
  if (!isa<FloatType>(elementType))
    return op->emitOpError() << "'" << name
                             << "' must have a float element type, got "
                             << elementType;
  if (expected && elementType != expected)
    return op->emitOpError() << "'" << name << "' element type "
                             << elementType << " does not match '"
                             << expectedName << "' element type " << expected;
  return success();
}

LogicalResult mlir::seq::verifyPositiveFinite(Operation *op, FloatAttr attr,
                                              StringRef name) {
  if (!attr)
    return success();
  double value = attr.getValueAsDouble();
  if (value > 0.0 && std::isfinite(value))
    return success();
  return op->emitOpError() << "'" << name
                           << "' must be a positive finite number, got "
                           << value;
}
