//===- GpuScanBatchDim.cpp - -seq-gpu-scan-batch-dim ----------------------===//
//
// A seq.scan along a tensor's only dimension has no parallel dimension: its
// reference lowering is one host loop, with nothing for the CUDA target to
// map to threads. With a leading unit dimension the same lowering is a
// parallel loop of one iteration around the sequential one, which becomes a
// kernel of one thread (see the pass description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/SeqOps.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPUSCANBATCHDIM
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

/// `value` (rank 0 or 1) with a leading unit dimension.
static Value addUnitDim(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape = {1};
  llvm::append_range(shape, type.getShape());
  SmallVector<ReassociationIndices> groups;
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  if (type.getRank() == 1) {
    groups.push_back({0, 1});
    sizes.push_back(tensor::getMixedSize(b, loc, value, 0));
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      groups, sizes);
}

namespace {
struct SeqGpuScanBatchDimPass
    : mlir::seq::impl::SeqGpuScanBatchDimBase<SeqGpuScanBatchDimPass> {
  void runOnOperation() override {
    SmallVector<seq::ScanOp> scans;
    getOperation()->walk([&](seq::ScanOp scan) {
      if (cast<RankedTensorType>(scan.getInputs().front().getType())
              .getRank() == 1)
        scans.push_back(scan);
    });
    for (seq::ScanOp scan : scans) {
      OpBuilder b(scan);
      Location loc = scan.getLoc();
      SmallVector<Value> inputs, inits;
      SmallVector<Type> types;
      for (Value input : scan.getInputs()) {
        inputs.push_back(addUnitDim(b, loc, input));
        types.push_back(inputs.back().getType());
      }
      for (Value init : scan.getInits())
        inits.push_back(addUnitDim(b, loc, init));
      auto batched = seq::ScanOp::create(b, loc, types, inputs, inits,
                                         b.getI64IntegerAttr(1),
                                         scan.getExclusiveAttr(),
                                         scan.getReverseAttr());
      batched.getCombiner().takeBody(scan.getCombiner());
      for (auto [old, result] :
           llvm::zip_equal(scan.getResults(), batched.getResults()))
        old.replaceAllUsesWith(tensor::CollapseShapeOp::create(
            b, loc, old.getType(), result,
            SmallVector<ReassociationIndices>{{0, 1}}));
      scan.erase();
    }
  }
};
} // namespace
