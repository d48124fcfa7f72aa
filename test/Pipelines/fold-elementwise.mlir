// The CPU's fast path folds the elementwise ops around seq ops into the
// ops before their kernels run (seq-fold-elementwise): Mamba's
// softplus(dt + bias) and y * silu(z), written as tensor ops on
// dynamically sized tensors, become the scan's delta_bias, delta_softplus
// and z gate, on the CPU from -O1 and for CUDA (whose kernels run at every
// level). The CPU's reference lowering (-O0) leaves them as they are.
// RUN: seqc %s -O2 --emit=linalg --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=FAST
// RUN: seqc %s --target=cuda --emit=gpu --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=FAST
// RUN: seqc %s -O0 --print-pipeline | FileCheck %s --check-prefix=REF

// FAST-LABEL: IR Dump After SeqFoldElementwise
// FAST: func.func @mamba
// FAST-NOT: linalg.generic
// FAST: seq.selective_scan {{.*}} z(%{{.*}}) delta_bias(%{{.*}}) {delta_softplus}
// FAST-NOT: linalg.generic
// FAST: return
// REF-NOT: seq-fold-elementwise
!seq = tensor<?x?x32xf32>
!bc = tensor<?x?x1x16xf32>
func.func @mamba(%u: !seq, %dt: !seq, %bias: tensor<32xf32>, %z: !seq,
                 %A: tensor<32x16xf32>, %B: !bc, %C: !bc) -> !seq {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %dt, %c0 : !seq
  %l = tensor.dim %dt, %c1 : !seq
  %e = tensor.empty(%b, %l) : !seq
  %bb = linalg.broadcast ins(%bias : tensor<32xf32>) outs(%e : !seq)
      dimensions = [0, 1]
  %s = arith.addf %dt, %bb : !seq
  %ex = math.exp %s : !seq
  %d = math.log1p %ex : !seq
  %y, %h = seq.selective_scan %u, %d, %A, %B, %C
      : !seq, !seq, tensor<32x16xf32>, !bc, !bc -> !seq, tensor<?x32x16xf32>
  %f1 = arith.constant 1.0 : f32
  %one = linalg.fill ins(%f1 : f32) outs(%e : !seq) -> !seq
  %nz = arith.negf %z : !seq
  %ez = math.exp %nz : !seq
  %den = arith.addf %one, %ez : !seq
  %g = arith.divf %z, %den : !seq
  %out = arith.mulf %y, %g : !seq
  return %out : !seq
}
