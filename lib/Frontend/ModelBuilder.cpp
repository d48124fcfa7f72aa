//===- ModelBuilder.cpp - a ModelSpec as seq + upstream IR ---------------===//
//
// Writes @forward and @step (ModelBuilder.h) block by block:
//
//   tokens ─ embed ─┬─ rmsnorm ─ mixer ─(+)─┬─ rmsnorm ─ mlp ─(+)─ ... ─ rmsnorm ─ head ─ logits
//                   └─────────────────────┘ └──────────────────┘
//
// attention: projections, RoPE at absolute positions (position + l), the new
// keys and values written into the KV cache at `position`, then
// seq.attention over the cache with kv_len = position + L (its causal mask
// is end-aligned, so query l sits at position + l). mamba: in_proj, the
// streaming seq.conv1d (state: the last d_conv - 1 inputs), x_proj/dt_proj
// and seq.selective_scan from the carried SSM state. Each mixer's updated
// state is written into next_state.
//
//===----------------------------------------------------------------------===//

#include "seqc/Frontend/ModelBuilder.h"

#include "TensorIRWriter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>

using namespace llvm;
using namespace seqc;

namespace {

struct WeightSlot {
  std::string name; // in the safetensors file
  SmallVector<int64_t> shape;
  int64_t offset = 0;
};

/// Where the weights and the per-sequence state live in the packed buffers.
/// The same for @forward and @step (both are built with one Layout).
struct Layout {
  std::vector<WeightSlot> weights;
  StringMap<size_t> weightIndex;
  int64_t weightsSize = 0;
  int64_t stateSize = 0;
  /// Offsets of the state pieces in build order.
  std::vector<int64_t> stateOffsets;
  bool frozen = false;

  // Slots start on 64-byte boundaries, as vector loads like them.
  static int64_t align(int64_t n) { return (n + 15) / 16 * 16; }
};

class FunctionBuilder {
public:
  FunctionBuilder(const ModelSpec &spec, Layout &layout, bool step)
      : spec(spec), layout(layout), length(step ? Dim(1) : Dim("%L")) {}

  std::string build(StringRef name);

private:
  const ModelSpec &spec;
  Layout &layout;
  TensorIRWriter w;
  Dim batch{std::string("%B")};
  Dim length;
  std::string position;  // index: the first new token's position
  std::string positionI; // the same as i32 + L, kv_len
  unsigned statePieces = 0;
  /// (value collapsed to [B, n], offset) to write into next_state.
  std::vector<std::pair<TensorValue, int64_t>> nextState;

  int64_t dModel() const { return spec.dModel; }
  // Final once the layout is frozen (the first, sizing build writes
  // placeholders that are discarded).
  std::string weightsType() const {
    return "tensor<" + std::to_string(std::max<int64_t>(layout.weightsSize, 1)) +
           "xf32>";
  }
  int64_t stateSize() const { return std::max<int64_t>(layout.stateSize, 1); }
  std::string stateType() const {
    return "tensor<?x" + std::to_string(stateSize()) + "xf32>";
  }
  TensorValue weight(StringRef canonical, ArrayRef<int64_t> shape);
  TensorValue stateIn(ArrayRef<int64_t> shape);
  void stateOut(const TensorValue &value);

  TensorValue embed(StringRef tokens);
  TensorValue attention(const TensorValue &x, const AttentionSpec &a,
                        const std::string &prefix);
  TensorValue rope(const TensorValue &x, const AttentionSpec &a);
  TensorValue mamba(const TensorValue &x, const MambaSpec &m,
                    const std::string &prefix);
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
  TensorValue flat{w.fresh("w"), {Dim(count)}};
  w.line(flat.name + " = tensor.extract_slice %weights[" +
         std::to_string(offset) + "] [" + std::to_string(count) +
         "] [1] : " + weightsType() + " to " + flat.type());
  if (shape.size() == 1)
    return flat;
  return w.expandLast(flat, shape);
}

TensorValue FunctionBuilder::stateIn(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t s : shape)
    count *= s;
  int64_t offset;
  if (layout.frozen) {
    offset = layout.stateOffsets[statePieces];
  } else {
    offset = layout.stateSize;
    layout.stateOffsets.push_back(offset);
    layout.stateSize = Layout::align(offset + count);
  }
  ++statePieces;
  TensorValue flat{w.fresh("state"), {batch, Dim(count)}};
  w.line(flat.name + " = tensor.extract_slice %state[0, " +
         std::to_string(offset) + "] [%B, " + std::to_string(count) +
         "] [1, 1] : " + stateType() + " to " + flat.type());
  return w.expandLast(flat, shape);
}

void FunctionBuilder::stateOut(const TensorValue &value) {
  // Pieces are written back in the order they were read.
  int64_t offset = layout.stateOffsets[nextState.size()];
  nextState.push_back({w.collapseFrom(value, 1), offset});
}

TensorValue FunctionBuilder::embed(StringRef tokens) {
  TensorValue table =
      weight("embed.weight", {spec.vocabSize, dModel()});
  TensorValue ids{tokens.str(), {batch, length}, "i32"};
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
      "    %col = linalg.index 2 : index\n"
      "    %v = tensor.extract " + table.name + "[%row, %col] : " +
      table.type() + "\n"
      "    linalg.yield %v : f32\n";
  return w.generic({ids}, out, {affineMap(3, {0, 1}), affineMap(3, {0, 1, 2})},
                   {"parallel", "parallel", "parallel"}, "%t: i32, %o: f32",
                   bodyText, "embedded");
}

TensorValue FunctionBuilder::rope(const TensorValue &x,
                                  const AttentionSpec &a) {
  // x is [B, L, heads, head_dim]; "rotate half" pairs j and j + head_dim/2.
  int64_t half = a.headDim / 2;
  double c = -2.0 * std::log(*a.ropeTheta) / static_cast<double>(a.headDim);
  std::string cst = w.f32(c);
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
      "    %p = arith.addi %l, " + position + " : index\n"
      "    %pi = arith.index_cast %p : index to i64\n"
      "    %pf = arith.sitofp %pi : i64 to f32\n"
      "    %ji = arith.index_cast %jf : index to i64\n"
      "    %jff = arith.sitofp %ji : i64 to f32\n"
      "    %e = arith.mulf %jff, " + cst + " : f32\n"
      "    %freq = math.exp %e : f32\n"
      "    %ang = arith.mulf %pf, %freq : f32\n"
      "    %cos = math.cos %ang : f32\n"
      "    %sin = math.sin %ang : f32\n"
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
  TensorValue wq = weight(prefix + "q_proj.weight", {qDim, dModel()});
  TensorValue wk = weight(prefix + "k_proj.weight", {kvDim, dModel()});
  TensorValue wv = weight(prefix + "v_proj.weight", {kvDim, dModel()});
  TensorValue wo = weight(prefix + "o_proj.weight", {dModel(), qDim});
  TensorValue q = w.expandLast(w.linear(x, wq), {a.numHeads, a.headDim});
  TensorValue k = w.expandLast(w.linear(x, wk), {a.numKVHeads, a.headDim});
  TensorValue v = w.expandLast(w.linear(x, wv), {a.numKVHeads, a.headDim});
  if (a.ropeTheta) {
    q = rope(q, a);
    k = rope(k, a);
  }
  // [B, L, heads, D] -> [B, heads, L, D], as seq.attention takes them.
  q = w.transpose(q, {0, 2, 1, 3});
  k = w.transpose(k, {0, 2, 1, 3});
  v = w.transpose(v, {0, 2, 1, 3});

  TensorValue kCache = stateIn({a.numKVHeads, spec.maxContext, a.headDim});
  TensorValue vCache = stateIn({a.numKVHeads, spec.maxContext, a.headDim});
  // Only the rows that fit are written (all of them in a call the model
  // API allowed); a direct call with too many tokens must not write past
  // the cache.
  auto append = [&](const TensorValue &cache, TensorValue value) {
    std::string rows = length.operand();
    if (length.isDynamic()) {
      rows = "%fit";
      TensorValue fitting{w.fresh("fit"), value.dims};
      w.line(fitting.name + " = tensor.extract_slice " + value.name +
             "[0, 0, 0, 0] [%B, " + std::to_string(a.numKVHeads) +
             ", %fit, " + std::to_string(a.headDim) + "] [1, 1, 1, 1] : " +
             value.type() + " to " + fitting.type());
      value = fitting;
    }
    TensorValue t{w.fresh("cache"), cache.dims};
    w.line(t.name + " = tensor.insert_slice " + value.name + " into " +
           cache.name + "[0, 0, " + position + ", 0] [%B, " +
           std::to_string(a.numKVHeads) + ", " + rows + ", " +
           std::to_string(a.headDim) + "] [1, 1, 1, 1] : " + value.type() +
           " into " + cache.type());
    return t;
  };
  kCache = append(kCache, k);
  vCache = append(vCache, v);
  stateOut(kCache);
  stateOut(vCache);

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
  return w.linear(merged, wo);
}

TensorValue FunctionBuilder::mamba(const TensorValue &x, const MambaSpec &m,
                                   const std::string &prefix) {
  int64_t di = m.dInner, n = m.dState, r = m.dtRank, k = m.dConv;
  TensorValue inW = weight(prefix + "in_proj.weight", {2 * di, dModel()});
  std::optional<TensorValue> inB;
  if (m.projBias)
    inB = weight(prefix + "in_proj.bias", {2 * di});
  TensorValue convW = weight(prefix + "conv1d.weight", {di, 1, k});
  std::optional<TensorValue> convB;
  if (m.convBias)
    convB = weight(prefix + "conv1d.bias", {di});
  TensorValue xW = weight(prefix + "x_proj.weight", {r + 2 * n, di});
  TensorValue dtW = weight(prefix + "dt_proj.weight", {di, r});
  TensorValue dtB = weight(prefix + "dt_proj.bias", {di});
  TensorValue aLog = weight(prefix + "A_log", {di, n});
  TensorValue d = weight(prefix + "D", {di});
  TensorValue outW = weight(prefix + "out_proj.weight", {dModel(), di});
  std::optional<TensorValue> outB;
  if (m.projBias)
    outB = weight(prefix + "out_proj.bias", {dModel()});

  TensorValue xz = w.linear(x, inW, inB ? &*inB : nullptr);
  TensorValue u = w.sliceLast(xz, 0, di);
  TensorValue z = w.sliceLast(xz, di, di);

  TensorValue convState = stateIn({k - 1, di});
  TensorValue conv{w.fresh("conv"), u.dims};
  TensorValue convNext{w.fresh("convstate"), convState.dims};
  w.line(conv.name + ", " + convNext.name + " = seq.conv1d " + u.name + ", " +
         convW.name +
         (convB ? " bias(" + convB->name + " : " + convB->type() + ")" : "") +
         " state(" + convState.name + " : " + convState.type() +
         ") activation silu : " + u.type() + ", " + convW.type() + " -> " +
         conv.type() + ", " + convNext.type());
  stateOut(convNext);

  TensorValue proj = w.linear(conv, xW);
  TensorValue delta = w.linear(w.sliceLast(proj, 0, r), dtW);
  TensorValue bm = w.expandLast(w.sliceLast(proj, r, n), {1, n});
  TensorValue cm = w.expandLast(w.sliceLast(proj, r + n, n), {1, n});
  TensorValue a = w.negExp(aLog);

  TensorValue ssmState = stateIn({di, n});
  TensorValue y{w.fresh("ssm"), conv.dims};
  TensorValue ssmNext{w.fresh("ssmstate"), ssmState.dims};
  w.line(y.name + ", " + ssmNext.name + " = seq.selective_scan " + conv.name +
         ", " + delta.name + ", " + a.name + ", " + bm.name + ", " + cm.name +
         " D(" + d.name + " : " + d.type() + ") z(" + z.name + " : " +
         z.type() + ") delta_bias(" + dtB.name + " : " + dtB.type() +
         ") initial_state(" + ssmState.name + " : " + ssmState.type() +
         ") {delta_softplus} : " + conv.type() + ", " + delta.type() + ", " +
         a.type() + ", " + bm.type() + ", " + cm.type() + " -> " + y.type() +
         ", " + ssmNext.type());
  stateOut(ssmNext);
  return w.linear(y, outW, outB ? &*outB : nullptr);
}

TensorValue FunctionBuilder::mlp(const TensorValue &x, const BlockSpec &block,
                                 const std::string &prefix) {
  int64_t hidden = block.mlpHidden;
  TensorValue up = weight(prefix + "up_proj.weight", {hidden, dModel()});
  TensorValue down = weight(prefix + "down_proj.weight", {dModel(), hidden});
  if (block.mlp == MLPKind::SwiGLU) {
    TensorValue gate = weight(prefix + "gate_proj.weight", {hidden, dModel()});
    return w.linear(w.siluMul(w.linear(x, gate), w.linear(x, up)), down);
  }
  return w.linear(w.gelu(w.linear(x, up)), down);
}

std::string FunctionBuilder::build(StringRef name) {
  std::string lengthType = length.isDynamic() ? "?" : "1";
  std::string v = std::to_string(spec.vocabSize);
  w.line("%c0_idx = arith.constant 0 : index");
  // B from the state: the embedding relates it to the tokens' batch, so the
  // ABI checks that the two agree (a state of fewer sequences than tokens
  // would be read out of bounds).
  w.line("%B = tensor.dim %state, %c0_idx : " + stateType());
  if (length.isDynamic()) {
    w.line("%c1_idx = arith.constant 1 : index");
    w.line("%L = tensor.dim %tokens, %c1_idx : tensor<?x?xi32>");
  }
  // The position is clamped so that the KV caches are never written out of
  // bounds; the model API checks it before a call.
  int64_t maxPosition = spec.maxContext - (length.isDynamic() ? 0 : 1);
  w.line("%pos64 = tensor.extract %position[%c0_idx] : tensor<1xi64>");
  w.line("%pos_raw = arith.index_cast %pos64 : i64 to index");
  w.line("%pos_lo = arith.maxsi %pos_raw, %c0_idx : index");
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

  TensorValue x = embed("%tokens");
  for (auto [i, block] : llvm::enumerate(spec.blocks)) {
    std::string p = "blocks." + std::to_string(i) + ".";
    TensorValue h = w.rmsNorm(
        x, weight(p + "norm.weight", {dModel()}), spec.normEps);
    TensorValue mixed = block.mixer == MixerKind::Attention
                            ? attention(h, block.attention, p + "attn.")
                            : mamba(h, block.mamba, p + "mamba.");
    x = w.add(x, mixed);
    if (block.mlp != MLPKind::None) {
      TensorValue h2 = w.rmsNorm(
          x, weight(p + "mlp_norm.weight", {dModel()}), spec.normEps);
      x = w.add(x, mlp(h2, block, p + "mlp."));
    }
  }
  TensorValue h = w.rmsNorm(x, weight("norm.weight", {dModel()}), spec.normEps);
  TensorValue head =
      weight(spec.tieEmbeddings ? "embed.weight" : "lm_head.weight",
             {spec.vocabSize, dModel()});
  TensorValue logits = w.linear(h, head);

  TensorValue next = w.empty({batch, Dim(stateSize())});
  for (auto &[value, offset] : nextState) {
    std::string updated = w.fresh("next");
    w.line(updated + " = tensor.insert_slice " + value.name + " into " +
           next.name + "[0, " + std::to_string(offset) + "] [%B, " +
           std::to_string(value.dims[1].size) + "] [1, 1] : " + value.type() +
           " into " + next.type());
    next.name = updated;
  }
  w.line("return " + logits.name + ", " + next.name + " : " + logits.type() +
         ", " + next.type());

  std::string logitsType = "tensor<?x" + lengthType + "x" + v + "xf32>";
  return "  func.func @" + name.str() + "(%tokens: tensor<?x" + lengthType +
         "xi32> {seqc.name = \"tokens\"}, %position: tensor<1xi64> "
         "{seqc.name = \"position\"}, %weights: " + weightsType() +
         " {seqc.name = \"weights\"}, %state: " + stateType() +
         " {seqc.name = \"state\"}) -> (" + logitsType +
         " {seqc.name = \"logits\"}, " + stateType() +
         " {seqc.name = \"next_state\"}) {\n" + w.text() + "  }\n";
}

/// Lays out the weights and the state (by building @forward once), then
/// writes both functions.
static std::string buildFunctions(const ModelSpec &spec, Layout &layout) {
  (void)FunctionBuilder(spec, layout, false).build("forward");
  layout.frozen = true;
  return FunctionBuilder(spec, layout, false).build("forward") +
         FunctionBuilder(spec, layout, true).build("step");
}

std::string seqc::buildModelIR(const ModelSpec &spec) {
  Layout layout;
  return "module {\n" + buildFunctions(spec, layout) + "}\n";
}

mlir::OwningOpRef<mlir::ModuleOp> seqc::buildModel(const ModelSpec &spec,
                                                   mlir::MLIRContext &context) {
  Layout layout;
  std::string text = "module {\n" + buildFunctions(spec, layout) + "}\n";
  mlir::ParserConfig config(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config, spec.name);
  if (!module)
    return nullptr;
  mlir::Builder b(&context);
  SmallVector<mlir::Attribute> weights;
  for (const WeightSlot &slot : layout.weights)
    weights.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(slot.name)),
         b.getNamedAttr("shape", b.getI64ArrayAttr(slot.shape)),
         b.getNamedAttr("offset", b.getI64IntegerAttr(slot.offset))}));
  (*module)->setAttr(
      kModelAttrName,
      b.getDictionaryAttr(
          {b.getNamedAttr("name", b.getStringAttr(spec.name)),
           b.getNamedAttr("architecture", b.getStringAttr(spec.architecture)),
           b.getNamedAttr("vocab_size", b.getI64IntegerAttr(spec.vocabSize)),
           b.getNamedAttr("max_context", b.getI64IntegerAttr(spec.maxContext)),
           b.getNamedAttr("weights_size",
                          b.getI64IntegerAttr(std::max<int64_t>(layout.weightsSize, 1))),
           b.getNamedAttr("state_size",
                          b.getI64IntegerAttr(std::max<int64_t>(layout.stateSize, 1))),
           b.getNamedAttr("weights", b.getArrayAttr(weights))}));
  if (failed(mlir::verify(*module)))
    return nullptr;
  return module;
}
