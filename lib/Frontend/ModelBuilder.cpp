//===- ModelBuilder.cpp - a ModelSpec as seq + upstream IR ---------------===//
//
// Writes @forward and @step (ModelBuilder.h) block by block:
//
//   tokens ─ embed ─┬─ rmsnorm ─ mixer ─(+)─┬─ rmsnorm ─ mlp ─(+)─ ... ─ rmsnorm ─ head ─ logits
//                   └─────────────────────┘ └──────────────────┘
//
// Each block is a private function (blocks of the same shape share one, so
// compile time does not grow with depth), called with its weights' base in
// the packed weights and its pieces of state, which it returns updated.
// attention: projections, RoPE at absolute positions (position + l), the new
// keys and values written into the donated KV caches at `position`, then
// seq.attention over the caches with kv_len = position + L (its causal mask
// is end-aligned, so query l sits at position + l). mamba / mamba2: in_proj,
// the streaming seq.conv1d (state: its last inputs), then
// seq.selective_scan / seq.linear_attention from the carried SSM state.
// lstm / gru: seq.recurrence with the named cell from the carried h (c).
// conv: the streaming seq.conv1d.
//
//===----------------------------------------------------------------------===//

#include "seqc/Frontend/ModelBuilder.h"

#include "TensorIRWriter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <set>

using namespace llvm;
using namespace seqc;

namespace {

struct WeightSlot {
  std::string name; // in the safetensors file
  SmallVector<int64_t> shape;
  int64_t offset = 0; // in the qweights (bytes) when quantized
  int bits = 0;       // 8 or 4 when quantized, 16 for bf16
  int64_t groupSize = 0, scaleOffset = 0;
  int64_t rotation = 0; // Hadamard block of the rows (int8-ssm out_proj)
  int64_t zeroOffset = -1; // bytes of its zero points in the qweights
};

/// Where the weights and the per-sequence state live in the packed buffers.
/// The same for @forward and @step (both are built with one Layout).
/// A KV cache, conv or SSM state: its own donated argument of [B, shape].
struct StatePiece {
  std::string name;
  SmallVector<int64_t> shape; // per sequence
  int64_t offset = 0;         // in the instance's buffer, per sequence
};

/// Where the weights live in the packed buffer, and the pieces of state
/// (each its own argument). The same for @forward and @step (both are
/// built with one Layout).
struct Layout {
  std::vector<WeightSlot> weights;
  StringMap<size_t> weightIndex;
  int64_t weightsSize = 0;
  std::vector<StatePiece> state;
  int64_t stateSize = 0; // per sequence
  /// Where each block's weights start: a block's weights are contiguous and
  /// in the same order for blocks of the same shape, so one function
  /// serves them all with the base as an argument.
  std::vector<int64_t> blockBases;
  /// The same for the quantized weights (bytes).
  int64_t qweightsSize = 0;
  std::vector<int64_t> blockQBases;
  bool frozen = false;

  // Slots start on 64-byte boundaries, as vector loads like them.
  static int64_t align(int64_t n) { return (n + 15) / 16 * 16; }
};

/// One function: @forward / @step (the entry), or a block's function.
class FunctionBuilder {
public:
  /// `pieces` counts the pieces of state read so far (shared by an entry
  /// and its blocks' builders).
  FunctionBuilder(const ModelSpec &spec, Layout &layout, bool step,
                  unsigned &pieces)
      : spec(spec), layout(layout), length(step ? Dim(1) : Dim("%L")),
        statePieces(pieces) {}

  /// The entry function `name`, and the block functions it calls.
  std::string build(StringRef name);

private:
  const ModelSpec &spec;
  Layout &layout;
  TensorIRWriter w;
  Dim batch{std::string("%B")};
  Dim length;
  std::string position;  // index: the first new token's position
  std::string positionI; // the same as i32 + L, kv_len
  unsigned &statePieces;
  /// The updated value of each piece of state read, in order: returned.
  std::vector<TensorValue> nextState;
  /// In a block's function: the base of its weights (an argument), and the
  /// pieces of state it reads (its arguments), by global index.
  bool inBlock = false;
  int64_t blockBase = 0, blockQBase = 0;
  std::vector<unsigned> blockPieces;
  /// int8-ssm: the static scales this block's scans use, in order; a
  /// block's function takes them as an argument (%ssm_scales) so that
  /// layers of one shape still share one function.
  std::vector<double> blockScales;

  /// The text of block `index` as a function named `name` (the caller
  /// dedupes identical texts).
  std::string buildBlock(StringRef name, const BlockSpec &block,
                         const std::string &prefix);
  /// %pos (clamped), %end, %fit and %kv_len from the position index `raw`.
  void emitPositions(StringRef raw);
  TensorValue emitBlock(const TensorValue &x, const BlockSpec &block,
                        const std::string &prefix);
  TensorValue mixer(const TensorValue &x, const BlockSpec &block,
                    const std::string &prefix);

  int64_t dModel() const { return spec.dModel; }
  // Final once the layout is frozen (the first, sizing build writes
  // placeholders that are discarded).
  std::string weightsType() const {
    return "tensor<" + std::to_string(std::max<int64_t>(layout.weightsSize, 1)) +
           "xf32>";
  }
  bool quantized() const { return spec.quantBits != 0; }
  std::string qweightsType() const {
    return "tensor<" +
           std::to_string(std::max<int64_t>(layout.qweightsSize, 1)) + "xi8>";
  }
  TensorValue weight(StringRef canonical, ArrayRef<int64_t> shape);
  /// The weight [out, in] of a projection: quantized (a seq.dequantize of
  /// slices of the qweights and weights) when the model is and the group
  /// layout suits the vector kernels, else a plain weight.
  TensorValue projection(StringRef canonical, int64_t out, int64_t in,
                         int64_t rotation = 0);
  /// The stored values and scales of a projection weight [out, in] when the
  /// model quantizes it (registering its slot), else nullopt.
  struct QuantizedWeight {
    TensorValue values, scales;
    int bits;
    int64_t group;
    std::optional<TensorValue> zeros; // asymmetric weights
  };
  std::optional<QuantizedWeight> quantizedWeight(StringRef canonical,
                                                 int64_t out, int64_t in,
                                                 int64_t rotation = 0);
  /// --quantize=int8-ssm: the Hadamard block by which the output
  /// projection `canonical` of a Mamba block is rotated (0: none), its
  /// weight registered rotated. Its input is rotated by rotate() and the
  /// weight rows by the runtime, so that the outlier channels of y are
  /// spread before y is quantized. Only an int8 projection is rotated.
  int64_t outputRotation(StringRef canonical, int64_t in);
  TensorValue rotate(const TensorValue &y, int64_t block);
  /// An input of an SSM scan ([B, L, width]) under `key`: observed for
  /// calibration, quantized with its static scale for int8-ssm.
  TensorValue ssmInput(const TensorValue &x, const std::string &key);
  /// x times the projection weight `weight` (+ bias): with W8A8, x is
  /// quantized per token first when the weight is int8.
  TensorValue linear(const TensorValue &x, const TensorValue &weight,
                     const TensorValue *bias = nullptr);
  /// The names of this function's int8 weights whose input is quantized,
  /// and of its bf16 weights (whose input is rounded to bf16).
  std::set<std::string> activationQuantized, activationRounded;
  /// `count` elements of the packed `buffer` at `offset`, relative to the
  /// block's `base` inside a block's function.
  TensorValue packedSlice(StringRef buffer, StringRef bufferType,
                          StringRef elementType, int64_t offset,
                          int64_t count, StringRef base, int64_t blockBase);
  /// A piece of state: an argument of [B, shape...], donated (updated in
  /// place), returned as the piece's next value. Returns the argument.
  TensorValue readState(StringRef name, ArrayRef<int64_t> shape);
  void writeState(const TensorValue &value);
  /// Writes the keys or values `kv` ([B, heads, L, D]) into `cache` at the
  /// current position.
  void appendToCache(const TensorValue &cache, const TensorValue &kv);

  /// The input (token ids, or feature vectors with input_dim) embedded:
  /// [B, L, d_model].
  TensorValue embed(StringRef input);
  TensorValue attention(const TensorValue &x, const AttentionSpec &a,
                        const std::string &prefix);
  TensorValue rope(const TensorValue &x, const AttentionSpec &a);
  TensorValue mamba(const TensorValue &x, const MambaSpec &m,
                    const std::string &prefix);
  TensorValue mamba2(const TensorValue &x, const Mamba2Spec &m,
                     const std::string &prefix);
  /// seq.linear_attention of q, k, v ([B, H, L, d]) from the carried state
  /// `stateName` ([H, Dk, stateColumns]), with the optional `decay` and
  /// `beta`, and `attrs` ("scale = ..." ...); returns the output
  /// [B, H, L, valueDim].
  TensorValue linearAttention(const TensorValue &q, const TensorValue &k,
                              const TensorValue &v, const TensorValue *decay,
                              const TensorValue *beta,
                              const std::string &stateName,
                              int64_t stateColumns, StringRef attrs);
  TensorValue gla(const TensorValue &x, const GLASpec &g,
                  const std::string &prefix);
  TensorValue gatedDeltaNet(const TensorValue &x, const GatedDeltaNetSpec &g,
                            const std::string &prefix);
  TensorValue mlstm(const TensorValue &x, const MLSTMSpec &m,
                    const std::string &prefix);
  TensorValue rnn(const TensorValue &x, const RNNSpec &r, bool lstm,
                  const std::string &prefix);
  TensorValue conv(const TensorValue &x, const ConvSpec &c,
                   const std::string &prefix);
  /// A causal depthwise conv1d over x's channels, its inputs carried in
  /// the state piece `stateName` (none for a single tap).
  TensorValue streamingConv(const TensorValue &x, const TensorValue &cw,
                            const TensorValue *bias,
                            const std::string &stateName, int64_t dilation,
                            StringRef activation);
  TensorValue mlp(const TensorValue &x, const BlockSpec &block,
                  const std::string &prefix);
};

} // namespace

TensorValue FunctionBuilder::weight(StringRef canonical,
                                    ArrayRef<int64_t> shape) {
  std::string fileName = spec.weightName(canonical);
  auto it = layout.weightIndex.find(fileName);
  int64_t offset;
  if (it != layout.weightIndex.end()) {
    offset = layout.weights[it->second].offset;
  } else {
    // @step is built after @forward with the layout already complete.
    assert(!layout.frozen && "a weight only @step reads");
    offset = layout.weightsSize;
    layout.weightIndex[fileName] = layout.weights.size();
    int64_t count = 1;
    for (int64_t s : shape)
      count *= s;
    layout.weights.push_back(
        {fileName, SmallVector<int64_t>(shape.begin(), shape.end()), offset});
    layout.weightsSize = Layout::align(offset + count);
  }
  int64_t count = 1;
  for (int64_t s : shape)
    count *= s;
  TensorValue flat = packedSlice("%weights", weightsType(), "f32", offset,
                                 count, "%base", blockBase);
  if (shape.size() == 1)
    return flat;
  return w.expandLast(flat, shape);
}

TensorValue FunctionBuilder::packedSlice(StringRef buffer,
                                         StringRef bufferType,
                                         StringRef elementType, int64_t offset,
                                         int64_t count, StringRef base,
                                         int64_t blockBase) {
  TensorValue flat{w.fresh("w"), {Dim(count)}, elementType.str()};
  std::string at = std::to_string(offset);
  if (inBlock) {
    at = w.fresh("at");
    w.line(at + " = arith.addi " + base + ", " + w.index(offset - blockBase) +
           " : index");
  }
  w.line(flat.name + " = tensor.extract_slice " + buffer + "[" + at + "] [" +
         std::to_string(count) + "] [1] : " + bufferType + " to " +
         flat.type());
  return flat;
}

std::optional<FunctionBuilder::QuantizedWeight>
FunctionBuilder::quantizedWeight(StringRef canonical, int64_t out, int64_t in,
                                 int64_t rotation) {
  // -seq-fast-matmul converts a vector of 16 stored bytes at a time (32
  // inputs for 4 bits) within one group; other layouts would fall back to
  // materializing the float weight on every call. bf16 (no scales, one
  // group) takes 32 inputs per vdpbf16ps.
  int bits = spec.quantBits;
  int64_t group = spec.quantGroup ? spec.quantGroup : in;
  if (!quantized() || in % group != 0 ||
      group % (bits == 4 || bits == 16 ? 32 : 16) != 0)
    return std::nullopt;
  // A tied embedding gathers its rows with integer dequantization only.
  if (bits == 16 && spec.tieEmbeddings && canonical == "embed.weight")
    return std::nullopt;

  std::string fileName = spec.weightName(canonical);
  int64_t stored = bits == 16 ? 2 * in : bits == 8 ? in : in / 2;
  int64_t bytes = out * stored;
  int64_t groups = bits == 16 ? 0 : in / group, scaleCount = out * groups;
  auto it = layout.weightIndex.find(fileName);
  if (it == layout.weightIndex.end()) {
    assert(!layout.frozen && "a weight only @step reads");
    layout.weightIndex[fileName] = layout.weights.size();
    // Zero points (asymmetric), one byte a scale, right after the values.
    int64_t zeroOffset = spec.quantZeroPoints && bits != 16
                             ? layout.qweightsSize + bytes
                             : -1;
    layout.weights.push_back({fileName, {out, in}, layout.qweightsSize, bits,
                              group, layout.weightsSize, rotation,
                              zeroOffset});
    // Byte offsets on 64-byte boundaries too.
    layout.qweightsSize =
        (layout.qweightsSize + bytes + (zeroOffset >= 0 ? scaleCount : 0) +
         63) / 64 * 64;
    layout.weightsSize = Layout::align(layout.weightsSize + scaleCount);
    it = layout.weightIndex.find(fileName);
  }
  const WeightSlot &slot = layout.weights[it->second];
  assert(slot.bits == bits && "a weight read both as f32 and quantized");
  TensorValue q = w.expandLast(
      packedSlice("%qweights", qweightsType(), "i8", slot.offset, bytes,
                  "%qbase", blockQBase),
      {out, stored});
  if (bits == 16)
    return QuantizedWeight{q, {}, bits, group, std::nullopt};
  TensorValue scales = w.expandLast(
      packedSlice("%weights", weightsType(), "f32", slot.scaleOffset,
                  scaleCount, "%base", blockBase),
      {out, groups});
  std::optional<TensorValue> zeros;
  if (slot.zeroOffset >= 0)
    zeros = w.expandLast(packedSlice("%qweights", qweightsType(), "i8",
                                     slot.zeroOffset, scaleCount, "%qbase",
                                     blockQBase),
                         {out, groups});
  return QuantizedWeight{q, scales, bits, group, zeros};
}

TensorValue FunctionBuilder::projection(StringRef canonical, int64_t out,
                                        int64_t in, int64_t rotation) {
  std::optional<QuantizedWeight> qw =
      quantizedWeight(canonical, out, in, rotation);
  if (!qw)
    return weight(canonical, {out, in});
  TensorValue weight{w.fresh("dq"), {Dim(out), Dim(in)}};
  if (qw->bits == 16) {
    // bf16 compute: the input is rounded to bf16 too (linear()).
    w.line(weight.name + " = seq.dequantize " + qw->values.name +
           " bits 16 : " + qw->values.type() + " -> " + weight.type());
    activationRounded.insert(weight.name);
    return weight;
  }
  std::string zero, zeroType;
  if (qw->zeros) {
    zero = " zero " + qw->zeros->name;
    zeroType = ", " + qw->zeros->type();
  }
  w.line(weight.name + " = seq.dequantize " + qw->values.name + ", " +
         qw->scales.name + zero + " bits " + std::to_string(qw->bits) +
         " : " + qw->values.type() + ", " + qw->scales.type() + zeroType +
         " -> " + weight.type());
  if (spec.quantActivations)
    activationQuantized.insert(weight.name);
  return weight;
}

TensorValue FunctionBuilder::linear(const TensorValue &x,
                                    const TensorValue &weight,
                                    const TensorValue *bias) {
  if (activationRounded.count(weight.name)) {
    TensorValue half{w.fresh("xh"), x.dims, "bf16"};
    TensorValue rounded{w.fresh("xr"), x.dims};
    w.line(half.name + " = arith.truncf " + x.name + " : " + x.type() +
           " to " + half.type());
    w.line(rounded.name + " = arith.extf " + half.name + " : " +
           half.type() + " to " + rounded.type());
    return w.linear(rounded, weight, bias);
  }
  if (!activationQuantized.count(weight.name))
    return w.linear(x, weight, bias);
  TensorValue quantized{w.fresh("xq"), x.dims};
  std::string outliers;
  if (spec.outlierThreshold > 0)
    outliers = llvm::formatv(" outliers {0:e}", spec.outlierThreshold).str();
  w.line(quantized.name + " = seq.fake_quantize " + x.name + outliers +
         " : " + x.type());
  return w.linear(quantized, weight, bias);
}

/// The Hadamard block for `size` inputs: the largest power of two dividing
/// it, at most 4096 (a rotation over more spreads outliers no further and
/// costs more butterfly stages).
static int64_t hadamardBlock(int64_t size) {
  int64_t block = size & -size;
  return std::min<int64_t>(block, 4096);
}

int64_t FunctionBuilder::outputRotation(StringRef canonical, int64_t in) {
  int64_t block = hadamardBlock(in);
  if (!spec.int8Ssm || block <= 1 ||
      !quantizedWeight(canonical, dModel(), in, block))
    return 0;
  return block;
}

TensorValue FunctionBuilder::rotate(const TensorValue &y, int64_t block) {
  if (!block)
    return y;
  TensorValue rotated{w.fresh("rot"), y.dims};
  w.line(rotated.name + " = seq.hadamard " + y.name + " block " +
         std::to_string(block) + " : " + y.type());
  return rotated;
}

TensorValue FunctionBuilder::ssmInput(const TensorValue &x,
                                      const std::string &key) {
  int64_t width = x.dims.back().size;
  if (spec.observeSsmInputs) {
    TensorValue record = readState("calib." + key, {spec.maxContext, width});
    TensorValue rows = x;
    if (length.isDynamic()) {
      rows = TensorValue{w.fresh("fit"),
                         {batch, Dim(std::string("%fit")), Dim(width)}};
      w.line(rows.name + " = tensor.extract_slice " + x.name +
             "[0, 0, 0] [%B, %fit, " + std::to_string(width) +
             "] [1, 1, 1] : " + x.type() + " to " + rows.type());
    }
    TensorValue updated{w.fresh("observed"), record.dims};
    w.line(updated.name + " = tensor.insert_slice " + rows.name + " into " +
           record.name + "[0, " + position + ", 0] [%B, " +
           rows.dims[1].operand() + ", " + std::to_string(width) +
           "] [1, 1, 1] : " + rows.type() + " into " + record.type());
    writeState(updated);
  }
  if (!spec.int8Ssm)
    return x;
  auto scale = spec.ssmScales.find(key);
  assert(scale != spec.ssmScales.end() && "an SSM input without a scale");
  assert(inBlock && "scans live in blocks");
  std::string s = w.fresh("ssm_scale");
  w.line(s + " = tensor.extract_slice %ssm_scales[" +
         std::to_string(blockScales.size()) +
         "] [1] [1] : tensor<@SSM_SCALES@xf32> to tensor<f32>");
  blockScales.push_back(scale->second);
  TensorValue quantized{w.fresh("ssmq"), x.dims};
  w.line(quantized.name + " = seq.fake_quantize " + x.name + " scale " + s +
         " : " + x.type() + ", tensor<f32>");
  return quantized;
}

TensorValue FunctionBuilder::readState(StringRef name,
                                       ArrayRef<int64_t> shape) {
  if (!layout.frozen) {
    int64_t count = 1;
    for (int64_t s : shape)
      count *= s;
    layout.state.push_back({name.str(),
                            SmallVector<int64_t>(shape.begin(), shape.end()),
                            layout.stateSize});
    layout.stateSize += count;
  }
  Dims dims = {batch};
  for (int64_t s : shape)
    dims.push_back(Dim(s));
  if (inBlock) {
    blockPieces.push_back(statePieces++);
    return TensorValue{"%s" + std::to_string(blockPieces.size() - 1), dims};
  }
  return TensorValue{"%state" + std::to_string(statePieces++), dims};
}

void FunctionBuilder::writeState(const TensorValue &value) {
  nextState.push_back(value);
}

void FunctionBuilder::appendToCache(const TensorValue &cache,
                                    const TensorValue &kv) {
  // The new rows go into the donated cache at the position, in place.
  // Only the rows that fit are written (all of them
  // in a call the model API allowed): a direct call with too many tokens
  // must not write past the cache.
  int64_t heads = kv.dims[1].size, d = kv.dims[3].size;
  TensorValue rows = kv;
  if (length.isDynamic()) {
    rows = TensorValue{w.fresh("fit"),
                       {batch, Dim(heads), Dim(std::string("%fit")), Dim(d)}};
    w.line(rows.name + " = tensor.extract_slice " + kv.name +
           "[0, 0, 0, 0] [%B, " + std::to_string(heads) + ", %fit, " +
           std::to_string(d) + "] [1, 1, 1, 1] : " + kv.type() + " to " +
           rows.type());
  }
  TensorValue updated{w.fresh("cache"), cache.dims};
  w.line(updated.name + " = tensor.insert_slice " + rows.name + " into " +
         cache.name + "[0, 0, " + position + ", 0] [%B, " +
         std::to_string(heads) + ", " + rows.dims[2].operand() + ", " +
         std::to_string(d) + "] [1, 1, 1, 1] : " + rows.type() + " into " +
         cache.type());
  writeState(updated);
}

TensorValue FunctionBuilder::embed(StringRef input) {
  if (spec.inputDim > 0) {
    // Feature vectors: a projection to d_model.
    TensorValue features{input.str(), {batch, length, Dim(spec.inputDim)}};
    TensorValue bias = weight("embed.bias", {dModel()});
    return linear(features, projection("embed.weight", dModel(), spec.inputDim),
                  &bias);
  }
  TensorValue ids{input.str(), {batch, length}, "i32"};
  TensorValue out = w.empty({batch, length, Dim(dModel())});
  // Ids are clamped into the table: the model API rejects bad ids before a
  // call, and a direct call of the entry point must not read outside it.
  std::string bodyText =
      "    %lo = arith.constant 0 : i32\n"
      "    %hi = arith.constant " + std::to_string(spec.vocabSize - 1) +
      " : i32\n"
      "    %c1 = arith.maxsi %t, %lo : i32\n"
      "    %c2 = arith.minsi %c1, %hi : i32\n"
      "    %row = arith.index_cast %c2 : i32 to index\n"
      "    %col = linalg.index 2 : index\n";
  // A head tied to the embedding and quantized: the rows are dequantized as
  // they are gathered (seq.dequantize's layout), the table stays packed.
  std::optional<QuantizedWeight> qw;
  if (spec.tieEmbeddings)
    qw = quantizedWeight("embed.weight", spec.vocabSize, dModel());
  if (!qw) {
    TensorValue table = weight("embed.weight", {spec.vocabSize, dModel()});
    bodyText += "    %v = tensor.extract " + table.name + "[%row, %col] : " +
                table.type() + "\n"
                "    linalg.yield %v : f32\n";
  } else {
    std::string group = std::to_string(qw->group);
    std::string half = std::to_string(qw->group / 2);
    bodyText += "    %gs = arith.constant " + group + " : index\n"
                "    %g = arith.divui %col, %gs : index\n";
    if (qw->bits == 8) {
      bodyText += "    %q = tensor.extract " + qw->values.name +
                  "[%row, %col] : " + qw->values.type() + "\n";
    } else {
      // Byte g*S/2 + k mod S/2; the high nibble in a group's second half.
      bodyText +=
          "    %hs = arith.constant " + half + " : index\n"
          "    %in = arith.remui %col, %gs : index\n"
          "    %j = arith.remui %col, %hs : index\n"
          "    %gb = arith.muli %g, %hs : index\n"
          "    %byte = arith.addi %gb, %j : index\n"
          "    %packed = tensor.extract " + qw->values.name +
          "[%row, %byte] : " + qw->values.type() + "\n"
          "    %four = arith.constant 4 : i8\n"
          "    %shl = arith.shli %packed, %four : i8\n"
          "    %lowq = arith.shrsi %shl, %four : i8\n"
          "    %highq = arith.shrsi %packed, %four : i8\n"
          "    %high = arith.cmpi uge, %in, %hs : index\n"
          "    %q = arith.select %high, %highq, %lowq : i8\n";
    }
    bodyText += "    %s = tensor.extract " + qw->scales.name + "[%row, %g] : " +
                qw->scales.type() + "\n";
    if (qw->zeros)
      bodyText += "    %z = tensor.extract " + qw->zeros->name +
                  "[%row, %g] : " + qw->zeros->type() + "\n"
                  "    %zf = arith.sitofp %z : i8 to f32\n"
                  "    %qs = arith.sitofp %q : i8 to f32\n"
                  "    %qf = arith.subf %qs, %zf : f32\n";
    else
      bodyText += "    %qf = arith.sitofp %q : i8 to f32\n";
    bodyText += "    %v = arith.mulf %qf, %s : f32\n"
                "    linalg.yield %v : f32\n";
  }
  return w.generic({ids}, out, {affineMap(3, {0, 1}), affineMap(3, {0, 1, 2})},
                   {"parallel", "parallel", "parallel"}, "%t: i32, %o: f32",
                   bodyText, "embedded");
}

TensorValue FunctionBuilder::rope(const TensorValue &x,
                                  const AttentionSpec &a) {
  // x is [B, L, heads, head_dim]; "rotate half" pairs j and j + head_dim/2.
  // The angles depend on (l, j mod head_dim/2) only: cos and sin are
  // computed once into [L, head_dim/2] tables rather than for every head
  // and batch entry (libm's sincosf was 3% of a Llama prefill).
  int64_t half = a.headDim / 2;
  double c = -2.0 * std::log(*a.ropeTheta) / static_cast<double>(a.headDim);
  std::string angle =
      "    %l = linalg.index 0 : index\n"
      "    %j = linalg.index 1 : index\n"
      "    %p = arith.addi %l, " + position + " : index\n"
      "    %pi = arith.index_cast %p : index to i64\n"
      "    %pf = arith.sitofp %pi : i64 to f32\n"
      "    %ji = arith.index_cast %j : index to i64\n"
      "    %jff = arith.sitofp %ji : i64 to f32\n"
      "    %e = arith.mulf %jff, " + w.f32(c) + " : f32\n"
      "    %freq = math.exp %e : f32\n"
      "    %ang = arith.mulf %pf, %freq : f32\n";
  Dims tableDims = {x.dims[1], Dim(half)};
  auto table = [&](llvm::StringRef fn) {
    return w.generic({}, w.empty(tableDims), {}, {"parallel", "parallel"},
                     "%o: f32",
                     angle + "    %t = math." + fn.str() +
                         " %ang : f32\n    linalg.yield %t : f32\n",
                     ("rope_" + fn).str());
  };
  TensorValue cos = table("cos"), sin = table("sin");
  std::string bodyText =
      "    %b = linalg.index 0 : index\n"
      "    %l = linalg.index 1 : index\n"
      "    %h = linalg.index 2 : index\n"
      "    %j = linalg.index 3 : index\n"
      "    %half = arith.constant " + std::to_string(half) + " : index\n"
      "    %first = arith.cmpi ult, %j, %half : index\n"
      "    %jup = arith.addi %j, %half : index\n"
      "    %jdown = arith.subi %j, %half : index\n"
      "    %jp = arith.select %first, %jup, %jdown : index\n"
      "    %jf = arith.select %first, %j, %jdown : index\n"
      "    %xp = tensor.extract " + x.name + "[%b, %l, %h, %jp] : " +
      x.type() + "\n"
      "    %cos = tensor.extract " + cos.name + "[%l, %jf] : " + cos.type() +
      "\n"
      "    %sin = tensor.extract " + sin.name + "[%l, %jf] : " + sin.type() +
      "\n"
      "    %xc = arith.mulf %v, %cos : f32\n"
      "    %xs = arith.mulf %xp, %sin : f32\n"
      "    %nxs = arith.negf %xs : f32\n"
      "    %rot = arith.select %first, %nxs, %xs : f32\n"
      "    %y = arith.addf %xc, %rot : f32\n"
      "    linalg.yield %y : f32\n";
  return w.generic({x}, w.empty(x.dims), {},
                   {"parallel", "parallel", "parallel", "parallel"},
                   "%v: f32, %o: f32", bodyText, "rope");
}

TensorValue FunctionBuilder::attention(const TensorValue &x,
                                       const AttentionSpec &a,
                                       const std::string &prefix) {
  int64_t qDim = a.numHeads * a.headDim, kvDim = a.numKVHeads * a.headDim;
  TensorValue wq = projection(prefix + "q_proj.weight", qDim, dModel());
  TensorValue wk = projection(prefix + "k_proj.weight", kvDim, dModel());
  TensorValue wv = projection(prefix + "v_proj.weight", kvDim, dModel());
  TensorValue wo = projection(prefix + "o_proj.weight", dModel(), qDim);
  TensorValue q = w.expandLast(linear(x, wq), {a.numHeads, a.headDim});
  TensorValue k = w.expandLast(linear(x, wk), {a.numKVHeads, a.headDim});
  TensorValue v = w.expandLast(linear(x, wv), {a.numKVHeads, a.headDim});
  if (a.ropeTheta) {
    q = rope(q, a);
    k = rope(k, a);
  }
  // [B, L, heads, D] -> [B, heads, L, D], as seq.attention takes them.
  q = w.transpose(q, {0, 2, 1, 3});
  k = w.transpose(k, {0, 2, 1, 3});
  v = w.transpose(v, {0, 2, 1, 3});

  TensorValue kCache = readState(prefix + "k_cache",
                                 {a.numKVHeads, spec.maxContext, a.headDim});
  TensorValue vCache = readState(prefix + "v_cache",
                                 {a.numKVHeads, spec.maxContext, a.headDim});
  appendToCache(kCache, k);
  appendToCache(vCache, v);
  kCache.name = nextState[nextState.size() - 2].name;
  vCache.name = nextState.back().name;

  TensorValue kvLen = w.filled({batch}, positionI, "i32");
  std::string attrs = "causal";
  if (a.window)
    attrs += ", window = " + std::to_string(*a.window) + " : i64";
  if (a.chunk)
    attrs += ", chunk = " + std::to_string(*a.chunk) + " : i64";
  TensorValue o{w.fresh("attn"), q.dims};
  w.line(o.name + " = seq.attention " + q.name + ", " + kCache.name + ", " +
         vCache.name + " kv_len(" + kvLen.name + " : " + kvLen.type() +
         ") {" + attrs + "} : " + q.type() + ", " + kCache.type() + ", " +
         vCache.type() + " -> " + o.type());
  TensorValue merged = w.collapseFrom(w.transpose(o, {0, 2, 1, 3}), 2);
  return linear(merged, wo);
}

TensorValue FunctionBuilder::mamba(const TensorValue &x, const MambaSpec &m,
                                   const std::string &prefix) {
  int64_t di = m.dInner, n = m.dState, r = m.dtRank, k = m.dConv;
  TensorValue inW = projection(prefix + "in_proj.weight", 2 * di, dModel());
  std::optional<TensorValue> inB;
  if (m.projBias)
    inB = weight(prefix + "in_proj.bias", {2 * di});
  TensorValue convW = weight(prefix + "conv1d.weight", {di, 1, k});
  std::optional<TensorValue> convB;
  if (m.convBias)
    convB = weight(prefix + "conv1d.bias", {di});
  TensorValue xW = projection(prefix + "x_proj.weight", r + 2 * n, di);
  TensorValue dtW = projection(prefix + "dt_proj.weight", di, r);
  TensorValue dtB = weight(prefix + "dt_proj.bias", {di});
  TensorValue aLog = weight(prefix + "A_log", {di, n});
  TensorValue d = weight(prefix + "D", {di});
  int64_t rotation = outputRotation(prefix + "out_proj.weight", di);
  TensorValue outW =
      projection(prefix + "out_proj.weight", dModel(), di, rotation);
  std::optional<TensorValue> outB;
  if (m.projBias)
    outB = weight(prefix + "out_proj.bias", {dModel()});

  TensorValue xz = linear(x, inW, inB ? &*inB : nullptr);
  TensorValue z = w.sliceLast(xz, di, di);

  TensorValue conv = streamingConv(w.sliceLast(xz, 0, di), convW, convB ? &*convB : nullptr,
                                   prefix + "conv_state", 1, "silu");

  TensorValue proj = linear(conv, xW);
  TensorValue delta = ssmInput(linear(w.sliceLast(proj, 0, r), dtW),
                               prefix + "dt");
  TensorValue bm = w.expandLast(
      ssmInput(w.sliceLast(proj, r, n), prefix + "B"), {1, n});
  TensorValue cm = w.expandLast(
      ssmInput(w.sliceLast(proj, r + n, n), prefix + "C"), {1, n});
  TensorValue a = w.negExp(aLog);
  // x_proj reads conv per token (W8A8); the scan reads it statically
  // quantized.
  TensorValue u = ssmInput(conv, prefix + "x");

  TensorValue ssmState = readState(prefix + "ssm_state", {di, n});
  TensorValue y{w.fresh("ssm"), conv.dims};
  TensorValue ssmNext{w.fresh("ssmstate"), ssmState.dims};
  w.line(y.name + ", " + ssmNext.name + " = seq.selective_scan " + u.name +
         ", " + delta.name + ", " + a.name + ", " + bm.name + ", " + cm.name +
         " D(" + d.name + " : " + d.type() + ") z(" + z.name + " : " +
         z.type() + ") delta_bias(" + dtB.name + " : " + dtB.type() +
         ") initial_state(" + ssmState.name + " : " + ssmState.type() +
         ") {delta_softplus} : " + u.type() + ", " + delta.type() + ", " +
         a.type() + ", " + bm.type() + ", " + cm.type() + " -> " + y.type() +
         ", " + ssmNext.type());
  writeState(ssmNext);
  return linear(rotate(y, rotation), outW, outB ? &*outB : nullptr);
}

/// Body lines of a linalg.generic computing `out` = softplus(`in`) in
/// PyTorch's thresholded form (`in` itself above 20).
static std::string softplusLines(StringRef in, StringRef out) {
  std::string i = in.str(), o = out.str();
  return "    " + o + "_twenty = arith.constant 20.0 : f32\n"
         "    " + o + "_big = arith.cmpf ogt, " + i + ", " + o + "_twenty : f32\n"
         "    " + o + "_e = math.exp " + i + " : f32\n"
         "    " + o + "_l = math.log1p " + o + "_e : f32\n"
         "    " + o + " = arith.select " + o + "_big, " + i + ", " + o +
         "_l : f32\n";
}

/// Body lines computing `out` = logsigmoid(`in`) = min(in, 0) -
/// log1p(exp(-|in|)), which overflows for no input.
static std::string logSigmoidLines(StringRef in, StringRef out) {
  std::string i = in.str(), o = out.str();
  return "    " + o + "_zero = arith.constant 0.0 : f32\n"
         "    " + o + "_min = arith.minimumf " + i + ", " + o + "_zero : f32\n"
         "    " + o + "_abs = math.absf " + i + " : f32\n"
         "    " + o + "_neg = arith.negf " + o + "_abs : f32\n"
         "    " + o + "_exp = math.exp " + o + "_neg : f32\n"
         "    " + o + "_log = math.log1p " + o + "_exp : f32\n"
         "    " + o + " = arith.subf " + o + "_min, " + o + "_log : f32\n";
}

TensorValue FunctionBuilder::mamba2(const TensorValue &x, const Mamba2Spec &m,
                                    const std::string &prefix) {
  int64_t e = m.dInner(), h = m.numHeads, p = m.headDim, g = m.nGroups,
          n = m.dState, k = m.dConv, convDim = e + 2 * g * n;
  TensorValue inW =
      projection(prefix + "in_proj.weight", 2 * e + 2 * g * n + h, dModel());
  std::optional<TensorValue> inB;
  if (m.projBias)
    inB = weight(prefix + "in_proj.bias", {2 * e + 2 * g * n + h});
  TensorValue convW = weight(prefix + "conv1d.weight", {convDim, 1, k});
  std::optional<TensorValue> convB;
  if (m.convBias)
    convB = weight(prefix + "conv1d.bias", {convDim});
  TensorValue dtBias = weight(prefix + "dt_bias", {h});
  TensorValue aLog = weight(prefix + "A_log", {h});
  TensorValue d = weight(prefix + "D", {h});
  TensorValue normW = weight(prefix + "norm.weight", {e});
  int64_t rotation = outputRotation(prefix + "out_proj.weight", e);
  TensorValue outW =
      projection(prefix + "out_proj.weight", dModel(), e, rotation);
  std::optional<TensorValue> outB;
  if (m.projBias)
    outB = weight(prefix + "out_proj.bias", {dModel()});

  TensorValue proj = linear(x, inW, inB ? &*inB : nullptr);
  TensorValue z = w.sliceLast(proj, 0, e);
  TensorValue xbc = w.sliceLast(proj, e, convDim);
  TensorValue dtRaw = ssmInput(w.sliceLast(proj, e + convDim, h), prefix + "dt");

  TensorValue conv = streamingConv(xbc, convW, convB ? &*convB : nullptr,
                                   prefix + "conv_state", 1, "silu");
  TensorValue u =
      w.expandLast(ssmInput(w.sliceLast(conv, 0, e), prefix + "x"), {h, p});
  TensorValue bm = w.expandLast(
      ssmInput(w.sliceLast(conv, e, g * n), prefix + "B"), {g, n});
  TensorValue cm = w.expandLast(
      ssmInput(w.sliceLast(conv, e + g * n, g * n), prefix + "C"), {g, n});

  // dt = softplus(dt + dt_bias) (PyTorch's thresholded form), [B, L, H].
  SmallVector<StringRef> par3(3, "parallel"), par4(4, "parallel");
  TensorValue dt = w.generic(
      {dtRaw, dtBias}, w.empty(dtRaw.dims),
      {affineMap(3, {0, 1, 2}), affineMap(3, {2}), affineMap(3, {0, 1, 2})},
      par3, "%a: f32, %b: f32, %o: f32",
      "    %s = arith.addf %a, %b : f32\n" + softplusLines("%s", "%y") +
          "    linalg.yield %y : f32\n",
      "dt");
  TensorValue a = w.negExp(aLog);
  // The log decay dt * A per head and step, [B, H, L].
  TensorValue decay = w.generic(
      {dt, a}, w.empty({batch, Dim(h), length}),
      {affineMap(3, {0, 2, 1}), affineMap(3, {1}), affineMap(3, {0, 1, 2})},
      par3, "%t: f32, %a: f32, %o: f32",
      "    %y = arith.mulf %t, %a : f32\n"
      "    linalg.yield %y : f32\n",
      "decay");
  // Heads read their group's B and C: q = C, k = B, as [B, H, L, N].
  int64_t headsPerGroup = h / g;
  auto perHead = [&](const TensorValue &groups, StringRef hint) {
    std::string bodyText =
        "    %b = linalg.index 0 : index\n"
        "    %h = linalg.index 1 : index\n"
        "    %l = linalg.index 2 : index\n"
        "    %n = linalg.index 3 : index\n"
        "    %per = arith.constant " + std::to_string(headsPerGroup) +
        " : index\n"
        "    %g = arith.divui %h, %per : index\n"
        "    %v = tensor.extract " + groups.name + "[%b, %l, %g, %n] : " +
        groups.type() + "\n"
        "    linalg.yield %v : f32\n";
    return w.generic({}, w.empty({batch, Dim(h), length, Dim(n)}),
                     {affineMap(4, {0, 1, 2, 3})}, par4, "%o: f32", bodyText,
                     hint);
  };
  TensorValue q = perHead(cm, "q");
  TensorValue kk = perHead(bm, "k");
  // v = dt * u, [B, H, L, P].
  TensorValue v = w.generic(
      {u, dt}, w.empty({batch, Dim(h), length, Dim(p)}),
      {affineMap(4, {0, 2, 1, 3}), affineMap(4, {0, 2, 1}),
       affineMap(4, {0, 1, 2, 3})},
      par4, "%x: f32, %t: f32, %o: f32",
      "    %y = arith.mulf %x, %t : f32\n"
      "    linalg.yield %y : f32\n",
      "v");

  TensorValue o = linearAttention(q, kk, v, &decay, nullptr,
                                  prefix + "ssm_state", p, "scale = 1.0 : f32");

  // y = (o + D u) * silu(z), as [B, L, H, P].
  TensorValue zHeads = w.expandLast(z, {h, p});
  TensorValue gated = w.generic(
      {o, u, d, zHeads}, w.empty({batch, length, Dim(h), Dim(p)}),
      {affineMap(4, {0, 2, 1, 3}), affineMap(4, {0, 1, 2, 3}),
       affineMap(4, {2}), affineMap(4, {0, 1, 2, 3}),
       affineMap(4, {0, 1, 2, 3})},
      par4, "%o: f32, %x: f32, %d: f32, %z: f32, %out: f32",
      "    %dx = arith.mulf %d, %x : f32\n"
      "    %y = arith.addf %o, %dx : f32\n"
      "    %one = arith.constant 1.0 : f32\n"
      "    %nz = arith.negf %z : f32\n"
      "    %ez = math.exp %nz : f32\n"
      "    %den = arith.addf %one, %ez : f32\n"
      "    %sz = arith.divf %z, %den : f32\n"
      "    %r = arith.mulf %y, %sz : f32\n"
      "    linalg.yield %r : f32\n",
      "gated");
  // The RMSNorm of each of the G groups of E / G channels.
  TensorValue grouped =
      w.expandLast(w.collapseFrom(gated, 2), {g, e / g});
  TensorValue normed =
      w.rmsNorm(grouped, w.expandLast(normW, {g, e / g}), spec.normEps);
  return linear(rotate(w.collapseFrom(normed, 2), rotation), outW,
                outB ? &*outB : nullptr);
}

TensorValue FunctionBuilder::linearAttention(
    const TensorValue &q, const TensorValue &k, const TensorValue &v,
    const TensorValue *decay, const TensorValue *beta,
    const std::string &stateName, int64_t stateColumns, StringRef attrs) {
  int64_t heads = q.dims[1].size, dk = q.dims[3].size, dv = v.dims[3].size;
  TensorValue state = readState(stateName, {heads, dk, stateColumns});
  TensorValue o{w.fresh("la"), {batch, Dim(heads), length, Dim(dv)}};
  TensorValue next{w.fresh("lastate"), state.dims};
  std::string operands;
  if (decay)
    operands += " decay(" + decay->name + " : " + decay->type() + ")";
  if (beta)
    operands += " beta(" + beta->name + " : " + beta->type() + ")";
  w.line(o.name + ", " + next.name + " = seq.linear_attention " + q.name +
         ", " + k.name + ", " + v.name + operands + " initial_state(" +
         state.name + " : " + state.type() + ") {" + attrs + "} : " +
         q.type() + ", " + k.type() + ", " + v.type() + " -> " + o.type() +
         ", " + next.type());
  writeState(next);
  return o;
}

/// "scale = 1/sqrt(d) : f32", the attribute of a softmax-free attention.
static std::string inverseSqrtScale(int64_t d) {
  return "scale = " + llvm::formatv("{0:e8}", 1.0 / std::sqrt(double(d))).str() +
         " : f32";
}

TensorValue FunctionBuilder::gla(const TensorValue &x, const GLASpec &g,
                                 const std::string &prefix) {
  int64_t e = dModel(), h = g.numHeads, dk = g.headDim, dv = e / h;
  TensorValue qW = projection(prefix + "q_proj.weight", h * dk, e);
  TensorValue kW = projection(prefix + "k_proj.weight", h * dk, e);
  TensorValue vW = projection(prefix + "v_proj.weight", e, e);
  TensorValue gkW = projection(prefix + "gk_proj.weight", h * dk, e);
  TensorValue gW = projection(prefix + "g_proj.weight", e, e);
  TensorValue oW = projection(prefix + "o_proj.weight", e, e);
  TensorValue normW = weight(prefix + "o_norm.weight", {dv});

  // [B, L, H * d] -> [B, H, L, d], the layout of seq.linear_attention.
  auto heads = [&](const TensorValue &t, int64_t d) {
    return w.transpose(w.expandLast(t, {h, d}), {0, 2, 1, 3});
  };
  TensorValue q = heads(linear(x, qW), dk);
  TensorValue k = heads(linear(x, kW), dk);
  TensorValue v = heads(linear(x, vW), dv);
  // The log decay of each key channel: logsigmoid(gk) / normalizer.
  TensorValue gk = linear(x, gkW);
  std::string normalizer = w.f32(g.gateNormalizer);
  TensorValue logDecay = w.generic(
      {gk}, w.empty(gk.dims), {}, SmallVector<StringRef>(3, "parallel"),
      "%a: f32, %o: f32",
      logSigmoidLines("%a", "%ls") +
          "    %y = arith.divf %ls, " + normalizer + " : f32\n"
      "    linalg.yield %y : f32\n",
      "logdecay");
  TensorValue decay = heads(logDecay, dk);

  TensorValue o = linearAttention(q, k, v, &decay, nullptr, prefix + "state",
                                  dv, inverseSqrtScale(dk));

  // RMSNorm of each head's output, then the output gate silu(g_proj(x)).
  TensorValue normed =
      w.rmsNorm(w.transpose(o, {0, 2, 1, 3}), normW, spec.normEps);
  TensorValue gated = w.siluMul(linear(x, gW), w.collapseFrom(normed, 2));
  return linear(gated, oW);
}

TensorValue FunctionBuilder::gatedDeltaNet(const TensorValue &x,
                                           const GatedDeltaNetSpec &g,
                                           const std::string &prefix) {
  int64_t e = dModel(), h = g.numHeads, dk = g.headDim, dv = g.valueHeadDim,
          taps = g.convSize;
  TensorValue qW = projection(prefix + "q_proj.weight", h * dk, e);
  TensorValue kW = projection(prefix + "k_proj.weight", h * dk, e);
  TensorValue vW = projection(prefix + "v_proj.weight", h * dv, e);
  TensorValue qConv = weight(prefix + "q_conv1d.weight", {h * dk, 1, taps});
  TensorValue kConv = weight(prefix + "k_conv1d.weight", {h * dk, 1, taps});
  TensorValue vConv = weight(prefix + "v_conv1d.weight", {h * dv, 1, taps});
  TensorValue bW = projection(prefix + "b_proj.weight", h, e);
  TensorValue aW = projection(prefix + "a_proj.weight", h, e);
  TensorValue aLog = weight(prefix + "A_log", {h});
  TensorValue dtBias = weight(prefix + "dt_bias", {h});
  TensorValue gW = projection(prefix + "g_proj.weight", h * dv, e);
  TensorValue normW = weight(prefix + "o_norm.weight", {dv});
  TensorValue oW = projection(prefix + "o_proj.weight", e, h * dv);

  SmallVector<StringRef> par3(3, "parallel"), par4(4, "parallel");
  // Short causal convolutions (silu), then per-head views [B, L, H, d].
  auto shortConv = [&](const TensorValue &w_, const TensorValue &conv,
                       int64_t d, const char *name) {
    return w.expandLast(streamingConv(linear(x, w_), conv, nullptr,
                                      prefix + name, 1, "silu"),
                        {h, d});
  };
  // x / sqrt(sum(x^2) + 1e-6) over each head's d channels.
  auto unitNorm = [&](const TensorValue &t) {
    TensorValue sums = w.generic(
        {t}, w.filled({batch, length, Dim(h)}, w.f32(0.0)),
        {affineMap(4, {0, 1, 2, 3}), affineMap(4, {0, 1, 2})},
        {"parallel", "parallel", "parallel", "reduction"},
        "%a: f32, %acc: f32",
        "    %sq = arith.mulf %a, %a : f32\n"
        "    %s = arith.addf %acc, %sq : f32\n"
        "    linalg.yield %s : f32\n",
        "sumsq");
    return w.generic(
        {t, sums}, w.empty(t.dims),
        {affineMap(4, {0, 1, 2, 3}), affineMap(4, {0, 1, 2}),
         affineMap(4, {0, 1, 2, 3})},
        par4, "%a: f32, %s: f32, %o: f32",
        "    %eps = arith.constant 1.0e-06 : f32\n"
        "    %se = arith.addf %s, %eps : f32\n"
        "    %r = math.rsqrt %se : f32\n"
        "    %y = arith.mulf %a, %r : f32\n"
        "    linalg.yield %y : f32\n",
        "unit");
  };
  TensorValue q = unitNorm(shortConv(qW, qConv, dk, "q_conv_state"));
  TensorValue k = unitNorm(shortConv(kW, kConv, dk, "k_conv_state"));
  TensorValue v = shortConv(vW, vConv, dv, "v_conv_state");

  // beta = sigmoid(b_proj(x)) and the log decay
  // -exp(A_log) * softplus(a_proj(x) + dt_bias), each [B, H, L].
  TensorValue beta = w.generic(
      {linear(x, bW)}, w.empty({batch, Dim(h), length}),
      {affineMap(3, {0, 2, 1}), affineMap(3, {0, 1, 2})}, par3,
      "%a: f32, %o: f32",
      "    %one = arith.constant 1.0 : f32\n"
      "    %n = arith.negf %a : f32\n"
      "    %e = math.exp %n : f32\n"
      "    %d = arith.addf %one, %e : f32\n"
      "    %y = arith.divf %one, %d : f32\n"
      "    linalg.yield %y : f32\n",
      "beta");
  TensorValue decay = w.generic(
      {linear(x, aW), aLog, dtBias}, w.empty({batch, Dim(h), length}),
      {affineMap(3, {0, 2, 1}), affineMap(3, {1}), affineMap(3, {1}),
       affineMap(3, {0, 1, 2})},
      par3, "%a: f32, %l: f32, %b: f32, %o: f32",
      "    %s = arith.addf %a, %b : f32\n" + softplusLines("%s", "%sp") +
          "    %el = math.exp %l : f32\n"
      "    %m = arith.mulf %el, %sp : f32\n"
      "    %y = arith.negf %m : f32\n"
      "    linalg.yield %y : f32\n",
      "decay");

  auto heads = [&](const TensorValue &t) {
    return w.transpose(t, {0, 2, 1, 3});
  };
  TensorValue qh = heads(q), kh = heads(k), vh = heads(v);
  TensorValue o = linearAttention(qh, kh, vh, &decay, &beta,
                                  prefix + "state", dv, inverseSqrtScale(dk));

  // RMSNorm of each head's output, gated by silu(g_proj(x)) per head.
  TensorValue normed =
      w.rmsNorm(w.transpose(o, {0, 2, 1, 3}), normW, spec.normEps);
  TensorValue gate = w.expandLast(linear(x, gW), {h, dv});
  return linear(w.collapseFrom(w.siluMul(gate, normed), 2), oW);
}

TensorValue FunctionBuilder::mlstm(const TensorValue &x, const MLSTMSpec &m,
                                   const std::string &prefix) {
  int64_t e = dModel(), h = m.numHeads, dk = m.headDim, dv = e / h;
  TensorValue qW = projection(prefix + "q_proj.weight", h * dk, e);
  TensorValue kW = projection(prefix + "k_proj.weight", h * dk, e);
  TensorValue vW = projection(prefix + "v_proj.weight", e, e);
  TensorValue iW = projection(prefix + "igate.weight", h, e);
  TensorValue iB = weight(prefix + "igate.bias", {h});
  TensorValue fW = projection(prefix + "fgate.weight", h, e);
  TensorValue fB = weight(prefix + "fgate.bias", {h});
  TensorValue ogW = projection(prefix + "og_proj.weight", e, e);
  TensorValue normW = weight(prefix + "o_norm.weight", {dv});
  TensorValue oW = projection(prefix + "o_proj.weight", e, e);

  SmallVector<StringRef> par3(3, "parallel"), par4(4, "parallel");
  auto heads = [&](const TensorValue &t, int64_t d) {
    return w.transpose(w.expandLast(t, {h, d}), {0, 2, 1, 3});
  };
  // Gate pre-activations soft-capped at 15 (15 tanh(a / 15), as xLSTM 7B):
  // exp of the input gate stays finite in f32 without a stabilizer.
  const char *softCap = "    %fifteen = arith.constant 15.0 : f32\n"
                        "    %sa = arith.divf %a, %fifteen : f32\n"
                        "    %ta = math.tanh %sa : f32\n"
                        "    %c = arith.mulf %ta, %fifteen : f32\n";
  // log f = logsigmoid(capped fgate), [B, H, L].
  TensorValue logF = w.generic(
      {linear(x, fW, &fB)}, w.empty({batch, Dim(h), length}),
      {affineMap(3, {0, 2, 1}), affineMap(3, {0, 1, 2})}, par3,
      "%a: f32, %o: f32",
      std::string(softCap) + logSigmoidLines("%c", "%y") +
          "    linalg.yield %y : f32\n",
      "logf");
  // k scaled by exp(capped igate) / sqrt(dk), [B, H, L, dk].
  TensorValue iPre = linear(x, iW, &iB);
  std::string invSqrt = w.f32(1.0 / std::sqrt(double(dk)));
  TensorValue k = w.generic(
      {heads(linear(x, kW), dk), iPre},
      w.empty({batch, Dim(h), length, Dim(dk)}),
      {affineMap(4, {0, 1, 2, 3}), affineMap(4, {0, 2, 1}),
       affineMap(4, {0, 1, 2, 3})},
      par4, "%kk: f32, %a: f32, %o: f32",
      std::string(softCap) +
          "    %i = math.exp %c : f32\n"
          "    %ks = arith.mulf %kk, " + invSqrt + " : f32\n"
          "    %y = arith.mulf %ks, %i : f32\n"
          "    linalg.yield %y : f32\n",
      "kgated");
  TensorValue q = heads(linear(x, qW), dk);
  TensorValue v = heads(linear(x, vW), dv);

  // The normalizer rides as the state's last column (`normalize`).
  TensorValue o = linearAttention(q, k, v, &logF, nullptr, prefix + "state",
                                  dv + 1, "normalize, scale = 1.0 : f32");

  // RMSNorm per head, times sigmoid(og_proj(x)).
  TensorValue normed = w.collapseFrom(
      w.rmsNorm(w.transpose(o, {0, 2, 1, 3}), normW, spec.normEps), 2);
  TensorValue gated = w.generic(
      {normed, linear(x, ogW)}, w.empty(normed.dims), {}, par3,
      "%a: f32, %g: f32, %o: f32",
      "    %one = arith.constant 1.0 : f32\n"
      "    %n = arith.negf %g : f32\n"
      "    %ex = math.exp %n : f32\n"
      "    %d = arith.addf %one, %ex : f32\n"
      "    %y = arith.divf %a, %d : f32\n"
      "    linalg.yield %y : f32\n",
      "ogate");
  return linear(gated, oW);
}

TensorValue FunctionBuilder::rnn(const TensorValue &x, const RNNSpec &r,
                                 bool lstm, const std::string &prefix) {
  int64_t d = dModel(), gates = lstm ? 4 : 3, nh = r.numHeads, dh = d / nh;
  TensorValue wIn = weight(prefix + "weight_ih", {gates * d, d});
  // Stored [gates * d, Dh] (PyTorch's weight_hh with one head); the cell
  // reads it as [gates, heads, Dh, Dh].
  TensorValue wRecRows = weight(prefix + "weight_hh", {gates * d, dh});
  TensorValue wRec = w.expandLast(w.collapseFrom(wRecRows, 0),
                                  {gates, nh, dh, dh});
  TensorValue bIn = weight(prefix + "bias_ih", {gates * d});
  TensorValue bRec = weight(prefix + "bias_hh", {gates * d});
  SmallVector<TensorValue> states = {readState(prefix + "h", {d})};
  if (lstm)
    states.push_back(readState(prefix + "c", {d}));
  SmallVector<std::string> initNames, initTypes, resultNames, resultTypes;
  for (const TensorValue &st : states) {
    initNames.push_back(st.name);
    initTypes.push_back(st.type());
    resultNames.push_back(w.fresh("rnnstate"));
    resultTypes.push_back(st.type());
  }
  TensorValue y{w.fresh("rnn"), x.dims};
  resultNames.push_back(y.name);
  resultTypes.push_back(y.type());
  w.line(join(resultNames, ", ") + " = seq.recurrence cell = " +
         (lstm ? "lstm" : "gru") + " ins(" + x.name + " : " + x.type() +
         ") init(" + join(initNames, ", ") + " : " + join(initTypes, ", ") +
         ") w_in(" + wIn.name + " : " + wIn.type() + ") w_rec(" + wRec.name +
         " : " + wRec.type() + ") b_in(" + bIn.name + " : " + bIn.type() +
         ") b_rec(" + bRec.name + " : " + bRec.type() + ") -> " +
         join(resultTypes, ", "));
  for (size_t i = 0; i < states.size(); ++i)
    writeState(TensorValue{resultNames[i], states[i].dims});
  return y;
}

TensorValue FunctionBuilder::streamingConv(const TensorValue &x,
                                           const TensorValue &cw,
                                           const TensorValue *bias,
                                           const std::string &stateName,
                                           int64_t dilation,
                                           StringRef activation) {
  std::string attrs = (bias ? " bias(" + bias->name + " : " + bias->type() + ")"
                            : std::string()) +
                      "%STATE%" +
                      (activation == "none" ? std::string()
                                            : " activation " + activation.str()) +
                      " {dilation = " + std::to_string(dilation) + " : i64}";
  std::string types = " : " + x.type() + ", " + cw.type() + " -> ";
  TensorValue y{w.fresh("conv"), x.dims};
  int64_t history = (cw.dims[2].size - 1) * dilation;
  auto stateless = [&](StringRef text) {
    std::string t = text.str();
    t.replace(t.find("%STATE%"), strlen("%STATE%"), "");
    return t;
  };
  if (history == 0) {
    w.line(y.name + " = seq.conv1d " + x.name + ", " + cw.name +
           stateless(attrs) + types + y.type());
    return y;
  }
  // The last `history` inputs are carried to the next call.
  TensorValue state = readState(stateName, {history, x.dims[2].size});
  TensorValue next{w.fresh("convstate"), state.dims};
  std::string withState = attrs;
  withState.replace(withState.find("%STATE%"), strlen("%STATE%"),
                    " state(" + state.name + " : " + state.type() + ")");
  w.line(y.name + ", " + next.name + " = seq.conv1d " + x.name + ", " +
         cw.name + withState + types + y.type() + ", " + next.type());
  writeState(next);
  return y;
}

TensorValue FunctionBuilder::conv(const TensorValue &x, const ConvSpec &c,
                                  const std::string &prefix) {
  TensorValue cw = weight(prefix + "weight", {dModel(), 1, c.kernel});
  TensorValue cb = weight(prefix + "bias", {dModel()});
  return streamingConv(x, cw, &cb, prefix + "state", c.dilation, c.activation);
}

TensorValue FunctionBuilder::mlp(const TensorValue &x, const BlockSpec &block,
                                 const std::string &prefix) {
  int64_t hidden = block.mlpHidden;
  TensorValue up = projection(prefix + "up_proj.weight", hidden, dModel());
  TensorValue down = projection(prefix + "down_proj.weight", dModel(), hidden);
  if (block.mlp == MLPKind::SwiGLU) {
    TensorValue gate = projection(prefix + "gate_proj.weight", hidden, dModel());
    return linear(w.siluMul(linear(x, gate), linear(x, up)), down);
  }
  return linear(w.gelu(linear(x, up)), down);
}

void FunctionBuilder::emitPositions(StringRef raw) {
  // The position is clamped so that the KV caches are never written out of
  // bounds; the model API checks it before a call.
  int64_t maxPosition = spec.maxContext - (length.isDynamic() ? 0 : 1);
  w.line("%pos_lo = arith.maxsi " + raw + ", %c0_idx : index");
  w.line("%pos_max = arith.constant " + std::to_string(maxPosition) +
         " : index");
  w.line("%pos = arith.minsi %pos_lo, %pos_max : index");
  position = "%pos";
  std::string lengthValue =
      length.isDynamic() ? length.value : w.index(length.size);
  w.line("%end = arith.addi %pos, " + lengthValue + " : index");
  if (length.isDynamic()) {
    w.line("%room = arith.subi %pos_max, %pos : index");
    w.line("%fit = arith.minsi %L, %room : index");
  }
  w.line("%end_i64 = arith.index_cast %end : index to i64");
  w.line("%kv_len = arith.trunci %end_i64 : i64 to i32");
  positionI = "%kv_len";
}

TensorValue FunctionBuilder::mixer(const TensorValue &h,
                                   const BlockSpec &block,
                                   const std::string &p) {
  switch (block.mixer) {
  case MixerKind::Attention:
    return attention(h, block.attention, p + "attn.");
  case MixerKind::Mamba:
    return mamba(h, block.mamba, p + "mamba.");
  case MixerKind::Mamba2:
    return mamba2(h, block.mamba2, p + "mamba2.");
  case MixerKind::GLA:
    return gla(h, block.gla, p + "gla.");
  case MixerKind::GatedDeltaNet:
    return gatedDeltaNet(h, block.gatedDeltaNet, p + "gdn.");
  case MixerKind::MLSTM:
    return mlstm(h, block.mlstm, p + "mlstm.");
  case MixerKind::LSTM:
    return rnn(h, block.rnn, /*lstm=*/true, p + "lstm.");
  case MixerKind::GRU:
    return rnn(h, block.rnn, /*lstm=*/false, p + "gru.");
  case MixerKind::Conv:
    return conv(h, block.conv, p + "conv.");
  }
  llvm_unreachable("a mixer kind without a builder");
}

TensorValue FunctionBuilder::emitBlock(const TensorValue &input,
                                       const BlockSpec &block,
                                       const std::string &p) {
  TensorValue h =
      w.rmsNorm(input, weight(p + "norm.weight", {dModel()}), spec.normEps);
  TensorValue mixed = mixer(h, block, p);
  TensorValue x = w.add(input, mixed);
  if (block.mlp != MLPKind::None) {
    TensorValue h2 = w.rmsNorm(x, weight(p + "mlp_norm.weight", {dModel()}),
                               spec.normEps);
    x = w.add(x, mlp(h2, block, p + "mlp."));
  }
  return x;
}

std::string FunctionBuilder::buildBlock(StringRef name, const BlockSpec &block,
                                        const std::string &prefix) {
  inBlock = true;
  TensorValue x{"%block_input", {batch, length, Dim(dModel())}};
  w.line("%c0_idx = arith.constant 0 : index");
  w.line("%B = tensor.dim %block_input, %c0_idx : " + x.type());
  if (length.isDynamic()) {
    w.line("%c1_idx = arith.constant 1 : index");
    w.line("%L = tensor.dim %block_input, %c1_idx : " + x.type());
  }
  emitPositions("%position");
  TensorValue y = emitBlock(x, block, prefix);

  std::string args = "%block_input: " + x.type() + ", %weights: " + weightsType() +
                     ", %base: index, ";
  if (quantized())
    args += "%qweights: " + qweightsType() + ", %qbase: index, ";
  args += "%position: index";
  std::string body = w.text();
  if (!blockScales.empty()) {
    std::string count = std::to_string(blockScales.size());
    args += ", %ssm_scales: tensor<" + count + "xf32>";
    for (size_t at; (at = body.find("@SSM_SCALES@")) != std::string::npos;)
      body.replace(at, strlen("@SSM_SCALES@"), count);
  }
  SmallVector<std::string> results = {y.name}, types = {y.type()};
  for (auto [i, next] : llvm::enumerate(nextState)) {
    args += ", %s" + std::to_string(i) + ": " + next.type() +
            " {seqc.donated}";
    results.push_back(next.name);
    types.push_back(next.type());
  }
  body += "  return " + join(results, ", ") + " : " + join(types, ", ") +
          "\n";
  return "  func.func private @" + name.str() + "(" + args + ") -> (" +
         join(types, ", ") + ") {\n" + body + "  }\n";
}

std::string FunctionBuilder::build(StringRef name) {
  std::string lengthType = length.isDynamic() ? "?" : "1";
  w.line("%c0_idx = arith.constant 0 : index");
  // Every piece of state is related to the tokens' batch by the op that
  // reads it, so the ABI checks that their batches agree.
  // The input: token ids [B, L], or feature vectors [B, L, input_dim].
  std::string input = spec.inputDim > 0 ? "%features" : "%tokens";
  std::string inputType =
      spec.inputDim > 0 ? "tensor<?x" + lengthType + "x" +
                              std::to_string(spec.inputDim) + "xf32>"
                        : "tensor<?x" + lengthType + "xi32>";
  w.line("%B = tensor.dim " + input + ", %c0_idx : " + inputType);
  if (length.isDynamic()) {
    w.line("%c1_idx = arith.constant 1 : index");
    w.line("%L = tensor.dim " + input + ", %c1_idx : " + inputType);
  }
  w.line("%pos64 = tensor.extract %position[%c0_idx] : tensor<1xi64>");
  w.line("%pos_raw = arith.index_cast %pos64 : i64 to index");
  emitPositions("%pos_raw");

  // Each block is a call of a function of its own; blocks of the same
  // shape (every layer of a Llama) share one, so compile time does not
  // grow with depth. no_inline keeps them apart until code generation.
  std::string functions;
  SmallVector<std::string> bodies;
  TensorValue x = embed(input);
  for (auto [i, block] : llvm::enumerate(spec.blocks)) {
    if (!layout.frozen) {
      layout.blockBases.push_back(layout.weightsSize);
      layout.blockQBases.push_back(layout.qweightsSize);
    }
    FunctionBuilder fb(spec, layout, !length.isDynamic(), statePieces);
    fb.blockBase = layout.blockBases[i];
    fb.blockQBase = layout.blockQBases[i];
    std::string body = fb.buildBlock("@BLOCK@", block,
                                     "blocks." + std::to_string(i) + ".");
    size_t index = llvm::find(bodies, body) - bodies.begin();
    std::string callee = (name + "_block" + Twine(index)).str();
    if (index == bodies.size()) {
      bodies.push_back(body);
      size_t at = body.find("@@BLOCK@");
      functions += body.substr(0, at) + "@" + callee +
                   body.substr(at + strlen("@@BLOCK@"));
    }
    TensorValue y{w.fresh("block"), x.dims};
    SmallVector<std::string> operands = {x.name, "%weights",
                                         w.index(fb.blockBase)};
    SmallVector<std::string> inTypes = {x.type(), weightsType(), "index"};
    if (quantized()) {
      operands.append({"%qweights", w.index(fb.blockQBase)});
      inTypes.append({qweightsType(), "index"});
    }
    operands.push_back("%pos");
    inTypes.push_back("index");
    if (!fb.blockScales.empty()) {
      // This layer's calibrated scales, for its shared function.
      std::string type =
          "tensor<" + std::to_string(fb.blockScales.size()) + "xf32>";
      std::string scales = w.fresh("ssm_scales");
      SmallVector<std::string> values;
      for (double s : fb.blockScales)
        values.push_back(llvm::formatv("{0:e8}", s).str());
      w.line(scales + " = arith.constant dense<[" + join(values, ", ") +
             "]> : " + type);
      operands.push_back(scales);
      inTypes.push_back(type);
    }
    SmallVector<std::string> outTypes = {x.type()};
    std::string results = y.name;
    for (auto [piece, next] : llvm::zip(fb.blockPieces, fb.nextState)) {
      operands.push_back("%state" + std::to_string(piece));
      inTypes.push_back(next.type());
      outTypes.push_back(next.type());
      TensorValue result{w.fresh("next"), next.dims};
      results += ", " + result.name;
      nextState.push_back(result);
    }
    w.line(results + " = func.call @" + callee + "(" + join(operands, ", ") +
           ") {no_inline} : (" + join(inTypes, ", ") + ") -> (" +
           join(outTypes, ", ") + ")");
    x = y;
  }
  TensorValue h = w.rmsNorm(x, weight("norm.weight", {dModel()}), spec.normEps);
  // A tied head is the embedding's table (quantized with it or not).
  TensorValue head = projection(
      spec.tieEmbeddings ? "embed.weight" : "lm_head.weight", spec.vocabSize,
      dModel());
  TensorValue logits = linear(h, head);

  SmallVector<std::string> results = {logits.name}, resultTypes = {
      logits.type() + " {seqc.name = \"logits\"}"};
  std::string args = input + ": " + inputType + " {seqc.name = \"" +
                     input.substr(1) + "\"}, %position: "
                     "tensor<1xi64> {seqc.name = \"position\"}, %weights: " +
                     weightsType() + " {seqc.name = \"weights\"}";
  if (quantized())
    args += ", %qweights: " + qweightsType() + " {seqc.name = \"qweights\"}";
  SmallVector<std::string> plainTypes = {logits.type()};
  for (auto [i, piece] : llvm::enumerate(layout.state)) {
    const TensorValue &next = nextState[i];
    args += ", %state" + std::to_string(i) + ": " + next.type() +
            " {seqc.donated, seqc.name = \"" + piece.name + "\"}";
    results.push_back(next.name);
    plainTypes.push_back(next.type());
    resultTypes.push_back(next.type() + " {seqc.name = \"next_" + piece.name +
                          "\"}");
  }
  w.line("return " + join(results, ", ") + " : " + join(plainTypes, ", "));
  return "  func.func @" + name.str() + "(" + args + ") -> (" +
         join(resultTypes, ", ") + ") {\n" + w.text() + "  }\n" + functions;
}

/// Lays out the weights and the state (by building @forward once), then
/// writes both functions.
static std::string buildFunctions(const ModelSpec &spec, Layout &layout) {
  unsigned pieces = 0;
  (void)FunctionBuilder(spec, layout, false, pieces).build("forward");
  layout.frozen = true;
  unsigned forwardPieces = 0, stepPieces = 0;
  return FunctionBuilder(spec, layout, false, forwardPieces).build("forward") +
         FunctionBuilder(spec, layout, true, stepPieces).build("step");
}

std::string seqc::buildModelIR(const ModelSpec &spec) {
  Layout layout;
  return "module {\n" + buildFunctions(spec, layout) + "}\n";
}

mlir::OwningOpRef<mlir::ModuleOp> seqc::buildModel(const ModelSpec &spec,
                                                   mlir::MLIRContext &context) {
  Layout layout;
  std::string text = "module {\n" + buildFunctions(spec, layout) + "}\n";
  // Each size is bounded by the description's reader; their products may
  // still describe a model no machine holds.
  constexpr int64_t kMaxWeights = int64_t(1) << 36, kMaxState = int64_t(1) << 34;
  if (layout.weightsSize > kMaxWeights || layout.stateSize > kMaxState ||
      layout.state.size() > 1000) {
    mlir::emitError(mlir::UnknownLoc::get(&context))
        << "the model \"" << spec.name << "\" has " << layout.weightsSize
        << " weights and " << layout.stateSize
        << " values of state per sequence in " << layout.state.size()
        << " pieces; seqc supports up to 2^36, 2^34 and 1000 (reduce the "
           "sizes, the blocks, or max_context)";
    return nullptr;
  }
  mlir::ParserConfig config(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config, spec.name);
  if (!module)
    return nullptr;
  mlir::Builder b(&context);
  SmallVector<mlir::Attribute> weights, state;
  for (const WeightSlot &slot : layout.weights) {
    SmallVector<mlir::NamedAttribute> fields = {
        b.getNamedAttr("name", b.getStringAttr(slot.name)),
        b.getNamedAttr("shape", b.getI64ArrayAttr(slot.shape)),
        b.getNamedAttr("offset", b.getI64IntegerAttr(slot.offset))};
    if (slot.bits)
      fields.append(
          {b.getNamedAttr("bits", b.getI64IntegerAttr(slot.bits)),
           b.getNamedAttr("group_size", b.getI64IntegerAttr(slot.groupSize)),
           b.getNamedAttr("scale_offset",
                          b.getI64IntegerAttr(slot.scaleOffset))});
    if (slot.rotation)
      fields.push_back(
          b.getNamedAttr("rotation", b.getI64IntegerAttr(slot.rotation)));
    if (slot.zeroOffset >= 0)
      fields.push_back(b.getNamedAttr("zero_offset",
                                      b.getI64IntegerAttr(slot.zeroOffset)));
    weights.push_back(b.getDictionaryAttr(fields));
  }
  for (const StatePiece &piece : layout.state)
    state.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(piece.name)),
         b.getNamedAttr("shape", b.getI64ArrayAttr(piece.shape)),
         b.getNamedAttr("offset", b.getI64IntegerAttr(piece.offset))}));
  SmallVector<mlir::NamedAttribute> model = {
      b.getNamedAttr("name", b.getStringAttr(spec.name)),
      b.getNamedAttr("architecture", b.getStringAttr(spec.architecture)),
      b.getNamedAttr("vocab_size", b.getI64IntegerAttr(spec.vocabSize)),
      b.getNamedAttr("max_context", b.getI64IntegerAttr(spec.maxContext)),
      b.getNamedAttr("weights_size", b.getI64IntegerAttr(std::max<int64_t>(
                                         layout.weightsSize, 1))),
      b.getNamedAttr("state_size", b.getI64IntegerAttr(layout.stateSize)),
      b.getNamedAttr("state", b.getArrayAttr(state)),
      b.getNamedAttr("weights", b.getArrayAttr(weights))};
  if (spec.inputDim > 0)
    model.push_back(
        b.getNamedAttr("input_dim", b.getI64IntegerAttr(spec.inputDim)));
  if (spec.quantBits)
    model.push_back(b.getNamedAttr(
        "qweights_size",
        b.getI64IntegerAttr(std::max<int64_t>(layout.qweightsSize, 1))));
  (*module)->setAttr(kModelAttrName, b.getDictionaryAttr(model));
  if (failed(mlir::verify(*module)))
    return nullptr;
  return module;
}
