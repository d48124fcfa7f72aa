#!/usr/bin/env bash
# The main job: set up, build seqc, compile the example models in examples/
# (an attention block, a Mamba mixer, a GLA layer, an LSTM) into shared
# libraries, and run them from a C program linked against them, which
# prints a checksum of every output and compares it with a stored float64
# reference; then the application example (examples/app): a hybrid
# Mamba/attention model description compiled by seqc, a C program that
# loads its weights and generates tokens greedily, checked against the
# float64 reference's continuation.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${SEQC_BUILD_DIR:-$ROOT/build}"

bash "$ROOT/scripts/setup.sh"
echo "[seqc demo] building seqc"
ninja -C "$BUILD_DIR" -j"${SEQC_JOBS:-2}" seqc seq-opt seq-run seqc_runtime
bash "$ROOT/examples/build_and_run.sh" "$BUILD_DIR"
bash "$ROOT/examples/app/run_app.sh" "$BUILD_DIR"
