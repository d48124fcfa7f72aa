//===- JsonFields.h - typed, path-named access to JSON objects --*- C++ -*-===//
//
// The description parsers read objects field by field; each read checks the
// type and range and, on failure, records one error naming the field by its
// path ("blocks[2].mixer.d_state: expected an integer >= 1, got -4"). The
// first error wins; later reads are no-ops, so a parser can read everything
// and ask once at the end.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_FRONTEND_JSONFIELDS_H
#define SEQC_LIB_FRONTEND_JSONFIELDS_H

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>

namespace seqc {

class JsonErrors {
public:
  bool failed() const { return !message.empty(); }
  void report(const llvm::Twine &path, const llvm::Twine &text) {
    if (message.empty())
      message = (path + ": " + text).str();
  }
  llvm::Error take() const {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  }

private:
  std::string message;
};

/// One JSON object at `path`, read field by field.
class JsonFields {
public:
  JsonFields(const llvm::json::Object &object, std::string path,
             JsonErrors &errors)
      : object(object), path(std::move(path)), errors(errors) {}

  bool has(llvm::StringRef key) const;
  /// Present with the value null.
  bool isNull(llvm::StringRef key) const;
  /// The field's value, or nullptr (absent, or explicitly null).
  const llvm::json::Value *get(llvm::StringRef key);
  std::string fieldPath(llvm::StringRef key) const;

  /// Sizes are bounded (by default to 2^24) so that no product of them
  /// overflows while the model is laid out.
  std::optional<int64_t> integer(llvm::StringRef key, int64_t min,
                                 std::optional<int64_t> fallback,
                                 int64_t max = int64_t(1) << 24);
  std::optional<double> number(llvm::StringRef key, double exclusiveMin,
                               std::optional<double> fallback);
  std::optional<bool> boolean(llvm::StringRef key, std::optional<bool> fallback);
  std::optional<std::string> string(llvm::StringRef key,
                                    std::optional<std::string> fallback);
  const llvm::json::Object *object_(llvm::StringRef key, bool required);
  const llvm::json::Array *array(llvm::StringRef key, bool required);
  void missing(llvm::StringRef key) { report(key, "missing (required)"); }
  void report(llvm::StringRef key, const llvm::Twine &text) {
    errors.report(fieldPath(key), text);
  }

  /// Reports the first field not in `allowed` (a typo must not silently
  /// fall back to a default).
  void rejectUnknown(llvm::ArrayRef<llvm::StringRef> allowed);

private:
  const llvm::json::Object &object;
  std::string path;
  JsonErrors &errors;
};

/// Python's json module writes non-finite floats as the bare tokens
/// Infinity, -Infinity and NaN (transformers' time_step_limit); JSON has
/// none. Outside strings they become 1e999 (which parses as infinity) and
/// the string kJsonNaNMarker: not null, which would read as a field left
/// out and silently take its default, but a value that every typed read
/// refuses and describeJsonKind names "NaN".
std::string withJsonNonFiniteTokens(llvm::StringRef text);
inline constexpr llvm::StringLiteral kJsonNaNMarker =
    llvm::StringLiteral::withInnerNUL("\0NaN");

/// llvm::json::parse, after checking that arrays and objects nest at most
/// kMaxJsonDepth deep (the parser recurses once a level, and a description
/// nested 50,000 deep overflowed the stack: a crash, not an error) and that
/// no object has a key twice (the parser would keep one silently).
llvm::Expected<llvm::json::Value> parseJson(llvm::StringRef text);
inline constexpr int kMaxJsonDepth = 512;

/// "an integer", "a string", ... for messages about a value's type.
std::string describeJsonKind(const llvm::json::Value &value);

} // namespace seqc

#endif // SEQC_LIB_FRONTEND_JSONFIELDS_H
