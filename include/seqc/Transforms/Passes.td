//===- Passes.td - seqc transformation passes --------------*- tablegen -*-===//

#ifndef SEQC_TRANSFORMS_PASSES_TD
#define SEQC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SeqMemrefCopyToLinalg : Pass<"seq-memref-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy so that it lowers to loops";
  let description = [{
    Upstream lowers a `memref.copy` between non-contiguous buffers to a call
    to `memrefCopy` in MLIR's C runner-utils library. Generated libraries must
    not depend on MLIR, so the CPU pipeline turns every copy into a
    `linalg.copy`, which `-convert-linalg-to-loops` turns into plain loops.

    ```mlir
    memref.copy %a, %b : memref<?xf32, strided<[?]>> to memref<?xf32>
    // becomes
    linalg.copy ins(%a : memref<?xf32, strided<[?]>>) outs(%b : memref<?xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def SeqReadOnlyArguments : Pass<"seq-read-only-arguments", "::mlir::ModuleOp"> {
  let summary = "Mark every tensor argument of every function read-only";
  let description = [{
    A library's inputs belong to its caller. One-Shot Bufferize reuses a
    function argument's buffer for an in-place update (an elementwise op on
    an argument, a recurrence state initialized from one) unless the argument
    is marked `bufferization.writable = false`; this pass marks them all, so
    such updates write to a copy.

    ```mlir
    func.func @f(%a: tensor<4xf32>) -> tensor<4xf32>
    // becomes
    func.func @f(%a: tensor<4xf32> {bufferization.writable = false}) -> tensor<4xf32>
    ```
  }];
}

#endif // SEQC_TRANSFORMS_PASSES_TD
