//===- Pipelines.h - seqc's compilation pipelines ---------------*- C++ -*-===//
//
// The pipelines live in library code so that seqc, seq-opt (as registered
// pipelines) and the tests run exactly the same passes.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_PIPELINES_PIPELINES_H
#define SEQC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace seqc {

/// Pipelines are given as the text of passes to nest in a builtin.module
/// pass manager (no anchor), e.g. "convert-seq-to-linalg,canonicalize".

/// The textual form of the pipeline from seq ops on tensors to linalg, scf
/// and tensor ops (the reference lowering, then cleanup).
std::string getSeqToLinalgPipeline();

/// The textual form of the pipeline from linalg/scf on tensors to the LLVM
/// dialect for a CPU: bufferization with deallocation, loops, LLVM. With
/// `runtimeChecks`, every memref access is bounds-checked at run time.
std::string getCpuToLLVMPipeline(bool runtimeChecks = false);

/// Appends a textual pipeline to `pm`; fails with a diagnostic on `errors`
/// when a pass is unknown (all passes must be registered).
mlir::LogicalResult addPipeline(mlir::OpPassManager &pm, llvm::StringRef text,
                                llvm::raw_ostream &errors);

/// Registers `seq-to-linalg-pipeline` and `seq-cpu-pipeline` with seq-opt.
void registerPipelines();

} // namespace seqc

#endif // SEQC_PIPELINES_PIPELINES_H
