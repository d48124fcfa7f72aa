#!/usr/bin/env bash
# Compiles every example model in examples/ into a shared library (and its C
# header) with seqc, links examples/run_examples.c against all of them, and
# runs it: each output's checksum against the float64 NumPy reference.
#
#   examples/build_and_run.sh BUILD_DIR [OUT_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$(cd "${1:?usage: build_and_run.sh BUILD_DIR [OUT_DIR]}" && pwd)"
OUT_DIR="${2:-$BUILD_DIR/examples}"
CC="${CC:-clang-22}"
mkdir -p "$OUT_DIR"

for model in attention_block mamba_mixer gla_layer lstm; do
  echo "[examples] seqc examples/$model.mlir -o $OUT_DIR/lib$model.so"
  "$BUILD_DIR/bin/seqc" "$ROOT/examples/$model.mlir" -o "$OUT_DIR/lib$model.so"
done
echo "[examples] $CC examples/run_examples.c (linked against the four libraries)"
"$CC" -O2 -Wall -Wextra -Werror -I"$ROOT/include" -I"$OUT_DIR" \
  "$ROOT/examples/run_examples.c" -L"$OUT_DIR" \
  -lattention_block -lmamba_mixer -lgla_layer -llstm -lm \
  -Wl,-rpath,"$OUT_DIR" -o "$OUT_DIR/run_examples"
echo "[examples] run_examples"
"$OUT_DIR/run_examples" "$ROOT/examples/expected_checksums.txt"
