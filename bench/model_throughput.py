"""Whole-model throughput: ~100M-parameter Llama- and Mamba-style models with
random weights, compiled by seqc and run beside PyTorch eager on the same
weights and tokens (issue 5).

    python3 bench/model_throughput.py            # ~100M-parameter models
    python3 bench/model_throughput.py --small    # tiny models, a smoke run
    python3 bench/model_throughput.py --only mamba

For each model: build it with transformers (random init, no download),
save_pretrained to a temporary directory, compile it with
seqc.compile(dir, max_context=N) (timed; in a child Python so that progress
can be printed while it runs), create an instance from model.safetensors,
check the logits against PyTorch's (the prompt, then a few decode steps fed
the same tokens), then time, best of --reps repetitions (seqc and PyTorch
alternating, the state reset before each):
  prefill: one forward over a 128-token prompt (batch 1), logits for every
           position and the state written (PyTorch: use_cache=True);
  decode:  64 greedy steps after that prompt, argmax of each step's logits
           fed back (seqc: Model.step; PyTorch: the model's forward with its
           own KV cache / Mamba cache, by hand rather than generate()).
PyTorch runs eager, fp32, model.eval(), torch.no_grad(), with as many
threads as seqc's OpenMP (OMP_NUM_THREADS, 2 unless set).

Decode GB/s = bytes of weights one decode step must read / time per step:
4 bytes per parameter, less the input embedding table when the head is not
tied to it (one row of it is read per token). KV cache and SSM state
traffic (a few MB per step here) is not counted. It is printed beside the
triad bandwidth measured by bench/peak.c in the same run (run_bench's
measure_peak, before and after the models; the higher kept).

The timings are only as good as the machine is quiet: each model prints how
many cores other processes kept busy just before it was timed. Not part of
the test suite.
"""

import os

# Before NumPy and torch load their libraries: NumPy's OpenBLAS threads
# would otherwise spin against seqc's OpenMP threads on a small machine.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ.setdefault("OMP_NUM_THREADS", "2")

import argparse  # noqa: E402
import gc  # noqa: E402
import inspect  # noqa: E402
import math  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

# run_bench puts the built seqc module on sys.path and measures the peak.
from run_bench import BUILD, measure_peak, seqc, torch  # noqa: E402

if torch is None:
    sys.exit("model_throughput: torch is not importable (bash bench/setup.sh)")
import transformers  # noqa: E402
from transformers import (LlamaConfig, LlamaForCausalLM, MambaConfig,  # noqa: E402
                          MambaForCausalLM)

THREADS = int(os.environ["OMP_NUM_THREADS"])
torch.set_num_threads(THREADS)
transformers.utils.logging.set_verbosity_error()   # Mamba's CPU-fallback notes
transformers.utils.logging.disable_progress_bar()

PROMPT = 128
DECODE = 64
CHECK_STEPS = 8
TOLERANCE = 1e-3   # of the logit scale, max |PyTorch logits|


def llama(small):
    if small:
        return LlamaConfig(vocab_size=1000, hidden_size=128, intermediate_size=256,
                           num_hidden_layers=2, num_attention_heads=4,
                           num_key_value_heads=2, max_position_embeddings=1024,
                           tie_word_embeddings=False)
    return LlamaConfig(vocab_size=16000, hidden_size=768, intermediate_size=2048,
                       num_hidden_layers=12, num_attention_heads=12,
                       num_key_value_heads=4, max_position_embeddings=1024,
                       tie_word_embeddings=False)


def mamba(small):
    # MambaConfig's default ties the head to the embedding, as released
    # Mamba checkpoints do.
    if small:
        return MambaConfig(vocab_size=1000, hidden_size=128, num_hidden_layers=2,
                           state_size=16)
    return MambaConfig(vocab_size=16000, hidden_size=768, num_hidden_layers=24,
                       state_size=16)


MODELS = [("llama", llama, LlamaForCausalLM), ("mamba", mamba, MambaForCausalLM)]


class TorchRunner:
    """The model's own forward with its cache, as generate() would call it."""

    def __init__(self, model):
        self.model = model
        # The cache argument (and output field) is `cache` in recent
        # transformers 5 releases, `past_key_values` / `cache_params` before.
        names = inspect.signature(model.forward).parameters
        self.cache_arg = next(n for n in ("cache", "past_key_values", "cache_params")
                              if n in names)

    def forward(self, ids, cache=None):
        out = self.model(input_ids=ids, use_cache=True, **{self.cache_arg: cache})
        return out.logits, getattr(out, self.cache_arg)


def describe(config, kind):
    if kind == "llama":
        return "llama %dL d%d ff%d H%d/%d" % (
            config.num_hidden_layers, config.hidden_size, config.intermediate_size,
            config.num_attention_heads, config.num_key_value_heads)
    return "mamba %dL d%d N%d" % (config.num_hidden_layers, config.hidden_size,
                                  config.state_size)


def compile_model(directory, max_context, output, **options):
    """seqc.compile(directory, max_context=..., **options) in a child Python
    (the call holds the GIL), printing progress; returns the compile seconds
    measured around the call in the child."""
    code = ("import sys, time; sys.path.insert(0, %r); import seqc; "
            "t = time.perf_counter(); "
            "seqc.compile(%r, max_context=%d, output=%r, **%r); "
            "print('compile_s', time.perf_counter() - t)"
            % (os.path.join(BUILD, "python"), directory, max_context, output,
               options))
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    next_report = 15
    while child.poll() is None:
        time.sleep(0.5)
        elapsed = time.perf_counter() - start
        if elapsed >= next_report:
            print("    ... compiling, %.0f s" % elapsed, flush=True)
            next_report += 15
    out, err = child.communicate()
    if child.returncode != 0:
        sys.exit("model_throughput: seqc.compile failed:\n" + err + out)
    return float(out.split()[-1])


def check(inst, runner, prompt):
    """Max |seqc - PyTorch| over the prompt's logits and CHECK_STEPS decode
    steps fed the same (PyTorch's greedy) tokens; exits beyond TOLERANCE."""
    inst.reset()
    with torch.no_grad():
        ref, cache = runner.forward(torch.from_numpy(prompt))
        ref = ref.numpy()
        out = inst.forward(prompt)
        scale = float(np.abs(ref).max())
        prefill_err = float(np.abs(out - ref).max())
        step_err = 0.0
        token = int(ref[0, -1].argmax())
        for _ in range(CHECK_STEPS):
            r, cache = runner.forward(torch.tensor([[token]]), cache)
            r = r[0, -1].numpy()
            s = inst.step(np.array([token]))[0]
            scale = max(scale, float(np.abs(r).max()))
            step_err = max(step_err, float(np.abs(s - r).max()))
            token = int(r.argmax())
    print("  check: max |seqc - torch| prompt logits %.3g, %d decode steps %.3g "
          "(logit scale %.3g, tolerance %.3g)"
          % (prefill_err, CHECK_STEPS, step_err, scale, TOLERANCE * scale), flush=True)
    if max(prefill_err, step_err) > TOLERANCE * scale:
        sys.exit("model_throughput: FAILED: seqc's logits differ from PyTorch's "
                 "by %.3g > %.3g" % (max(prefill_err, step_err), TOLERANCE * scale))


def run_seqc(inst, prompt):
    """(prefill s, decode s, generated ids), from position 0."""
    inst.reset()
    t0 = time.perf_counter()
    logits = inst.forward(prompt)
    t1 = time.perf_counter()
    token = int(logits[0, -1].argmax())
    ids = []
    t2 = time.perf_counter()
    for _ in range(DECODE):
        token = int(inst.step(np.array([token], np.int32))[0].argmax())
        ids.append(token)
    t3 = time.perf_counter()
    return t1 - t0, t3 - t2, ids


def run_torch(runner, prompt):
    with torch.no_grad():
        ids_in = torch.from_numpy(prompt)
        t0 = time.perf_counter()
        logits, cache = runner.forward(ids_in)
        t1 = time.perf_counter()
        token = logits[:, -1].argmax(-1, keepdim=True)
        ids = []
        t2 = time.perf_counter()
        for _ in range(DECODE):
            logits, cache = runner.forward(token, cache)
            token = logits[:, -1].argmax(-1, keepdim=True)
            ids.append(int(token))
        t3 = time.perf_counter()
    return t1 - t0, t3 - t2, ids


def busy_cores(seconds=1.0):
    """Cores kept busy by other processes while this one sleeps (/proc/stat)."""
    def sample():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]   # total, idle + iowait
    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    if total1 == total0:
        return 0.0
    return os.cpu_count() * (1 - (idle1 - idle0) / (total1 - total0))


def best_of(reps, runs):
    """For each of `runs` (name -> fn), the best prefill and best decode time
    over `reps` runs, each from a reset state, and the ids of the last run.
    The runs alternate, so that a slow spell of a shared machine slows both
    sides rather than one. A pause before each run lets the other runtime's
    OpenMP threads stop spinning."""
    best = {name: [math.inf, math.inf, None] for name in runs}
    for _ in range(reps):
        for name, fn in runs.items():
            time.sleep(0.3)
            p, d, ids = fn()
            b = best[name]
            b[0], b[1], b[2] = min(b[0], p), min(b[1], d), ids
    return best


def bench_model(kind, build, cls, args, workdir):
    config = build(args.small)
    torch.manual_seed(0)
    model = cls(config).eval()
    params = sum(p.numel() for p in model.parameters())   # tied ones once
    embed = model.get_input_embeddings().weight.numel()
    tied = bool(config.tie_word_embeddings)
    read_params = params if tied else params - embed + config.hidden_size
    name = describe(config, kind)
    print("%s: %.1fM parameters (%s head), %.1fM read per decode step"
          % (name, params / 1e6, "tied" if tied else "untied", read_params / 1e6),
          flush=True)

    directory = os.path.join(workdir, kind)
    model.save_pretrained(directory, safe_serialization=True)
    max_context = -(-(PROMPT + DECODE) // 256) * 256
    print("  compiling with seqc.compile(dir, max_context=%d) ..." % max_context,
          flush=True)
    lib_path = os.path.join(workdir, "lib%s.so" % kind)
    compile_s = compile_model(directory, max_context, lib_path)
    print("  compiled in %.1f s" % compile_s, flush=True)
    inst = seqc.load(lib_path).model(os.path.join(directory, "model.safetensors"))

    prompt = np.random.default_rng(1).integers(0, config.vocab_size, (1, PROMPT))
    runner = TorchRunner(model)
    check(inst, runner, prompt)
    # Other processes' load distorts 2-thread timings on a small machine.
    print("  other processes' load before timing: %.2f cores busy" % busy_cores(),
          flush=True)

    best = best_of(args.reps, {"seqc": lambda: run_seqc(inst, prompt),
                               "torch": lambda: run_torch(runner, prompt)})
    (sp, sd, s_ids), (tp, td, t_ids) = best["seqc"], best["torch"]
    for side, (p, d, _) in best.items():
        print("  %-6s prefill %.1f ms, decode %.2f ms/token" % (side + ":", p * 1e3,
                                                               d / DECODE * 1e3))
    same = next((i for i, (a, b) in enumerate(zip(s_ids, t_ids)) if a != b), None)
    print("  greedy continuations: %s" % ("identical (%d tokens)" % DECODE if same is None
                                          else "first differ at step %d" % same))
    gbs = 4.0 * read_params * DECODE / sd / 1e9
    row = {"model": name, "params": params, "compile_s": compile_s,
           "prefill": (PROMPT / sp, PROMPT / tp), "decode": (DECODE / sd, DECODE / td),
           "decode_gbs": gbs, "torch_decode_gbs": 4.0 * read_params * DECODE / td / 1e9}
    del inst, runner, model
    gc.collect()
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny models (smoke run)")
    parser.add_argument("--only", default="", help="models whose kind contains this")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (best taken)")
    args = parser.parse_args()

    # The peak is measured before and after the models and the higher one
    # kept: a shared VM can lose a core for a while, and a triad measured low
    # would inflate the decode's fraction of it.
    peak_gflops, triad_gbs = measure_peak()
    print("machine: %d cores, measured peak %.1f GFLOP/s fp32, %.1f GB/s triad; "
          "%d threads (OMP_NUM_THREADS), torch %s, transformers %s\n"
          % (os.cpu_count(), peak_gflops, triad_gbs, THREADS, torch.__version__,
             transformers.__version__), flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="seqc-models-") as workdir:
        for kind, build, cls in MODELS:
            if args.only in kind:
                rows.append(bench_model(kind, build, cls, args, workdir))
                print(flush=True)

    peak_after, triad_after = measure_peak()
    print("measured again: peak %.1f GFLOP/s, %.1f GB/s triad" % (peak_after, triad_after))
    triad_gbs = max(triad_gbs, triad_after)
    for r in rows:
        r["triad_fraction"] = r["decode_gbs"] / triad_gbs
    print()
    print("prompt %d tokens, %d greedy decode steps, batch 1, fp32, %d threads, "
          "best of %d" % (PROMPT, DECODE, THREADS, args.reps))
    print("| model | params | compile s | prefill tok/s seqc | torch | seqc/torch "
          "| decode tok/s seqc | torch | seqc/torch | decode GB/s | % of triad |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %.1fM | %.1f | %.0f | %.0f | %.2fx | %.1f | %.1f | %.2fx | %.1f | %.0f%% |"
              % (r["model"], r["params"] / 1e6, r["compile_s"], r["prefill"][0],
                 r["prefill"][1], r["prefill"][0] / r["prefill"][1], r["decode"][0],
                 r["decode"][1], r["decode"][0] / r["decode"][1], r["decode_gbs"],
                 100 * r["triad_fraction"]))
    print("(triad %.1f GB/s; PyTorch's decode reads the same weights at %s GB/s)"
          % (triad_gbs, ", ".join("%.1f" % r["torch_decode_gbs"] for r in rows)))


if __name__ == "__main__":
    main()
