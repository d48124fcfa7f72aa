#!/usr/bin/env bash
# The main job, for now: set up, build seq-opt, and run it over an example
# model (examples/mamba_mixer.mlir), printing the IR after seqc's passes.
# Later milestones make this compile the example into a shared library and
# run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${SEQC_BUILD_DIR:-$ROOT/build}"
EXAMPLE="${1:-$ROOT/examples/mamba_mixer.mlir}"
SEQC_DEMO_PIPELINE="${SEQC_DEMO_PIPELINE:---resolve-ranked-shaped-type-result-dims --canonicalize --cse}"

bash "$ROOT/scripts/setup.sh"
echo "[seqc demo] building seq-opt"
ninja -C "$BUILD_DIR" -j"${SEQC_JOBS:-2}" seq-opt
echo "[seqc demo] seq-opt $(basename "$EXAMPLE") $SEQC_DEMO_PIPELINE"
"$BUILD_DIR/bin/seq-opt" "$EXAMPLE" $SEQC_DEMO_PIPELINE
