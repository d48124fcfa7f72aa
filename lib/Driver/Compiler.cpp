//===- Compiler.cpp - seqc's compilation, as a library -------------------===//

#include "seqc/Driver/Compiler.h"

#include "seqc/InitAllDialects.h"
#include "seqc/Pipelines/Pipelines.h"
#include "seqc/Target/CPUTarget.h"
#include "seqc/Target/CUDATarget.h"
#include "seqc/Target/EntryPoints.h"
#include "seqc/Target/ModelTables.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir;
using namespace seqc;

void seqc::registerCompilerDependencies(DialectRegistry &registry) {
  seqc::registerAllPasses();
  seqc::registerAllDialects(registry);
}

bool seqc::isSpecialFile(StringRef path) {
  sys::fs::file_status status;
  if (path.empty() || path == "-" || sys::fs::status(path, status))
    return false;
  return sys::fs::exists(status) && !sys::fs::is_regular_file(status) &&
         !sys::fs::is_directory(status);
}

namespace {
/// One compilation: options, output path and error reporting.
struct Compilation {
  const CompileOptions &options;
  StringRef outputPath;

  LogicalResult error(const Twine &message) const {
    if (options.onError)
      options.onError(message.str());
    return failure();
  }
  LogicalResult error(Error err) const {
    return error(toString(std::move(err)));
  }
  void progress(const Twine &message) const {
    if (options.onProgress)
      options.onProgress(message.str());
  }

  /// Writes through `write` into `path`, keeping the file only on success.
  /// A device or FIFO (/dev/null) is written in place: a failure must not
  /// remove it, nor a rename replace it.
  LogicalResult
  writeFile(StringRef path,
            llvm::function_ref<LogicalResult(raw_pwrite_stream &)> write) const {
    if (isSpecialFile(path)) {
      std::error_code ec;
      raw_fd_ostream os(path, ec, sys::fs::OF_None);
      if (ec)
        return error(createFileError(path, ec));
      if (failed(write(os)))
        return failure();
      os.close();
      if (os.has_error()) {
        std::error_code writeError = os.error();
        os.clear_error();
        return error(createFileError(path, writeError));
      }
      return success();
    }
    std::string message;
    std::unique_ptr<ToolOutputFile> out = openOutputFile(path, &message);
    if (!out)
      return error(message);
    if (failed(write(out->os())))
      return failure();
    out->keep();
    return success();
  }
  LogicalResult
  writeOutput(
      llvm::function_ref<LogicalResult(raw_pwrite_stream &)> write) const {
    return writeFile(outputPath, write);
  }

  bool cuda() const { return options.target == TargetKind::CUDA; }
  LogicalResult lowerTo(ModuleOp module,
                        const PipelineOptions &pipelineOptions) const;
  LogicalResult linkLibrary(Module &llvmModule, TargetMachine &machine,
                            ArrayRef<EntryPoint> entryPoints,
                            const ModelInfo *model) const;
  LogicalResult run(ModuleOp module) const;
};
} // namespace

/// The TargetMachine for `options.cpu`: it decides the pipelines' vector
/// width and then generates the code.
static Expected<std::unique_ptr<TargetMachine>>
createTargetMachine(const CompileOptions &options) {
  CPUTargetOptions targetOptions;
  targetOptions.cpu = options.cpu;
  targetOptions.optLevel = options.optLevel;
  return createCPUTargetMachine(targetOptions);
}

static PipelineOptions pipelineOptionsFor(const CompileOptions &options,
                                          const TargetMachine &machine) {
  PipelineOptions pipelineOptions;
  pipelineOptions.fastLowerings =
      options.optLevel > 0 && !options.referenceOnly;
  pipelineOptions.vectorLanes = vectorLanesF32(machine);
  pipelineOptions.int8Dot = hasInt8DotProduct(machine);
  pipelineOptions.bf16Dot = hasBF16DotProduct(machine);
  pipelineOptions.runtimeChecks = options.runtimeChecks;
  if (options.target == TargetKind::CUDA) {
    // The fast lowerings are CPU vector code; the GPU gets the reference
    // lowerings' loop nests, one kernel each.
    pipelineOptions.fastLowerings = false;
    pipelineOptions.gpuTarget = true;
    pipelineOptions.gpuChip = options.gpuArch;
    pipelineOptions.gpuEmulateOnHost = options.gpuEmulateOnHost;
  }
  return pipelineOptions;
}

Expected<PipelineOptions>
seqc::getPipelineOptions(const CompileOptions &options) {
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  return pipelineOptionsFor(options, **machine);
}

/// Whether `emit` is a stage of the host code after the MLIR pipelines
/// (LLVM IR, assembly, an object, a library).
static bool isBinaryStage(OutputKind emit) {
  return emit == OutputKind::LLVMIR || emit == OutputKind::Asm ||
         emit == OutputKind::Obj || emit == OutputKind::SharedLib;
}

LogicalResult
Compilation::lowerTo(ModuleOp module,
                     const PipelineOptions &pipelineOptions) const {
  OutputKind emit = options.emit;
  if (emit == OutputKind::MLIR || emit == OutputKind::Header)
    return success();
  std::string pipeline = getSeqToLinalgPipeline(pipelineOptions);
  bool toLLVM = emit == OutputKind::LLVMDialect || isBinaryStage(emit);
  if (cuda()) {
    if (emit != OutputKind::Linalg)
      pipeline += "," + getCudaKernelsPipeline(pipelineOptions);
    if (toLLVM || emit == OutputKind::PTX)
      pipeline += "," + getCudaToLLVMPipeline(pipelineOptions);
  } else if (toLLVM) {
    pipeline += "," + getCpuToLLVMPipeline(pipelineOptions);
  }
  return runPipeline(module, pipeline, options);
}

LogicalResult seqc::runPipeline(ModuleOp module, StringRef pipeline,
                                const CompileOptions &options) {
  mlir::PassManager pm(module.getContext());
  // MLIR's debugging flags (--mlir-print-ir-after-all, --mlir-timing, ...)
  // when a tool registered them; a library caller without them gets the
  // defaults.
  (void)applyPassManagerCLOptions(pm);
  applyDefaultTimingPassManagerCLOptions(pm);
  std::string message;
  raw_string_ostream errors(message);
  if (failed(addPipeline(pm, pipeline, errors))) {
    if (options.onError)
      options.onError(message);
    return failure();
  }
  if (options.onProgress)
    options.onProgress(("running builtin.module(" + pipeline + ")").str());
  return pm.run(module);
}

LogicalResult Compilation::linkLibrary(Module &llvmModule,
                                       TargetMachine &machine,
                                       ArrayRef<EntryPoint> entryPoints,
                                       const ModelInfo *model) const {
  // Object to a temporary file, link into a temporary beside the output,
  // then rename, so a failure leaves nothing behind.
  SmallString<128> objectPath;
  int objectFd;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("seqc", "o", objectFd, objectPath))
    return error(errorCodeToError(ec));
  FileRemover removeObject(objectPath);
  {
    raw_fd_ostream objectStream(objectFd, /*shouldClose=*/true);
    progress("emitting object code");
    if (Error err = emitMachineCode(llvmModule, machine, objectStream,
                                    /*assembly=*/false))
      return error(std::move(err));
  }
  // Beside the output, for the rename; a device's is in the temporary
  // directory (not /dev).
  bool outputInPlace = isSpecialFile(outputPath);
  SmallString<128> tempLibrary(outputPath);
  tempLibrary += ".seqc-tmp";
  if (outputInPlace)
    if (std::error_code ec = sys::fs::getPotentiallyUniqueTempFileName(
            "seqc", "so", tempLibrary))
      return error(errorCodeToError(ec));
  FileRemover removeTempLibrary(tempLibrary);
  progress(("linking " + outputPath).str());
  if (Error err = linkSharedLibrary(objectPath, tempLibrary,
                                    options.runtimeLibrary,
                                    usesOpenMP(llvmModule),
                                    cuda() && !options.gpuEmulateOnHost))
    return error(std::move(err));

  std::unique_ptr<ToolOutputFile> header;
  bool headerInPlace = isSpecialFile(options.headerPath);
  auto writeHeader = [&](raw_ostream &os) {
    os << emitCHeader(entryPoints, "SEQC_LIB_" + options.libraryName, model);
  };
  if (!options.headerPath.empty() && !headerInPlace) {
    progress("writing " + options.headerPath);
    std::string message;
    header = openOutputFile(options.headerPath, &message);
    if (!header)
      return error(message);
    writeHeader(header->os());
  }
  if (outputInPlace) {
    // Copied into the device (a rename would replace it).
    ErrorOr<std::unique_ptr<MemoryBuffer>> library =
        MemoryBuffer::getFile(tempLibrary, /*IsText=*/false,
                              /*RequiresNullTerminator=*/false);
    if (!library)
      return error(createFileError(tempLibrary, library.getError()));
    if (failed(writeFile(outputPath, [&](raw_pwrite_stream &os) {
          os << (*library)->getBuffer();
          return success();
        })))
      return failure();
  } else if (std::error_code ec = sys::fs::rename(tempLibrary, outputPath)) {
    return error(createFileError(outputPath, ec));
  }
  if (header)
    header->keep();
  if (headerInPlace &&
      failed(writeFile(options.headerPath, [&](raw_pwrite_stream &os) {
        writeHeader(os);
        return success();
      })))
    return failure();
  return success();
}

LogicalResult seqc::checkOptions(const CompileOptions &options,
                                 StringRef outputPath) {
  auto error = [&](const Twine &message) {
    if (options.onError)
      options.onError(message.str());
    return failure();
  };
  if (options.optLevel > 3)
    return error("-O" + Twine(options.optLevel) + " is not a level (0-3)");
  bool binary =
      options.emit == OutputKind::Obj || options.emit == OutputKind::SharedLib;
  if (binary && (outputPath.empty() || outputPath == "-"))
    return error(Twine("--emit=") +
                 (options.emit == OutputKind::Obj ? "obj" : "so") +
                 " needs an output path (-o)");
  bool cuda = options.target == TargetKind::CUDA;
  if (!cuda &&
      (options.emit == OutputKind::GPU || options.emit == OutputKind::PTX))
    return error(Twine("--emit=") +
                 (options.emit == OutputKind::GPU ? "gpu" : "ptx") +
                 " needs --target=cuda");
  if (cuda && !llvm::is_contained(supportedGpuArchs(), options.gpuArch))
    return error("unknown --gpu-arch '" + options.gpuArch + "' (one of " +
                 llvm::join(supportedGpuArchs(), ", ") + ")");
  if (options.gpuEmulateOnHost && !cuda)
    return error("--cuda-emulate-on-host needs --target=cuda");
  if (cuda && options.runtimeChecks && !options.gpuEmulateOnHost)
    return error("--runtime-checks is for --target=cpu (and "
                 "--cuda-emulate-on-host) only");
  if (options.gpuEmulateOnHost && options.emit == OutputKind::PTX)
    return error("--emit=ptx: --cuda-emulate-on-host makes no kernels");
  if (options.emit == OutputKind::SharedLib && !options.headerPath.empty() &&
      options.headerPath == outputPath.str())
    return error("the C header would overwrite the library " + outputPath +
                 " (give -o a .so path, or --header=PATH)");
  // Checked before any work, rather than found by the linker at the end
  // (which names its temporary file).
  for (StringRef path : {outputPath, StringRef(options.headerPath)}) {
    if (path.empty() || path == "-")
      continue;
    StringRef directory = sys::path::parent_path(path);
    if (!directory.empty() && !sys::fs::is_directory(directory))
      return error("cannot write " + path + ": no directory " + directory);
    if (failed(checkNotAnInput(options, path, "the output")))
      return failure();
  }
  return success();
}

LogicalResult seqc::checkNotAnInput(const CompileOptions &options,
                                    StringRef path, StringRef what) {
  for (const std::string &input : options.inputPaths)
    if (!input.empty() && sys::fs::equivalent(input, path)) {
      if (options.onError)
        options.onError((what + " " + path + " is the input " + input +
                         ", which it would overwrite")
                            .str());
      return failure();
    }
  return success();
}

LogicalResult Compilation::run(ModuleOp module) const {
  if (failed(checkOptions(options, outputPath)))
    return failure();

  // The ABI is read off the module before lowering: the seq ops know which
  // sizes must agree. Calls are inlined first so that the relations inside
  // a callee count for its caller's arguments.
  std::vector<EntryPoint> entryPoints;
  std::optional<ModelInfo> model;
  if (options.emit == OutputKind::Header || isBinaryStage(options.emit)) {
    if (failed(runPipeline(module, "inline", options)))
      return failure();
    auto analyzed = analyzeEntryPoints(module);
    if (failed(analyzed))
      return failure();
    entryPoints = std::move(*analyzed);
    auto modelInfo = readModelInfo(module, entryPoints);
    if (failed(modelInfo))
      return failure();
    model = std::move(*modelInfo);
  }
  if (options.emit == OutputKind::Header)
    return writeOutput([&](raw_pwrite_stream &os) {
      os << emitCHeader(entryPoints, "SEQC_LIB_" + options.libraryName,
                        model ? &*model : nullptr);
      return success();
    });

  if (isBinaryStage(options.emit) && failed(renameKernels(module)))
    return failure();
  // One TargetMachine: it sets the vector width of the lowering, then
  // generates the (host) code.
  auto machine = createTargetMachine(options);
  if (!machine)
    return error(machine.takeError());
  PipelineOptions pipelineOptions = pipelineOptionsFor(options, **machine);
  if (cuda() && !options.gpuEmulateOnHost &&
      (options.emit == OutputKind::PTX ||
       options.emit == OutputKind::LLVMDialect ||
       isBinaryStage(options.emit))) {
    auto toolkit = findCudaToolkit(options.cudaPath);
    if (!toolkit)
      return error(toolkit.takeError());
    pipelineOptions.cudaToolkit = *toolkit;
    // A library embeds cubin for --gpu-arch and the PTX, which the driver
    // compiles for other GPUs.
    pipelineOptions.gpuFormat =
        options.emit == OutputKind::PTX ? "isa" : "fatbin";
  }
  if (failed(lowerTo(module, pipelineOptions)))
    return failure();
  if (options.emit == OutputKind::PTX) {
    auto ptx = collectPTX(module);
    if (!ptx)
      return error(ptx.takeError());
    return writeOutput([&](raw_pwrite_stream &os) {
      os << *ptx;
      return success();
    });
  }
  if (!isBinaryStage(options.emit))
    return writeOutput([&](raw_pwrite_stream &os) {
      module->print(os);
      return success();
    });

  progress(("translating to LLVM IR (-O" + Twine(options.optLevel) +
            ", cpu " + (*machine)->getTargetCPU() + ")")
               .str());
  LLVMContext llvmContext;
  auto llvmModule =
      translateToLLVMIR(module, llvmContext, **machine, options.optLevel);
  if (!llvmModule)
    return error(llvmModule.takeError());
  LibraryTarget libraryTarget =
      !cuda()                    ? LibraryTarget::CPU
      : options.gpuEmulateOnHost ? LibraryTarget::CUDAEmulated
                                 : LibraryTarget::CUDA;
  if (libraryTarget == LibraryTarget::CUDA)
    hoistHostAllocas(**llvmModule);
  if (Error err =
          emitEntryPointTables(**llvmModule, entryPoints, libraryTarget))
    return error(std::move(err));
  emitModelTable(**llvmModule, model);
  // Only the entry points and the runtime's API are exported.
  for (GlobalValue &gv : (*llvmModule)->global_values())
    if (!gv.isDeclaration() && !gv.hasLocalLinkage() &&
        !gv.getName().starts_with("seqc_fn_"))
      gv.setVisibility(GlobalValue::HiddenVisibility);

  if (options.emit == OutputKind::LLVMIR)
    return writeOutput([&](raw_pwrite_stream &os) {
      (*llvmModule)->print(os, nullptr);
      return success();
    });
  if (options.emit == OutputKind::Asm || options.emit == OutputKind::Obj)
    return writeOutput([&](raw_pwrite_stream &os) -> LogicalResult {
      if (Error err = emitMachineCode(**llvmModule, **machine, os,
                                      options.emit == OutputKind::Asm))
        return error(std::move(err));
      return success();
    });
  return linkLibrary(**llvmModule, **machine, entryPoints,
                     model ? &*model : nullptr);
}

LogicalResult seqc::compile(ModuleOp module, const CompileOptions &options,
                            StringRef outputPath) {
  return Compilation{options, outputPath}.run(module);
}
