//===- EntryPointAnalysis.cpp - derive the ABI of a module's functions ---===//
//
// Dynamic sizes of a function's arguments are related by the ops that use
// them: the batch of q must be the batch of k, an output's length is an
// input's length. A union-find over (value, dimension) pairs collects those
// relations from
//   - seq ops, through their verifiers (ShapeRelations.h);
//   - linalg ops, through their indexing maps (a loop dimension's extent is
//     shared by every operand dimension it indexes directly);
//   - elementwise ops, tensor.cast, and tensor.empty sized by tensor.dim;
// and each class of dimensions becomes one runtime symbol, or a static size
// when any member is static.
//
//===----------------------------------------------------------------------===//

#include "seqc/Target/EntryPoints.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/SymbolTable.h"
#include "seqc/Dialect/Seq/IR/SeqDialect.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Dialect/Seq/IR/ShapeRelations.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace seqc;

/// Limits of the runtime's dispatcher (SEQC_MAX_ARGS, SEQC_MAX_RANK).
static constexpr unsigned kMaxInputs = 1024;
static constexpr unsigned kMaxOutputs = 1024;
static constexpr int64_t kMaxRank = 16;

namespace {
/// Union-find over dimensions of values (and loop dimensions of ops).
class DimClasses {
public:
  using Key = std::pair<const void *, unsigned>;

  unsigned node(Key key) {
    auto [it, inserted] = ids.try_emplace(key, parent.size());
    if (inserted)
      parent.push_back(parent.size());
    return it->second;
  }
  unsigned node(Value v, unsigned dim) {
    return node({v.getAsOpaquePointer(), dim});
  }
  unsigned find(unsigned n) {
    while (parent[n] != n)
      n = parent[n] = parent[parent[n]];
    return n;
  }
  void join(unsigned a, unsigned b) { parent[find(a)] = find(b); }
  void join(Value a, unsigned da, Value b, unsigned db) {
    join(node(a, da), node(b, db));
  }
  size_t size() const { return parent.size(); }

private:
  llvm::DenseMap<Key, unsigned> ids;
  llvm::SmallVector<unsigned> parent;
};
} // namespace

static int64_t rankOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type ? type.getRank() : -1;
}

/// Records the size relations that `op` imposes: equalities into
/// `classes`, other rules into `constraints`.
static void collectRelations(Operation *op, DimClasses &classes,
                             std::vector<seq::ShapeConstraint> &constraints,
                             llvm::DenseMap<Value, std::string> &names) {
  if (isa<seq::SeqDialect>(op->getDialect())) {
    llvm::StringMap<std::pair<Value, unsigned>> first;
    seq::collectShapeRelations(
        op,
        [&](Value v, unsigned dim, StringRef key, StringRef operandName) {
          // An argument used directly by a seq op takes the op's name for it
          // ('q', 'k') in messages, unless seqc.name gives another.
          if (!operandName.empty() && isa<BlockArgument>(v))
            names.try_emplace(v, operandName.str());
          auto [it, inserted] = first.try_emplace(key, v, dim);
          if (!inserted)
            classes.join(it->second.first, it->second.second, v, dim);
        },
        [&](const seq::ShapeConstraint &c) { constraints.push_back(c); });
    // Elementwise seq ops: the result is the input's shape.
    if (isa<seq::FakeQuantizeOp, seq::HadamardOp>(op))
      for (int64_t d = 0, e = rankOf(op->getResult(0)); d < e; ++d)
        classes.join(op->getOperand(0), d, op->getResult(0), d);
    return;
  }
  // A call relates its operands to the callee's arguments and its results
  // to what the callee returns (the callee's own ops are walked too).
  if (auto call = dyn_cast<func::CallOp>(op)) {
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    if (!callee || callee.isExternal())
      return;
    Block &body = callee.getBody().front();
    auto join = [&](Value a, Value b) {
      if (rankOf(a) >= 0 && rankOf(a) == rankOf(b))
        for (int64_t d = 0, e = rankOf(a); d < e; ++d)
          classes.join(a, d, b, d);
    };
    for (auto [operand, arg] :
         llvm::zip(call.getOperands(), body.getArguments()))
      join(operand, arg);
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    for (auto [result, value] : llvm::zip(call.getResults(), ret.getOperands()))
      join(result, value);
    return;
  }
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    for (OpOperand &operand : op->getOpOperands()) {
      if (rankOf(operand.get()) < 0)
        continue;
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      for (auto [pos, expr] : llvm::enumerate(map.getResults()))
        if (auto dim = dyn_cast<AffineDimExpr>(expr))
          classes.join(classes.node(operand.get(), pos),
                       classes.node({op, dim.getPosition()}));
    }
    for (auto [result, init] :
         llvm::zip(op->getResults(), linalgOp.getDpsInits()))
      for (int64_t d = 0, e = rankOf(result); d < e; ++d)
        classes.join(result, d, init, d);
    return;
  }
  if (auto cast = dyn_cast<tensor::CastOp>(op)) {
    if (rankOf(cast.getSource()) == rankOf(cast.getResult()))
      for (int64_t d = 0, e = rankOf(cast.getResult()); d < e; ++d)
        classes.join(cast.getSource(), d, cast.getResult(), d);
    return;
  }
  // Reshapes: a reassociation group of one dimension (or of one dimension
  // with static unit dimensions) keeps its size.
  auto joinGroups = [&](Value collapsed, Value expanded,
                        ArrayRef<ReassociationIndices> groups) {
    auto expandedType = cast<RankedTensorType>(expanded.getType());
    for (auto [pos, group] : llvm::enumerate(groups)) {
      SmallVector<int64_t> nonUnit;
      for (int64_t d : group)
        if (expandedType.getDimSize(d) != 1)
          nonUnit.push_back(d);
      if (nonUnit.size() == 1)
        classes.join(collapsed, pos, expanded, nonUnit.front());
    }
  };
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    joinGroups(collapse.getResult(), collapse.getSrc(),
               collapse.getReassociationIndices());
    return;
  }
  // A size given as tensor.dim of another tensor is that tensor's size.
  auto joinDimOf = [&](Value result, int64_t d, OpFoldResult size) {
    auto value = dyn_cast<Value>(size);
    auto dimOp = value ? value.getDefiningOp<tensor::DimOp>() : nullptr;
    if (!dimOp)
      return;
    if (std::optional<int64_t> index = getConstantIntValue(dimOp.getIndex()))
      classes.join(result, d, dimOp.getSource(), *index);
  };
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    joinGroups(expand.getSrc(), expand.getResult(),
               expand.getReassociationIndices());
    // Sizes given as tensor.dim of another tensor are that tensor's sizes.
    for (auto [d, size] : llvm::enumerate(expand.getMixedOutputShape()))
      joinDimOf(expand.getResult(), d, size);
    return;
  }
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
    for (int64_t d = 0, e = rankOf(insert.getResult()); d < e; ++d)
      classes.join(insert.getResult(), d, insert.getDest(), d);
    return;
  }
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
    llvm::SmallBitVector dropped = slice.getDroppedDims();
    int64_t r = 0;
    for (auto [d, size] : llvm::enumerate(slice.getMixedSizes())) {
      if (dropped.test(d))
        continue;
      joinDimOf(slice.getResult(), r++, size);
    }
    return;
  }
  if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
    for (int64_t d = 0, e = rankOf(empty.getResult()); d < e; ++d) {
      if (!empty.getType().isDynamicDim(d))
        continue;
      auto dimOp = empty.getDynamicSize(d).getDefiningOp<tensor::DimOp>();
      if (!dimOp)
        continue;
      if (std::optional<int64_t> index = getConstantIntValue(dimOp.getIndex()))
        classes.join(empty.getResult(), d, dimOp.getSource(), *index);
    }
    return;
  }
  if (op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
      op->hasTrait<OpTrait::SameOperandsAndResultType>() ||
      op->hasTrait<OpTrait::Elementwise>()) {
    SmallVector<Value> shaped;
    for (Value v : op->getOperands())
      if (rankOf(v) >= 0)
        shaped.push_back(v);
    for (Value v : op->getResults())
      if (rankOf(v) >= 0)
        shaped.push_back(v);
    for (size_t i = 1; i < shaped.size(); ++i)
      if (rankOf(shaped[i]) == rankOf(shaped.front()))
        for (int64_t d = 0, e = rankOf(shaped[i]); d < e; ++d)
          classes.join(shaped.front(), d, shaped[i], d);
  }
}

/// The seqc_dtype of a tensor element type, or 0 if the ABI has none.
static int32_t dtypeOf(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF64())
    return 2;
  if (type.isF16())
    return 3;
  if (type.isBF16())
    return 4;
  if (type.isSignlessInteger(8))
    return 5;
  if (type.isSignlessInteger(32))
    return 6;
  if (type.isSignlessInteger(64) || type.isIndex())
    return 7;
  return 0;
}

static FailureOr<EntryPoint> analyzeFunction(func::FuncOp func) {
  EntryPoint entry;
  entry.name = func.getSymName().str();
  FunctionType type = func.getFunctionType();
  if (type.getNumResults() == 0)
    return func.emitError("entry point @")
           << entry.name << " has no results; the seqc ABI returns outputs";
  if (type.getNumInputs() > kMaxInputs || type.getNumResults() > kMaxOutputs)
    return func.emitError("entry point @")
           << entry.name << " has " << type.getNumInputs() << " arguments and "
           << type.getNumResults() << " results; the seqc ABI supports at most "
           << kMaxInputs << " of each";
  // Entry points are C functions, seqc_fn_<name>.
  if (!llvm::all_of(entry.name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return func.emitError("entry point @")
           << entry.name
           << ": the name must be a C identifier (letters, digits, '_')";
  auto checkType = [&](Type t, StringRef kind, unsigned i) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (!tensor)
      return func.emitError("entry point @")
             << entry.name << ": " << kind << " " << i << " has type " << t
             << "; only ranked tensors cross the seqc ABI";
    if (tensor.getRank() > kMaxRank)
      return func.emitError("entry point @")
             << entry.name << ": " << kind << " " << i << " has rank "
             << tensor.getRank() << "; the seqc ABI supports at most "
             << kMaxRank;
    if (!dtypeOf(tensor.getElementType()))
      return func.emitError("entry point @")
             << entry.name << ": " << kind << " " << i << " has element type "
             << tensor.getElementType()
             << "; the seqc ABI supports f32, f64, f16, bf16, i8, i32, i64 "
                "and index";
    return success();
  };
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (failed(checkType(t, "argument", i)))
      return failure();
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (failed(checkType(t, "result", i)))
      return failure();

  DimClasses classes;
  std::vector<seq::ShapeConstraint> constraints;
  llvm::DenseMap<Value, std::string> opNames;
  Block &body = func.getBody().front();
  // The function and, once each, every function it calls.
  SmallVector<func::FuncOp> worklist = {func};
  llvm::SmallPtrSet<Operation *, 8> visited = {func};
  while (!worklist.empty()) {
    func::FuncOp current = worklist.pop_back_val();
    current.walk([&](Operation *op) {
      collectRelations(op, classes, constraints, opNames);
      if (auto call = dyn_cast<func::CallOp>(op))
        if (auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
                call, call.getCalleeAttr()))
          if (!callee.isExternal() && visited.insert(callee).second)
            worklist.push_back(callee);
    });
  }
  auto returnOp = cast<func::ReturnOp>(body.getTerminator());

  // A class is static when any member's type says so.
  llvm::DenseMap<unsigned, int64_t> staticSize;
  auto noteStatic = [&](Value v) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t)
      return;
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (!t.isDynamicDim(d))
        staticSize.try_emplace(classes.find(classes.node(v, d)),
                               t.getDimSize(d));
  };
  // Every value with a static type: op results and the block arguments of
  // every region (a seq.recurrence cell's per-step slices, a callee's
  // arguments), not just the entry block's.
  for (Operation *visitedFunc : visited)
    visitedFunc->walk([&](Operation *op) {
      for (Value v : op->getResults())
        noteStatic(v);
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            noteStatic(arg);
    });
  for (const seq::ShapeConstraint &c : constraints)
    if (c.kind == seq::ShapeConstraintKind::Constant)
      staticSize.try_emplace(classes.find(classes.node(c.a, c.dimA)), c.value);

  llvm::DenseMap<unsigned, int32_t> symbols;
  auto describe = [&](Value v, std::string name, bool isInput) {
    auto t = cast<RankedTensorType>(v.getType());
    ArgSignature arg;
    arg.name = std::move(name);
    arg.dtype = dtypeOf(t.getElementType());
    for (int64_t d = 0; d < t.getRank(); ++d) {
      DimSignature dim;
      unsigned cls = classes.find(classes.node(v, d));
      if (!t.isDynamicDim(d)) {
        dim.size = t.getDimSize(d);
      } else if (auto it = staticSize.find(cls); it != staticSize.end()) {
        dim.size = it->second;
      } else if (isInput) {
        dim.symbol = symbols.try_emplace(cls, symbols.size()).first->second;
      } else if (auto it = symbols.find(cls); it != symbols.end()) {
        dim.symbol = it->second;
      }
      arg.dims.push_back(dim);
    }
    return arg;
  };
  auto nameOf = [&](DictionaryAttr attrs, StringRef fallback, unsigned i) {
    if (attrs)
      if (auto name = attrs.getAs<StringAttr>("seqc.name"))
        return name.getValue().str();
    return (fallback + Twine(i)).str();
  };
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    std::string name = nameOf(func.getArgAttrDict(i), "input", i);
    auto it = opNames.find(arg);
    if (it != opNames.end() && !func.getArgAttr(i, "seqc.name"))
      name = it->second;
    entry.inputs.push_back(describe(arg, name, true));
    entry.inputs.back().donated = func.getArgAttr(i, "seqc.donated") != nullptr;
  }
  for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
    ArgSignature out =
        describe(value, nameOf(func.getResultAttrDict(i), "output", i), false);
    auto declared = cast<RankedTensorType>(type.getResult(i));
    for (auto [d, dim] : llvm::enumerate(out.dims)) {
      if (!declared.isDynamicDim(d))
        dim.size = declared.getDimSize(d);
      if (dim.size < 0 && dim.symbol < 0)
        return func.emitError("entry point @")
               << entry.name << ": the size of result " << i << " dimension "
               << d
               << " is dynamic and not determined by any argument's size, so "
                  "a caller cannot allocate it (seqc relates sizes through seq, "
                  "linalg and elementwise ops, casts, reshapes, and "
                  "tensor.empty / tensor.extract_slice sized by tensor.dim); "
                  "make it static or equal to an argument's size";
    }
    entry.outputs.push_back(std::move(out));
  }

  // Rules other than equality: checked by the runtime when a side is
  // dynamic; a side that no input determines cannot be checked.
  auto resolve = [&](Value v, unsigned dim) -> std::optional<DimSignature> {
    unsigned cls = classes.find(classes.node(v, dim));
    DimSignature d;
    if (auto it = staticSize.find(cls); it != staticSize.end())
      d.size = it->second;
    else if (auto it = symbols.find(cls); it != symbols.end())
      d.symbol = it->second;
    else
      return std::nullopt;
    return d;
  };
  for (const seq::ShapeConstraint &c : constraints) {
    if (c.kind == seq::ShapeConstraintKind::Constant)
      continue; // folded into the static sizes above
    std::optional<DimSignature> a = resolve(c.a, c.dimA);
    std::optional<DimSignature> b = resolve(c.b, c.dimB);
    if (a && b && a->symbol < 0 && b->symbol < 0)
      continue; // both static: the verifier checked it
    if (!a || !b) {
      Operation *at = c.a.getDefiningOp() ? c.a.getDefiningOp()
                                          : func.getOperation();
      return at->emitError()
             << "entry point @" << entry.name << ": " << c.description
             << ", but the sizes are not known from the arguments, so the "
                "ABI cannot check it; make them static";
    }
    ConstraintSignature signature;
    signature.kind = static_cast<int32_t>(c.kind);
    signature.a = *a;
    signature.b = *b;
    signature.value = c.value;
    signature.description = c.description.str();
    entry.constraints.push_back(std::move(signature));
  }
  return entry;
}

FailureOr<std::vector<EntryPoint>>
seqc::analyzeEntryPoints(ModuleOp module) {
  std::vector<EntryPoint> entries;
  bool failedAny = false;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || !func.isPublic())
      continue;
    FailureOr<EntryPoint> entry = analyzeFunction(func);
    if (failed(entry))
      failedAny = true;
    else
      entries.push_back(std::move(*entry));
  }
  if (failedAny)
    return failure();
  if (entries.empty())
    return module.emitError("the module has no public function to export");
  return entries;
}

std::string seqc::kernelSymbol(StringRef name) {
  return ("__seqc_kernel_" + name).str();
}

LogicalResult seqc::renameKernels(ModuleOp module) {
  SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
  for (func::FuncOp func : functions) {
    // External declarations keep their names: they are what they call.
    if (func.isExternal())
      continue;
    StringAttr newName =
        StringAttr::get(module.getContext(), kernelSymbol(func.getSymName()));
    if (failed(SymbolTable::replaceAllSymbolUses(func, newName, module)))
      return func.emitError("cannot rename @") << func.getSymName();
    SymbolTable::setSymbolName(func, newName);
  }
  return success();
}
