// The application example (examples/app): tiny_hybrid.json compiled by seqc,
// generate.c linked against it, 16 tokens decoded greedily from a prompt and
// compared with the float64 NumPy reference's greedy continuation.
// RUN: rm -rf %t && CC=%cc PYTHON=%python bash %seqc_src_root/examples/app/run_app.sh %seqc_obj_root %t | FileCheck %s
// CHECK: [app] expect: [[IDS:[0-9 ]+]]
// CHECK: [app] smallest top-2 logit gap:
// CHECK: [app] [[IDS]]
// CHECK-NEXT: [app] prefill: 8 tokens, {{[0-9.]+}} tokens/s; decode: 15 tokens, {{[0-9.]+}} tokens/s
// CHECK-NEXT: app: generated tokens match the float64 reference

// A weights file that does not exist: an error naming it, exit status 1.
// RUN: not %t/generate %t/no-such-weights.safetensors 1 2 3 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: generate: error: {{.*}}no-such-weights.safetensors

// A prompt token that is not a number, and one outside the vocabulary.
// RUN: not %t/generate %t/tiny_hybrid.safetensors 1 two 2>&1 | FileCheck %s --check-prefix=NAN
// NAN: generate: error: token 'two' is not an integer
// RUN: not %t/generate %t/tiny_hybrid.safetensors 1 256 2>&1 | FileCheck %s --check-prefix=VOCAB
// VOCAB: generate: error: {{.*}}256, outside the vocabulary [0, 256)

// A full context: a prompt of max_context tokens leaves room for one token
// (from the prefill's logits); generation stops there, cleanly.
// RUN: %python -c "print(*range(256))" > %t/prompt256.txt
// RUN: xargs %t/generate %t/tiny_hybrid.safetensors -n 4 < %t/prompt256.txt 2>&1 | FileCheck %s --check-prefix=FULL
// FULL: generate: stopped after 1 tokens: max_context 256 reached
// FULL-NEXT: {{^[0-9]+$}}
// FULL-NEXT: prefill: 256 tokens, {{.*}}; decode: 0 tokens
// And one more token than max_context is refused by the model.
// RUN: %python -c "print(*range(256), 0)" > %t/prompt257.txt
// RUN: not xargs %t/generate %t/tiny_hybrid.safetensors < %t/prompt257.txt 2>&1 | FileCheck %s --check-prefix=OVER
// OVER: generate: error: {{.*}}max_context of 256
