//===- ModelDescription.cpp - seqc's JSON model format --------------------===//
//
// The "seqc-model" format of docs/models.md, validated field by field, and
// the entry that tells a model description from IR and reads either kind.
//
//===----------------------------------------------------------------------===//

#include "seqc/Frontend/ModelDescription.h"

#include "JsonFields.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;
using namespace seqc;

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

std::string ModelSpec::weightName(StringRef canonical) const {
  // Hugging Face names differ from seqc's by prefix only.
  auto rewrite = [&](ArrayRef<std::pair<StringRef, StringRef>> globals,
                     StringRef layerPrefix,
                     ArrayRef<std::pair<StringRef, StringRef>> parts) {
    for (auto [from, to] : globals)
      if (canonical == from)
        return to.str();
    StringRef rest = canonical;
    if (!rest.consume_front("blocks."))
      return canonical.str();
    auto [index, role] = rest.split('.');
    for (auto [from, to] : parts)
      if (role.consume_front(from))
        return (layerPrefix + index + "." + to + role).str();
    return canonical.str();
  };
  switch (naming) {
  case WeightNaming::Seqc:
    return canonical.str();
  case WeightNaming::Llama:
    return rewrite({{"embed.weight", "model.embed_tokens.weight"},
                    {"norm.weight", "model.norm.weight"}},
                   "model.layers.",
                   {{"norm.", "input_layernorm."},
                    {"mlp_norm.", "post_attention_layernorm."},
                    {"attn.", "self_attn."},
                    {"mlp.", "mlp."}});
  case WeightNaming::Mamba:
  case WeightNaming::Mamba2:
    return rewrite({{"embed.weight", "backbone.embeddings.weight"},
                    {"norm.weight", "backbone.norm_f.weight"}},
                   "backbone.layers.",
                   {{"norm.", "norm."},
                    {"mamba.", "mixer."},
                    {"mamba2.", "mixer."}});
  }
  return canonical.str();
}

static void parseAttention(JsonFields &f, int64_t dModel, AttentionSpec &a) {
  a.numHeads = f.integer("num_heads", 1, std::nullopt).value_or(1);
  a.numKVHeads = f.integer("num_kv_heads", 1, a.numHeads).value_or(1);
  if (a.numHeads % a.numKVHeads != 0)
    f.report("num_kv_heads", "must divide num_heads (" + Twine(a.numHeads) +
                                 "), got " + Twine(a.numKVHeads));
  if (!f.has("head_dim") && dModel % a.numHeads != 0)
    f.report("head_dim", "missing, and d_model (" + Twine(dModel) +
                             ") is not a multiple of num_heads (" +
                             Twine(a.numHeads) + ") to default it");
  a.headDim = f.integer("head_dim", 1, dModel / a.numHeads).value_or(1);
  // Absent: the default; null: no positional encoding.
  if (f.isNull("rope_theta")) {
    (void)f.get("rope_theta");
    a.ropeTheta = std::nullopt;
  } else {
    a.ropeTheta = f.number("rope_theta", 0.0, 10000.0);
  }
  if (a.ropeTheta && a.headDim % 2 != 0)
    f.report("head_dim", "must be even with rotary embeddings (rope_theta), "
                         "got " + Twine(a.headDim));
  if (f.has("window"))
    a.window = f.integer("window", 1, std::nullopt);
  if (f.has("chunk"))
    a.chunk = f.integer("chunk", 1, std::nullopt);
  if (a.window && a.chunk)
    f.report("chunk", "cannot be combined with window");
}

static void parseMamba(JsonFields &f, int64_t dModel, MambaSpec &m) {
  m.dInner = f.integer("d_inner", 1, 2 * dModel).value_or(1);
  m.dState = f.integer("d_state", 1, 16).value_or(1);
  m.dConv = f.integer("d_conv", 2, 4, 64).value_or(2);
  m.dtRank = f.integer("dt_rank", 1, (dModel + 15) / 16).value_or(1);
  m.convBias = f.boolean("conv_bias", true).value_or(true);
  m.projBias = f.boolean("proj_bias", false).value_or(false);
}

static void parseMamba2(JsonFields &f, Mamba2Spec &m) {
  m.numHeads = f.integer("num_heads", 1, std::nullopt).value_or(1);
  m.headDim = f.integer("head_dim", 1, 64).value_or(1);
  m.dState = f.integer("d_state", 1, 128).value_or(1);
  m.nGroups = f.integer("n_groups", 1, 1).value_or(1);
  if (m.numHeads % m.nGroups != 0)
    f.report("n_groups", "must divide num_heads (" + Twine(m.numHeads) +
                             "), got " + Twine(m.nGroups));
  m.dConv = f.integer("d_conv", 2, 4, 64).value_or(2);
  m.convBias = f.boolean("conv_bias", true).value_or(true);
  m.projBias = f.boolean("proj_bias", false).value_or(false);
}

static void parseGLA(JsonFields &f, int64_t dModel, GLASpec &g) {
  g.numHeads = f.integer("num_heads", 1, std::nullopt).value_or(1);
  if (dModel % g.numHeads != 0)
    f.report("num_heads", "must divide d_model (" + Twine(dModel) + "), got " +
                              Twine(g.numHeads));
  g.headDim = f.integer("head_dim", 1, dModel / g.numHeads).value_or(1);
  g.gateNormalizer = f.number("gate_normalizer", 0.0, 16.0).value_or(16.0);
}

static void parseGatedDeltaNet(JsonFields &f, int64_t dModel,
                               GatedDeltaNetSpec &g) {
  g.numHeads = f.integer("num_heads", 1, std::nullopt).value_or(1);
  if (dModel % g.numHeads != 0)
    f.report("num_heads", "must divide d_model (" + Twine(dModel) + "), got " +
                              Twine(g.numHeads));
  g.headDim = f.integer("head_dim", 1, dModel / g.numHeads).value_or(1);
  g.valueHeadDim =
      f.integer("value_head_dim", 1, 2 * g.headDim).value_or(1);
  g.convSize = f.integer("conv_size", 2, 4, 64).value_or(2);
}

static void parseMLSTM(JsonFields &f, int64_t dModel, MLSTMSpec &m) {
  m.numHeads = f.integer("num_heads", 1, std::nullopt).value_or(1);
  if (dModel % m.numHeads != 0)
    f.report("num_heads", "must divide d_model (" + Twine(dModel) + "), got " +
                              Twine(m.numHeads));
  m.headDim = f.integer("head_dim", 1, dModel / m.numHeads).value_or(1);
}

static void parseRNN(JsonFields &f, int64_t dModel, RNNSpec &r) {
  r.numHeads = f.integer("num_heads", 1, 1).value_or(1);
  if (dModel % r.numHeads != 0)
    f.report("num_heads", "must divide d_model (" + Twine(dModel) + "), got " +
                              Twine(r.numHeads));
}

static void parseConv(JsonFields &f, ConvSpec &c) {
  c.kernel = f.integer("kernel", 1, std::nullopt, 64).value_or(1);
  c.dilation = f.integer("dilation", 1, 1, 4096).value_or(1);
  c.activation = f.string("activation", std::string("gelu")).value_or("gelu");
  if (!llvm::is_contained({"none", "silu", "relu", "gelu", "tanh"},
                          StringRef(c.activation)))
    f.report("activation", "expected none, silu, relu, gelu or tanh, got \"" +
                               c.activation + "\"");
}

static void parseBlock(const json::Value &value, const std::string &path,
                       int64_t dModel, BlockSpec &block, JsonErrors &errors) {
  const json::Object *object = value.getAsObject();
  if (!object) {
    errors.report(path, "expected a block object, got " +
                            describeJsonKind(value));
    return;
  }
  JsonFields f(*object, path, errors);
  if (const json::Object *mixer = f.object_("mixer", /*required=*/true)) {
    JsonFields m(*mixer, f.fieldPath("mixer"), errors);
    std::string kind = m.string("kind", std::nullopt).value_or("");
    if (kind == "attention") {
      block.mixer = MixerKind::Attention;
      parseAttention(m, dModel, block.attention);
    } else if (kind == "mamba") {
      block.mixer = MixerKind::Mamba;
      parseMamba(m, dModel, block.mamba);
    } else if (kind == "mamba2") {
      block.mixer = MixerKind::Mamba2;
      parseMamba2(m, block.mamba2);
    } else if (kind == "gla") {
      block.mixer = MixerKind::GLA;
      parseGLA(m, dModel, block.gla);
    } else if (kind == "gated_deltanet") {
      block.mixer = MixerKind::GatedDeltaNet;
      parseGatedDeltaNet(m, dModel, block.gatedDeltaNet);
    } else if (kind == "mlstm") {
      block.mixer = MixerKind::MLSTM;
      parseMLSTM(m, dModel, block.mlstm);
    } else if (kind == "lstm" || kind == "gru") {
      block.mixer = kind == "lstm" ? MixerKind::LSTM : MixerKind::GRU;
      parseRNN(m, dModel, block.rnn);
    } else if (kind == "conv") {
      block.mixer = MixerKind::Conv;
      parseConv(m, block.conv);
    } else if (!errors.failed()) {
      m.report("kind", "unknown mixer \"" + kind +
                           "\" (supported: attention, mamba, mamba2, gla, "
                           "gated_deltanet, mlstm, lstm, gru, conv)");
    }
    if (kind == "attention")
      m.rejectUnknown({"kind", "num_heads", "num_kv_heads", "head_dim",
                       "rope_theta", "window", "chunk"});
    else if (kind == "mamba")
      m.rejectUnknown({"kind", "d_inner", "d_state", "d_conv", "dt_rank",
                       "conv_bias", "proj_bias"});
    else if (kind == "mamba2")
      m.rejectUnknown({"kind", "num_heads", "head_dim", "d_state", "n_groups",
                       "d_conv", "conv_bias", "proj_bias"});
    else if (kind == "gla")
      m.rejectUnknown({"kind", "num_heads", "head_dim", "gate_normalizer"});
    else if (kind == "mlstm")
      m.rejectUnknown({"kind", "num_heads", "head_dim"});
    else if (kind == "gated_deltanet")
      m.rejectUnknown({"kind", "num_heads", "head_dim", "value_head_dim",
                       "conv_size"});
    else if (kind == "lstm" || kind == "gru")
      m.rejectUnknown({"kind", "num_heads"});
    else if (kind == "conv")
      m.rejectUnknown({"kind", "kernel", "dilation", "activation"});
  }
  if (const json::Object *mlp = f.object_("mlp", /*required=*/false)) {
    JsonFields m(*mlp, f.fieldPath("mlp"), errors);
    std::string kind = m.string("kind", std::nullopt).value_or("");
    if (kind == "swiglu")
      block.mlp = MLPKind::SwiGLU;
    else if (kind == "gelu")
      block.mlp = MLPKind::GELU;
    else if (!errors.failed())
      m.report("kind", "unknown MLP \"" + kind + "\" (supported: swiglu, gelu)");
    block.mlpHidden = m.integer("hidden", 1, std::nullopt).value_or(1);
    m.rejectUnknown({"kind", "hidden"});
  }
  f.rejectUnknown({"mixer", "mlp"});
}

Expected<ModelSpec> seqc::parseModelDescription(StringRef text) {
  Expected<json::Value> parsed = parseJson(text);
  if (!parsed)
    return makeError("not valid JSON: " + toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return makeError("expected a JSON object at the top level, got " +
                     describeJsonKind(*parsed));
  JsonErrors errors;
  JsonFields f(*root, "", errors);
  ModelSpec spec;
  std::string format = f.string("format", std::nullopt).value_or("");
  if (!errors.failed() && format != "seqc-model")
    f.report("format", "expected \"seqc-model\", got \"" + format + "\"");
  int64_t version = f.integer("version", 1, std::nullopt).value_or(1);
  if (!errors.failed() && version != 1)
    f.report("version", "this seqc reads version 1, got " + Twine(version));
  spec.name = f.string("name", std::string("model")).value_or("model");
  if (spec.name.empty() ||
      !llvm::all_of(spec.name, [](char c) {
        return isAlnum(c) || c == '_' || c == '-';
      }))
    f.report("name", "expected letters, digits, '_' or '-', got \"" +
                         spec.name + "\"");
  spec.vocabSize = f.integer("vocab_size", 1, std::nullopt).value_or(1);
  spec.dModel = f.integer("d_model", 1, std::nullopt).value_or(1);
  spec.maxContext =
      f.integer("max_context", 1, 2048, kMaxModelContext).value_or(1);
  spec.normEps = f.number("norm_eps", 0.0, 1e-5).value_or(1e-5);
  spec.tieEmbeddings = f.boolean("tie_embeddings", false).value_or(false);
  spec.inputDim = f.integer("input_dim", 1, 0, int64_t(1) << 20).value_or(0);
  if (spec.inputDim > 0 && spec.tieEmbeddings)
    f.report("tie_embeddings",
             "expected false with input_dim (feature vectors have no "
             "embedding table for the head to reuse)");
  if (const json::Array *blocks = f.array("blocks", /*required=*/true)) {
    if (blocks->empty())
      f.report("blocks", "expected at least one block");
    if (blocks->size() > 4096)
      f.report("blocks", "expected at most 4096 blocks, got " +
                             Twine(blocks->size()));
    for (auto [i, value] : llvm::enumerate(*blocks)) {
      BlockSpec block;
      parseBlock(value, "blocks[" + std::to_string(i) + "]", spec.dModel,
                 block, errors);
      spec.blocks.push_back(block);
    }
  }
  f.rejectUnknown({"format", "version", "name", "vocab_size", "d_model",
                   "max_context", "norm_eps", "tie_embeddings", "input_dim",
                   "blocks"});
  if (errors.failed())
    return errors.take();
  return spec;
}

bool seqc::isModelDescriptionPath(StringRef path) {
  return sys::fs::is_directory(path) || path.ends_with_insensitive(".json");
}

Expected<ModelSpec> seqc::readModelDescription(StringRef path) {
  SmallString<256> file(path);
  bool huggingFace = sys::fs::is_directory(path);
  if (huggingFace)
    sys::path::append(file, "config.json");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(file, /*IsText=*/true);
  if (!buffer)
    return makeError(file + ": cannot read: " + buffer.getError().message());
  StringRef text = (*buffer)->getBuffer();
  // A .json file is a Hugging Face config when it names a model_type.
  if (!huggingFace) {
    Expected<json::Value> parsed = parseJson(withJsonNonFiniteTokens(text));
    if (parsed && parsed->getAsObject() &&
        parsed->getAsObject()->get("model_type") &&
        !parsed->getAsObject()->get("format"))
      huggingFace = true;
    else if (!parsed)
      consumeError(parsed.takeError());
  }
  Expected<ModelSpec> spec =
      huggingFace ? parseHuggingFaceConfig(text) : parseModelDescription(text);
  if (!spec)
    return makeError(file + ": " + toString(spec.takeError()));
  return spec;
}
