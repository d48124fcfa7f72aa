//===- GpuMapParallelLoops.cpp - -seq-gpu-map-parallel-loops -------------===//
//
// Outermost scf.parallel -> one-dimensional gpu.launch with a thread per
// iteration (see the pass description in Passes.td). Upstream's
// -gpu-map-parallel-loops maps at most three dimensions and, without tiling,
// puts whole dimensions into one block; linearizing handles any rank and any
// extent with full blocks and coalesced innermost accesses.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/GpuBlockKernels.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPUMAPPARALLELLOOPS
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

namespace {
/// Whether `alloca` is a block's shared buffer (GpuBlockKernels.h).
bool isWorkgroupAlloca(Operation *op) {
  auto alloca = dyn_cast<memref::AllocaOp>(op);
  return alloca &&
         gpu::GPUDialect::hasWorkgroupMemoryAddressSpace(alloca.getType());
}

struct SeqGpuMapParallelLoopsPass
    : mlir::seq::impl::SeqGpuMapParallelLoopsBase<SeqGpuMapParallelLoopsPass> {
  using Base::Base;

  LogicalResult mapLoop(scf::ParallelOp loop) {
    if (loop.getNumReductions() > 0)
      return loop.emitError("a parallel loop with reductions cannot be "
                            "mapped to the GPU yet");
    // A kernel whose threads cooperate was written for its block size.
    int64_t size = blockSize;
    if (auto fixed = loop->getAttrOfType<IntegerAttr>(seq::kBlockSizeAttr))
      size = fixed.getInt();
    for (Operation &op : loop.getBody()->without_terminator())
      if (isWorkgroupAlloca(&op) &&
          !cast<MemRefType>(op.getResult(0).getType()).hasStaticShape())
        return op.emitError("a block's shared buffer must have a static "
                            "shape");
    WalkResult nested = loop.getBody()->walk([&](Operation *op) {
      return isWorkgroupAlloca(op) && op->getParentOp() != loop
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (nested.wasInterrupted())
      return loop.emitError("a block's shared buffer (a workgroup alloca) "
                            "must be at the top of the kernel's loop body");
    Location loc = loop.getLoc();
    OpBuilder b(loop);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value threads = arith::ConstantIndexOp::create(b, loc, size);
    // Iterations per dimension and in all.
    SmallVector<Value> extents;
    Value total = one;
    for (auto [lb, ub, step] : llvm::zip(loop.getLowerBound(),
                                         loop.getUpperBound(), loop.getStep())) {
      Value span = arith::SubIOp::create(b, loc, ub, lb);
      Value extent = arith::CeilDivSIOp::create(b, loc, span, step);
      extent = arith::MaxSIOp::create(b, loc, extent, zero);
      extents.push_back(extent);
      total = arith::MulIOp::create(b, loc, total, extent);
    }
    // CUDA refuses an empty grid; one block of idle threads instead.
    Value blocks = arith::CeilDivSIOp::create(b, loc, total, threads);
    blocks = arith::MaxSIOp::create(b, loc, blocks, one);
    auto launch =
        gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one, one);

    IRMapping mapping;
    for (Operation &op : loop.getBody()->without_terminator())
      if (isWorkgroupAlloca(&op))
        mapping.map(op.getResult(0),
                    launch.addWorkgroupAttribution(op.getResult(0).getType(),
                                                   op.getLoc()));

    Block &body = launch.getBody().front();
    b.setInsertionPointToStart(&body);
    Value linear = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, launch.getBlockIds().x, threads),
        launch.getThreadIds().x);
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         linear, total);
    auto guard = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
    gpu::TerminatorOp::create(b, loc);

    // Innermost dimension fastest: neighbouring threads, neighbouring
    // iterations.
    b.setInsertionPointToStart(&guard.getThenRegion().front());
    Value rest = linear;
    for (int64_t d = extents.size() - 1; d >= 0; --d) {
      Value index = rest;
      if (d > 0) {
        index = arith::RemUIOp::create(b, loc, rest, extents[d]);
        rest = arith::DivUIOp::create(b, loc, rest, extents[d]);
      }
      Value iv = arith::AddIOp::create(
          b, loc, loop.getLowerBound()[d],
          arith::MulIOp::create(b, loc, index, loop.getStep()[d]));
      mapping.map(loop.getInductionVars()[d], iv);
    }
    for (Operation &op : loop.getBody()->without_terminator())
      if (!isWorkgroupAlloca(&op))
        b.clone(op, mapping);
    loop.erase();
    allowContraction(guard);
    return success();
  }

  /// Lets the back end fuse the kernel's multiplies and adds into FMAs
  /// (one rounding instead of two, and half the instructions of a dot
  /// product): NVPTX contracts only operations marked `contract`.
  static void allowContraction(Operation *kernelBody) {
    kernelBody->walk([](Operation *op) {
      if (!isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(op))
        return;
      auto flags = op->getAttrOfType<arith::FastMathFlagsAttr>("fastmath");
      arith::FastMathFlags value =
          flags ? flags.getValue() : arith::FastMathFlags::none;
      op->setAttr("fastmath",
                  arith::FastMathFlagsAttr::get(
                      op->getContext(), value | arith::FastMathFlags::contract));
    });
  }

  void runOnOperation() override {
    if (blockSize < 32 || blockSize > 1024 || blockSize % 32 != 0) {
      getOperation().emitError("block-size must be a multiple of 32 in "
                               "[32, 1024], got ")
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>() &&
          !loop->getParentOfType<gpu::LaunchOp>())
        loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops)
      if (failed(mapLoop(loop)))
        return signalPassFailure();
  }
};
} // namespace
