// RUN: seq-opt %s -seq-fast-matmul="lanes=16" -cse | FileCheck %s

// Two projections of one x: each kernel keeps its own to_buffer of x next to
// it after CSE (their seq.read attributes differ). Merged, the one to_buffer
// would be x's last read for one-shot bufferization, which could then let
// the elementwise op between the kernels write x's buffer in place while the
// second kernel still reads it.
// CHECK-LABEL: func.func @two_projections
// CHECK: %[[X1:.*]] = bufferization.to_buffer %arg0 read_only {seq.read = {{[0-9]+}} : i64}
// CHECK: scf.parallel
// CHECK: vector.load %[[X1]]
// CHECK: linalg.generic
// CHECK: %[[X2:.*]] = bufferization.to_buffer %arg0 read_only {seq.read = {{[0-9]+}} : i64}
// CHECK: scf.parallel
// CHECK: vector.load %[[X2]]
func.func @two_projections(%x: tensor<?x32xf32>, %w1: tensor<32x32xf32>, %w2: tensor<32x32xf32>,
                           %init: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %a = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w1 : tensor<?x32xf32>, tensor<32x32xf32>)
      outs(%init : tensor<?x32xf32>) -> tensor<?x32xf32>
  %c = arith.constant 0 : index
  %n = tensor.dim %x, %c : tensor<?x32xf32>
  %e = tensor.empty(%n) : tensor<?x32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    linalg.yield %t : f32
  } -> tensor<?x32xf32>
  %b = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w2 : tensor<?x32xf32>, tensor<32x32xf32>)
      outs(%s : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %a, %b : tensor<?x32xf32>, tensor<?x32xf32>
}
