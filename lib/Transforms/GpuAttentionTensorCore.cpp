//===- GpuAttentionTensorCore.cpp - attention on tensor cores -------------===//
//
// seq.attention with f16 or bf16 operands on the GPU as FlashAttention-2
// does it in registers: a warp owns 16 query rows of one head and streams
// over their keys 16 at a time. The scores S = Q K^T of a block are two
// mma.sync.m16n8k16 accumulators (f32), whose layout puts two rows and
// four keys of each row in every lane, so the online softmax's row max and
// sum take two shuffles among the row's four lanes; the probabilities P,
// rounded to the input type, are already in the layout of the A operand of
// the next mma.sync, P V, which accumulates the output in registers. Q's
// fragments are loaded once.
//
// Two kernels, the host choosing per call: from 64 query rows on, blocks
// of four warps (the same rows of up to four query heads of a GQA group,
// or consecutive rows of one) copy 64 keys of K and V at a time into
// shared memory, wait at a barrier, read their fragments from there, and
// wait again before the next copy; below, for decoding, each warp reads K
// and V from global memory itself, in the operand layouts.
//
// The fragment layouts are in MmaBuilder.h. seq-gpu-emulate-on-host
// computes mma.sync from the same layouts (and runs a block's warps in
// lockstep), which is how these kernels are tested numerically without a
// GPU.
//
//===----------------------------------------------------------------------===//

#include "GpuAttentionTensorCore.h"
#include "FlashAttentionTile.h"
#include "MmaBuilder.h"

#include "seqc/Transforms/GpuBlockKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;
using namespace mlir::seq;

namespace {
constexpr int64_t kRows = 16, kKeys = 16;
/// With shared memory: warps per block, and keys a block stages at a time
/// (their K and V: 2 x 64 x 136 x 2 bytes = 34 KiB at head sizes 128).
constexpr int64_t kBlockWarps = 4, kTileKeys = 64;
/// The largest head sizes: the kernel keeps D / 16 fragments of Q (4
/// registers each) and Dv / 8 accumulators (4 each) in each lane's
/// registers; at 128 and 128 that is 174 registers on sm_80, no spills.
constexpr int64_t kMaxHeadDim = 128, kMaxValueDim = 128;
} // namespace

const char *mlir::seq::tensorCoreUnsupportedReason(AttentionOp op) {
  Type element = cast<ShapedType>(op.getQ().getType()).getElementType();
  if (!element.isF16() && !element.isBF16())
    return "an element type other than f16 or bf16";
  int64_t headDim = cast<ShapedType>(op.getQ().getType()).getDimSize(3);
  int64_t valueDim = cast<ShapedType>(op.getV().getType()).getDimSize(3);
  if (ShapedType::isDynamic(headDim) || headDim % 16 != 0 ||
      headDim > kMaxHeadDim)
    return "a head size that is not a static multiple of 16 up to 128";
  if (ShapedType::isDynamic(valueDim) || valueDim % 8 != 0 ||
      valueDim > kMaxValueDim)
    return "a value head size that is not a static multiple of 8 up to 128";
  return nullptr;
}

namespace {
/// What a warp needs to run its 16 query rows over a block of 16 keys.
struct WarpRows {
  Value bi, h, kvHead, g, t, twoT;
  Value rows[2], lo[2], hi[2];
  /// With a bias: rows g and g + 8's indices {batch, head, query} into it.
  SmallVector<Value> biasRows[2];
  flash::TileInputs in;
  SmallVector<Value> queryFragments;
};

/// Reads K's B-fragment pair (key, column .. column + 1) and one element of
/// V (key, column), for keys that may lie past the last one.
struct KeyValueSource {
  function_ref<Value(Value, Value)> keyPair;
  function_ref<Value(Value, Value)> value;
};

struct TensorCoreKernel : MmaBuilder {
  AttentionOp op;
  int64_t headDim, valueDim;
  bool sharedMemory;

  // Set by run().
  Value q = {}, k = {}, v = {}, kvLen = {}, bias = {}, out = {}, lse = {};
  Value batch = {}, heads = {}, queryLength = {}, keyLength = {}, lastKey = {},
        group = {}, scale = {};

  /// The online softmax over the keys [keyStart, keyStart + 16): the
  /// carried row maxima, sums and output accumulators, updated.
  SmallVector<Value> keyBlock(const WarpRows &w, Value keyStart,
                              ValueRange carried, KeyValueSource source);
  /// The output rows (and lse) from the final carried values.
  void store(const WarpRows &w, ValueRange state);
  /// Whether `buffer`'s rows of 8 elements can be read as 16-byte vectors:
  /// its start and every stride but the innermost (1) are multiples of 16
  /// bytes.
  Value alignedRows(Value buffer);
  /// The kernel: with `staged`, blocks of kBlockWarps warps sharing K and V
  /// tiles in shared memory; otherwise independent warps.
  void emitKernel(bool staged);
  void run();
};
} // namespace

SmallVector<Value> TensorCoreKernel::keyBlock(const WarpRows &w, Value keyStart,
                                              ValueRange carried,
                                              KeyValueSource source) {
  Value negInf = f32(-std::numeric_limits<double>::infinity());
  // s[n][i][j]: row g + 8i, key keyStart + 8n + 2t + j.
  Value s[2][2][2];
  for (int64_t n = 0; n < 2; ++n) {
    Value key = add(keyStart, add(index(8 * n), w.g));
    Value scores = zeros(cType());
    for (int64_t d = 0; d < headDim; d += 16) {
      Value column = add(index(d), w.twoT);
      Value keys =
          fragment(bType(), {source.keyPair(key, column),
                             source.keyPair(key, add(column, index(8)))});
      scores = mma(w.queryFragments[d / 16], keys, scores);
    }
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j) {
        Value x = arith::MulFOp::create(b, extract(scores, i, j), scale);
        if (w.in.softcap) {
          Value cap = f32(*w.in.softcap);
          x = arith::MulFOp::create(
              b, cap,
              math::TanhOp::create(b, arith::DivFOp::create(b, x, cap)));
        }
        Value keyIndex =
            add(keyStart, add(index(8 * n), add(w.twoT, index(j))));
        if (bias) {
          // (Keys past the last read the last; they are masked below.)
          SmallVector<Value> at = w.biasRows[i];
          at.push_back(
              flash::biasIndex(*this, w.in, 3, min(keyIndex, lastKey)));
          x = arith::AddFOp::create(b, x, toF32(load(bias, at)));
        }
        Value seen = arith::AndIOp::create(
            b, cmp(arith::CmpIPredicate::sge, keyIndex, w.lo[i]),
            cmp(arith::CmpIPredicate::slt, keyIndex, w.hi[i]));
        s[n][i][j] = arith::SelectOp::create(b, seen, x, negInf);
      }
  }
  SmallVector<Value> next(4);
  Value alpha[2], p[2][2][2];
  for (int64_t i = 0; i < 2; ++i) {
    Value blockMax = negInf;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t j = 0; j < 2; ++j)
        blockMax = arith::MaximumFOp::create(b, blockMax, s[n][i][j]);
    Value newMax = arith::MaximumFOp::create(
        b, carried[i], rowReduce(blockMax, /*isMax=*/true));
    // A row that has seen no key yet: subtract 0, not -inf.
    Value safe = flash::softmaxShift(b, newMax);
    alpha[i] =
        math::ExpOp::create(b, arith::SubFOp::create(b, carried[i], safe));
    Value sum = arith::MulFOp::create(b, carried[2 + i], alpha[i]);
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t j = 0; j < 2; ++j) {
        p[n][i][j] =
            math::ExpOp::create(b, arith::SubFOp::create(b, s[n][i][j], safe));
        sum = arith::AddFOp::create(b, sum, p[n][i][j]);
      }
    next[i] = newMax;
    next[2 + i] = sum;
  }
  // P as the A operand: register r = 2n + i holds p[n][i][0..1].
  SmallVector<Value> probabilities;
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j)
        probabilities.push_back(p[n][i][j]);
  Value pFragment = fragmentOf(aType(), probabilities);
  Value rescale = vector::FromElementsOp::create(
      b, cType(), ValueRange{alpha[0], alpha[0], alpha[1], alpha[1]});
  // V's rows keyStart + 2t + j + 8r (past the last key their P is 0).
  Value valueKeys[2][2];
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t j = 0; j < 2; ++j)
      valueKeys[r][j] = add(keyStart, add(w.twoT, index(j + 8 * r)));
  for (int64_t e = 0; e < valueDim; e += 8) {
    Value column = add(index(e), w.g);
    SmallVector<Value> values;
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t j = 0; j < 2; ++j)
        values.push_back(source.value(valueKeys[r][j], column));
    Value acc = arith::MulFOp::create(b, carried[4 + e / 8], rescale);
    next.push_back(mma(
        pFragment, vector::FromElementsOp::create(b, bType(), values), acc));
  }
  return next;
}

void TensorCoreKernel::store(const WarpRows &w, ValueRange state) {
  Value negInf = f32(-std::numeric_limits<double>::infinity());
  Value zero = f32(0.0);
  for (int64_t i = 0; i < 2; ++i) {
    Value rowMax = state[i];
    Value rowSum = rowReduce(state[2 + i], /*isMax=*/false);
    // A row that saw no key: output 0, lse -inf.
    Value none =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, rowSum, zero);
    Value inverse = arith::SelectOp::create(
        b, none, zero, arith::DivFOp::create(b, f32(1.0), rowSum));
    ifThen(cmp(arith::CmpIPredicate::slt, w.rows[i], queryLength), [&] {
      for (int64_t e = 0; e < valueDim; e += 8) {
        Value acc = state[4 + e / 8];
        SmallVector<Value> pairValues;
        for (int64_t j = 0; j < 2; ++j)
          pairValues.push_back(arith::TruncFOp::create(
              b, element,
              arith::MulFOp::create(b, extract(acc, i, j), inverse)));
        vector::StoreOp::create(
            b, vector::FromElementsOp::create(b, pairType(), pairValues), out,
            ValueRange{w.bi, w.h, w.rows[i], add(index(e), w.twoT)});
      }
      if (lse)
        ifThen(cmp(arith::CmpIPredicate::eq, w.t, index(0)), [&] {
          Value value = arith::SelectOp::create(
              b, none, negInf,
              arith::AddFOp::create(b, rowMax, math::LogOp::create(b, rowSum)));
          KernelBuilder::store(value, lse, {w.bi, w.h, w.rows[i]});
        });
    });
  }
}

Value TensorCoreKernel::alignedRows(Value buffer) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, buffer);
  Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(b, buffer);
  int64_t bytes = element.getIntOrFloatBitWidth() / 8;
  Value start = add(pointer, mul(meta.getOffset(), index(bytes)));
  Value aligned =
      cmp(arith::CmpIPredicate::eq, rem(start, index(16)), index(0));
  ValueRange strides = meta.getStrides();
  for (Value stride : strides.drop_back())
    aligned =
        arith::AndIOp::create(b, aligned,
                              cmp(arith::CmpIPredicate::eq,
                                  rem(stride, index(16 / bytes)), index(0)));
  return aligned;
}

void TensorCoreKernel::emitKernel(bool staged) {
  Value negInf = f32(-std::numeric_limits<double>::infinity());
  Value zero = f32(0.0);
  Value queryBlocks = ceilDiv(queryLength, index(kRows));
  // With shared memory a block of kBlockWarps warps shares the tiles of one
  // key/value head: among the query heads that read it (GQA) as many as
  // divide both the group and the block (4, 2 or 1), each with the same
  // query blocks, so that their keys coincide, and the remaining warps on
  // the next query blocks. Without, every warp is on its own.
  int64_t warpsPerBlock = staged ? kBlockWarps : 1;
  static_assert(kBlockWarps == 4, "heads per block are 4, 2 or 1");
  Value headsPerBlock = index(1);
  if (staged) {
    auto divides = [&](int64_t n) {
      return cmp(arith::CmpIPredicate::eq, rem(group, index(n)), index(0));
    };
    headsPerBlock = arith::SelectOp::create(
        b, divides(4), index(4),
        arith::SelectOp::create(b, divides(2), index(2), index(1)));
  }
  Value blocksPerBlock = div(index(warpsPerBlock), headsPerBlock);
  Value headGroups = div(group, headsPerBlock);
  Value queryGroups = ceilDiv(queryBlocks, blocksPerBlock);
  Value kvHeads = div(heads, group);
  Value threads = mul(mul(mul(mul(batch, kvHeads), headGroups), queryGroups),
                      index(warpsPerBlock * kWarp));
  // Read by the host from the buffers' descriptors (a kernel's lane holds
  // no memref).
  Value kAligned, vAligned;
  if (staged)
    kAligned = alignedRows(k), vAligned = alignedRows(v);
  // seq-gpu-map-parallel-loops makes consecutive iterations consecutive
  // threads, so each aligned 32 are one warp (and, with shared memory,
  // each aligned kBlockWarps * 32 one block).
  scf::ParallelOp kernel = parallel(threads, [&](Value iteration) {
    int64_t blockThreads = warpsPerBlock * kWarp;
    Value kShared, vShared;
    if (staged) {
      // Rows padded by 8 elements: the 8 keys a fragment load reads sit
      // in different banks. K in pairs, so that each register of its B
      // fragments is one 4-byte load; V in elements (a B fragment of V
      // takes four keys of one column).
      auto tile = [&](int64_t columns, Type type) {
        return memref::AllocaOp::create(
            b, sharedBufferType({kTileKeys, columns}, type));
      };
      kShared = tile((headDim + 8) / 2, pairType());
      vShared = tile(valueDim + 8, element);
    }
    Value lane = rem(iteration, index(kWarp));
    Value thread = rem(iteration, index(blockThreads));
    Value warpInBlock = div(thread, index(kWarp));
    // Block: (batch, key/value head, group of query heads, query blocks).
    Value blockId = div(iteration, index(blockThreads));
    Value queryGroup = rem(blockId, queryGroups);
    Value rest = div(blockId, queryGroups);
    Value headGroup = rem(rest, headGroups);
    rest = div(rest, headGroups);
    WarpRows w;
    w.kvHead = rem(rest, kvHeads);
    w.bi = div(rest, kvHeads);
    w.h = add(add(mul(w.kvHead, group), mul(headGroup, headsPerBlock)),
              rem(warpInBlock, headsPerBlock));
    w.g = div(lane, index(4)), w.t = rem(lane, index(4));
    w.twoT = mul(w.t, index(2));
    // A block's last warps may have no query rows: they compute on the
    // last row (every warp of a block must reach its barriers) and store
    // nothing.
    Value firstBlock = mul(queryGroup, blocksPerBlock);
    Value queryBlock = add(firstBlock, div(warpInBlock, headsPerBlock));

    w.in.group = group, w.in.queryLength = queryLength,
    w.in.keyLength = keyLength, w.in.bias = bias;
    w.in.visibleLength = flash::visibleLength(*this, kvLen, w.bi, keyLength);
    flash::setMasks(w.in, op);
    // The masks' key intervals move forward with the row, so a warp's (and
    // a block's) keys run from its first row's first to its last row's
    // last.
    Value lastQuery = sub(queryLength, index(1));
    auto keyRange = [&](Value firstBlock, Value blocks) {
      Value first = min(mul(firstBlock, index(kRows)), lastQuery);
      Value last = min(
          sub(mul(add(firstBlock, blocks), index(kRows)), index(1)), lastQuery);
      return std::pair<Value, Value>{
          flash::visibleKeys(*this, w.in, mul(first, group)).first,
          flash::visibleKeys(*this, w.in, mul(last, group)).second};
    };

    // This lane's rows g and g + 8 of the block: their keys, and the row
    // each reads (past the last query: the last, never stored).
    Value firstRow = mul(queryBlock, index(kRows));
    Value readRows[2];
    for (int64_t i = 0; i < 2; ++i) {
      w.rows[i] = add(firstRow, add(w.g, index(8 * i)));
      std::tie(w.lo[i], w.hi[i]) =
          flash::visibleKeys(*this, w.in, mul(w.rows[i], group));
      readRows[i] = min(w.rows[i], lastQuery);
      if (bias) {
        std::array<Value, 3> row =
            flash::biasRowAt(*this, w.in, w.bi, w.h, readRows[i]);
        w.biasRows[i].assign(row.begin(), row.end());
      }
    }
    for (int64_t d = 0; d < headDim; d += 16) {
      Value column = add(index(d), w.twoT);
      Value column8 = add(column, index(8));
      w.queryFragments.push_back(
          fragment(aType(), {pair(q, {w.bi, w.h, readRows[0], column}),
                             pair(q, {w.bi, w.h, readRows[1], column}),
                             pair(q, {w.bi, w.h, readRows[0], column8}),
                             pair(q, {w.bi, w.h, readRows[1], column8})}));
    }

    // Carried: each row's running max and (this lane's part of the) sum,
    // then the Dv / 8 output accumulators.
    SmallVector<Value> inits = {negInf, negInf, zero, zero};
    for (int64_t e = 0; e < valueDim; e += 8)
      inits.push_back(zeros(cType()));

    SmallVector<Value> state;
    if (!staged) {
      // K and V straight from global memory, in the operand layouts.
      auto [lo, hi] = keyRange(queryBlock, index(1));
      auto keyPair = [&](Value key, Value column) -> Value {
        return pair(k, {w.bi, w.kvHead, min(key, lastKey), column});
      };
      auto value = [&](Value key, Value column) -> Value {
        return load(v, {w.bi, w.kvHead, min(key, lastKey), column});
      };
      state = loop(lo, hi, index(kKeys), inits,
                   [&](Value keyStart, ValueRange carried) {
                     return keyBlock(w, keyStart, carried, {keyPair, value});
                   });
    } else {
      // The block copies kTileKeys keys and values to shared memory (16
      // bytes a thread at a time where the rows allow), waits, and each
      // warp runs its rows over them 16 keys at a time; it waits again
      // before the next tile overwrites them.
      auto [lo, hi] = keyRange(firstBlock, blocksPerBlock);
      // The two copies are different loops (16-byte chunks, or pairs of
      // elements): were they the same loop, LLVM would merge the two
      // branches into one with the smaller alignment.
      auto copyTile = [&](Value from, Value to, Value aligned, int64_t columns,
                          Value tileStart) {
        bool pairs =
            isa<VectorType>(cast<MemRefType>(to.getType()).getElementType());
        // Stores `values` (`width` elements from `column` of `row`).
        auto put = [&](Value values, int64_t width, Value row, Value column) {
          if (!pairs) {
            vector::StoreOp::create(b, values, to, ValueRange{row, column});
            return;
          }
          Value columnPair = div(column, index(2));
          for (int64_t e = 0; e < width / 2; ++e)
            KernelBuilder::store(width == 2
                                     ? values
                                     : vector::ShuffleOp::create(
                                           b, values, values,
                                           ArrayRef<int64_t>{2 * e, 2 * e + 1})
                                           .getResult(),
                                 to, {row, add(columnPair, index(e))});
        };
        auto copy = [&](int64_t width, bool wide) {
          loop(thread, index(kTileKeys * columns / width), index(blockThreads),
               {}, [&](Value chunk, ValueRange) -> SmallVector<Value> {
                 Value row = div(chunk, index(columns / width));
                 Value column =
                     mul(rem(chunk, index(columns / width)), index(width));
                 Value key = min(add(tileStart, row), lastKey);
                 VectorType type = VectorType::get({width}, element);
                 Value values;
                 if (wide) {
                   values = vector::LoadOp::create(
                       b, type, from, ValueRange{w.bi, w.kvHead, key, column},
                       /*nontemporal=*/false, llvm::MaybeAlign(16));
                 } else {
                   SmallVector<Value> elements;
                   for (int64_t e = 0; e < width; ++e)
                     elements.push_back(load(
                         from, {w.bi, w.kvHead, key, add(column, index(e))}));
                   values = vector::FromElementsOp::create(b, type, elements);
                 }
                 put(values, width, row, column);
                 return {};
               });
        };
        auto branch = scf::IfOp::create(b, aligned, /*withElseRegion=*/true);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(branch.thenBlock()->getTerminator());
        copy(8, /*wide=*/true);
        b.setInsertionPoint(branch.elseBlock()->getTerminator());
        copy(2, /*wide=*/false);
      };
      state =
          loop(lo, hi, index(kTileKeys), inits,
               [&](Value tileStart, ValueRange carried) -> SmallVector<Value> {
                 copyTile(k, kShared, kAligned, headDim, tileStart);
                 copyTile(v, vShared, vAligned, valueDim, tileStart);
                 gpu::BarrierOp::create(b);
                 auto keyPair = [&](Value key, Value column) -> Value {
                   return load(kShared,
                               {sub(key, tileStart), div(column, index(2))});
                 };
                 auto value = [&](Value key, Value column) -> Value {
                   return load(vShared, {sub(key, tileStart), column});
                 };
                 // Keys past the block's range, or past a warp's own, are
                 // masked (their probabilities are 0).
                 SmallVector<Value> next = loop(
                     tileStart, add(tileStart, index(kTileKeys)), index(kKeys),
                     carried, [&](Value keyStart, ValueRange inner) {
                       return keyBlock(w, keyStart, inner, {keyPair, value});
                     });
                 gpu::BarrierOp::create(b);
                 return next;
               });
    }
    store(w, state);
  });
  if (staged)
    setBlockSize(kernel, kBlockWarps * kWarp);
}

void TensorCoreKernel::run() {
  q = readBuffer(op.getQ()), k = readBuffer(op.getK()),
  v = readBuffer(op.getV());
  kvLen = op.getKvLen() ? readBuffer(op.getKvLen()) : Value();
  bias = op.getBias() ? readBuffer(op.getBias()) : Value();
  batch = dim(q, 0), heads = dim(q, 1), queryLength = dim(q, 2),
  keyLength = dim(k, 2);
  group = div(heads, dim(k, 1));
  scale = flash::attentionScale(*this, op, index(headDim));
  lastKey = sub(keyLength, index(1));

  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  out = allocResultBuffer(op.getOutput(),
                          {batch, heads, queryLength, index(valueDim)});
  RankedTensorType lseType;
  if (Value lseResult = op.getLse()) {
    lseType = cast<RankedTensorType>(lseResult.getType());
    lse = allocResult(lseResult, {batch, heads, queryLength});
  }

  if (!sharedMemory) {
    emitKernel(/*staged=*/false);
  } else {
    // Fewer query rows than a block of warps owns (decoding): each warp on
    // its own, as a staged block would compute mostly on padding rows.
    Value staged =
        cmp(arith::CmpIPredicate::sge, queryLength, index(kBlockWarps * kRows));
    auto choice = scf::IfOp::create(b, staged, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(choice.thenBlock()->getTerminator());
    emitKernel(/*staged=*/true);
    b.setInsertionPoint(choice.elseBlock()->getTerminator());
    emitKernel(/*staged=*/false);
  }

  SmallVector<Value> results = {resultTensor(out, outType)};
  if (lse)
    results.push_back(resultTensor(lse, lseType));
  op->replaceAllUsesWith(results);
  op->erase();
}

void mlir::seq::lowerAttentionOnTensorCores(ImplicitLocOpBuilder &b,
                                            AttentionOp op, bool sharedMemory) {
  auto headDim = cast<ShapedType>(op.getQ().getType()).getDimSize(3);
  auto valueDim = cast<ShapedType>(op.getV().getType()).getDimSize(3);
  Type element = cast<ShapedType>(op.getQ().getType()).getElementType();
  TensorCoreKernel kernel{{{b}, element}, op, headDim, valueDim, sharedMemory};
  kernel.run();
}
