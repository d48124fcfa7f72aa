//===- ModelTables.h - the model table of a model library -------*- C++ -*-===//
//
// A module built from a model description carries a `seqc.model` attribute
// (lib/Frontend/ModelBuilder.cpp): the packed weights' names, shapes and
// offsets, and the state size. This file checks it against the module's
// @forward and @step entry points, and emits it as __seqc_model, the
// seqc_model_info that the runtime's model API (seqc_model_*) reads.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TARGET_MODELTABLES_H
#define SEQC_TARGET_MODELTABLES_H

#include "seqc/Target/EntryPoints.h"

#include <optional>

namespace seqc {

/// A weight or a piece of state (mirrors seqc_model_tensor_info).
struct ModelTensor {
  std::string name;
  llvm::SmallVector<int64_t> shape;
  int64_t offset = 0;
  /// A quantized weight (bits 8 or 4): `offset` is in bytes of the packed
  /// quantized weights, its scales [shape[0], shape[1] / groupSize] are f32
  /// at `scaleOffset` in the packed weights.
  int32_t bits = 0;
  int64_t groupSize = 0, scaleOffset = 0;
  /// The Hadamard block its rows are rotated by before quantizing (0: none).
  int64_t rotation = 0;
  /// Its i8 zero points' offset in the quantized weights (-1: symmetric).
  int64_t zeroOffset = -1;
};

/// Mirrors seqc_model_info.
struct ModelInfo {
  std::string name, architecture;
  int64_t vocabSize = 0, maxContext = 0, weightsSize = 0, stateSize = 0;
  /// Bytes of the packed quantized weights (0: none, and no such argument).
  int64_t qweightsSize = 0;
  /// Floats per position of a model that reads feature vectors (0: it
  /// reads token ids).
  int64_t inputDim = 0;
  std::vector<ModelTensor> weights, states;
  int32_t forwardFunction = -1, stepFunction = -1;
};

/// The model of `module` (std::nullopt when it has no `seqc.model`
/// attribute); an error when the attribute is malformed or the entry
/// points do not have the signatures of a model.
mlir::FailureOr<std::optional<ModelInfo>>
readModelInfo(mlir::ModuleOp module, llvm::ArrayRef<EntryPoint> entryPoints);

/// Adds __seqc_model: a pointer to the model's seqc_model_info, or null.
void emitModelTable(llvm::Module &module, const std::optional<ModelInfo> &model);

} // namespace seqc

#endif // SEQC_TARGET_MODELTABLES_H
