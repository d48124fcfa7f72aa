#!/usr/bin/env bash
# Installs the benchmark's baselines (not needed by the tests): PyTorch, JAX
# and IREE (compiler and runtime) on CPU, and matplotlib for the plots of
# bench/scaling.py, from PyPI.
# Run after scripts/setup.sh and a build.
set -euo pipefail
python3 -m pip install -q torch "jax[cpu]" iree-base-compiler iree-base-runtime matplotlib
