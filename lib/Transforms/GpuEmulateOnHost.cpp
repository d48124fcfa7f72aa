//===- GpuEmulateOnHost.cpp - -seq-gpu-emulate-on-host -------------------===//
//
// GPU launches and buffers -> host loops and buffers, so that the CUDA
// target's mapping and copies are tested numerically without a GPU (see
// the pass description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "GpuEmulateWarp.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPUEMULATEONHOST
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

static LogicalResult emulateLaunch(gpu::LaunchOp launch) {
  if (seq::exchangesBetweenLanes(launch) || seq::cooperatesAsBlock(launch))
    return seq::emulateWarpLaunch(launch);
  if (launch.getNumPrivateAttributions() > 0 || launch.getAsyncToken())
    return launch.emitError("only synchronous kernels without private "
                            "attributions can run on the host");
  Location loc = launch.getLoc();
  OpBuilder b(launch);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  SmallVector<Value> lower(6, zero), step(6, one);
  SmallVector<Value> upper = {grid.x, grid.y, grid.z, block.x, block.y, block.z};
  auto loop = scf::ParallelOp::create(b, loc, lower, upper, step);
  IRMapping mapping;
  SmallVector<Value> ivs(loop.getInductionVars());
  gpu::KernelDim3 blockIds = launch.getBlockIds(),
                  threadIds = launch.getThreadIds(),
                  gridArgs = launch.getGridSize(),
                  blockArgs = launch.getBlockSize();
  mapping.map(blockIds.x, ivs[0]);
  mapping.map(blockIds.y, ivs[1]);
  mapping.map(blockIds.z, ivs[2]);
  mapping.map(threadIds.x, ivs[3]);
  mapping.map(threadIds.y, ivs[4]);
  mapping.map(threadIds.z, ivs[5]);
  mapping.map(gridArgs.x, grid.x);
  mapping.map(gridArgs.y, grid.y);
  mapping.map(gridArgs.z, grid.z);
  mapping.map(blockArgs.x, block.x);
  mapping.map(blockArgs.y, block.y);
  mapping.map(blockArgs.z, block.z);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  Region &body = launch.getBody();
  if (!body.hasOneBlock())
    return launch.emitError("only single-block kernels can run on the host");
  for (Operation &op : body.front().without_terminator())
    b.clone(op, mapping);
  launch.erase();
  return success();
}

namespace {
struct SeqGpuEmulateOnHostPass
    : mlir::seq::impl::SeqGpuEmulateOnHostBase<SeqGpuEmulateOnHostPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    SmallVector<Operation *> memoryOps;
    getOperation().walk([&](Operation *op) {
      if (auto launch = dyn_cast<gpu::LaunchOp>(op))
        launches.push_back(launch);
      else if (isa<gpu::AllocOp, gpu::DeallocOp, gpu::MemcpyOp, gpu::WaitOp>(
                   op))
        memoryOps.push_back(op);
    });
    for (gpu::LaunchOp launch : launches)
      if (failed(emulateLaunch(launch)))
        return signalPassFailure();
    IRRewriter rewriter(&getContext());
    for (Operation *op : memoryOps) {
      if (op->getNumResults() > 0 && isa<gpu::AsyncTokenType>(
                                         op->getResults().back().getType())) {
        op->emitError("asynchronous GPU operations cannot run on the host");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      if (auto alloc = dyn_cast<gpu::AllocOp>(op))
        rewriter.replaceOpWithNewOp<memref::AllocOp>(
            alloc, alloc.getMemref().getType(), alloc.getDynamicSizes(),
            alloc.getSymbolOperands());
      else if (auto dealloc = dyn_cast<gpu::DeallocOp>(op))
        rewriter.replaceOpWithNewOp<memref::DeallocOp>(dealloc,
                                                       dealloc.getMemref());
      else if (auto copy = dyn_cast<gpu::MemcpyOp>(op))
        rewriter.replaceOpWithNewOp<memref::CopyOp>(copy, copy.getSrc(),
                                                    copy.getDst());
      else
        rewriter.eraseOp(op);
    }
  }
};
} // namespace
