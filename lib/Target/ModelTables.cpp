//===- ModelTables.cpp - the model table of a model library --------------===//
//
// The `seqc.model` attribute may come from a hand-written .mlir file as well
// as from the model builder, so every field is checked here: the runtime
// trusts the table it gets (offsets inside the weights, sizes that match the
// entry points).
//
//===----------------------------------------------------------------------===//

#include "seqc/Target/ModelTables.h"

#include "seqc/Frontend/ModelBuilder.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"

using namespace mlir;
using namespace seqc;

namespace {
/// Reads the attribute's fields, reporting the first problem at the module.
struct AttrReader {
  ModuleOp module;
  DictionaryAttr dict;
  bool failed = false;

  InFlightDiagnostic error() {
    failed = true;
    return module.emitError("malformed '") << kModelAttrName << "' attribute: ";
  }
  int64_t integer(DictionaryAttr d, StringRef key, int64_t min) {
    auto attr = d.getAs<IntegerAttr>(key);
    if (!attr) {
      if (!failed)
        error() << "'" << key << "' must be an integer";
      return min;
    }
    if (attr.getInt() < min) {
      if (!failed)
        error() << "'" << key << "' must be >= " << min << ", got "
                << attr.getInt();
      return min;
    }
    return attr.getInt();
  }
  std::string string(DictionaryAttr d, StringRef key) {
    auto attr = d.getAs<StringAttr>(key);
    if (!attr) {
      if (!failed)
        error() << "'" << key << "' must be a string";
      return "";
    }
    return attr.getValue().str();
  }
};
} // namespace

/// Checks that `arg` has `dtype` and the sizes `dims` (-1: dynamic).
static bool hasShape(const ArgSignature &arg, int32_t dtype,
                     ArrayRef<int64_t> dims) {
  if (arg.dtype != dtype || arg.dims.size() != dims.size())
    return false;
  for (auto [d, expected] : llvm::zip(arg.dims, dims))
    if (expected >= 0 && d.size != expected)
      return false;
  return true;
}

FailureOr<std::optional<ModelInfo>>
seqc::readModelInfo(ModuleOp module, ArrayRef<EntryPoint> entryPoints) {
  auto dict = module->getAttrOfType<DictionaryAttr>(kModelAttrName);
  if (!dict) {
    if (module->hasAttr(kModelAttrName))
      return module.emitError("'") << kModelAttrName
                                   << "' must be a dictionary";
    return std::optional<ModelInfo>();
  }
  AttrReader r{module, dict};
  ModelInfo info;
  info.name = r.string(dict, "name");
  info.architecture = r.string(dict, "architecture");
  info.vocabSize = r.integer(dict, "vocab_size", 1);
  info.maxContext = r.integer(dict, "max_context", 1);
  info.weightsSize = r.integer(dict, "weights_size", 1);
  info.stateSize = r.integer(dict, "state_size", 1);
  auto weights = dict.getAs<ArrayAttr>("weights");
  if (!weights && !r.failed)
    r.error() << "'weights' must be an array";
  for (Attribute a : weights ? weights.getValue() : ArrayRef<Attribute>()) {
    if (r.failed)
      break;
    auto w = dyn_cast<DictionaryAttr>(a);
    if (!w) {
      r.error() << "every entry of 'weights' must be a dictionary";
      break;
    }
    ModelWeight weight;
    weight.name = r.string(w, "name");
    weight.offset = r.integer(w, "offset", 0);
    auto shape = w.getAs<ArrayAttr>("shape");
    int64_t count = 1;
    for (Attribute s : shape ? shape.getValue() : ArrayRef<Attribute>()) {
      auto size = dyn_cast<IntegerAttr>(s);
      if (!size || size.getInt() < 1) {
        r.error() << "weight '" << weight.name
                  << "': 'shape' must list sizes >= 1";
        break;
      }
      weight.shape.push_back(size.getInt());
      count *= size.getInt();
    }
    if (!r.failed && (!shape || weight.shape.empty() || weight.shape.size() > 8))
      r.error() << "weight '" << weight.name
                << "': 'shape' must be an array of 1 to 8 sizes";
    if (!r.failed && weight.offset + count > info.weightsSize)
      r.error() << "weight '" << weight.name << "' (offset " << weight.offset
                << ", " << count << " elements) lies outside the "
                << info.weightsSize << " packed weights";
    info.weights.push_back(std::move(weight));
  }
  if (r.failed)
    return failure();

  // @forward and @step: (tokens, position, weights, state) ->
  // (logits, next_state), with the sizes of the table.
  for (auto [index, entry] : llvm::enumerate(entryPoints)) {
    bool step = entry.name == "step";
    if (entry.name != "forward" && !step)
      continue;
    (step ? info.stepFunction : info.forwardFunction) = index;
    int64_t length = step ? 1 : -1;
    bool ok = entry.inputs.size() == 4 && entry.outputs.size() == 2 &&
              hasShape(entry.inputs[0], 6, {-1, length}) &&
              hasShape(entry.inputs[1], 7, {1}) &&
              hasShape(entry.inputs[2], 1, {info.weightsSize}) &&
              hasShape(entry.inputs[3], 1, {-1, info.stateSize}) &&
              hasShape(entry.outputs[0], 1, {-1, length, info.vocabSize}) &&
              hasShape(entry.outputs[1], 1, {-1, info.stateSize});
    if (!ok)
      return module.emitError("a model's @")
             << entry.name << " must take (tokens: i32[B, "
             << (step ? "1" : "L") << "], position: i64[1], weights: f32["
             << info.weightsSize << "], state: f32[B, " << info.stateSize
             << "]) and return (logits: f32[B, " << (step ? "1" : "L") << ", "
             << info.vocabSize << "], next_state: f32[B, " << info.stateSize
             << "])";
  }
  if (info.forwardFunction < 0 || info.stepFunction < 0)
    return module.emitError("a module with '")
           << kModelAttrName << "' must define public @forward and @step";
  return std::optional<ModelInfo>(std::move(info));
}

void seqc::emitModelTable(llvm::Module &module,
                          const std::optional<ModelInfo> &model) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  unsigned counter = 0;
  auto global = [&](llvm::Constant *init) {
    auto *gv = new llvm::GlobalVariable(
        module, init->getType(), /*isConstant=*/true,
        llvm::GlobalValue::PrivateLinkage, init,
        "__seqc.model." + llvm::Twine(counter++));
    gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return gv;
  };
  auto string = [&](StringRef s) {
    return global(llvm::ConstantDataArray::getString(ctx, s));
  };
  llvm::Constant *pointer = llvm::ConstantPointerNull::get(ptr);
  if (model) {
    // Field for field as seqc_model_weight_info and seqc_model_info.
    auto *weightType = llvm::StructType::get(ctx, {ptr, i32, ptr, i64});
    auto *infoType = llvm::StructType::get(
        ctx, {ptr, ptr, i64, i64, i32, ptr, i64, i64, i32, i32});
    SmallVector<llvm::Constant *> weights;
    for (const ModelWeight &w : model->weights) {
      SmallVector<uint64_t> shape(w.shape.begin(), w.shape.end());
      weights.push_back(llvm::ConstantStruct::get(
          weightType,
          {string(w.name), llvm::ConstantInt::get(i32, w.shape.size()),
           global(llvm::ConstantDataArray::get(ctx, ArrayRef(shape))),
           llvm::ConstantInt::get(i64, w.offset)}));
    }
    llvm::Constant *weightArray = llvm::ConstantPointerNull::get(ptr);
    if (!weights.empty())
      weightArray = global(llvm::ConstantArray::get(
          llvm::ArrayType::get(weightType, weights.size()), weights));
    pointer = global(llvm::ConstantStruct::get(
        infoType,
        {string(model->name), string(model->architecture),
         llvm::ConstantInt::get(i64, model->vocabSize),
         llvm::ConstantInt::get(i64, model->maxContext),
         llvm::ConstantInt::get(i32, model->weights.size()), weightArray,
         llvm::ConstantInt::get(i64, model->weightsSize),
         llvm::ConstantInt::get(i64, model->stateSize),
         llvm::ConstantInt::get(i32, model->forwardFunction),
         llvm::ConstantInt::get(i32, model->stepFunction)}));
  }
  auto *gv = new llvm::GlobalVariable(module, ptr, /*isConstant=*/true,
                                      llvm::GlobalValue::ExternalLinkage,
                                      pointer, "__seqc_model");
  gv->setVisibility(llvm::GlobalValue::HiddenVisibility);
}
