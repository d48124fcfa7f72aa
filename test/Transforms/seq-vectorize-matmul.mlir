// RUN: seq-opt %s -seq-vectorize-matmul="lanes=16 emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: seq-opt %s -seq-vectorize-matmul="lanes=8" -split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: not seq-opt %s -seq-vectorize-matmul=lanes=12 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT

// A matmul with a zero init. With more than one block of 48 rows, b is
// first packed whole into panels of 64 columns [panel][k][64] (masked
// past N), in parallel; with one, each task packs its own chunks into a
// stack buffer. Tasks (batch entry, panel, block of rows), rows innermost;
// the fill becomes a broadcast stored into the result; k in chunks of 64
// (16 KiB of b), each read from the panel or from the task's copy;
// register tiles of 6 rows x 4 vectors (24 accumulators) load b from the
// packed chunk, one broadcast of a per row and step of k; then one tile of
// each smaller row count for the rows left. A last block of columns short
// of 64 is masked.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.fill
// CHECK: %[[C:.*]] = memref.alloc(%{{.*}}) : memref<?x1000xf32>
// CHECK: %[[MANY:.*]] = arith.cmpi ugt
// CHECK: %[[PANELS:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x64xf32>
// CHECK: scf.if %[[MANY]] {
// CHECK: scf.parallel
// CHECK: vector.maskedload
// CHECK: vector.store %{{.*}}, %[[PANELS]]
// CHECK: scf.parallel
// CHECK: %[[OWN:.*]] = memref.alloca() : memref<64x64xf32>
// CHECK: %[[WHOLE:.*]] = arith.cmpi ule
// CHECK: scf.if %[[WHOLE]] {
// CHECK: vector.broadcast %[[ZERO:.*]] : f32 to vector<16xf32>
// CHECK: vector.store {{.*}}, %[[C]]
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c512{{.*}} step %c64
// CHECK: %[[CHUNK:.*]] = scf.if %[[MANY]] -> (memref<?x64xf32, strided<[64, 1], offset: ?>>) {
// CHECK: memref.subview %[[PANELS]]
// CHECK: } else {
// CHECK: vector.store %{{.*}}, %[[OWN]]
// CHECK: memref.cast %[[OWN]]
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.load %[[CHUNK]]
// CHECK: memref.load
// CHECK-NEXT: vector.broadcast
// CHECK-COUNT-4: vector.fma
// CHECK: arith.cmpi eq, %{{.*}}, %c1
// CHECK: arith.cmpi eq, %{{.*}}, %c5
// CHECK: } else {
// CHECK: vector.create_mask
// CHECK: vector.maskedload
// CHECK: vector.maskedstore
// CHECK: bufferization.to_tensor
// CHECK-NOT: linalg.matmul
// CHECK: return
// AVX2-LABEL: func.func @matmul
// AVX2: scf.for %{{.*}} = %c0{{.*}} to %c512{{.*}} step %c256
// AVX2: iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// BADOPT: seq-vectorize-matmul: lanes must be 4, 8 or 16 (got 12)
func.func @matmul(%a: tensor<?x512xf32>, %b: tensor<512x1000xf32>) -> tensor<?x1000xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = tensor.dim %a, %c0 : tensor<?x512xf32>
  %e = tensor.empty(%m) : tensor<?x1000xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x1000xf32>) -> tensor<?x1000xf32>
  %c = linalg.matmul ins(%a, %b : tensor<?x512xf32>, tensor<512x1000xf32>)
                     outs(%f : tensor<?x1000xf32>) -> tensor<?x1000xf32>
  return %c : tensor<?x1000xf32>
}

// -----

// An init that is not a fill is read into the result first; a
// batch_matmul's b has the batch index of a.
// CHECK-LABEL: func.func @batch_matmul
// CHECK: %[[INIT:.*]] = bufferization.to_buffer %arg2
// CHECK: scf.parallel
// CHECK: vector.load %[[INIT]]
// CHECK-NOT: linalg.batch_matmul
// CHECK: return
func.func @batch_matmul(%a: tensor<4x?x?xf32>, %b: tensor<4x?x?xf32>,
                        %init: tensor<4x?x?xf32>) -> tensor<4x?x?xf32> {
  %c = linalg.batch_matmul ins(%a, %b : tensor<4x?x?xf32>, tensor<4x?x?xf32>)
                           outs(%init : tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  return %c : tensor<4x?x?xf32>
}

// -----

// x[b, l, k] times w[k, n] written as a linalg.contract: rows are (b, l).
// CHECK-LABEL: func.func @contract
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK-NOT: linalg.contract
// CHECK: return
func.func @contract(%x: tensor<2x?x64xf32>, %w: tensor<64x48xf32>,
                    %init: tensor<2x?x48xf32>) -> tensor<2x?x48xf32> {
  %y = linalg.contract indexing_maps = [
      affine_map<(b, l, n, k) -> (b, l, k)>, affine_map<(b, l, n, k) -> (k, n)>,
      affine_map<(b, l, n, k) -> (b, l, n)>]
      ins(%x, %w : tensor<2x?x64xf32>, tensor<64x48xf32>)
      outs(%init : tensor<2x?x48xf32>) -> tensor<2x?x48xf32>
  return %y : tensor<2x?x48xf32>
}

// -----

// Left for the loop lowering, each with the reason.
func.func @transposed_b(%a: tensor<8x16xf32>, %b: tensor<32x16xf32>,
                        %init: tensor<8x32xf32>) -> tensor<8x32xf32> {
  // expected-remark @below {{left for the loop lowering: b is not [..., k, n] (a transposed b)}}
  %c = linalg.matmul indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<8x16xf32>, tensor<32x16xf32>)
      outs(%init : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

func.func @f16(%a: tensor<8x16xf16>, %b: tensor<16x32xf16>,
               %init: tensor<8x32xf16>) -> tensor<8x32xf16> {
  // expected-remark @below {{left for the loop lowering: element type other than f32}}
  %c = linalg.matmul ins(%a, %b : tensor<8x16xf16>, tensor<16x32xf16>)
                     outs(%init : tensor<8x32xf16>) -> tensor<8x32xf16>
  return %c : tensor<8x32xf16>
}

func.func @buffers(%a: memref<8x16xf32>, %b: memref<16x32xf32>,
                   %c: memref<8x32xf32>) {
  // expected-remark @below {{left for the loop lowering: a contraction on buffers}}
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x32xf32>)
                outs(%c : memref<8x32xf32>)
  return
}

// A contraction over two loops (k1, k2) is not a[..., k] * b[k, n].
func.func @two_reductions(%a: tensor<8x4x16xf32>, %b: tensor<4x16x32xf32>,
                          %init: tensor<8x32xf32>) -> tensor<8x32xf32> {
  // expected-remark @below {{left for the loop lowering: not a[..., k] times b[..., k, n]}}
  %c = linalg.contract indexing_maps = [
      affine_map<(m, n, p, k) -> (m, p, k)>, affine_map<(m, n, p, k) -> (p, k, n)>,
      affine_map<(m, n, p, k) -> (m, n)>]
      ins(%a, %b : tensor<8x4x16xf32>, tensor<4x16x32xf32>)
      outs(%init : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// A matmul in a cell region is lowered with its seq op (this pass runs
// after convert-seq-to-linalg, which makes the region a loop).
func.func @in_region(%x: tensor<2x5x3xf32>, %h0: tensor<2x4xf32>,
                     %w: tensor<3x4xf32>) -> tensor<2x5x4xf32> {
  %h, %y = seq.recurrence ins(%x : tensor<2x5x3xf32>) init(%h0 : tensor<2x4xf32>)
      -> tensor<2x4xf32>, tensor<2x5x4xf32> {
  ^bb0(%hp: tensor<2x4xf32>, %xt: tensor<2x3xf32>):
    // expected-remark @below {{left for the loop lowering: inside the region of a seq op}}
    %xw = linalg.matmul ins(%xt, %w : tensor<2x3xf32>, tensor<3x4xf32>)
                        outs(%hp : tensor<2x4xf32>) -> tensor<2x4xf32>
    seq.yield %xw, %xw : tensor<2x4xf32>, tensor<2x4xf32>
  }
  return %y : tensor<2x5x4xf32>
}
