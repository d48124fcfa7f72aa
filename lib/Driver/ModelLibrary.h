//===- ModelLibrary.h - a model library the driver has just built -*- C++ -*-===//
//
// The driver runs a model library it built in two places: --save-weights
// (the library packs and quantizes its own weights) and calibration (the
// float model run on calibration tokens). Both load it here, through the
// runtime's C API.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_DRIVER_MODELLIBRARY_H
#define SEQC_LIB_DRIVER_MODELLIBRARY_H

#include "seqc-runtime/seqc_runtime.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace seqc {

class ModelLibrary {
public:
  /// Loads the library at `path`; `purpose` ("--save-weights") starts the
  /// errors. A library compiled from IR (no model API) is an error.
  static llvm::Expected<std::unique_ptr<ModelLibrary>>
  load(llvm::StringRef path, llvm::StringRef purpose);
  ~ModelLibrary();

  const seqc_model_info &info() const { return *modelInfo; }
  /// An instance for one sequence of the weights at `weightsPath`.
  llvm::Expected<seqc_model *> create(llvm::StringRef weightsPath);
  /// The runtime's message for the last failed call.
  llvm::Error lastError() const;

  seqc_status (*forward)(seqc_model *, const int32_t *, int64_t, float *) =
      nullptr;
  seqc_status (*reset)(seqc_model *) = nullptr;
  seqc_status (*saveWeights)(const seqc_model *, const char *) = nullptr;
  uint64_t (*stateBytes)(const seqc_model *) = nullptr;
  seqc_status (*saveState)(const seqc_model *, void *, uint64_t) = nullptr;
  void (*destroy)(seqc_model *) = nullptr;

private:
  ModelLibrary() = default;
  void *handle = nullptr;
  const seqc_model_info *modelInfo = nullptr;
  seqc_status (*createModel)(const char *, int64_t, seqc_model **) = nullptr;
  const char *(*lastErrorText)() = nullptr;
};

} // namespace seqc

#endif // SEQC_LIB_DRIVER_MODELLIBRARY_H
