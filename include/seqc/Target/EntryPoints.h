//===- EntryPoints.h - the C ABI of a compiled module -----------*- C++ -*-===//
//
// Every public function of a compiled module becomes an entry point of the
// seqc runtime ABI (include/seqc-runtime/seqc_runtime.h). This file
// describes those entry points (argument dtypes, ranks, static sizes and the
// sizes that must agree between arguments), derives them from the module
// before it is lowered, and emits them: as tables and wrapper functions in
// the LLVM module, and as a C header.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TARGET_ENTRYPOINTS_H
#define SEQC_TARGET_ENTRYPOINTS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace seqc {

/// One dimension: a static size (>= 0) or -1, and the symbol shared by the
/// dimensions that must be equal (-1 for none). Mirrors seqc_dim.
struct DimSignature {
  int64_t size = -1;
  int32_t symbol = -1;
};

/// Mirrors seqc_arg_info; `dtype` is a seqc_dtype value.
struct ArgSignature {
  std::string name;
  /// An input the function may update in place (`seqc.donated`).
  bool donated = false;
  int32_t dtype = 0;
  llvm::SmallVector<DimSignature> dims;
};

/// Mirrors seqc_constraint.
struct ConstraintSignature {
  int32_t kind = 0;
  DimSignature a, b;
  int64_t value = 0;
  std::string description;
};

struct EntryPoint {
  std::string name;
  llvm::SmallVector<ArgSignature> inputs, outputs;
  std::vector<ConstraintSignature> constraints;
};

/// The entry points of `module` (its public functions, on tensors, before
/// lowering). Emits an error and fails for a signature the ABI cannot
/// express: non-tensor arguments, unsupported element types, no results,
/// too many arguments, or a dynamic output size that no input determines.
mlir::FailureOr<std::vector<EntryPoint>>
analyzeEntryPoints(mlir::ModuleOp module);

/// The symbol a function `name` of the module gets in a library. Every
/// function is renamed so that none can take the name of a C library
/// function the generated code calls (a user's @free, @malloc, @expf).
std::string kernelSymbol(llvm::StringRef name);

/// Renames every function of `module` to kernelSymbol(name), updating uses.
mlir::LogicalResult renameKernels(mlir::ModuleOp module);

/// Where a library's kernels run, as the runtime reads it (__seqc_target,
/// lib/Runtime/runtime_internal.h): a CUDA library's kernels take and
/// return GPU buffers, which the runtime copies; an emulated one's "GPU
/// buffers" are host memory.
enum class LibraryTarget : int32_t { CPU = 0, CUDA = 1, CUDAEmulated = 2 };

/// Adds __seqc_library_info, __seqc_kernels, __seqc_target and one
/// `seqc_fn_<name>` wrapper per entry point to `module`, which must define
/// `_mlir_ciface_<kernelSymbol(name)>` for each.
llvm::Error emitEntryPointTables(llvm::Module &module,
                                 llvm::ArrayRef<EntryPoint> entryPoints,
                                 LibraryTarget target);

struct ModelInfo;

/// A C header declaring the entry points, with their argument layouts, and
/// for a model library (`model` not null) its name, vocabulary and context.
std::string emitCHeader(llvm::ArrayRef<EntryPoint> entryPoints,
                        llvm::StringRef guardName,
                        const ModelInfo *model = nullptr);

} // namespace seqc

#endif // SEQC_TARGET_ENTRYPOINTS_H
