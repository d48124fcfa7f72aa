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
