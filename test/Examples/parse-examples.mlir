// The programs in examples/ are what the README's main command shows; they
// must stay valid seq IR and survive a round trip.
// RUN: seq-opt %seqc_src_root/examples/attention_block.mlir | seq-opt | FileCheck %s --check-prefix=ATTN
// RUN: seq-opt %seqc_src_root/examples/mamba_mixer.mlir | seq-opt | FileCheck %s --check-prefix=MAMBA
// RUN: seq-opt %seqc_src_root/examples/gla_layer.mlir | seq-opt | FileCheck %s --check-prefix=GLA
// RUN: seq-opt %seqc_src_root/examples/lstm.mlir | seq-opt | FileCheck %s --check-prefix=LSTM

// ATTN-LABEL: func.func @prefill
// ATTN: seq.attention {{.*}} {causal}
// ATTN-LABEL: func.func @decode
// ATTN: seq.attention {{.*}} kv_len({{.*}} : tensor<?xi32>) {causal}
// MAMBA: seq.conv1d {{.*}} activation silu
// MAMBA: seq.selective_scan {{.*}} D({{.*}}) z({{.*}}) delta_bias({{.*}}) {delta_softplus}
// GLA: seq.linear_attention {{.*}} decay({{.*}} : tensor<?x4x?x128xf32>) initial_state(
// LSTM: seq.recurrence cell = lstm ins(
