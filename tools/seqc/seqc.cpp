//===- seqc.cpp - the seqc compiler driver -------------------------------===//
//
// seq IR in; a shared library, an object file, assembly, LLVM IR or the IR
// after any of seqc's stages out. This file is only the command line: the
// compilation is lib/Driver (shared with the Python module), its pipelines
// lib/Pipelines (shared with seq-opt). On any failure no output file is left
// behind.
//
//===----------------------------------------------------------------------===//

#include "seqc/Driver/Compiler.h"
#include "seqc/Pipelines/Pipelines.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir;

static cl::OptionCategory seqcCategory("seqc options");

static cl::opt<std::string> inputFilename(
    cl::Positional,
    cl::desc("<input: a .mlir file, a model description .json, or a Hugging "
             "Face model directory>"),
                                          cl::init("-"),
                                          cl::cat(seqcCategory));
static cl::opt<std::string>
    outputFilename("o", cl::desc("Output file ('-' for stdout; required for "
                                 "--emit=obj and --emit=so)"),
                   cl::value_desc("path"), cl::init(""),
                   cl::cat(seqcCategory));
static cl::opt<seqc::OutputKind> emitStage(
    "emit", cl::desc("What to produce (default: so)"), cl::init(seqc::OutputKind::SharedLib),
    cl::values(clEnumValN(seqc::OutputKind::MLIR, "mlir", "the parsed, verified input"),
               clEnumValN(seqc::OutputKind::Linalg, "linalg",
                          "after the seq lowering (linalg/scf on tensors)"),
               clEnumValN(seqc::OutputKind::LLVMDialect, "llvm-dialect",
                          "the MLIR LLVM dialect"),
               clEnumValN(seqc::OutputKind::Header, "header",
                          "the C header declaring the entry points"),
               clEnumValN(seqc::OutputKind::LLVMIR, "llvm", "optimized LLVM IR"),
               clEnumValN(seqc::OutputKind::Asm, "asm", "assembly"),
               clEnumValN(seqc::OutputKind::Obj, "obj", "an object file"),
               clEnumValN(seqc::OutputKind::SharedLib, "so", "a shared library"),
               clEnumValN(seqc::OutputKind::GPU, "gpu",
                          "--target=cuda: host functions on GPU buffers "
                          "launching the outlined kernels"),
               clEnumValN(seqc::OutputKind::PTX, "ptx",
                          "--target=cuda: the kernels' PTX")),
    cl::cat(seqcCategory));
static cl::opt<seqc::TargetKind> targetKind(
    "target", cl::desc("Target (default: cpu)"),
    cl::init(seqc::TargetKind::CPU),
    cl::values(clEnumValN(seqc::TargetKind::CPU, "cpu", "host CPU"),
               clEnumValN(seqc::TargetKind::CUDA, "cuda",
                          "NVIDIA GPUs: kernels embedded in a library that "
                          "loads the CUDA driver when called (docs/cuda.md)")),
    cl::cat(seqcCategory));
static cl::opt<std::string> gpuArch(
    "gpu-arch",
    cl::desc("With --target=cuda: the GPU to assemble the kernels for, "
             "sm_80 (default), sm_86, sm_89, sm_90 or sm_90a; the PTX is "
             "embedded too, for the driver to compile for newer GPUs"),
    cl::init("sm_80"), cl::cat(seqcCategory));
static cl::opt<bool> cudaEmulateOnHost(
    "cuda-emulate-on-host",
    cl::desc("With --target=cuda: run the kernels and GPU buffers on the "
             "host instead (a CPU library for testing the CUDA lowering "
             "without a GPU)"),
    cl::init(false), cl::cat(seqcCategory));
static cl::opt<std::string> cudaPath(
    "cuda-path",
    cl::desc("With --target=cuda: the CUDA toolkit (ptxas, fatbinary, "
             "libdevice); default: $CUDA_HOME, $CUDA_PATH, /usr/local/cuda "
             "or where ptxas is on $PATH"),
    cl::value_desc("dir"), cl::init(""), cl::cat(seqcCategory));
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
static cl::opt<bool> referenceOnly(
    "reference",
    cl::desc("Use only the reference lowerings (the oracle of the fast ones) "
             "at any -O level"),
    cl::init(false), cl::cat(seqcCategory));
static cl::opt<std::string> headerFilename(
    "header",
    cl::desc("With --emit=so, where to write the C header (default: the "
             "output path with .h in place of .so; 'none' to skip)"),
    cl::value_desc("path"), cl::init(""), cl::cat(seqcCategory));
static cl::opt<int64_t> maxContext(
    "max-context",
    cl::desc("For a model description: the longest sequence an instance "
             "holds (its KV cache length); default: the description's"),
    cl::init(0), cl::cat(seqcCategory));
static cl::opt<std::string> quantize(
    "quantize",
    cl::desc("For a model description: quantization of the projections, "
             "none, w8 (int8 weights, one scale per output channel), w4 "
             "(int4 weights in groups), w8a8 (int8 weights and int8 "
             "activations, one scale per token), llm-int8 (w8a8 with "
             "outlier input columns kept in f32), int8-ssm (w8a8, and the "
             "Mamba scans' inputs int8 with static scales from --calib) or "
             "bf16 (bf16 weights and inputs, f32 sums); the library converts "
             "float weights as it loads them (docs/quantization.md)"),
    cl::value_desc("scheme"), cl::init("none"), cl::cat(seqcCategory));
static cl::opt<int64_t> quantGroup(
    "quant-group",
    cl::desc("Inputs per quantization scale: a multiple of 16 for w8 "
             "(default 0, per output channel), of 32 for w4 (default 64)"),
    cl::init(0), cl::cat(seqcCategory));
static cl::opt<bool> quantZeroPoint(
    "quant-zero-point",
    cl::desc("With --quantize=w8 or w4: asymmetric weights, an int8 zero "
             "point beside each scale (each group's [min, max] spans the "
             "integers)"),
    cl::init(false), cl::cat(seqcCategory));
static cl::opt<double> outlierThreshold(
    "outlier-threshold",
    cl::desc("With --quantize=llm-int8: input columns in which any token "
             "reaches this magnitude stay f32 (default 6)"),
    cl::init(0), cl::cat(seqcCategory));
static cl::opt<std::string> calibrationTokens(
    "calib",
    cl::desc("With --quantize=int8-ssm: token ids (.npy of int32 or int64, "
             "[length] or [rows, length]) to run the float model on, with "
             "--weights, to fix the static scales"),
    cl::value_desc("tokens.npy"), cl::init(""), cl::cat(seqcCategory));
static cl::opt<double> calibrationPercentile(
    "calib-percentile",
    cl::desc("With --calib: the percentile of |x| at which the scans' x "
             "inputs are clipped (default 99.999; dt, B and C use their "
             "maximum)"),
    cl::init(99.999), cl::cat(seqcCategory));
static cl::opt<std::string> weightsInput(
    "weights",
    cl::desc("With --save-weights or --calib: the model's weights "
             "(safetensors)"),
    cl::value_desc("path"), cl::init(""), cl::cat(seqcCategory));
static cl::opt<std::string> saveWeights(
    "save-weights",
    cl::desc("After building a model library: load --weights through it and "
             "write them as it holds them (quantized with --quantize) to this "
             "safetensors file, which the library then reads as is"),
    cl::value_desc("path"), cl::init(""), cl::cat(seqcCategory));
static cl::opt<bool> verbose("v", cl::desc("Print each stage as it runs"),
                             cl::init(false), cl::cat(seqcCategory));

/// The header beside a library: --header, or the output with .h for .so.
static std::string headerPath() {
  if (headerFilename == "none")
    return "";
  if (!headerFilename.empty())
    return headerFilename;
  // None beside a device (-o /dev/null checks that a library builds).
  if (seqc::isSpecialFile(outputFilename))
    return "";
  SmallString<128> path(outputFilename.getValue());
  sys::path::replace_extension(path, ".h");
  return std::string(path);
}

static LogicalResult compile(MLIRContext &context) {
  seqc::CompileOptions options;
  options.emit = emitStage;
  options.target = targetKind;
  options.gpuArch = gpuArch;
  options.cudaPath = cudaPath;
  options.gpuEmulateOnHost = cudaEmulateOnHost;
  options.cpu = cpuName;
  options.optLevel = optLevel;
  options.runtimeChecks = runtimeChecks;
  options.referenceOnly = referenceOnly;
  if (printPipeline) {
    auto pipelineOptions = seqc::getPipelineOptions(options);
    if (!pipelineOptions) {
      errs() << "seqc: error: " << toString(pipelineOptions.takeError())
             << "\n";
      return failure();
    }
    outs() << "builtin.module(" << seqc::getSeqToLinalgPipeline(*pipelineOptions)
           << ",";
    if (targetKind == seqc::TargetKind::CUDA)
      outs() << seqc::getCudaKernelsPipeline(*pipelineOptions) << ","
             << seqc::getCudaToLLVMPipeline(*pipelineOptions);
    else
      outs() << seqc::getCpuToLLVMPipeline(*pipelineOptions);
    outs() << ")\n";
    return success();
  }
  bool toFile = !outputFilename.empty() && outputFilename != "-";
  if (options.emit == seqc::OutputKind::SharedLib && toFile)
    options.headerPath = headerPath();
  if (toFile)
    options.libraryName = sys::path::stem(outputFilename).str();
  options.onError = [](const std::string &message) {
    errs() << "seqc: error: " << message << "\n";
  };
  if (verbose)
    options.onProgress = [](const std::string &message) {
      errs() << "seqc: " << message << "\n";
    };
  options.inputPaths = {inputFilename, weightsInput, calibrationTokens};
  // Their defaults can't be told from a given value in CompileOptions.
  for (cl::Option *cudaOnly : {static_cast<cl::Option *>(&gpuArch),
                               static_cast<cl::Option *>(&cudaPath)})
    if (cudaOnly->getNumOccurrences() && targetKind != seqc::TargetKind::CUDA) {
      errs() << "seqc: error: --" << cudaOnly->ArgStr
             << " needs --target=cuda\n";
      return failure();
    }
  // Refuse bad options before reading the input.
  if (failed(seqc::checkOptions(options, outputFilename)) ||
      (!saveWeights.empty() &&
       failed(seqc::checkNotAnInput(options, saveWeights, "--save-weights"))))
    return failure();

  if (!saveWeights.empty() &&
      (weightsInput.empty() || options.emit != seqc::OutputKind::SharedLib ||
       !toFile)) {
    errs() << "seqc: error: --save-weights needs --weights=PATH and a "
              "library output (-o lib.so)\n";
    return failure();
  }
  if (!weightsInput.empty() && saveWeights.empty() &&
      calibrationTokens.empty()) {
    errs() << "seqc: error: --weights is only read with --save-weights or "
              "--calib (a library loads its weights when an instance is "
              "created)\n";
    return failure();
  }
  if (calibrationPercentile.getNumOccurrences() && calibrationTokens.empty()) {
    errs() << "seqc: error: --calib-percentile needs --calib (it sets how "
              "calibration clips)\n";
    return failure();
  }
  // 0 is the unset default; given explicitly it is refused like any size
  // out of range (as Python's max_context=0 is).
  if ((maxContext.getNumOccurrences() && maxContext < 1) || maxContext < 0 ||
      maxContext > seqc::kMaxModelContext) {
    errs() << "seqc: error: --max-context must be in [1, "
           << seqc::kMaxModelContext << "], got " << maxContext << "\n";
    return failure();
  }
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  if (verbose)
    errs() << "seqc: reading " << inputFilename << "\n";
  seqc::InputOptions inputOptions;
  inputOptions.maxContext = maxContext;
  inputOptions.quantize = quantize;
  inputOptions.quantGroup = quantGroup;
  inputOptions.quantZeroPoints = quantZeroPoint;
  inputOptions.outlierThreshold = outlierThreshold;
  inputOptions.calibrationTokens = calibrationTokens;
  inputOptions.calibrationPercentile = calibrationPercentile;
  inputOptions.weights = weightsInput;
  inputOptions.calibrationBuild = options;
  OwningOpRef<ModuleOp> module = seqc::loadInput(
      inputFilename, context, sourceMgr, inputOptions, options.onError);
  if (!module)
    return failure();
  if (failed(seqc::compile(*module, options,
                           outputFilename.empty() ? std::string("-")
                                                  : outputFilename.getValue())))
    return failure();
  if (saveWeights.empty())
    return success();
  if (verbose)
    errs() << "seqc: writing the weights of " << outputFilename << " to "
           << saveWeights << "\n";
  if (llvm::Error error = seqc::saveLibraryWeights(outputFilename, weightsInput,
                                                   saveWeights)) {
    errs() << "seqc: error: " << toString(std::move(error)) << "\n";
    // All or nothing: the library goes with the weights it was asked for.
    sys::fs::remove(outputFilename);
    if (!options.headerPath.empty())
      sys::fs::remove(options.headerPath);
    return failure();
  }
  return success();
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions({&seqcCategory});
  // HideUnrelatedOptions hides MLIR's flags even from --help-hidden, which
  // the help text points to; list them there.
  for (auto &[name, option] : cl::getRegisteredOptions())
    if (name.starts_with("mlir-"))
      option->setHiddenFlag(cl::Hidden);
  cl::ParseCommandLineOptions(
      argc, argv,
      "seqc: compile seq IR or a model into a shared library (or any stage "
      "on the way)\n"
      "\n"
      "  seqc model.mlir -o libmodel.so\n"
      "  seqc model.json -o libmodel.so       # docs/models.md\n"
      "  seqc path/to/hf-llama-dir -o libllama.so\n"
      "  seqc model.mlir --emit=linalg          # IR after the seq lowering\n"
      "  seqc model.mlir --emit=llvm -O3 --cpu=x86-64-v4\n"
      "  seqc ops.mlir --target=cuda --gpu-arch=sm_90 -o libops.so\n"
      "  seqc ops.mlir --target=cuda --emit=ptx   # the kernels' PTX\n"
      "\n"
      "MLIR's debugging flags (--mlir-print-ir-after-all, --mlir-timing, ...)\n"
      "are listed by --help-hidden.\n");

  DialectRegistry registry;
  seqc::registerCompilerDependencies(registry);
  MLIRContext context(registry);
  // Diagnostics name the op and its location; dumping the op (often a whole
  // function) after every message only buries it.
  context.printOpOnDiagnostic(false);
  return failed(compile(context)) ? 1 : 0;
}
