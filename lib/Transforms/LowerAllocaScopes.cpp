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
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQLOWERALLOCASCOPES
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

/// Whether `scope` owns a memref.alloca (one not inside a nested scope).
static bool allocatesOnStack(memref::AllocaScopeOp scope) {
  bool found = false;
  scope.getBodyRegion().walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (isa<memref::AllocaScopeOp>(op) && op != scope)
      return WalkResult::skip();
    if (isa<memref::AllocaOp>(op)) {
      found = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
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
    for (memref::AllocaScopeOp scope : scopes) {
      Location loc = scope.getLoc();
      bool stack = allocatesOnStack(scope);
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
