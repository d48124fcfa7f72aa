// Every user-facing error of the driver: a message, a non-zero status and
// no output file.
// RUN: rm -rf %t && mkdir -p %t && split-file %s %t

// Malformed IR: file:line:col, nothing written.
// RUN: not seqc %t/bad-syntax.mlir -o %t/bad.so 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not test -e %t/bad.so
// RUN: not test -e %t/bad.so.seqc-tmp
// SYNTAX: bad-syntax.mlir:2:3: error: custom op 'seq.attentionx' is unknown

// A verifier error, also located.
// RUN: not seqc %t/bad-verify.mlir -o %t/verify.so 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: not test -e %t/verify.so
// VERIFY: bad-verify.mlir:2:8: error: 'seq.attention' op query heads H = 8 must be a multiple of key/value heads Hkv = 3

// --emit=so and --emit=obj need a path.
// RUN: not seqc %t/good.mlir 2>&1 | FileCheck %s --check-prefix=NEEDS-O
// RUN: not seqc %t/good.mlir --emit=obj -o - 2>&1 | FileCheck %s --check-prefix=NEEDS-O-OBJ
// NEEDS-O: seqc: error: --emit=so needs an output path (-o)
// NEEDS-O-OBJ: seqc: error: --emit=obj needs an output path (-o)

// Unsupported target, unknown CPU, bad level, missing input.
// The CUDA target's option errors: test/Target/cuda-errors.mlir.
// RUN: not seqc %t/good.mlir --cpu=pentium-9000 -o %t/cpu.so 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not test -e %t/cpu.so
// CPU-NOT: not a recognized processor
// CPU: seqc: error: unknown CPU 'pentium-9000'
// A 32-bit processor is refused (LLVM would stop with a fatal error).
// RUN: not seqc %t/good.mlir --cpu=i386 -o %t/cpu.so 2>&1 | FileCheck %s --check-prefix=CPU32
// RUN: not test -e %t/cpu.so
// CPU32: seqc: error: CPU 'i386' has no 64-bit mode, which x86_64{{.*}} needs
// RUN: not seqc %t/good.mlir -O7 -o %t/o7.so 2>&1 | FileCheck %s --check-prefix=LEVEL
// LEVEL: seqc: error: -O7 is not a level (0-3)
// RUN: not seqc %t/good.mlir -o %t/no-such-dir/lib.so 2>&1 | FileCheck %s --check-prefix=NODIR
// NODIR: seqc: error: cannot write {{.*}}no-such-dir{{/|\\}}lib.so: no directory {{.*}}no-such-dir
// RUN: not seqc %t/good.mlir -o %t/lib.so --header=%t/no-such-dir/lib.h 2>&1 | FileCheck %s --check-prefix=NODIR-HEADER
// RUN: not test -e %t/lib.so
// NODIR-HEADER: seqc: error: cannot write {{.*}}no-such-dir{{/|\\}}lib.h: no directory
// RUN: not seqc %t/does-not-exist.mlir -o %t/x.so 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: seqc: error: cannot open input file '{{.*}}does-not-exist.mlir'

// An output (or the header) that is the input is refused before any work:
// the input stays as it was.
// RUN: cp %t/good.mlir %t/same.mlir
// RUN: not seqc %t/same.mlir --emit=linalg -o %t/same.mlir 2>&1 | FileCheck %s --check-prefix=SAME
// RUN: not seqc %t/same.mlir --header=%t/same.mlir -o %t/same.so 2>&1 | FileCheck %s --check-prefix=SAME
// RUN: cmp %t/same.mlir %t/good.mlir
// RUN: not test -e %t/same.so
// SAME: seqc: error: the output {{.*}}same.mlir is the input {{.*}}same.mlir, which it would overwrite

// A device is written in place, never replaced by the library's rename:
// -o /dev/null checks that a library builds (no header beside it), and
// /dev/full is a write error.
// RUN: seqc %t/good.mlir -o /dev/null
// RUN: test -c /dev/null
// RUN: not test -e /dev/null.h
// RUN: seqc %t/good.mlir --emit=llvm -o /dev/null
// RUN: test -c /dev/null
// RUN: not seqc %t/good.mlir -o /dev/full 2>&1 | FileCheck %s --check-prefix=FULL
// RUN: not seqc %t/good.mlir --emit=asm -o /dev/full 2>&1 | FileCheck %s --check-prefix=FULL
// RUN: test -c /dev/full
// FULL: seqc: error: '/dev/full': No space left on device

// Options that only a model description reads are refused for IR, which
// has no context length or projections to quantize.
// RUN: not seqc %t/good.mlir --max-context=64 -o %t/ctx.so 2>&1 | FileCheck %s --check-prefix=MODEL-ONLY -DOPT=--max-context
// RUN: not test -e %t/ctx.so
// RUN: not seqc %t/good.mlir --quant-group=32 -o %t/ctx.so 2>&1 | FileCheck %s --check-prefix=MODEL-ONLY -DOPT=--quant-group
// RUN: not seqc %t/good.mlir --quant-zero-point -o %t/ctx.so 2>&1 | FileCheck %s --check-prefix=MODEL-ONLY -DOPT=--quant-zero-point
// RUN: not seqc %t/good.mlir --outlier-threshold=4 -o %t/ctx.so 2>&1 | FileCheck %s --check-prefix=MODEL-ONLY -DOPT=--outlier-threshold
// RUN: not seqc %t/good.mlir --quantize=w8 -o %t/ctx.so 2>&1 | FileCheck %s --check-prefix=MODEL-ONLY -DOPT=--quantize
// MODEL-ONLY: seqc: error: [[OPT]] applies to model descriptions (a .json file or a Hugging Face directory), not to IR

// An op the reference lowering cannot handle yet names the op.
// RUN: not seqc %t/dynamic-channels.mlir -o %t/dyn.so 2>&1 | FileCheck %s --check-prefix=DYN
// RUN: not test -e %t/dyn.so
// DYN: dynamic-channels.mlir:2:8: error: the reference lowering needs a static size for dimension 2 of 'x'

//--- bad-syntax.mlir
func.func @f() {
  seq.attentionx
}
//--- bad-verify.mlir
func.func @f(%q: tensor<1x8x4x16xf32>, %k: tensor<1x3x4x16xf32>) -> tensor<1x8x4x16xf32> {
  %o = seq.attention %q, %k, %k : tensor<1x8x4x16xf32>, tensor<1x3x4x16xf32>, tensor<1x3x4x16xf32> -> tensor<1x8x4x16xf32>
  return %o : tensor<1x8x4x16xf32>
}
//--- good.mlir
func.func @f(%x: tensor<?x?x4xf32>, %w: tensor<4x1x2xf32>) -> tensor<?x?x4xf32> {
  %y = seq.conv1d %x, %w : tensor<?x?x4xf32>, tensor<4x1x2xf32> -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}
//--- dynamic-channels.mlir
func.func @f(%x: tensor<?x?x?xf32>, %w: tensor<4x1x2xf32>) -> tensor<?x?x4xf32> {
  %y = seq.conv1d %x, %w : tensor<?x?x?xf32>, tensor<4x1x2xf32> -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}

// A header path equal to the library's would overwrite it.
// RUN: not seqc %t/good.mlir -o %t/lib.h 2>&1 | FileCheck %s --check-prefix=HDR
// HDR: seqc: error: the C header would overwrite the library {{.*}}lib.h

// A rule between sizes (Dm a multiple of G) that the ABI cannot check,
// because G comes from arithmetic on a size, is a compile-time error.
// RUN: not seqc %S/Inputs/unchecked-rule.mlir -o %t/rule.so 2>&1 | FileCheck %s --check-prefix=RULE
// RUN: not test -e %t/rule.so
// RULE: error: entry point @f: channels Dm ('u' dimension 2) must be a multiple of groups G ('B' dimension 2), but the sizes are not known from the arguments, so the ABI cannot check it; make them static
