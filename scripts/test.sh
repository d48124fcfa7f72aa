#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds and runs the whole seqc test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${SEQC_BUILD_DIR:-$ROOT/build}"
JOBS="${SEQC_JOBS:-2}"

bash "$ROOT/scripts/setup.sh"
echo "[seqc test] building and running check-seqc"
LOG="$BUILD_DIR/check-seqc.log"
set +e
ninja -C "$BUILD_DIR" -j"$JOBS" check-seqc 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
# One plain closing line over both runners (lit's "Passed: N", pytest's
# "N passed").
lit_passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$LOG" | tail -1 || true)
lit_failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$LOG" | tail -1 || true)
py_passed=$(grep -oE '[0-9]+ passed' "$LOG" | tail -1 | cut -d' ' -f1 || true)
py_failed=$(grep -oE '[0-9]+ failed' "$LOG" | tail -1 | cut -d' ' -f1 || true)
passed=$(( ${lit_passed:-0} + ${py_passed:-0} ))
failed=$(( ${lit_failed:-0} + ${py_failed:-0} ))
echo "$passed $failed" > "$BUILD_DIR/test-summary"
echo "tests: $passed passed, $failed failed"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "[seqc test] no test ran" >&2
  exit 1
fi
exit "$status"
