//===- RecurrenceOp.cpp - seq.recurrence verifier and shapes --------------===//
//
// Two forms share the op: a named cell (lstm, gru, slstm, elman) with
// explicit weights, and a cell region. They are verified separately; the
// result layout (final states, then outputs) is the same for both.
//
//===----------------------------------------------------------------------===//

#include "ReifyUtils.h"
#include "ShapeChecker.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::seq;

int64_t RecurrenceOp::getNumGates(CellKind kind) {
  switch (kind) {
  case CellKind::lstm:
  case CellKind::slstm:
    return 4;
  case CellKind::gru:
    return 3;
  case CellKind::elman:
    return 1;
  }
  return 0;
}

int64_t RecurrenceOp::getNumStates(CellKind kind) {
  switch (kind) {
  case CellKind::lstm:
    return 2;
  case CellKind::slstm:
    return 4;
  case CellKind::gru:
  case CellKind::elman:
    return 1;
  }
  return 0;
}

int64_t RecurrenceOp::getNumStateResults() {
  if (std::optional<CellKind> cell = getCell())
    return getNumStates(*cell);
  return getInit().size();
}

static StringRef stateNames(CellKind kind) {
  switch (kind) {
  case CellKind::lstm:
    return "(h, c)";
  case CellKind::slstm:
    return "(h, c, n, m)";
  case CellKind::gru:
  case CellKind::elman:
    return "(h)";
  }
  return "";
}

static std::string indexed(StringRef what, size_t i) {
  return (what + " #" + Twine(i)).str();
}

static LogicalResult verifyNamedCell(RecurrenceOp op, CellKind kind) {
  StringRef cellName = stringifyCellKind(kind);
  if (!op.getBody().empty())
    return op.emitOpError() << "a named cell ('" << cellName
                            << "') takes no region";
  if (op.getInputs().size() != 1)
    return op.emitOpError() << "a named cell takes exactly one input x "
                               "[B, L, I], got "
                            << op.getInputs().size();
  if (!op.getWIn() || !op.getWRec())
    return op.emitOpError() << "cell '" << cellName
                            << "' requires both 'w_in' and 'w_rec'";

  ShapeChecker shapes(op);
  Value x = op.getInputs().front();
  if (failed(shapes.check(x, "x", {"B", "L", "I"})) ||
      failed(shapes.check(op.getWRec(), "w_rec", {"nG", "NH", "Dh", "Dh"})))
    return failure();
  Type elementType = elementTypeOf(x.getType());
  if (failed(checkFloatElementType(op, x.getType(), "x", nullptr, "")) ||
      failed(checkFloatElementType(op, op.getWRec().getType(), "w_rec",
                                   elementType, "x")))
    return failure();
  // As attention's heads and head size: a cell of no units computes nothing
  // (and the lowerings divide by them).
  auto wRecType = cast<RankedTensorType>(op.getWRec().getType());
  for (auto [dim, what] : {std::pair<unsigned, StringRef>{1, "heads NH"},
                           std::pair<unsigned, StringRef>{2, "head size Dh"}})
    if (wRecType.getDimSize(dim) == 0)
      return op.emitOpError() << what << " (dimension " << dim
                              << " of 'w_rec') must be at least 1, got 0";
  int64_t gates = RecurrenceOp::getNumGates(kind);
  std::string gatesWhat = ("the number of gates of '" + cellName + "'").str();
  if (failed(shapes.checkDim(op.getWRec().getType(), "w_rec", 0, gates,
                             gatesWhat)))
    return failure();

  // States and results bind B, L and Hs before the weights are checked
  // against nG * Hs: Hs may be static only there.
  int64_t numStates = RecurrenceOp::getNumStates(kind);
  if (!op.getInit().empty() &&
      static_cast<int64_t>(op.getInit().size()) != numStates)
    return op.emitOpError() << "cell '" << cellName << "' takes " << numStates
                            << " initial state" << (numStates == 1 ? "" : "s")
                            << " " << stateNames(kind) << ", got "
                            << op.getInit().size();
  for (auto [i, init] : llvm::enumerate(op.getInit())) {
    std::string name = indexed("init", i);
    if (failed(shapes.check(init, name, {"B", "Hs"})) ||
        failed(checkFloatElementType(op, init.getType(), name, elementType,
                                     "x")))
      return failure();
  }
  if (static_cast<int64_t>(op.getResults().size()) != numStates + 1)
    return op.emitOpError() << "cell '" << cellName << "' has "
                            << numStates + 1 << " results (final states "
                            << stateNames(kind) << ", then y), got "
                            << op.getResults().size();
  for (auto [i, result] : llvm::enumerate(op.getResults())) {
    std::string name = indexed("result", i);
    bool isOutput = static_cast<int64_t>(i) == numStates;
    if (failed(isOutput ? shapes.check(result, name, {"B", "L", "Hs"})
                        : shapes.check(result, name, {"B", "Hs"})) ||
        failed(checkFloatElementType(op, result.getType(), name, elementType,
                                     "x")))
      return failure();
  }

  std::optional<int64_t> heads = shapes.lookup("NH");
  std::optional<int64_t> headDim = shapes.lookup("Dh");
  std::optional<int64_t> hidden = shapes.lookup("Hs");
  if (heads && headDim) {
    std::optional<int64_t> fromRec = llvm::checkedMul(*heads, *headDim);
    if (!fromRec)
      return op.emitOpError("'w_rec' sizes NH * Dh overflow");
    if (hidden && *hidden != *fromRec)
      return op.emitOpError()
             << "the hidden size Hs = " << *hidden
             << " of the states and y must equal NH * Dh = " << *heads << " * "
             << *headDim << " = " << *fromRec << " from 'w_rec'";
    hidden = fromRec;
  }
  std::optional<int64_t> gateRows =
      hidden ? llvm::checkedMul(gates, *hidden) : std::nullopt;
  std::string rowsWhat = ("nG * Hs = " + Twine(gates) + " * " +
                          (hidden ? Twine(*hidden) : Twine("Hs")))
                             .str();
  if (failed(shapes.check(op.getWIn(), "w_in", {"nG*Hs", "I"})) ||
      failed(shapes.checkDim(op.getWIn().getType(), "w_in", 0, gateRows,
                             rowsWhat)) ||
      failed(checkFloatElementType(op, op.getWIn().getType(), "w_in",
                                   elementType, "x")))
    return failure();
  for (auto [bias, name] : {std::pair<Value, StringRef>{op.getBIn(), "b_in"},
                            {op.getBRec(), "b_rec"}}) {
    if (!bias)
      continue;
    if (failed(shapes.check(bias, name, {"nG*Hs"})) ||
        failed(shapes.checkDim(bias.getType(), name, 0, gateRows, rowsWhat)) ||
        failed(checkFloatElementType(op, bias.getType(), name, elementType,
                                     "x")))
      return failure();
  }
  return success();
}

/// `type` without dimension 1 (one time step of a [B, L, ...] tensor).
static RankedTensorType stepType(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + 1);
  return RankedTensorType::get(shape, type.getElementType());
}

static LogicalResult verifyRegionCell(RecurrenceOp op) {
  if (op.getWIn() || op.getWRec() || op.getBIn() || op.getBRec())
    return op.emitOpError("'w_in', 'w_rec', 'b_in' and 'b_rec' are only for "
                          "named cells; a cell region uses values from "
                          "above");
  if (op.getBody().empty())
    return op.emitOpError("requires either 'cell' or a cell region");
  if (op.getInputs().empty())
    return op.emitOpError("requires at least one input [B, L, ...]");
  if (op.getInit().empty())
    return op.emitOpError("a cell region requires at least one state in "
                          "'init'");

  ShapeChecker shapes(op);
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    std::string name = indexed("input", i);
    shapes.record(input, 0, "B");
    if (type.getRank() >= 2)
      shapes.record(input, 1, "L");
    if (type.getRank() < 2)
      return op.emitOpError() << "'" << name
                              << "' must have rank >= 2 [B, L, ...], got "
                              << type;
    if (failed(shapes.checkDim(type, name, 0, shapes.lookup("B"), "B")) ||
        failed(shapes.checkDim(type, name, 1, shapes.lookup("L"), "L")))
      return failure();
    if (!type.isDynamicDim(0))
      shapes.bind("B", type.getDimSize(0), name);
    if (!type.isDynamicDim(1))
      shapes.bind("L", type.getDimSize(1), name);
  }
  for (auto [i, init] : llvm::enumerate(op.getInit())) {
    auto type = cast<RankedTensorType>(init.getType());
    std::string name = indexed("init", i);
    shapes.record(init, 0, "B");
    if (type.getRank() < 1)
      return op.emitOpError() << "'" << name
                              << "' must have rank >= 1 [B, ...], got "
                              << type;
    if (failed(shapes.checkDim(type, name, 0, shapes.lookup("B"), "B")))
      return failure();
    if (!type.isDynamicDim(0))
      shapes.bind("B", type.getDimSize(0), name);
  }

  size_t numStates = op.getInit().size();
  if (op.getResults().size() < numStates)
    return op.emitOpError() << "must have at least " << numStates
                            << " results (one final value per state), got "
                            << op.getResults().size();
  for (auto [i, result] : llvm::enumerate(op.getResults())) {
    auto type = cast<RankedTensorType>(result.getType());
    std::string name = indexed("result", i);
    shapes.record(result, 0, "B");
    if (i < numStates) {
      // A final state has its initial state's type, dimension by dimension.
      for (int64_t d = 1; d < type.getRank(); ++d) {
        std::string key = ("state" + Twine(i) + "." + Twine(d)).str();
        shapes.record(result, d, key);
        shapes.record(op.getInit()[i], d, key);
      }
      if (type != op.getInit()[i].getType())
        return op.emitOpError()
               << "'" << name << "' (final state) must have the type of 'init #"
               << i << "' (" << op.getInit()[i].getType() << "), got " << type;
      continue;
    }
    if (type.getRank() >= 2)
      shapes.record(result, 1, "L");
    if (type.getRank() < 2)
      return op.emitOpError() << "'" << name
                              << "' (a step output) must have rank >= 2 "
                                 "[B, L, ...], got "
                              << type;
    if (failed(shapes.checkDim(type, name, 0, shapes.lookup("B"), "B")) ||
        failed(shapes.checkDim(type, name, 1, shapes.lookup("L"), "L")))
      return failure();
    if (!type.isDynamicDim(0))
      shapes.bind("B", type.getDimSize(0), name);
    if (!type.isDynamicDim(1))
      shapes.bind("L", type.getDimSize(1), name);
  }
  return success();
}

LogicalResult RecurrenceOp::verify() {
  if (std::optional<CellKind> cell = getCell())
    return verifyNamedCell(*this, *cell);
  return verifyRegionCell(*this);
}

LogicalResult RecurrenceOp::verifyRegions() {
  if (getCell() || getBody().empty())
    return success();
  Block &body = getBody().front();
  size_t numStates = getInit().size();
  size_t numInputs = getInputs().size();
  if (body.getNumArguments() != numStates + numInputs)
    return emitOpError() << "cell region must take " << numStates + numInputs
                         << " arguments (" << numStates << " state"
                         << (numStates == 1 ? "" : "s") << ", then "
                         << numInputs << " input step"
                         << (numInputs == 1 ? "" : "s") << "), got "
                         << body.getNumArguments();
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    Type expected =
        i < numStates
            ? getInit()[i].getType()
            : Type(stepType(
                  cast<RankedTensorType>(getInputs()[i - numStates].getType())));
    if (arg.getType() != expected)
      return emitOpError() << "cell argument #" << i << " must be " << expected
                           << (i < numStates ? " (the type of the state)"
                                             : " (one step of the input)")
                           << ", got " << arg.getType();
  }
  auto yield = body.empty() ? YieldOp() : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError("cell region must end with seq.yield");
  if (yield.getValues().size() != getResults().size())
    return yield.emitOpError()
           << "must yield " << getResults().size() << " values (" << numStates
           << " new states, then " << getResults().size() - numStates
           << " step outputs), got " << yield.getValues().size();
  for (auto [i, value] : llvm::enumerate(yield.getValues())) {
    auto resultType = cast<RankedTensorType>(getResults()[i].getType());
    Type expected = i < numStates ? Type(resultType) : Type(stepType(resultType));
    if (value.getType() != expected)
      return yield.emitOpError()
             << "value #" << i << " must be " << expected
             << (i < numStates ? " (the type of the state)"
                               : " (one step of the stacked output)")
             << ", got " << value.getType();
  }
  return success();
}

LogicalResult
RecurrenceOp::reifyResultShapes(OpBuilder &builder,
                                ReifiedRankedShapedTypeDims &shapes) {
  Location loc = getLoc();
  int64_t numStates = getNumStateResults();
  Value x = getInputs().front();
  if (getCell()) {
    // Hs = NH * Dh, read from w_rec when the result type leaves it dynamic.
    Value wRec = getWRec();
    OpFoldResult hidden =
        mulAddIndex(builder, loc, tensor::getMixedSize(builder, loc, wRec, 1),
                    tensor::getMixedSize(builder, loc, wRec, 2), 0);
    for (auto [i, result] : llvm::enumerate(getResults())) {
      auto type = cast<RankedTensorType>(result.getType());
      bool isOutput = static_cast<int64_t>(i) == numStates;
      SmallVector<OpFoldResult> dims =
          isOutput ? reifyDims(builder, loc, type, {{x, 0}, {x, 1}, {x, 2}})
                   : reifyDims(builder, loc, type, {{x, 0}, {x, 1}});
      if (type.isDynamicDim(type.getRank() - 1))
        dims.back() = hidden;
      shapes.push_back(dims);
    }
    return success();
  }
  // A step output's feature sizes exist only inside the cell; only the batch
  // and sequence sizes can be read from the inputs. Check before building
  // anything: a failed reification must leave the IR unchanged.
  for (Value output : getResults().drop_front(numStates)) {
    auto type = cast<RankedTensorType>(output.getType());
    for (int64_t d = 2; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        return failure();
  }
  for (auto [i, result] : llvm::enumerate(getResults())) {
    auto type = cast<RankedTensorType>(result.getType());
    if (static_cast<int64_t>(i) < numStates) {
      shapes.push_back(tensor::getMixedSizes(builder, loc, getInit()[i]));
      continue;
    }
    SmallVector<DimSource> sources = {{x, 0}, {x, 1}};
    for (int64_t d = 2; d < type.getRank(); ++d)
      sources.push_back({x, 0}); // unused: these dimensions are static
    shapes.push_back(reifyDims(builder, loc, type, sources));
  }
  return success();
}
