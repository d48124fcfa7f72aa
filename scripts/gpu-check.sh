#!/usr/bin/env bash
# The GPU checks of issue 6 (docs/cuda.md, "Tests"), in two steps, because
# the machine with the GPU need not have seqc (nor LLVM and MLIR 22):
#
#   bash scripts/gpu-check.sh prepare   # here, in a built tree: compile
#       every library the GPU tests and the GPU benchmark (both sizes)
#       use, for $SEQC_GPU_ARCH (default sm_90), into $PREBUILT (default
#       build/gpu-prebuilt, about 35 MB), keyed by source and arguments
#       (seqc_harness.py, SEQC_PREBUILT). The tests run meanwhile on the
#       libraries' host-emulated builds.
#   bash scripts/gpu-check.sh run       # on the GPU machine, with the
#       prepared folder: every test of the real CUDA target (the "cuda"
#       parameter of the per-op tests, the tensor-core and recurrence
#       kernels, every model fixture), then bench/gpu_bench.py if PyTorch
#       with CUDA is there. Needs Python with NumPy and pytest only.
#
# Reports go under $OUT (default build/gpu-check): nvidia-smi.txt,
# pytest.txt, gpu_bench.md (its progress and errors: gpu_bench.log).
# BENCH=full runs the full-size benchmark, BENCH=none none.
set -u
cd "$(dirname "$0")/.."
BUILD=${SEQC_BUILD_DIR:-build}
PREBUILT=$(realpath -m "${PREBUILT:-$BUILD/gpu-prebuilt}")
OUT=${OUT:-$BUILD/gpu-check}
export SEQC_GPU_ARCH=${SEQC_GPU_ARCH:-sm_90}
PYTHON=${PYTHON:-python3}
# The test files with a "cuda" target; test_cuda.py and
# test_python_package.py need the seqc package and test a machine without
# a GPU.
TESTS=$(grep -l -e '"cuda"' -e 'TARGETS' test/python/test_*.py |
        grep -v -e test_cuda.py -e test_python_package.py)
BENCH_ARGS=--quick
[ "${BENCH:-quick}" = full ] && BENCH_ARGS=

case "${1:-}" in
prepare)
  if [ ! -x "$BUILD/bin/seqc" ]; then
    echo "gpu-check: no seqc in $BUILD (run scripts/setup.sh and ninja -C $BUILD)" >&2
    exit 2
  fi
  # A library's name is its source's and arguments' hash, not the
  # compiler's: one from an earlier seqc would pass for a current one.
  rm -rf "$PREBUILT"
  mkdir -p "$PREBUILT"
  parallel=
  "$PYTHON" -c "import xdist" 2>/dev/null && parallel="-n $(nproc) --dist loadfile"
  echo "gpu-check: compiling the GPU tests' libraries for $SEQC_GPU_ARCH into $PREBUILT"
  mkdir -p "$OUT"
  SEQC_PREBUILT="record:$PREBUILT" SEQC_BUILD_DIR="$BUILD" \
    PYTHONPATH="$BUILD/python:test/python" \
    "$PYTHON" -m pytest -q -rs -p no:cacheprovider $parallel \
    -k "cuda and not emulated" $TESTS > "$OUT/prepare.txt" 2>&1
  status=$?
  tail -n 3 "$OUT/prepare.txt"
  # A test that fails on the emulated build has its libraries recorded all
  # the same, up to the failure; the run on the GPU shows it too.
  [ $status -le 1 ] || { echo "gpu-check: recording failed ($OUT/prepare.txt)" >&2; exit 1; }
  if [ "${BENCH:-quick}" != none ]; then
    echo "gpu-check: compiling the GPU benchmark's workloads (--quick and full)"
    for size in --quick ""; do
      SEQC_PREBUILT="record:$PREBUILT" SEQC_BUILD_DIR="$BUILD" \
        "$PYTHON" bench/gpu_bench.py --compile-only --gpu-arch "$SEQC_GPU_ARCH" \
        $size > /dev/null || exit 1
    done
  fi
  echo "gpu-check: $(ls "$PREBUILT" | wc -l) libraries, $(du -sh "$PREBUILT" | cut -f1)"
  ;;
run)
  if [ ! -d "$PREBUILT" ]; then
    echo "gpu-check: no $PREBUILT (run 'bash scripts/gpu-check.sh prepare' where seqc is built)" >&2
    exit 2
  fi
  mkdir -p "$OUT"
  nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 ||
    echo "gpu-check: nvidia-smi failed; the cuda tests will say why they skip" >&2
  echo "gpu-check: CUDA-target tests (report: $OUT/pytest.txt)"
  # A file at a time: a kernel's fault spoils its process's CUDA context
  # for every later call, and should spoil no other file's tests.
  status=0
  : > "$OUT/pytest.txt"
  for test in $TESTS; do
    SEQC_PREBUILT="replay:$PREBUILT" PYTHONPATH=test/python \
      "$PYTHON" -m pytest -q -rs -p no:cacheprovider ${PYTEST_ARGS:-} \
      -k "cuda and not emulated" "$test" >> "$OUT/pytest.txt" 2>&1 || status=1
    echo "gpu-check: $test: $(tail -n 1 "$OUT/pytest.txt")"
  done
  if [ "${BENCH:-quick}" = none ]; then
    exit $status
  fi
  if "$PYTHON" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
    echo "gpu-check: benchmark (report: $OUT/gpu_bench.md)"
    SEQC_PREBUILT="replay:$PREBUILT" PYTHONFAULTHANDLER=1 \
      "$PYTHON" bench/gpu_bench.py $BENCH_ARGS > "$OUT/gpu_bench.md" \
      2> "$OUT/gpu_bench.log" || echo "gpu-check: the benchmark failed ($OUT/gpu_bench.log)" >&2
    cat "$OUT/gpu_bench.md"
  else
    echo "gpu-check: no PyTorch with CUDA; benchmark not run" | tee "$OUT/gpu_bench.md"
  fi
  exit $status
  ;;
*)
  echo "usage: bash scripts/gpu-check.sh prepare|run (see the script's header)" >&2
  exit 2
  ;;
esac
