// RUN: seq-opt %s -seq-fast-matmul="lanes=16 bf16-dot=true emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s
// Without AVX512_BF16 the rounded input is a float and the f32 kernel widens
// the bf16 weight:
// RUN: seq-opt %s -seq-fast-matmul="lanes=16 emit-remarks=true" -split-input-file 2>&1 | FileCheck %s --check-prefix=NOBF16

// bf16 compute: each task rounds its rows of x to bf16 once (a stack
// buffer), then vdpbf16ps on 32 bf16 of x and 64 bytes of the weight viewed
// as 32 bf16; the rounding ops and the weight's dequantize are gone.
// CHECK-LABEL: func.func @bf16_compute
// CHECK-NOT: seq.dequantize
// CHECK: scf.parallel
// CHECK: memref.alloca() : memref<16x64xbf16>
// CHECK: arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK: memref.prefetch
// CHECK: vector.load %{{.*}} : memref<96x128xi8, {{.*}}>, vector<64xi8>
// CHECK: vector.bitcast %{{.*}} : vector<64xi8> to vector<32xbf16>
// CHECK: x86vector.avx512.dot %{{.*}}, %{{.*}}, %{{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK: vector.reduction <add>
// CHECK-NOT: linalg.contract
// CHECK-NOT: arith.truncf %{{.*}} : tensor
// NOBF16-LABEL: func.func @bf16_compute
// NOBF16: arith.truncf %{{.*}} : tensor<?x64xf32> to tensor<?x64xbf16>
// NOBF16: remark: seq-fast-matmul: bf16 products as f32 (no AVX512_BF16 dot products on the target)
// NOBF16: vector.bitcast %{{.*}} : vector<32xi8> to vector<16xi16>
// NOBF16: arith.shli
// NOBF16: vector.fma
func.func @bf16_compute(%x: tensor<?x64xf32>, %q: tensor<96x128xi8>,
                        %init: tensor<?x96xf32>) -> tensor<?x96xf32> {
  %xh = arith.truncf %x : tensor<?x64xf32> to tensor<?x64xbf16>
  %xr = arith.extf %xh : tensor<?x64xbf16> to tensor<?x64xf32>
  %w = seq.dequantize %q bits 16 : tensor<96x128xi8> -> tensor<96x64xf32>
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%xr, %w : tensor<?x64xf32>, tensor<96x64xf32>)
      outs(%init : tensor<?x96xf32>) -> tensor<?x96xf32>
  return %y : tensor<?x96xf32>
}

// -----

// A bf16 weight by an unrounded x: the f32 kernel, the weight widened in
// registers (its bits shifted into the high half of an f32).
// CHECK-LABEL: func.func @bf16_weight_only
// CHECK-NOT: seq.dequantize
// CHECK: vector.load %{{.*}} : memref<8x64xi8, {{.*}}>, vector<32xi8>
// CHECK: vector.bitcast %{{.*}} : vector<32xi8> to vector<16xi16>
// CHECK: arith.extui %{{.*}} : vector<16xi16> to vector<16xi32>
// CHECK: arith.shli
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: vector.fma
// CHECK-NOT: x86vector.avx512.dot
func.func @bf16_weight_only(%x: tensor<?x32xf32>, %q: tensor<8x64xi8>,
                            %init: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = seq.dequantize %q bits 16 : tensor<8x64xi8> -> tensor<8x32xf32>
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x32xf32>, tensor<8x32xf32>)
      outs(%init : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// K = 48 is not a multiple of 32 bf16 pairs: the f32 kernel, with a remark.
// CHECK-LABEL: func.func @bf16_odd_depth
// CHECK-NOT: x86vector.avx512.dot
// CHECK: vector.fma
func.func @bf16_odd_depth(%x: tensor<?x48xf32>, %q: tensor<8x96xi8>,
                          %init: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %xh = arith.truncf %x : tensor<?x48xf32> to tensor<?x48xbf16>
  %xr = arith.extf %xh : tensor<?x48xbf16> to tensor<?x48xf32>
  %w = seq.dequantize %q bits 16 : tensor<8x96xi8> -> tensor<8x48xf32>
  // expected-remark @+1 {{seq-fast-matmul: bf16 products as f32 (an input size that is not a multiple of 32)}}
  %y = linalg.contract indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%xr, %w : tensor<?x48xf32>, tensor<8x48xf32>)
      outs(%init : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
