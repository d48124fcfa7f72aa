//===- SelectiveScanOp.cpp - seq.selective_scan verifier and shapes ------===//
//
// Size names here say "batch" rather than "B": the operand called B (the
// input projection of the state) would make "B" ambiguous in messages.
//
//===----------------------------------------------------------------------===//

#include "ReifyUtils.h"
#include "ShapeChecker.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

using namespace mlir;
using namespace mlir::seq;

LogicalResult SelectiveScanOp::verify() {
  ShapeChecker shapes(*this);
  if (failed(shapes.check(getU(), "u", {"batch", "L", "Dm"})) ||
      failed(shapes.check(getDelta(), "delta", {"batch", "L", "Dm"})) ||
      failed(shapes.check(getA(), "A", {"Dm", "N"})) ||
      failed(shapes.check(getB(), "B", {"batch", "L", "G", "N"})) ||
      failed(shapes.check(getC(), "C", {"batch", "L", "G", "N"})))
    return failure();
  Type elementType = elementTypeOf(getU().getType());
  if (failed(checkFloatElementType(*this, getU().getType(), "u", nullptr, "")))
    return failure();
  for (auto [value, name] :
       {std::pair<Value, StringRef>{getDelta(), "delta"},
        {getA(), "A"},
        {getB(), "B"},
        {getC(), "C"}})
    if (failed(checkFloatElementType(*this, value.getType(), name,
                                     elementType, "u")))
      return failure();

  struct Optional {
    Value value;
    StringRef name;
    SmallVector<StringRef, 3> layout;
  };
  Optional optionals[] = {{getD(), "D", {"Dm"}},
                          {getZ(), "z", {"batch", "L", "Dm"}},
                          {getDeltaBias(), "delta_bias", {"Dm"}},
                          {getInitialState(), "initial_state",
                           {"batch", "Dm", "N"}}};
  for (Optional &opt : optionals) {
    if (!opt.value)
      continue;
    if (failed(shapes.check(opt.value, opt.name, opt.layout)) ||
        failed(checkFloatElementType(*this, opt.value.getType(), opt.name,
                                     elementType, "u")))
      return failure();
  }

  if (failed(shapes.check(getY(), "y", {"batch", "L", "Dm"})) ||
      failed(checkFloatElementType(*this, getY().getType(), "y", elementType,
                                   "u")) ||
      failed(shapes.check(getLastState(), "last_state",
                          {"batch", "Dm", "N"})) ||
      failed(checkFloatElementType(*this, getLastState().getType(),
                                   "last_state", elementType, "u")))
    return failure();

  shapes.constrain(ShapeConstraintKind::MultipleOf, getU(), 2, getB(), 2, 0,
                   "channels Dm ('u' dimension 2) must be a multiple of "
                   "groups G ('B' dimension 2)");

  // Checked last: Dm may be static in only one operand or result.
  std::optional<int64_t> groups = shapes.lookup("G");
  std::optional<int64_t> channels = shapes.lookup("Dm");
  if (groups && *groups == 0)
    return emitOpError("'B' and 'C' must have at least one group (G = 0)");
  if (groups && channels && *channels % *groups != 0)
    return emitOpError() << "groups G = " << *groups
                         << " (dimension 2 of 'B' and 'C') must divide the "
                            "channels Dm = "
                         << *channels;
  return success();
}

LogicalResult
SelectiveScanOp::reifyResultShapes(OpBuilder &builder,
                                   ReifiedRankedShapedTypeDims &shapes) {
  Location loc = getLoc();
  Value u = getU(), a = getA();
  shapes.push_back(
      reifyDims(builder, loc, getY().getType(), {{u, 0}, {u, 1}, {u, 2}}));
  shapes.push_back(reifyDims(builder, loc, getLastState().getType(),
                             {{u, 0}, {u, 2}, {a, 1}}));
  return success();
}
