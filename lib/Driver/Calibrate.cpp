//===- Calibrate.cpp - static scales of Quamba's int8 SSM inputs ----------===//
//
// The float model is built with each scan input (x, dt, B, C of every
// Mamba block) also written into a piece of its state, compiled for this
// machine into a temporary library, and run on each row of calibration
// tokens; the state, read back after each row, holds every value those
// inputs took. Scales are what int8 must cover: a high percentile of |x|
// (x has rare large outliers that would coarsen every other value), the
// maximum of |dt|, |B| and |C|, over 127.
//
//===----------------------------------------------------------------------===//

#include "ModelLibrary.h"
#include "NpyTokens.h"
#include "seqc/Driver/Compiler.h"
#include "seqc/Frontend/ModelBuilder.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <functional>
#include <map>
#include <queue>

using namespace seqc;

namespace {
/// The magnitudes one SSM input took: their maximum, and for a percentile
/// the largest `keep` of them (all that the order statistics it needs can
/// be among).
struct Magnitudes {
  uint64_t keep = 0, seen = 0;
  float max = 0;
  std::priority_queue<float, std::vector<float>, std::greater<float>> top;

  void add(float v) {
    v = std::fabs(v);
    max = std::max(max, v);
    ++seen;
    if (top.size() < keep)
      top.push(v);
    else if (keep && v > top.top()) {
      top.pop();
      top.push(v);
    }
  }
};
} // namespace

/// NumPy's default (linear) percentile of `count` magnitudes from the
/// largest ones kept: rank p/100 * (count - 1) from the smallest.
static double percentileOf(Magnitudes m, uint64_t count, double p) {
  double rank = p / 100.0 * double(count - 1);
  uint64_t lo = uint64_t(std::floor(rank));
  // The kept values are ranks count - keep ... count - 1; lo is the first.
  while (m.top.size() > count - lo)
    m.top.pop();
  double low = m.top.top();
  m.top.pop();
  double high = m.top.empty() ? low : m.top.top();
  return low + (high - low) * (rank - double(lo));
}

/// Whether the piece of state `key` ("blocks.0.mamba.x") is clipped at a
/// percentile (x) rather than its maximum.
static bool clippedAtPercentile(llvm::StringRef key) {
  return key.ends_with(".x");
}

llvm::Error seqc::calibrateSsmScales(ModelSpec &spec,
                                     const InputOptions &options,
                                     mlir::MLIRContext &context) {
  const CompileOptions &build = options.calibrationBuild;
  auto progress = [&](const std::string &message) {
    if (build.onProgress)
      build.onProgress("calibration: " + message);
  };
  if (options.calibrationTokens.empty() || options.weights.empty())
    return llvm::createStringError(
        "--quantize=int8-ssm fixes static scales by calibration: it needs "
        "--calib=TOKENS.npy and --weights=MODEL.safetensors");
  double p = options.calibrationPercentile;
  if (!(p > 0 && p <= 100))
    return llvm::createStringError(
        "--calib-percentile must be in (0, 100], got " + std::to_string(p));
  auto tokens = readNpyTokens(options.calibrationTokens, spec.vocabSize);
  if (!tokens)
    return tokens.takeError();

  ModelSpec observing = spec;
  observing.quantBits = 0;
  observing.quantGroup = 0;
  observing.quantActivations = false;
  observing.outlierThreshold = 0;
  observing.int8Ssm = false;
  observing.observeSsmInputs = true;
  observing.maxContext = tokens->length;
  mlir::OwningOpRef<mlir::ModuleOp> module = buildModel(observing, context);
  if (!module)
    return llvm::createStringError("calibration: the float model failed to "
                                   "build");

  llvm::SmallString<128> directory;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("seqc-calibration", directory))
    return llvm::createStringError("calibration: cannot create a temporary "
                                   "directory: " + ec.message());
  llvm::SmallString<128> libraryPath(directory);
  llvm::sys::path::append(libraryPath, "libcalibration.so");
  // Whatever happens next, the temporary library goes.
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove(libraryPath);
    llvm::sys::fs::remove(directory);
  });

  CompileOptions compileOptions = build;
  compileOptions.emit = OutputKind::SharedLib;
  // It runs here, on this CPU, whatever the target.
  compileOptions.target = TargetKind::CPU;
  compileOptions.gpuEmulateOnHost = false;
  compileOptions.cpu = "native";
  compileOptions.headerPath = "";
  compileOptions.libraryName = "seqc_calibration";
  progress("compiling the float model to record its scan inputs");
  if (mlir::failed(compile(*module, compileOptions, libraryPath)))
    return llvm::createStringError("calibration: the float model failed to "
                                   "compile");
  auto library = ModelLibrary::load(libraryPath, "calibration");
  if (!library)
    return library.takeError();
  llvm::Expected<seqc_model *> model = (*library)->create(options.weights);
  if (!model)
    return llvm::createStringError("calibration: " +
                                   llvm::toString(model.takeError()));
  llvm::scope_exit destroy([&] { (*library)->destroy(*model); });

  // The pieces of state that record an input: "calib.<key>" [L, width].
  const seqc_model_info &info = (*library)->info();
  uint64_t samples = uint64_t(tokens->rows) * uint64_t(tokens->length);
  // Sorted by key, for the report.
  std::map<std::string, Magnitudes> seen;
  std::vector<std::pair<const seqc_model_tensor_info *, Magnitudes *>> pieces;
  for (int32_t i = 0; i < info.num_states; ++i) {
    llvm::StringRef name = info.states[i].name;
    if (!name.consume_front("calib."))
      continue;
    uint64_t count = samples * uint64_t(info.states[i].shape[1]);
    Magnitudes &m = seen[name.str()];
    if (clippedAtPercentile(name))
      m.keep = count - uint64_t(std::floor(p / 100.0 * double(count - 1)));
    pieces.push_back({&info.states[i], &m});
  }

  std::vector<float> logits(size_t(tokens->length) * info.vocab_size);
  std::vector<char> state((*library)->stateBytes(*model));
  size_t stateStart = state.size() - size_t(info.state_size) * sizeof(float);
  progress(llvm::formatv("running {0} row(s) of {1} tokens", tokens->rows,
                         tokens->length)
               .str());
  for (int64_t row = 0; row < tokens->rows; ++row) {
    const int32_t *ids = tokens->ids.data() + row * tokens->length;
    if ((*library)->reset(*model) != SEQC_OK ||
        (*library)->forward(*model, ids, tokens->length, logits.data()) !=
            SEQC_OK ||
        (*library)->saveState(*model, state.data(), state.size()) != SEQC_OK)
      return llvm::createStringError("calibration: " +
                                     llvm::toString((*library)->lastError()));
    const float *values =
        reinterpret_cast<const float *>(state.data() + stateStart);
    for (auto [piece, m] : pieces) {
      const float *recorded = values + piece->offset;
      int64_t count = tokens->length * piece->shape[1];
      for (int64_t j = 0; j < count; ++j)
        m->add(recorded[j]);
    }
  }

  for (auto &[key, m] : seen) {
    bool percentile = clippedAtPercentile(key);
    double range = percentile ? percentileOf(m, m.seen, p) : m.max;
    // Rounded to f32 here, so that the IR and the report hold the scale
    // the kernels use.
    float scale = range > 0 ? float(range / 127.0) : 1.0f;
    spec.ssmScales[key] = scale;
    std::string how = "maximum";
    if (percentile)
      llvm::raw_string_ostream(how = "") << llvm::format("%gth percentile", p);
    progress(llvm::formatv("{0}: scale {1:e8} ({2} of the magnitudes: "
                           "{3:e8})",
                           key, double(scale), how, range)
                 .str());
  }
  return llvm::Error::success();
}
