#!/usr/bin/env bash
# The application example end to end: compiles examples/models/tiny_hybrid.json
# into a shared library (+ header) with seqc, builds examples/app/generate.c
# against it, writes random weights, generates 16 tokens greedily from a
# fixed prompt and compares them with the float64 NumPy reference's greedy
# continuation (examples/app/make_weights.py).
#
#   examples/app/run_app.sh BUILD_DIR [OUT_DIR]      (CC: default clang-22)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="$(cd "${1:?usage: run_app.sh BUILD_DIR [OUT_DIR]}" && pwd)"
OUT_DIR="${2:-$BUILD_DIR/examples/app}"
CC="${CC:-clang-22}"
PYTHON="${PYTHON:-python3}"
MODEL=tiny_hybrid
PROMPT=(10 20 30 40 50 60 70 80)
N=16
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

echo "[app] seqc examples/models/$MODEL.json -o $OUT_DIR/lib$MODEL.so"
"$BUILD_DIR/bin/seqc" "$ROOT/examples/models/$MODEL.json" -o "$OUT_DIR/lib$MODEL.so"
echo "[app] $CC examples/app/generate.c -l$MODEL"
"$CC" -std=c99 -O2 -Wall -Wextra -Werror -I"$ROOT/include" -I"$OUT_DIR" \
  "$ROOT/examples/app/generate.c" -L"$OUT_DIR" -l"$MODEL" \
  -Wl,-rpath,"$OUT_DIR" -o "$OUT_DIR/generate"
echo "[app] make_weights.py (float64 reference: greedy continuation of ${PROMPT[*]})"
"$PYTHON" "$ROOT/examples/app/make_weights.py" "$ROOT/examples/models/$MODEL.json" \
  "$OUT_DIR/$MODEL.safetensors" --expect "${PROMPT[@]}" -n "$N" \
  > "$OUT_DIR/expected.txt"
sed 's/^/[app] /' "$OUT_DIR/expected.txt"
echo "[app] generate $MODEL.safetensors -n $N ${PROMPT[*]}"
"$OUT_DIR/generate" "$OUT_DIR/$MODEL.safetensors" -n "$N" "${PROMPT[@]}" \
  > "$OUT_DIR/generated.txt"
sed 's/^/[app] /' "$OUT_DIR/generated.txt"

expected="$(sed -n 's/^expect: //p' "$OUT_DIR/expected.txt")"
generated="$(head -n 1 "$OUT_DIR/generated.txt")"
if [ -z "$expected" ] || [ "$generated" != "$expected" ]; then
  echo "app: MISMATCH between the generated tokens and the float64 reference" >&2
  echo "  generated: $generated" >&2
  echo "  reference: $expected" >&2
  exit 1
fi
echo "app: generated tokens match the float64 reference"
