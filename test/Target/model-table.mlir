// The seqc.model attribute of a hand-written module is checked before the
// runtime trusts it: fields, weight offsets, and the entry points' shapes.
// RUN: rm -rf %t && split-file %s %t
// RUN: not seqc %t/not-dict.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=DICT
// DICT: error: 'seqc.model' must be a dictionary
// RUN: not seqc %t/no-vocab.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=VOCAB
// VOCAB: error: malformed 'seqc.model' attribute: 'vocab_size' must be an integer
// RUN: not seqc %t/outside.mlir -o %t/outside.so 2>&1 | FileCheck %s --check-prefix=OUTSIDE
// RUN: not test -e %t/outside.so
// OUTSIDE: error: malformed 'seqc.model' attribute: 'w' (offset 10, 8 elements) lies outside the 16 values of 'weights'
// RUN: not seqc %t/no-step.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=STEP
// STEP: error: a module with 'seqc.model' must define public @forward and @step
// RUN: not seqc %t/signature.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=SIGNATURE
// SIGNATURE: error: a model's @forward must take (tokens: i32[B, L], position: i64[1], weights: f32[16], s: f32[B, 4]) and return the logits f32[B, L, 8] and the same state pieces

// RUN: not seqc %t/qbits.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=QBITS
// QBITS: error: malformed 'seqc.model' attribute: 'w': 'bits' must be 8, 4 or 16 (bf16), got 3
// RUN: not seqc %t/qgroup.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=QGROUP
// QGROUP: error: malformed 'seqc.model' attribute: 'w': a quantized weight must be [N, K] with 'group_size' dividing K (and even for 4 bits)
// RUN: not seqc %t/qoutside.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=QOUTSIDE
// QOUTSIDE: error: malformed 'seqc.model' attribute: 'w' (offset 40, 32 elements) lies outside the 64 values of 'qweights_size'
// RUN: not seqc %t/qoverlap.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=QOVERLAP
// QOVERLAP: error: malformed 'seqc.model' attribute: 'n' and 'w scales' overlap in 'weights'
// RUN: not seqc %t/qstate.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=QSTATE
// QSTATE: error: malformed 'seqc.model' attribute: 's': only weights may be quantized ('bits')
// RUN: not seqc %t/qrotation.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=QROTATION
// QROTATION: error: malformed 'seqc.model' attribute: 'w': 'rotation' must be a power of two dividing the weight's input size
// RUN: not seqc %t/qsignature.mlir --emit=header 2>&1 | FileCheck %s --check-prefix=QSIGNATURE
// QSIGNATURE: error: a model's @forward must take (tokens: i32[B, L], position: i64[1], weights: f32[16], qweights: i8[64]) and return the logits f32[B, L, 8] and the same state pieces

//--- not-dict.mlir
module attributes {seqc.model = 3 : i64} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- no-vocab.mlir
module attributes {seqc.model = {name = "m", architecture = "x", max_context = 4 : i64, weights_size = 16 : i64, state_size = 4 : i64, weights = [], state = [{name = "s", shape = [4], offset = 0 : i64}]}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- outside.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 4 : i64, weights = [{name = "w", shape = [2, 4], offset = 10 : i64}], state = []}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- no-step.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 4 : i64, weights = [], state = [{name = "s", shape = [4], offset = 0 : i64}]}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- signature.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 4 : i64, weights = [], state = [{name = "s", shape = [4], offset = 0 : i64}]}} {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
  func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- qbits.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 0 : i64, qweights_size = 64 : i64, weights = [{name = "w", shape = [4, 8], offset = 0 : i64, bits = 3 : i64, group_size = 8 : i64, scale_offset = 0 : i64}], state = []}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- qrotation.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 0 : i64, qweights_size = 64 : i64, weights = [{name = "w", shape = [4, 8], offset = 0 : i64, bits = 8 : i64, group_size = 8 : i64, scale_offset = 0 : i64, rotation = 6 : i64}], state = []}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- qgroup.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 0 : i64, qweights_size = 64 : i64, weights = [{name = "w", shape = [4, 8], offset = 0 : i64, bits = 4 : i64, group_size = 3 : i64, scale_offset = 0 : i64}], state = []}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- qoutside.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 0 : i64, qweights_size = 64 : i64, weights = [{name = "w", shape = [4, 8], offset = 40 : i64, bits = 8 : i64, group_size = 8 : i64, scale_offset = 0 : i64}], state = []}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- qoverlap.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 0 : i64, qweights_size = 64 : i64, weights = [{name = "n", shape = [4], offset = 0 : i64}, {name = "w", shape = [4, 8], offset = 0 : i64, bits = 8 : i64, group_size = 8 : i64, scale_offset = 2 : i64}], state = []}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- qsignature.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 0 : i64, qweights_size = 64 : i64, weights = [], state = []}} {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
  func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
//--- qstate.mlir
module attributes {seqc.model = {name = "m", architecture = "x", vocab_size = 8 : i64, max_context = 4 : i64, weights_size = 16 : i64, state_size = 32 : i64, qweights_size = 64 : i64, weights = [], state = [{name = "s", shape = [4, 8], offset = 0 : i64, bits = 8 : i64, group_size = 8 : i64, scale_offset = 0 : i64}]}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}
