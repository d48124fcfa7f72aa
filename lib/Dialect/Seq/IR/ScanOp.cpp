//===- ScanOp.cpp - seq.scan verifier, shapes and combiner
//-----------------===//

#include "ReifyUtils.h"
#include "ShapeChecker.h"
#include "seqc/Dialect/Seq/IR/ScanCombiner.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/Twine.h"

using namespace mlir;
using namespace mlir::seq;

/// Size names "d0", "d1", ... for a rank-`rank` input; `skip` (if set) is
/// left out, as the scanned dimension is for `init`.
static SmallVector<std::string> dimNames(int64_t rank,
                                         std::optional<int64_t> skip) {
  SmallVector<std::string> names;
  for (int64_t d = 0; d < rank; ++d)
    if (!skip || d != *skip)
      names.push_back(("d" + Twine(d)).str());
  return names;
}

static SmallVector<StringRef> asRefs(ArrayRef<std::string> names) {
  return SmallVector<StringRef>(names.begin(), names.end());
}

LogicalResult ScanOp::verify() {
  if (getInputs().empty())
    return emitOpError("requires at least one input");
  auto first = cast<RankedTensorType>(getInputs().front().getType());
  int64_t rank = first.getRank();
  int64_t dim = getDimAttr().getInt();
  if (dim < 0 || dim >= rank)
    return emitOpError() << "'dim' must be in [0, " << rank
                         << ") for inputs of rank " << rank << ", got " << dim;

  ShapeChecker shapes(*this);
  SmallVector<std::string> full = dimNames(rank, std::nullopt);
  SmallVector<std::string> reduced = dimNames(rank, dim);
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    std::string name = ("input #" + Twine(i)).str();
    if (failed(shapes.check(input, name, asRefs(full))))
      return failure();
  }

  size_t n = getInputs().size();
  if (!getInits().empty() && getInits().size() != n)
    return emitOpError() << "'init' must give one value per input (" << n
                         << "), got " << getInits().size();
  if (getExclusive() && getInits().empty())
    return emitOpError("an exclusive scan requires 'init' (the value of its "
                       "first element)");
  for (auto [i, init] : llvm::enumerate(getInits())) {
    std::string name = ("init #" + Twine(i)).str();
    if (failed(shapes.check(init, name, asRefs(reduced))))
      return failure();
    Type expected = elementTypeOf(getInputs()[i].getType());
    if (elementTypeOf(init.getType()) != expected)
      return emitOpError() << "'" << name << "' element type "
                           << elementTypeOf(init.getType())
                           << " does not match input #" << i
                           << " element type " << expected;
  }

  if (getResults().size() != n)
    return emitOpError() << "must have one result per input (" << n
                         << "), got " << getResults().size();
  for (auto [i, result] : llvm::enumerate(getResults())) {
    std::string name = ("result #" + Twine(i)).str();
    if (failed(shapes.check(result, name, asRefs(full))))
      return failure();
    Type expected = elementTypeOf(getInputs()[i].getType());
    if (elementTypeOf(result.getType()) != expected)
      return emitOpError() << "'" << name << "' element type "
                           << elementTypeOf(result.getType())
                           << " does not match input #" << i
                           << " element type " << expected;
  }
  return success();
}

LogicalResult ScanOp::verifyRegions() {
  size_t n = getInputs().size();
  Block &body = getCombiner().front();
  if (body.getNumArguments() != 2 * n)
    return emitOpError() << "combiner region must take " << 2 * n
                         << " arguments (" << n << " accumulator"
                         << (n == 1 ? "" : "s") << ", then " << n
                         << " element" << (n == 1 ? "" : "s") << "), got "
                         << body.getNumArguments();
  for (size_t i = 0; i < 2 * n; ++i) {
    Type expected = elementTypeOf(getInputs()[i % n].getType());
    Type actual = body.getArgument(i).getType();
    if (actual != expected)
      return emitOpError() << "combiner argument #" << i << " must be "
                           << expected << " (element type of input #"
                           << i % n << "), got " << actual;
  }
  auto yield = body.empty() ? YieldOp() : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError("combiner region must end with seq.yield");
  if (yield.getValues().size() != n)
    return yield.emitOpError() << "must yield " << n
                               << " values (one per scanned input), got "
                               << yield.getValues().size();
  for (auto [i, value] : llvm::enumerate(yield.getValues())) {
    Type expected = elementTypeOf(getInputs()[i].getType());
    if (value.getType() != expected)
      return yield.emitOpError() << "value #" << i << " must be " << expected
                                 << " (element type of input #" << i
                                 << "), got " << value.getType();
  }
  return success();
}

LogicalResult ScanOp::reifyResultShapes(OpBuilder &builder,
                                        ReifiedRankedShapedTypeDims &shapes) {
  for (auto [input, result] : llvm::zip(getInputs(), getResults())) {
    SmallVector<DimSource> sources;
    for (int64_t d = 0, e = cast<RankedTensorType>(result.getType()).getRank();
         d < e; ++d)
      sources.push_back({input, d});
    shapes.push_back(reifyDims(builder, getLoc(), result.getType(), sources));
  }
  return success();
}

SmallVector<Value> mlir::seq::applyScanCombiner(OpBuilder &b, ScanOp op,
                                                ValueRange earlier,
                                                ValueRange later) {
  Block &body = op.getCombiner().front();
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip(body.getArguments(),
                                     llvm::concat<const Value>(earlier, later)))
    mapping.map(arg, value);
  for (Operation &inner : body.without_terminator())
    b.clone(inner, mapping);
  SmallVector<Value> out;
  for (Value v : cast<YieldOp>(body.getTerminator()).getValues())
    out.push_back(mapping.lookupOrDefault(v));
  return out;
}
