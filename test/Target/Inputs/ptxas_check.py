#!/usr/bin/env python3
"""Assembles every kernel module of `seqc --target=cuda --emit=ptx` output
with ptxas and checks its resource use against a budget.

  ptxas_check.py PTXAS ARCH FILE [--max-spill-bytes N] [--max-registers N]
                 [--max-mma-registers N]

Kernels that use tensor cores (mma.sync) keep their matrix fragments in
registers and have a budget of their own (--max-mma-registers).

Prints one line per kernel (registers, spill bytes) and a summary; exits 1
when ptxas fails or a kernel is over the budget.
"""
import argparse
import re
import subprocess
import sys
import tempfile


def modules(text):
    """(name, ptx) for each `// gpu.module @name` section."""
    parts = re.split(r"^// gpu\.module @(\S+)\n", text, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ptxas")
    parser.add_argument("arch")
    parser.add_argument("file")
    parser.add_argument("--max-spill-bytes", type=int, default=0)
    parser.add_argument("--max-registers", type=int, default=255)
    parser.add_argument("--max-mma-registers", type=int, default=255)
    args = parser.parse_args()
    with open(args.file) as f:
        found = modules(f.read())
    if not found:
        print("error: no gpu.module in " + args.file)
        return 1
    failures, max_registers, spills = 0, 0, 0
    for name, ptx in found:
        with tempfile.NamedTemporaryFile("w", suffix=".ptx") as src:
            src.write(ptx)
            src.flush()
            run = subprocess.run([args.ptxas, "-arch=" + args.arch, "-v",
                                  "-o", "/dev/null", src.name],
                                 capture_output=True, text=True)
        if run.returncode != 0:
            print("FAIL %s: ptxas: %s" % (name, run.stderr.strip()))
            failures += 1
            continue
        registers = [int(r) for r in re.findall(r"Used (\d+) registers", run.stderr)]
        spill = sum(int(a) + int(b) for a, b in re.findall(
            r"(\d+) bytes spill stores, (\d+) bytes spill loads", run.stderr))
        reg = max(registers) if registers else 0
        max_registers = max(max_registers, reg)
        spills += spill
        mma = "mma.sync" in ptx
        budget = args.max_mma_registers if mma else args.max_registers
        over = spill > args.max_spill_bytes or reg > budget
        failures += over
        print("%s %s: registers %d, spill bytes %d%s" %
              ("FAIL" if over else "ok", name, reg, spill,
               ", tensor cores" if mma else ""))
    print("%s: %d kernels assembled, %d failed, at most %d registers, "
          "%d spill bytes" % (args.arch, len(found), failures, max_registers,
                              spills))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
