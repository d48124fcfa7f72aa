"""IREE on the CPU as a baseline: a workload's JAX formulation, exported as
StableHLO and compiled by IREE for llvm-cpu (this machine's CPU), run by
IREE's multithreaded local-task runtime. This is what a user who deploys
through IREE gets: IREE has no attention, scan or recurrence op of its own
to write, so it compiles what JAX lowers these to (matmuls and a softmax,
associative scans, while loops).

Install with `bash bench/setup.sh` (iree-base-compiler, iree-base-runtime).
"""

import sys

import numpy as np

try:
    import iree.compiler as iree_compiler
    import iree.runtime as iree_runtime
except ImportError:
    iree_compiler = iree_runtime = None

NAME = "iree"


def version():
    """The IREE packages' version, or None without them."""
    if iree_compiler is None:
        return None
    from importlib.metadata import version as package_version
    return package_version("iree-base-compiler")


def add(baselines, label, jitted, *arg_sets):
    """Adds to `baselines` a callable that runs `jitted` (a jax.jit function)
    through IREE, each call on the next of `arg_sets` (lists of arrays). Does
    nothing without IREE; prints why where IREE does not compile it."""
    if iree_compiler is None or not arg_sets:
        return
    host_sets = [[np.asarray(a) for a in args] for args in arg_sets]
    try:
        import jax
        # Unused arguments kept, so that every set's arrays are the call's.
        stablehlo = jax.jit(jitted, keep_unused=True).lower(
            *host_sets[0]).as_text()
        vmfb = iree_compiler.compile_str(
            stablehlo, target_backends=["llvm-cpu"], input_type="stablehlo",
            extra_args=["--iree-llvmcpu-target-cpu=host"])
    except Exception as error:  # the compiler's error, whatever its kind
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print("[bench] %s: IREE did not compile it: %s" % (label, first[:200]),
              file=sys.stderr)
        return
    config = iree_runtime.Config("local-task")
    context = iree_runtime.SystemContext(config=config)
    module = iree_runtime.VmModule.copy_buffer(context.instance, vmfb)
    context.add_vm_module(module)
    main = context.modules[module.name]["main"]
    device_sets = [[iree_runtime.asdevicearray(config.device, a) for a in args]
                   for args in host_sets]
    # A baseline that computes something else would make a false ratio:
    # its first result is compared with JAX's.
    got = main(*device_sets[0])
    got = [r.to_host() for r in got] if isinstance(got, (tuple, list)) \
        else [got.to_host()]
    want = jitted(*host_sets[0])
    want = [np.asarray(w) for w in (want if isinstance(want, (tuple, list))
                                   else [want])]
    for g, w in zip(got, want):
        scale = max(1.0, float(np.abs(w).max()))
        if g.shape != w.shape or not np.allclose(g, w, rtol=1e-3,
                                                 atol=1e-3 * scale):
            print("[bench] %s: IREE's result differs from JAX's; left out"
                  % label, file=sys.stderr)
            return
    state = {"next": 0}

    def call():
        args = device_sets[state["next"]]
        state["next"] = (state["next"] + 1) % len(device_sets)
        results = main(*args)
        # to_host waits for the work (and copies the result, as seqc's
        # calls return NumPy arrays).
        if isinstance(results, (tuple, list)):
            return [r.to_host() for r in results]
        return results.to_host()
    baselines[NAME] = call
