//===- FlashAttentionTile.h - one tile of flash attention, in vectors -----===//
//
// The work of one task of -seq-flash-attention: R query rows (of one batch
// entry and one key/value head, GQA heads interleaved) against a range of
// keys, with an online softmax. Rows live in vector lanes throughout
// (scores are kept transposed, [key][row]), so the softmax's row
// reductions are lane-wise and K and V are read in place, one broadcast
// scalar at a time: no transposed copy of K, and no copy per query head.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_TRANSFORMS_FLASHATTENTIONTILE_H
#define SEQC_LIB_TRANSFORMS_FLASHATTENTIONTILE_H

#include "KernelBuilder.h"
#include "seqc/Dialect/Seq/IR/SeqOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <array>
#include <optional>

namespace mlir::seq::flash {

using mlir::seq::KernelBuilder;

/// Static choices of the generated code.
struct TileShape {
  int64_t lanes = 16;       // vector width in f32 lanes
  int64_t rowVectors = 2;   // R = lanes * rowVectors query rows per tile
  int64_t blockKeys = 64;   // keys per block
  int64_t accumulators = 16; // vector registers a register tile accumulates in
  int64_t keyRows = 8;      // keys per register tile of the score kernel
  int64_t valueKeys = 32;   // keys per pass of the value kernel
  int64_t rows() const { return lanes * rowVectors; }
};

/// What one task reads: memrefs of rank 4 (q [B,H,Lq,D], k [B,Hkv,Lk,D],
/// v [B,Hkv,Lk,Dv]) and index values.
struct TileInputs {
  Value q, k, v;
  Value batch, kvHead;   // which batch entry and key/value head
  Value group;           // G = H / Hkv
  Value queryLength;     // Lq
  Value keyLength;       // Lk
  Value visibleLength;   // keys of this batch entry (kv_len, else Lk)
  Value headDim, valueDim;
  Value firstRow;        // t0: rows t0 .. t0+R-1 of the G*Lq rows
  Value scale;           // f32
  Value bias;            // [B|1, H|1, Lq|1, Lk|1] additive scores, or null
  std::optional<double> softcap;
  bool causal = false;
  std::optional<int64_t> window, chunk;
};

/// Per-task results: acc [Dv][R] (unnormalized output, transposed), and
/// the running max and sum of each row, stored to `rowMax` / `rowSum`
/// ([R] memrefs). Keys [splitIndex, splitCount) of the tile's visible range
/// are processed.
struct TileOutputs {
  Value acc, rowMax, rowSum;
};

/// Emits the computation of one tile at `b`'s insertion point.
void buildTile(ImplicitLocOpBuilder &b, const TileShape &shape,
               const TileInputs &in, Value splitIndex, Value splitCount,
               const TileOutputs &out);

/// The same for a tile of `rows` query rows, a static count of at most
/// shape.lanes, with keys in vector lanes instead of rows
/// (FlashAttentionNarrowTile.cpp): decoding, where G * Lq rows would fill
/// a fraction of a vector. Needs static head and value dimensions that are
/// multiples of shape.lanes; writes rows [0, rows) of `out`.
void buildNarrowTile(ImplicitLocOpBuilder &b, const TileShape &shape,
                     int64_t rows, int64_t headDim, int64_t valueDim,
                     const TileInputs &in, Value splitIndex, Value splitCount,
                     const TileOutputs &out);

/// The keys [lo, hi) that row `t` (of the G * Lq rows of a key/value head)
/// sees under the masks; empty for t past the real rows.
std::pair<Value, Value> visibleKeys(KernelBuilder &kb, const TileInputs &in,
                                    Value t);

/// The scores' scale: `op`'s scale attribute, else 1 / sqrt(headDim)
/// (f32).
Value attentionScale(KernelBuilder &kb, AttentionOp op, Value headDim);

/// Sets `in`'s masks (causal, window, chunk) and softcap from `op`.
void setMasks(TileInputs &in, AttentionOp op);

/// Why the attention lowerings on buffers (seq-flash-attention,
/// seq-gpu-attention) leave `op` to the reference lowering whatever its
/// operands' element type: an lse other than f32; null otherwise.
const char *unsupportedLseType(AttentionOp op);

/// Index `i` (within the op's full size) of in.bias's dimension `d`, or 0
/// where that dimension has size 1 (broadcast; a dynamic size is checked
/// at run time).
Value biasIndex(KernelBuilder &kb, const TileInputs &in, int64_t d, Value i);

/// The bias's indices {batch, head, query} of the row of query `query` of
/// head `head` in batch entry `batch`, through biasIndex.
std::array<Value, 3> biasRowAt(KernelBuilder &kb, const TileInputs &in,
                               Value batch, Value head, Value query);

/// biasRowAt for row `t` of the G * Lq rows of the tile's key/value head
/// (rows past the last real one read the last).
std::array<Value, 3> biasRow(KernelBuilder &kb, const TileInputs &in, Value t);

/// The online softmax's shift for a running max `max` (f32, or a vector of
/// f32): `max`, or 0 where it is -inf (a row that has seen no key, or only
/// keys a bias masks), so that exp(s - shift) of its -inf scores is 0, not
/// NaN.
Value softmaxShift(ImplicitLocOpBuilder &b, Value max);

/// The keys batch entry `batchIndex` sees: kv_len[batchIndex] (from the
/// buffer `kvLen`, i32 or i64, clamped to [0, keyLength]), or keyLength
/// without one.
Value visibleLength(KernelBuilder &kb, Value kvLen, Value batchIndex,
                    Value keyLength);

/// Split `splitIndex` of `splitCount`'s share [lo, hi) of the keys [kvLo,
/// kvHi), in whole blocks of `blockKeys`.
std::pair<Value, Value> splitRange(KernelBuilder &kb, Value kvLo, Value kvHi,
                                   int64_t blockKeys, Value splitIndex,
                                   Value splitCount);

} // namespace mlir::seq::flash

#endif // SEQC_LIB_TRANSFORMS_FLASHATTENTIONTILE_H
