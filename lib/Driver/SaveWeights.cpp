//===- SaveWeights.cpp - seqc --save-weights: a library's packed weights --===//
//
// A model library holds the only code that packs (and, with --quantize,
// quantizes) its weights: the driver loads the library it has just linked,
// creates an instance from the given weights and asks it to write them
// back, so that the file matches exactly what the library reads.
//
//===----------------------------------------------------------------------===//

#include "ModelLibrary.h"
#include "seqc/Driver/Compiler.h"

using namespace seqc;

llvm::Error seqc::saveLibraryWeights(llvm::StringRef libraryPath,
                                     llvm::StringRef weightsPath,
                                     llvm::StringRef outputPath) {
  auto library = ModelLibrary::load(libraryPath, "--save-weights");
  if (!library)
    return library.takeError();
  llvm::Expected<seqc_model *> model = (*library)->create(weightsPath);
  if (!model)
    return model.takeError();
  std::string output = outputPath.str();
  llvm::Error result = (*library)->saveWeights(*model, output.c_str()) == SEQC_OK
                           ? llvm::Error::success()
                           : (*library)->lastError();
  (*library)->destroy(*model);
  return result;
}
