//===- NpyTokens.cpp - token ids from a NumPy .npy file -------------------===//
//
// The .npy format (numpy.lib.format): "\x93NUMPY", a version byte pair, the
// header's length (2 bytes in version 1, 4 in versions 2 and 3), a Python
// dict literal with 'descr', 'fortran_order' and 'shape', then the data.
//
//===----------------------------------------------------------------------===//

#include "NpyTokens.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

using namespace seqc;

/// The text after `'key':` in the header dict, trimmed.
static llvm::StringRef headerField(llvm::StringRef header,
                                   llvm::StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == llvm::StringRef::npos)
    return "";
  llvm::StringRef rest = header.substr(at + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return "";
  return rest.ltrim();
}

llvm::Expected<TokenRows> seqc::readNpyTokens(llvm::StringRef path,
                                              int64_t vocabSize) {
  auto fail = [&](const llvm::Twine &why) {
    return llvm::createStringError(path + ": " + why);
  };
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail("cannot read the calibration tokens (" +
                buffer.getError().message() + ")");
  llvm::StringRef data = (*buffer)->getBuffer();
  if (data.size() < 10 || !data.starts_with("\x93NUMPY"))
    return fail("not a NumPy .npy file (no \\x93NUMPY magic)");
  uint8_t major = data[6];
  size_t headerLength, start;
  if (major == 1) {
    headerLength = uint8_t(data[8]) | size_t(uint8_t(data[9])) << 8;
    start = 10;
  } else if ((major == 2 || major == 3) && data.size() >= 12) {
    headerLength = 0;
    for (int i = 3; i >= 0; --i)
      headerLength = headerLength << 8 | uint8_t(data[8 + i]);
    start = 12;
  } else {
    return fail("unsupported .npy version " + llvm::Twine(major));
  }
  if (headerLength > data.size() - start)
    return fail("the .npy header is truncated");
  llvm::StringRef header = data.substr(start, headerLength);
  llvm::StringRef payload = data.substr(start + headerLength);

  llvm::StringRef descr = headerField(header, "descr");
  int width;
  if (descr.starts_with("'<i4'") || descr.starts_with("'|i4'"))
    width = 4;
  else if (descr.starts_with("'<i8'"))
    width = 8;
  else
    return fail("the token ids must be int32 or int64 (little-endian), got "
                "dtype " + descr.take_until([](char c) { return c == ','; }));
  if (!headerField(header, "fortran_order").starts_with("False"))
    return fail("the token ids must be in C order");
  llvm::StringRef shape = headerField(header, "shape");
  if (!shape.consume_front("("))
    return fail("the .npy header has no shape");
  shape = shape.take_until([](char c) { return c == ')'; });
  llvm::SmallVector<llvm::StringRef> parts;
  shape.split(parts, ',', -1, /*KeepEmpty=*/false);
  llvm::SmallVector<int64_t> dims;
  for (llvm::StringRef part : parts) {
    int64_t size;
    if (part.trim().getAsInteger(10, size) || size < 0)
      return fail("cannot read the shape (" + shape + ")");
    dims.push_back(size);
  }
  if (dims.empty() || dims.size() > 2)
    return fail("the token ids must be [length] or [rows, length], got " +
                llvm::Twine(dims.size()) + " dimensions");
  TokenRows tokens;
  tokens.rows = dims.size() == 2 ? dims[0] : 1;
  tokens.length = dims.back();
  if (tokens.rows < 1 || tokens.length < 1 || tokens.rows > (1 << 20) ||
      tokens.length > (1 << 20))
    return fail("the token ids must hold 1 to 2^20 rows of 1 to 2^20 tokens");
  uint64_t count = uint64_t(tokens.rows) * uint64_t(tokens.length);
  if (payload.size() != count * width)
    return fail("holds " + llvm::Twine(payload.size()) +
                " bytes of data; its shape needs " + llvm::Twine(count * width) +
                " (truncated?)");
  tokens.ids.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    int64_t id = 0;
    if (width == 4) {
      int32_t v;
      std::memcpy(&v, payload.data() + 4 * i, 4);
      id = v;
    } else {
      std::memcpy(&id, payload.data() + 8 * i, 8);
    }
    if (id < 0 || id >= vocabSize)
      return fail("token " + llvm::Twine(i) + " is " + llvm::Twine(id) +
                  ", outside the vocabulary [0, " + llvm::Twine(vocabSize) +
                  ")");
    tokens.ids[i] = int32_t(id);
  }
  return tokens;
}
