//===- Compiler.h - seqc's compilation, as a library ------------*- C++ -*-===//
//
// What the seqc tool and the Python module share: from a parsed module to
// any output stage, with the same pipelines and the same guarantees (no
// partial output on failure).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DRIVER_COMPILER_H
#define SEQC_DRIVER_COMPILER_H

#include "seqc/Frontend/ModelDescription.h"
#include "seqc/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SourceMgr.h"

#include <functional>
#include <string>
#include <vector>

namespace seqc {

enum class OutputKind {
  MLIR,        // the parsed, verified input
  Linalg,      // after the seq lowering
  LLVMDialect, // the MLIR LLVM dialect
  Header,      // the C header of the entry points
  LLVMIR,      // optimized LLVM IR
  Asm,
  Obj,
  SharedLib,
  GPU, // --target=cuda: host functions launching outlined kernels
  PTX  // --target=cuda: the kernels' PTX
};

enum class TargetKind { CPU, CUDA };

struct CompileOptions {
  OutputKind emit = OutputKind::SharedLib;
  TargetKind target = TargetKind::CPU;
  /// --target=cuda: the GPU architecture (sm_80, sm_86, sm_89, sm_90,
  /// sm_90a) and the CUDA toolkit's directory ("" to search for one).
  std::string gpuArch = "sm_80";
  std::string cudaPath;
  /// --target=cuda's lowering with its launches and buffers run on the
  /// host: a CPU library that tests the GPU mapping without a GPU.
  bool gpuEmulateOnHost = false;
  /// LLVM CPU name or "native" (with --target=cuda, of the host code).
  std::string cpu = "native";
  unsigned optLevel = 2;
  /// Bounds-check memory accesses at run time (tests).
  bool runtimeChecks = false;
  /// Only the reference lowerings (the oracle the fast ones are tested
  /// against), whatever the optimization level.
  bool referenceOnly = false;
  /// With SharedLib: where to write the C header ("" for none).
  std::string headerPath;
  /// The seqc runtime archive to link into libraries ("" for the one this
  /// build of seqc made).
  std::string runtimeLibrary;
  /// The header's include guard stem.
  std::string libraryName = "seqc_library";
  /// Files the compilation reads (the input, weights, calibration tokens):
  /// checkOptions refuses an output that is one of them.
  std::vector<std::string> inputPaths;
  /// Called with a message for every error outside MLIR's diagnostics.
  std::function<void(const std::string &)> onError;
  /// Called before each stage when set.
  std::function<void(const std::string &)> onProgress;
};

/// Every dialect, extension and LLVM IR translation seqc uses; registers all
/// passes and pipelines globally (once).
void registerCompilerDependencies(mlir::DialectRegistry &registry);

/// Checks `options` against each other and `outputPath` (the level, an
/// output path for binaries, a header that would overwrite the library),
/// reporting through `options.onError`. compile() calls it too; a tool calls
/// it first to refuse bad options before reading any input.
mlir::LogicalResult checkOptions(const CompileOptions &options,
                                 llvm::StringRef outputPath);

/// Refuses, through `options.onError`, an output `path` that is one of
/// `options.inputPaths`; `what` names the output in the message ("the
/// output", "--save-weights"). checkOptions checks the library and header.
mlir::LogicalResult checkNotAnInput(const CompileOptions &options,
                                    llvm::StringRef path, llvm::StringRef what);

/// Whether `path` exists and is neither a regular file nor a directory: a
/// device or a FIFO, which compile() writes in place rather than replacing.
bool isSpecialFile(llvm::StringRef path);

/// The options of the pipelines for `options` (the vector width of
/// `options.cpu`); an error names an unknown CPU.
llvm::Expected<PipelineOptions>
getPipelineOptions(const CompileOptions &options);

/// Compiles `module` to `options.emit`, writing `outputPath` ("-" is stdout
/// for text outputs). MLIR errors go through the context's diagnostic
/// handler, others to `options.onError`. On failure nothing is written.
mlir::LogicalResult compile(mlir::ModuleOp module,
                            const CompileOptions &options,
                            llvm::StringRef outputPath);

/// Options of a model description input.
struct InputOptions {
  /// Overrides the description's max_context when > 0.
  int64_t maxContext = 0;
  /// Quantization of the projections: "" or "none", "w8", "w4", "w8a8",
  /// "llm-int8", "int8-ssm".
  std::string quantize;
  /// Inputs per scale; 0: the default (per channel for w8, 64 for w4).
  int64_t quantGroup = 0;
  /// Asymmetric weights (w8, w4): a zero point beside each scale.
  bool quantZeroPoints = false;
  /// LLM.int8()'s outlier threshold for "llm-int8" (0: its default, 6).
  double outlierThreshold = 0;
  /// "int8-ssm" calibration: token ids (.npy) run through the float model
  /// with the weights at `weights`; the x inputs of the scans are clipped
  /// at this percentile of their magnitudes (dt, B and C at their maximum).
  std::string calibrationTokens, weights;
  double calibrationPercentile = 99.999;
  /// How the calibration's float library is built (its runtime library,
  /// onError and onProgress; it is always built for this machine's CPU).
  CompileOptions calibrationBuild;
};

/// --quantize=int8-ssm: builds `spec` as a float model that records the
/// inputs of its scans, runs it on `options.calibrationTokens` and sets
/// `spec.ssmScales` from what it saw (docs/quantization.md).
llvm::Error calibrateSsmScales(ModelSpec &spec, const InputOptions &options,
                               mlir::MLIRContext &context);

/// Loads the model library at `libraryPath`, creates an instance from the
/// safetensors file `weightsPath` and writes its weights (quantized as the
/// library quantizes them) to `outputPath` (seqc --save-weights).
llvm::Error saveLibraryWeights(llvm::StringRef libraryPath,
                               llvm::StringRef weightsPath,
                               llvm::StringRef outputPath);

/// Checks the quantization options and sets the model's quantization
/// fields (quantBits, quantGroup, quantActivations, outlierThreshold).
llvm::Error parseQuantization(const InputOptions &options, ModelSpec &spec);

/// Reads `path`: a model description (a directory with a Hugging Face
/// config.json, or a .json file; see docs/models.md), built into IR, or a
/// file of IR ("-" for stdin). Parse diagnostics go through `sourceMgr`'s
/// handler (the caller installs one); other errors to `onError`. Null on
/// failure.
mlir::OwningOpRef<mlir::ModuleOp>
loadInput(llvm::StringRef path, mlir::MLIRContext &context,
          llvm::SourceMgr &sourceMgr, const InputOptions &inputOptions,
          const std::function<void(const std::string &)> &onError);

/// Runs a textual pass pipeline (as seq-opt takes it, without the
/// builtin.module anchor) on `module`.
mlir::LogicalResult runPipeline(mlir::ModuleOp module,
                                llvm::StringRef pipeline,
                                const CompileOptions &options);

} // namespace seqc

#endif // SEQC_DRIVER_COMPILER_H
