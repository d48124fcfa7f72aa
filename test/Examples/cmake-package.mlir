// The installed CMake package: `cmake --install` of this build (component
// seqc) into a prefix, then examples/app, a standalone project, configured
// against it (find_package(seqc), seqc_add_model) and built with Ninja. The
// model is compiled with -O0 to keep the test fast; examples/app/run_app.sh
// checks the numbers.
// RUN: rm -rf %t && mkdir -p %t
// (se''qc: lit would replace the bare word with seqc's path.)
// RUN: cmake --install %seqc_obj_root --component se''qc --prefix %t/prefix > %t/install.log
// RUN: cat %t/prefix/lib/pkgconfig/seqc-runtime.pc | FileCheck %s --check-prefix=PC
// PC: prefix=${pcfiledir}/../..
// PC: Cflags: -I${includedir}
// RUN: cmake -S %seqc_src_root/examples/app -B %t/build -G Ninja -DCMAKE_C_COMPILER=%cc -DCMAKE_PREFIX_PATH=%t/prefix -DSEQC_MODEL_OPTIONS=-O0 > %t/configure.log
// RUN: cmake --build %t/build -- -v | FileCheck %s --check-prefix=BUILD
// The installed seqc compiles the model; generate links the library.
// BUILD: {{.*}}prefix/bin/seqc {{.*}}examples/models/tiny_hybrid.json -o {{.*}}/tiny_hybrid/libtiny_hybrid.so -O0
// BUILD: -ltiny_hybrid
// RUN: %t/build/generate --help | FileCheck %s
// CHECK: usage: generate WEIGHTS.safetensors [-n N] TOKEN...
// CHECK: model: tiny_hybrid (seqc-model), vocab_size 256, max_context 256
