//===- KernelBuilder.h - terse builders for the fast lowerings' loops -----===//
//
// The fast lowerings emit loop nests of index arithmetic, scalar loads and
// vector FMAs directly; these helpers keep that code readable. Loops take
// a body callback that emits at the same builder (its insertion point is
// restored afterwards).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_TRANSFORMS_KERNELBUILDER_H
#define SEQC_LIB_TRANSFORMS_KERNELBUILDER_H

#include <atomic>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/TypeUtilities.h"
#include "seqc/Dialect/Seq/IR/SeqDialect.h"

namespace mlir::seq {

/// Whether every operand of `op` holds f32 (the fast lowerings' type).
inline bool allOperandsF32(Operation *op) {
  return llvm::all_of(op->getOperandTypes(),
                      [](Type t) { return getElementTypeOrSelf(t).isF32(); });
}

/// Whether `op` is inside the region of a seq op (a cell region, lowered
/// with its op).
inline bool insideSeqRegion(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp())
    if (isa<SeqDialect>(parent->getDialect()))
      return true;
  return false;
}

/// Whether an operand or result of `op` has a dimension of static size 0.
inline bool hasStaticEmptyDim(Operation *op) {
  auto empty = [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && shaped.hasRank() &&
           llvm::is_contained(shaped.getShape(), 0);
  };
  return llvm::any_of(op->getOperandTypes(), empty) ||
         llvm::any_of(op->getResultTypes(), empty);
}

/// Runs a lowering over every `OpT` under `root`: `reason` says why an op
/// stays with the reference lowering (null when it does not; a remark with
/// `emitRemarks`), `rewrite` replaces the others. Ops inside another seq
/// op's region are always left (they are lowered with that op), and so are
/// ops with a static size of 0: there is no work, the reference lowering's
/// loops run none, and the kernels divide by sizes such as a head's.
template <typename OpT>
void rewriteSupported(Operation *root, bool emitRemarks,
                      function_ref<const char *(OpT)> reason,
                      function_ref<void(OpT)> rewrite) {
  SmallVector<OpT> ops;
  root->walk([&](OpT op) { ops.push_back(op); });
  for (OpT op : ops) {
    const char *why = hasStaticEmptyDim(op)
                          ? "a dimension of size 0 (nothing to compute)"
                          : reason(op);
    if (!why && insideSeqRegion(op))
      why = "inside the region of another seq op";
    if (!why)
      rewrite(op);
    else if (emitRemarks)
      op->emitRemark() << "left for the reference lowering: " << why;
  }
}

/// The same for a fast CPU lowering on vectors of `lanes` f32; fails, with
/// an error on `root`, when `lanes` is not a vector width.
template <typename OpT>
LogicalResult rewriteSupported(Operation *root, StringRef pass, int64_t lanes,
                               bool emitRemarks,
                               function_ref<const char *(OpT)> reason,
                               function_ref<void(OpT)> rewrite) {
  if (lanes != 4 && lanes != 8 && lanes != 16)
    return root->emitError()
           << pass << ": lanes must be 4, 8 or 16 (got " << lanes << ")";
  rewriteSupported<OpT>(root, emitRemarks, reason, rewrite);
  return success();
}

/// `type` as a buffer with a unit innermost stride and any other strides:
/// the buffers of function arguments and most others cast to it
/// (bufferization copies the rest), and addressing stays simple.
inline MemRefType rowMajorBuffer(ShapedType type) {
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  strides.back() = 1;
  auto layout =
      StridedLayoutAttr::get(type.getContext(), ShapedType::kDynamic, strides);
  return MemRefType::get(type.getShape(), type.getElementType(), layout);
}

struct KernelBuilder {
  ImplicitLocOpBuilder &b;

  /// The buffer of a tensor operand, read only: the fast lowerings work on
  /// buffers inside tensor-level IR.
  ///
  /// One-shot bufferization takes the to_buffer as the tensor's last read,
  /// so it must stay next to the kernel that reads the buffer. Each gets
  /// an attribute of its own (`seq.read`, gone with bufferization) so that
  /// CSE cannot merge the to_buffers of two kernels reading one tensor:
  /// the merged op would sit before the first kernel, and an op between
  /// the kernels could then reuse the tensor's buffer in place while the
  /// second kernel still reads it (a GLA block with a shared tensor.empty
  /// computed wrong results that way).
  Value readBuffer(Value tensor) {
    static std::atomic<int64_t> reads{0};
    auto read = bufferization::ToBufferOp::create(
        b, rowMajorBuffer(cast<ShapedType>(tensor.getType())), tensor,
        /*read_only=*/true);
    read->setAttr("seq.read", b.getI64IntegerAttr(reads++));
    return read;
  }
  /// A fresh f32 buffer of `shape`; `dynamicSizes` has its dynamic sizes.
  Value allocF32(ArrayRef<int64_t> shape, ValueRange dynamicSizes = {}) {
    return memref::AllocOp::create(b, MemRefType::get(shape, b.getF32Type()),
                                   dynamicSizes);
  }
  /// A fresh f32 buffer for the tensor `result` of the op being lowered;
  /// `sizes` has one size per dimension (those of static ones are unused).
  Value allocResult(Value result, ArrayRef<Value> sizes) {
    return allocResultOf(result, sizes, b.getF32Type());
  }
  /// The same in `result`'s own element type.
  Value allocResultBuffer(Value result, ArrayRef<Value> sizes) {
    return allocResultOf(result, sizes,
                         cast<ShapedType>(result.getType()).getElementType());
  }
  Value allocResultOf(Value result, ArrayRef<Value> sizes, Type element) {
    auto type = cast<ShapedType>(result.getType());
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(sizes[d]);
    return memref::AllocOp::create(
        b, MemRefType::get(type.getShape(), element), dynamicSizes);
  }
  /// A fresh buffer of `type`'s shape as the tensor result of a lowering.
  Value resultTensor(Value buffer, Type type) {
    auto exact = MemRefType::get(cast<ShapedType>(type).getShape(),
                                 cast<ShapedType>(type).getElementType());
    if (buffer.getType() != exact)
      buffer = memref::CastOp::create(b, exact, buffer);
    return bufferization::ToTensorOp::create(b, type, buffer,
                                             /*restrict=*/true,
                                             /*writable=*/true);
  }

  /// `x` widened to f32 (the GPU kernels compute f16/bf16 in f32), and
  /// back to `element`.
  Value toF32(Value x) {
    return x.getType().isF32() ? x
                               : arith::ExtFOp::create(b, b.getF32Type(), x);
  }
  Value fromF32(Value x, Type element) {
    return element.isF32() ? x : arith::TruncFOp::create(b, element, x);
  }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, x, y); }
  Value ceilDiv(Value x, Value y) {
    return arith::CeilDivUIOp::create(b, x, y);
  }
  /// The number of elements of the row-major index space of the
  /// dimensions of `sizes` that are not in `skip`.
  Value product(ArrayRef<Value> sizes, ArrayRef<int64_t> skip) {
    Value count = index(1);
    for (auto [d, size] : llvm::enumerate(sizes))
      if (!llvm::is_contained(skip, int64_t(d)))
        count = mul(count, size);
    return count;
  }
  /// The indices of element `linear` of that index space, in a vector of
  /// all the dimensions with those in `skip` left null (to be filled in:
  /// a row of a tensor, say, with its scanned dimension skipped).
  SmallVector<Value> delinearize(Value linear, ArrayRef<Value> sizes,
                                 ArrayRef<int64_t> skip) {
    SmallVector<Value> at(sizes.size());
    for (int64_t d = int64_t(sizes.size()) - 1; d >= 0; --d) {
      if (llvm::is_contained(skip, d))
        continue;
      at[d] = rem(linear, sizes[d]);
      linear = div(linear, sizes[d]);
    }
    return at;
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, p, x, y);
  }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value load(Value memref, ValueRange at) {
    return memref::LoadOp::create(b, memref, at);
  }
  void store(Value value, Value memref, ValueRange at) {
    memref::StoreOp::create(b, value, memref, at);
  }
  /// The size of dimension `d` of a memref, constant when static.
  Value dim(Value memref, int64_t d) {
    int64_t size = cast<MemRefType>(memref.getType()).getDimSize(d);
    return ShapedType::isDynamic(size)
               ? memref::DimOp::create(b, memref, d).getResult()
               : index(size);
  }

  /// scf.for over [lb, ub) by `step` carrying `inits`; `fn` gets the
  /// induction variable and the carried values and returns the next ones.
  SmallVector<Value>
  loop(Value lb, Value ub, Value step, ValueRange inits,
       function_ref<SmallVector<Value>(Value, ValueRange)> fn) {
    auto forOp = scf::ForOp::create(b, lb, ub, step, inits);
    OpBuilder::InsertionGuard guard(b);
    Block *body = forOp.getBody();
    if (body->mightHaveTerminator())
      b.setInsertionPoint(body->getTerminator());
    else
      b.setInsertionPointToEnd(body);
    SmallVector<Value> yielded =
        fn(forOp.getInductionVar(), forOp.getRegionIterArgs());
    if (!inits.empty())
      scf::YieldOp::create(b, yielded);
    return SmallVector<Value>(forOp.getResults().begin(),
                              forOp.getResults().end());
  }
  /// scf.for over [lb, ub) by 1 without carried values.
  void loop(Value lb, Value ub, function_ref<void(Value)> fn) {
    loop(lb, ub, index(1), {}, [&](Value iv, ValueRange) {
      fn(iv);
      return SmallVector<Value>{};
    });
  }
  /// fn(i * stride) for i < count: unrolled (constant offsets) up to
  /// `maxUnrolled` times, an scf.for beyond, so that the code does not grow
  /// with a size (a head, a channel count) no model bounds.
  void forEachOffset(int64_t count, int64_t stride, int64_t maxUnrolled,
                     function_ref<void(Value)> fn) {
    if (count <= maxUnrolled) {
      for (int64_t i = 0; i < count; ++i)
        fn(index(i * stride));
      return;
    }
    loop(index(0), index(count), [&](Value i) { fn(mul(i, index(stride))); });
  }
  /// scf.parallel over [0, n): each iteration a task for the threads.
  scf::ParallelOp parallel(Value n, function_ref<void(Value)> fn) {
    auto par = scf::ParallelOp::create(b, ValueRange{index(0)}, ValueRange{n},
                                       ValueRange{index(1)});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(par.getBody()->getTerminator());
    fn(par.getInductionVars().front());
    return par;
  }
  /// scf.if without results.
  void ifThen(Value condition, function_ref<void()> fn) {
    auto ifOp = scf::IfOp::create(b, condition, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    fn();
  }
  /// scf.if with an else branch, without results.
  void ifThenElse(Value condition, function_ref<void()> then,
                  function_ref<void()> otherwise) {
    auto ifOp = scf::IfOp::create(b, condition, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    then();
    b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
    otherwise();
  }
};

/// A KernelBuilder for kernels on vectors of `lanes` f32.
struct VectorKernelBuilder : KernelBuilder {
  int64_t lanes;

  VectorType vec() { return VectorType::get({lanes}, b.getF32Type()); }
  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, vec(), scalar);
  }
  Value loadVec(Value memref, ValueRange at) {
    return vector::LoadOp::create(b, vec(), memref, at);
  }
  void storeVec(Value v, Value memref, ValueRange at) {
    vector::StoreOp::create(b, v, memref, at);
  }
  /// A mask of the first `count` lanes (a vector that runs past a row's
  /// end), or null for all of them.
  Value firstLanes(int64_t count) {
    if (count >= lanes)
      return Value();
    return vector::ConstantMaskOp::create(
        b, VectorType::get({lanes}, b.getI1Type()), ArrayRef<int64_t>{count});
  }
  /// loadVec and storeVec of the lanes in `mask` only (all where it is
  /// null); masked-off lanes load as 0.
  Value loadVec(Value memref, ValueRange at, Value mask) {
    if (!mask)
      return loadVec(memref, at);
    return vector::MaskedLoadOp::create(
        b, vec(), memref, at, mask,
        arith::ConstantOp::create(b, b.getZeroAttr(vec())));
  }
  void storeVec(Value v, Value memref, ValueRange at, Value mask) {
    if (!mask)
      return storeVec(v, memref, at);
    vector::MaskedStoreOp::create(b, memref, at, mask, v);
  }
};

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_KERNELBUILDER_H
