//===- SeqcModule.cpp - the seqc Python module (nanobind) ----------------===//
//
// Wraps seqc's own C++ API (Debian's MLIR has no Python bindings):
//   compile(source, output, ...)  seq IR text -> a library / any stage
//   opt(source, pipeline)         run passes, return the IR text
//   Library(path)                 dlopen a compiled library; call entry
//                                 points with NumPy arrays (inputs zero-copy)
// Compiler errors raise seqc.CompileError carrying the diagnostics; refused
// calls raise seqc.CallError carrying the library's message.
//
//===----------------------------------------------------------------------===//

#include "buffer_cache.h"
#include "seqc-runtime/seqc_runtime.h"
#include "seqc/Driver/Compiler.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <dlfcn.h>
#include <map>
#include <mutex>

namespace nb = nanobind;
using namespace mlir;

namespace {

/// A context with everything seqc registers, and the text of every
/// diagnostic emitted while it is alive.
struct CompilerSession {
  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  std::string diagnostics;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<SourceMgrDiagnosticHandler> handler;
  llvm::raw_string_ostream stream{diagnostics};

  CompilerSession() {
    seqc::registerCompilerDependencies(registry);
    context = std::make_unique<MLIRContext>(registry);
    context->printOpOnDiagnostic(false);
  }

  OwningOpRef<ModuleOp> parse(const std::string &source,
                              const std::string &name) {
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(source, name), llvm::SMLoc());
    handler = std::make_unique<SourceMgrDiagnosticHandler>(sourceMgr,
                                                           context.get(), stream);
    return parseSourceFile<ModuleOp>(sourceMgr, context.get());
  }

  seqc::CompileOptions options() {
    seqc::CompileOptions o;
    o.onError = [this](const std::string &m) { stream << "error: " << m << "\n"; };
    return o;
  }
};

nb::object compileError() {
  return nb::module_::import_("seqc").attr("CompileError");
}

[[noreturn]] void raiseCompileError(const std::string &message) {
  PyErr_SetString(compileError().ptr(), message.c_str());
  throw nb::python_error();
}

seqc::OutputKind parseEmit(const std::string &emit) {
  static const std::map<std::string, seqc::OutputKind> kinds = {
      {"mlir", seqc::OutputKind::MLIR},
      {"linalg", seqc::OutputKind::Linalg},
      {"llvm-dialect", seqc::OutputKind::LLVMDialect},
      {"header", seqc::OutputKind::Header},
      {"llvm", seqc::OutputKind::LLVMIR},
      {"asm", seqc::OutputKind::Asm},
      {"obj", seqc::OutputKind::Obj},
      {"so", seqc::OutputKind::SharedLib},
      {"gpu", seqc::OutputKind::GPU},
      {"ptx", seqc::OutputKind::PTX}};
  auto it = kinds.find(emit);
  if (it == kinds.end())
    raiseCompileError("unknown emit kind '" + emit +
                      "' (mlir, linalg, llvm-dialect, header, llvm, asm, "
                      "obj, so; gpu and ptx with target='cuda')");
  return it->second;
}

void compile(const std::string &source, const std::string &output,
             const std::string &emit, const std::string &target,
             const std::string &gpuArch, const std::string &cudaPath,
             const std::string &cpu, unsigned optLevel, bool runtimeChecks, bool reference,
             const std::string &header, const std::string &runtimeLibrary,
             const std::string &sourceName, const std::string &inputPath,
             int64_t maxContext, const std::string &quantize,
             int64_t quantGroup, bool quantZeroPoint,
             double outlierThreshold,
             const std::string &calib, const std::string &weights,
             double calibPercentile) {
  CompilerSession session;
  OwningOpRef<ModuleOp> module;
  if (inputPath.empty()) {
    module = session.parse(source, sourceName);
  } else {
    // A model description (or a file of IR) read by the driver's loader.
    session.handler = std::make_unique<SourceMgrDiagnosticHandler>(
        session.sourceMgr, session.context.get(), session.stream);
    seqc::InputOptions inputOptions;
    inputOptions.maxContext = maxContext;
    inputOptions.quantize = quantize;
    inputOptions.quantGroup = quantGroup;
    inputOptions.quantZeroPoints = quantZeroPoint;
    inputOptions.outlierThreshold = outlierThreshold;
    inputOptions.calibrationTokens = calib;
    inputOptions.weights = weights;
    inputOptions.calibrationPercentile = calibPercentile;
    inputOptions.calibrationBuild = session.options();
    inputOptions.calibrationBuild.runtimeLibrary = runtimeLibrary;
    module = seqc::loadInput(inputPath, *session.context, session.sourceMgr,
                             inputOptions, session.options().onError);
  }
  if (!module)
    raiseCompileError(session.diagnostics);
  seqc::CompileOptions options = session.options();
  options.emit = parseEmit(emit);
  if (target != "cpu" && target != "cuda")
    raiseCompileError("unknown target '" + target + "' (cpu, cuda)");
  options.target =
      target == "cuda" ? seqc::TargetKind::CUDA : seqc::TargetKind::CPU;
  options.gpuArch = gpuArch;
  options.cudaPath = cudaPath;
  options.cpu = cpu;
  options.optLevel = optLevel;
  options.runtimeChecks = runtimeChecks;
  options.referenceOnly = reference;
  options.headerPath = header;
  options.runtimeLibrary = runtimeLibrary;
  options.inputPaths = {inputPath, weights, calib};
  if (failed(seqc::compile(*module, options, output)))
    raiseCompileError(session.diagnostics);
}

std::string opt(const std::string &source, const std::string &pipeline,
                const std::string &sourceName) {
  CompilerSession session;
  OwningOpRef<ModuleOp> module = session.parse(source, sourceName);
  if (!module || failed(seqc::runPipeline(*module, pipeline, session.options())))
    raiseCompileError(session.diagnostics);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

// ---------------------------------------------------------------------------
// Loaded libraries.

using Array = nb::ndarray<nb::numpy, nb::c_contig, nb::device::cpu>;

struct DtypeEntry {
  seqc_dtype code;
  nb::dlpack::dtype dtype;
};
const DtypeEntry kDtypes[] = {
    {SEQC_DTYPE_F32, nb::dtype<float>()},
    {SEQC_DTYPE_F64, nb::dtype<double>()},
    {SEQC_DTYPE_I8, nb::dtype<int8_t>()},
    {SEQC_DTYPE_I32, nb::dtype<int32_t>()},
    {SEQC_DTYPE_I64, nb::dtype<int64_t>()},
    {SEQC_DTYPE_F16, {static_cast<uint8_t>(nb::dlpack::dtype_code::Float), 16, 1}},
    {SEQC_DTYPE_BF16, {static_cast<uint8_t>(nb::dlpack::dtype_code::Bfloat), 16, 1}},
};

[[noreturn]] void raiseCallError(const std::string &message) {
  nb::object error = nb::module_::import_("seqc").attr("CallError");
  PyErr_SetString(error.ptr(), message.c_str());
  throw nb::python_error();
}

/// The model API (seqc_model_*) of one loaded model library.
struct ModelApi {
  const seqc_model_info *(*info)() = nullptr;
  seqc_status (*create)(const char *, int64_t, seqc_model **) = nullptr;
  seqc_status (*createFromBuffer)(const void *, uint64_t, int64_t,
                                  seqc_model **) = nullptr;
  void (*destroy)(seqc_model *) = nullptr;
  seqc_status (*forward)(seqc_model *, const int32_t *, int64_t,
                         float *) = nullptr;
  seqc_status (*step)(seqc_model *, const int32_t *, float *) = nullptr;
  seqc_status (*forwardFeatures)(seqc_model *, const float *, int64_t,
                                 float *) = nullptr;
  seqc_status (*stepFeatures)(seqc_model *, const float *, float *) = nullptr;
  seqc_status (*reset)(seqc_model *) = nullptr;
  int64_t (*position)(const seqc_model *) = nullptr;
  uint64_t (*stateBytes)(const seqc_model *) = nullptr;
  seqc_status (*save)(const seqc_model *, void *, uint64_t) = nullptr;
  seqc_status (*load)(seqc_model *, const void *, uint64_t) = nullptr;
  seqc_status (*saveWeights)(const seqc_model *, const char *) = nullptr;
  const char *(*lastError)() = nullptr;

  template <typename F> static void bind(void *handle, const char *name, F &fn) {
    fn = reinterpret_cast<F>(dlsym(handle, name));
  }
  bool resolve(void *handle) {
    bind(handle, "seqc_get_model_info", info);
    bind(handle, "seqc_model_create", create);
    bind(handle, "seqc_model_create_from_buffer", createFromBuffer);
    bind(handle, "seqc_model_destroy", destroy);
    bind(handle, "seqc_model_forward", forward);
    bind(handle, "seqc_model_step", step);
    bind(handle, "seqc_model_forward_features", forwardFeatures);
    bind(handle, "seqc_model_step_features", stepFeatures);
    bind(handle, "seqc_model_reset", reset);
    bind(handle, "seqc_model_position", position);
    bind(handle, "seqc_model_state_bytes", stateBytes);
    bind(handle, "seqc_model_save_state", save);
    bind(handle, "seqc_model_load_state", load);
    bind(handle, "seqc_model_save_weights", saveWeights);
    bind(handle, "seqc_last_error", lastError);
    return info && create && createFromBuffer && destroy && forward && step &&
           forwardFeatures && stepFeatures && reset && position && stateBytes && save && load && saveWeights &&
           lastError;
  }
  void check(seqc_status status) const {
    if (status != SEQC_OK)
      raiseCallError(lastError());
  }
};

using TokenArray =
    nb::ndarray<nb::numpy, const int32_t, nb::c_contig, nb::device::cpu>;
using FeatureArray =
    nb::ndarray<nb::numpy, const float, nb::c_contig, nb::device::cpu>;
using LogitArray = nb::ndarray<nb::numpy, float, nb::device::cpu>;

/// One instance of a model library: weights, batch, carried state. Calls
/// run without the GIL; the mutex keeps two threads from running one
/// instance at once (a model instance is not thread-safe).
class Model {
public:
  Model(const ModelApi &api, nb::object library, seqc_model *model,
        int64_t batch)
      : batch(batch), api(api), library(std::move(library)), model(model),
        vocab(api.info()->vocab_size), inputDim(api.info()->input_dim) {}
  ~Model() { api.destroy(model); }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  LogitArray forward(TokenArray tokens) {
    if (tokens.ndim() != 2 || static_cast<int64_t>(tokens.shape(0)) != batch)
      raiseCallError("forward: tokens must be int32 [" +
                     std::to_string(batch) + ", length]");
    int64_t length = tokens.shape(1);
    return run(tokens.data(), false, length,
               {static_cast<size_t>(batch), static_cast<size_t>(length),
                static_cast<size_t>(vocab)},
               false);
  }

  LogitArray forwardFeatures(FeatureArray features) {
    if (features.ndim() != 3 ||
        static_cast<int64_t>(features.shape(0)) != batch ||
        static_cast<int64_t>(features.shape(2)) != inputDim)
      raiseCallError("forward: features must be float32 [" +
                     std::to_string(batch) + ", length, " +
                     std::to_string(inputDim) + "]");
    int64_t length = features.shape(1);
    return run(features.data(), true, length,
               {static_cast<size_t>(batch), static_cast<size_t>(length),
                static_cast<size_t>(vocab)},
               false);
  }

  LogitArray stepFeatures(FeatureArray features) {
    if (features.ndim() != 2 ||
        static_cast<int64_t>(features.shape(0)) != batch ||
        static_cast<int64_t>(features.shape(1)) != inputDim)
      raiseCallError("step: features must be float32 [" +
                     std::to_string(batch) + ", " + std::to_string(inputDim) +
                     "]");
    return run(features.data(), true, 1,
               {static_cast<size_t>(batch), static_cast<size_t>(vocab)}, true);
  }

  LogitArray step(TokenArray tokens) {
    if (tokens.ndim() != 1 || static_cast<int64_t>(tokens.shape(0)) != batch)
      raiseCallError("step: tokens must be int32 [" + std::to_string(batch) +
                     "]");
    return run(tokens.data(), false, 1,
               {static_cast<size_t>(batch), static_cast<size_t>(vocab)}, true);
  }

  void reset() {
    std::lock_guard<std::mutex> lock(mutex);
    api.check(api.reset(model));
  }
  int64_t position() {
    std::lock_guard<std::mutex> lock(mutex);
    return api.position(model);
  }

  nb::bytes saveState() {
    std::lock_guard<std::mutex> lock(mutex);
    std::string buffer(api.stateBytes(model), '\0');
    api.check(api.save(model, buffer.data(), buffer.size()));
    return nb::bytes(buffer.data(), buffer.size());
  }
  void loadState(nb::bytes state) {
    std::lock_guard<std::mutex> lock(mutex);
    api.check(api.load(model, state.c_str(), state.size()));
  }
  void saveWeights(const std::string &path) {
    std::lock_guard<std::mutex> lock(mutex);
    seqc_status status;
    {
      nb::gil_scoped_release release;
      status = api.saveWeights(model, path.c_str());
    }
    api.check(status);
  }

  int64_t batch;

private:
  /// `input`: int32 token ids, or with `features` f32 feature vectors.
  LogitArray run(const void *input, bool features, int64_t length,
                 std::vector<size_t> shape, bool isStep) {
    size_t count = 1;
    for (size_t s : shape)
      count *= s;
    float *logits = static_cast<float *>(std::malloc(count * sizeof(float)));
    if (!logits)
      throw std::bad_alloc();
    seqc_status status;
    {
      nb::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex);
      auto *tokens = static_cast<const int32_t *>(input);
      auto *vectors = static_cast<const float *>(input);
      if (features)
        status = isStep ? api.stepFeatures(model, vectors, logits)
                        : api.forwardFeatures(model, vectors, length, logits);
      else
        status = isStep ? api.step(model, tokens, logits)
                        : api.forward(model, tokens, length, logits);
    }
    if (status != SEQC_OK) {
      std::free(logits);
      raiseCallError(api.lastError());
    }
    nb::capsule owner(logits, [](void *p) noexcept { std::free(p); });
    return LogitArray(logits, shape.size(), shape.data(), owner);
  }

  ModelApi api;
  nb::object library; // keeps the library loaded
  seqc_model *model;
  int64_t vocab, inputDim;
  std::mutex mutex;
};

class Library {
public:
  explicit Library(const std::string &path) : path(path) {
    std::string p = path.find('/') == std::string::npos ? "./" + path : path;
    handle = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      throw std::runtime_error("cannot load " + path + ": " + dlerror());
    auto infoFn = reinterpret_cast<const seqc_library_info *(*)()>(
        dlsym(handle, "seqc_get_library_info"));
    callFn = reinterpret_cast<decltype(callFn)>(dlsym(handle, "seqc_call"));
    // Libraries older than seqc_call_device have neither; they are CPU ones.
    callDeviceFn = reinterpret_cast<decltype(callDeviceFn)>(
        dlsym(handle, "seqc_call_device"));
    targetFn = reinterpret_cast<decltype(targetFn)>(
        dlsym(handle, "seqc_library_target"));
    errorFn = reinterpret_cast<decltype(errorFn)>(
        dlsym(handle, "seqc_last_error"));
    if (!infoFn || !callFn || !errorFn)
      throw std::runtime_error(path + " is not a seqc library");
    info = infoFn();
    hasModelApi = modelApi.resolve(handle);
    if (info->abi_version != SEQC_ABI_VERSION)
      throw std::runtime_error(path + " has ABI version " +
                               std::to_string(info->abi_version) +
                               ", this module expects " +
                               std::to_string(SEQC_ABI_VERSION));
  }

  const seqc_function_info &function(const std::string &name) const {
    for (int i = 0; i < info->num_functions; ++i)
      if (name == info->functions[i].name)
        return info->functions[i];
    throw nb::attribute_error(("library has no function '" + name + "'").c_str());
  }

  /// {name: ([(arg, dtype, dims)], [(arg, dtype, dims)])}; a dim is an int
  /// (static) or a string "sN" (a dynamic size shared with every "sN").
  nb::dict signatures() const {
    nb::dict out;
    auto describe = [](const seqc_arg_info *args, int n) {
      nb::list list;
      for (int i = 0; i < n; ++i) {
        nb::list dims;
        for (int d = 0; d < args[i].rank; ++d) {
          const seqc_dim &dim = args[i].dims[d];
          if (dim.size >= 0)
            dims.append(dim.size);
          else
            dims.append(nb::str(("s" + std::to_string(dim.symbol)).c_str()));
        }
        list.append(nb::make_tuple(args[i].name, seqc_dtype_name(args[i].dtype),
                                   nb::tuple(dims)));
      }
      return list;
    };
    for (int f = 0; f < info->num_functions; ++f) {
      const seqc_function_info &fn = info->functions[f];
      out[fn.name] = nb::make_tuple(describe(fn.inputs, fn.num_inputs),
                                    describe(fn.outputs, fn.num_outputs));
    }
    return out;
  }

  nb::list call(const std::string &name, std::vector<Array> inputs) {
    const seqc_function_info &fn = function(name);
    std::vector<std::vector<int64_t>> shapes(inputs.size());
    std::vector<seqc_tensor> in(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      Array &a = inputs[i];
      seqc_dtype code = static_cast<seqc_dtype>(0);
      for (const DtypeEntry &e : kDtypes)
        if (e.dtype == a.dtype())
          code = e.code;
      // NumPy has no bf16: the package passes ml_dtypes.bfloat16 arrays as
      // their bits, uint16.
      if (a.dtype() == nb::dtype<uint16_t>())
        code = SEQC_DTYPE_BF16;
      for (size_t d = 0; d < a.ndim(); ++d)
        shapes[i].push_back(a.shape(d));
      in[i] = {code, static_cast<int32_t>(a.ndim()), shapes[i].data(), nullptr,
               a.data()};
    }
    // Outputs: sized from the signature, owned by NumPy once returned.
    std::vector<std::vector<size_t>> outShapes(fn.num_outputs);
    std::vector<std::vector<int64_t>> outDims(fn.num_outputs);
    std::vector<void *> buffers(fn.num_outputs, nullptr);
    std::vector<seqc_tensor> out(fn.num_outputs);
    auto releaseAll = [&] {
      for (void *b : buffers)
        seqc_buffer_free(b);
    };
    for (int i = 0; i < fn.num_outputs; ++i) {
      const seqc_arg_info &arg = fn.outputs[i];
      outDims[i].resize(arg.rank);
      seqc_output_shape(&fn, in.data(), static_cast<int32_t>(in.size()), i,
                        outDims[i].data());
      size_t count = 1;
      for (int64_t size : outDims[i]) {
        outShapes[i].push_back(static_cast<size_t>(size));
        count *= static_cast<size_t>(size);
      }
      buffers[i] = seqc_buffer_alloc(
          64, std::max<size_t>(
                  1, count * static_cast<size_t>(seqc_dtype_size(arg.dtype))));
      if (!buffers[i]) {
        releaseAll();
        throw std::bad_alloc();
      }
      out[i] = {arg.dtype, arg.rank, outDims[i].data(), nullptr, buffers[i]};
    }
    seqc_status status;
    {
      nb::gil_scoped_release release;
      status = callFn(name.c_str(), in.data(), static_cast<int32_t>(in.size()),
                      out.data(), static_cast<int32_t>(out.size()));
    }
    if (status != SEQC_OK) {
      std::string message = errorFn();
      releaseAll();
      nb::object error = nb::module_::import_("seqc").attr("CallError");
      PyErr_SetString(error.ptr(), message.c_str());
      throw nb::python_error();
    }
    nb::list results;
    for (int i = 0; i < fn.num_outputs; ++i) {
      void *buffer = buffers[i];
      nb::capsule owner(buffer, [](void *p) noexcept { seqc_buffer_free(p); });
      nb::dlpack::dtype dtype{};
      for (const DtypeEntry &e : kDtypes)
        if (e.code == fn.outputs[i].dtype)
          dtype = e.dtype;
      // bf16 as its bits (NumPy has no bf16 type; the package views them as
      // ml_dtypes.bfloat16).
      if (fn.outputs[i].dtype == SEQC_DTYPE_BF16)
        dtype = nb::dtype<uint16_t>();
      results.append(Array(buffer, outShapes[i].size(), outShapes[i].data(),
                           owner, nullptr, dtype));
      buffers[i] = nullptr;
    }
    return results;
  }

  /// "cpu", "cuda" or "cuda-emulated".
  std::string target() const { return targetFn ? targetFn() : "cpu"; }

  /// seqc_call_device: each tensor a (pointer, shape, dtype name, element
  /// strides or None) tuple of GPU memory; outputs are written in place.
  void callDevice(const std::string &name, nb::list inputs, nb::list outputs,
                  uintptr_t stream) {
    function(name); // an AttributeError for an unknown name
    if (!callDeviceFn)
      raiseCallError(path + " predates seqc_call_device (recompile it)");
    std::vector<std::vector<int64_t>> shapes, strides;
    auto convert = [&](nb::list list) {
      std::vector<seqc_tensor> tensors;
      for (nb::handle item : list) {
        auto t = nb::cast<nb::tuple>(item);
        if (t.size() != 4)
          throw nb::value_error("a device tensor is (pointer, shape, dtype, "
                                "strides)");
        seqc_tensor tensor{};
        std::string dtype = nb::cast<std::string>(t[2]);
        for (int code = SEQC_DTYPE_F32; code <= SEQC_DTYPE_I64; ++code)
          if (dtype == seqc_dtype_name(static_cast<seqc_dtype>(code)))
            tensor.dtype = static_cast<seqc_dtype>(code);
        if (!tensor.dtype)
          throw nb::value_error(("unknown dtype '" + dtype + "'").c_str());
        shapes.push_back(nb::cast<std::vector<int64_t>>(t[1]));
        tensor.rank = static_cast<int32_t>(shapes.back().size());
        tensor.shape = shapes.back().data();
        if (!t[3].is_none()) {
          strides.push_back(nb::cast<std::vector<int64_t>>(t[3]));
          tensor.strides = strides.back().data();
        }
        tensor.data = reinterpret_cast<void *>(nb::cast<uintptr_t>(t[0]));
        tensors.push_back(tensor);
      }
      return tensors;
    };
    // Reserved so that the shape and stride vectors never move.
    shapes.reserve(inputs.size() + outputs.size());
    strides.reserve(inputs.size() + outputs.size());
    std::vector<seqc_tensor> in = convert(inputs), out = convert(outputs);
    seqc_status status;
    {
      nb::gil_scoped_release release;
      status = callDeviceFn(name.c_str(), in.data(),
                            static_cast<int32_t>(in.size()), out.data(),
                            static_cast<int32_t>(out.size()),
                            reinterpret_cast<void *>(stream));
    }
    if (status != SEQC_OK)
      raiseCallError(errorFn());
  }

  /// The model's description (a dict), or None for a library of IR.
  nb::object modelInfo() const {
    const seqc_model_info *m = hasModelApi ? modelApi.info() : nullptr;
    if (!m)
      return nb::none();
    nb::dict d;
    d["name"] = m->name;
    d["architecture"] = m->architecture;
    d["vocab_size"] = m->vocab_size;
    d["input_dim"] = m->input_dim;
    d["max_context"] = m->max_context;
    d["state_size"] = m->state_size;
    // Quantized projections: name -> (bits, group size).
    nb::dict quantized;
    for (int i = 0; i < m->num_weights; ++i)
      if (m->weights[i].bits)
        quantized[m->weights[i].name] =
            nb::make_tuple(m->weights[i].bits, m->weights[i].group_size);
    d["quantized"] = quantized;
    // Quantized weights stored rotated (int8-ssm): name -> Hadamard block.
    nb::dict rotated;
    for (int i = 0; i < m->num_weights; ++i)
      if (m->weights[i].rotation)
        rotated[m->weights[i].name] = m->weights[i].rotation;
    d["rotated"] = rotated;
    // Asymmetric quantized weights (with zero points).
    nb::list zeroPoints;
    for (int i = 0; i < m->num_weights; ++i)
      if (m->weights[i].bits && m->weights[i].zero_offset >= 0)
        zeroPoints.append(m->weights[i].name);
    d["zero_points"] = zeroPoints;
    auto tensors = [](const seqc_model_tensor_info *list, int count) {
      nb::list out;
      for (int i = 0; i < count; ++i) {
        nb::list shape;
        for (int r = 0; r < list[i].rank; ++r)
          shape.append(list[i].shape[r]);
        out.append(nb::make_tuple(list[i].name, nb::tuple(shape)));
      }
      return out;
    };
    d["weights"] = tensors(m->weights, m->num_weights);
    d["state"] = tensors(m->states, m->num_states);
    return d;
  }

  /// An instance from a safetensors path (str) or its bytes.
  static Model *createModel(nb::object self, nb::object weights,
                            int64_t batch) {
    Library &lib = nb::cast<Library &>(self);
    if (!lib.hasModelApi || !lib.modelApi.info())
      raiseCallError(lib.path + " was compiled from IR, not from a model "
                                "description");
    seqc_model *model = nullptr;
    seqc_status status;
    if (nb::isinstance<nb::bytes>(weights)) {
      nb::bytes data = nb::cast<nb::bytes>(weights);
      status = lib.modelApi.createFromBuffer(data.c_str(), data.size(), batch,
                                             &model);
    } else {
      std::string path = nb::cast<std::string>(nb::str(weights));
      status = lib.modelApi.create(path.c_str(), batch, &model);
    }
    lib.modelApi.check(status);
    return new Model(lib.modelApi, self, model, batch);
  }

  std::string path;

private:
  ModelApi modelApi;
  bool hasModelApi = false;
  void *handle = nullptr;
  const seqc_library_info *info = nullptr;
  seqc_status (*callFn)(const char *, const seqc_tensor *, int32_t,
                        seqc_tensor *, int32_t) = nullptr;
  const char *(*errorFn)() = nullptr;
  seqc_status (*callDeviceFn)(const char *, const seqc_tensor *, int32_t,
                              seqc_tensor *, int32_t, void *) = nullptr;
  const char *(*targetFn)() = nullptr;
};

} // namespace

NB_MODULE(_seqc, m) {
  m.doc() = "seqc's compiler and library loader (use the seqc package)";
  m.def("compile", &compile, nb::arg("source"), nb::arg("output"),
        nb::arg("emit") = "so", nb::arg("target") = "cpu",
        nb::arg("gpu_arch") = "sm_80", nb::arg("cuda_path") = "",
        nb::arg("cpu") = "native",
        nb::arg("opt_level") = 2, nb::arg("runtime_checks") = false,
        nb::arg("reference") = false, nb::arg("header") = "", nb::arg("runtime_library") = "",
        nb::arg("source_name") = "<source>", nb::arg("input_path") = "",
        nb::arg("max_context") = 0, nb::arg("quantize") = "",
        nb::arg("quant_group") = 0, nb::arg("quant_zero_point") = false,
        nb::arg("outlier_threshold") = 0.0,
        nb::arg("calib") = "", nb::arg("weights") = "",
        nb::arg("calib_percentile") = 99.999);
  m.def("opt", &opt, nb::arg("source"), nb::arg("pipeline"),
        nb::arg("source_name") = "<source>");
  nb::class_<Library>(m, "Library")
      .def(nb::init<const std::string &>(), nb::arg("path"))
      .def_ro("path", &Library::path)
      .def("signatures", &Library::signatures)
      .def("call", &Library::call, nb::arg("name"), nb::arg("inputs"))
      .def("call_device", &Library::callDevice, nb::arg("name"),
           nb::arg("inputs"), nb::arg("outputs"), nb::arg("stream"))
      .def("target", &Library::target)
      .def("model_info", &Library::modelInfo)
      .def_static("create_model", &Library::createModel, nb::arg("library"),
                  nb::arg("weights"), nb::arg("batch"));
  nb::class_<Model>(m, "Model")
      .def_ro("batch", &Model::batch)
      .def_prop_ro("position", &Model::position)
      .def("forward", &Model::forward, nb::arg("tokens").noconvert())
      .def("step", &Model::step, nb::arg("tokens").noconvert())
      .def("forward_features", &Model::forwardFeatures,
           nb::arg("features").noconvert())
      .def("step_features", &Model::stepFeatures,
           nb::arg("features").noconvert())
      .def("reset", &Model::reset)
      .def("save_state", &Model::saveState)
      .def("save_weights", &Model::saveWeights, nb::arg("path"))
      .def("load_state", &Model::loadState, nb::arg("state"));
}
