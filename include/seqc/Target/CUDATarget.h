//===- CUDATarget.h - what --target=cuda needs beyond the CPU back end -*- C++ -*-===//
//
// The CUDA target shares the CPU target's host back end (the host code is
// CPU code that launches kernels); this is what differs: the architectures,
// finding the CUDA toolkit, the PTX of the embedded kernels, and the GPU
// runtime archive linked into the libraries. docs/cuda.md.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TARGET_CUDATARGET_H
#define SEQC_TARGET_CUDATARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <string>

namespace seqc {

/// The architectures --gpu-arch accepts.
llvm::ArrayRef<llvm::StringRef> supportedGpuArchs();

/// The CUDA toolkit directory: `explicitPath` when given (an error when it
/// lacks what is needed), else the first of $CUDA_HOME, $CUDA_PATH,
/// $CUDA_ROOT, /usr/local/cuda and the directory above ptxas on $PATH that
/// has bin/ptxas, bin/fatbinary and nvvm/libdevice/libdevice.10.bc. The
/// error says what is missing and where it looked.
llvm::Expected<std::string> findCudaToolkit(llvm::StringRef explicitPath);

/// The PTX of every kernel module in `module` (after gpu-module-to-binary
/// with format=isa), each after a comment naming its gpu.module.
llvm::Expected<std::string> collectPTX(mlir::ModuleOp module);

/// The GPU runtime archive beside the seqc runtime archive `runtimeLibrary`.
std::string cudaRuntimeLibrary(llvm::StringRef runtimeLibrary);

/// Moves the fixed-size allocas of the host code into their functions'
/// entry blocks. MLIR's translation of a kernel launch allocates its
/// argument arrays where the launch is: inside a loop over a sequence's
/// steps, each step took more stack (8192 steps of a reference-lowered
/// linear attention overflowed it). cuLaunchKernel reads the arguments
/// before it returns, so one frame slot per launch serves every step.
void hoistHostAllocas(llvm::Module &module);

} // namespace seqc

#endif // SEQC_TARGET_CUDATARGET_H
