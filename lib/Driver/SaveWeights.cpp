//===- SaveWeights.cpp - seqc --save-weights: a library's packed weights --===//
//
// A model library holds the only code that packs (and, with --quantize,
// quantizes) its weights: the driver loads the library it has just linked,
// creates an instance from the given weights and asks it to write them
// back, so that the file matches exactly what the library reads.
//
//===----------------------------------------------------------------------===//

#include "seqc/Driver/Compiler.h"

#include "seqc-runtime/seqc_runtime.h"

#include "llvm/Support/Error.h"

#include <dlfcn.h>

using namespace seqc;

llvm::Error seqc::saveLibraryWeights(llvm::StringRef libraryPath,
                                     llvm::StringRef weightsPath,
                                     llvm::StringRef outputPath) {
  std::string library = libraryPath.str();
  if (library.find('/') == std::string::npos)
    library = "./" + library; // dlopen searches the path otherwise
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return llvm::createStringError(
        "--save-weights: cannot load the library just built (" +
        std::string(dlerror()) + "); was it compiled for another CPU?");
  auto symbol = [&](const char *name) { return dlsym(handle, name); };
  auto create = reinterpret_cast<seqc_status (*)(const char *, int64_t,
                                                 seqc_model **)>(
      symbol("seqc_model_create"));
  auto save = reinterpret_cast<seqc_status (*)(const seqc_model *,
                                               const char *)>(
      symbol("seqc_model_save_weights"));
  auto destroy =
      reinterpret_cast<void (*)(seqc_model *)>(symbol("seqc_model_destroy"));
  auto lastError =
      reinterpret_cast<const char *(*)()>(symbol("seqc_last_error"));
  auto info = reinterpret_cast<const seqc_model_info *(*)()>(
      symbol("seqc_get_model_info"));
  llvm::Error result = llvm::Error::success();
  if (!create || !save || !destroy || !lastError || !info || !info()) {
    result = llvm::createStringError(
        "--save-weights needs a model (a .json description or a Hugging "
        "Face directory), not IR");
  } else {
    seqc_model *model = nullptr;
    std::string weights = weightsPath.str(), output = outputPath.str();
    if (create(weights.c_str(), 1, &model) != SEQC_OK ||
        save(model, output.c_str()) != SEQC_OK)
      result = llvm::createStringError(lastError());
    destroy(model);
  }
  dlclose(handle);
  return result;
}
