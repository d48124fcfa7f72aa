// RUN: seq-opt %s -pass-pipeline='builtin.module(func.func(convert-elementwise-to-linalg,linalg-fuse-elementwise-ops),seq-fold-elementwise,canonicalize)' -split-input-file | FileCheck %s

// Mamba's block as a user writes it with tensor ops: the delta bias and
// softplus before the scan and the silu gate after it become the scan's
// own operands and attribute; no generic is left.
// CHECK-LABEL: func.func @mamba_block
// CHECK-SAME: (%[[U:[^:]*]]: {{.*}}, %[[DT:[^:]*]]: {{.*}}, %[[BIAS:[^:]*]]: {{.*}}, %[[Z:[^:]*]]: {{.*}}, %[[A:[^:]*]]: {{.*}}, %[[B:[^:]*]]: {{.*}}, %[[C:[^:]*]]: {{.*}})
// CHECK-NOT: linalg.generic
// CHECK: %[[Y:.*]], %{{.*}} = seq.selective_scan %[[U]], %[[DT]], %[[A]], %[[B]], %[[C]] z(%[[Z]] : {{.*}}) delta_bias(%[[BIAS]] : tensor<16xf32>) {delta_softplus}
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @mamba_block(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>,
                       %bias: tensor<16xf32>, %z: tensor<2x8x16xf32>,
                       %A: tensor<16x4xf32>, %B: tensor<2x8x1x4xf32>,
                       %C: tensor<2x8x1x4xf32>) -> tensor<2x8x16xf32> {
  %e = tensor.empty() : tensor<2x8x16xf32>
  %bb = linalg.broadcast ins(%bias : tensor<16xf32>)
      outs(%e : tensor<2x8x16xf32>) dimensions = [0, 1]
  %s = arith.addf %dt, %bb : tensor<2x8x16xf32>
  %x = math.exp %s : tensor<2x8x16xf32>
  %d = math.log1p %x : tensor<2x8x16xf32>
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C
      : tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<16x4xf32>,
        tensor<2x8x1x4xf32>, tensor<2x8x1x4xf32>
      -> tensor<2x8x16xf32>, tensor<2x16x4xf32>
  %one = arith.constant dense<1.0> : tensor<2x8x16xf32>
  %nz = arith.negf %z : tensor<2x8x16xf32>
  %ez = math.exp %nz : tensor<2x8x16xf32>
  %den = arith.addf %one, %ez : tensor<2x8x16xf32>
  %g = arith.divf %z, %den : tensor<2x8x16xf32>
  %out = arith.mulf %y, %g : tensor<2x8x16xf32>
  return %out : tensor<2x8x16xf32>
}

// -----

// PyTorch's thresholded softplus without a bias; silu as x * sigmoid(x).
// CHECK-LABEL: func.func @torch_softplus
// CHECK-NOT: linalg.generic
// CHECK: seq.selective_scan %{{.*}} z(%{{.*}}) {delta_softplus}
// CHECK-NOT: linalg.generic
func.func @torch_softplus(%u: tensor<1x4x8xf32>, %dt: tensor<1x4x8xf32>,
                          %z: tensor<1x4x8xf32>, %A: tensor<8x2xf32>,
                          %B: tensor<1x4x1x2xf32>, %C: tensor<1x4x1x2xf32>)
    -> tensor<1x4x8xf32> {
  %t = arith.constant dense<20.0> : tensor<1x4x8xf32>
  %one = arith.constant dense<1.0> : tensor<1x4x8xf32>
  %c = arith.cmpf ogt, %dt, %t : tensor<1x4x8xf32>
  %e = math.exp %dt : tensor<1x4x8xf32>
  %l = math.log1p %e : tensor<1x4x8xf32>
  %d = arith.select %c, %dt, %l : tensor<1x4x8xi1>, tensor<1x4x8xf32>
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C
      : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x2xf32>,
        tensor<1x4x1x2xf32>, tensor<1x4x1x2xf32>
      -> tensor<1x4x8xf32>, tensor<1x8x2xf32>
  %nz = arith.negf %z : tensor<1x4x8xf32>
  %ez = math.exp %nz : tensor<1x4x8xf32>
  %den = arith.addf %one, %ez : tensor<1x4x8xf32>
  %sg = arith.divf %one, %den : tensor<1x4x8xf32>
  %g = arith.mulf %z, %sg : tensor<1x4x8xf32>
  %out = arith.mulf %g, %y : tensor<1x4x8xf32>
  return %out : tensor<1x4x8xf32>
}

// -----

// The overflow-free softplus, max(x, 0) + log1p(exp(-|x|)), and a bias
// read through a rank-1 map: both fold.
// CHECK-LABEL: func.func @stable_softplus
// CHECK-NOT: linalg.generic
// CHECK: seq.selective_scan {{.*}} delta_bias(%{{.*}} : tensor<8xf32>) {delta_softplus}
func.func @stable_softplus(%u: tensor<1x4x8xf32>, %dt: tensor<1x4x8xf32>,
                           %bias: tensor<8xf32>, %A: tensor<8x2xf32>,
                           %B: tensor<1x4x1x2xf32>, %C: tensor<1x4x1x2xf32>)
    -> tensor<1x4x8xf32> {
  %e = tensor.empty() : tensor<1x4x8xf32>
  %d = linalg.generic {
      indexing_maps = [affine_map<(b, t, c) -> (b, t, c)>,
                       affine_map<(b, t, c) -> (c)>,
                       affine_map<(b, t, c) -> (b, t, c)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%dt, %bias : tensor<1x4x8xf32>, tensor<8xf32>)
      outs(%e : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %zero = arith.constant 0.0 : f32
    %s = arith.addf %b, %a : f32
    %m = arith.maximumf %s, %zero : f32
    %abs = math.absf %s : f32
    %neg = arith.negf %abs : f32
    %ex = math.exp %neg : f32
    %lp = math.log1p %ex : f32
    %r = arith.addf %m, %lp : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C
      : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x2xf32>,
        tensor<1x4x1x2xf32>, tensor<1x4x1x2xf32>
      -> tensor<1x4x8xf32>, tensor<1x8x2xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// Not folded: softplus(x) when the scan already adds a bias (softplus(x) +
// b is not softplus(x + b)).
// CHECK-LABEL: func.func @softplus_after_bias
// CHECK: %[[D:.*]] = linalg.generic
// CHECK: seq.selective_scan %{{.*}}, %[[D]], {{.*}} delta_bias(%{{.*}} : tensor<8xf32>) :
func.func @softplus_after_bias(%u: tensor<1x4x8xf32>, %dt: tensor<1x4x8xf32>,
                               %bias: tensor<8xf32>, %A: tensor<8x2xf32>,
                               %B: tensor<1x4x1x2xf32>, %C: tensor<1x4x1x2xf32>)
    -> tensor<1x4x8xf32> {
  %e = math.exp %dt : tensor<1x4x8xf32>
  %d = math.log1p %e : tensor<1x4x8xf32>
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C delta_bias(%bias : tensor<8xf32>)
      : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x2xf32>,
        tensor<1x4x1x2xf32>, tensor<1x4x1x2xf32>
      -> tensor<1x4x8xf32>, tensor<1x8x2xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// Not folded: a delta that is also returned (the tensor stays, so folding
// would compute softplus twice).
// CHECK-LABEL: func.func @delta_returned
// CHECK: %[[D:.*]] = linalg.generic
// CHECK: seq.selective_scan %{{.*}}, %[[D]], {{.*}} : tensor
// CHECK: return {{.*}}, %[[D]]
func.func @delta_returned(%u: tensor<1x4x8xf32>, %dt: tensor<1x4x8xf32>,
                          %A: tensor<8x2xf32>, %B: tensor<1x4x1x2xf32>,
                          %C: tensor<1x4x1x2xf32>)
    -> (tensor<1x4x8xf32>, tensor<1x4x8xf32>) {
  %e = math.exp %dt : tensor<1x4x8xf32>
  %d = math.log1p %e : tensor<1x4x8xf32>
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C
      : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x2xf32>,
        tensor<1x4x1x2xf32>, tensor<1x4x1x2xf32>
      -> tensor<1x4x8xf32>, tensor<1x8x2xf32>
  return %y, %d : tensor<1x4x8xf32>, tensor<1x4x8xf32>
}

// -----

// Not folded: y * silu(z) where z is computed after the scan; and
// y * silu(y), whose z is y itself.
// CHECK-LABEL: func.func @gate_after_scan
// CHECK: %[[Y:.*]], %{{.*}} = seq.selective_scan {{.*}} : tensor
// CHECK: %[[Z:.*]] = seq.conv1d
// CHECK: linalg.generic {{.*}} ins(%[[Y]], %[[Z]] :
// CHECK: %[[Y2:.*]], %{{.*}} = seq.selective_scan {{.*}} : tensor
// CHECK: linalg.generic {{.*}} ins(%[[Y2]] :
func.func @gate_after_scan(%u: tensor<1x4x8xf32>, %dt: tensor<1x4x8xf32>,
                           %A: tensor<8x2xf32>, %B: tensor<1x4x1x2xf32>,
                           %C: tensor<1x4x1x2xf32>, %w: tensor<8x1x4xf32>)
    -> (tensor<1x4x8xf32>, tensor<1x4x8xf32>) {
  %y, %h = seq.selective_scan %u, %dt, %A, %B, %C
      : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x2xf32>,
        tensor<1x4x1x2xf32>, tensor<1x4x1x2xf32>
      -> tensor<1x4x8xf32>, tensor<1x8x2xf32>
  %z = seq.conv1d %u, %w : tensor<1x4x8xf32>, tensor<8x1x4xf32>
      -> tensor<1x4x8xf32>
  %one = arith.constant dense<1.0> : tensor<1x4x8xf32>
  %nz = arith.negf %z : tensor<1x4x8xf32>
  %ez = math.exp %nz : tensor<1x4x8xf32>
  %den = arith.addf %one, %ez : tensor<1x4x8xf32>
  %g = arith.divf %z, %den : tensor<1x4x8xf32>
  %out = arith.mulf %y, %g : tensor<1x4x8xf32>
  %y2, %h2 = seq.selective_scan %u, %dt, %A, %B, %C
      : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x2xf32>,
        tensor<1x4x1x2xf32>, tensor<1x4x1x2xf32>
      -> tensor<1x4x8xf32>, tensor<1x8x2xf32>
  %ny = arith.negf %y2 : tensor<1x4x8xf32>
  %ey = math.exp %ny : tensor<1x4x8xf32>
  %deny = arith.addf %one, %ey : tensor<1x4x8xf32>
  %gy = arith.divf %y2, %deny : tensor<1x4x8xf32>
  %out2 = arith.mulf %y2, %gy : tensor<1x4x8xf32>
  return %out, %out2 : tensor<1x4x8xf32>, tensor<1x4x8xf32>
}

// -----

// Mamba's short convolution followed by silu(y + bias): the bias and the
// activation move into the op.
// CHECK-LABEL: func.func @conv_silu
// CHECK-SAME: (%[[X:[^:]*]]: {{.*}}, %[[W:[^:]*]]: {{.*}}, %[[BIAS:[^:]*]]: {{.*}})
// CHECK-NOT: linalg.generic
// CHECK: %[[Y:.*]] = seq.conv1d %[[X]], %[[W]] bias(%[[BIAS]] : tensor<16xf32>) activation silu
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @conv_silu(%x: tensor<2x8x16xf32>, %w: tensor<16x1x4xf32>,
                     %bias: tensor<16xf32>) -> tensor<2x8x16xf32> {
  %y = seq.conv1d %x, %w : tensor<2x8x16xf32>, tensor<16x1x4xf32>
      -> tensor<2x8x16xf32>
  %e = tensor.empty() : tensor<2x8x16xf32>
  %bb = linalg.broadcast ins(%bias : tensor<16xf32>)
      outs(%e : tensor<2x8x16xf32>) dimensions = [0, 1]
  %s = arith.addf %y, %bb : tensor<2x8x16xf32>
  %one = arith.constant dense<1.0> : tensor<2x8x16xf32>
  %ns = arith.negf %s : tensor<2x8x16xf32>
  %es = math.exp %ns : tensor<2x8x16xf32>
  %den = arith.addf %one, %es : tensor<2x8x16xf32>
  %out = arith.divf %s, %den : tensor<2x8x16xf32>
  return %out : tensor<2x8x16xf32>
}

// -----

// relu(y) and tanh(y) alone (no bias) fold; y + bias alone folds.
// CHECK-LABEL: func.func @conv_relu_tanh_bias
// CHECK: seq.conv1d {{.*}} activation relu
// CHECK: seq.conv1d {{.*}} activation tanh
// CHECK: seq.conv1d {{.*}} bias(%{{.*}} : tensor<16xf32>) :
// CHECK-NOT: linalg.generic
func.func @conv_relu_tanh_bias(%x: tensor<2x8x16xf32>, %w: tensor<16x1x4xf32>,
                               %bias: tensor<16xf32>)
    -> (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>) {
  %y = seq.conv1d %x, %w : tensor<2x8x16xf32>, tensor<16x1x4xf32>
      -> tensor<2x8x16xf32>
  %zero = arith.constant dense<0.0> : tensor<2x8x16xf32>
  %r = arith.maximumf %y, %zero : tensor<2x8x16xf32>
  %y2 = seq.conv1d %x, %w : tensor<2x8x16xf32>, tensor<16x1x4xf32>
      -> tensor<2x8x16xf32>
  %t = math.tanh %y2 : tensor<2x8x16xf32>
  %y3 = seq.conv1d %x, %w : tensor<2x8x16xf32>, tensor<16x1x4xf32>
      -> tensor<2x8x16xf32>
  %e = tensor.empty() : tensor<2x8x16xf32>
  %bb = linalg.broadcast ins(%bias : tensor<16xf32>)
      outs(%e : tensor<2x8x16xf32>) dimensions = [0, 1]
  %b = arith.addf %bb, %y3 : tensor<2x8x16xf32>
  return %r, %t, %b : tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>
}

// -----

// Not folded: a convolution that already has an activation; a consumer
// when y has a second reader; a bias over a leading dimension.
// CHECK-LABEL: func.func @conv_not_folded
// CHECK: seq.conv1d {{.*}} activation silu
// CHECK: linalg.generic
// CHECK: %[[Y2:.*]] = seq.conv1d %{{.*}}, %{{.*}} :
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: return {{.*}}, %[[Y2]]
func.func @conv_not_folded(%x: tensor<2x8x16xf32>, %w: tensor<16x1x4xf32>,
                           %b8: tensor<8xf32>)
    -> (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>,
        tensor<2x8x16xf32>) {
  %y = seq.conv1d %x, %w activation silu
      : tensor<2x8x16xf32>, tensor<16x1x4xf32> -> tensor<2x8x16xf32>
  %t = math.tanh %y : tensor<2x8x16xf32>
  %y2 = seq.conv1d %x, %w : tensor<2x8x16xf32>, tensor<16x1x4xf32>
      -> tensor<2x8x16xf32>
  %t2 = math.tanh %y2 : tensor<2x8x16xf32>
  %y3 = seq.conv1d %x, %w : tensor<2x8x16xf32>, tensor<16x1x4xf32>
      -> tensor<2x8x16xf32>
  %e = tensor.empty() : tensor<2x8x16xf32>
  %bb = linalg.broadcast ins(%b8 : tensor<8xf32>)
      outs(%e : tensor<2x8x16xf32>) dimensions = [0, 2]
  %s = arith.addf %y3, %bb : tensor<2x8x16xf32>
  return %t, %t2, %s, %y2
      : tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>,
        tensor<2x8x16xf32>
}
