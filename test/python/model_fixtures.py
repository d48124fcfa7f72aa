"""Small seqc-model descriptions (docs/models.md) shared by the model tests.

Use copy.deepcopy before editing one."""

TINY_LLAMA_LIKE = {
    "format": "seqc-model",
    "version": 1,
    "name": "tiny-llama-like",
    "vocab_size": 96,
    "d_model": 32,
    "max_context": 64,
    "blocks": [
        {"mixer": {"kind": "attention", "num_heads": 4, "num_kv_heads": 2},
         "mlp": {"kind": "swiglu", "hidden": 64}},
        {"mixer": {"kind": "attention", "num_heads": 4, "num_kv_heads": 2},
         "mlp": {"kind": "swiglu", "hidden": 64}},
    ],
}

TINY_MAMBA_LIKE = {
    "format": "seqc-model",
    "version": 1,
    "name": "tiny-mamba-like",
    "vocab_size": 64,
    "d_model": 32,
    "max_context": 64,
    "tie_embeddings": True,
    "blocks": [
        {"mixer": {"kind": "mamba", "d_state": 8}},
        {"mixer": {"kind": "mamba", "d_state": 8}},
    ],
}

# Mamba-2: d_inner = 4 heads * 16 = 64, 2 groups of B/C (heads 0-1 read
# group 0, heads 2-3 group 1), conv over 64 + 2*2*16 = 128 channels.
TINY_MAMBA2_LIKE = {
    "format": "seqc-model",
    "version": 1,
    "name": "tiny-mamba2-like",
    "vocab_size": 80,
    "d_model": 32,
    "max_context": 64,
    "blocks": [
        {"mixer": {"kind": "mamba2", "num_heads": 4, "head_dim": 16,
                   "d_state": 16, "n_groups": 2}},
        {"mixer": {"kind": "mamba2", "num_heads": 4, "head_dim": 16,
                   "d_state": 16, "n_groups": 2}},
    ],
}

# Odd sizes on purpose: d_model 40 = 5 heads of 8 (head_dim defaulted),
# MQA (one KV head), vocab 77, mamba's dt_rank = ceil(40 / 16) = 3.
TINY_HYBRID = {
    "format": "seqc-model",
    "version": 1,
    "name": "tiny_hybrid",
    "vocab_size": 77,
    "d_model": 40,
    "max_context": 64,
    "norm_eps": 1e-5,
    "blocks": [
        {"mixer": {"kind": "mamba", "d_state": 8}},
        {"mixer": {"kind": "attention", "num_heads": 5, "num_kv_heads": 1,
                   "window": 8},
         "mlp": {"kind": "gelu", "hidden": 72}},
        {"mixer": {"kind": "mamba", "d_state": 8}},
        {"mixer": {"kind": "attention", "num_heads": 5, "num_kv_heads": 1,
                   "chunk": 16}},
    ],
}

# Recurrent and convolutional mixers: an LSTM (one head: PyTorch's dense
# nn.LSTM), a GRU with 2 heads of 16 (block-diagonal weight_hh [96, 16]) and
# a gelu MLP, a dilated causal conv (taps at t, t-2, t-4, t-6: a conv state
# of (4 - 1) * 2 = 6 inputs).  Not in ALL yet (the compiler does not build
# these mixers yet).
TINY_RNN_LIKE = {
    "format": "seqc-model",
    "version": 1,
    "name": "tiny-rnn-like",
    "vocab_size": 64,
    "d_model": 32,
    "max_context": 64,
    "blocks": [
        {"mixer": {"kind": "lstm", "num_heads": 1}},
        {"mixer": {"kind": "gru", "num_heads": 2},
         "mlp": {"kind": "gelu", "hidden": 64}},
        {"mixer": {"kind": "conv", "kernel": 4, "dilation": 2, "activation": "silu"}},
    ],
}

# Gated linear attention: 4 heads with dk = dv = 8 (head_dim defaulted to
# d_model / num_heads), then 2 heads with dk = 8 and dv = 32 / 2 = 16 (a
# state [2, 8, 16]). The first block, whose four transposes share one
# tensor.empty, found the miscompile that KernelBuilder::readBuffer
# documents.
TINY_GLA_LIKE = {
    "format": "seqc-model",
    "version": 1,
    "name": "tiny-gla-like",
    "vocab_size": 72,
    "d_model": 32,
    "max_context": 64,
    "blocks": [
        {"mixer": {"kind": "gla", "num_heads": 4},
         "mlp": {"kind": "swiglu", "hidden": 64}},
        {"mixer": {"kind": "gla", "num_heads": 2, "head_dim": 8},
         "mlp": {"kind": "swiglu", "hidden": 64}},
    ],
}

# Gated DeltaNet: 4 heads with dk = 8 and dv = 16 (value_head_dim defaults
# to 2 * head_dim), then 2 heads with dk = dv = 16 and 2-tap convolutions.
TINY_GDN_LIKE = {
    "format": "seqc-model",
    "version": 1,
    "name": "tiny-gdn-like",
    "vocab_size": 70,
    "d_model": 32,
    "max_context": 64,
    "blocks": [
        {"mixer": {"kind": "gated_deltanet", "num_heads": 4},
         "mlp": {"kind": "swiglu", "hidden": 64}},
        {"mixer": {"kind": "gated_deltanet", "num_heads": 2, "head_dim": 16,
                   "value_head_dim": 16, "conv_size": 2}},
    ],
}

# mLSTM: 4 heads of dk = dv = 8, then 2 heads with dk = 8, dv = 16, after an
# attention block (an xLSTM-style hybrid).
TINY_MLSTM_LIKE = {
    "format": "seqc-model",
    "version": 1,
    "name": "tiny-mlstm-like",
    "vocab_size": 66,
    "d_model": 32,
    "max_context": 64,
    "blocks": [
        {"mixer": {"kind": "mlstm", "num_heads": 4},
         "mlp": {"kind": "swiglu", "hidden": 64}},
        {"mixer": {"kind": "attention", "num_heads": 4}},
        {"mixer": {"kind": "mlstm", "num_heads": 2, "head_dim": 8}},
    ],
}

# A non-LM model: 6 features per position in (projected to d_model by
# embed.weight and embed.bias), 5 outputs per position (vocab_size), an
# LSTM, a causal conv and an attention block.
TINY_FEATURES = {
    "format": "seqc-model",
    "version": 1,
    "name": "tiny-features",
    "vocab_size": 5,
    "d_model": 32,
    "input_dim": 6,
    "max_context": 64,
    "blocks": [
        {"mixer": {"kind": "lstm"}},
        {"mixer": {"kind": "conv", "kernel": 3, "activation": "silu"},
         "mlp": {"kind": "gelu", "hidden": 48}},
        {"mixer": {"kind": "attention", "num_heads": 4, "num_kv_heads": 2}},
    ],
}

ALL = {"tiny_llama_like": TINY_LLAMA_LIKE,
       "tiny_mamba_like": TINY_MAMBA_LIKE,
       "tiny_hybrid": TINY_HYBRID,
       "tiny_mamba2_like": TINY_MAMBA2_LIKE,
       "tiny_rnn_like": TINY_RNN_LIKE,
       "tiny_gla_like": TINY_GLA_LIKE,
       "tiny_gdn_like": TINY_GDN_LIKE,
       "tiny_mlstm_like": TINY_MLSTM_LIKE,
       "tiny_features": TINY_FEATURES}
