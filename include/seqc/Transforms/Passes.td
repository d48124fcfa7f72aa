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

#endif // SEQC_TRANSFORMS_PASSES_TD
