//===- seqc.cpp - the seqc compiler driver -------------------------------===//
//
// seq IR in; a shared library, an object file, assembly, LLVM IR or the IR
// after any of seqc's stages out. Every stage is library code
// (lib/Pipelines, lib/Target) so seq-opt and the tests run the same passes.
// On any failure no output file is left behind.
//
//===----------------------------------------------------------------------===//

#include "seqc/InitAllDialects.h"
#include "seqc/Pipelines/Pipelines.h"
#include "seqc/Target/CPUTarget.h"
#include "seqc/Target/EntryPoints.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir;

namespace {
enum class Stage {
  MLIR,
  Linalg,
  LLVMDialect,
  Header,
  LLVMIR,
  Asm,
  Obj,
  SharedLib
};
enum class TargetKind { CPU, CUDA };
} // namespace

static cl::OptionCategory seqcCategory("seqc options");

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<input .mlir file>"),
                                          cl::init("-"),
                                          cl::cat(seqcCategory));
static cl::opt<std::string>
    outputFilename("o", cl::desc("Output file ('-' for stdout; required for "
                                 "--emit=obj and --emit=so)"),
                   cl::value_desc("path"), cl::init(""),
                   cl::cat(seqcCategory));
static cl::opt<Stage> emitStage(
    "emit", cl::desc("What to produce (default: so)"), cl::init(Stage::SharedLib),
    cl::values(clEnumValN(Stage::MLIR, "mlir", "the parsed, verified input"),
               clEnumValN(Stage::Linalg, "linalg",
                          "after the seq lowering (linalg/scf on tensors)"),
               clEnumValN(Stage::LLVMDialect, "llvm-dialect",
                          "the MLIR LLVM dialect"),
               clEnumValN(Stage::Header, "header",
                          "the C header declaring the entry points"),
               clEnumValN(Stage::LLVMIR, "llvm", "optimized LLVM IR"),
               clEnumValN(Stage::Asm, "asm", "assembly"),
               clEnumValN(Stage::Obj, "obj", "an object file"),
               clEnumValN(Stage::SharedLib, "so", "a shared library")),
    cl::cat(seqcCategory));
static cl::opt<TargetKind>
    targetKind("target", cl::desc("Target (default: cpu)"),
               cl::init(TargetKind::CPU),
               cl::values(clEnumValN(TargetKind::CPU, "cpu", "host CPU"),
                          clEnumValN(TargetKind::CUDA, "cuda",
                                     "NVIDIA GPUs (not available yet)")),
               cl::cat(seqcCategory));
static cl::opt<std::string>
    cpuName("cpu",
            cl::desc("CPU to generate code for: native (default), "
                     "x86-64-v3, x86-64-v4, skylake-avx512, ..."),
            cl::init("native"), cl::cat(seqcCategory));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3 "
                                                "(default 2)"),
                                  cl::Prefix, cl::init(2),
                                  cl::cat(seqcCategory));
static cl::opt<bool> printPipeline(
    "print-pipeline",
    cl::desc("Print the MLIR pass pipeline that would run, then exit"),
    cl::init(false), cl::cat(seqcCategory));
static cl::opt<bool> runtimeChecks(
    "runtime-checks",
    cl::desc("Bounds-check every memory access at run time; a failed check "
             "aborts with the source location (slow; for testing)"),
    cl::init(false), cl::cat(seqcCategory));
static cl::opt<std::string> headerFilename(
    "header",
    cl::desc("With --emit=so, where to write the C header (default: the "
             "output path with .h in place of .so; 'none' to skip)"),
    cl::value_desc("path"), cl::init(""), cl::cat(seqcCategory));
static cl::opt<bool> verbose("v", cl::desc("Print each stage as it runs"),
                             cl::init(false), cl::cat(seqcCategory));

static void progress(const Twine &message) {
  if (verbose)
    errs() << "seqc: " << message << "\n";
}

static bool isBinary(Stage stage) {
  return stage == Stage::Obj || stage == Stage::SharedLib;
}

/// Runs the MLIR pipelines needed to reach `stage` (at most the LLVM
/// dialect) on `module`.
static LogicalResult lowerTo(ModuleOp module, Stage stage) {
  mlir::PassManager pm(module.getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  std::string pipeline;
  if (stage >= Stage::Linalg)
    pipeline = seqc::getSeqToLinalgPipeline();
  if (stage >= Stage::LLVMDialect)
    pipeline += "," + seqc::getCpuToLLVMPipeline(runtimeChecks);
  if (pipeline.empty())
    return success();
  if (failed(seqc::addPipeline(pm, pipeline, errs())))
    return failure();
  progress("running builtin.module(" + pipeline + ")");
  return pm.run(module);
}

/// Writes `module` through `write` into `outputFilename`, keeping the file
/// only if writing succeeded.
static LogicalResult
writeOutput(llvm::function_ref<LogicalResult(raw_pwrite_stream &)> write) {
  std::string error;
  std::unique_ptr<ToolOutputFile> out =
      openOutputFile(
      outputFilename.empty() ? std::string("-") : outputFilename.getValue(),
      &error);
  if (!out) {
    errs() << "seqc: " << error << "\n";
    return failure();
  }
  if (failed(write(out->os())))
    return failure();
  out->keep();
  return success();
}

/// The header beside a library: --header, or the output with .h for .so.
static std::string headerPath() {
  if (headerFilename == "none")
    return "";
  if (!headerFilename.empty())
    return headerFilename;
  SmallString<128> path(outputFilename.getValue());
  sys::path::replace_extension(path, ".h");
  return std::string(path);
}

/// The include guard of the header: the library's file name.
static std::string headerGuard() {
  StringRef stem = sys::path::stem(outputFilename.empty() || outputFilename == "-"
                                       ? StringRef("seqc_library")
                                       : StringRef(outputFilename.getValue()));
  return ("SEQC_LIB_" + stem).str();
}

static LogicalResult reportError(Error err) {
  errs() << "seqc: error: " << toString(std::move(err)) << "\n";
  return failure();
}

static LogicalResult compile(MLIRContext &context) {
  if (targetKind == TargetKind::CUDA) {
    errs() << "seqc: error: --target=cuda is not available yet; use "
              "--target=cpu\n";
    return failure();
  }
  if (optLevel > 3) {
    errs() << "seqc: error: -O" << optLevel << " is not a level (0-3)\n";
    return failure();
  }
  if (printPipeline) {
    outs() << "builtin.module(" << seqc::getSeqToLinalgPipeline() << ","
           << seqc::getCpuToLLVMPipeline(runtimeChecks) << ")\n";
    return success();
  }
  if (isBinary(emitStage) && (outputFilename.empty() || outputFilename == "-")) {
    errs() << "seqc: error: --emit=" << (emitStage == Stage::Obj ? "obj" : "so")
           << " needs an output path (-o)\n";
    return failure();
  }

  std::string error;
  std::unique_ptr<MemoryBuffer> input = openInputFile(inputFilename, &error);
  if (!input) {
    errs() << "seqc: error: " << error << "\n";
    return failure();
  }
  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  progress("parsing " + inputFilename);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return failure();

  // The ABI is read off the module before lowering: the seq ops know
  // which sizes must agree.
  std::vector<seqc::EntryPoint> entryPoints;
  if (emitStage >= Stage::Header) {
    auto analyzed = seqc::analyzeEntryPoints(*module);
    if (failed(analyzed))
      return failure();
    entryPoints = std::move(*analyzed);
  }
  if (emitStage == Stage::Header)
    return writeOutput([&](raw_pwrite_stream &os) {
      os << seqc::emitCHeader(entryPoints, headerGuard());
      return success();
    });

  Stage mlirStage = std::min(emitStage.getValue(), Stage::LLVMDialect);
  if (failed(lowerTo(*module, mlirStage)))
    return failure();
  if (emitStage <= Stage::LLVMDialect)
    return writeOutput([&](raw_pwrite_stream &os) {
      module->print(os);
      return success();
    });

  seqc::CPUTargetOptions targetOptions;
  targetOptions.cpu = cpuName;
  targetOptions.optLevel = optLevel;
  auto machine = seqc::createCPUTargetMachine(targetOptions);
  if (!machine)
    return reportError(machine.takeError());
  progress("translating to LLVM IR (-O" + Twine(optLevel) + ", cpu " +
           (*machine)->getTargetCPU() + ")");
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      seqc::translateToLLVMIR(*module, llvmContext, **machine, optLevel);
  if (!llvmModule)
    return reportError(llvmModule.takeError());
  if (Error err = seqc::emitEntryPointTables(**llvmModule, entryPoints))
    return reportError(std::move(err));
  // Only the ABI (seqc_*) is exported; kernels and helpers stay internal.
  for (GlobalValue &gv : (*llvmModule)->global_values())
    if (!gv.isDeclaration() && !gv.hasLocalLinkage() &&
        !gv.getName().starts_with("seqc_fn_"))
      gv.setVisibility(GlobalValue::HiddenVisibility);

  if (emitStage == Stage::LLVMIR)
    return writeOutput([&](raw_pwrite_stream &os) {
      (*llvmModule)->print(os, nullptr);
      return success();
    });
  if (emitStage == Stage::Asm || emitStage == Stage::Obj)
    return writeOutput([&](raw_pwrite_stream &os) -> LogicalResult {
      if (Error err = seqc::emitMachineCode(**llvmModule, **machine, os,
                                            emitStage == Stage::Asm))
        return reportError(std::move(err));
      return success();
    });

  // A shared library: object to a temporary file, link into a temporary
  // beside the output, then rename, so a failure leaves nothing behind.
  SmallString<128> objectPath;
  int objectFd;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("seqc", "o", objectFd, objectPath))
    return reportError(errorCodeToError(ec));
  FileRemover removeObject(objectPath);
  {
    raw_fd_ostream objectStream(objectFd, /*shouldClose=*/true);
    progress("emitting object code");
    if (Error err = seqc::emitMachineCode(**llvmModule, **machine,
                                          objectStream, /*assembly=*/false))
      return reportError(std::move(err));
  }
  SmallString<128> tempLibrary(outputFilename.getValue());
  tempLibrary += ".seqc-tmp";
  FileRemover removeTempLibrary(tempLibrary);
  progress("linking " + outputFilename);
  if (Error err = seqc::linkSharedLibrary(objectPath, tempLibrary))
    return reportError(std::move(err));
  std::string header = headerPath();
  if (!header.empty()) {
    progress("writing " + header);
    std::string error;
    auto out = openOutputFile(header, &error);
    if (!out) {
      errs() << "seqc: error: " << error << "\n";
      return failure();
    }
    out->os() << seqc::emitCHeader(entryPoints, headerGuard());
    if (std::error_code ec = sys::fs::rename(tempLibrary, outputFilename))
      return reportError(createFileError(outputFilename, ec));
    out->keep();
    return success();
  }
  if (std::error_code ec = sys::fs::rename(tempLibrary, outputFilename))
    return reportError(createFileError(outputFilename, ec));
  return success();
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::HideUnrelatedOptions({&seqcCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "seqc: compile seq IR into a shared library (or any stage on the way)\n"
      "\n"
      "  seqc model.mlir -o libmodel.so\n"
      "  seqc model.mlir --emit=linalg          # IR after the seq lowering\n"
      "  seqc model.mlir --emit=llvm -O3 --cpu=x86-64-v4\n"
      "\n"
      "MLIR's debugging flags (--mlir-print-ir-after-all, --mlir-timing, ...)\n"
      "are listed by --help-hidden.\n");

  seqc::registerAllPasses();
  DialectRegistry registry;
  seqc::registerAllDialects(registry);
  registerAllToLLVMIRTranslations(registry);
  MLIRContext context(registry);
  // Diagnostics name the op and its location; dumping the op (often a whole
  // function) after every message only buries it.
  context.printOpOnDiagnostic(false);
  return failed(compile(context)) ? 1 : 0;
}
