//===- ModelLibrary.cpp - a model library the driver has just built -------===//

#include "ModelLibrary.h"

#include <dlfcn.h>

using namespace seqc;

llvm::Expected<std::unique_ptr<ModelLibrary>>
ModelLibrary::load(llvm::StringRef path, llvm::StringRef purpose) {
  std::string library = path.str();
  if (library.find('/') == std::string::npos)
    library = "./" + library; // dlopen searches the path otherwise
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return llvm::createStringError(
        purpose + ": cannot load the library just built (" +
        std::string(dlerror()) + "); was it compiled for another CPU?");
  std::unique_ptr<ModelLibrary> lib(new ModelLibrary());
  lib->handle = handle;
  auto bind = [&](auto &function, const char *name) {
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(
        dlsym(handle, name));
    return function != nullptr;
  };
  const seqc_model_info *(*info)() = nullptr;
  bool complete =
      bind(info, "seqc_get_model_info") &&
      bind(lib->createModel, "seqc_model_create") &&
      bind(lib->destroy, "seqc_model_destroy") &&
      bind(lib->forward, "seqc_model_forward") &&
      bind(lib->reset, "seqc_model_reset") &&
      bind(lib->saveWeights, "seqc_model_save_weights") &&
      bind(lib->stateBytes, "seqc_model_state_bytes") &&
      bind(lib->saveState, "seqc_model_save_state") &&
      bind(lib->lastErrorText, "seqc_last_error");
  lib->modelInfo = complete ? info() : nullptr;
  if (!lib->modelInfo)
    return llvm::createStringError(
        purpose + " needs a model (a .json description or a Hugging Face "
                  "directory), not IR");
  return lib;
}

ModelLibrary::~ModelLibrary() {
  if (handle)
    dlclose(handle);
}

llvm::Expected<seqc_model *> ModelLibrary::create(llvm::StringRef weightsPath) {
  seqc_model *model = nullptr;
  std::string weights = weightsPath.str();
  if (createModel(weights.c_str(), 1, &model) != SEQC_OK)
    return lastError();
  return model;
}

llvm::Error ModelLibrary::lastError() const {
  return llvm::createStringError(lastErrorText());
}
