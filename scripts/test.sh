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
# One plain closing line, whatever lit's own summary looks like.
passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$LOG" | tail -1)
failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$LOG" | tail -1)
echo "lit: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -eq 0 ] && [ "${passed:-0}" -eq 0 ]; then
  echo "[seqc test] no test ran" >&2
  exit 1
fi
exit "$status"
