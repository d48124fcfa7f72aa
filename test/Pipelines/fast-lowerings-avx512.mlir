// The fast lowerings pick their vector width from --cpu: 16 lanes (zmm) for
// an AVX-512 CPU, 8 (ymm) for AVX2. The development machine has no AVX-512,
// so this code path is checked here by its assembly (it compiles, and the
// kernels' FMAs are on zmm registers), not by running it.
// RUN: seqc %s --emit=asm --cpu=skylake-avx512 -o - | FileCheck %s --check-prefix=AVX512
// RUN: seqc %s --emit=asm --cpu=x86-64-v3 -o - | FileCheck %s --check-prefix=AVX2

// AVX512-LABEL: __seqc_kernel_attention{{.*}}omp_par
// AVX512: vfmadd{{[0-9]+}}ps {{.*}}%zmm
// AVX2-LABEL: __seqc_kernel_attention{{.*}}omp_par
// AVX2: vfmadd{{[0-9]+}}ps {{.*}}%ymm
// AVX2-NOT: %zmm
func.func @attention(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>,
                     %v: tensor<?x2x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = seq.attention %q, %k, %v {causal}
      : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>
      -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

// AVX512-LABEL: __seqc_kernel_lstm{{.*}}omp_par
// AVX512: vfmadd{{[0-9]+}}ps {{.*}}%zmm
func.func @lstm(%x: tensor<?x?x32xf32>, %wi: tensor<128x32xf32>,
                %wr: tensor<4x1x32x32xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>) {
  %h, %c, %y = seq.recurrence cell = lstm ins(%x : tensor<?x?x32xf32>)
      w_in(%wi : tensor<128x32xf32>) w_rec(%wr : tensor<4x1x32x32xf32>)
      -> tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>
  return %h, %c, %y : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x?x32xf32>
}
