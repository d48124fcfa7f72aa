//===- InitAllDialects.cpp - the one registration point ------------------===//

#include "seqc/InitAllDialects.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Seq/IR/SeqDialect.h"
#include "seqc/Pipelines/Pipelines.h"
#include "seqc/Transforms/GpuBlockKernels.h"
#include "seqc/Transforms/Passes.h"

void seqc::registerAllDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::seq::SeqDialect>();
  // Kernels with barriers are created before buffer deallocation.
  mlir::seq::registerGpuBarrierEffects(registry);
  // Also what gpu-module-to-binary needs to translate and serialize kernels
  // (the GPU and NVVM dialects to LLVM IR), so seq-opt runs the CUDA
  // pipeline as seqc does.
  mlir::registerAllToLLVMIRTranslations(registry);
}

void seqc::registerAllPasses() {
  // Pass registration is global and idempotent only through this guard:
  // the Python module and the tools may both call in.
  static bool registered = [] {
    mlir::registerAllPasses();
    mlir::seq::registerSeqConversionPasses();
    mlir::seq::registerSeqTransformsPasses();
    seqc::registerPipelines();
    return true;
  }();
  (void)registered;
}
