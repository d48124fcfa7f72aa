/*===- generate.c - greedy generation with a model compiled by seqc ------===*
 *
 * A complete application of a seqc model library: load the weights, run
 * the prompt through seqc_model_forward (prefill), then generate tokens one
 * at a time with seqc_model_step, each the argmax of the last logits
 * (greedy decoding). Prints the generated ids on one line, then the
 * prefill and decode speeds.
 *
 *   generate WEIGHTS.safetensors [-n N] TOKEN...
 *
 * Build against the library and the header seqc wrote beside it:
 *
 *   seqc model.json -o out/libtiny_hybrid.so        # + out/libtiny_hybrid.h
 *   cc -std=c99 -I include -I out generate.c -L out -ltiny_hybrid \
 *      -Wl,-rpath,out -o generate
 *
 * The header's name follows the library's: for another model, compile with
 * -DSEQC_MODEL_HEADER='"libNAME.h"'. A library and a header of different
 * models are refused at run time (the vocabulary sizes must agree).
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#ifndef SEQC_MODEL_HEADER
#define SEQC_MODEL_HEADER "libtiny_hybrid.h"
#endif
#include SEQC_MODEL_HEADER

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef SEQC_MODEL_VOCAB_SIZE
#error "SEQC_MODEL_HEADER is not the header of a model library"
#endif

#define DEFAULT_TOKENS 16

static void usage(FILE *out) {
  fprintf(out,
          "usage: generate WEIGHTS.safetensors [-n N] TOKEN...\n"
          "\n"
          "Runs the prompt TOKEN... (ids in [0, %d)) through the model, then\n"
          "generates N tokens (default %d) greedily, one step at a time.\n"
          "Prints the generated ids on one line, then prefill and decode\n"
          "tokens/s. Generation stops early at the model's max_context.\n"
          "\n"
          "model: %s (%s), vocab_size %d, max_context %d\n",
          SEQC_MODEL_VOCAB_SIZE, DEFAULT_TOKENS, SEQC_MODEL_NAME,
          SEQC_MODEL_ARCHITECTURE, SEQC_MODEL_VOCAB_SIZE,
          SEQC_MODEL_MAX_CONTEXT);
}

/* Every failure ends here: one line on stderr, exit status 1. */
static int fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("generate: error: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  return 1;
}

/* A decimal integer in [lo, hi], nothing else; 0 on success. */
static int parse_int(const char *text, long lo, long hi, long *value) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE || v < lo || v > hi)
    return -1;
  *value = v;
  return 0;
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int32_t argmax(const float *logits, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (logits[i] > logits[best])
      best = i;
  return (int32_t)best;
}

/* Tokens per second, or 0 when nothing was timed. */
static double rate(long tokens, double seconds) {
  return tokens > 0 && seconds > 0 ? (double)tokens / seconds : 0.0;
}

int main(int argc, char **argv) {
  const char *weights = NULL;
  long num_new = DEFAULT_TOKENS;
  int32_t *prompt = malloc((size_t)(argc > 1 ? argc : 1) * sizeof(int32_t));
  int64_t prompt_len = 0;
  int options_done = 0;
  if (!prompt)
    return fail("out of memory");

  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    long value;
    if (!options_done && (!strcmp(arg, "--help") || !strcmp(arg, "-h"))) {
      usage(stdout);
      free(prompt);
      return 0;
    }
    if (!options_done && !strcmp(arg, "--")) {
      options_done = 1;
    } else if (!options_done && !strcmp(arg, "-n")) {
      if (i + 1 >= argc || parse_int(argv[i + 1], 0, 1L << 30, &num_new)) {
        free(prompt);
        return fail("-n needs a count >= 0 (see --help)");
      }
      ++i;
    } else if (!options_done && arg[0] == '-' &&
               parse_int(arg, INT32_MIN, INT32_MAX, &value)) {
      free(prompt);
      return fail("unknown option '%s' (see --help)", arg);
    } else if (!weights) {
      weights = arg;
    } else if (parse_int(arg, INT32_MIN, INT32_MAX, &value) == 0) {
      /* Negative or too large ids are the model's to refuse. */
      prompt[prompt_len++] = (int32_t)value;
    } else {
      free(prompt);
      return fail("token '%s' is not an integer", arg);
    }
  }
  if (!weights || prompt_len == 0) {
    free(prompt);
    usage(stderr);
    return fail(weights ? "no prompt tokens" : "no weights file");
  }

  /* The header and the library must describe the same model. */
  const seqc_model_info *info = seqc_get_model_info();
  if (!info) {
    free(prompt);
    return fail("the library is not a model library");
  }
  if (info->vocab_size != SEQC_MODEL_VOCAB_SIZE ||
      info->max_context != SEQC_MODEL_MAX_CONTEXT) {
    free(prompt);
    return fail("the library's model '%s' (vocab_size %lld, max_context "
                "%lld) is not the header's '%s' (vocab_size %d, "
                "max_context %d)",
                info->name, (long long)info->vocab_size,
                (long long)info->max_context, SEQC_MODEL_NAME,
                SEQC_MODEL_VOCAB_SIZE, SEQC_MODEL_MAX_CONTEXT);
  }
  const int64_t vocab = info->vocab_size;

  seqc_model *model = NULL;
  if (seqc_model_create(weights, /*batch=*/1, &model) != SEQC_OK) {
    free(prompt);
    return fail("%s", seqc_last_error());
  }

  int status = 0;
  float *logits = malloc((size_t)prompt_len * (size_t)vocab * sizeof(float));
  int32_t *generated = malloc((size_t)(num_new > 0 ? num_new : 1) *
                              sizeof(int32_t));
  long num_generated = 0, num_steps = 0;
  double prefill_s = 0, decode_s = 0;
  if (!logits || !generated) {
    status = fail("out of memory");
    goto done;
  }

  /* Prefill: the whole prompt in one call. */
  double t0 = now_seconds();
  if (seqc_model_forward(model, prompt, prompt_len, logits) != SEQC_OK) {
    status = fail("%s", seqc_last_error());
    goto done;
  }
  prefill_s = now_seconds() - t0;
  if (num_new > 0)
    generated[num_generated++] =
        argmax(logits + (prompt_len - 1) * vocab, vocab);

  /* Decode: feed back each generated token until N are out or the
   * context is full (the last token needs no step of its own). */
  t0 = now_seconds();
  while (num_generated < num_new) {
    if (seqc_model_position(model) >= info->max_context) {
      fprintf(stderr, "generate: stopped after %ld tokens: max_context %lld "
              "reached\n", num_generated, (long long)info->max_context);
      break;
    }
    if (seqc_model_step(model, &generated[num_generated - 1], logits) !=
        SEQC_OK) {
      status = fail("%s", seqc_last_error());
      goto done;
    }
    ++num_steps;
    generated[num_generated++] = argmax(logits, vocab);
  }
  decode_s = now_seconds() - t0;

  for (long i = 0; i < num_generated; ++i)
    printf(i ? " %d" : "%d", (int)generated[i]);
  printf("\n");
  printf("prefill: %lld tokens, %.1f tokens/s; decode: %ld tokens, "
         "%.1f tokens/s\n",
         (long long)prompt_len, rate((long)prompt_len, prefill_s), num_steps,
         rate(num_steps, decode_s));

done:
  free(generated);
  free(logits);
  free(prompt);
  seqc_model_destroy(model);
  return status;
}
