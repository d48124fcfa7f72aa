//===- ModelBuilder.h - a ModelSpec as seq + upstream IR --------*- C++ -*-===//
//
// A model becomes two public functions, @forward (any number of new tokens)
// and @step (one token), both
//
//   (tokens [B, L] i32, position [1] i64, weights [W] f32, state [B, S] f32)
//       -> (logits [B, L, vocab] f32, next_state [B, S] f32)
//
// Every weight is a static slice of the packed `weights`, every piece of
// recurrent state (KV caches, conv and SSM states) a static column range of
// `state`; the module's `seqc.model` attribute records both layouts, which
// the runtime's model API (seqc_model_*) uses to pack a safetensors file
// and to carry the state between calls.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_FRONTEND_MODELBUILDER_H
#define SEQC_FRONTEND_MODELBUILDER_H

#include "seqc/Frontend/ModelDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace seqc {

/// The name of the module attribute that describes a model library.
inline constexpr llvm::StringLiteral kModelAttrName = "seqc.model";

/// The IR of `spec` as text (what buildModel parses).
std::string buildModelIR(const ModelSpec &spec);

/// Builds and verifies the module of `spec`, with its `seqc.model`
/// attribute; null (after a diagnostic) on failure.
mlir::OwningOpRef<mlir::ModuleOp> buildModel(const ModelSpec &spec,
                                             mlir::MLIRContext &context);

} // namespace seqc

#endif // SEQC_FRONTEND_MODELBUILDER_H
