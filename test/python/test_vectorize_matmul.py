"""linalg.matmul, linalg.batch_matmul and a[..., k] x b[k, n] contractions
through seqc: the loop lowering (-O0) and -seq-vectorize-matmul (-O2 with
16, 8 and 4 lanes), against float64 NumPy; and a custom cell region whose
matmuls the pass takes once the region is a loop."""

import os

import numpy as np
import pytest

from seqc_harness import Library, assert_close, tensor_type

# (kind, batch, M, K, N, init, dynamic): sizes give every tail of the
# kernel (seq-vectorize-matmul, 6-row tiles by 4 vectors of 16 columns,
# blocks of 48 rows, chunks of 64 k with 16 lanes; 6 x 2 vectors of 8 and
# chunks of 256 with 8): N below one vector, one column past a block,
# blocks of columns with a masked tail; rows short of a tile and past a
# block; K past a chunk, and K = 0 (the init alone). More than one block
# of rows reads b packed whole in panels, one block packs its own chunks.
# init: "zero" and "const" are linalg.fill (a broadcast), "arg" is an
# argument added to.
CONFIGS = [
    ("matmul", None, 1, 1, 1, "zero", ()),
    ("matmul", None, 7, 5, 3, "arg", ()),
    ("matmul", None, 6, 64, 64, "zero", ()),
    ("matmul", None, 13, 70, 65, "const", ()),
    ("matmul", None, 50, 130, 200, "zero", (0,)),
    ("matmul", None, 9, 300, 300, "arg", (0, 1)),
    ("matmul", None, 5, 0, 20, "arg", (0, 1)),
    ("batch_matmul", 3, 10, 20, 70, "zero", (1, 2)),
    ("batch_matmul", 2, 49, 33, 17, "arg", ()),
    ("batch_matmul", 2, 60, 150, 40, "const", (1,)),
    ("contract", 2, 17, 40, 33, "arg", (1,)),
]


def _function(i, cfg):
    kind, batch, m, k, n, init, dyn = cfg
    lead = () if batch is None else (batch,)
    # `dyn` names dimensions of (M, K, N); a, b and c share them.
    off = len(lead)
    a_dims = [off + d for d, s in ((0, 0), (1, 1)) if s in dyn]
    a_t = tensor_type(lead + (m, k), dynamic=a_dims)
    b_lead = lead if kind == "batch_matmul" else ()
    b_off = len(b_lead)
    b_t = tensor_type(b_lead + (k, n), dynamic=[b_off + d for d, s in ((0, 1), (1, 2)) if s in dyn])
    c_t = tensor_type(lead + (m, n), dynamic=[off + d for d, s in ((0, 0), (1, 2)) if s in dyn])
    args = "%a: {a}, %b: {b}".format(a=a_t, b=b_t)
    body = []
    if init == "arg":
        args += ", %init: " + c_t
        out = "%init"
    else:
        dims = []
        c_dims = c_t[len("tensor<"):-1].split("x")[:-1]
        for d, s in enumerate(c_dims):
            if s == "?":
                src, at = ("%a", d) if d < len(c_dims) - 1 else ("%b", b_off + 1)
                body.append("%c{d} = arith.constant {at} : index".format(d=d, at=at))
                src_t = a_t if src == "%a" else b_t
                body.append("%s{d} = tensor.dim {src}, %c{d} : {t}".format(d=d, src=src, t=src_t))
                dims.append("%s{d}".format(d=d))
        value = "0.0" if init == "zero" else "1.5"
        body.append("%v = arith.constant {v} : f32".format(v=value))
        body.append("%e = tensor.empty({dims}) : {t}".format(dims=", ".join(dims), t=c_t))
        body.append("%init = linalg.fill ins(%v : f32) outs(%e : {t}) -> {t}".format(t=c_t))
        out = "%init"
    if kind == "contract":
        maps = ("affine_map<(b, l, n, k) -> (b, l, k)>, affine_map<(b, l, n, k) -> (k, n)>, "
                "affine_map<(b, l, n, k) -> (b, l, n)>")
        op = "linalg.contract indexing_maps = [{maps}]".format(maps=maps)
    else:
        op = "linalg." + kind
    body.append("%c = {op} ins(%a, %b : {a}, {b}) outs({out} : {c}) -> {c}".format(
        op=op, a=a_t, b=b_t, out=out, c=c_t))
    return """
func.func @mm{i}({args}) -> {c} {{
  {body}
  return %c : {c}
}}""".format(i=i, args=args, c=c_t, body="\n  ".join(body))


TARGETS = {"-O0": ("-O0",), "-O2": ("-O2",), "-O2 avx2": ("-O2", "--cpu=x86-64-v3"),
           "-O2 sse": ("-O2", "--cpu=x86-64")}


@pytest.fixture(scope="module", params=list(TARGETS))
def library(request):
    return Library("\n".join(_function(i, c) for i, c in enumerate(CONFIGS)),
                   extra_args=("--runtime-checks",) + TARGETS[request.param])


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_matmul_matches_numpy(library, index):
    kind, batch, m, k, n, init, _ = CONFIGS[index]
    rng = np.random.default_rng(index)
    lead = () if batch is None else (batch,)
    a = rng.standard_normal(lead + (m, k))
    b = rng.standard_normal((lead if kind == "batch_matmul" else ()) + (k, n)) / np.sqrt(max(k, 1))
    inputs = [a, b]
    if init == "arg":
        c0 = rng.standard_normal(lead + (m, n))  # added to, not replaced
        inputs.append(c0)
    else:
        c0 = np.full(lead + (m, n), 0.0 if init == "zero" else 1.5)
    (c,) = library.call("mm%d" % index, [x.astype(np.float32) for x in inputs])
    assert_close(c, c0 + a @ b, rtol=1e-4, atol=1e-4)


def test_fast_path_taken():
    """-O2 leaves no scalar matmul loop: the IR after the seq lowering has
    the kernel's vector FMAs and no linalg.matmul (a test that the numbers
    above come from the pass, not from the loop lowering)."""
    import subprocess
    from seqc_harness import SEQC
    source = _function(4, CONFIGS[4])
    out = subprocess.run([SEQC, "-", "--emit=linalg", "-O2", "--cpu=x86-64-v4"],
                         input=source, capture_output=True, text=True, check=True).stdout
    assert "vector.fma" in out and "linalg.matmul" not in out


# An Elman cell written as a region: h' = tanh(x_t W + h R). Its matmuls
# are in the region; once convert-seq-to-linalg makes the region a loop,
# the pass takes them (B, H not multiples of a vector or tile).
CELL = """
func.func @cell(%x: tensor<?x?x20xf32>, %h0: tensor<?x37xf32>,
                %w: tensor<20x37xf32>, %r: tensor<37x37xf32>)
    -> (tensor<?x37xf32>, tensor<?x?x37xf32>) {
  %h, %y = seq.recurrence ins(%x : tensor<?x?x20xf32>) init(%h0 : tensor<?x37xf32>)
      -> tensor<?x37xf32>, tensor<?x?x37xf32> {
  ^bb0(%hp: tensor<?x37xf32>, %xt: tensor<?x20xf32>):
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %bsz = tensor.dim %hp, %c0 : tensor<?x37xf32>
    %e = tensor.empty(%bsz) : tensor<?x37xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x37xf32>) -> tensor<?x37xf32>
    %xw = linalg.matmul ins(%xt, %w : tensor<?x20xf32>, tensor<20x37xf32>)
                        outs(%f : tensor<?x37xf32>) -> tensor<?x37xf32>
    %hr = linalg.matmul ins(%hp, %r : tensor<?x37xf32>, tensor<37x37xf32>)
                        outs(%xw : tensor<?x37xf32>) -> tensor<?x37xf32>
    %hn = math.tanh %hr : tensor<?x37xf32>
    seq.yield %hn, %hn : tensor<?x37xf32>, tensor<?x37xf32>
  }
  return %h, %y : tensor<?x37xf32>, tensor<?x?x37xf32>
}"""


@pytest.mark.parametrize("target", list(TARGETS))
def test_cell_region_matmuls(target):
    lib = Library(CELL, extra_args=("--runtime-checks",) + TARGETS[target])
    rng = np.random.default_rng(7)
    bsz, length = 9, 11
    x = rng.standard_normal((bsz, length, 20))
    h = rng.standard_normal((bsz, 37)) * 0.5
    w = rng.standard_normal((20, 37)) / np.sqrt(20)
    r = rng.standard_normal((37, 37)) / np.sqrt(37)
    hf, y = lib.call("cell", [v.astype(np.float32) for v in (x, h, w, r)])
    ys = []
    for t in range(length):
        h = np.tanh(x[:, t] @ w + h @ r)
        ys.append(h)
    assert_close(y, np.stack(ys, axis=1), rtol=1e-4, atol=1e-4)
    assert_close(hf, h, rtol=1e-4, atol=1e-4)


# With static sizes of one task (12 columns: one block with 16, 8 or 4
# lanes) the kernel's parallel loop folds into the step loop around it,
# and its 16 KiB stack buffer with it: before -seq-lower-alloca-scopes
# freed a loop body's buffers each iteration, 300 steps of two matmuls
# overflowed the 8 MiB stack (a crash). Called through seq-run in a child
# process, so that a crash fails this test alone.
LONG_CELL = """
func.func @cell(%x: tensor<1x2000x20xf32>, %h0: tensor<1x12xf32>,
                %w: tensor<20x12xf32>, %r: tensor<12x12xf32>)
    -> (tensor<1x12xf32>, tensor<1x2000x12xf32>) {
  %h, %y = seq.recurrence ins(%x : tensor<1x2000x20xf32>) init(%h0 : tensor<1x12xf32>)
      -> tensor<1x12xf32>, tensor<1x2000x12xf32> {
  ^bb0(%hp: tensor<1x12xf32>, %xt: tensor<1x20xf32>):
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x12xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x12xf32>) -> tensor<1x12xf32>
    %xw = linalg.matmul ins(%xt, %w : tensor<1x20xf32>, tensor<20x12xf32>)
                        outs(%f : tensor<1x12xf32>) -> tensor<1x12xf32>
    %hr = linalg.matmul ins(%hp, %r : tensor<1x12xf32>, tensor<12x12xf32>)
                        outs(%xw : tensor<1x12xf32>) -> tensor<1x12xf32>
    %hn = math.tanh %hr : tensor<1x12xf32>
    seq.yield %hn, %hn : tensor<1x12xf32>, tensor<1x12xf32>
  }
  return %h, %y : tensor<1x12xf32>, tensor<1x2000x12xf32>
}"""


def test_long_static_cell_region(tmp_path):
    import subprocess
    from seqc_harness import BUILD_DIR, compile_library
    lib = compile_library(LONG_CELL, str(tmp_path), ("-O2",))
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2000, 20))
    h = rng.standard_normal((1, 12)) * 0.5
    w = rng.standard_normal((20, 12)) / np.sqrt(20)
    r = rng.standard_normal((12, 12)) / np.sqrt(12)
    names = []
    for name, value in zip("xhwr", (x, h, w, r)):
        names.append(str(tmp_path / (name + ".npy")))
        np.save(names[-1], value.astype(np.float32))
    outs = [str(tmp_path / "hf.npy"), str(tmp_path / "y.npy")]
    proc = subprocess.run([os.path.join(BUILD_DIR, "bin", "seq-run"), lib,
                           "cell", *names, "-o", outs[0], "-o", outs[1]],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    ys = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ w + h @ r)
        ys.append(h)
    assert_close(np.load(outs[1]), np.stack(ys, axis=1), rtol=1e-4, atol=1e-4)
    assert_close(np.load(outs[0]), h, rtol=1e-4, atol=1e-4)
