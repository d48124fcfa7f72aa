// seq-run: the signature listing, a call with .npy files, and its errors.
// RUN: rm -rf %t && mkdir -p %t
// RUN: seqc %s -o %t/libconv.so
// RUN: seq-run %t/libconv.so --list | FileCheck %s --check-prefix=LIST
// LIST:      conv
// LIST-NEXT:   input 0 x: f32[s0, s1, 4]
// LIST-NEXT:   input 1 w: f32[4, 1, 2]
// LIST-NEXT:   output 0 y: f32[s0, s1, 4]

// Ones through a weight of ones: y = 1 at t = 0, 2 after (two taps).
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.ones((2, 3, 4), np.float32)); np.save('%t/w.npy', np.ones((4, 1, 2), np.float32)); np.save('%t/bad.npy', np.ones((2, 3, 5), np.float32)); np.save('%t/f64.npy', np.ones((2, 3, 4)))"
// RUN: seq-run %t/libconv.so conv %t/x.npy %t/w.npy | FileCheck %s --check-prefix=SUM
// SUM: output 0 y: f32[2, 3, 4] sum 40
// RUN: seq-run %t/libconv.so conv %t/x.npy %t/w.npy -o %t/y.npy
// RUN: %python -c "import numpy as np; y = np.load('%t/y.npy'); assert y.shape == (2, 3, 4); assert (y[:, 0] == 1).all() and (y[:, 1:] == 2).all()"

// Errors: a message, status 1, no output file.
// RUN: not seq-run %t/libconv.so conv %t/bad.npy %t/w.npy -o %t/no1.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not test -e %t/no1.npy
// SHAPE: seq-run: error: conv: input 0 ('x') dimension 2 is 5, expected 4
// RUN: not seq-run %t/libconv.so conv %t/f64.npy %t/w.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: seq-run: error: conv: input 0 ('x') has dtype f64, expected f32
// RUN: not seq-run %t/libconv.so conv %t/x.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: seq-run: error: conv: expected 2 inputs, got 1
// RUN: not seq-run %t/libconv.so nope %t/x.npy 2>&1 | FileCheck %s --check-prefix=NAME
// NAME: seq-run: error: {{.*}}libconv.so has no function 'nope' (--list shows them)
// RUN: head -c 150 %t/x.npy > %t/truncated.npy
// RUN: not seq-run %t/libconv.so conv %t/truncated.npy %t/w.npy 2>&1 | FileCheck %s --check-prefix=TRUNC
// TRUNC: seq-run: error: {{.*}}truncated.npy: holds 22 data bytes, its header promises 96 (truncated or corrupt)
// RUN: not seq-run %t/libconv.so conv %s %t/w.npy 2>&1 | FileCheck %s --check-prefix=NOTNPY
// NOTNPY: seq-run: error: {{.*}}seq-run.mlir: not a .npy file (bad magic)
// RUN: not seq-run %t/libconv.so conv %t %t/w.npy 2>&1 | FileCheck %s --check-prefix=DIR
// DIR: seq-run: error: {{.*}}: not a regular file
// RUN: not seq-run %t/libconv.so conv /dev/zero %t/w.npy 2>&1 | FileCheck %s --check-prefix=DEV
// DEV: seq-run: error: /dev/zero: not a regular file
// RUN: not seq-run %t/missing.so conv 2>&1 | FileCheck %s --check-prefix=NOLIB
// NOLIB: seq-run: error: cannot load {{.*}}missing.so
// RUN: not seq-run %t/libconv.so conv %t/x.npy %t/w.npy -o %t/a.npy -o %t/b.npy 2>&1 | FileCheck %s --check-prefix=OUTS
// OUTS: seq-run: error: conv has 1 outputs, 2 -o given

func.func @conv(%x: tensor<?x?x4xf32> {seqc.name = "x"}, %w: tensor<4x1x2xf32> {seqc.name = "w"})
    -> (tensor<?x?x4xf32> {seqc.name = "y"}) {
  %y = seq.conv1d %x, %w : tensor<?x?x4xf32>, tensor<4x1x2xf32> -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}
