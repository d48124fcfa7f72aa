//===- NpyTokens.h - token ids from a NumPy .npy file -----------*- C++ -*-===//

#ifndef SEQC_LIB_DRIVER_NPYTOKENS_H
#define SEQC_LIB_DRIVER_NPYTOKENS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace seqc {

/// Sequences of token ids, all of one length.
struct TokenRows {
  int64_t rows = 0, length = 0;
  std::vector<int32_t> ids; // [rows, length], row-major
};

/// Reads a .npy file of int32 or int64 ids ([length] or [rows, length],
/// C order, little-endian), each in [0, vocabSize). Errors name the file
/// and what is wrong with it.
llvm::Expected<TokenRows> readNpyTokens(llvm::StringRef path,
                                        int64_t vocabSize);

} // namespace seqc

#endif // SEQC_LIB_DRIVER_NPYTOKENS_H
