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

#endif /* SEQC_RUNTIME_MODEL_INTERNAL_H */
