"""Quantization (seqc --quantize=w8|w8a8|llm-int8|w4|bf16|int8-ssm): accuracy against
the fp32 library and decode speed, per model and scheme, in one run (issue 7).

    python3 bench/quantization.py             # trained tiny Llama + ~100M models
    python3 bench/quantization.py --small     # tiny models only (smoke run)
    python3 bench/quantization.py --only llama
    python3 bench/quantization.py --only mamba --schemes fp32,w8a8,int8-ssm

Models:
  trained-llama  a small Llama (d 256, 4 layers) trained here for a minute
                 with PyTorch on a synthetic language (a Markov chain whose
                 tokens each have a few likely successors), so that its
                 predictions are confident as a real model's are;
  trained-mamba  a small Mamba (d 128, 4 layers, untied head) trained the
                 same way;
  llama, mamba   the ~100M-parameter random-init models of
                 bench/model_throughput.py (nearly flat logits: top-1
                 agreement there measures ties more than quantization; the
                 random 24-layer Mamba is chaotic, bench/mamba_sensitivity.py).
For each model the fp32 library and one library per scheme are compiled
from the same Hugging Face directory; int8-ssm (Mamba models only) is
calibrated on 8 sequences of 128 tokens drawn apart from the evaluation
ones. Accuracy: forward over held-out
sequences, every position's logits against the fp32 library's: cosine
similarity (mean and min), top-1 agreement, KL(fp32 || quantized) in nats.
Speed: decode (64 greedy steps after a 128-token prompt, batch 1, best of
--reps) and prefill tokens/s, and the bytes an instance holds for weights.
Not part of the test suite.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ.setdefault("OMP_NUM_THREADS", "2")

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from model_throughput import (DECODE, PROMPT, compile_model, llama,  # noqa: E402
                              mamba, run_seqc)
from run_bench import seqc, torch  # noqa: E402
from transformers import (LlamaConfig, LlamaForCausalLM,  # noqa: E402
                          MambaConfig, MambaForCausalLM)

SCHEMES = [("fp32", {}), ("w8", {"quantize": "w8"}),
           ("w8a8", {"quantize": "w8a8"}),
           ("llm-int8", {"quantize": "llm-int8"}),
           ("w4 g64", {"quantize": "w4", "quant_group": 64}),
           ("w4 g32", {"quantize": "w4", "quant_group": 32}),
           ("w4 g64 zp", {"quantize": "w4", "quant_group": 64, "quant_zero_point": True}),
           ("w4 g32 zp", {"quantize": "w4", "quant_group": 32, "quant_zero_point": True}),
           ("bf16", {"quantize": "bf16"}),
           ("int8-ssm", {"quantize": "int8-ssm"})]
EVAL_SEQUENCES, EVAL_LENGTH = 8, 128


def markov_language(vocab, seed=0):
    """Each token's successors: 6 random tokens with probabilities 0.5,
    0.2, 0.1, 0.1, 0.05, 0.05."""
    rng = np.random.default_rng(seed)
    successors = np.stack([rng.choice(vocab, 6, replace=False) for _ in range(vocab)])
    probs = np.array([0.5, 0.2, 0.1, 0.1, 0.05, 0.05])

    def sample(batch, length, rng):
        out = np.empty((batch, length), np.int64)
        out[:, 0] = rng.integers(0, vocab, batch)
        for t in range(1, length):
            pick = rng.choice(6, batch, p=probs)
            out[:, t] = successors[out[:, t - 1], pick]
        return out
    return sample


def train(model, steps, batch):
    """AdamW on the Markov language; returns the model and a sampler of
    held-out sequences."""
    sample = markov_language(model.config.vocab_size)
    rng = np.random.default_rng(1)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    start = time.perf_counter()
    for step in range(steps):
        ids = torch.from_numpy(sample(batch, 64, rng))
        loss = model(input_ids=ids, labels=ids).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    # The chain's entropy is 1.41 nats: a loss near it is a model that has
    # learned the successors.
    print("  trained %d steps in %.0f s, final loss %.2f nats (the language's "
          "entropy: 1.41)" % (steps, time.perf_counter() - start, loss.item()),
          flush=True)
    return model.eval(), lambda rng: sample(EVAL_SEQUENCES, EVAL_LENGTH, rng)


def trained_llama(small):
    config = LlamaConfig(vocab_size=512, hidden_size=128 if small else 256,
                         intermediate_size=256 if small else 512,
                         num_hidden_layers=2 if small else 4, num_attention_heads=8,
                         num_key_value_heads=4, max_position_embeddings=512,
                         tie_word_embeddings=False)
    torch.manual_seed(0)
    return train(LlamaForCausalLM(config), 40 if small else 300, 32)


def trained_mamba(small):
    # Untied, so that the head is quantized too; transformers' CPU path of
    # the mixer is a Python loop over the sequence, hence fewer steps.
    config = MambaConfig(vocab_size=512, hidden_size=128, num_hidden_layers=2 if small else 4,
                         state_size=16, tie_word_embeddings=False)
    torch.manual_seed(0)
    return train(MambaForCausalLM(config), 20 if small else 150, 16)


def random_model(cls, build, small):
    config = build(small)
    torch.manual_seed(0)
    model = cls(config).eval()
    return model, lambda rng: rng.integers(0, config.vocab_size,
                                           (EVAL_SEQUENCES, EVAL_LENGTH))


def log_softmax(x):
    x = x.astype(np.float64)
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def accuracy(reference, logits):
    a = reference.reshape(-1, reference.shape[-1]).astype(np.float64)
    b = logits.reshape(-1, logits.shape[-1]).astype(np.float64)
    cos = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    top1 = float((a.argmax(-1) == b.argmax(-1)).mean())
    lp, lq = log_softmax(a), log_softmax(b)
    kl = float((np.exp(lp) * (lp - lq)).sum(-1).mean())
    return float(cos.mean()), float(cos.min()), top1, kl


def weight_bytes(info):
    """Bytes an instance holds for the weights: f32 tensors, quantized
    values, their f32 scales and i8 zero points."""
    total = 0
    for name, shape in info["weights"]:
        count = math.prod(shape)
        if name in info["quantized"]:
            bits, group = info["quantized"][name]
            scales = 0 if bits == 16 else 4 * count // group
            zeros = count // group if name in info["zero_points"] else 0
            total += count * bits // 8 + scales + zeros
        else:
            total += 4 * count
    return total


def bench(kind, model, sample, args, workdir):
    directory = os.path.join(workdir, kind)
    model.save_pretrained(directory, safe_serialization=True)
    weights = os.path.join(directory, "model.safetensors")
    eval_tokens = sample(np.random.default_rng(7)).astype(np.int32)
    prompt = np.random.default_rng(1).integers(0, model.config.vocab_size,
                                               (1, PROMPT)).astype(np.int32)
    max_context = 256
    calib = os.path.join(workdir, kind + "-calib.npy")
    np.save(calib, sample(np.random.default_rng(11)).astype(np.int32))
    rows, reference = [], None
    for scheme, options in SCHEMES:
        if scheme not in args.schemes:
            continue
        if options.get("quantize") == "int8-ssm":
            if "mamba" not in kind:
                continue
            options = dict(options, calib=calib, weights=weights)
        lib_path = os.path.join(workdir, "lib%s_%s.so" % (kind, scheme.replace(" ", "")))
        compile_s = compile_model(directory, max_context, lib_path, **options)
        lib = seqc.load(lib_path)
        inst = lib.model(weights, batch=EVAL_SEQUENCES)
        logits = np.concatenate([inst.forward(eval_tokens[:, :64]),
                                 inst.forward(eval_tokens[:, 64:])], axis=1)
        if reference is None:
            reference = logits
        acc = accuracy(reference, logits)
        single = lib.model(weights, batch=1)
        best_p, best_d = math.inf, math.inf
        for _ in range(args.reps):
            time.sleep(0.3)
            p, d, _ = run_seqc(single, prompt)
            best_p, best_d = min(best_p, p), min(best_d, d)
        row = {"scheme": scheme, "compile_s": compile_s,
               "quantized": len(lib.model_info["quantized"]),
               "bytes": weight_bytes(lib.model_info), "acc": acc,
               "prefill": PROMPT / best_p, "decode": DECODE / best_d}
        rows.append(row)
        print("  %-7s compiled %.1f s, %3d projections quantized, weights %.1f MB, "
              "cos %.6f (min %.6f), top-1 %.2f%%, KL %.2e, prefill %.0f tok/s, "
              "decode %.1f tok/s"
              % (scheme, compile_s, row["quantized"], row["bytes"] / 1e6, acc[0],
                 acc[1], 100 * acc[2], acc[3], row["prefill"], row["decode"]),
              flush=True)
        del inst, single, lib
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny models (smoke run)")
    parser.add_argument("--only", default="", help="models whose name contains this")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (best taken)")
    parser.add_argument("--schemes", default=",".join(s for s, _ in SCHEMES),
                        help="comma-separated schemes (fp32 first: the reference)")
    args = parser.parse_args()
    args.schemes = args.schemes.split(",")
    if args.schemes[0] != "fp32":
        parser.error("--schemes must start with fp32 (the accuracy reference)")
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    print("%d cores, %s threads (OMP_NUM_THREADS); evaluation: %d sequences x %d "
          "tokens; speed: prompt %d, %d decode steps, batch 1, best of %d\n"
          % (os.cpu_count(), os.environ["OMP_NUM_THREADS"], EVAL_SEQUENCES,
             EVAL_LENGTH, PROMPT, DECODE, args.reps), flush=True)
    models = [("trained-llama", lambda: trained_llama(args.small)),
              ("trained-mamba", lambda: trained_mamba(args.small)),
              ("llama", lambda: random_model(LlamaForCausalLM, llama, args.small)),
              ("mamba", lambda: random_model(MambaForCausalLM, mamba, args.small))]
    table = []
    with tempfile.TemporaryDirectory(prefix="seqc-quant-") as workdir:
        for kind, make in models:
            if args.only not in kind:
                continue
            print(kind + ":", flush=True)
            model, sample = make()
            params = sum(p.numel() for p in model.parameters())
            for row in bench(kind, model, sample, args, workdir):
                table.append((kind, params, row))
            print(flush=True)
    print("| model | scheme | weights MB | cos mean | cos min | top-1 | KL (nats) "
          "| prefill tok/s | decode tok/s | decode vs fp32 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    fp32 = {}
    for kind, params, r in table:
        fp32.setdefault(kind, r["decode"])
        print("| %s (%.1fM) | %s | %.1f | %.6f | %.6f | %.2f%% | %.2e | %.0f | %.1f | %.2fx |"
              % (kind, params / 1e6, r["scheme"], r["bytes"] / 1e6, r["acc"][0],
                 r["acc"][1], 100 * r["acc"][2], r["acc"][3], r["prefill"],
                 r["decode"], r["decode"] / fp32[kind]))


if __name__ == "__main__":
    sys.exit(main())
