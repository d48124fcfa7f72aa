#!/usr/bin/env bash
# The GPU checks of issue 6 in one run, for a machine with an NVIDIA GPU
# (docs/cuda.md, "Tests"): every test of the real CUDA target (the "cuda"
# parameter of the per-op tests, the tensor-core tests, test_cuda.py's
# device calls and models; skipped with the reason where no GPU answers),
# then bench/gpu_bench.py if PyTorch with CUDA is installed. Needs a built
# tree (bash scripts/setup.sh && ninja -C build). Writes its reports under
# $OUT (default build/gpu-check): nvidia-smi.txt, pytest.txt, gpu_bench.md.
#
#   bash scripts/gpu-check.sh            # tests, then the --quick benchmark
#   BENCH=full bash scripts/gpu-check.sh # the full-size benchmark
set -u
cd "$(dirname "$0")/.."
BUILD=${SEQC_BUILD_DIR:-build}
OUT=${OUT:-$BUILD/gpu-check}
mkdir -p "$OUT"

if [ ! -x "$BUILD/bin/seqc" ] || [ ! -d "$BUILD/python" ]; then
  echo "gpu-check: no built tree in $BUILD (run scripts/setup.sh and ninja -C $BUILD)" >&2
  exit 2
fi
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 ||
  echo "gpu-check: nvidia-smi failed; the cuda tests will say why they skip" >&2

echo "gpu-check: CUDA-target tests (report: $OUT/pytest.txt)"
PYTHONPATH="$BUILD/python:test/python" SEQC_BUILD_DIR="$BUILD" \
  python3 -m pytest -q -rs -k "cuda and not emulated" test/python \
  > "$OUT/pytest.txt" 2>&1
status=$?
tail -n 5 "$OUT/pytest.txt"

if python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  echo "gpu-check: benchmark (report: $OUT/gpu_bench.md)"
  quick=--quick
  [ "${BENCH:-quick}" = full ] && quick=
  SEQC_BUILD_DIR="$BUILD" python3 bench/gpu_bench.py $quick \
    > "$OUT/gpu_bench.md" 2>&1 || echo "gpu-check: the benchmark failed" >&2
  cat "$OUT/gpu_bench.md"
else
  echo "gpu-check: no PyTorch with CUDA; benchmark not run" | tee "$OUT/gpu_bench.md"
fi
exit $status
