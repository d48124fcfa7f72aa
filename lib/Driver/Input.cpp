//===- Input.cpp - what seqc compiles: IR, or a model description --------===//

#include "seqc/Driver/Compiler.h"

#include "seqc/Frontend/ModelBuilder.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

using namespace mlir;
using namespace seqc;

llvm::Error seqc::parseQuantization(const InputOptions &options,
                                    ModelSpec &spec) {
  StringRef scheme = options.quantize;
  int64_t group = options.quantGroup;
  bool llmInt8 = scheme == "llm-int8", int8Ssm = scheme == "int8-ssm";
  bool activations = scheme == "w8a8" || llmInt8 || int8Ssm;
  int bits;
  if (scheme.empty() || scheme == "none")
    bits = 0;
  else if (scheme == "w8" || activations)
    bits = 8;
  else if (scheme == "w4")
    bits = 4;
  else if (scheme == "bf16")
    bits = 16;
  else
    return llvm::createStringError(
        "--quantize must be none, w8, w4, w8a8, llm-int8, int8-ssm or bf16, "
        "got '" + scheme + "'");
  // The integer kernels of activations take symmetric weights.
  if (options.quantZeroPoints && scheme != "w8" && scheme != "w4")
    return llvm::createStringError(
        "--quant-zero-point applies to --quantize=w8 or w4 (weight-only), "
        "got '" + (scheme.empty() ? StringRef("none") : scheme) + "'");
  // Only int8-ssm has static scales to fix.
  if (!options.calibrationTokens.empty() && !int8Ssm)
    return llvm::createStringError(
        "--calib applies to --quantize=int8-ssm (the other schemes scale "
        "activations per token as they run)");
  double threshold = options.outlierThreshold;
  if (threshold != 0 && !llmInt8)
    return llvm::createStringError("--outlier-threshold needs "
                                   "--quantize=llm-int8");
  if (llmInt8 && !(threshold >= 0 && threshold <= 1e30))
    return llvm::createStringError(
        "--outlier-threshold must be a positive number, got " +
        std::to_string(threshold));
  if (bits == 0) {
    if (group != 0)
      return llvm::createStringError("--quant-group needs --quantize");
  } else if (bits == 16) {
    if (group != 0)
      return llvm::createStringError(
          "--quant-group does not apply to bf16 (no scales)");
  } else if (activations) {
    // The integer kernel takes one weight scale per output channel.
    if (group != 0)
      return llvm::createStringError(
          "--quant-group does not apply to " + scheme +
          " (one scale per output channel and per token)");
  } else {
    // The vector kernels convert 16 stored bytes at a time within a group.
    int64_t multiple = bits == 4 ? 32 : 16;
    if (bits == 4 && group == 0)
      group = 64;
    if (group < 0 || group % multiple != 0 || group > (int64_t(1) << 20))
      return llvm::createStringError(
          "--quant-group for " + scheme + " must be a multiple of " +
          std::to_string(multiple) +
          (bits == 8 ? " (or 0: per channel)" : "") + ", got " +
          std::to_string(group));
  }
  spec.quantBits = bits;
  spec.quantGroup = group;
  spec.quantActivations = activations;
  spec.outlierThreshold = llmInt8 ? (threshold > 0 ? threshold : 6.0) : 0;
  if (int8Ssm && llvm::none_of(spec.blocks, [](const BlockSpec &block) {
        return block.mixer == MixerKind::Mamba ||
               block.mixer == MixerKind::Mamba2;
      }))
    return llvm::createStringError(
        "--quantize=int8-ssm quantizes the scans of Mamba and Mamba-2 "
        "blocks, and this model has none; use --quantize=w8a8");
  spec.int8Ssm = int8Ssm;
  spec.quantZeroPoints = options.quantZeroPoints;
  return llvm::Error::success();
}

/// The first option given that only a model description reads, or null:
/// IR has no context length or projections to quantize, and an option that
/// changes nothing is more likely a mistake than intended.
static const char *modelOnlyOption(const InputOptions &options) {
  if (!options.quantize.empty() && options.quantize != "none")
    return "--quantize";
  if (options.quantGroup != 0)
    return "--quant-group";
  if (options.quantZeroPoints)
    return "--quant-zero-point";
  if (options.outlierThreshold != 0)
    return "--outlier-threshold";
  if (!options.calibrationTokens.empty())
    return "--calib";
  if (options.maxContext != 0)
    return "--max-context";
  return nullptr;
}

OwningOpRef<ModuleOp>
seqc::loadInput(llvm::StringRef path, MLIRContext &context,
                llvm::SourceMgr &sourceMgr, const InputOptions &inputOptions,
                const std::function<void(const std::string &)> &onError) {
  if (path != "-" && isModelDescriptionPath(path)) {
    llvm::Expected<ModelSpec> spec = readModelDescription(path);
    if (!spec) {
      onError(llvm::toString(spec.takeError()));
      return nullptr;
    }
    if (inputOptions.maxContext > kMaxModelContext) {
      // seqc's --max-context is checked as it is parsed; this is for the
      // library API (Python's max_context).
      onError("max_context must be at most " +
              std::to_string(kMaxModelContext) + ", got " +
              std::to_string(inputOptions.maxContext));
      return nullptr;
    }
    if (inputOptions.maxContext > 0)
      spec->maxContext = inputOptions.maxContext;
    if (llvm::Error error = parseQuantization(inputOptions, *spec)) {
      onError(llvm::toString(std::move(error)));
      return nullptr;
    }
    if (spec->int8Ssm)
      if (llvm::Error error = calibrateSsmScales(*spec, inputOptions, context)) {
        onError(llvm::toString(std::move(error)));
        return nullptr;
      }
    return buildModel(*spec, context);
  }
  if (const char *option = modelOnlyOption(inputOptions)) {
    onError(std::string(option) +
            " applies to model descriptions (a .json file or a Hugging Face "
            "directory), not to IR");
    return nullptr;
  }
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(path, &error);
  if (!input) {
    onError(error);
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}
