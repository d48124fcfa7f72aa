//===- Pipelines.cpp - seqc's compilation pipelines ----------------------===//
//
// Written as textual pipelines: the same text is printed by
// `seqc --print-pipeline` and can be pasted into seq-opt.
//
//===----------------------------------------------------------------------===//

#include "seqc/Pipelines/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

std::string seqc::getSeqToLinalgPipeline(const PipelineOptions &options) {
  // The fast lowerings go first and leave what they do not handle to the
  // reference lowerings. Elementwise arith/math on tensors (common in cell
  // regions) become linalg.generic so that they bufferize.
  std::string fast;
  if (options.fastLowerings) {
    std::string lanes = "{lanes=" + std::to_string(options.vectorLanes) + "}";
    fast = "seq-flash-attention" + lanes + ",seq-fused-recurrence" + lanes +
           ",seq-fused-selective-scan" + lanes + ",seq-fused-linear-attention" +
           lanes + ",seq-fused-conv1d" + lanes + ",seq-fast-matmul{lanes=" +
           std::to_string(options.vectorLanes) +
           (options.int8Dot ? " int8-dot=true" : "") +
           (options.bf16Dot ? " bf16-dot=true" : "") + "},";
  }
  return fast +
         "convert-seq-to-linalg,func.func(convert-elementwise-to-linalg),"
         "canonicalize,cse";
}

std::string seqc::getCpuToLLVMPipeline(const PipelineOptions &options) {
  // Identity layouts at function boundaries keep the generated entry points
  // simple (contiguous row-major buffers); copies become loops so that the
  // library never calls into MLIR's runner utils; libm provides what LLVM has
  // no intrinsic for (erf, log1p).
  // C wrappers are requested first, before convert-math-to-libm declares
  // libm functions, which must stay plain C calls.
  // Inputs belong to the caller: bufferization must copy, never update them
  // in place, except donated ones (a model's state), which are returned
  // without a copy. Math on vectors is approximated (LLVM would scalarize it into
  // libm calls); scf.parallel loops become OpenMP worksharing loops.
  return "seq-read-only-arguments,"
         "func.func(llvm-request-c-wrappers),"
         "one-shot-bufferize{bufferize-function-boundaries "
         "allow-return-allocs-from-loops "
         "function-boundary-type-conversion=identity-layout-map},"
         "drop-equivalent-buffer-results,"
         "canonicalize,"
         "buffer-deallocation-pipeline,"
         "func.func(seq-return-donated-in-place),"
         "convert-bufferization-to-memref,"
         "seq-memref-copy-to-linalg,"
         "convert-linalg-to-loops," +
         // Bounds checks on every memref access (a failed check aborts with
         // the op's location): for tests, never for deployed code.
         std::string(options.runtimeChecks ? "generate-runtime-verification,"
                                           : "") +
         "seq-approximate-vector-math,"
         "seq-lower-int8-dot,"
         "convert-scf-to-openmp,"
         "seq-lower-alloca-scopes,"
         "lower-affine,"
         "convert-scf-to-cf,"
         // x86vector ops (vdpbf16ps) become their intrinsics here.
         "convert-vector-to-llvm{enable-x86vector},"
         "expand-strided-metadata,"
         "lower-affine,"
         "finalize-memref-to-llvm,"
         "convert-math-to-llvm,"
         "convert-math-to-libm,"
         "convert-arith-to-llvm,"
         "convert-cf-to-llvm,"
         "convert-func-to-llvm,"
         "convert-index-to-llvm,"
         "convert-openmp-to-llvm,"
         "reconcile-unrealized-casts,"
         "canonicalize";
}

LogicalResult seqc::addPipeline(OpPassManager &pm, StringRef text,
                                raw_ostream &errors) {
  return parsePassPipeline(text, pm, errors);
}

void seqc::registerPipelines() {
  PassPipelineRegistration<>(
      "seq-to-linalg-pipeline",
      "Reference-lower seq ops to linalg/scf/tensor and clean up",
      [](OpPassManager &pm) {
        (void)addPipeline(pm, getSeqToLinalgPipeline(), llvm::errs());
      });
  PassPipelineRegistration<>(
      "seq-cpu-pipeline",
      "Lower seq IR to the LLVM dialect for the CPU (what seqc runs)",
      [](OpPassManager &pm) {
        (void)addPipeline(pm, getSeqToLinalgPipeline(), llvm::errs());
        (void)addPipeline(pm, getCpuToLLVMPipeline(), llvm::errs());
      });
}
