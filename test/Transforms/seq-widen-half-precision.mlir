// RUN: seq-opt %s -seq-widen-half-precision -split-input-file | FileCheck %s

// bf16 attention: q, k and v (one tensor) widened once, the output rounded
// back once; the f32 lse stays as it is.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x8x16xbf16>, %[[B:.*]]: tensor<1x1x8x8xbf16>)
// CHECK: %[[WQ:.*]] = arith.extf %[[Q]] : tensor<1x2x8x16xbf16> to tensor<1x2x8x16xf32>
// CHECK: %[[WB:.*]] = arith.extf %[[B]] : tensor<1x1x8x8xbf16> to tensor<1x1x8x8xf32>
// CHECK-NOT: arith.extf
// CHECK: %[[O:.*]], %[[L:.*]] = seq.attention %[[WQ]], %[[WQ]], %[[WQ]] bias(%[[WB]] : tensor<1x1x8x8xf32>) {causal, softcap = 3.000000e+01 : f32} : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
// CHECK: %[[T:.*]] = arith.truncf %[[O]] : tensor<1x2x8x16xf32> to tensor<1x2x8x16xbf16>
// CHECK: return %[[T]], %[[L]]
func.func @attention(%q: tensor<1x2x8x16xbf16>, %b: tensor<1x1x8x8xbf16>)
    -> (tensor<1x2x8x16xbf16>, tensor<1x2x8xf32>) {
  %o, %l = seq.attention %q, %q, %q bias(%b : tensor<1x1x8x8xbf16>)
      {causal, softcap = 30.0 : f32}
      : tensor<1x2x8x16xbf16>, tensor<1x2x8x16xbf16>, tensor<1x2x8x16xbf16>
      -> tensor<1x2x8x16xbf16>, tensor<1x2x8xf32>
  return %o, %l : tensor<1x2x8x16xbf16>, tensor<1x2x8xf32>
}

// -----

// f16 selective scan, dynamic sizes: every operand and both results.
// CHECK-LABEL: func.func @selective_scan
// CHECK-COUNT-5: arith.extf
// CHECK-NOT: arith.extf
// CHECK: seq.selective_scan {{.*}} : tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32> -> tensor<?x?x8xf32>, tensor<?x8x16xf32>
// CHECK: arith.truncf {{.*}} : tensor<?x?x8xf32> to tensor<?x?x8xf16>
// CHECK: arith.truncf {{.*}} : tensor<?x8x16xf32> to tensor<?x8x16xf16>
func.func @selective_scan(%u: tensor<?x?x8xf16>, %dt: tensor<?x?x8xf16>,
                          %a: tensor<8x16xf16>, %bc: tensor<?x?x1x16xf16>,
                          %d: tensor<8xf16>)
    -> (tensor<?x?x8xf16>, tensor<?x8x16xf16>) {
  %y, %h = seq.selective_scan %u, %dt, %a, %bc, %bc D(%d : tensor<8xf16>)
      {delta_softplus}
      : tensor<?x?x8xf16>, tensor<?x?x8xf16>, tensor<8x16xf16>,
        tensor<?x?x1x16xf16>, tensor<?x?x1x16xf16>
      -> tensor<?x?x8xf16>, tensor<?x8x16xf16>
  return %y, %h : tensor<?x?x8xf16>, tensor<?x8x16xf16>
}

// -----

// A conv1d, linear attention and a named-cell recurrence in bf16.
// CHECK-LABEL: func.func @others
// CHECK: seq.conv1d {{.*}} : tensor<?x?x6xf32>, tensor<6x1x3xf32> -> tensor<?x?x6xf32>
// CHECK-NEXT: arith.truncf
// CHECK: seq.linear_attention {{.*}} -> tensor<2x4x16x32xf32>, tensor<2x4x32x32xf32>
// CHECK-COUNT-2: arith.truncf
// CHECK: seq.recurrence cell = lstm {{.*}} -> tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x?x128xf32>
// CHECK-COUNT-3: arith.truncf
func.func @others(%x: tensor<?x?x6xbf16>, %w: tensor<6x1x3xbf16>,
                  %q: tensor<2x4x16x32xbf16>, %beta: tensor<2x4x16xbf16>,
                  %r: tensor<?x?x64xbf16>, %wi: tensor<512x64xbf16>,
                  %wr: tensor<4x4x32x32xbf16>)
    -> (tensor<?x?x6xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>,
        tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?x?x128xbf16>) {
  %y = seq.conv1d %x, %w activation silu
      : tensor<?x?x6xbf16>, tensor<6x1x3xbf16> -> tensor<?x?x6xbf16>
  %o, %s = seq.linear_attention %q, %q, %q beta(%beta : tensor<2x4x16xbf16>)
      : tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x16x32xbf16>
      -> tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>
  %h, %c, %ys = seq.recurrence cell = lstm ins(%r : tensor<?x?x64xbf16>)
      w_in(%wi : tensor<512x64xbf16>) w_rec(%wr : tensor<4x4x32x32xbf16>)
      -> tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?x?x128xbf16>
  return %y, %o, %s, %h, %c, %ys
      : tensor<?x?x6xbf16>, tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>,
        tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?x?x128xbf16>
}

// -----

// Left alone: f32 ops, and a scan (its combiner region has the type too).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: arith.extf
// CHECK: seq.attention {{.*}} -> tensor<1x2x8x16xf32>
// CHECK: seq.scan dim = 1 ins(%{{.*}} : tensor<4x16xbf16>) -> tensor<4x16xbf16>
// CHECK-NOT: arith.truncf
func.func @left_alone(%q: tensor<1x2x8x16xf32>, %x: tensor<4x16xbf16>)
    -> (tensor<1x2x8x16xf32>, tensor<4x16xbf16>) {
  %o = seq.attention %q, %q, %q
      : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>
      -> tensor<1x2x8x16xf32>
  %r = seq.scan dim = 1 ins(%x : tensor<4x16xbf16>) -> tensor<4x16xbf16> {
  ^bb0(%acc: bf16, %e: bf16):
    %s = arith.addf %acc, %e : bf16
    seq.yield %s : bf16
  }
  return %o, %r : tensor<1x2x8x16xf32>, tensor<4x16xbf16>
}
