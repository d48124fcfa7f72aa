//===- JsonFields.cpp - typed, path-named access to JSON objects ---------===//

#include "JsonFields.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using namespace llvm;
using namespace seqc;

std::string seqc::describeJsonKind(const json::Value &value) {
  switch (value.kind()) {
  case json::Value::Null:
    return "null";
  case json::Value::Boolean:
    return *value.getAsBoolean() ? "true" : "false";
  case json::Value::Number: {
    std::string text;
    raw_string_ostream os(text);
    os << value;
    return text;
  }
  case json::Value::String:
    if (*value.getAsString() == kJsonNaNMarker)
      return "NaN";
    return ("\"" + *value.getAsString() + "\"").str();
  case json::Value::Array:
    return "an array";
  case json::Value::Object:
    return "an object";
  }
  return "a value";
}

/// "line L column C" of byte `offset` in `text`, as json::parse names them.
static std::string positionOf(StringRef text, size_t offset) {
  StringRef before = text.take_front(offset);
  size_t lineStart = before.rfind('\n');
  size_t column =
      lineStart == StringRef::npos ? offset : offset - lineStart - 1;
  return ("line " + Twine(before.count('\n') + 1) + " column " +
          Twine(column + 1))
      .str();
}

Expected<json::Value> seqc::parseJson(StringRef text) {
  // One entry per open array or object: the keys an object has seen (an
  // array's entry stays unused). json::parse keeps one of two equal keys
  // silently; in a description that is a mistake, so it is refused. Keys are
  // compared as written (escapes not decoded).
  SmallVector<std::pair<bool, StringSet<>>, 8> open;
  size_t stringStart = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        inString = false;
        if (open.empty() || !open.back().first)
          continue;
        size_t next = text.find_first_not_of(" \t\r\n", i + 1);
        if (next == StringRef::npos || text[next] != ':')
          continue;
        StringRef key = text.slice(stringStart + 1, i);
        if (!open.back().second.insert(key).second)
          return createStringError(inconvertibleErrorCode(),
                                   "duplicate key \"" + key + "\" at " +
                                       positionOf(text, stringStart));
      }
    } else if (c == '"') {
      inString = true;
      stringStart = i;
    } else if (c == '[' || c == '{') {
      if (open.size() >= size_t(kMaxJsonDepth))
        return createStringError(inconvertibleErrorCode(),
                                 "arrays and objects nested more than " +
                                     Twine(kMaxJsonDepth) + " deep (at " +
                                     positionOf(text, i) + ")");
      open.emplace_back(c == '{', StringSet<>());
    } else if ((c == ']' || c == '}') && !open.empty()) {
      open.pop_back();
    }
  }
  return json::parse(text);
}

std::string seqc::withJsonNonFiniteTokens(StringRef text) {
  std::string out;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    StringRef rest = text.substr(i);
    if (rest.starts_with("Infinity")) {
      out += "1e999";
      i += strlen("Infinity") - 1;
    } else if (rest.starts_with("NaN")) {
      out += "\"\\u0000NaN\"";
      i += strlen("NaN") - 1;
    } else {
      out += c;
    }
  }
  return out;
}

bool JsonFields::has(StringRef key) const {
  const json::Value *v = object.get(key);
  return v && v->kind() != json::Value::Null;
}

bool JsonFields::isNull(StringRef key) const {
  const json::Value *v = object.get(key);
  return v && v->kind() == json::Value::Null;
}

const json::Value *JsonFields::get(StringRef key) {
  const json::Value *v = object.get(key);
  return v && v->kind() != json::Value::Null ? v : nullptr;
}

std::string JsonFields::fieldPath(StringRef key) const {
  return path.empty() ? key.str() : path + "." + key.str();
}

std::optional<int64_t> JsonFields::integer(StringRef key, int64_t min,
                                           std::optional<int64_t> fallback,
                                           int64_t max) {
  const json::Value *v = get(key);
  if (!v) {
    if (!fallback)
      missing(key);
    return fallback;
  }
  // 8.0 is not an integer here: a size written as a float is a mistake.
  std::optional<int64_t> value = v->getAsInteger();
  if (!value || v->kind() != json::Value::Number ||
      describeJsonKind(*v).find_first_of(".eE") != std::string::npos ||
      *value < min) {
    report(key, "expected an integer >= " + Twine(min) + ", got " +
                    describeJsonKind(*v));
    return fallback;
  }
  if (*value > max) {
    report(key, "expected at most " + Twine(max) + ", got " + Twine(*value));
    return fallback;
  }
  return value;
}

std::optional<double> JsonFields::number(StringRef key, double exclusiveMin,
                                         std::optional<double> fallback) {
  const json::Value *v = get(key);
  if (!v) {
    if (!fallback)
      missing(key);
    return fallback;
  }
  std::optional<double> value = v->getAsNumber();
  if (!value || !std::isfinite(*value) || !(*value > exclusiveMin)) {
    char bound[32];
    snprintf(bound, sizeof(bound), "%g", exclusiveMin);
    report(key, "expected a number > " + Twine(bound) + ", got " +
                    describeJsonKind(*v));
    return fallback;
  }
  return value;
}

std::optional<bool> JsonFields::boolean(StringRef key,
                                        std::optional<bool> fallback) {
  const json::Value *v = get(key);
  if (!v) {
    if (!fallback)
      missing(key);
    return fallback;
  }
  std::optional<bool> value = v->getAsBoolean();
  if (!value) {
    report(key, "expected true or false, got " + describeJsonKind(*v));
    return fallback;
  }
  return value;
}

std::optional<std::string>
JsonFields::string(StringRef key, std::optional<std::string> fallback) {
  const json::Value *v = get(key);
  if (!v) {
    if (!fallback)
      missing(key);
    return fallback;
  }
  std::optional<StringRef> value = v->getAsString();
  if (!value || *value == kJsonNaNMarker) {
    report(key, "expected a string, got " + describeJsonKind(*v));
    return fallback;
  }
  return value->str();
}

const json::Object *JsonFields::object_(StringRef key, bool required) {
  const json::Value *v = get(key);
  if (!v) {
    if (required)
      missing(key);
    return nullptr;
  }
  const json::Object *value = v->getAsObject();
  if (!value)
    report(key, "expected an object, got " + describeJsonKind(*v));
  return value;
}

const json::Array *JsonFields::array(StringRef key, bool required) {
  const json::Value *v = get(key);
  if (!v) {
    if (required)
      missing(key);
    return nullptr;
  }
  const json::Array *value = v->getAsArray();
  if (!value)
    report(key, "expected an array, got " + describeJsonKind(*v));
  return value;
}

void JsonFields::rejectUnknown(ArrayRef<StringRef> allowed) {
  // In sorted order, so that the message does not depend on hashing.
  SmallVector<StringRef> unknown;
  for (const auto &entry : object)
    if (!llvm::is_contained(allowed, StringRef(entry.first)))
      unknown.push_back(entry.first);
  if (unknown.empty())
    return;
  llvm::sort(unknown);
  SmallVector<StringRef> known(allowed.begin(), allowed.end());
  llvm::sort(known);
  std::string list;
  for (StringRef k : known)
    list += (list.empty() ? "" : ", ") + k.str();
  report(unknown.front(), "unknown field (this object takes: " + list + ")");
}
