//===- CellMath.cpp - the math of seq.recurrence's named cells -----------===//

#include "seqc/Dialect/Seq/IR/CellMath.h"
#include "seqc/Dialect/Seq/IR/ElementwiseMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::seq;

namespace {
struct CellMath {
  OpBuilder &b;
  Location l;
  Type type;

  Value c(double v) { return floatLike(b, l, type, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, l, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, l, x, y); }
  Value tanh(Value x) { return math::TanhOp::create(b, l, x); }
  Value exp(Value x) { return math::ExpOp::create(b, l, x); }
  Value max(Value x, Value y) { return arith::MaximumFOp::create(b, l, x, y); }
  Value sig(Value x) { return sigmoid(b, l, x); }

  /// New states from the input part `gx`, the recurrent part `gh` (bias
  /// included) of each gate, and the previous states.
  SmallVector<Value> apply(CellKind kind, ArrayRef<Value> gx,
                           ArrayRef<Value> gh, ArrayRef<Value> states) {
    auto pre = [&](int g) { return add(gx[g], gh[g]); };
    switch (kind) {
    case CellKind::lstm: {
      Value i = sig(pre(0)), f = sig(pre(1)), g = tanh(pre(2)), o = sig(pre(3));
      Value cNext = add(mul(f, states[1]), mul(i, g));
      return {mul(o, tanh(cNext)), cNext};
    }
    case CellKind::gru: {
      // PyTorch: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
      Value r = sig(pre(0)), z = sig(pre(1));
      Value n = tanh(add(gx[2], mul(r, gh[2])));
      return {add(mul(sub(c(1.0), z), n), mul(z, states[0]))};
    }
    case CellKind::elman:
      return {tanh(pre(0))};
    case CellKind::slstm: {
      // xLSTM's stabilized exponential gating, exponential forget gate:
      // m' = max(f~ + m, i~), i = exp(i~ - m'), f = exp(f~ + m - m').
      Value iTilde = pre(0), fTilde = pre(1);
      Value z = tanh(pre(2)), o = sig(pre(3));
      Value m = states[3];
      Value mNext = max(add(fTilde, m), iTilde);
      Value i = exp(sub(iTilde, mNext));
      Value f = exp(sub(add(fTilde, m), mNext));
      Value cNext = add(mul(f, states[1]), mul(i, z));
      Value nNext = add(mul(f, states[2]), i);
      return {mul(o, div(cNext, nNext)), cNext, nNext, mNext};
    }
    }
    return {};
  }
};
} // namespace

SmallVector<Value> mlir::seq::applyCell(OpBuilder &b, Location loc,
                                        CellKind kind, ArrayRef<Value> gx,
                                        ArrayRef<Value> gh,
                                        ArrayRef<Value> states) {
  return CellMath{b, loc, gx.front().getType()}.apply(kind, gx, gh, states);
}
