//===- ElementwiseMath.cpp - activations shared by the lowerings ----------===//

#include "seqc/Dialect/Seq/IR/ElementwiseMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seq;

Value mlir::seq::floatLike(OpBuilder &b, Location loc, Type type,
                           double value) {
  FloatAttr scalar = b.getFloatAttr(getElementTypeOrSelf(type), value);
  if (auto vector = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(vector, scalar));
  return arith::ConstantOp::create(b, loc, scalar);
}

Value mlir::seq::sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = floatLike(b, loc, x.getType(), 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}

Value mlir::seq::silu(OpBuilder &b, Location loc, Value x) {
  return arith::MulFOp::create(b, loc, x, sigmoid(b, loc, x));
}

Value mlir::seq::softplus(OpBuilder &b, Location loc, Value x) {
  Value threshold = floatLike(b, loc, x.getType(), 20.0);
  Value soft = math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, x));
  Value large =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, threshold);
  return arith::SelectOp::create(b, loc, large, x, soft);
}

Value mlir::seq::applyActivation(OpBuilder &b, Location loc, Value x,
                                 Activation act) {
  switch (act) {
  case Activation::none:
    return x;
  case Activation::silu:
    return silu(b, loc, x);
  case Activation::relu:
    return arith::MaximumFOp::create(b, loc, x,
                                     floatLike(b, loc, x.getType(), 0.0));
  case Activation::gelu: {
    // The exact (erf) form, as torch.nn.functional.gelu's default.
    Value scaled = arith::MulFOp::create(
        b, loc, x, floatLike(b, loc, x.getType(), M_SQRT1_2));
    Value onePlus =
        arith::AddFOp::create(b, loc, floatLike(b, loc, x.getType(), 1.0),
                              math::ErfOp::create(b, loc, scaled));
    Value half =
        arith::MulFOp::create(b, loc, x, floatLike(b, loc, x.getType(), 0.5));
    return arith::MulFOp::create(b, loc, half, onePlus);
  }
  case Activation::tanh:
    return math::TanhOp::create(b, loc, x);
  }
  return x;
}
