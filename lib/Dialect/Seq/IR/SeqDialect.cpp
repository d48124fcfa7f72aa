//===- SeqDialect.cpp - the seq dialect and its generated op classes -----===//
//
// The ODS-generated op definitions are compiled here, once; each op's
// verifier and interface methods live in a file named after the op.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/SeqDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Transforms/InliningUtils.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

using namespace mlir;
using namespace mlir::seq;

#include "seqc/Dialect/Seq/IR/SeqOpsDialect.cpp.inc"
#include "seqc/Dialect/Seq/IR/SeqEnums.cpp.inc"

namespace {
/// seq ops have no side effects beyond their results and no symbol
/// references: inlining a function that uses them is always legal.
struct SeqInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
  bool isLegalToInline(Region *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void SeqDialect::initialize() {
  addInterfaces<SeqInlinerInterface>();
  addOperations<
#define GET_OP_LIST
#include "seqc/Dialect/Seq/IR/SeqOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "seqc/Dialect/Seq/IR/SeqOps.cpp.inc"
