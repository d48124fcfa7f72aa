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
           lanes + ",seq-fused-conv1d" + lanes + ",seq-fused-scan" + lanes +
           ",seq-fast-matmul{lanes=" + std::to_string(options.vectorLanes) +
           (options.int8Dot ? " int8-dot=true" : "") +
           (options.bf16Dot ? " bf16-dot=true" : "") + "},";
  }
  // The GPU's own kernels for attention (streaming its keys, memory
  // O(L * D)), linear attention (f16/bf16 chunked on tensor cores, the
  // other forms a step at a time with the state in registers) and the
  // selective scan (states in registers), named-cell recurrences
  // (persistent, or a kernel a step for large heads) and scans (a warp or a
  // thread a row); the GPU maps only parallel loops to threads: a scan the
  // GPU kernel does not take gets one.
  std::string gpu = options.gpuTarget
                        ? "seq-gpu-attention,seq-gpu-linear-attention,"
                          "seq-gpu-recurrent-linear-attention,"
                          "seq-gpu-selective-scan,seq-gpu-recurrence,"
                          "seq-gpu-scan,seq-gpu-scan-batch-dim,"
                        : "";
  // On the CPU's fast path, chains of elementwise linalg ops (a residual
  // add into a gate, an exp of a sum) are fused into one loop: no
  // intermediate tensor, one pass over memory. Twice: with dynamic sizes
  // convert-elementwise-to-linalg writes each op into one of its inputs
  // (a producer then has two uses in its consumer, and is not fused); the
  // first run gives such ops a tensor.empty, whose sizes canonicalize reads
  // off the inputs, and the second fuses. Bottom-up: after the kernels, a
  // loop body of thousands of ops (a selective scan with N = 64 states)
  // cost the top-down driver ~25 ms a rewrite (2.3 s in all, against 0.1 s;
  // the same IR after the next canonicalize and cse).
  std::string fuseChains = ",linalg-fuse-elementwise-ops,"
                           "canonicalize{top-down=false},"
                           "linalg-fuse-elementwise-ops";
  std::string fuse =
      options.fastLowerings && !options.gpuTarget ? fuseChains : "";
  // Before the kernels (the CPU's fast lowerings, or the GPU's, which run
  // at every level), elementwise chains around seq ops (softplus(dt + bias)
  // into a selective scan, y * silu(z) out of it, silu(conv + bias)) become
  // single generics and are folded into the ops' own operands, which the
  // kernels apply in registers.
  std::string fold = options.fastLowerings || options.gpuTarget
                         ? "func.func(convert-elementwise-to-linalg" +
                               fuseChains + "),seq-fold-elementwise,"
                         : "";
  // The CPU's kernels are f32: f16/bf16 seq ops are computed in f32 and
  // rounded once (the GPU has kernels of its own for the half types).
  std::string widen = options.fastLowerings && !options.gpuTarget
                          ? "seq-widen-half-precision,"
                          : "";
  // linalg.matmul and its kin (the user's own, and those of cell regions,
  // which convert-seq-to-linalg has just made loops of) get a vector kernel
  // on the CPU; convert-linalg-to-loops would scalarize them. Before the
  // elementwise fusion, whose reshape folding would turn a matmul of a
  // step's [B, 1, I] slice into a generic with a unit reduction loop.
  std::string matmuls = options.fastLowerings && !options.gpuTarget
                            ? "seq-vectorize-matmul{lanes=" +
                                  std::to_string(options.vectorLanes) + "},"
                            : "";
  return widen + fold + gpu + fast + "convert-seq-to-linalg," + matmuls +
         "func.func(convert-elementwise-to-linalg" + fuse +
         "),canonicalize,cse";
}

/// From linalg/scf on tensors to buffers, as both targets need them:
/// identity layouts at function boundaries keep the generated entry points
/// simple (contiguous row-major buffers); copies become linalg.copy so that
/// the library never calls into MLIR's runner utils. Inputs belong to the
/// caller: bufferization must copy, never update them in place, except
/// donated ones (a model's state), which are returned without a copy.
/// C wrappers are requested first, before convert-math-to-libm declares
/// libm functions, which must stay plain C calls.
static std::string getBufferizePipeline() {
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
         "seq-memref-copy-to-linalg,";
}

/// From buffers to the LLVM dialect for a CPU. libm provides what LLVM has
/// no intrinsic for (erf, log1p). Math on vectors is approximated (LLVM
/// would scalarize it into libm calls); scf.parallel loops become OpenMP
/// worksharing loops.
static std::string
getCpuBuffersToLLVMPipeline(const seqc::PipelineOptions &options) {
  // With the fast lowerings, what they left as linalg ops is split into
  // parallel tasks where large, with its exp-family math made vectorizable.
  // AVX-512 (16 lanes) has vscalefps for exp's 2^n.
  std::string avx512 = options.vectorLanes == 16 ? "avx512=true" : "";
  std::string parallel =
      options.fastLowerings
          ? "seq-parallel-linalg,"
            "seq-approximate-vector-math{linalg-bodies=true " +
                avx512 + "},"
          : "";
  return parallel + "convert-linalg-to-loops," +
         // Bounds checks on every memref access (a failed check aborts with
         // the op's location): for tests, never for deployed code.
         std::string(options.runtimeChecks ? "generate-runtime-verification,"
                                           : "") +
         "seq-approximate-vector-math{" + avx512 +
         "},"
         "seq-lower-int8-dot,"
         "convert-scf-to-openmp,"
         "seq-lower-alloca-scopes,"
         "lower-affine,"
         "convert-scf-to-cf,"
         // x86vector ops (vdpbf16ps) become their intrinsics here.
         "convert-vector-to-llvm{enable-x86vector},"
         "expand-strided-metadata,"
         "lower-affine,"
         // Buffers through the runtime's allocator, which keeps large
         // freed blocks for the next call (lib/Runtime/buffer_cache.c).
         "finalize-memref-to-llvm{use-generic-functions=true},"
         "convert-math-to-llvm,"
         "convert-math-to-libm,"
         "convert-arith-to-llvm,"
         "convert-cf-to-llvm,"
         "convert-func-to-llvm,"
         "convert-index-to-llvm,"
         "convert-openmp-to-llvm,"
         "convert-ub-to-llvm,"
         "reconcile-unrealized-casts,"
         "canonicalize";
}

std::string seqc::getCpuToLLVMPipeline(const PipelineOptions &options) {
  return getBufferizePipeline() + getCpuBuffersToLLVMPipeline(options);
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
  PassPipelineRegistration<>(
      "seq-cuda-pipeline",
      "Lower seq IR to host LLVM dialect with an embedded sm_80 GPU binary "
      "(what seqc --target=cuda runs; the CUDA toolkit from $PATH or "
      "$CUDA_HOME)",
      [](OpPassManager &pm) {
        PipelineOptions options;
        options.fastLowerings = false;
        options.gpuTarget = true;
        (void)addPipeline(pm, getSeqToLinalgPipeline(options), llvm::errs());
        (void)addPipeline(pm, getCudaKernelsPipeline(options), llvm::errs());
        (void)addPipeline(pm, getCudaToLLVMPipeline(options), llvm::errs());
      });
}

std::string seqc::getCudaKernelsPipeline(const PipelineOptions &options) {
  // Every loop nest that linalg makes parallel becomes a kernel; buffers
  // live on the GPU between kernels. Nothing is canonicalized between the
  // loops' creation and their mapping, which would fold them together.
  return getBufferizePipeline() +
         "convert-linalg-to-parallel-loops,"
         "func.func(seq-gpu-map-parallel-loops{block-size=" +
         std::to_string(options.gpuBlockSize) +
         "}),"
         "seq-gpu-device-buffers," +
         // Testing without a GPU: the launches run as host loops.
         std::string(options.gpuEmulateOnHost
                         ? "func.func(seq-gpu-emulate-on-host)"
                         : "gpu-launch-sink-index-computations,"
                           "gpu-kernel-outlining,"
                           "seq-gpu-align-workgroup-buffers,"
                           "canonicalize,cse,"
                           "func.func(gpu-async-region)");
}

std::string seqc::getCudaToLLVMPipeline(const PipelineOptions &options) {
  // The kernels go to NVVM and through LLVM's NVPTX back end to PTX, which
  // gpu-module-to-binary assembles with the toolkit's ptxas (and links with
  // its libdevice for math functions). The PTX ISA version is set: the
  // NVVM default (6.0) is too old for sm_80 and later.
  if (options.gpuEmulateOnHost)
    return "seq-memref-copy-to-linalg," + getCpuBuffersToLLVMPipeline(options);
  std::string toolkit = options.cudaToolkit.empty()
                            ? std::string()
                            : " toolkit=" + options.cudaToolkit;
  return "seq-gpu-bf16-mma,"
         "convert-nvgpu-to-nvvm,"
         "convert-scf-to-cf,"
         "convert-nvvm-to-llvm,"
         "nvvm-attach-target{chip=" +
         options.gpuChip +
         " features=+ptx80 O=3},"
         "lower-affine,"
         "gpu.module(convert-gpu-to-nvvm,canonicalize,cse,"
         "reconcile-unrealized-casts),"
         "expand-strided-metadata,"
         "lower-affine,"
         "finalize-memref-to-llvm{use-generic-functions=true},"
         "convert-math-to-llvm,"
         "convert-arith-to-llvm,"
         "convert-index-to-llvm,"
         "convert-cf-to-llvm,"
         "convert-func-to-llvm,"
         "gpu-to-llvm,"
         "gpu-module-to-binary{format=" +
         options.gpuFormat + toolkit +
         "},"
         "reconcile-unrealized-casts,"
         "canonicalize";
}
