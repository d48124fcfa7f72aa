// The CUDA target's errors: each names the problem, exits non-zero and
// leaves no output file.
// RUN: rm -rf %t && mkdir -p %t && split-file %s %t

// RUN: not seqc %t/good.mlir --target=cuda --gpu-arch=sm_70 -o %t/a.so 2>&1 | FileCheck %s --check-prefix=ARCH
// RUN: not test -e %t/a.so
// ARCH: seqc: error: unknown --gpu-arch 'sm_70' (one of sm_80, sm_86, sm_89, sm_90, sm_90a)

// RUN: not seqc %t/good.mlir --target=cuda --cuda-path=%t/nowhere -o %t/b.so 2>&1 | FileCheck %s --check-prefix=TOOLKIT
// RUN: not test -e %t/b.so
// RUN: not test -e %t/b.h
// TOOLKIT: seqc: error: --cuda-path={{.*}}nowhere has no bin/ptxas: not a CUDA toolkit

// Without any toolkit to find, the message says what is needed and where
// it looked; the stages before the kernels' binary need none.
// RUN: env -u CUDA_HOME -u CUDA_PATH -u CUDA_ROOT PATH=/usr/bin:/bin \
// RUN:   %seqc_obj_root/bin/seqc %t/good.mlir --target=cuda --emit=gpu | FileCheck %s --check-prefix=NO-TOOLKIT-GPU
// NO-TOOLKIT-GPU: gpu.launch_func

// RUN: not seqc %t/good.mlir --emit=ptx 2>&1 | FileCheck %s --check-prefix=PTX-CPU
// PTX-CPU: seqc: error: --emit=ptx needs --target=cuda
// RUN: not seqc %t/good.mlir --emit=gpu 2>&1 | FileCheck %s --check-prefix=GPU-CPU
// GPU-CPU: seqc: error: --emit=gpu needs --target=cuda

// RUN: not seqc %t/good.mlir --target=cuda --runtime-checks -o %t/c.so 2>&1 | FileCheck %s --check-prefix=CHECKS
// CHECKS: seqc: error: --runtime-checks is for --target=cpu (and --cuda-emulate-on-host) only

// RUN: not seqc %t/good.mlir --cuda-emulate-on-host -o %t/d.so 2>&1 | FileCheck %s --check-prefix=EMULATE
// EMULATE: seqc: error: --cuda-emulate-on-host needs --target=cuda
// The GPU's options with the CPU target would be silently ignored.
// RUN: not seqc %t/good.mlir --gpu-arch=sm_90 -o %t/e.so 2>&1 | FileCheck %s --check-prefix=ARCH-CPU
// RUN: not test -e %t/e.so
// ARCH-CPU: seqc: error: --gpu-arch needs --target=cuda
// RUN: not seqc %t/good.mlir --target=cpu --cuda-path=/usr/local/cuda -o %t/e.so 2>&1 | FileCheck %s --check-prefix=PATH-CPU
// PATH-CPU: seqc: error: --cuda-path needs --target=cuda
// RUN: not seqc %t/good.mlir --target=cuda --cuda-emulate-on-host --emit=ptx 2>&1 | FileCheck %s --check-prefix=EMULATE-PTX
// EMULATE-PTX: seqc: error: --emit=ptx: --cuda-emulate-on-host makes no kernels

// Host code that reads a buffer the kernels also use.
// RUN: not seqc %t/host-read.mlir --target=cuda --emit=gpu 2>&1 | FileCheck %s --check-prefix=HOST
// HOST: host-read.mlir:{{[0-9]+}}:{{[0-9]+}}: error: reads or writes a buffer outside a GPU kernel, which the CUDA target does not support yet


//--- good.mlir
func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = seq.hadamard %x block 8 : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

//--- host-read.mlir
func.func @f(%x: tensor<8xf32>) -> (tensor<8xf32>, f32) {
  %c0 = arith.constant 0 : index
  %y = math.exp %x : tensor<8xf32>
  %e = tensor.extract %y[%c0] : tensor<8xf32>
  return %y, %e : tensor<8xf32>, f32
}
