// Each --emit stage stops where it says.
// RUN: seqc %s --emit=mlir | FileCheck %s --check-prefix=MLIR
// RUN: seqc %s --emit=linalg --reference | FileCheck %s --check-prefix=LINALG --implicit-check-not=seq.
// RUN: seqc %s --emit=linalg | FileCheck %s --check-prefix=FUSED --implicit-check-not=seq.conv1d
// RUN: seqc %s --emit=llvm-dialect | FileCheck %s --check-prefix=LLVMD
// RUN: seqc %s --emit=llvm --cpu=x86-64-v3 | FileCheck %s --check-prefix=LLVM
// RUN: seqc %s --emit=asm --cpu=x86-64-v3 -O3 | FileCheck %s --check-prefix=ASM
// RUN: rm -f %t.so %t.h && seqc %s -o %t.so && llvm-nm -D %t.so | FileCheck %s --check-prefix=SO
// RUN: seqc %s --print-pipeline | FileCheck %s --check-prefix=PIPE
// RUN: seqc %s --print-pipeline -O0 | FileCheck %s --check-prefix=PIPE0
// RUN: seqc %s --print-pipeline --reference | FileCheck %s --check-prefix=PIPE0
// RUN: seqc %s --print-pipeline --cpu=x86-64-v3 | FileCheck %s --check-prefix=AVX2
// RUN: seqc %s --print-pipeline --cpu=skylake-avx512 | FileCheck %s --check-prefix=AVX512

// MLIR: seq.conv1d
// LINALG: linalg.generic
// The fast lowering of 4 channels: one masked block (AVX2 or AVX-512).
// FUSED: vector.maskedload
// LLVMD: llvm.func @_mlir_ciface_conv
// LLVM: define {{.*}}void @_mlir_ciface___seqc_kernel_conv(
// LLVM: attributes {{.*}}"target-cpu"="x86-64-v3"
// ASM: _mlir_ciface___seqc_kernel_conv:
// RUN: seqc %s --emit=header -o - | FileCheck %s --check-prefix=HEADER
// RUN: FileCheck %s --check-prefix=HEADER < %t.h
// SO-DAG: T seqc_fn_conv
// SO-DAG: T seqc_call
// SO-DAG: T seqc_get_library_info
// SO-NOT: mlir_ciface
// HEADER: #include "seqc-runtime/seqc_runtime.h"
// HEADER: /* conv
// HEADER-NEXT:  *   inputs[0]  x: f32[s0, s1, 4]
// HEADER-NEXT:  *   inputs[1]  weight: f32[4, 1, 2]
// HEADER-NEXT:  *   outputs[0] output0: f32[s0, s1, 4]
// HEADER: seqc_status seqc_fn_conv(const seqc_tensor *inputs, int32_t num_inputs,
// PIPE0: builtin.module(convert-seq-to-linalg,
// AVX2: seq-flash-attention{lanes=8}
// AVX512: seq-flash-attention{lanes=16}
// PIPE: builtin.module(seq-widen-half-precision,func.func(convert-elementwise-to-linalg,linalg-fuse-elementwise-ops,canonicalize{top-down=false},linalg-fuse-elementwise-ops),seq-fold-elementwise,seq-flash-attention{lanes={{[0-9]+}}},seq-fused-recurrence{lanes={{[0-9]+}}},seq-fused-selective-scan{lanes={{[0-9]+}}},seq-fused-linear-attention{lanes={{[0-9]+}}},seq-fused-conv1d{lanes={{[0-9]+}}},seq-fused-scan{lanes={{[0-9]+}}},seq-fast-matmul{lanes={{[0-9]+}}{{( int8-dot=true)?}}{{( bf16-dot=true)?}}},convert-seq-to-linalg,{{.*}}one-shot-bufferize{{.*}}convert-scf-to-openmp

func.func @conv(%x: tensor<?x?x4xf32>, %w: tensor<4x1x2xf32>) -> tensor<?x?x4xf32> {
  %y = seq.conv1d %x, %w : tensor<?x?x4xf32>, tensor<4x1x2xf32> -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}

// A function may take the name of a C library function the generated code
// calls (free, malloc, expf): kernels are renamed inside the library.
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: seqc %S/Inputs/libc-names.mlir -o %t.dir/libnames.so
// RUN: llvm-nm -D --defined-only %t.dir/libnames.so | FileCheck %s --check-prefix=NAMES
// NAMES-DAG: T seqc_fn_free
// NAMES-DAG: T seqc_fn_malloc
// NAMES-NOT: T free

// MLIR's debugging flags, which --help points to: listed by --help-hidden,
// and --mlir-timing reports each pipeline's passes.
// RUN: seqc --help-hidden | FileCheck %s --check-prefix=HIDDEN
// HIDDEN-DAG: --mlir-print-ir-after-all
// HIDDEN-DAG: --mlir-timing
// RUN: seqc %s --emit=linalg -o /dev/null --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIMING
// TIMING: Execution time report
// TIMING: SeqFusedConv1D
