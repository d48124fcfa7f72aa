//===- LowerAllocaScopes.cpp - -seq-lower-alloca-scopes ------------------===//
//
// convert-scf-to-openmp wraps every parallel loop body in a
// memref.alloca_scope. Upstream lowers a scope only while its body is one
// block, which convert-scf-to-cf breaks by turning the body's loops into
// blocks, and not at all inside OpenMP regions. This pass lowers every
// scope without results while the IR is still structured: a scope that
// allocates on the stack becomes stacksave / body / stackrestore (each
// parallel iteration frees its stack buffers), any other is inlined.
//
// Loop bodies are allocation scopes too (scf.for, scf.while and
// scf.parallel are AutomaticAllocationScope ops), but convert-scf-to-cf
// leaves a memref.alloca in a loop body as an LLVM alloca that grows the
// stack at every iteration until the function returns. A fast kernel's
// parallel loop of one task (static sizes) folds into its body, and so its
// task buffer into the enclosing loop: a cell region's matmul over 300
// steps overflowed the 8 MiB stack. So a loop body that allocates on the
// stack gets the same stacksave / stackrestore.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQLOWERALLOCASCOPES
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

/// Whether a scope's `region` owns a memref.alloca (one not inside a nested
/// scope: an alloca_scope or a loop).
static bool allocatesOnStack(Region &region) {
  bool found = false;
  region.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (isa<memref::AllocaScopeOp, scf::ForOp, scf::WhileOp, scf::ParallelOp>(
            op))
      return WalkResult::skip();
    if (isa<memref::AllocaOp>(op)) {
      found = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

/// Whether memref `value` may be (a view of) a stack buffer. What is not
/// seen to be a heap buffer, a global or an argument may be.
static bool mayBeStackBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  Operation *def = value.getDefiningOp();
  return def && !isa<memref::AllocOp, memref::GetGlobalOp>(def);
}

namespace {
struct SeqLowerAllocaScopesPass
    : mlir::seq::impl::SeqLowerAllocaScopesBase<SeqLowerAllocaScopesPass> {
  void runOnOperation() override {
    // Outermost first, so that a scope sees its own allocas only (not those
    // of an inner scope already inlined into it).
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation()->walk<WalkOrder::PreOrder>([&](memref::AllocaScopeOp scope) {
      if (scope.getNumResults() == 0 && scope.getBodyRegion().hasOneBlock())
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    auto pointer = LLVM::LLVMPointerType::get(&getContext());
    // Loop bodies first, while their allocas are still told apart from
    // those of the scopes inside them. A body that passes on (to the next
    // iteration or out) a memref that may be a stack buffer is left alone.
    SmallVector<Region *> loopBodies;
    getOperation()->walk([&](Operation *op) {
      if (!isa<scf::ForOp, scf::WhileOp, scf::ParallelOp>(op))
        return;
      for (Region &region : op->getRegions()) {
        if (!region.hasOneBlock() || !allocatesOnStack(region))
          continue;
        Operation *terminator = region.front().getTerminator();
        if (llvm::any_of(terminator->getOperands(), [](Value v) {
              return isa<BaseMemRefType>(v.getType()) && mayBeStackBuffer(v);
            }))
          continue;
        loopBodies.push_back(&region);
      }
    });
    for (Region *region : loopBodies) {
      Block &body = region->front();
      Location loc = region->getParentOp()->getLoc();
      rewriter.setInsertionPointToStart(&body);
      Value saved = LLVM::StackSaveOp::create(rewriter, loc, pointer);
      rewriter.setInsertionPoint(body.getTerminator());
      LLVM::StackRestoreOp::create(rewriter, loc, saved);
    }
    for (memref::AllocaScopeOp scope : scopes) {
      Location loc = scope.getLoc();
      bool stack = allocatesOnStack(scope.getBodyRegion());
      Block &body = scope.getBodyRegion().front();
      rewriter.eraseOp(body.getTerminator());
      rewriter.setInsertionPoint(scope);
      Value saved;
      if (stack)
        saved = LLVM::StackSaveOp::create(rewriter, loc, pointer);
      rewriter.inlineBlockBefore(&body, scope);
      if (stack)
        LLVM::StackRestoreOp::create(rewriter, loc, saved);
      rewriter.eraseOp(scope);
    }
  }
};
} // namespace
