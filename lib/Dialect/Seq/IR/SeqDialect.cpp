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
#include "seqc/Dialect/Seq/IR/SeqOps.h"

using namespace mlir;
using namespace mlir::seq;

#include "seqc/Dialect/Seq/IR/SeqOpsDialect.cpp.inc"
#include "seqc/Dialect/Seq/IR/SeqEnums.cpp.inc"

void SeqDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "seqc/Dialect/Seq/IR/SeqOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "seqc/Dialect/Seq/IR/SeqOps.cpp.inc"
