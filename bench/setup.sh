#!/usr/bin/env bash
# Installs the benchmark's baselines (not needed by the tests): PyTorch and
# JAX on CPU, from PyPI. Run after scripts/setup.sh and a build.
set -euo pipefail
python3 -m pip install -q torch "jax[cpu]"
