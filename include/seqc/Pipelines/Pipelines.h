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

/// What the pipelines depend on.
struct PipelineOptions {
  /// The fast lowerings (flash attention, fused recurrences, selective
  /// scan and linear attention)
  /// where they apply, the reference lowerings elsewhere; without, the
  /// reference lowerings only (seqc -O0, or --reference).
  bool fastLowerings = true;
  /// f32 lanes of the target's vectors: 16 (AVX-512), 8 (AVX2), 4.
  int64_t vectorLanes = 16;
  /// The target has AVX512-VNNI int8 dot products (W8A8 projections).
  bool int8Dot = false;
  /// The target has AVX512_BF16 dot products (bf16 compute).
  bool bf16Dot = false;
  /// Bounds-check every memref access at run time (tests).
  bool runtimeChecks = false;
  /// --target=cuda (gpuTarget): the GPU (an NVVM chip, "sm_80"), threads
  /// per block,
  /// the CUDA toolkit's directory (ptxas, fatbinary, libdevice; "" for
  /// MLIR's search of $PATH and $CUDA_HOME) and what is embedded: "isa"
  /// (PTX), "bin" (cubin) or "fatbin" (cubin and PTX).
  bool gpuTarget = false;
  std::string gpuChip = "sm_80";
  int64_t gpuBlockSize = 256;
  std::string cudaToolkit;
  std::string gpuFormat = "fatbin";
  /// Test the CUDA lowering without a GPU: its launches and buffers run on
  /// the host (seq-gpu-emulate-on-host) and the CPU back end follows.
  bool gpuEmulateOnHost = false;
};

/// The textual form of the pipeline from seq ops on tensors to linalg, scf
/// and tensor ops (and, with the fast lowerings, vector code on buffers).
std::string getSeqToLinalgPipeline(const PipelineOptions &options = {});

/// The textual form of the pipeline from linalg/scf on tensors to the LLVM
/// dialect for a CPU: bufferization with deallocation, loops, vectors,
/// OpenMP, LLVM.
std::string getCpuToLLVMPipeline(const PipelineOptions &options = {});

/// --target=cuda, the first half: from linalg/scf on tensors to host
/// functions on GPU buffers that launch outlined kernels (gpu.module),
/// asynchronously on one stream (docs/cuda.md).
std::string getCudaKernelsPipeline(const PipelineOptions &options = {});

/// --target=cuda, the second half: the kernels to a GPU binary embedded in
/// the host module (gpu.binary), the host code to the LLVM dialect.
std::string getCudaToLLVMPipeline(const PipelineOptions &options = {});

/// Appends a textual pipeline to `pm`; fails with a diagnostic on `errors`
/// when a pass is unknown (all passes must be registered).
mlir::LogicalResult addPipeline(mlir::OpPassManager &pm, llvm::StringRef text,
                                llvm::raw_ostream &errors);

/// Registers `seq-to-linalg-pipeline`, `seq-cpu-pipeline` and
/// `seq-cuda-pipeline` with seq-opt.
void registerPipelines();

} // namespace seqc

#endif // SEQC_PIPELINES_PIPELINES_H
