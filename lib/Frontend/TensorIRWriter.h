//===- TensorIRWriter.h - text IR for the model builder ---------*- C++ -*-===//
//
// The model builder writes MLIR text, op by op, and parses it once: the ops
// of a model (projections, norms, RoPE, slices of packed buffers) read far
// more plainly as the IR they produce than as builder calls, and the parser
// and verifier check every line. This writer names SSA values, spells
// tensor types, and provides the ops a model is made of on f32 tensors
// whose dimensions are static or named index values (%B, %L).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_FRONTEND_TENSORIRWRITER_H
#define SEQC_LIB_FRONTEND_TENSORIRWRITER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <string>

namespace seqc {

/// A static size, or a dynamic one held by an index value ("%B").
struct Dim {
  int64_t size = 0;
  std::string value;
  Dim(int64_t size) : size(size) {}
  Dim(std::string value) : size(-1), value(std::move(value)) {}
  bool isDynamic() const { return size < 0; }
  /// As an operand of a mixed size list: "%B" or "64".
  std::string operand() const;
};

using Dims = llvm::SmallVector<Dim, 4>;

struct TensorValue {
  std::string name;
  Dims dims;
  std::string elementType = "f32";
  std::string type() const;
  int64_t rank() const { return dims.size(); }
};

class TensorIRWriter {
public:
  std::string fresh(llvm::StringRef hint);
  void line(const llvm::Twine &text);
  const std::string &text() const { return body; }

  /// An index constant (cached).
  std::string index(int64_t value);
  /// An f32 constant.
  std::string f32(double value);

  TensorValue empty(const Dims &dims, llvm::StringRef elementType = "f32");
  TensorValue filled(const Dims &dims, llvm::StringRef scalar,
                     llvm::StringRef elementType = "f32");

  /// x [..., in] times w [out, in] transposed (+ bias [out]): [..., out].
  TensorValue linear(const TensorValue &x, const TensorValue &w,
                     const TensorValue *bias = nullptr);
  /// x / sqrt(mean(x^2) + eps) * w over the last dimension; w spans the
  /// trailing dimensions of x.
  TensorValue rmsNorm(const TensorValue &x, const TensorValue &w, double eps);
  TensorValue add(const TensorValue &a, const TensorValue &b);
  /// silu(a) * b.
  TensorValue siluMul(const TensorValue &a, const TensorValue &b);
  /// gelu(x), the exact (erf) form.
  TensorValue gelu(const TensorValue &x);
  /// -exp(x).
  TensorValue negExp(const TensorValue &x);

  /// x[..., offset : offset + size] along the last dimension.
  TensorValue sliceLast(const TensorValue &x, int64_t offset, int64_t size);
  /// Splits the last dimension into `sizes`.
  TensorValue expandLast(const TensorValue &x, llvm::ArrayRef<int64_t> sizes);
  /// Merges the dimensions from `first` to the last into one.
  TensorValue collapseFrom(const TensorValue &x, unsigned first);
  TensorValue transpose(const TensorValue &x, llvm::ArrayRef<int64_t> perm);

  /// A generic over the shape of `out` applying `bodyText` (which ends in
  /// linalg.yield) to `ins`, all with identity maps unless `maps` names
  /// each operand's map ("(d0, d1) -> (d1)" style results only).
  TensorValue generic(llvm::ArrayRef<TensorValue> ins, const TensorValue &out,
                      llvm::ArrayRef<std::string> maps,
                      llvm::ArrayRef<llvm::StringRef> iterators,
                      llvm::StringRef bodyArgs, llvm::StringRef bodyText,
                      llvm::StringRef hint);

private:
  std::string body;
  unsigned counter = 0;
  llvm::SmallVector<std::pair<int64_t, std::string>> indexConstants;
};

/// "(d0, d1, d2) -> (d0, d2)": an affine map over `rank` loops selecting
/// `results`.
std::string affineMap(unsigned rank, llvm::ArrayRef<unsigned> results);

} // namespace seqc

#endif // SEQC_LIB_FRONTEND_TENSORIRWRITER_H
