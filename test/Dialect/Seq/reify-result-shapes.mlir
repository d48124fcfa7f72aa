// RUN: seq-opt %s -resolve-ranked-shaped-type-result-dims | FileCheck %s

// ReifyRankedShapedTypeOpInterface of the seq ops: a tensor.dim of a dynamic
// result dimension resolves to the operand dimension it is defined by (or to
// arithmetic on operand dimensions), static dimensions fold to constants, and
// the then-dead op disappears.

// seq.attention: out [B, H, Lq, Dv] from q dims 0-2 and v dim 3 (not q's D);
// lse [B, H, Lq] from q.
// CHECK-LABEL: func.func @attention_output_dims(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x?x?x64xf32>, %[[K:.*]]: tensor<?x2x?x64xf32>, %[[V:.*]]: tensor<?x2x?x?xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK:         %[[B:.*]] = tensor.dim %[[Q]], %[[C0]] : tensor<?x?x?x64xf32>
// CHECK:         %[[H:.*]] = tensor.dim %[[Q]], %[[C1]] : tensor<?x?x?x64xf32>
// CHECK:         %[[L:.*]] = tensor.dim %[[Q]], %[[C2]] : tensor<?x?x?x64xf32>
// CHECK:         %[[DV:.*]] = tensor.dim %[[V]], %[[C3]] : tensor<?x2x?x?xf32>
// CHECK:         return %[[B]], %[[H]], %[[L]], %[[DV]] : index, index, index, index
func.func @attention_output_dims(%q: tensor<?x?x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x?xf32>) -> (index, index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %o = seq.attention %q, %k, %v {causal, scale = 0.125 : f32} : tensor<?x?x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x?xf32> -> tensor<?x?x?x?xf32>
  %b = tensor.dim %o, %c0 : tensor<?x?x?x?xf32>
  %h = tensor.dim %o, %c1 : tensor<?x?x?x?xf32>
  %l = tensor.dim %o, %c2 : tensor<?x?x?x?xf32>
  %dv = tensor.dim %o, %c3 : tensor<?x?x?x?xf32>
  return %b, %h, %l, %dv : index, index, index, index
}

// A dimension that is dynamic in the result but static in the operand folds
// to that constant; a dimension static in the result type folds too.
// CHECK-LABEL: func.func @attention_static_dims(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x64xf16>, %[[K:.*]]: tensor<?x2x?x64xf16>, %[[V:.*]]: tensor<?x2x?x32xf16>)
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK:         %[[L:.*]] = tensor.dim %[[Q]], %[[C2]] : tensor<?x8x?x64xf16>
// CHECK:         return %[[C8]], %[[C32]], %[[C8]], %[[L]] : index, index, index, index
func.func @attention_static_dims(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>, %v: tensor<?x2x?x32xf16>) -> (index, index, index, index) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %o, %lse = seq.attention %q, %k, %v : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x32xf16> -> tensor<?x?x?x32xf16>, tensor<?x8x?xf32>
  %h = tensor.dim %o, %c1 : tensor<?x?x?x32xf16>
  %dv = tensor.dim %o, %c3 : tensor<?x?x?x32xf16>
  %lh = tensor.dim %lse, %c1 : tensor<?x8x?xf32>
  %ll = tensor.dim %lse, %c2 : tensor<?x8x?xf32>
  return %h, %dv, %lh, %ll : index, index, index, index
}

// CHECK-LABEL: func.func @attention_lse_dims(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x8x?x64xf32>, %[[K:.*]]: tensor<?x8x?x64xf32>, %[[V:.*]]: tensor<?x8x?x64xf32>, %[[LEN:.*]]: tensor<?xi32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK:         %[[B:.*]] = tensor.dim %[[Q]], %[[C0]] : tensor<?x8x?x64xf32>
// CHECK:         %[[L:.*]] = tensor.dim %[[Q]], %[[C2]] : tensor<?x8x?x64xf32>
// CHECK:         return %[[B]], %[[L]] : index, index
func.func @attention_lse_dims(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>, %v: tensor<?x8x?x64xf32>, %len: tensor<?xi32>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %o, %lse = seq.attention %q, %k, %v kv_len(%len : tensor<?xi32>) : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>, tensor<?x?x?xf32>
  %b = tensor.dim %lse, %c0 : tensor<?x?x?xf32>
  %l = tensor.dim %lse, %c2 : tensor<?x?x?xf32>
  return %b, %l : index, index
}

// seq.linear_attention: out [B, H, L, Dv]; final_state [B, H, Dk, Dv].
// CHECK-LABEL: func.func @linear_attention_dims(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x?x?x?xf32>, %[[K:.*]]: tensor<?x?x?x?xf32>, %[[V:.*]]: tensor<?x?x?x?xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK:         %[[O0:.*]] = tensor.dim %[[Q]], %[[C0]]
// CHECK:         %[[O1:.*]] = tensor.dim %[[Q]], %[[C1]]
// CHECK:         %[[O2:.*]] = tensor.dim %[[Q]], %[[C2]]
// CHECK:         %[[O3:.*]] = tensor.dim %[[V]], %[[C3]]
// CHECK:         %[[S0:.*]] = tensor.dim %[[Q]], %[[C0]]
// CHECK:         %[[S1:.*]] = tensor.dim %[[Q]], %[[C1]]
// CHECK:         %[[S2:.*]] = tensor.dim %[[Q]], %[[C3]]
// CHECK:         %[[S3:.*]] = tensor.dim %[[V]], %[[C3]]
// CHECK:         return %[[O0]], %[[O1]], %[[O2]], %[[O3]], %[[S0]], %[[S1]], %[[S2]], %[[S3]] :
func.func @linear_attention_dims(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> (index, index, index, index, index, index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %o, %s = seq.linear_attention %q, %k, %v {scale = 1.0 : f32} : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
  %o0 = tensor.dim %o, %c0 : tensor<?x?x?x?xf32>
  %o1 = tensor.dim %o, %c1 : tensor<?x?x?x?xf32>
  %o2 = tensor.dim %o, %c2 : tensor<?x?x?x?xf32>
  %o3 = tensor.dim %o, %c3 : tensor<?x?x?x?xf32>
  %s0 = tensor.dim %s, %c0 : tensor<?x?x?x?xf32>
  %s1 = tensor.dim %s, %c1 : tensor<?x?x?x?xf32>
  %s2 = tensor.dim %s, %c2 : tensor<?x?x?x?xf32>
  %s3 = tensor.dim %s, %c3 : tensor<?x?x?x?xf32>
  return %o0, %o1, %o2, %o3, %s0, %s1, %s2, %s3 : index, index, index, index, index, index, index, index
}

// With normalize the state has Dv + 1 columns: computed from v when Dv is
// dynamic, folded when it is static.
// CHECK-LABEL: func.func @linear_attention_normalize_dynamic_dv(
// CHECK-SAME:    %[[Q:.*]]: tensor<?x4x?x32xf32>, %[[K:.*]]: tensor<?x4x?x32xf32>, %[[V:.*]]: tensor<?x4x?x?xf32>, %[[F:.*]]: tensor<?x4x?xf32>)
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK:         %[[DV:.*]] = tensor.dim %[[V]], %[[C3]] : tensor<?x4x?x?xf32>
// CHECK:         %[[DV1:.*]] = arith.addi %[[DV]], %[[C1]] : index
// CHECK:         return %[[DV1]] : index
func.func @linear_attention_normalize_dynamic_dv(%q: tensor<?x4x?x32xf32>, %k: tensor<?x4x?x32xf32>, %v: tensor<?x4x?x?xf32>, %f: tensor<?x4x?xf32>) -> index {
  %c3 = arith.constant 3 : index
  %o, %s = seq.linear_attention %q, %k, %v decay(%f : tensor<?x4x?xf32>) {normalize} : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x?xf32> -> tensor<?x4x?x?xf32>, tensor<?x4x32x?xf32>
  %dv1 = tensor.dim %s, %c3 : tensor<?x4x32x?xf32>
  return %dv1 : index
}

// CHECK-LABEL: func.func @linear_attention_normalize_static_dv(
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG:     %[[C65:.*]] = arith.constant 65 : index
// CHECK-NOT:     tensor.dim
// CHECK:         return %[[C32]], %[[C65]] : index, index
func.func @linear_attention_normalize_static_dv(%q: tensor<?x4x?x32xf32>, %k: tensor<?x4x?x32xf32>, %v: tensor<?x4x?x64xf32>) -> (index, index) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %o, %s = seq.linear_attention %q, %k, %v {normalize} : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x64xf32> -> tensor<?x4x?x64xf32>, tensor<?x?x?x?xf32>
  %dk = tensor.dim %s, %c2 : tensor<?x?x?x?xf32>
  %dv1 = tensor.dim %s, %c3 : tensor<?x?x?x?xf32>
  return %dk, %dv1 : index, index
}

// seq.selective_scan: y [B, L, Dm] from u; last_state [B, Dm, N] from u and A.
// CHECK-LABEL: func.func @selective_scan_dims(
// CHECK-SAME:    %[[U:.*]]: tensor<?x?x?xf32>, %[[DT:.*]]: tensor<?x?x?xf32>, %[[A:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?x?x1x?xf32>, %[[C:.*]]: tensor<?x?x1x?xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK:         %[[Y0:.*]] = tensor.dim %[[U]], %[[C0]] : tensor<?x?x?xf32>
// CHECK:         %[[Y1:.*]] = tensor.dim %[[U]], %[[C1]] : tensor<?x?x?xf32>
// CHECK:         %[[Y2:.*]] = tensor.dim %[[U]], %[[C2]] : tensor<?x?x?xf32>
// CHECK:         %[[H0:.*]] = tensor.dim %[[U]], %[[C0]] : tensor<?x?x?xf32>
// CHECK:         %[[H1:.*]] = tensor.dim %[[U]], %[[C2]] : tensor<?x?x?xf32>
// CHECK:         %[[H2:.*]] = tensor.dim %[[A]], %[[C1]] : tensor<?x?xf32>
// CHECK:         return %[[Y0]], %[[Y1]], %[[Y2]], %[[H0]], %[[H1]], %[[H2]] :
func.func @selective_scan_dims(%u: tensor<?x?x?xf32>, %dt: tensor<?x?x?xf32>, %A: tensor<?x?xf32>, %B: tensor<?x?x1x?xf32>, %C: tensor<?x?x1x?xf32>) -> (index, index, index, index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C {delta_softplus} : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x1x?xf32>, tensor<?x?x1x?xf32> -> tensor<?x?x?xf32>, tensor<?x?x?xf32>
  %y0 = tensor.dim %y, %c0 : tensor<?x?x?xf32>
  %y1 = tensor.dim %y, %c1 : tensor<?x?x?xf32>
  %y2 = tensor.dim %y, %c2 : tensor<?x?x?xf32>
  %h0 = tensor.dim %h, %c0 : tensor<?x?x?xf32>
  %h1 = tensor.dim %h, %c1 : tensor<?x?x?xf32>
  %h2 = tensor.dim %h, %c2 : tensor<?x?x?xf32>
  return %y0, %y1, %y2, %h0, %h1, %h2 : index, index, index, index, index, index
}

// CHECK-LABEL: func.func @selective_scan_static_state(
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK-NOT:     tensor.dim
// CHECK:         return %[[C64]], %[[C16]] : index, index
func.func @selective_scan_static_state(%u: tensor<?x?x64xf32>, %dt: tensor<?x?x64xf32>, %A: tensor<64x16xf32>, %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>) -> (index, index) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32> -> tensor<?x?x64xf32>, tensor<?x?x?xf32>
  %h1 = tensor.dim %h, %c1 : tensor<?x?x?xf32>
  %h2 = tensor.dim %h, %c2 : tensor<?x?x?xf32>
  return %h1, %h2 : index, index
}

// seq.scan: each result has the shape of its own input.
// CHECK-LABEL: func.func @scan_dims(
// CHECK-SAME:    %[[A:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?x?xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[A0:.*]] = tensor.dim %[[A]], %[[C0]] : tensor<?x?xf32>
// CHECK:         %[[B0:.*]] = tensor.dim %[[B]], %[[C0]] : tensor<?x?xf32>
// CHECK:         %[[B1:.*]] = tensor.dim %[[B]], %[[C1]] : tensor<?x?xf32>
// CHECK:         return %[[A0]], %[[B0]], %[[B1]] : index, index, index
func.func @scan_dims(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %ra, %rb = seq.scan dim = 1 ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a1, %a0 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    seq.yield %a2, %b2 : f32, f32
  }
  %a_0 = tensor.dim %ra, %c0 : tensor<?x?xf32>
  %b_0 = tensor.dim %rb, %c0 : tensor<?x?xf32>
  %b_1 = tensor.dim %rb, %c1 : tensor<?x?xf32>
  return %a_0, %b_0, %b_1 : index, index, index
}

// seq.recurrence (region form): final states from init, step outputs' batch
// and length from the first input.
// CHECK-LABEL: func.func @recurrence_region_dims(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x16xf32>, %[[M:.*]]: tensor<?x?xf32>, %[[H0:.*]]: tensor<?x?xf32>, %[[W:.*]]: tensor<16x32xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[HB:.*]] = tensor.dim %[[H0]], %[[C0]] : tensor<?x?xf32>
// CHECK:         %[[HD:.*]] = tensor.dim %[[H0]], %[[C1]] : tensor<?x?xf32>
// CHECK:         %[[YB:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x?x16xf32>
// CHECK:         %[[YL:.*]] = tensor.dim %[[X]], %[[C1]] : tensor<?x?x16xf32>
// CHECK:         return %[[HB]], %[[HD]], %[[YB]], %[[YL]] : index, index, index, index
func.func @recurrence_region_dims(%x: tensor<?x?x16xf32>, %m: tensor<?x?xf32>, %h0: tensor<?x?xf32>, %w: tensor<16x32xf32>) -> (index, index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h, %y = seq.recurrence ins(%x, %m : tensor<?x?x16xf32>, tensor<?x?xf32>) init(%h0 : tensor<?x?xf32>) -> tensor<?x?xf32>, tensor<?x?x32xf32> {
  ^bb0(%hp: tensor<?x?xf32>, %xt: tensor<?x16xf32>, %mt: tensor<?xf32>):
    %e = tensor.empty() : tensor<4x32xf32>
    %c = tensor.cast %e : tensor<4x32xf32> to tensor<?x32xf32>
    seq.yield %hp, %c : tensor<?x?xf32>, tensor<?x32xf32>
  }
  %h_0 = tensor.dim %h, %c0 : tensor<?x?xf32>
  %h_1 = tensor.dim %h, %c1 : tensor<?x?xf32>
  %y_0 = tensor.dim %y, %c0 : tensor<?x?x32xf32>
  %y_1 = tensor.dim %y, %c1 : tensor<?x?x32xf32>
  return %h_0, %h_1, %y_0, %y_1 : index, index, index, index
}

// seq.recurrence (named cell): Hs = NH * Dh from w_rec when dynamic, batch and
// length from x.
// CHECK-LABEL: func.func @recurrence_named_dynamic_hidden(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x64xf32>, %[[WI:.*]]: tensor<?x64xf32>, %[[WR:.*]]: tensor<4x?x?x?xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK:         %[[HB:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x?x64xf32>
// CHECK:         %[[NH:.*]] = tensor.dim %[[WR]], %[[C1]] : tensor<4x?x?x?xf32>
// CHECK:         %[[DH:.*]] = tensor.dim %[[WR]], %[[C2]] : tensor<4x?x?x?xf32>
// CHECK:         %[[HS:.*]] = arith.muli %[[NH]], %[[DH]] : index
// CHECK:         %[[YB:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x?x64xf32>
// CHECK:         %[[YL:.*]] = tensor.dim %[[X]], %[[C1]] : tensor<?x?x64xf32>
// CHECK:         %[[NH2:.*]] = tensor.dim %[[WR]], %[[C1]] : tensor<4x?x?x?xf32>
// CHECK:         %[[DH2:.*]] = tensor.dim %[[WR]], %[[C2]] : tensor<4x?x?x?xf32>
// CHECK:         %[[YHS:.*]] = arith.muli %[[NH2]], %[[DH2]] : index
// CHECK:         return %[[HB]], %[[HS]], %[[YB]], %[[YL]], %[[YHS]] : index, index, index, index, index
func.func @recurrence_named_dynamic_hidden(%x: tensor<?x?x64xf32>, %wi: tensor<?x64xf32>, %wr: tensor<4x?x?x?xf32>) -> (index, index, index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x64xf32>) w_in(%wi : tensor<?x64xf32>) w_rec(%wr : tensor<4x?x?x?xf32>) -> tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>
  %h_0 = tensor.dim %h, %c0 : tensor<?x?xf32>
  %c_1 = tensor.dim %c, %c1 : tensor<?x?xf32>
  %y_0 = tensor.dim %y, %c0 : tensor<?x?x?xf32>
  %y_1 = tensor.dim %y, %c1 : tensor<?x?x?xf32>
  %y_2 = tensor.dim %y, %c2 : tensor<?x?x?xf32>
  return %h_0, %c_1, %y_0, %y_1, %y_2 : index, index, index, index, index
}

// CHECK-LABEL: func.func @recurrence_named_static_hidden(
// CHECK:         %[[C32:.*]] = arith.constant 32 : index
// CHECK-NOT:     tensor.dim
// CHECK:         return %[[C32]], %[[C32]] : index, index
func.func @recurrence_named_static_hidden(%x: tensor<?x?x16xf32>, %wi: tensor<96x16xf32>, %wr: tensor<3x2x16x16xf32>) -> (index, index) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %h, %y = seq.recurrence cell = gru ins(%x : tensor<?x?x16xf32>) w_in(%wi : tensor<96x16xf32>) w_rec(%wr : tensor<3x2x16x16xf32>) -> tensor<?x?xf32>, tensor<?x?x?xf32>
  %h_1 = tensor.dim %h, %c1 : tensor<?x?xf32>
  %y_2 = tensor.dim %y, %c2 : tensor<?x?x?xf32>
  return %h_1, %y_2 : index, index
}

// seq.conv1d: y [B, L, Cout] with Cout from the weight; final_state
// [B, (K - 1) * dilation, Cin].
// CHECK-LABEL: func.func @conv1d_dims(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x?xf32>, %[[W:.*]]: tensor<?x1x4xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C6:.*]] = arith.constant 6 : index
// CHECK:         %[[Y0:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x?x?xf32>
// CHECK:         %[[Y1:.*]] = tensor.dim %[[X]], %[[C1]] : tensor<?x?x?xf32>
// CHECK:         %[[Y2:.*]] = tensor.dim %[[W]], %[[C0]] : tensor<?x1x4xf32>
// CHECK:         %[[S0:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x?x?xf32>
// CHECK:         %[[S2:.*]] = tensor.dim %[[X]], %[[C2]] : tensor<?x?x?xf32>
// CHECK:         return %[[Y0]], %[[Y1]], %[[Y2]], %[[S0]], %[[C6]], %[[S2]] :
func.func @conv1d_dims(%x: tensor<?x?x?xf32>, %w: tensor<?x1x4xf32>) -> (index, index, index, index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %y, %s = seq.conv1d %x, %w activation silu {dilation = 2 : i64} : tensor<?x?x?xf32>, tensor<?x1x4xf32> -> tensor<?x?x?xf32>, tensor<?x?x?xf32>
  %y0 = tensor.dim %y, %c0 : tensor<?x?x?xf32>
  %y1 = tensor.dim %y, %c1 : tensor<?x?x?xf32>
  %y2 = tensor.dim %y, %c2 : tensor<?x?x?xf32>
  %s0 = tensor.dim %s, %c0 : tensor<?x?x?xf32>
  %s1 = tensor.dim %s, %c1 : tensor<?x?x?xf32>
  %s2 = tensor.dim %s, %c2 : tensor<?x?x?xf32>
  return %y0, %y1, %y2, %s0, %s1, %s2 : index, index, index, index, index, index
}

// CHECK-LABEL: func.func @conv1d_dynamic_kernel(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x8xf32>, %[[W:.*]]: tensor<8x1x?xf32>, %[[S0:.*]]: tensor<?x?x8xf32>)
// CHECK-DAG:     %[[CM3:.*]] = arith.constant -3 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK:         %[[K:.*]] = tensor.dim %[[W]], %[[C2]] : tensor<8x1x?xf32>
// CHECK:         %[[KD:.*]] = arith.muli %[[K]], %[[C3]] : index
// CHECK:         %[[LEN:.*]] = arith.addi %[[KD]], %[[CM3]] : index
// CHECK:         return %[[LEN]] : index
func.func @conv1d_dynamic_kernel(%x: tensor<?x?x8xf32>, %w: tensor<8x1x?xf32>, %s0: tensor<?x?x8xf32>) -> index {
  %c1 = arith.constant 1 : index
  %y, %s = seq.conv1d %x, %w state(%s0 : tensor<?x?x8xf32>) {dilation = 3 : i64} : tensor<?x?x8xf32>, tensor<8x1x?xf32> -> tensor<?x?x8xf32>, tensor<?x?x8xf32>
  %len = tensor.dim %s, %c1 : tensor<?x?x8xf32>
  return %len : index
}

// CHECK-LABEL: func.func @conv1d_dynamic_kernel_no_dilation(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?x8xf32>, %[[W:.*]]: tensor<8x1x?xf32>)
// CHECK-DAG:     %[[CM1:.*]] = arith.constant -1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK:         %[[K:.*]] = tensor.dim %[[W]], %[[C2]] : tensor<8x1x?xf32>
// CHECK:         %[[LEN:.*]] = arith.addi %[[K]], %[[CM1]] : index
// CHECK:         return %[[LEN]] : index
func.func @conv1d_dynamic_kernel_no_dilation(%x: tensor<?x?x8xf32>, %w: tensor<8x1x?xf32>) -> index {
  %c1 = arith.constant 1 : index
  %y, %s = seq.conv1d %x, %w : tensor<?x?x8xf32>, tensor<8x1x?xf32> -> tensor<?x?x8xf32>, tensor<?x?x8xf32>
  %len = tensor.dim %s, %c1 : tensor<?x?x8xf32>
  return %len : index
}

// A step output whose feature size exists only inside the cell cannot be
// reified; the op's dims are left alone and the pass still succeeds.
// CHECK-LABEL: func.func @negative_recurrence_unreifiable_output
// CHECK: %[[R:.*]]:2 = seq.recurrence
// CHECK: tensor.dim %[[R]]#0
func.func @negative_recurrence_unreifiable_output(%x: tensor<?x?x16xf32>, %h0: tensor<?x16xf32>) -> index {
  %c0 = arith.constant 0 : index
  %h, %y = seq.recurrence ins(%x : tensor<?x?x16xf32>) init(%h0 : tensor<?x16xf32>) -> tensor<?x16xf32>, tensor<?x?x?xf32> {
  ^bb0(%hp: tensor<?x16xf32>, %xt: tensor<?x16xf32>):
    %c = tensor.cast %hp : tensor<?x16xf32> to tensor<?x?xf32>
    seq.yield %hp, %c : tensor<?x16xf32>, tensor<?x?xf32>
  }
  %d = tensor.dim %h, %c0 : tensor<?x16xf32>
  return %d : index
}
