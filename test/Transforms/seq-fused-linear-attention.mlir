// RUN: seq-opt %s -seq-fused-linear-attention="lanes=8 column-vectors=2 emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: not seq-opt %s -seq-fused-linear-attention=lanes=2 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT
// RUN: not seq-opt %s -seq-fused-linear-attention=column-vectors=0 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADCOLUMNS -DGOT=0
// RUN: not seq-opt %s -seq-fused-linear-attention=column-vectors=-1 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADCOLUMNS -DGOT=-1
// RUN: not seq-opt %s -seq-fused-linear-attention=column-vectors=9223372036854775807 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADCOLUMNS -DGOT=9223372036854775807
// BADCOLUMNS: seq-fused-linear-attention: column-vectors must be 1 to 16 (got [[GOT]])

// GLA: exp(decay) once, vectorized; then one parallel loop over (batch,
// head, 16 value columns) tasks whose state slice is updated in place,
// one pass over its rows per step.
// CHECK-LABEL: func.func @gla
// CHECK: %[[F:.*]] = memref.alloc({{.*}}) : memref<?x?x?x32xf32>
// CHECK: scf.parallel
// CHECK: math.exp {{.*}} : vector<8xf32>
// CHECK: %[[S:.*]] = memref.alloc({{.*}}) : memref<?x4x32x64xf32>
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>)
// CHECK: memref.load %[[F]]
// CHECK: vector.fma
// CHECK: vector.store {{.*}}, %[[S]]
// CHECK-NOT: seq.linear_attention
// BADOPT: seq-fused-linear-attention: lanes must be 4, 8 or 16 (got 2)
func.func @gla(%q: tensor<?x4x?x32xf32>, %k: tensor<?x4x?x32xf32>,
               %v: tensor<?x4x?x64xf32>, %g: tensor<?x4x?x32xf32>)
    -> (tensor<?x4x?x64xf32>, tensor<?x4x32x64xf32>) {
  %o, %s = seq.linear_attention %q, %k, %v decay(%g : tensor<?x4x?x32xf32>)
      : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x64xf32>
      -> tensor<?x4x?x64xf32>, tensor<?x4x32x64xf32>
  return %o, %s : tensor<?x4x?x64xf32>, tensor<?x4x32x64xf32>
}

// -----

// The delta rule: two passes per step (the prediction k S, then the
// update and the output).
// CHECK-LABEL: func.func @delta
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (vector<8xf32>)
// CHECK: arith.subf {{.*}} : vector<8xf32>
// CHECK: scf.for {{.*}} -> (vector<8xf32>)
func.func @delta(%q: tensor<2x1x5x4xf32>, %v: tensor<2x1x5x8xf32>,
                 %g: tensor<2x1x5xf32>, %b: tensor<2x1x5xf32>)
    -> (tensor<2x1x5x8xf32>, tensor<2x1x4x8xf32>) {
  %o, %s = seq.linear_attention %q, %q, %v decay(%g : tensor<2x1x5xf32>)
      beta(%b : tensor<2x1x5xf32>)
      : tensor<2x1x5x4xf32>, tensor<2x1x5x4xf32>, tensor<2x1x5x8xf32>
      -> tensor<2x1x5x8xf32>, tensor<2x1x4x8xf32>
  return %o, %s : tensor<2x1x5x8xf32>, tensor<2x1x4x8xf32>
}

// -----

// A value head size of 6: v padded with zero columns to 8, the output and
// the state sliced back to 6.
// CHECK-LABEL: func.func @padded_values
// CHECK: } : tensor<1x1x5x1x6xf32> to tensor<1x1x5x1x8xf32>
// CHECK-NOT: seq.linear_attention
// CHECK: tensor.extract_slice {{.*}} : tensor<1x1x5x1x8xf32> to tensor<1x1x5x1x6xf32>
// CHECK: tensor.extract_slice {{.*}} : tensor<1x1x4x1x8xf32> to tensor<1x1x4x1x6xf32>
func.func @padded_values(%q: tensor<1x1x5x4xf32>, %v: tensor<1x1x5x6xf32>)
    -> (tensor<1x1x5x6xf32>, tensor<1x1x4x6xf32>) {
  %o, %s = seq.linear_attention %q, %q, %v
      : tensor<1x1x5x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x6xf32>
      -> tensor<1x1x5x6xf32>, tensor<1x1x4x6xf32>
  return %o, %s : tensor<1x1x5x6xf32>, tensor<1x1x4x6xf32>
}

// -----

// mLSTM (lanes = 8, Dv = 16: one task of two column vectors; Dk = 12: one
// vector of key channels and a scalar tail of 4). The task's normalizer,
// from the initial state's last column, is a [Dk] buffer: per step,
// n = exp(decay) n + k and q . n, on vectors (a loop over them) then the
// tail; the output divided by max(|scale q . n|, 1); the first task of a
// head stores n into the final state's column Dv.
// CHECK-LABEL: func.func @mlstm
// CHECK: %[[N:.*]] = memref.alloc() : memref<12xf32>
// CHECK: %[[INIT:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %c16{{.*}}] : memref<1x2x12x17xf32
// CHECK: memref.store %[[INIT]], %[[N]]
// CHECK: scf.for
// CHECK: scf.for %[[C:.*]] = %c0{{.*}} to %c8{{.*}} step %c8{{.*}} iter_args
// CHECK: vector.load %[[N]][%[[C]]] : memref<12xf32>, vector<8xf32>
// CHECK: vector.fma
// CHECK: vector.reduction <add>
// CHECK-COUNT-4: math.fma {{.*}} : f32
// CHECK: math.absf {{.*}} : f32
// CHECK: arith.maximumf {{.*}} : f32
// CHECK: arith.divf {{.*}} : vector<8xf32>
// CHECK: arith.divf {{.*}} : vector<8xf32>
// CHECK: scf.if
// CHECK: memref.store {{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %c16{{.*}}] : memref<1x2x12x17xf32>
func.func @mlstm(%q: tensor<1x2x5x12xf32>, %v: tensor<1x2x5x16xf32>,
                 %g: tensor<1x2x5xf32>, %s0: tensor<1x2x12x17xf32>)
    -> (tensor<1x2x5x16xf32>, tensor<1x2x12x17xf32>) {
  %o, %s = seq.linear_attention %q, %q, %v decay(%g : tensor<1x2x5xf32>)
      initial_state(%s0 : tensor<1x2x12x17xf32>) {normalize}
      : tensor<1x2x5x12xf32>, tensor<1x2x5x12xf32>, tensor<1x2x5x16xf32>
      -> tensor<1x2x5x16xf32>, tensor<1x2x12x17xf32>
  return %o, %s : tensor<1x2x5x16xf32>, tensor<1x2x12x17xf32>
}

// -----

// mLSTM whose value head size (6) is not whole vectors: padding v would
// move the state's normalizer column.
// CHECK-LABEL: func.func @left_alone
// CHECK: seq.linear_attention
func.func @left_alone(%q: tensor<1x1x5x4xf32>, %v6: tensor<1x1x5x6xf32>,
                      %g: tensor<1x1x5xf32>) -> tensor<1x1x5x6xf32> {
  // expected-remark @below {{left for the reference lowering: the mLSTM normalizer with a value head size that is not a multiple of the vector width}}
  %p, %t = seq.linear_attention %q, %q, %v6 decay(%g : tensor<1x1x5xf32>)
      {normalize}
      : tensor<1x1x5x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x6xf32>
      -> tensor<1x1x5x6xf32>, tensor<1x1x4x7xf32>
  return %p : tensor<1x1x5x6xf32>
}

// -----

// A value head padded to the vector width retypes the results from the
// static value size, which a dynamic result size does not give: such ops
// stay with the reference lowering (they built sizes from kDynamic).
// CHECK-LABEL: func.func @padded_dynamic_result
// CHECK: seq.linear_attention
func.func @padded_dynamic_result(%q: tensor<1x1x4x8xf32>, %v: tensor<1x1x4x6xf32>) -> (tensor<1x1x4x?xf32>, tensor<1x1x8x?xf32>) {
  // expected-remark @+1 {{left for the reference lowering: a dynamic value size in a result or the initial state, with the value head padded to the vector width}}
  %o, %s = seq.linear_attention %q, %q, %v : tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x6xf32> -> tensor<1x1x4x?xf32>, tensor<1x1x8x?xf32>
  return %o, %s : tensor<1x1x4x?xf32>, tensor<1x1x8x?xf32>
}
