//===- InitAllDialects.h - the one registration point -----------*- C++ -*-===//
//
// Every tool (seq-opt, seqc, the Python module) registers dialects and
// passes through these two functions, so they all see the same set.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_INITALLDIALECTS_H
#define SEQC_INITALLDIALECTS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace seqc {

/// Adds the seq dialect and every upstream dialect (with their interface
/// extensions) to `registry`.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers every upstream pass and every seqc pass and pipeline with the
/// global pass registry. Safe to call more than once.
void registerAllPasses();

} // namespace seqc

#endif // SEQC_INITALLDIALECTS_H
