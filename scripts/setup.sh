#!/usr/bin/env bash
# Installs everything seqc needs on a fresh Debian 12 machine and configures
# the build in ./build. Idempotent: a second run installs nothing and only
# re-runs CMake when the build directory is missing.
#
#   SEQC_BUILD_DIR   build directory (default: build)
#   SEQC_BUILD_TYPE  CMake build type (default: Release)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${SEQC_BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${SEQC_BUILD_TYPE:-Release}"
LLVM_VERSION=22

APT_PACKAGES=(
  cmake ninja-build ccache git
  "llvm-$LLVM_VERSION-dev" "libmlir-$LLVM_VERSION-dev" "mlir-$LLVM_VERSION-tools"
  "llvm-$LLVM_VERSION-tools" "clang-$LLVM_VERSION" "lld-$LLVM_VERSION"
  "libomp-$LLVM_VERSION-dev" "libclang-rt-$LLVM_VERSION-dev"
)
PIP_PACKAGES=(numpy pytest nanobind ml_dtypes)

log() { printf '[seqc setup] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages present"
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import numpy, pytest, nanobind, ml_dtypes' 2>/dev/null; then
  log "installing Python packages: ${PIP_PACKAGES[*]}"
  "$PYTHON" -m pip install -q "${PIP_PACKAGES[@]}"
else
  log "Python packages present"
fi

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  log "configuring $BUILD_DIR ($BUILD_TYPE)"
  LLVM_PREFIX="/usr/lib/llvm-$LLVM_VERSION"
  cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    -DCMAKE_C_COMPILER="clang-$LLVM_VERSION" \
    -DCMAKE_CXX_COMPILER="clang++-$LLVM_VERSION" \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit" \
    -DPython3_EXECUTABLE="$(command -v "$PYTHON")" \
    ${SEQC_CMAKE_ARGS:-}
else
  log "build directory $BUILD_DIR already configured"
fi
