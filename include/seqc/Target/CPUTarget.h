//===- CPUTarget.h - LLVM dialect to object code and .so --------*- C++ -*-===//
//
// The back end of the CPU pipeline: translate an LLVM-dialect module to LLVM
// IR, optimize it for a CPU, emit assembly or an object file, and link
// objects into a shared library that depends only on libc and libm.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TARGET_CPUTARGET_H
#define SEQC_TARGET_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace seqc {

struct CPUTargetOptions {
  /// An LLVM CPU name (x86-64-v3, skylake-avx512, ...) or "native" for the
  /// host's CPU and features.
  std::string cpu = "native";
  /// 0..3, for LLVM's optimization and code generation.
  unsigned optLevel = 2;
};

/// A TargetMachine for the host triple and `options.cpu`; an error names
/// an unknown CPU.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createCPUTargetMachine(const CPUTargetOptions &options);

/// f32 lanes of the widest vectors `machine` has: 16 with AVX-512, 8 with
/// AVX, else 4.
int64_t vectorLanesF32(const llvm::TargetMachine &machine);

/// Whether `machine`'s CPU has AVX512-VNNI int8 dot products (vpdpbusd).
bool hasInt8DotProduct(const llvm::TargetMachine &machine);

/// Whether `machine`'s CPU has AVX512_BF16 dot products (vdpbf16ps).
bool hasBF16DotProduct(const llvm::TargetMachine &machine);

/// Translates `module` (LLVM dialect only) to LLVM IR for `machine` and
/// runs LLVM's optimization pipeline at `optLevel`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &machine, unsigned optLevel);

/// Writes `module` as an object file or assembly to `os`.
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                            llvm::raw_pwrite_stream &os, bool assembly);

/// Whether `module` calls into the OpenMP runtime (parallel loops).
bool usesOpenMP(const llvm::Module &module);

/// Links `objectPath` into the shared library `outputPath` with the seqc
/// runtime (`runtimeLibrary`, or this build's when empty), libm, with
/// `openmp` the OpenMP runtime (libomp), and with `cuda` the GPU runtime
/// archive beside the seqc runtime (CUDATarget.h).
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef outputPath,
                              llvm::StringRef runtimeLibrary = "",
                              bool openmp = false, bool cuda = false);

} // namespace seqc

#endif // SEQC_TARGET_CPUTARGET_H
