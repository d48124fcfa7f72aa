/* Runs the example libraries that seqc compiles from the .mlir files in
 * examples/, through the seqc C ABI, on deterministic inputs, and compares
 * checksums of every output with a float64 NumPy reference
 * (examples/expected_checksums.txt, written by examples/inputs.py, which
 * makes the same inputs bit for bit).
 *
 *   run_examples path/to/expected_checksums.txt
 *
 * Exit status 0 when every output matches to a relative 1e-4. */

#include "seqc-runtime/seqc_runtime.h"

#include "libattention_block.h"
#include "libgla_layer.h"
#include "liblstm.h"
#include "libmamba_mixer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The LCG of examples/inputs.py. */
static uint32_t lcg_state = 2024;

static float *uniform(int64_t count, double scale, double offset) {
  float *data = malloc((size_t)count * sizeof(float));
  if (!data) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  for (int64_t i = 0; i < count; ++i) {
    lcg_state = 1664525u * lcg_state + 1013904223u;
    double r = (double)(lcg_state >> 8) / (double)(1 << 24) * 2.0 - 1.0;
    data[i] = (float)(r * scale + offset);
  }
  return data;
}

/* A tensor with its own shape storage. */
typedef struct {
  int64_t shape[4];
  seqc_tensor t;
} arg;

static arg make(seqc_dtype dtype, void *data, int rank, int64_t d0, int64_t d1,
                int64_t d2, int64_t d3) {
  arg a;
  int64_t dims[4] = {d0, d1, d2, d3};
  memcpy(a.shape, dims, sizeof(dims));
  a.t.dtype = dtype;
  a.t.rank = rank;
  a.t.shape = NULL; /* set by bind() once the arg has its final address */
  a.t.strides = NULL;
  a.t.data = data;
  return a;
}

static int64_t count(const arg *a) {
  int64_t n = 1;
  for (int d = 0; d < a->t.rank; ++d)
    n *= a->shape[d];
  return n;
}

static arg input(int rank, int64_t d0, int64_t d1, int64_t d2, int64_t d3,
                 double scale, double offset) {
  arg a = make(SEQC_DTYPE_F32, NULL, rank, d0, d1, d2, d3);
  a.t.data = uniform(count(&a), scale, offset);
  return a;
}

static arg output(int rank, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
  arg a = make(SEQC_DTYPE_F32, NULL, rank, d0, d1, d2, d3);
  a.t.data = calloc((size_t)count(&a), sizeof(float));
  return a;
}

/* Copies the tensors out of `args` (fixing their shape pointers). */
static void bind(arg *args, int n, seqc_tensor *tensors) {
  for (int i = 0; i < n; ++i) {
    args[i].t.shape = args[i].shape;
    tensors[i] = args[i].t;
  }
}

static const char *expected_path;
static int failures;

static int lookup(const char *function, int index, double ref[3]) {
  FILE *f = fopen(expected_path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", expected_path);
    exit(2);
  }
  char line[512], name[128];
  int i;
  while (fgets(line, sizeof(line), f)) {
    if (line[0] == '#')
      continue;
    if (sscanf(line, "%127s %d %lf %lf %lf", name, &i, &ref[0], &ref[1],
               &ref[2]) == 5 &&
        strcmp(name, function) == 0 && i == index) {
      fclose(f);
      return 1;
    }
  }
  fclose(f);
  return 0;
}

static void check(const char *function, int index, const arg *out) {
  const float *y = out->t.data;
  double sum = 0, weighted = 0, abs_sum = 0;
  for (int64_t i = 0, n = count(out); i < n; ++i) {
    sum += y[i];
    weighted += y[i] * (double)((i % 7) - 3);
    abs_sum += fabs(y[i]);
  }
  double ref[3];
  if (!lookup(function, index, ref)) {
    printf("%-12s output %d: no reference\n", function, index);
    ++failures;
    return;
  }
  double tol = 1e-4 * ref[2] + 1e-6;
  int ok = fabs(sum - ref[0]) <= tol && fabs(weighted - ref[1]) <= tol &&
           fabs(abs_sum - ref[2]) <= tol;
  printf("%-12s output %d: checksum %14.6f  reference %14.6f  %s\n", function,
         index, sum, ref[0], ok ? "ok" : "MISMATCH");
  failures += !ok;
}

typedef seqc_status (*entry_fn)(const seqc_tensor *, int32_t, seqc_tensor *,
                                int32_t);

static void run(const char *name, entry_fn fn, arg *in, int n_in, arg *out,
                int n_out) {
  seqc_tensor ins[16], outs[4];
  bind(in, n_in, ins);
  bind(out, n_out, outs);
  seqc_status status = fn(ins, n_in, outs, n_out);
  if (status != SEQC_OK) {
    printf("%-12s failed: %s: %s\n", name, seqc_status_string(status),
           seqc_last_error());
    ++failures;
    return;
  }
  for (int i = 0; i < n_out; ++i)
    check(name, i, &out[i]);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s expected_checksums.txt\n", argv[0]);
    return 2;
  }
  expected_path = argv[1];

  { /* Causal GQA prefill: 8 query heads over 2 KV heads. */
    arg in[3] = {input(4, 2, 8, 16, 64, 1, 0), input(4, 2, 2, 16, 64, 1, 0),
                 input(4, 2, 2, 16, 64, 1, 0)};
    arg out[1] = {output(4, 2, 8, 16, 64)};
    run("prefill", seqc_fn_prefill, in, 3, out, 1);
  }
  { /* One decode step against a 4096-entry KV cache, partly filled. */
    static int32_t lens[2] = {4096, 100};
    arg in[4] = {input(4, 2, 8, 1, 64, 1, 0), input(4, 2, 2, 4096, 64, 1, 0),
                 input(4, 2, 2, 4096, 64, 1, 0),
                 make(SEQC_DTYPE_I32, lens, 1, 2, 0, 0, 0)};
    arg out[2] = {output(4, 2, 8, 1, 64), output(3, 2, 8, 1, 0)};
    run("decode", seqc_fn_decode, in, 4, out, 2);
  }
  { /* Mamba mixer: conv1d + silu, selective scan gated by silu(z). */
    arg in[10] = {input(3, 2, 16, 1536, 0, 1, 0),     /* x */
                  input(3, 2, 16, 1536, 0, 1, 0),     /* z */
                  input(3, 1536, 1, 4, 0, 0.5, 0),    /* conv weight */
                  input(1, 1536, 0, 0, 0, 0.1, 0),    /* conv bias */
                  input(3, 2, 16, 1536, 0, 1, 0),     /* dt */
                  input(1, 1536, 0, 0, 0, 0.5, -1.0), /* dt bias */
                  input(2, 1536, 16, 0, 0, 0.5, -1.0), /* A */
                  input(4, 2, 16, 1, 16, 1, 0),       /* B */
                  input(4, 2, 16, 1, 16, 1, 0),       /* C */
                  input(1, 1536, 0, 0, 0, 1, 0)};     /* D */
    arg out[1] = {output(3, 2, 16, 1536, 0)};
    run("mamba_mixer", seqc_fn_mamba_mixer, in, 10, out, 1);
  }
  { /* GLA with a per-key-channel decay and a carried state. */
    arg in[5] = {input(4, 1, 4, 16, 128, 1, 0), input(4, 1, 4, 16, 128, 1, 0),
                 input(4, 1, 4, 16, 128, 1, 0),
                 input(4, 1, 4, 16, 128, 0.05, -0.1),
                 input(4, 1, 4, 128, 128, 0.1, 0)};
    arg out[2] = {output(4, 1, 4, 16, 128), output(4, 1, 4, 128, 128)};
    run("gla", seqc_fn_gla, in, 5, out, 2);
  }
  { /* LSTM, PyTorch weight layout. */
    arg in[7] = {input(3, 2, 10, 64, 0, 1, 0),
                 input(2, 512, 64, 0, 0, 0.125, 0),
                 input(4, 4, 1, 128, 128, 0.09, 0),
                 input(1, 512, 0, 0, 0, 0.1, 0),
                 input(1, 512, 0, 0, 0, 0.1, 0),
                 input(2, 2, 128, 0, 0, 1, 0),
                 input(2, 2, 128, 0, 0, 1, 0)};
    arg out[3] = {output(3, 2, 10, 128, 0), output(2, 2, 128, 0, 0),
                  output(2, 2, 128, 0, 0)};
    run("lstm", seqc_fn_lstm, in, 7, out, 3);
  }
  printf("%s\n", failures ? "FAILED" : "all outputs match the float64 reference");
  return failures ? 1 : 0;
}
