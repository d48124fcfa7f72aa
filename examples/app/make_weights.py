#!/usr/bin/env python3
"""Random weights for a seqc-model description, and the greedy continuation
the float64 NumPy reference computes with them.

    make_weights.py DESC.json OUT.safetensors [--seed S]
                    [--expect PROMPT_ID... -n N]

Writes every weight the description needs (test/python/model_reference.py's
random_weights, a fixed seed) to OUT.safetensors as float32. With --expect,
also decodes greedily from the prompt with reference_logits (float64, the
whole growing sequence each time, argmax of the last row) and prints

    expect: ID ID ...                     (the N generated ids)
    smallest top-2 logit gap: G (at step K)

on stdout. The app computes in float32; a gap far above the float32
rounding of the logits (~1e-5 here) means the two argmaxes must agree.
"""

import argparse
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test", "python"))

from model_reference import (normalize_description, random_weights,  # noqa: E402
                             reference_logits)
from safetensors_io import write_safetensors  # noqa: E402

SEED = 20240611


def greedy(desc, weights, prompt, n):
    """The n ids greedy decoding appends to `prompt`, and per step the gap
    between the largest and the second largest logit."""
    sequence = list(prompt)
    ids, gaps = [], []
    for _ in range(n):
        last = reference_logits(desc, weights, np.array([sequence]))[0, -1]
        order = np.argsort(last)
        ids.append(int(order[-1]))
        gaps.append(float(last[order[-1]] - last[order[-2]]))
        sequence.append(ids[-1])
    return ids, gaps


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Random weights for a seqc-model description (and the "
                    "float64 reference's greedy continuation of a prompt).")
    parser.add_argument("description", help="a seqc-model .json file")
    parser.add_argument("output", help="the safetensors file to write")
    parser.add_argument("--seed", type=int, default=SEED,
                        help="random seed (default %(default)s)")
    parser.add_argument("--expect", type=int, nargs="+", metavar="ID",
                        help="a prompt: print the reference's greedy "
                             "continuation of it")
    parser.add_argument("-n", type=int, default=16,
                        help="tokens to generate with --expect "
                             "(default %(default)s)")
    args = parser.parse_args(argv)

    with open(args.description) as f:
        desc = normalize_description(json.load(f))
    weights = random_weights(desc, seed=args.seed)
    write_safetensors(args.output, weights)
    print(f"wrote {len(weights)} tensors "
          f"({sum(w.size for w in weights.values())} floats, seed "
          f"{args.seed}) to {args.output}", file=sys.stderr)
    if args.expect is None:
        return 0

    if args.n < 0:
        parser.error("-n must be >= 0")
    vocab, context = desc["vocab_size"], desc["max_context"]
    if any(t < 0 or t >= vocab for t in args.expect):
        parser.error(f"prompt ids must be in [0, {vocab})")
    # As the app does: stop when the context is full (the last generated
    # token is never fed back, so len(prompt) + n - 1 tokens at most).
    n = max(0, min(args.n, context - len(args.expect) + 1))
    # The reference sees the weights the app reads: the float32 values.
    weights64 = {k: v.astype(np.float64) for k, v in weights.items()}
    ids, gaps = greedy(desc, weights64, args.expect, n)
    print("expect: " + " ".join(map(str, ids)))
    if gaps:
        k = int(np.argmin(gaps))
        print(f"smallest top-2 logit gap: {gaps[k]:.4g} (at step {k})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
