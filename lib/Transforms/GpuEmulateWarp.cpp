//===- GpuEmulateWarp.cpp - warp-synchronous kernels on the host ----------===//
//
// A kernel whose lanes exchange values (a tensor-core nvgpu.mma.sync takes
// its matrices from all 32 lanes' registers; gpu.shuffle reads another
// lane's) cannot run as independent host iterations, one thread after
// another. Here a warp is one host iteration instead: every value a lane
// holds lives in a [32] buffer, each op runs for the 32 lanes in turn
// before the next op starts (lockstep, as the warp executes), and the
// exchanges are computed from the buffers with the fragment layouts of the
// PTX ISA, so that the kernel's lane-index arithmetic is what is tested.
//
// A kernel whose threads cooperate as a block (gpu.barrier, workgroup
// memory) runs a block per host iteration the same way, its lanes buffers
// as wide as the block: every op runs for all of the block's threads
// before the next starts, so a barrier has nothing left to wait for, and
// the block's workgroup buffers are host buffers of that iteration. (A
// race-free kernel computes the same as on the GPU; a racy one may not.)
//
// Control flow around an exchange must be uniform across the lanes run in
// lockstep, as the hardware requires for a warp's exchanges and a block's
// barriers: loop bounds are taken from lane 0, and an scf.if's condition
// is checked to agree on all lanes (an assertion at run time). In a block
// emulation that is the whole block, also for a branch around a shuffle
// only (stricter than the hardware, which needs the warp to agree).
//
//===----------------------------------------------------------------------===//

#include "GpuEmulateWarp.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

static constexpr int64_t kWarp = 32;

bool mlir::seq::exchangesBetweenLanes(Operation *op) {
  return op
      ->walk([](Operation *inner) {
        return isa<nvgpu::MmaSyncOp, gpu::ShuffleOp, gpu::BarrierOp>(inner)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

bool mlir::seq::cooperatesAsBlock(gpu::LaunchOp launch) {
  return launch.getNumWorkgroupAttributions() > 0 ||
         launch->walk([](gpu::BarrierOp) { return WalkResult::interrupt(); })
             .wasInterrupted();
}

static std::string typeName(Type type) {
  std::string name;
  llvm::raw_string_ostream(name) << type;
  return name;
}

namespace {
/// Runs the ops of one warp's (or one block's) kernel body on the host.
struct WarpEmulator {
  WarpEmulator(OpBuilder &b, Location loc, Block *scratch, int64_t width,
               bool wholeBlock)
      : b(b), loc(loc), scratch(scratch), width(width), wholeBlock(wholeBlock) {
  }

  OpBuilder &b;
  Location loc;
  Block *scratch;               // where the lane buffers are allocated
  int64_t width;                // lanes run in lockstep: a warp or a block
  bool wholeBlock;              // the lanes are the whole block
  IRMapping uniform;            // kernel value -> its host value (all lanes)
  DenseMap<Value, Value> lanes; // kernel value -> memref<width x type>

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// A fresh [width] buffer of `type`, one element per lane.
  FailureOr<Value> laneBuffer(Type type) {
    if (!isa<IntegerType, FloatType, IndexType, VectorType>(type))
      return failure();
    OpBuilder top = OpBuilder::atBlockBegin(scratch);
    return memref::AllocaOp::create(top, loc, MemRefType::get({width}, type))
        .getResult();
  }

  /// `v`'s value in lane `lane`.
  Value laneValue(Value v, Value lane) {
    auto it = lanes.find(v);
    if (it != lanes.end())
      return memref::LoadOp::create(b, loc, it->second, ValueRange{lane});
    return uniform.lookupOrDefault(v);
  }

  /// Emits a loop over the lanes around `body`.
  void forEachLane(function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, loc, index(0), index(width), index(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  /// Emits a loop over the warps around `body`, which gets the buffer index
  /// of the warp's first lane.
  void forEachWarp(function_ref<void(Value)> body) {
    auto warps =
        scf::ForOp::create(b, loc, index(0), index(width / kWarp), index(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(warps.getBody()->getTerminator());
    body(arith::MulIOp::create(b, loc, warps.getInductionVar(), index(kWarp)));
  }
  /// Emits a loop over the 32 lanes of the warp that starts at buffer index
  /// `first` around `body`, which gets the lane within the warp and its
  /// buffer index.
  void forLanesOf(Value first, function_ref<void(Value, Value)> body) {
    auto lanes = scf::ForOp::create(b, loc, index(0), index(kWarp), index(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(lanes.getBody()->getTerminator());
    Value lane = lanes.getInductionVar();
    body(lane, arith::AddIOp::create(b, loc, first, lane));
  }

  /// `v` in a lane buffer of its own (a copy: `v` may be a loop-carried
  /// buffer that is about to be overwritten).
  FailureOr<Value> copyToBuffer(Value v) {
    FailureOr<Value> buffer = laneBuffer(v.getType());
    if (failed(buffer))
      return failure();
    forEachLane([&](Value lane) {
      memref::StoreOp::create(b, loc, laneValue(v, lane), *buffer,
                              ValueRange{lane});
    });
    return buffer;
  }
  void copyBuffer(Value from, Value to) {
    forEachLane([&](Value lane) {
      Value x = memref::LoadOp::create(b, loc, from, ValueRange{lane});
      memref::StoreOp::create(b, loc, x, to, ValueRange{lane});
    });
  }

  /// The lane buffer that holds `v` (a new one for a value defined outside
  /// the kernel).
  FailureOr<Value> bufferOf(Value v) {
    auto it = lanes.find(v);
    return it != lanes.end() ? it->second : copyToBuffer(v);
  }

  /// `v`'s value in lane 0, for control flow that must be uniform.
  Value laneZero(Value v) { return laneValue(v, index(0)); }

  LogicalResult unsupported(Operation *op, const Twine &why) {
    return op->emitError("cannot run this kernel on the host: ") << why;
  }

  LogicalResult runBlock(Block &block);
  LogicalResult runLaneLocal(ArrayRef<Operation *> ops);
  LogicalResult runFor(scf::ForOp op);
  LogicalResult runIf(scf::IfOp op);
  LogicalResult runMma(nvgpu::MmaSyncOp op);
  LogicalResult runShuffle(gpu::ShuffleOp op);
};
} // namespace

/// Ops that touch only their own lane's values run in one loop over the
/// lanes, each a clone of the op (regions included) on that lane's operands.
LogicalResult WarpEmulator::runLaneLocal(ArrayRef<Operation *> ops) {
  if (ops.empty())
    return success();
  SmallVector<std::pair<Value, Value>> results; // kernel value, buffer
  for (Operation *op : ops)
    for (Value result : op->getResults()) {
      FailureOr<Value> buffer = laneBuffer(result.getType());
      if (failed(buffer))
        return unsupported(op, "a lane value of type " +
                                   typeName(result.getType()));
      results.push_back({result, *buffer});
    }
  forEachLane([&](Value lane) {
    IRMapping mapping;
    for (Operation *op : ops) {
      SetVector<Value> used;
      getUsedValuesDefinedAbove(op->getRegions(), used);
      used.insert(op->operand_begin(), op->operand_end());
      for (Value v : used)
        if (!mapping.contains(v))
          mapping.map(v, laneValue(v, lane));
      b.clone(*op, mapping);
    }
    for (auto [value, buffer] : results)
      memref::StoreOp::create(b, loc, mapping.lookup(value), buffer,
                              ValueRange{lane});
  });
  for (auto [value, buffer] : results)
    lanes[value] = buffer;
  return success();
}

LogicalResult WarpEmulator::runFor(scf::ForOp op) {
  SmallVector<Value> carried;
  for (Value init : op.getInitArgs()) {
    FailureOr<Value> buffer = copyToBuffer(init);
    if (failed(buffer))
      return unsupported(op, "a loop-carried value of type " +
                                 typeName(init.getType()));
    carried.push_back(*buffer);
  }
  auto loop = scf::ForOp::create(b, loc, laneZero(op.getLowerBound()),
                                 laneZero(op.getUpperBound()),
                                 laneZero(op.getStep()));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    uniform.map(op.getInductionVar(), loop.getInductionVar());
    for (auto [arg, buffer] : llvm::zip(op.getRegionIterArgs(), carried))
      lanes[arg] = buffer;
    if (failed(runBlock(*op.getBody())))
      return failure();
    // Copy the yielded values out first: one may be another's carried value.
    SmallVector<Value> next;
    for (Value v : op.getBody()->getTerminator()->getOperands())
      next.push_back(*copyToBuffer(v));
    for (auto [from, to] : llvm::zip(next, carried))
      copyBuffer(from, to);
  }
  for (auto [result, buffer] : llvm::zip(op.getResults(), carried))
    lanes[result] = buffer;
  return success();
}

LogicalResult WarpEmulator::runIf(scf::IfOp op) {
  // The lanes must agree: count those that take the branch.
  Value taken = *copyToBuffer(op.getCondition());
  Value count = scf::ForOp::create(
                    b, loc, index(0), index(width), index(1),
                    ValueRange{index(0)},
                    [&](OpBuilder &nb, Location l, Value lane, ValueRange sum) {
                      Value c = memref::LoadOp::create(nb, l, taken,
                                                       ValueRange{lane});
                      Value one = arith::IndexCastUIOp::create(
                          nb, l, nb.getIndexType(), c);
                      scf::YieldOp::create(
                          nb, l, ValueRange{arith::AddIOp::create(
                                     nb, l, sum[0], one)});
                    })
                    .getResult(0);
  Value none = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count,
                                     index(0));
  Value all = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count,
                                    index(width));
  cf::AssertOp::create(b, loc, arith::OrIOp::create(b, loc, none, all),
                       wholeBlock
                           ? "a branch around a barrier or a lane exchange "
                             "diverges within a block"
                           : "a branch around a lane exchange diverges "
                             "within a warp");
  SmallVector<Value> results;
  for (Value result : op.getResults()) {
    FailureOr<Value> buffer = laneBuffer(result.getType());
    if (failed(buffer))
      return unsupported(op, "a result of type " +
                                 typeName(result.getType()));
    results.push_back(*buffer);
  }
  auto host = scf::IfOp::create(b, loc, all, /*withElseRegion=*/true);
  auto runBranch = [&](Block *from, Block *to) -> LogicalResult {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(to->getTerminator());
    if (failed(runBlock(*from)))
      return failure();
    for (auto [v, buffer] :
         llvm::zip(from->getTerminator()->getOperands(), results))
      copyBuffer(*copyToBuffer(v), buffer);
    return success();
  };
  if (failed(runBranch(op.thenBlock(), host.thenBlock())))
    return failure();
  if (op.elseBlock() && failed(runBranch(op.elseBlock(), host.elseBlock())))
    return failure();
  for (auto [result, buffer] : llvm::zip(op.getResults(), results))
    lanes[result] = buffer;
  return success();
}

/// D = A * B + C for mma.sync.m16n8k16 (f16 or bf16 in, f32 accumulate).
/// PTX ISA, "Matrix fragments for mma.m16n8k16 with floating point type":
/// lane l = 4 * g + t holds
///   A (16x16, row major): register r (r < 4), element j, at row
///     g + 8 * (r % 2), column 2 * t + j + 8 * (r / 2);
///   B (16x8): register r (r < 2), element j, at row 2 * t + j + 8 * r,
///     column g;
///   C and D (16x8): register r (r < 2), element j, at row g + 8 * r,
///     column 2 * t + j.
LogicalResult WarpEmulator::runMma(nvgpu::MmaSyncOp op) {
  auto aType = cast<VectorType>(op.getMatrixA().getType());
  auto bType = cast<VectorType>(op.getMatrixB().getType());
  auto cType = cast<VectorType>(op.getMatrixC().getType());
  std::array<int64_t, 3> shape = op.getMmaShapeAsArray();
  if (shape != std::array<int64_t, 3>{16, 8, 16} ||
      aType.getShape() != ArrayRef<int64_t>{4, 2} ||
      bType.getShape() != ArrayRef<int64_t>{2, 2} ||
      cType.getShape() != ArrayRef<int64_t>{2, 2} ||
      !cType.getElementType().isF32())
    return unsupported(op, "an mma.sync other than m16n8k16 with an f32 "
                           "accumulator");
  Value a = *bufferOf(op.getMatrixA()), bm = *bufferOf(op.getMatrixB()),
        c = *bufferOf(op.getMatrixC());
  Value d = *laneBuffer(cType);
  // The three matrices, unpacked from the lanes into f32 tiles.
  Type f32 = b.getF32Type();
  OpBuilder top = OpBuilder::atBlockBegin(scratch);
  auto tile = [&](int64_t rows, int64_t columns) {
    return memref::AllocaOp::create(top, loc,
                                    MemRefType::get({rows, columns}, f32))
        .getResult();
  };
  Value aTile = tile(16, 16), bTile = tile(16, 8), cTile = tile(16, 8);
  // (register, element) -> (row, column) of each operand, lane = 4 g + t.
  auto aPlace = [](int64_t r, int64_t j) {
    return std::pair<int64_t, int64_t>{8 * (r % 2), j + 8 * (r / 2)};
  };
  // Each warp of the block multiplies its own matrices.
  forEachWarp([&](Value first) {
    forLanesOf(first, [&](Value lane, Value at) {
      Value g = arith::DivUIOp::create(b, loc, lane, index(4));
      Value twoT = arith::MulIOp::create(
          b, loc, arith::RemUIOp::create(b, loc, lane, index(4)), index(2));
      auto plus = [&](Value x, int64_t y) {
        return arith::AddIOp::create(b, loc, x, index(y)).getResult();
      };
      auto unpack =
          [&](Value buffer, Value to, int64_t registers,
              function_ref<std::pair<Value, Value>(int64_t, int64_t)> place) {
            Value fragment =
                memref::LoadOp::create(b, loc, buffer, ValueRange{at});
            for (int64_t r = 0; r < registers; ++r)
              for (int64_t j = 0; j < 2; ++j) {
                Value x = vector::ExtractOp::create(b, loc, fragment,
                                                    ArrayRef<int64_t>{r, j});
                if (!x.getType().isF32())
                  x = arith::ExtFOp::create(b, loc, f32, x);
                auto [row, column] = place(r, j);
                memref::StoreOp::create(b, loc, x, to, ValueRange{row, column});
              }
          };
      unpack(a, aTile, 4, [&](int64_t r, int64_t j) {
        auto [row, column] = aPlace(r, j);
        return std::pair<Value, Value>{plus(g, row), plus(twoT, column)};
      });
      unpack(bm, bTile, 2, [&](int64_t r, int64_t j) {
        return std::pair<Value, Value>{plus(twoT, j + 8 * r), g};
      });
      unpack(c, cTile, 2, [&](int64_t r, int64_t j) {
        return std::pair<Value, Value>{plus(g, 8 * r), plus(twoT, j)};
      });
    });
    // C += A B, in f32.
    auto forRange = [&](int64_t n, function_ref<void(Value)> body) {
      auto loop = scf::ForOp::create(b, loc, index(0), index(n), index(1));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(loop.getBody()->getTerminator());
      body(loop.getInductionVar());
    };
    forRange(16, [&](Value row) {
      forRange(8, [&](Value column) {
        forRange(16, [&](Value k) {
          Value x = memref::LoadOp::create(b, loc, aTile, ValueRange{row, k});
          Value y =
              memref::LoadOp::create(b, loc, bTile, ValueRange{k, column});
          Value sum =
              memref::LoadOp::create(b, loc, cTile, ValueRange{row, column});
          sum = arith::AddFOp::create(b, loc, sum,
                                      arith::MulFOp::create(b, loc, x, y));
          memref::StoreOp::create(b, loc, sum, cTile, ValueRange{row, column});
        });
      });
    });
    // D, packed back into the lanes in C's layout.
    forLanesOf(first, [&](Value lane, Value at) {
      Value g = arith::DivUIOp::create(b, loc, lane, index(4));
      Value twoT = arith::MulIOp::create(
          b, loc, arith::RemUIOp::create(b, loc, lane, index(4)), index(2));
      Value result = memref::LoadOp::create(b, loc, c, ValueRange{at});
      for (int64_t r = 0; r < 2; ++r)
        for (int64_t j = 0; j < 2; ++j) {
          Value row = arith::AddIOp::create(b, loc, g, index(8 * r));
          Value column = arith::AddIOp::create(b, loc, twoT, index(j));
          Value x =
              memref::LoadOp::create(b, loc, cTile, ValueRange{row, column});
          result = vector::InsertOp::create(b, loc, x, result,
                                            ArrayRef<int64_t>{r, j});
        }
      memref::StoreOp::create(b, loc, result, d, ValueRange{at});
    });
  });
  lanes[op.getRes()] = d;
  return success();
}

/// gpu.shuffle xor, idx or up over each whole warp (width 32); a lane with
/// no source lane keeps its own value, invalid.
LogicalResult WarpEmulator::runShuffle(gpu::ShuffleOp op) {
  gpu::ShuffleMode mode = op.getMode();
  if (mode == gpu::ShuffleMode::DOWN)
    return unsupported(op, "a shuffle other than xor, idx or up");
  FailureOr<Value> value = bufferOf(op.getValue());
  if (failed(value))
    return unsupported(op, "a shuffled value of type " +
                               typeName(op.getValue().getType()));
  Value result = *laneBuffer(op.getShuffleResult().getType());
  Value valid = *laneBuffer(b.getI1Type());
  Value shuffleWidth = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                                  laneZero(op.getWidth()));
  forEachWarp([&](Value first) {
    forLanesOf(first, [&](Value lane, Value at) {
      Value offset = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                                laneValue(op.getOffset(), at));
      Value from;
      switch (mode) {
      case gpu::ShuffleMode::XOR:
        from = arith::XOrIOp::create(b, loc, lane, offset);
        break;
      case gpu::ShuffleMode::IDX:
        from = offset;
        break;
      case gpu::ShuffleMode::DOWN:
      case gpu::ShuffleMode::UP:
        // lane - offset, which wraps past the width where there is none.
        from = arith::SubIOp::create(b, loc, lane, offset);
        break;
      }
      Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, from,
                                       shuffleWidth);
      Value source = arith::AddIOp::create(
          b, loc, first, arith::SelectOp::create(b, loc, ok, from, lane));
      Value x = memref::LoadOp::create(b, loc, *value, ValueRange{source});
      memref::StoreOp::create(b, loc, x, result, ValueRange{at});
      memref::StoreOp::create(b, loc, ok, valid, ValueRange{at});
    });
  });
  lanes[op.getShuffleResult()] = result;
  lanes[op.getValid()] = valid;
  return success();
}

LogicalResult WarpEmulator::runBlock(Block &block) {
  SmallVector<Operation *> local;
  for (Operation &op : block.without_terminator()) {
    // Other GPU ops (gpu.lane_id, gpu.thread_id, ...) have no host form.
    bool gpuOp = op.walk([](Operation *inner) {
                     return isa<gpu::GPUDialect>(inner->getDialect()) &&
                                    !isa<gpu::ShuffleOp, gpu::BarrierOp>(inner)
                                ? WalkResult::interrupt()
                                : WalkResult::advance();
                   }).wasInterrupted();
    if (gpuOp)
      return unsupported(&op, "a GPU operation other than gpu.shuffle and "
                              "gpu.barrier");
    if (!seq::exchangesBetweenLanes(&op)) {
      local.push_back(&op);
      continue;
    }
    if (failed(runLaneLocal(local)))
      return failure();
    local.clear();
    LogicalResult done =
        TypeSwitch<Operation *, LogicalResult>(&op)
            .Case([&](scf::ForOp o) { return runFor(o); })
            .Case([&](scf::IfOp o) { return runIf(o); })
            .Case([&](nvgpu::MmaSyncOp o) { return runMma(o); })
            .Case([&](gpu::ShuffleOp o) { return runShuffle(o); })
            // The block's lanes run each op in turn: what they wrote before
            // the barrier is written before any reads after it.
            .Case([&](gpu::BarrierOp o) {
              return wholeBlock
                         ? success()
                         : unsupported(o, "a barrier in a warp emulation");
            })
            .Default([&](Operation *o) {
              return unsupported(o, "a lane exchange inside this op");
            });
    if (failed(done))
      return failure();
  }
  return runLaneLocal(local);
}

LogicalResult mlir::seq::emulateWarpLaunch(gpu::LaunchOp launch) {
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  std::optional<int64_t> threads = getConstantIntValue(block.x);
  if (!threads || *threads % kWarp != 0 || getConstantIntValue(block.y) != 1 ||
      getConstantIntValue(block.z) != 1)
    return launch.emitError("a kernel whose threads exchange values or "
                            "cooperate runs on the host only with "
                            "one-dimensional blocks of a constant number of "
                            "whole warps");
  if (launch.getNumPrivateAttributions() > 0 || launch.getAsyncToken())
    return launch.emitError("a kernel with private attributions or an async "
                            "token cannot run on the host");
  // A block whose threads cooperate runs its threads in lockstep; otherwise
  // each warp does.
  bool wholeBlock = cooperatesAsBlock(launch);
  int64_t width = wholeBlock ? *threads : kWarp;
  Location loc = launch.getLoc();
  OpBuilder b(launch);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value warps = arith::ConstantIndexOp::create(b, loc, *threads / width);
  auto loop = scf::ParallelOp::create(
      b, loc, ValueRange{zero, zero, zero, zero},
      ValueRange{grid.x, grid.y, grid.z, warps},
      ValueRange{one, one, one, one});
  b.setInsertionPoint(loop.getBody()->getTerminator());
  // The lane buffers (and a block's shared buffers) live for one
  // iteration.
  auto scope = memref::AllocaScopeOp::create(b, loc, TypeRange{});
  Block *body = b.createBlock(&scope.getBodyRegion());
  memref::AllocaScopeReturnOp::create(b, loc);
  b.setInsertionPointToStart(body);

  WarpEmulator warp(b, loc, body, width, wholeBlock);
  SmallVector<Value> ivs(loop.getInductionVars());
  gpu::KernelDim3 blockIds = launch.getBlockIds(),
                  threadIds = launch.getThreadIds(),
                  gridArgs = launch.getGridSize(),
                  blockArgs = launch.getBlockSize();
  warp.uniform.map(blockIds.x, ivs[0]);
  warp.uniform.map(blockIds.y, ivs[1]);
  warp.uniform.map(blockIds.z, ivs[2]);
  warp.uniform.map(threadIds.y, zero);
  warp.uniform.map(threadIds.z, zero);
  warp.uniform.map(gridArgs.x, grid.x);
  warp.uniform.map(gridArgs.y, grid.y);
  warp.uniform.map(gridArgs.z, grid.z);
  warp.uniform.map(blockArgs.x, block.x);
  warp.uniform.map(blockArgs.y, block.y);
  warp.uniform.map(blockArgs.z, block.z);
  // Workgroup memory: one host buffer per block (host memory has no
  // address spaces; the kernel only loads from and stores to it).
  for (BlockArgument shared : launch.getWorkgroupAttributions()) {
    auto type = cast<MemRefType>(shared.getType());
    if (!type.hasStaticShape())
      return launch.emitError("a workgroup buffer of dynamic shape");
    warp.uniform.map(
        shared,
        memref::AllocaOp::create(
            b, loc, MemRefType::get(type.getShape(), type.getElementType())));
  }
  Value threadX = *warp.laneBuffer(b.getIndexType());
  Value firstLane = arith::MulIOp::create(b, loc, ivs[3], warp.index(width));
  warp.forEachLane([&](Value lane) {
    memref::StoreOp::create(b, loc,
                            arith::AddIOp::create(b, loc, firstLane, lane),
                            threadX, ValueRange{lane});
  });
  warp.lanes[threadIds.x] = threadX;

  Region &region = launch.getBody();
  if (!region.hasOneBlock())
    return launch.emitError("only single-block kernels can run on the host");
  if (failed(warp.runBlock(region.front())))
    return failure();
  launch.erase();
  return success();
}
