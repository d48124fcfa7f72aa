//===- Input.cpp - what seqc compiles: IR, or a model description --------===//

#include "seqc/Driver/Compiler.h"

#include "seqc/Frontend/ModelBuilder.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

using namespace mlir;
using namespace seqc;

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
    return buildModel(*spec, context);
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
