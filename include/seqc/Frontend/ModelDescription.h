//===- ModelDescription.h - whole models, as seqc reads them ----*- C++ -*-===//
//
// A model is a stack of blocks (a sequence mixer, optionally an MLP, each
// behind an RMSNorm and a residual) between a token embedding and a head.
// Two inputs describe one (docs/models.md): seqc's own JSON format and a
// Hugging Face config.json; both are validated here into a ModelSpec, from
// which ModelBuilder.h builds the IR. Every error names the field.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_FRONTEND_MODELDESCRIPTION_H
#define SEQC_FRONTEND_MODELDESCRIPTION_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seqc {

struct AttentionSpec {
  int64_t numHeads = 0, numKVHeads = 0, headDim = 0;
  std::optional<double> ropeTheta = 10000.0;
  std::optional<int64_t> window, chunk;
};

struct MambaSpec {
  int64_t dInner = 0, dState = 16, dConv = 4, dtRank = 0;
  bool convBias = true, projBias = false;
};

struct Mamba2Spec {
  int64_t numHeads = 0, headDim = 64, dState = 128, nGroups = 1, dConv = 4;
  bool convBias = true, projBias = false;
  int64_t dInner() const { return numHeads * headDim; }
};

/// Gated linear attention (Yang et al., 2024): per head, keys of headDim,
/// values of d_model / numHeads, a per-key-channel decay
/// logsigmoid(gk_proj(x)) / gateNormalizer in log space.
struct GLASpec {
  int64_t numHeads = 1, headDim = 0;
  double gateNormalizer = 16.0;
};

/// Gated DeltaNet (Yang et al., 2025): per head, queries and keys of
/// headDim and values of valueHeadDim after short causal convolutions
/// (convSize taps, silu), unit-norm queries and keys, the delta rule with
/// beta = sigmoid(b_proj(x)) and a scalar decay per head and step.
struct GatedDeltaNetSpec {
  int64_t numHeads = 1, headDim = 0, valueHeadDim = 0, convSize = 4;
};

/// mLSTM (xLSTM's matrix memory): per head, queries and keys of headDim,
/// values of d_model / numHeads, soft-capped exponential input and sigmoid
/// forget gates, the normalizer state.
struct MLSTMSpec {
  int64_t numHeads = 1, headDim = 0;
};

/// lstm and gru: hidden size d_model, block-diagonal over numHeads.
struct RNNSpec {
  int64_t numHeads = 1;
};

struct ConvSpec {
  int64_t kernel = 0, dilation = 1;
  std::string activation = "gelu";
};

enum class MixerKind {
  Attention,
  Mamba,
  Mamba2,
  GLA,
  GatedDeltaNet,
  MLSTM,
  LSTM,
  GRU,
  Conv
};
enum class MLPKind { None, SwiGLU, GELU };

struct BlockSpec {
  MixerKind mixer = MixerKind::Attention;
  AttentionSpec attention;
  MambaSpec mamba;
  Mamba2Spec mamba2;
  GLASpec gla;
  GatedDeltaNetSpec gatedDeltaNet;
  MLSTMSpec mlstm;
  RNNSpec rnn;
  ConvSpec conv;
  MLPKind mlp = MLPKind::None;
  int64_t mlpHidden = 0;
};

/// How the weights of a model are named in its safetensors file: seqc's own
/// names (docs/models.md), or those of a Hugging Face architecture.
enum class WeightNaming { Seqc, Llama, Mamba, Mamba2 };

/// The longest context (max_context, max_position_embeddings,
/// --max-context) a model library is compiled for: its KV caches and
/// position tables are sized by it.
inline constexpr int64_t kMaxModelContext = int64_t(1) << 22;

struct ModelSpec {
  std::string name = "model";
  /// "seqc-model", or the Hugging Face model_type.
  std::string architecture = "seqc-model";
  int64_t vocabSize = 0, dModel = 0, maxContext = 2048;
  double normEps = 1e-5;
  bool tieEmbeddings = false;
  /// 0: the model reads token ids (an embedding table). N > 0: it reads N
  /// floats per position (a non-LM model), projected to d_model by
  /// embed.weight [d_model, N] and embed.bias [d_model]; vocab_size is then
  /// the number of outputs per position.
  int64_t inputDim = 0;
  std::vector<BlockSpec> blocks;
  WeightNaming naming = WeightNaming::Seqc;
  /// Weight-only quantization of the projections (seqc --quantize): 0 (none),
  /// 8 or 4 bits, one scale per `quantGroup` inputs (0: per output channel).
  int quantBits = 0;
  int64_t quantGroup = 0;
  /// Asymmetric weights: an i8 zero point beside each scale.
  bool quantZeroPoints = false;
  /// W8A8: the inputs of int8 projections are quantized per token too.
  bool quantActivations = false;
  /// LLM.int8(): input columns reaching this magnitude stay f32 (0: none).
  double outlierThreshold = 0;
  /// Quamba's int8 SSM (--quantize=int8-ssm, with W8A8 projections): the
  /// inputs of every Mamba / Mamba-2 scan quantized with the static scales
  /// `ssmScales`, the output projection's input and weight rotated.
  bool int8Ssm = false;
  /// The static scale of each SSM input, by key ("blocks.3.mamba.x"; x, dt,
  /// B and C of each Mamba block), fixed by calibration.
  std::map<std::string, double> ssmScales;
  /// Calibration: the model also writes each SSM input into a piece of
  /// state "calib.<key>" of [max_context, width], read back by the driver.
  bool observeSsmInputs = false;

  /// The file's name for the weight seqc calls `canonical`
  /// ("blocks.3.attn.q_proj.weight").
  std::string weightName(llvm::StringRef canonical) const;
};

/// Parses and validates seqc's own JSON format.
llvm::Expected<ModelSpec> parseModelDescription(llvm::StringRef json);

/// Parses and validates a Hugging Face config.json (model_type llama, mamba
/// or mamba2).
llvm::Expected<ModelSpec> parseHuggingFaceConfig(llvm::StringRef json);

/// Reads a model from `path`: a directory with config.json (Hugging Face),
/// or a .json file in seqc's format. Errors start with the file's path.
llvm::Expected<ModelSpec> readModelDescription(llvm::StringRef path);

/// True when `path` is a model description rather than IR: a directory, or
/// a file ending in .json.
bool isModelDescriptionPath(llvm::StringRef path);

} // namespace seqc

#endif // SEQC_FRONTEND_MODELDESCRIPTION_H
