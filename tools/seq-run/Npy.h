//===- Npy.h - reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// The subset seq-run needs: little-endian, C order, the dtypes of the seqc
// ABI. Every malformed or truncated file is an error with a message.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TOOLS_SEQ_RUN_NPY_H
#define SEQC_TOOLS_SEQ_RUN_NPY_H

#include "seqc-runtime/seqc_runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace seqrun {

struct Array {
  seqc_dtype dtype = SEQC_DTYPE_F32;
  std::vector<int64_t> shape;
  std::vector<char> data; // row-major

  int64_t numElements() const;
};

/// Reads `path`; on failure returns false and sets `error`.
bool readNpy(const std::string &path, Array &array, std::string &error);

/// Writes `array` to `path`; on failure returns false and sets `error`.
bool writeNpy(const std::string &path, const Array &array, std::string &error);

} // namespace seqrun

#endif // SEQC_TOOLS_SEQ_RUN_NPY_H
