// Each --emit stage stops where it says.
// RUN: seqc %s --emit=mlir | FileCheck %s --check-prefix=MLIR
// RUN: seqc %s --emit=linalg | FileCheck %s --check-prefix=LINALG --implicit-check-not=seq.
// RUN: seqc %s --emit=llvm-dialect | FileCheck %s --check-prefix=LLVMD
// RUN: seqc %s --emit=llvm --cpu=x86-64-v3 | FileCheck %s --check-prefix=LLVM
// RUN: seqc %s --emit=asm --cpu=x86-64-v3 -O3 | FileCheck %s --check-prefix=ASM
// RUN: rm -f %t.so && seqc %s -o %t.so && llvm-nm -D %t.so | FileCheck %s --check-prefix=SO
// RUN: seqc %s --print-pipeline | FileCheck %s --check-prefix=PIPE

// MLIR: seq.conv1d
// LINALG: linalg.generic
// LLVMD: llvm.func @_mlir_ciface_conv
// LLVM: define {{.*}}void @_mlir_ciface_conv(
// LLVM: attributes {{.*}}"target-cpu"="x86-64-v3"
// ASM: _mlir_ciface_conv:
// SO: T _mlir_ciface_conv
// SO-NOT: mlir_c_runner
// PIPE: builtin.module(convert-seq-to-linalg,{{.*}}one-shot-bufferize

func.func @conv(%x: tensor<?x?x4xf32>, %w: tensor<4x1x2xf32>) -> tensor<?x?x4xf32> {
  %y = seq.conv1d %x, %w : tensor<?x?x4xf32>, tensor<4x1x2xf32> -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}
