//===- GpuDeviceBuffers.cpp - -seq-gpu-device-buffers --------------------===//
//
// Host buffers -> GPU buffers around the kernels of a function, with the
// copies the host-memory ABI needs (see the pass description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPUDEVICEBUFFERS
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

/// Whether `op`, outside any kernel, may handle buffers: it allocates,
/// frees, describes or forwards them but never reads or writes their
/// elements.
static bool handlesBuffersWithoutTouching(Operation *op) {
  return isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
             memref::DimOp, memref::GetGlobalOp, memref::ExtractStridedMetadataOp,
             memref::ExtractAlignedPointerAsIndexOp, memref::AssumeAlignmentOp,
             ViewLikeOpInterface, func::ReturnOp, scf::ForOp, scf::IfOp,
             scf::WhileOp, scf::YieldOp, scf::ConditionOp, arith::SelectOp>(
             op) ||
         op->getName().getDialectNamespace() == "gpu";
}

static bool touchesBuffers(Operation *op) {
  auto isMemRef = [](Type type) { return isa<MemRefType>(type); };
  return llvm::any_of(op->getOperandTypes(), isMemRef) ||
         llvm::any_of(op->getResultTypes(), isMemRef);
}

/// The dynamic sizes of `value` (a memref of `type`'s shape), read with
/// memref.dim where `b` is.
static SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value value,
                                       MemRefType type) {
  SmallVector<Value> sizes;
  for (int64_t d = 0, e = type.getRank(); d < e; ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(b, loc, value, d));
  return sizes;
}

/// A device buffer holding a copy of `source`, made where `b` is.
static Value copyToDevice(OpBuilder &b, Location loc, Value source) {
  auto type = cast<MemRefType>(source.getType());
  auto deviceType = MemRefType::get(type.getShape(), type.getElementType());
  Value device =
      gpu::AllocOp::create(b, loc, deviceType, Type(), ValueRange(),
                           dynamicSizes(b, loc, source, type), ValueRange())
          .getMemref();
  gpu::MemcpyOp::create(b, loc, TypeRange(), ValueRange(), device, source);
  return device;
}

/// Copies `source` to the device where `b` is; its uses so far read the
/// copy instead. Returns the copy.
static Value replaceWithDeviceCopy(OpBuilder &b, Location loc, Value source) {
  SmallPtrSet<Operation *, 8> users(source.getUsers().begin(),
                                    source.getUsers().end());
  Value device = copyToDevice(b, loc, source);
  source.replaceUsesWithIf(device, [&](OpOperand &use) {
    return users.contains(use.getOwner());
  });
  return device;
}

/// The buffer `value` is a view of, through view-like ops.
static Value rootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

static bool inKernel(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() != nullptr;
}

/// Whether `accept` holds for every user of `root` and, through view-like
/// ops, of every view of it.
static bool allUsersThroughViews(Value root,
                                 function_ref<bool(Operation *)> accept) {
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (!accept(user))
        return false;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value)
          worklist.push_back(view->getResult(0));
    }
  }
  return true;
}

/// Whether the buffer `root` (an allocation or an argument, outside any
/// kernel) is only ever used by host code that reads, writes or frees it
/// (the ownership bookkeeping of buffer deallocation): no kernel uses it,
/// it is not passed to a function with kernels, returned, carried by a
/// loop or selected. Such a buffer stays in host memory.
static bool isHostOnly(Value root, const DenseSet<StringAttr> &kernelFunctions) {
  return allUsersThroughViews(root, [&](Operation *user) {
    if (auto call = dyn_cast<func::CallOp>(user))
      if (kernelFunctions.contains(call.getCalleeAttr().getAttr()))
        return false;
    return !inKernel(user) &&
           !isa<func::ReturnOp, scf::YieldOp, scf::ForOp, scf::WhileOp,
                scf::ConditionOp, scf::IfOp, arith::SelectOp, gpu::MemcpyOp>(
               user);
  });
}

/// Whether nothing in its function can write `root`: every use, through
/// views, only reads it or describes it.
static bool isReadOnly(Value root) {
  return allUsersThroughViews(root, [](Operation *user) {
    return isa<ViewLikeOpInterface, memref::LoadOp, memref::DimOp,
               memref::ExtractStridedMetadataOp,
               memref::ExtractAlignedPointerAsIndexOp>(user);
  });
}

/// Moves each host `memref.load` of a read-only buffer whose value only
/// kernels use into those kernels (a scale read from a weights tensor):
/// the buffer is on the GPU, and the kernel reads it there.
static void sinkLoadsIntoKernels(func::FuncOp func) {
  SmallVector<memref::LoadOp> loads;
  func.walk([&](memref::LoadOp load) {
    if (inKernel(load) || load->use_empty())
      return;
    bool onlyKernels = llvm::all_of(load->getUsers(), inKernel);
    if (onlyKernels && isReadOnly(rootBuffer(load.getMemRef())))
      loads.push_back(load);
  });
  for (memref::LoadOp load : loads) {
    DenseMap<Operation *, Value> copies;
    for (OpOperand &use : llvm::make_early_inc_range(load->getUses())) {
      auto launch = use.getOwner()->getParentOfType<gpu::LaunchOp>();
      Value &copy = copies[launch];
      if (!copy) {
        OpBuilder b(&launch.getBody().front(),
                    launch.getBody().front().begin());
        copy = b.clone(*load)->getResult(0);
      }
      use.set(copy);
    }
    load->erase();
  }
}

namespace {
struct SeqGpuDeviceBuffersPass
    : mlir::seq::impl::SeqGpuDeviceBuffersBase<SeqGpuDeviceBuffersPass> {

  /// The functions that launch kernels, directly or through calls; a call
  /// of one passes GPU buffers.
  DenseSet<StringAttr> kernelFunctions;
  /// Host buffers (isHostOnly), found before any rewriting.
  DenseSet<Value> hostBuffers;

  bool callsKernelFunction(Operation *op) const {
    auto call = dyn_cast<func::CallOp>(op);
    return call && kernelFunctions.contains(call.getCalleeAttr().getAttr());
  }

  bool onHost(Value buffer) const {
    return hostBuffers.contains(rootBuffer(buffer));
  }

  /// Every op outside the kernels that reads or writes buffers must touch
  /// host buffers only.
  LogicalResult checkHostCode(func::FuncOp func) {
    WalkResult result = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (!touchesBuffers(op) || handlesBuffersWithoutTouching(op) ||
          callsKernelFunction(op))
        return WalkResult::advance();
      for (Value operand : op->getOperands())
        if (isa<MemRefType>(operand.getType()) && !onHost(operand)) {
          op->emitError("reads or writes a buffer outside a GPU kernel, "
                        "which the CUDA target does not support yet (only "
                        "loops that map to GPU threads touch GPU memory)");
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  void runOnOperation() override {
    // Functions that launch kernels or call a function that does, and
    // every public one: the library's entry points all take GPU buffers.
    // Any other (the deallocation helper) is host code.
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        kernelFunctions.insert(func.getSymNameAttr());
    for (bool changed = true; changed;) {
      changed = false;
      for (auto func : getOperation().getOps<func::FuncOp>()) {
        if (func.isExternal() ||
            kernelFunctions.contains(func.getSymNameAttr()))
          continue;
        bool launches = func->walk([&](Operation *op) {
                              return isa<gpu::LaunchOp>(op) ||
                                             callsKernelFunction(op)
                                         ? WalkResult::interrupt()
                                         : WalkResult::advance();
                            })
                            .wasInterrupted();
        if (launches) {
          kernelFunctions.insert(func.getSymNameAttr());
          changed = true;
        }
      }
    }
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (kernelFunctions.contains(func.getSymNameAttr()) &&
          failed(rewriteFunction(func)))
        return signalPassFailure();
  }

  /// Host code of an entry point that loads from an argument itself (a
  /// model's position, which sets loop bounds) loads from a host copy,
  /// made on entry and freed at each return.
  void copyArgumentsTheHostReads(func::FuncOp func, OpBuilder &b) {
    Block &entry = func.getBody().front();
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type)
        continue;
      SmallVector<OpOperand *> hostLoads;
      for (OpOperand &use : arg.getUses())
        if (isa<memref::LoadOp>(use.getOwner()) && !inKernel(use.getOwner()))
          hostLoads.push_back(&use);
      if (hostLoads.empty())
        continue;
      Location loc = arg.getLoc();
      b.setInsertionPointToStart(&entry);
      Value host = memref::AllocOp::create(b, loc, type,
                                           dynamicSizes(b, loc, arg, type));
      gpu::MemcpyOp::create(b, loc, TypeRange(), ValueRange(), host, arg);
      for (OpOperand *use : hostLoads)
        use->set(host);
      hostBuffers.insert(host);
      func.walk([&](func::ReturnOp ret) {
        b.setInsertionPoint(ret);
        memref::DeallocOp::create(b, loc, host);
      });
    }
  }

  /// Every function with kernels takes and returns GPU buffers: the
  /// runtime copies a host caller's arguments and results
  /// (seqc_runtime.c), and a call passes its callee GPU buffers.
  LogicalResult rewriteFunction(func::FuncOp func) {
    sinkLoadsIntoKernels(func);
    hostBuffers.clear();
    func.walk([&](Operation *op) {
      if (isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp>(op) &&
          !inKernel(op) && isHostOnly(op->getResult(0), kernelFunctions))
        hostBuffers.insert(op->getResult(0));
    });
    OpBuilder b(&getContext());
    if (func.isPublic())
      copyArgumentsTheHostReads(func, b);
    if (failed(checkHostCode(func)))
      return failure();

    // The other host allocations become device allocations.
    SmallVector<Operation *> hostOps;
    func.walk([&](Operation *op) {
      if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
              memref::GetGlobalOp>(op) &&
          !inKernel(op) && !onHost(op->getNumResults() ? op->getResult(0)
                                                       : op->getOperand(0)))
        hostOps.push_back(op);
    });
    for (Operation *op : hostOps) {
      b.setInsertionPoint(op);
      if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        gpu::DeallocOp::create(b, op->getLoc(), TypeRange(), ValueRange(),
                               dealloc.getMemref());
        op->erase();
        continue;
      }
      if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        // A constant in host memory: a device copy where it is read,
        // freed at the end of its block.
        b.setInsertionPointAfter(op);
        Value device =
            replaceWithDeviceCopy(b, op->getLoc(), global.getResult());
        b.setInsertionPoint(op->getBlock()->getTerminator());
        gpu::DeallocOp::create(b, op->getLoc(), TypeRange(), ValueRange(),
                               device);
        continue;
      }
      auto type = cast<MemRefType>(op->getResult(0).getType());
      ValueRange sizes, symbols;
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        sizes = alloc.getDynamicSizes();
        symbols = alloc.getSymbolOperands();
      } else {
        auto alloca = cast<memref::AllocaOp>(op);
        sizes = alloca.getDynamicSizes();
        symbols = alloca.getSymbolOperands();
      }
      Value device = gpu::AllocOp::create(b, op->getLoc(), type, Type(),
                                          ValueRange(), sizes, symbols)
                         .getMemref();
      op->getResult(0).replaceAllUsesWith(device);
      if (isa<memref::AllocaOp>(op)) {
        b.setInsertionPoint(op->getBlock()->getTerminator());
        gpu::DeallocOp::create(b, op->getLoc(), TypeRange(), ValueRange(),
                               device);
      }
      op->erase();
    }

    return success();
  }
};
} // namespace
