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
      {"so", seqc::OutputKind::SharedLib}};
  auto it = kinds.find(emit);
  if (it == kinds.end())
    raiseCompileError("unknown emit kind '" + emit +
                      "' (mlir, linalg, llvm-dialect, header, llvm, asm, "
                      "obj, so)");
  return it->second;
}

void compile(const std::string &source, const std::string &output,
             const std::string &emit, const std::string &cpu,
             unsigned optLevel, bool runtimeChecks, bool reference,
             const std::string &header, const std::string &runtimeLibrary,
             const std::string &sourceName) {
  CompilerSession session;
  OwningOpRef<ModuleOp> module = session.parse(source, sourceName);
  if (!module)
    raiseCompileError(session.diagnostics);
  seqc::CompileOptions options = session.options();
  options.emit = parseEmit(emit);
  options.cpu = cpu;
  options.optLevel = optLevel;
  options.runtimeChecks = runtimeChecks;
  options.referenceOnly = reference;
  options.headerPath = header;
  options.runtimeLibrary = runtimeLibrary;
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
    errorFn = reinterpret_cast<decltype(errorFn)>(
        dlsym(handle, "seqc_last_error"));
    if (!infoFn || !callFn || !errorFn)
      throw std::runtime_error(path + " is not a seqc library");
    info = infoFn();
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
        std::free(b);
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
      buffers[i] = std::malloc(std::max<size_t>(
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
      nb::capsule owner(buffer, [](void *p) noexcept { std::free(p); });
      nb::dlpack::dtype dtype{};
      for (const DtypeEntry &e : kDtypes)
        if (e.code == fn.outputs[i].dtype)
          dtype = e.dtype;
      results.append(Array(buffer, outShapes[i].size(), outShapes[i].data(),
                           owner, nullptr, dtype));
      buffers[i] = nullptr;
    }
    return results;
  }

  std::string path;

private:
  void *handle = nullptr;
  const seqc_library_info *info = nullptr;
  seqc_status (*callFn)(const char *, const seqc_tensor *, int32_t,
                        seqc_tensor *, int32_t) = nullptr;
  const char *(*errorFn)() = nullptr;
};

} // namespace

NB_MODULE(_seqc, m) {
  m.doc() = "seqc's compiler and library loader (use the seqc package)";
  m.def("compile", &compile, nb::arg("source"), nb::arg("output"),
        nb::arg("emit") = "so", nb::arg("cpu") = "native",
        nb::arg("opt_level") = 2, nb::arg("runtime_checks") = false,
        nb::arg("reference") = false, nb::arg("header") = "", nb::arg("runtime_library") = "",
        nb::arg("source_name") = "<source>");
  m.def("opt", &opt, nb::arg("source"), nb::arg("pipeline"),
        nb::arg("source_name") = "<source>");
  nb::class_<Library>(m, "Library")
      .def(nb::init<const std::string &>(), nb::arg("path"))
      .def_ro("path", &Library::path)
      .def("signatures", &Library::signatures)
      .def("call", &Library::call, nb::arg("name"), nb::arg("inputs"));
}
