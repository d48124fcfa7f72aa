//===- TensorIRWriter.cpp - text IR for the model builder ----------------===//

#include "TensorIRWriter.h"

#include "seqc/Transforms/ProjectionForm.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;
using namespace seqc;

std::string Dim::operand() const {
  return isDynamic() ? value : std::to_string(size);
}

std::string TensorValue::type() const {
  std::string text = "tensor<";
  for (const Dim &d : dims)
    text += (d.isDynamic() ? "?" : std::to_string(d.size)) + "x";
  return text + elementType + ">";
}

std::string seqc::affineMap(unsigned rank, ArrayRef<unsigned> results) {
  SmallVector<std::string> loops, picked;
  for (unsigned i = 0; i < rank; ++i)
    loops.push_back("d" + std::to_string(i));
  for (unsigned r : results)
    picked.push_back("d" + std::to_string(r));
  return "affine_map<(" + join(loops, ", ") + ") -> (" + join(picked, ", ") +
         ")>";
}

static std::string identityMap(unsigned rank) {
  SmallVector<unsigned> all;
  for (unsigned i = 0; i < rank; ++i)
    all.push_back(i);
  return affineMap(rank, all);
}

/// The dynamic sizes of `dims` as an operand list: "%B, %L".
static std::string dynamicOperands(const Dims &dims) {
  SmallVector<std::string> values;
  for (const Dim &d : dims)
    if (d.isDynamic())
      values.push_back(d.value);
  return join(values, ", ");
}

static std::string mixedList(const Dims &dims) {
  SmallVector<std::string> values;
  for (const Dim &d : dims)
    values.push_back(d.operand());
  return "[" + join(values, ", ") + "]";
}

std::string TensorIRWriter::fresh(StringRef hint) {
  return ("%" + hint + "_" + Twine(counter++)).str();
}

void TensorIRWriter::line(const Twine &text) { body += "  " + text.str() + "\n"; }

std::string TensorIRWriter::index(int64_t value) {
  for (auto &[v, name] : indexConstants)
    if (v == value)
      return name;
  std::string name = fresh("c" + std::to_string(value));
  line(name + " = arith.constant " + Twine(value) + " : index");
  indexConstants.push_back({value, name});
  return name;
}

std::string TensorIRWriter::f32(double value) {
  std::string name = fresh("cst");
  // Hex bits: exact, and valid for any value.
  float f = static_cast<float>(value);
  uint32_t bits;
  memcpy(&bits, &f, sizeof(bits));
  line(name + " = arith.constant 0x" + utohexstr(bits, false, 8) + " : f32");
  return name;
}

TensorValue TensorIRWriter::empty(const Dims &dims, StringRef elementType) {
  TensorValue t{fresh("empty"), dims, elementType.str()};
  line(t.name + " = tensor.empty(" + dynamicOperands(dims) + ") : " +
       t.type());
  return t;
}

TensorValue TensorIRWriter::filled(const Dims &dims, StringRef scalar,
                                   StringRef elementType) {
  TensorValue e = empty(dims, elementType);
  TensorValue t{fresh("fill"), dims, elementType.str()};
  line(t.name + " = linalg.fill ins(" + scalar + " : " + elementType +
       ") outs(" + e.name + " : " + e.type() + ") -> " + t.type());
  return t;
}

TensorValue TensorIRWriter::generic(ArrayRef<TensorValue> ins,
                                    const TensorValue &out,
                                    ArrayRef<std::string> maps,
                                    ArrayRef<StringRef> iterators,
                                    StringRef bodyArgs, StringRef bodyText,
                                    StringRef hint) {
  unsigned loops = iterators.size();
  SmallVector<std::string> mapList(maps.begin(), maps.end());
  if (mapList.empty())
    for (size_t i = 0; i <= ins.size(); ++i)
      mapList.push_back(identityMap(loops));
  SmallVector<std::string> iters, names, types;
  for (StringRef it : iterators)
    iters.push_back(("\"" + it + "\"").str());
  for (const TensorValue &in : ins) {
    names.push_back(in.name);
    types.push_back(in.type());
  }
  TensorValue result{fresh(hint), out.dims, out.elementType};
  std::string text;
  raw_string_ostream os(text);
  os << result.name << " = linalg.generic {indexing_maps = ["
     << join(mapList, ", ") << "], iterator_types = [" << join(iters, ", ")
     << "]}";
  if (!ins.empty())
    os << " ins(" << join(names, ", ") << " : " << join(types, ", ") << ")";
  os << " outs(" << out.name << " : " << out.type() << ") {\n"
     << "  ^bb0(" << bodyArgs << "):\n"
     << bodyText << "  } -> " << result.type();
  line(text);
  return result;
}

TensorValue TensorIRWriter::linear(const TensorValue &x, const TensorValue &w,
                                   const TensorValue *bias) {
  // A contraction over loops (..., o, i): x[..., i] * w[o, i] summed over i,
  // the form -seq-fast-matmul turns into a vector kernel. (Not a 2-D matmul
  // over collapsed rows: a collapsed [B, L] of a strided view would need a
  // copy, and MLIR 22 cannot lower subviews of such an expand_shape.)
  unsigned loops = x.rank() + 1;
  auto [xDims, wDims, yDims] = mlir::seq::projectionDims(x.rank());
  Dims outDims(x.dims.begin(), x.dims.end() - 1);
  outDims.push_back(w.dims[0]);
  TensorValue init = filled(outDims, f32(0.0));
  TensorValue y{fresh("linear"), outDims};
  line(y.name + " = linalg.contract indexing_maps = [" +
       affineMap(loops, xDims) + ", " + affineMap(loops, wDims) + ", " +
       affineMap(loops, yDims) + "] ins(" + x.name + ", " + w.name + " : " +
       x.type() + ", " + w.type() + ") outs(" + init.name + " : " +
       init.type() + ") -> " + y.type());
  if (!bias)
    return y;
  // The bias runs along n, y's last dimension.
  unsigned last = y.rank() - 1;
  SmallVector<unsigned> all;
  for (unsigned i = 0; i <= last; ++i)
    all.push_back(i);
  return generic({y, *bias}, empty(y.dims),
                 {affineMap(y.rank(), all), affineMap(y.rank(), {last}),
                  affineMap(y.rank(), all)},
                 SmallVector<StringRef>(y.rank(), "parallel"),
                 "%a: f32, %b: f32, %o: f32",
                 "    %s = arith.addf %a, %b : f32\n"
                 "    linalg.yield %s : f32\n",
                 "biased");
}

TensorValue TensorIRWriter::rmsNorm(const TensorValue &x, const TensorValue &w,
                                    double eps) {
  unsigned rank = x.rank(), last = rank - 1;
  SmallVector<unsigned> all, outer;
  for (unsigned i = 0; i < rank; ++i) {
    all.push_back(i);
    if (i != last)
      outer.push_back(i);
  }
  Dims outerDims(x.dims.begin(), x.dims.end() - 1);
  SmallVector<StringRef> reduceIters(last, "parallel");
  reduceIters.push_back("reduction");
  TensorValue sums =
      generic({x}, filled(outerDims, f32(0.0)),
              {affineMap(rank, all), affineMap(rank, outer)}, reduceIters,
              "%a: f32, %acc: f32",
              "    %m = arith.mulf %a, %a : f32\n"
              "    %s = arith.addf %acc, %m : f32\n"
              "    linalg.yield %s : f32\n",
              "sumsq");
  std::string n = f32(static_cast<double>(x.dims[last].size));
  std::string e = f32(eps);
  // The weight spans the trailing dimensions (one per group of a grouped
  // norm, [groups, channels]).
  SmallVector<unsigned> weightDims;
  for (unsigned i = rank - w.rank(); i < rank; ++i)
    weightDims.push_back(i);
  return generic({x, sums, w}, empty(x.dims),
                 {affineMap(rank, all), affineMap(rank, outer),
                  affineMap(rank, weightDims), affineMap(rank, all)},
                 SmallVector<StringRef>(rank, "parallel"),
                 "%a: f32, %s: f32, %g: f32, %o: f32",
                 ("    %mean = arith.divf %s, " + n + " : f32\n" +
                  "    %t = arith.addf %mean, " + e + " : f32\n" +
                  "    %r = math.sqrt %t : f32\n" +
                  "    %q = arith.divf %a, %r : f32\n" +
                  "    %y = arith.mulf %q, %g : f32\n" +
                  "    linalg.yield %y : f32\n"),
                 "rmsnorm");
}

TensorValue TensorIRWriter::add(const TensorValue &a, const TensorValue &b) {
  return generic({a, b}, empty(a.dims), {},
                 SmallVector<StringRef>(a.rank(), "parallel"),
                 "%a: f32, %b: f32, %o: f32",
                 "    %s = arith.addf %a, %b : f32\n"
                 "    linalg.yield %s : f32\n",
                 "sum");
}

TensorValue TensorIRWriter::siluMul(const TensorValue &a,
                                    const TensorValue &b) {
  return generic({a, b}, empty(a.dims), {},
                 SmallVector<StringRef>(a.rank(), "parallel"),
                 "%a: f32, %b: f32, %o: f32",
                 "    %one = arith.constant 1.0 : f32\n"
                 "    %n = arith.negf %a : f32\n"
                 "    %e = math.exp %n : f32\n"
                 "    %d = arith.addf %one, %e : f32\n"
                 "    %s = arith.divf %a, %d : f32\n"
                 "    %y = arith.mulf %s, %b : f32\n"
                 "    linalg.yield %y : f32\n",
                 "swish");
}

TensorValue TensorIRWriter::gelu(const TensorValue &x) {
  return generic({x}, empty(x.dims), {},
                 SmallVector<StringRef>(x.rank(), "parallel"),
                 "%a: f32, %o: f32",
                 "    %half = arith.constant 0.5 : f32\n"
                 "    %one = arith.constant 1.0 : f32\n"
                 "    %rsqrt2 = arith.constant 0.707106781186547524 : f32\n"
                 "    %t = arith.mulf %a, %rsqrt2 : f32\n"
                 "    %e = math.erf %t : f32\n"
                 "    %p = arith.addf %one, %e : f32\n"
                 "    %h = arith.mulf %a, %half : f32\n"
                 "    %y = arith.mulf %h, %p : f32\n"
                 "    linalg.yield %y : f32\n",
                 "gelu");
}

TensorValue TensorIRWriter::negExp(const TensorValue &x) {
  return generic({x}, empty(x.dims), {},
                 SmallVector<StringRef>(x.rank(), "parallel"),
                 "%a: f32, %o: f32",
                 "    %e = math.exp %a : f32\n"
                 "    %y = arith.negf %e : f32\n"
                 "    linalg.yield %y : f32\n",
                 "negexp");
}

TensorValue TensorIRWriter::sliceLast(const TensorValue &x, int64_t offset,
                                      int64_t size) {
  Dims offsets, sizes, strides;
  for (int64_t i = 0; i + 1 < x.rank(); ++i) {
    offsets.push_back(Dim(0));
    sizes.push_back(x.dims[i]);
    strides.push_back(Dim(1));
  }
  offsets.push_back(Dim(offset));
  sizes.push_back(Dim(size));
  strides.push_back(Dim(1));
  TensorValue t{fresh("slice"), sizes, x.elementType};
  line(t.name + " = tensor.extract_slice " + x.name + mixedList(offsets) + " " +
       mixedList(sizes) + " " + mixedList(strides) + " : " + x.type() +
       " to " + t.type());
  return t;
}

TensorValue TensorIRWriter::expandLast(const TensorValue &x,
                                       ArrayRef<int64_t> sizes) {
  Dims dims(x.dims.begin(), x.dims.end() - 1);
  SmallVector<std::string> groups;
  for (int64_t i = 0; i + 1 < x.rank(); ++i)
    groups.push_back("[" + std::to_string(i) + "]");
  SmallVector<std::string> last;
  for (size_t i = 0; i < sizes.size(); ++i) {
    last.push_back(std::to_string(x.rank() - 1 + i));
    dims.push_back(Dim(sizes[i]));
  }
  groups.push_back("[" + join(last, ", ") + "]");
  TensorValue t{fresh("expand"), dims, x.elementType};
  line(t.name + " = tensor.expand_shape " + x.name + " [" + join(groups, ", ") +
       "] output_shape " + mixedList(dims) + " : " + x.type() + " into " +
       t.type());
  return t;
}

TensorValue TensorIRWriter::collapseFrom(const TensorValue &x, unsigned first) {
  Dims dims(x.dims.begin(), x.dims.begin() + first);
  SmallVector<std::string> groups, last;
  int64_t size = 1;
  for (unsigned i = 0; i < first; ++i)
    groups.push_back("[" + std::to_string(i) + "]");
  for (unsigned i = first; i < x.rank(); ++i) {
    last.push_back(std::to_string(i));
    size *= x.dims[i].size;
  }
  groups.push_back("[" + join(last, ", ") + "]");
  dims.push_back(Dim(size));
  TensorValue t{fresh("collapse"), dims, x.elementType};
  line(t.name + " = tensor.collapse_shape " + x.name + " [" +
       join(groups, ", ") + "] : " + x.type() + " into " + t.type());
  return t;
}

TensorValue TensorIRWriter::transpose(const TensorValue &x,
                                      ArrayRef<int64_t> perm) {
  Dims dims;
  SmallVector<std::string> permText;
  for (int64_t p : perm) {
    dims.push_back(x.dims[p]);
    permText.push_back(std::to_string(p));
  }
  TensorValue init = empty(dims, x.elementType);
  TensorValue t{fresh("transpose"), dims, x.elementType};
  line(t.name + " = linalg.transpose ins(" + x.name + " : " + x.type() +
       ") outs(" + init.name + " : " + init.type() + ") permutation = [" +
       join(permText, ", ") + "]");
  return t;
}
