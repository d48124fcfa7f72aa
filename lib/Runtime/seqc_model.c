/*===- seqc_model.c - model instances: weights, state, forward and step ---===*
 *
 * The model API of seqc_runtime.h over a model library's two entry points
 * (@forward and @step: tokens, position, packed weights, packed state ->
 * logits, next state; lib/Frontend/ModelBuilder.cpp) and its table
 * __seqc_model (names, shapes and offsets of the weights).
 *
 * An instance owns the packed f32 weights, converted once from the
 * safetensors file (and the packed quantized weights of a library compiled
 * with --quantize: read as stored, or quantized here from floats), and one
 * buffer holding every piece of state (piece i as
 * [batch, shape...] at batch * offset). The pieces are donated arguments:
 * the kernels write the new keys and values into the caches in place, and
 * each piece is passed again as its next-state output (the kernel returns
 * the same buffer, which the runtime neither copies nor frees;
 * docs/models.md). A call is
 * refused, with the state untouched, before any kernel runs. An instance is
 * not thread-safe: one call at a time.
 *===----------------------------------------------------------------------===*/

#include "seqc-runtime/seqc_runtime.h"

#include "model_internal.h"
#include "quantize.h"
#include "runtime_internal.h"
#include "safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A saved state: this header, then batch * state_size floats. */
typedef struct state_header {
  char magic[8]; /* "SEQCSTAT" */
  int64_t weights_size, state_size, vocab_size, batch, position;
} state_header;

#define fail seqc_runtime_fail

SEQC_EXPORT const seqc_model_info *seqc_get_model_info(void) {
  return __seqc_model;
}

static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu, bits;
  if (exponent == 0x1f) { /* inf, nan */
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else { /* subnormal: normalize */
    exponent = 113;
    while (!(mantissa & 0x400u)) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

/* Converts `count` elements of `src` (any alignment) into f32. */
static void convert(float *dst, const unsigned char *src, int64_t count,
                    seqc_st_dtype dtype) {
  switch (dtype) {
  case SEQC_ST_F32:
    memcpy(dst, src, (size_t)count * 4);
    return;
  case SEQC_ST_F64:
    for (int64_t i = 0; i < count; ++i) {
      double d;
      memcpy(&d, src + 8 * i, 8);
      dst[i] = (float)d;
    }
    return;
  case SEQC_ST_F16:
    for (int64_t i = 0; i < count; ++i) {
      uint16_t h;
      memcpy(&h, src + 2 * i, 2);
      dst[i] = half_to_float(h);
    }
    return;
  case SEQC_ST_BF16:
    for (int64_t i = 0; i < count; ++i) {
      uint16_t h;
      memcpy(&h, src + 2 * i, 2);
      uint32_t bits = (uint32_t)h << 16;
      memcpy(&dst[i], &bits, 4);
    }
    return;
  default:
    return;
  }
}

/* Row `r` of the float [N, k] tensor `t` (any float dtype), as f32. */
static void convert_row(float *row, const seqc_st_tensor *t, int64_t k,
                        int64_t r) {
  size_t element = t->dtype == SEQC_ST_F64   ? 8
                   : t->dtype == SEQC_ST_F32 ? 4
                                             : 2;
  convert(row, t->data + (size_t)(r * k) * element, k, t->dtype);
}

static void format_shape(char *buffer, size_t size, int32_t rank,
                         const int64_t *shape) {
  size_t used = (size_t)snprintf(buffer, size, "[");
  for (int32_t d = 0; d < rank && used < size; ++d)
    used += (size_t)snprintf(buffer + used, size - used, "%s%lld",
                             d ? ", " : "", (long long)shape[d]);
  if (used < size)
    snprintf(buffer + used, size - used, "]");
}

static int is_float(seqc_st_dtype dtype) {
  return dtype == SEQC_ST_F32 || dtype == SEQC_ST_F16 ||
         dtype == SEQC_ST_BF16 || dtype == SEQC_ST_F64;
}

/* Checks that `t` is `name` of `shape` and a float (or, when `dtype` is not
 * SEQC_ST_OTHER, exactly `dtype`). */
static seqc_status check_tensor(const seqc_st_tensor *t, const char *name,
                                int32_t rank, const int64_t *shape,
                                seqc_st_dtype dtype) {
  int same = t->rank == rank;
  for (int32_t d = 0; same && d < rank; ++d)
    same = t->shape[d] == shape[d];
  if (!same) {
    char got[160], expected[160];
    format_shape(got, sizeof(got), t->rank, t->shape);
    format_shape(expected, sizeof(expected), rank, shape);
    return fail(SEQC_ERROR_INVALID_WEIGHTS,
                "seqc_model_create: tensor '%s' has shape %s, expected %s",
                name, got, expected);
  }
  if (dtype != SEQC_ST_OTHER ? t->dtype != dtype : !is_float(t->dtype))
    return fail(SEQC_ERROR_INVALID_WEIGHTS,
                "seqc_model_create: tensor '%s' has dtype %s; seqc reads %s",
                name, t->dtype_name,
                dtype == SEQC_ST_I8    ? "I8 here"
                : dtype == SEQC_ST_F32 ? "F32 here"
                                       : "F32, F16, BF16 and F64 weights");
  return SEQC_OK;
}

/* A bf16 projection [N, K] (bits 16): a BF16 tensor's bytes as they are,
 * another float tensor rounded to bf16 here. */
static seqc_status pack_bf16(const seqc_model_tensor_info *w,
                             const seqc_st_tensor *t, int8_t *qweights) {
  int64_t n = w->shape[0], k = w->shape[1];
  seqc_status status = check_tensor(t, w->name, 2, w->shape, SEQC_ST_OTHER);
  if (status != SEQC_OK)
    return status;
  uint16_t *out = (uint16_t *)(void *)(qweights + w->offset);
  if (t->dtype == SEQC_ST_BF16) {
    memcpy(out, t->data, (size_t)(n * k) * 2);
    return SEQC_OK;
  }
  float *row = malloc((size_t)k * sizeof(float));
  if (!row)
    return fail(SEQC_ERROR_OUT_OF_MEMORY, "seqc_model_create: out of memory");
  for (int64_t r = 0; r < n; ++r) {
    convert_row(row, t, k, r);
    seqc_round_bf16_row(row, k, out + r * k);
  }
  free(row);
  return SEQC_OK;
}

/* A quantized projection [N, K]: from a float tensor (quantized here), or
 * as stored by seqc_model_save_weights (I8 `name`, F32 `name`_scale and,
 * asymmetric, I8 `name`_zero). */
static seqc_status pack_quantized(const seqc_model_tensor_info *w,
                                  const seqc_st_tensor *t,
                                  const seqc_st_file *file, float *weights,
                                  int8_t *qweights) {
  int64_t n = w->shape[0], k = w->shape[1], groups = k / w->group_size;
  int8_t *q = qweights + w->offset;
  float *scales = weights + w->scale_offset;
  int64_t bytes = w->bits == 4 ? k / 2 : k;
  if (t->dtype == SEQC_ST_I8) {
    int64_t stored[2] = {n, bytes}, scale_shape[2] = {n, groups};
    char scale_name[512];
    if (snprintf(scale_name, sizeof(scale_name), "%s%s", w->name,
                 seqc_scale_suffix(w)) >= (int)sizeof(scale_name))
      return fail(SEQC_ERROR_INVALID_WEIGHTS,
                  "seqc_model_create: the name '%s' is too long", w->name);
    const seqc_st_tensor *s = seqc_st_find(file, scale_name);
    if (!s)
      return fail(SEQC_ERROR_INVALID_WEIGHTS,
                  "seqc_model_create: tensor '%s' is I8 (quantized) but the "
                  "file has no '%s' with its scales%s",
                  w->name, scale_name,
                  w->rotation ? " (this library reads the weight rotated, "
                                "as a library compiled with "
                                "--quantize=int8-ssm saves it)"
                              : "");
    seqc_status status = check_tensor(t, w->name, 2, stored, SEQC_ST_I8);
    if (status == SEQC_OK)
      status = check_tensor(s, scale_name, 2, scale_shape, SEQC_ST_F32);
    if (status != SEQC_OK)
      return status;
    /* Zero points: required by an asymmetric library, refused by a
     * symmetric one (which would read the integers as other values). */
    char zero_name[512];
    snprintf(zero_name, sizeof(zero_name), "%s_zero", w->name);
    const seqc_st_tensor *z = seqc_st_find(file, zero_name);
    if ((w->zero_offset >= 0) != (z != NULL))
      return fail(SEQC_ERROR_INVALID_WEIGHTS,
                  z ? "seqc_model_create: tensor '%s' is quantized with zero "
                      "points ('%s'), but this library's is symmetric "
                      "(compile with --quant-zero-point to read it)"
                    : "seqc_model_create: tensor '%s' is I8 (quantized) but "
                      "the file has no '%s' with its zero points (this "
                      "library was compiled with --quant-zero-point)",
                  w->name, zero_name);
    if (z) {
      status = check_tensor(z, zero_name, 2, scale_shape, SEQC_ST_I8);
      if (status != SEQC_OK)
        return status;
      memcpy(qweights + w->zero_offset, z->data, (size_t)(n * groups));
    }
    memcpy(q, t->data, (size_t)(n * bytes));
    convert(scales, s->data, n * groups, SEQC_ST_F32);
    return SEQC_OK;
  }
  seqc_status status = check_tensor(t, w->name, w->rank, w->shape,
                                    SEQC_ST_OTHER);
  if (status != SEQC_OK)
    return status;
  float *row = malloc((size_t)k * sizeof(float));
  double *scratch = malloc((size_t)(w->rotation + 1) * sizeof(double));
  if (!row || !scratch) {
    free(row);
    free(scratch);
    return fail(SEQC_ERROR_OUT_OF_MEMORY, "seqc_model_create: out of memory");
  }
  for (int64_t r = 0; r < n; ++r) {
    convert_row(row, t, k, r);
    if (w->rotation)
      seqc_hadamard_row(row, k, w->rotation, scratch);
    seqc_quantize_row(row, k, w->bits, w->group_size, q + r * bytes,
                      scales + r * groups,
                      w->zero_offset >= 0
                          ? qweights + w->zero_offset + r * groups
                          : NULL);
  }
  free(row);
  free(scratch);
  return SEQC_OK;
}

/* Checks every weight the library reads against `file` and packs it. */
static seqc_status pack_weights(const seqc_model_info *info,
                                const seqc_st_file *file, float *weights,
                                int8_t *qweights) {
  for (int32_t i = 0; i < info->num_weights; ++i) {
    const seqc_model_tensor_info *w = &info->weights[i];
    const seqc_st_tensor *t = seqc_st_find(file, w->name);
    if (!t)
      return fail(SEQC_ERROR_INVALID_WEIGHTS,
                  "seqc_model_create: the weights file has no tensor '%s' "
                  "(the model reads %d tensors; the file has %d)",
                  w->name, info->num_weights, seqc_st_count(file));
    seqc_status status;
    if (w->bits == 16) {
      status = pack_bf16(w, t, qweights);
    } else if (w->bits) {
      status = pack_quantized(w, t, file, weights, qweights);
    } else {
      status = check_tensor(t, w->name, w->rank, w->shape, SEQC_ST_OTHER);
      int64_t count = 1;
      for (int32_t d = 0; d < w->rank; ++d)
        count *= w->shape[d];
      if (status == SEQC_OK)
        convert(weights + w->offset, t->data, count, t->dtype);
    }
    if (status != SEQC_OK)
      return status;
  }
  return SEQC_OK;
}

/* Allocates `count` floats (64-byte aligned, zeroed), or NULL. */
static float *alloc_floats(int64_t count) {
  size_t bytes;
  if (count < 0 || __builtin_mul_overflow((size_t)count, sizeof(float), &bytes))
    return NULL;
  bytes = bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
  float *p = aligned_alloc(64, bytes);
  if (p)
    memset(p, 0, bytes);
  return p;
}

static seqc_status create(const char *path, const void *data, uint64_t size,
                          int64_t batch, seqc_model **out) {
  if (!out)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_create: model is NULL");
  *out = NULL;
  const seqc_model_info *info = __seqc_model;
  if (!info)
    return fail(SEQC_ERROR_NOT_A_MODEL,
                "seqc_model_create: this library was compiled from IR, not "
                "from a model description");
  if (batch < 1 || batch > (int64_t)1 << 20)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_create: batch must be in [1, 2^20], got %lld",
                (long long)batch);
  int64_t state_count;
  if (__builtin_mul_overflow(batch, info->state_size, &state_count))
    return fail(SEQC_ERROR_OUT_OF_MEMORY,
                "seqc_model_create: the state of %lld sequences is too large",
                (long long)batch);

  char message[512];
  seqc_st_file *file = NULL;
  int rc = path ? seqc_st_open(path, &file, message, sizeof(message))
                : seqc_st_open_buffer(data, size, &file, message,
                                      sizeof(message));
  if (rc != 0)
    return fail(rc == -1 ? SEQC_ERROR_IO : SEQC_ERROR_INVALID_WEIGHTS,
                "seqc_model_create: %s", message);

  seqc_model *model = calloc(1, sizeof(seqc_model));
  seqc_status status = SEQC_OK;
  if (model) {
    model->info = info;
    model->batch = batch;
    model->weights = alloc_floats(info->weights_size);
    /* Bytes as floats: the same alignment, rounded up. */
    if (info->qweights_size > 0)
      model->qweights =
          (int8_t *)alloc_floats((info->qweights_size + 3) / 4);
    model->state = alloc_floats(state_count);
  }
  if (!model || !model->weights || !model->state ||
      (info->qweights_size > 0 && !model->qweights))
    status = fail(SEQC_ERROR_OUT_OF_MEMORY,
                  "seqc_model_create: cannot allocate %lld weights and %lld "
                  "state values",
                  (long long)info->weights_size, (long long)state_count);
  else
    status = pack_weights(info, file, model->weights, model->qweights);
  seqc_st_close(file);
  if (status != SEQC_OK) {
    seqc_model_destroy(model);
    return status;
  }
  *out = model;
  return SEQC_OK;
}

SEQC_EXPORT seqc_status seqc_model_create(const char *weights_path,
                                          int64_t batch, seqc_model **model) {
  if (!weights_path) {
    if (model)
      *model = NULL;
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_create: weights_path is NULL");
  }
  return create(weights_path, NULL, 0, batch, model);
}

SEQC_EXPORT seqc_status seqc_model_create_from_buffer(const void *data,
                                                      uint64_t size,
                                                      int64_t batch,
                                                      seqc_model **model) {
  if (!data) {
    if (model)
      *model = NULL;
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_create_from_buffer: data is NULL");
  }
  return create(NULL, data, size, batch, model);
}

SEQC_EXPORT void seqc_model_destroy(seqc_model *model) {
  if (!model)
    return;
  seqc_model_device_release(model);
  free(model->weights);
  free(model->qweights);
  free(model->state);
  free(model);
}

/* `tokens` (int32 [batch, length]) or, with `features`, f32 [batch,
 * length, input_dim]: the input of the model's kind. */
static seqc_status run(const char *name, seqc_model *model, const void *input,
                       int features, int64_t length, float *logits,
                       int step) {
  const char *input_name = features ? "features" : "tokens";
  if (!model)
    return fail(SEQC_ERROR_INVALID_ARGUMENT, "%s: model is NULL", name);
  if (!input || !logits)
    return fail(SEQC_ERROR_INVALID_ARGUMENT, "%s: %s is NULL", name,
                input ? "logits" : input_name);
  const seqc_model_info *info = model->info;
  if (features != (info->input_dim > 0))
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                features ? "%s: this model reads token ids: call "
                           "seqc_model_forward or seqc_model_step"
                         : "%s: this model reads feature vectors (input_dim "
                           "%lld): call seqc_model_forward_features or "
                           "seqc_model_step_features",
                name, (long long)info->input_dim);
  const int32_t *tokens = features ? NULL : input;
  if (length < 1)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "%s: length must be at least 1, got %lld", name,
                (long long)length);
  if (length > info->max_context - model->position)
    return fail(SEQC_ERROR_CONTEXT_FULL,
                "%s: %lld new %s at position %lld would pass the "
                "model's max_context of %lld (reset the model, or compile it "
                "with a larger --max-context)",
                name, (long long)length,
                features ? "feature vector(s)" : "token(s)",
                (long long)model->position, (long long)info->max_context);
  int64_t count = features ? 0 : model->batch * length;
  for (int64_t i = 0; i < count; ++i)
    if (tokens[i] < 0 || tokens[i] >= info->vocab_size)
      return fail(SEQC_ERROR_INVALID_ARGUMENT,
                  "%s: token %lld (sequence %lld, offset %lld) is %d, outside "
                  "the vocabulary [0, %lld)",
                  name, (long long)i, (long long)(i / length),
                  (long long)(i % length), tokens[i],
                  (long long)info->vocab_size);

  /* A CUDA library's instance passes its weights and state in GPU memory
   * (model_device.c). */
  seqc_status status = seqc_model_device_prepare(model, name);
  if (status != SEQC_OK)
    return status;
  int device = model->device_weights != NULL;
  float *weights = device ? model->device_weights : model->weights;
  int8_t *qweights = device ? model->device_qweights : model->qweights;
  float *state = device ? model->device_state : model->state;

  /* Inputs: tokens, position, weights, the quantized weights if any, then
   * every piece of state; outputs: logits, then the same pieces again
   * (donated: updated in place). */
  int32_t pieces = info->num_states;
  int32_t first = info->qweights_size > 0 ? 4 : 3;
  int64_t qweights_shape[1] = {info->qweights_size};
  int64_t input_shape[3] = {model->batch, length, info->input_dim};
  int64_t position_shape[1] = {1};
  int64_t weights_shape[1] = {info->weights_size};
  int64_t logits_shape[3] = {model->batch, length, info->vocab_size};
  int64_t position = model->position;
  seqc_tensor *inputs =
      calloc((size_t)(first + 1 + 2 * pieces), sizeof(seqc_tensor));
  int64_t *shapes = calloc((size_t)pieces * 9 + 1, sizeof(int64_t));
  /* Which of them are in GPU memory: inputs, then outputs. */
  uint8_t *on_device = calloc((size_t)(first + 1 + 2 * pieces), 1);
  if (!inputs || !shapes || !on_device) {
    free(inputs);
    free(shapes);
    free(on_device);
    return fail(SEQC_ERROR_OUT_OF_MEMORY, "%s: out of memory", name);
  }
  seqc_tensor *outputs = inputs + first + pieces;
  inputs[0] = (seqc_tensor){features ? SEQC_DTYPE_F32 : SEQC_DTYPE_I32,
                            features ? 3 : 2, input_shape, NULL,
                            (void *)(uintptr_t)input};
  inputs[1] = (seqc_tensor){SEQC_DTYPE_I64, 1, position_shape, NULL, &position};
  inputs[2] = (seqc_tensor){SEQC_DTYPE_F32, 1, weights_shape, NULL, weights};
  if (first == 4)
    inputs[3] = (seqc_tensor){SEQC_DTYPE_I8, 1, qweights_shape, NULL,
                              qweights};
  for (int32_t i = 2; i < first; ++i)
    on_device[i] = (uint8_t)device;
  outputs[0] = (seqc_tensor){SEQC_DTYPE_F32, 3, logits_shape, NULL, logits};
  for (int32_t i = 0; i < pieces; ++i) {
    const seqc_model_tensor_info *piece = &info->states[i];
    int64_t *shape = shapes + 9 * i;
    shape[0] = model->batch;
    for (int32_t d = 0; d < piece->rank && d < 8; ++d)
      shape[1 + d] = piece->shape[d];
    seqc_tensor t = {SEQC_DTYPE_F32, piece->rank + 1, shape, NULL,
                     state + model->batch * piece->offset};
    inputs[first + i] = t;
    outputs[1 + i] = t;
    on_device[first + i] = on_device[first + pieces + 1 + i] = (uint8_t)device;
  }
  int32_t function = step ? info->step_function : info->forward_function;
  seqc_call_memory memory = {0, on_device, on_device + first + pieces, NULL};
  status = seqc_runtime_invoke_on(function, inputs, first + pieces, outputs,
                                  1 + pieces, &memory);
  free(inputs);
  free(shapes);
  free(on_device);
  if (status != SEQC_OK)
    return status;
  model->position += length;
  return SEQC_OK;
}

SEQC_EXPORT seqc_status seqc_model_forward(seqc_model *model,
                                           const int32_t *tokens,
                                           int64_t length, float *logits) {
  return run("seqc_model_forward", model, tokens, 0, length, logits, 0);
}

SEQC_EXPORT seqc_status seqc_model_forward_features(seqc_model *model,
                                                    const float *features,
                                                    int64_t length,
                                                    float *logits) {
  return run("seqc_model_forward_features", model, features, 1, length,
             logits, 0);
}

SEQC_EXPORT seqc_status seqc_model_step_features(seqc_model *model,
                                                 const float *features,
                                                 float *logits) {
  return run("seqc_model_step_features", model, features, 1, 1, logits, 1);
}

SEQC_EXPORT seqc_status seqc_model_step(seqc_model *model,
                                        const int32_t *tokens, float *logits) {
  return run("seqc_model_step", model, tokens, 0, 1, logits, 1);
}

SEQC_EXPORT seqc_status seqc_model_reset(seqc_model *model) {
  if (!model)
    return fail(SEQC_ERROR_INVALID_ARGUMENT, "seqc_model_reset: model is NULL");
  memset(model->state, 0,
         (size_t)(model->batch * model->info->state_size) * sizeof(float));
  model->position = 0;
  model->state_on_device = 0;
  return SEQC_OK;
}

SEQC_EXPORT int64_t seqc_model_batch(const seqc_model *model) {
  return model ? model->batch : -1;
}

SEQC_EXPORT int64_t seqc_model_position(const seqc_model *model) {
  return model ? model->position : -1;
}

SEQC_EXPORT uint64_t seqc_model_state_bytes(const seqc_model *model) {
  if (!model)
    return 0;
  return sizeof(state_header) +
         (uint64_t)(model->batch * model->info->state_size) * sizeof(float);
}

static state_header header_of(const seqc_model *model) {
  state_header h;
  memset(&h, 0, sizeof(h));
  memcpy(h.magic, "SEQCSTAT", 8);
  h.weights_size = model->info->weights_size;
  h.state_size = model->info->state_size;
  h.vocab_size = model->info->vocab_size;
  h.batch = model->batch;
  h.position = model->position;
  return h;
}

SEQC_EXPORT seqc_status seqc_model_save_state(const seqc_model *model,
                                              void *buffer, uint64_t size) {
  if (!model || !buffer)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_save_state: %s is NULL",
                model ? "buffer" : "model");
  uint64_t needed = seqc_model_state_bytes(model);
  if (size < needed)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_save_state: the buffer has %llu bytes; the state "
                "needs %llu (seqc_model_state_bytes)",
                (unsigned long long)size, (unsigned long long)needed);
  state_header h = header_of(model);
  memcpy(buffer, &h, sizeof(h));
  return seqc_model_device_read_state(model, (char *)buffer + sizeof(h),
                                      "seqc_model_save_state");
}

SEQC_EXPORT seqc_status seqc_model_load_state(seqc_model *model,
                                              const void *buffer,
                                              uint64_t size) {
  if (!model || !buffer)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_load_state: %s is NULL",
                model ? "buffer" : "model");
  uint64_t needed = seqc_model_state_bytes(model);
  if (size != needed)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_load_state: the buffer has %llu bytes; a state of "
                "this model and batch has %llu",
                (unsigned long long)size, (unsigned long long)needed);
  state_header saved, mine = header_of(model);
  memcpy(&saved, buffer, sizeof(saved));
  if (memcmp(saved.magic, mine.magic, 8) != 0 ||
      saved.weights_size != mine.weights_size ||
      saved.state_size != mine.state_size ||
      saved.vocab_size != mine.vocab_size || saved.batch != mine.batch)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_load_state: the buffer is not a state saved from "
                "this model with batch %lld",
                (long long)model->batch);
  if (saved.position < 0 || saved.position > model->info->max_context)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_load_state: the saved position %lld is outside "
                "[0, %lld]",
                (long long)saved.position,
                (long long)model->info->max_context);
  memcpy(model->state, (const char *)buffer + sizeof(saved),
         needed - sizeof(saved));
  model->position = saved.position;
  model->state_on_device = 0;
  return SEQC_OK;
}
