//===- seq-opt.cpp - mlir-opt with the seq dialect and seqc passes -------===//
//
// Every upstream dialect and pass plus the seq dialect and every seqc pass
// and pipeline, registered through seqc's one registration point.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "seqc/InitAllDialects.h"

int main(int argc, char **argv) {
  seqc::registerAllPasses();
  mlir::DialectRegistry registry;
  seqc::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "seq-opt: the seqc optimizer driver\n", registry));
}
