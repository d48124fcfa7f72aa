"""seqc_harness's prebuilt libraries (SEQC_PREBUILT, scripts/gpu-check.sh):
recording compiles each library for the cuda target into a folder and
runs the test on its host-emulated build; replaying takes the library from
the folder without seqc, and says so when it is not there. Each mode is
set when the harness is imported, so each runs in its own interpreter."""

import os
import subprocess
import sys

import pytest

from seqc_harness import BUILD_DIR, cuda_unavailable

HERE = os.path.dirname(os.path.abspath(__file__))

SCRIPT = """
import os, sys
import numpy as np
import seqc_harness as h
SOURCE = '''
func.func @twice(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}'''
if sys.argv[1] == "record":
    lib = h.Library(SOURCE, extra_args=("--target=cuda",))
    (y,) = lib.call("twice", [np.arange(4, dtype=np.float32)])
    assert y.tolist() == [0.0, 2.0, 4.0, 6.0], y
    print("recorded")
elif sys.argv[1] == "replay":
    path = h.compile_library(SOURCE, sys.argv[2], ("--target=cuda",))
    print("replayed", os.path.getsize(path))
else:
    h.compile_library(SOURCE + "\\n", sys.argv[2], ("--target=cuda",))
"""


def _run(mode, folder, workdir, build_dir=BUILD_DIR):
    env = dict(os.environ, SEQC_PREBUILT="%s:%s" % (
        "record" if mode == "record" else "replay", folder),
        SEQC_BUILD_DIR=build_dir, PYTHONPATH=HERE)
    return subprocess.run([sys.executable, "-c", SCRIPT, mode, str(workdir)],
                          capture_output=True, text=True, env=env)


def test_record_then_replay_without_seqc(tmp_path):
    if (cuda_unavailable() or "").startswith("no CUDA toolkit"):
        pytest.skip("needs the CUDA toolkit to record")
    folder = tmp_path / "prebuilt"
    recorded = _run("record", folder, tmp_path)
    assert recorded.returncode == 0, recorded.stderr
    stored = os.listdir(folder)
    assert len(stored) == 1 and stored[0].endswith(".so"), stored
    # Replaying needs no seqc: a build folder that does not exist.
    work = tmp_path / "work"
    work.mkdir()
    replayed = _run("replay", folder, work, build_dir=str(tmp_path / "none"))
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.split() == [
        "replayed", str(os.path.getsize(folder / stored[0]))]
    # Another source is not there, and the error says what to do.
    missing = _run("missing", folder, work, build_dir=str(tmp_path / "none"))
    assert missing.returncode != 0
    assert "no prebuilt library" in missing.stderr
    assert "rerun scripts/gpu-check.sh prepare" in missing.stderr


def test_a_malformed_setting_is_an_error(tmp_path):
    env = dict(os.environ, SEQC_PREBUILT="replay", PYTHONPATH=HERE)
    proc = subprocess.run([sys.executable, "-c", "import seqc_harness"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    assert "SEQC_PREBUILT must be record:DIR or replay:DIR" in proc.stderr
