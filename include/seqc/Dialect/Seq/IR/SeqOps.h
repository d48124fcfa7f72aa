//===- SeqOps.h - operations of the seq dialect -----------------*- C++ -*-===//

#ifndef SEQC_DIALECT_SEQ_IR_SEQOPS_H
#define SEQC_DIALECT_SEQ_IR_SEQOPS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "seqc/Dialect/Seq/IR/SeqDialect.h"
#include "seqc/Dialect/Seq/IR/SeqEnums.h.inc"

#define GET_OP_CLASSES
#include "seqc/Dialect/Seq/IR/SeqOps.h.inc"

#endif // SEQC_DIALECT_SEQ_IR_SEQOPS_H
