/*===- model_internal.h - a model instance, shared by the model's files ---===*/

#ifndef SEQC_RUNTIME_MODEL_INTERNAL_H
#define SEQC_RUNTIME_MODEL_INTERNAL_H

#include "seqc-runtime/seqc_runtime.h"

struct seqc_model {
  const seqc_model_info *info;
  int64_t batch;
  int64_t position;
  float *weights;
  int8_t *qweights; /* quantized projections (NULL when none) */
  float *state;
};

/* The suffix of a quantized weight's scales in a saved file: a rotated
 * weight's differ, so that a file is never read by a library that rotates
 * otherwise (the integers would stand for other values). */
static inline const char *
seqc_scale_suffix(const seqc_model_tensor_info *w) {
  return w->rotation ? "_hadamard_scale" : "_scale";
}

#endif /* SEQC_RUNTIME_MODEL_INTERNAL_H */
