//===- CUDATarget.cpp - what --target=cuda needs beyond the CPU back end -===//

#include "seqc/Target/CUDATarget.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

ArrayRef<StringRef> seqc::supportedGpuArchs() {
  // PTX ISA 8.0 (what the pipeline asks for) covers these; CUDA 13's ptxas
  // has dropped sm_70.
  static const StringRef archs[] = {"sm_80", "sm_86", "sm_89", "sm_90",
                                    "sm_90a"};
  return archs;
}

/// What a toolkit directory lacks ("" when nothing).
static std::string missingFromToolkit(StringRef dir) {
  for (const char *part :
       {"bin/ptxas", "bin/fatbinary", "nvvm/libdevice/libdevice.10.bc"}) {
    SmallString<256> path(dir);
    sys::path::append(path, part);
    if (!sys::fs::exists(path))
      return part;
  }
  return "";
}

Expected<std::string> seqc::findCudaToolkit(StringRef explicitPath) {
  if (!explicitPath.empty()) {
    std::string missing = missingFromToolkit(explicitPath);
    if (!missing.empty())
      return createStringError(inconvertibleErrorCode(),
                               "--cuda-path=" + explicitPath + " has no " +
                                   missing + ": not a CUDA toolkit");
    return explicitPath.str();
  }
  SmallVector<std::string> candidates;
  for (const char *variable : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (std::optional<std::string> value = sys::Process::GetEnv(variable))
      if (!value->empty())
        candidates.push_back(*value);
  candidates.push_back("/usr/local/cuda");
  if (ErrorOr<std::string> ptxas = sys::findProgramByName("ptxas"))
    candidates.push_back(
        sys::path::parent_path(sys::path::parent_path(*ptxas)).str());
  for (const std::string &dir : candidates)
    if (missingFromToolkit(dir).empty())
      return dir;
  return createStringError(
      inconvertibleErrorCode(),
      "--target=cuda needs the CUDA toolkit (bin/ptxas, bin/fatbinary and "
      "nvvm/libdevice/libdevice.10.bc) and found none in $CUDA_HOME, "
      "$CUDA_PATH, $CUDA_ROOT, /usr/local/cuda or above a ptxas on $PATH; "
      "install it or give --cuda-path=DIR (--emit=mlir, linalg, gpu and "
      "header need no toolkit)");
}

Expected<std::string> seqc::collectPTX(mlir::ModuleOp module) {
  std::string text;
  raw_string_ostream os(text);
  for (auto binary : module.getOps<mlir::gpu::BinaryOp>())
    for (mlir::Attribute attr : binary.getObjects()) {
      auto object = dyn_cast<mlir::gpu::ObjectAttr>(attr);
      if (!object || object.getFormat() != mlir::gpu::CompilationTarget::Assembly)
        return createStringError(inconvertibleErrorCode(),
                                 "gpu.binary @" + binary.getSymName() +
                                     " holds no PTX");
      StringRef ptx = object.getObject().getValue();
      // The object is NUL-terminated for the driver's JIT.
      ptx = ptx.rtrim('\0');
      os << "// gpu.module @" << binary.getSymName() << "\n" << ptx;
      if (!ptx.ends_with("\n"))
        os << "\n";
    }
  return text;
}

std::string seqc::cudaRuntimeLibrary(StringRef runtimeLibrary) {
  SmallString<256> path(sys::path::parent_path(runtimeLibrary));
  sys::path::append(path, "libseqc_cuda_runtime.a");
  return std::string(path);
}

void seqc::hoistHostAllocas(Module &module) {
  for (Function &function : module) {
    if (function.isDeclaration())
      continue;
    BasicBlock &entry = function.getEntryBlock();
    SmallVector<AllocaInst *> moving;
    for (BasicBlock &block : function)
      if (&block != &entry)
        for (Instruction &instruction : block)
          if (auto *alloca = dyn_cast<AllocaInst>(&instruction))
            if (isa<ConstantInt>(alloca->getArraySize()))
              moving.push_back(alloca);
    for (AllocaInst *alloca : moving)
      alloca->moveBefore(entry.getFirstInsertionPt());
  }
}
