//===- Npy.cpp - reading and writing NumPy .npy files --------------------===//

#include "Npy.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sys/stat.h>
#include <sstream>

using namespace seqrun;

namespace {
struct DtypeName {
  seqc_dtype dtype;
  const char *descr;
};
const DtypeName kDtypes[] = {
    {SEQC_DTYPE_F32, "<f4"}, {SEQC_DTYPE_F64, "<f8"}, {SEQC_DTYPE_F16, "<f2"},
    {SEQC_DTYPE_I8, "|i1"},  {SEQC_DTYPE_I32, "<i4"}, {SEQC_DTYPE_I64, "<i8"},
};
} // namespace

int64_t Array::numElements() const {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  return n;
}

/// The value of `key` in the header dict, as raw text up to the next
/// top-level comma or closing brace.
static bool headerField(const std::string &header, const std::string &key,
                        std::string &value) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return false;
  at = header.find(':', at);
  if (at == std::string::npos)
    return false;
  ++at;
  int depth = 0;
  size_t end = at;
  for (; end < header.size(); ++end) {
    char c = header[end];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  value = header.substr(at, end - at);
  return true;
}

static std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t'\"");
  size_t e = s.find_last_not_of(" \t'\"");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool seqrun::readNpy(const std::string &path, Array &array,
                     std::string &error) {
  auto fail = [&](const std::string &why) {
    error = path + ": " + why;
    return false;
  };
  // Only regular files: a directory or a device (/dev/zero) has no end.
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    return fail("cannot open");
  if (!S_ISREG(info.st_mode))
    return fail("not a regular file");
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return fail("cannot open");
  std::vector<char> bytes(static_cast<size_t>(info.st_size));
  size_t read = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), file);
  std::fclose(file);
  if (read != bytes.size())
    return fail("read failed");
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    return fail("not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   (static_cast<unsigned char>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("truncated header");
    headerLength = 0;
    for (int i = 3; i >= 0; --i)
      headerLength = (headerLength << 8) |
                     static_cast<unsigned char>(bytes[8 + i]);
    headerStart = 12;
  } else {
    return fail("unsupported .npy version " + std::to_string(major));
  }
  if (headerStart + headerLength > bytes.size())
    return fail("truncated header");
  std::string header(bytes.data() + headerStart, headerLength);

  std::string descr, order, shape;
  if (!headerField(header, "descr", descr) ||
      !headerField(header, "fortran_order", order) ||
      !headerField(header, "shape", shape))
    return fail("malformed header: " + header);
  descr = trim(descr);
  bool known = false;
  for (const DtypeName &d : kDtypes)
    if (descr == d.descr) {
      array.dtype = d.dtype;
      known = true;
    }
  if (!known)
    return fail("unsupported dtype '" + descr +
                "' (little-endian f2/f4/f8, i1/i4/i8 only)");
  if (trim(order) != "False")
    return fail("Fortran-order arrays are not supported");

  array.shape.clear();
  std::string dims = trim(shape);
  if (dims.size() < 2 || dims.front() != '(' || dims.back() != ')')
    return fail("malformed shape " + dims);
  std::stringstream list(dims.substr(1, dims.size() - 2));
  std::string item;
  while (std::getline(list, item, ',')) {
    item = trim(item);
    if (item.empty())
      continue;
    char *end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (*end != '\0' || v < 0)
      return fail("malformed shape " + dims);
    array.shape.push_back(v);
  }
  size_t dataStart = headerStart + headerLength;
  int64_t count = 1;
  for (int64_t s : array.shape)
    if (__builtin_mul_overflow(count, s, &count))
      return fail("shape too large");
  int64_t expected;
  if (__builtin_mul_overflow(count, seqc_dtype_size(array.dtype), &expected))
    return fail("shape too large");
  if (static_cast<int64_t>(bytes.size() - dataStart) != expected)
    return fail("holds " + std::to_string(bytes.size() - dataStart) +
                " data bytes, its header promises " +
                std::to_string(expected) + " (truncated or corrupt)");
  array.data.assign(bytes.begin() + dataStart, bytes.end());
  return true;
}

bool seqrun::writeNpy(const std::string &path, const Array &array,
                      std::string &error) {
  const char *descr = nullptr;
  for (const DtypeName &d : kDtypes)
    if (d.dtype == array.dtype)
      descr = d.descr;
  if (!descr) {
    error = path + ": cannot write dtype " + seqc_dtype_name(array.dtype);
    return false;
  }
  std::string shape = "(";
  for (int64_t s : array.shape)
    shape += std::to_string(s) + ", ";
  if (array.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (array.shape.size() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts on a 64-byte boundary, newline-terminated.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string tmp = path + ".tmp";
  std::ofstream out(tmp, std::ios::binary);
  if (!out) {
    error = path + ": cannot write";
    return false;
  }
  out.write("\x93NUMPY\x01\x00", 8);
  unsigned char len[2] = {static_cast<unsigned char>(header.size() & 0xff),
                          static_cast<unsigned char>(header.size() >> 8)};
  out.write(reinterpret_cast<const char *>(len), 2);
  out << header;
  out.write(array.data.data(), static_cast<std::streamsize>(array.data.size()));
  out.close();
  if (!out || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    error = path + ": write failed";
    return false;
  }
  return true;
}
