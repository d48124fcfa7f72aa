//===- Input.cpp - what seqc compiles: IR, or a model description --------===//

#include "seqc/Driver/Compiler.h"

#include "seqc/Frontend/ModelBuilder.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

using namespace mlir;
using namespace seqc;

llvm::Error seqc::parseQuantization(const InputOptions &options, int &bits,
                                    int64_t &group, bool &activations) {
  StringRef scheme = options.quantize;
  group = options.quantGroup;
  activations = scheme == "w8a8";
  if (scheme.empty() || scheme == "none")
    bits = 0;
  else if (scheme == "w8" || scheme == "w8a8")
    bits = 8;
  else if (scheme == "w4")
    bits = 4;
  else if (scheme == "int8-ssm")
    return llvm::createStringError(
        "--quantize=int8-ssm is not implemented yet; seqc quantizes "
        "projections (w8, w4, w8a8)");
  else
    return llvm::createStringError(
        "--quantize must be none, w8, w4 or w8a8, got '" + scheme + "'");
  // The integer kernel takes one weight scale per output channel.
  if (activations && group != 0)
    return llvm::createStringError(
        "--quant-group does not apply to w8a8 (one scale per output channel "
        "and per token)");
  if (bits == 0) {
    if (group != 0)
      return llvm::createStringError("--quant-group needs --quantize");
    return llvm::Error::success();
  }
  // The vector kernels convert 16 stored bytes at a time within a group.
  int64_t multiple = bits == 4 ? 32 : 16;
  if (bits == 4 && group == 0)
    group = 64;
  if (group < 0 || group % multiple != 0 || group > (int64_t(1) << 20))
    return llvm::createStringError(
        "--quant-group for " + scheme + " must be a multiple of " +
        std::to_string(multiple) + (bits == 8 ? " (or 0: per channel)" : "") +
        ", got " + std::to_string(group));
  return llvm::Error::success();
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
    if (inputOptions.maxContext > 0)
      spec->maxContext = inputOptions.maxContext;
    if (llvm::Error error =
            parseQuantization(inputOptions, spec->quantBits, spec->quantGroup,
                              spec->quantActivations)) {
      onError(llvm::toString(std::move(error)));
      return nullptr;
    }
    return buildModel(*spec, context);
  }
  if (!inputOptions.quantize.empty() && inputOptions.quantize != "none") {
    onError("--quantize applies to model descriptions (a .json file or a "
            "Hugging Face directory), not to IR");
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
