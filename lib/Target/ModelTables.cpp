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
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

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

/// seqc_dtype values (seqc_runtime.h).
static constexpr int32_t kF32 = 1, kI8 = 5, kI32 = 6, kI64 = 7;

// Sizes of a table entry, whose shape product is known not to overflow.
static int64_t elementCount(const ModelTensor &t) {
  int64_t count = 1;
  for (int64_t s : t.shape)
    count *= s;
  return count;
}
static int64_t quantizedBytes(const ModelTensor &t) {
  return t.bits == 4 ? elementCount(t) / 2 : elementCount(t) * (t.bits / 8);
}
static int64_t scaleCount(const ModelTensor &t) {
  // bf16 (16 bits) has no scales.
  return t.bits == 16 ? 0 : t.shape[0] * (t.shape[1] / t.groupSize);
}

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
  info.stateSize = r.integer(dict, "state_size", 0);
  info.qweightsSize = dict.get("qweights_size")
                          ? r.integer(dict, "qweights_size", 0)
                          : 0;
  info.inputDim =
      dict.get("input_dim") ? r.integer(dict, "input_dim", 0) : 0;
  // [offset, offset + count) within `limit` values of `key`.
  auto inside = [&](StringRef name, int64_t offset, int64_t count,
                    int64_t limit, StringRef key) {
    if (!r.failed && (count > limit || offset > limit - count))
      r.error() << "'" << name << "' (offset " << offset << ", " << count
                << " elements) lies outside the " << limit << " values of '"
                << key << "'";
  };
  // A quantized weight's bytes in the qweights, its scales in the weights.
  auto readQuantization = [&](DictionaryAttr t, ModelTensor &tensor) {
    tensor.bits = r.integer(t, "bits", 0);
    tensor.groupSize = r.integer(t, "group_size", 1);
    tensor.scaleOffset = r.integer(t, "scale_offset", 0);
    tensor.rotation =
        t.get("rotation") ? r.integer(t, "rotation", 1) : 0;
    tensor.zeroOffset =
        t.get("zero_offset") ? r.integer(t, "zero_offset", 0) : -1;
    if (r.failed)
      return;
    if (tensor.rotation &&
        (!llvm::isPowerOf2_64(tensor.rotation) || tensor.shape.size() != 2 ||
         tensor.shape[1] % tensor.rotation != 0)) {
      r.error() << "'" << tensor.name
                << "': 'rotation' must be a power of two dividing the "
                   "weight's input size";
      return;
    }
    if (tensor.bits != 8 && tensor.bits != 4 && tensor.bits != 16) {
      r.error() << "'" << tensor.name << "': 'bits' must be 8, 4 or 16 "
                                         "(bf16), got "
                << tensor.bits;
      return;
    }
    if (tensor.shape.size() != 2 || tensor.shape[1] % tensor.groupSize != 0 ||
        (tensor.bits == 4 && tensor.groupSize % 2 != 0)) {
      r.error() << "'" << tensor.name
                << "': a quantized weight must be [N, K] with 'group_size' "
                   "dividing K (and even for 4 bits)";
      return;
    }
    inside(tensor.name, tensor.offset, quantizedBytes(tensor),
           info.qweightsSize, "qweights_size");
    inside(tensor.name + " scales", tensor.scaleOffset, scaleCount(tensor),
           info.weightsSize, "weights");
    if (tensor.zeroOffset >= 0) {
      if (tensor.bits == 16)
        r.error() << "'" << tensor.name
                  << "': a bf16 weight has no zero points";
      inside(tensor.name + " zero points", tensor.zeroOffset,
             scaleCount(tensor), info.qweightsSize, "qweights_size");
    }
  };
  // A list of {name, shape, offset}, each inside `limit` values.
  auto tensors = [&](StringRef key, int64_t limit,
                     std::vector<ModelTensor> &out) {
    auto list = dict.getAs<ArrayAttr>(key);
    if (!list && !r.failed)
      r.error() << "'" << key << "' must be an array";
    for (Attribute a : list ? list.getValue() : ArrayRef<Attribute>()) {
      if (r.failed)
        return;
      auto t = dyn_cast<DictionaryAttr>(a);
      if (!t) {
        r.error() << "every entry of '" << key << "' must be a dictionary";
        return;
      }
      ModelTensor tensor;
      tensor.name = r.string(t, "name");
      tensor.offset = r.integer(t, "offset", 0);
      auto shape = t.getAs<ArrayAttr>("shape");
      int64_t count = 1;
      for (Attribute s : shape ? shape.getValue() : ArrayRef<Attribute>()) {
        auto size = dyn_cast<IntegerAttr>(s);
        if (!size || size.getInt() < 1 || size.getInt() > (int64_t(1) << 32)) {
          r.error() << "'" << tensor.name
                    << "': 'shape' must list sizes in [1, 2^32]";
          return;
        }
        tensor.shape.push_back(size.getInt());
        if (llvm::MulOverflow(count, size.getInt(), count)) {
          r.error() << "'" << tensor.name << "': the size overflows";
          return;
        }
      }
      if (!r.failed &&
          (!shape || tensor.shape.empty() || tensor.shape.size() > 8))
        r.error() << "'" << tensor.name
                  << "': 'shape' must be an array of 1 to 8 sizes";
      if (t.get("bits") && !r.failed) {
        if (key == "weights")
          readQuantization(t, tensor);
        else
          r.error() << "'" << tensor.name
                    << "': only weights may be quantized ('bits')";
      }
      if (!r.failed && tensor.bits == 0)
        inside(tensor.name, tensor.offset, count, limit, key);
      out.push_back(std::move(tensor));
    }
  };
  tensors("weights", info.weightsSize, info.weights);
  tensors("state", info.stateSize, info.states);
  // Two weights may not share values by mistake (a tied head reuses its
  // embedding's entry, not a second one), and two pieces of state updated
  // in place must not alias.
  struct Range {
    std::string name;
    int64_t offset, count;
  };
  auto disjoint = [&](StringRef key, std::vector<Range> list) {
    llvm::sort(list, [](const Range &a, const Range &b) {
      return a.offset < b.offset;
    });
    for (size_t i = 1; i < list.size() && !r.failed; ++i)
      if (list[i - 1].offset + list[i - 1].count > list[i].offset)
        r.error() << "'" << list[i - 1].name << "' and '" << list[i].name
                  << "' overlap in '" << key << "'";
  };
  auto ranges = [](const std::vector<ModelTensor> &list, bool quantized) {
    std::vector<Range> out;
    for (const ModelTensor &t : list) {
      if (quantized) {
        if (t.bits)
          out.push_back({t.name, t.offset, quantizedBytes(t)});
        if (t.zeroOffset >= 0)
          out.push_back({t.name + " zero points", t.zeroOffset, scaleCount(t)});
      } else if (t.bits) {
        if (scaleCount(t)) // bf16 has none
          out.push_back({t.name + " scales", t.scaleOffset, scaleCount(t)});
      } else {
        out.push_back({t.name, t.offset, elementCount(t)});
      }
    }
    return out;
  };
  disjoint("weights", ranges(info.weights, false));
  disjoint("qweights", ranges(info.weights, true));
  disjoint("state", ranges(info.states, false));
  if (r.failed)
    return failure();

  // @forward and @step: (tokens, position, weights, state pieces...) ->
  // (logits, next state pieces...), with the sizes of the table.
  for (auto [index, entry] : llvm::enumerate(entryPoints)) {
    bool step = entry.name == "step";
    if (entry.name != "forward" && !step)
      continue;
    (step ? info.stepFunction : info.forwardFunction) = index;
    int64_t length = step ? 1 : -1;
    size_t pieces = info.states.size();
    // The quantized weights, when there are any, follow the weights.
    size_t first = info.qweightsSize ? 4 : 3;
    bool features = info.inputDim > 0;
    bool ok = entry.inputs.size() == first + pieces &&
              entry.outputs.size() == 1 + pieces &&
              (features
                   ? hasShape(entry.inputs[0], kF32,
                              {-1, length, info.inputDim})
                   : hasShape(entry.inputs[0], kI32, {-1, length})) &&
              hasShape(entry.inputs[1], kI64, {1}) &&
              hasShape(entry.inputs[2], kF32, {info.weightsSize}) &&
              (!info.qweightsSize ||
               hasShape(entry.inputs[3], kI8, {info.qweightsSize})) &&
              hasShape(entry.outputs[0], kF32, {-1, length, info.vocabSize});
    std::string expected;
    llvm::raw_string_ostream os(expected);
    for (auto [i, piece] : llvm::enumerate(info.states)) {
      SmallVector<int64_t> dims = {-1};
      dims.append(piece.shape.begin(), piece.shape.end());
      ok = ok && hasShape(entry.inputs[first + i], kF32, dims) &&
           hasShape(entry.outputs[1 + i], kF32, dims);
      os << ", " << piece.name << ": f32[B";
      for (int64_t s : piece.shape)
        os << ", " << s;
      os << "]";
    }
    if (!ok)
      return module.emitError("a model's @")
             << entry.name << " must take ("
             << (features ? "features: f32[B, " : "tokens: i32[B, ")
             << (step ? "1" : "L")
             << (features ? ", " + std::to_string(info.inputDim) : "")
             << "], position: i64[1], weights: f32["
             << info.weightsSize << "]"
             << (info.qweightsSize
                     ? ", qweights: i8[" + std::to_string(info.qweightsSize) +
                           "]"
                     : std::string())
             << expected
             << ") and return the logits f32[B, " << (step ? "1" : "L")
             << ", " << info.vocabSize << "] and the same state pieces";
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
    // Field for field as seqc_model_tensor_info and seqc_model_info.
    auto *tensorType =
        llvm::StructType::get(ctx, {ptr, i32, ptr, i64, i32, i64, i64, i64, i64});
    auto *infoType = llvm::StructType::get(
        ctx,
        {ptr, ptr, i64, i64, i32, ptr, i64, i32, ptr, i64, i32, i32, i64, i64});
    auto tensors = [&](ArrayRef<ModelTensor> list) -> llvm::Constant * {
      SmallVector<llvm::Constant *> entries;
      for (const ModelTensor &t : list) {
        SmallVector<uint64_t> shape(t.shape.begin(), t.shape.end());
        entries.push_back(llvm::ConstantStruct::get(
            tensorType,
            {string(t.name), llvm::ConstantInt::get(i32, t.shape.size()),
             global(llvm::ConstantDataArray::get(ctx, ArrayRef(shape))),
             llvm::ConstantInt::get(i64, t.offset),
             llvm::ConstantInt::get(i32, t.bits),
             llvm::ConstantInt::get(i64, t.groupSize),
             llvm::ConstantInt::get(i64, t.scaleOffset),
             llvm::ConstantInt::get(i64, t.rotation),
             llvm::ConstantInt::get(i64, t.zeroOffset)}));
      }
      if (entries.empty())
        return llvm::ConstantPointerNull::get(ptr);
      return global(llvm::ConstantArray::get(
          llvm::ArrayType::get(tensorType, entries.size()), entries));
    };
    pointer = global(llvm::ConstantStruct::get(
        infoType,
        {string(model->name), string(model->architecture),
         llvm::ConstantInt::get(i64, model->vocabSize),
         llvm::ConstantInt::get(i64, model->maxContext),
         llvm::ConstantInt::get(i32, model->weights.size()),
         tensors(model->weights),
         llvm::ConstantInt::get(i64, model->weightsSize),
         llvm::ConstantInt::get(i32, model->states.size()),
         tensors(model->states),
         llvm::ConstantInt::get(i64, model->stateSize),
         llvm::ConstantInt::get(i32, model->forwardFunction),
         llvm::ConstantInt::get(i32, model->stepFunction),
         llvm::ConstantInt::get(i64, model->qweightsSize),
         llvm::ConstantInt::get(i64, model->inputDim)}));
  }
  auto *gv = new llvm::GlobalVariable(module, ptr, /*isConstant=*/true,
                                      llvm::GlobalValue::ExternalLinkage,
                                      pointer, "__seqc_model");
  gv->setVisibility(llvm::GlobalValue::HiddenVisibility);
}
