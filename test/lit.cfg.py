# -*- Python -*-
# lit configuration for the seqc regression tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SEQC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.seqc_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "python", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%seqc_src_root", config.seqc_src_root))
config.substitutions.append(("%seqc_obj_root", config.seqc_obj_root))
config.substitutions.append(
    ("%seqc_safetensors_test",
     os.path.join(config.seqc_obj_root, "bin", "seqc-safetensors-test")))
config.substitutions.append(
    ("%seqc_buffer_cache_test",
     os.path.join(config.seqc_obj_root, "bin", "seqc-buffer-cache-test")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.seqc_tools_dir, config.llvm_tools_dir]
tools = ["seq-opt", "seqc", "seq-run", "split-file", "llvm-nm", "llvm-readelf", "not"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# FileCheck, not, count and split-file come from LLVM's tools directory.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# The CUDA target's PTX and ptxas tests need the CUDA toolkit where seqc
# looks for it (lib/Target/CUDATarget.cpp); without it they report
# UNSUPPORTED rather than pass.
def _cuda_toolkit():
    candidates = [os.environ.get(v) for v in ("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT")]
    candidates.append("/usr/local/cuda")
    for d in filter(None, candidates):
        if all(os.path.exists(os.path.join(d, p)) for p in
               ("bin/ptxas", "bin/fatbinary", "nvvm/libdevice/libdevice.10.bc")):
            return d
    return None

_toolkit = _cuda_toolkit()
if _toolkit:
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(("%ptxas", os.path.join(_toolkit, "bin", "ptxas")))
    config.substitutions.append(("%cuda_home", _toolkit))
    llvm_config.with_system_environment(["CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"])
