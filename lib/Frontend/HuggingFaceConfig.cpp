//===- HuggingFaceConfig.cpp - transformers' config.json as a ModelSpec --===//
//
// Reads the fields of a Hugging Face config.json that decide what a model
// computes, with transformers' defaults for absent ones (LlamaConfig,
// MambaConfig). Fields that only concern training or other runtimes are
// ignored; a value that would change the computation in a way seqc does
// not implement (rope scaling, biases, another activation) is an error
// naming the field, never silently dropped.
//
//===----------------------------------------------------------------------===//

#include "seqc/Frontend/ModelDescription.h"

#include "JsonFields.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

using namespace llvm;
using namespace seqc;

/// A field transformers reads without a default for null (null is not
/// "left out" there: it fails, so it does here).
static void refuseNull(JsonFields &f, StringRef key) {
  if (f.isNull(key))
    f.report(key, "expected a value, got null (leave the field out for "
                  "transformers' default)");
}

/// Reports `key` unless it is absent or equal to `expected`.
static void requireString(JsonFields &f, StringRef key, StringRef expected) {
  refuseNull(f, key);
  std::optional<std::string> value = f.string(key, expected.str());
  if (value && *value != expected)
    f.report(key, "seqc implements \"" + expected + "\" only, got \"" +
                      *value + "\"");
}

static void requireFalse(JsonFields &f, StringRef key) {
  if (f.boolean(key, false).value_or(false))
    f.report(key, "seqc implements false only (no such bias), got true");
}

static void parseLlama(JsonFields &f, ModelSpec &spec, JsonErrors &errors) {
  spec.naming = WeightNaming::Llama;
  spec.vocabSize = f.integer("vocab_size", 1, 32000).value_or(1);
  spec.dModel = f.integer("hidden_size", 1, 4096).value_or(1);
  int64_t hidden = f.integer("intermediate_size", 1, 11008).value_or(1);
  int64_t layers = f.integer("num_hidden_layers", 1, 32, 4096).value_or(1);
  AttentionSpec a;
  a.numHeads = f.integer("num_attention_heads", 1, 32).value_or(1);
  a.numKVHeads =
      f.integer("num_key_value_heads", 1, a.numHeads).value_or(a.numHeads);
  if (a.numHeads % a.numKVHeads != 0)
    f.report("num_key_value_heads",
             "must divide num_attention_heads (" + Twine(a.numHeads) +
                 "), got " + Twine(a.numKVHeads));
  // transformers (5) refuses this too: head_dim would be a rounded-down
  // hidden_size / num_attention_heads.
  if (!f.has("head_dim") && spec.dModel % a.numHeads != 0)
    f.report("hidden_size",
             "must be a multiple of num_attention_heads (" + Twine(a.numHeads) +
                 ") when head_dim is not given, got " + Twine(spec.dModel));
  a.headDim = f.integer("head_dim", 1, std::max<int64_t>(
                                           spec.dModel / a.numHeads, 1))
                  .value_or(1);
  if (a.headDim % 2 != 0)
    f.report("head_dim", "must be even for rotary embeddings, got " +
                             Twine(a.headDim));
  spec.normEps = f.number("rms_norm_eps", 0.0, 1e-6).value_or(1e-6);
  spec.maxContext =
      f.integer("max_position_embeddings", 1, 2048, kMaxModelContext)
          .value_or(2048);
  spec.tieEmbeddings = f.boolean("tie_word_embeddings", false).value_or(false);
  requireString(f, "hidden_act", "silu");
  requireFalse(f, "attention_bias");
  requireFalse(f, "mlp_bias");
  if (f.get("rope_scaling"))
    f.report("rope_scaling", "seqc implements unscaled rotary embeddings "
                             "only (null)");
  // transformers 5 moved rope_theta into rope_parameters.
  a.ropeTheta = f.number("rope_theta", 0.0, 10000.0);
  if (const json::Object *rope = f.object_("rope_parameters", false)) {
    JsonFields r(*rope, f.fieldPath("rope_parameters"), errors);
    requireString(r, "rope_type", "default");
    a.ropeTheta = r.number("rope_theta", 0.0, *a.ropeTheta);
  }
  for (int64_t i = 0; i < layers; ++i) {
    BlockSpec block;
    block.mixer = MixerKind::Attention;
    block.attention = a;
    block.mlp = MLPKind::SwiGLU;
    block.mlpHidden = hidden;
    spec.blocks.push_back(block);
  }
}

static void parseMamba(JsonFields &f, ModelSpec &spec) {
  spec.naming = WeightNaming::Mamba;
  spec.vocabSize = f.integer("vocab_size", 1, 50280).value_or(1);
  spec.dModel = f.integer("hidden_size", 1, 768).value_or(1);
  int64_t layers = f.integer("num_hidden_layers", 1, 32, 4096).value_or(1);
  MambaSpec m;
  m.dState = f.integer("state_size", 1, 16).value_or(1);
  int64_t expand = f.integer("expand", 1, 2).value_or(2);
  // MambaConfig derives intermediate_size from expand and ignores a given
  // one; a disagreeing value is refused rather than guessed between.
  m.dInner = expand * spec.dModel;
  int64_t given = f.integer("intermediate_size", 1, m.dInner).value_or(1);
  if (given != m.dInner)
    f.report("intermediate_size",
             "transformers uses expand * hidden_size = " + Twine(m.dInner) +
                 ", got " + Twine(given));
  m.dConv = f.integer("conv_kernel", 2, 4, 64).value_or(2);
  m.dtRank = (spec.dModel + 15) / 16;
  refuseNull(f, "time_step_rank");
  if (const json::Value *rank = f.get("time_step_rank")) {
    if (rank->getAsString() && *rank->getAsString() == "auto")
      m.dtRank = (spec.dModel + 15) / 16;
    else
      m.dtRank = f.integer("time_step_rank", 1, m.dtRank).value_or(1);
  }
  spec.normEps = f.number("layer_norm_epsilon", 0.0, 1e-5).value_or(1e-5);
  m.projBias = f.boolean("use_bias", false).value_or(false);
  m.convBias = f.boolean("use_conv_bias", true).value_or(true);
  spec.tieEmbeddings = f.boolean("tie_word_embeddings", true).value_or(true);
  requireString(f, "hidden_act", "silu");
  for (int64_t i = 0; i < layers; ++i) {
    BlockSpec block;
    block.mixer = MixerKind::Mamba;
    block.mamba = m;
    spec.blocks.push_back(block);
  }
}

static std::string formatNumber(double value) {
  char text[32];
  snprintf(text, sizeof(text), "%g", value);
  return text;
}

/// A float of transformers' config: a number, or {"__float__": "Infinity"}.
static std::optional<double> configFloat(const json::Value &v) {
  if (std::optional<double> d = v.getAsNumber())
    return d;
  if (const json::Object *o = v.getAsObject())
    if (std::optional<StringRef> s = o->getString("__float__")) {
      if (*s == "Infinity")
        return std::numeric_limits<double>::infinity();
      if (*s == "-Infinity")
        return -std::numeric_limits<double>::infinity();
    }
  return std::nullopt;
}

static void parseMamba2(JsonFields &f, ModelSpec &spec) {
  spec.naming = WeightNaming::Mamba2;
  spec.vocabSize = f.integer("vocab_size", 1, 32768).value_or(1);
  spec.dModel = f.integer("hidden_size", 1, 4096).value_or(1);
  int64_t layers = f.integer("num_hidden_layers", 1, 64, 4096).value_or(1);
  Mamba2Spec m;
  m.numHeads = f.integer("num_heads", 1, 128).value_or(1);
  m.headDim = f.integer("head_dim", 1, 64).value_or(1);
  m.dState = f.integer("state_size", 1, 128).value_or(1);
  m.nGroups = f.integer("n_groups", 1, 8).value_or(1);
  if (m.numHeads % m.nGroups != 0)
    f.report("n_groups", "must divide num_heads (" + Twine(m.numHeads) +
                             "), got " + Twine(m.nGroups));
  // transformers derives the inner size from expand; the heads must tile it.
  std::optional<double> expand = f.number("expand", 0.0, 2.0);
  if (expand && (*expand * spec.dModel > 1e12 ||
                 static_cast<int64_t>(*expand * spec.dModel) != m.dInner()))
    f.report("expand", "expand (" + formatNumber(*expand) +
                           ") * hidden_size (" + Twine(spec.dModel) +
                           ") must equal num_heads * head_dim (" +
                           Twine(m.dInner()) + ")");
  m.dConv = f.integer("conv_kernel", 2, 4, 64).value_or(2);
  spec.normEps = f.number("layer_norm_epsilon", 0.0, 1e-5).value_or(1e-5);
  m.projBias = f.boolean("use_bias", false).value_or(false);
  m.convBias = f.boolean("use_conv_bias", true).value_or(true);
  spec.tieEmbeddings = f.boolean("tie_word_embeddings", false).value_or(false);
  requireString(f, "hidden_act", "silu");
  if (!f.boolean("rms_norm", true).value_or(true))
    f.report("rms_norm", "seqc implements the gated RMSNorm (true) only");
  if (f.boolean("norm_before_gate", false).value_or(false))
    f.report("norm_before_gate", "seqc implements false (gate, then norm) "
                                 "only, as transformers does");
  // dt is clamped to time_step_limit; only the no-op limit is implemented.
  if (const json::Value *limit = f.get("time_step_limit")) {
    const json::Array *pair = limit->getAsArray();
    std::optional<double> lo, hi;
    if (pair && pair->size() == 2) {
      lo = configFloat((*pair)[0]);
      hi = configFloat((*pair)[1]);
    }
    if (!lo || !hi || *lo > 0.0 || !std::isinf(*hi) || *hi < 0)
      f.report("time_step_limit", "seqc implements no clamping of dt only "
                                  "([0.0, Infinity])");
  }
  for (int64_t i = 0; i < layers; ++i) {
    BlockSpec block;
    block.mixer = MixerKind::Mamba2;
    block.mamba2 = m;
    spec.blocks.push_back(block);
  }
}

Expected<ModelSpec> seqc::parseHuggingFaceConfig(StringRef original) {
  std::string text = withJsonNonFiniteTokens(original);
  Expected<json::Value> parsed = parseJson(text);
  if (!parsed)
    return createStringError(inconvertibleErrorCode(),
                             "not valid JSON: " +
                                 toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return createStringError(inconvertibleErrorCode(),
                             "expected a JSON object at the top level");
  JsonErrors errors;
  JsonFields f(*root, "", errors);
  ModelSpec spec;
  spec.architecture = f.string("model_type", std::nullopt).value_or("");
  spec.name = spec.architecture;
  if (spec.architecture == "llama")
    parseLlama(f, spec, errors);
  else if (spec.architecture == "mamba")
    parseMamba(f, spec);
  else if (spec.architecture == "mamba2")
    parseMamba2(f, spec);
  else if (!errors.failed())
    f.report("model_type", "seqc reads \"llama\", \"mamba\" and \"mamba2\" "
                           "configs, got \"" + spec.architecture + "\"");
  if (errors.failed())
    return errors.take();
  return spec;
}
