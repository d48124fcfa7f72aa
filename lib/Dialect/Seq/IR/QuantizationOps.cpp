//===- QuantizationOps.cpp - seq.dequantize, fake_quantize, hadamard -----===//
//
// Verifiers of the quantization ops. Quantized weights are static slices of
// a model's packed weights, so their shapes are static and checked exactly:
// a wrong group layout would read another tensor's bytes.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/SeqOps.h"

using namespace mlir;
using namespace mlir::seq;

int64_t DequantizeOp::getGroupSize() {
  int64_t inputs = getResult().getType().getDimSize(1);
  if (!getScales())
    return inputs;
  int64_t groups = getScales().getType().getDimSize(1);
  return groups > 0 ? inputs / groups : 0;
}

LogicalResult DequantizeOp::verify() {
  int64_t bits = getBits();
  if ((bits == 16) != !getScales())
    return emitOpError() << (bits == 16 ? "bf16 weights (bits 16) take no "
                                          "scales"
                                        : "integer weights need 'scales'");
  auto q = cast<RankedTensorType>(getQuantized().getType());
  auto w = cast<RankedTensorType>(getResult().getType());
  // bf16 has no scales: the result's type (one group of K) stands in for
  // them in the checks below.
  auto s = getScales() ? cast<RankedTensorType>(getScales().getType()) : w;
  for (auto [type, name] : {std::pair<RankedTensorType, StringRef>{q, "quantized"},
                            {s, "scales"},
                            {w, "result"}}) {
    if (type.getRank() != 2 || !type.hasStaticShape())
      return emitOpError() << "'" << name
                           << "' must be a 2-D tensor of static shape, got "
                           << type;
  }
  if (!q.getElementType().isInteger(8))
    return emitOpError() << "'quantized' must hold i8, got "
                         << q.getElementType();
  if (!s.getElementType().isF32())
    return emitOpError() << "'scales' must hold f32, got "
                         << s.getElementType();
  if (!w.getElementType().isF32())
    return emitOpError() << "the result must hold f32, got "
                         << w.getElementType();

  int64_t n = w.getDimSize(0), k = w.getDimSize(1);
  int64_t stored = bits == 16 ? 2 * k : bits == 8 ? k : k / 2;
  if (bits == 4 && k % 2 != 0)
    return emitOpError() << "4-bit weights need an even input size K, got "
                         << k;
  if (q.getDimSize(0) != n || q.getDimSize(1) != stored)
    return emitOpError() << "'quantized' must be [N, "
                         << (bits == 16 ? "2K" : bits == 8 ? "K" : "K / 2")
                         << "] = [" << n
                         << ", " << stored << "] for a [" << n << ", " << k
                         << "] result with " << bits << "-bit values, got ["
                         << q.getDimSize(0) << ", " << q.getDimSize(1) << "]";
  int64_t groups = s.getDimSize(1);
  if (s.getDimSize(0) != n || groups < 1 || k % groups != 0)
    return emitOpError() << "'scales' must be [N, G] with N = " << n
                         << " and G dividing K = " << k << ", got ["
                         << s.getDimSize(0) << ", " << groups << "]";
  if (bits == 4 && (k / groups) % 2 != 0)
    return emitOpError() << "4-bit groups must hold an even number of inputs "
                            "(two share a byte), got a group size of "
                         << k / groups;
  if (Value zeros = getZeroPoints()) {
    auto z = cast<RankedTensorType>(zeros.getType());
    if (bits == 16 || z.getShape() != s.getShape() ||
        !z.getElementType().isInteger(8))
      return emitOpError() << "'zero_points' must be i8 of the scales' shape "
                           << s << " (integer weights only), got " << z;
  }
  return success();
}

LogicalResult FakeQuantizeOp::verify() {
  auto type = cast<RankedTensorType>(getInput().getType());
  if (type.getRank() < 1 || !type.getElementType().isF32())
    return emitOpError() << "the input must be a tensor of f32 with at least "
                            "one dimension, got "
                         << type;
  if (std::optional<APFloat> threshold = getOutlierThreshold()) {
    if (!threshold->isFiniteNonZero() || threshold->isNegative())
      return emitOpError() << "'outlier_threshold' must be a positive finite "
                              "number, got "
                           << threshold->convertToFloat();
  }
  // A static scale is one per tensor; outlier columns are found per call.
  if (getScale() && getOutlierThreshold())
    return emitOpError() << "takes either a static 'scale' or an "
                            "'outlier_threshold', not both";
  return success();
}

LogicalResult HadamardOp::verify() {
  auto type = cast<RankedTensorType>(getInput().getType());
  if (type.getRank() < 1 || !type.getElementType().isF32())
    return emitOpError() << "the input must be a tensor of f32 with at least "
                            "one dimension, got "
                         << type;
  int64_t block = getBlock();
  if (!llvm::isPowerOf2_64(block))
    return emitOpError() << "'block' must be a power of two, got " << block;
  int64_t size = type.getDimSize(type.getRank() - 1);
  if (ShapedType::isDynamic(size) || size % block != 0)
    return emitOpError() << "the last dimension must be static and a "
                            "multiple of the block "
                         << block << ", got " << type;
  return success();
}
