// End to end: every example model compiled by seqc into a shared library,
// a C program linked against all of them through the seqc ABI, outputs
// compared with float64 NumPy checksums (what the README's main command runs).
// RUN: rm -rf %t && CC=%cc bash %seqc_src_root/examples/build_and_run.sh %seqc_obj_root %t | FileCheck %s
// CHECK: prefill      output 0: {{.*}} ok
// CHECK: decode       output 0: {{.*}} ok
// CHECK: decode       output 1: {{.*}} ok
// CHECK: mamba_mixer  output 0: {{.*}} ok
// CHECK: gla          output 0: {{.*}} ok
// CHECK: gla          output 1: {{.*}} ok
// CHECK: lstm         output 0: {{.*}} ok
// CHECK: lstm         output 1: {{.*}} ok
// CHECK: lstm         output 2: {{.*}} ok
// CHECK: all outputs match the float64 reference
