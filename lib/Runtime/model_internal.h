/*===- model_internal.h - a model instance, shared by the model's files ---===*/

#ifndef SEQC_RUNTIME_MODEL_INTERNAL_H
#define SEQC_RUNTIME_MODEL_INTERNAL_H

#include "runtime_internal.h"

struct seqc_model {
  const seqc_model_info *info;
  int64_t batch;
  int64_t position;
  float *weights;
  int8_t *qweights; /* quantized projections (NULL when none) */
  float *state;
  /* A CUDA library's instance (model_device.c): copies of the above in GPU
   * memory, made by the first call; while state_on_device, the state's
   * value is device_state's, and `state` is stale. */
  void *device_weights, *device_qweights, *device_state;
  int state_on_device;
};

/* For a CUDA library, puts the instance's weights and state in GPU memory
 * (once; the state again after the host changed it) and says where each
 * tensor of a call is; nothing for a CPU library. `name` is the caller's,
 * for messages. */
seqc_status seqc_model_device_prepare(seqc_model *model,
                                      const char *name) SEQC_HIDDEN;
/* Copies the instance's state to `dst` from wherever its value is. */
seqc_status seqc_model_device_read_state(const seqc_model *model, void *dst,
                                         const char *name) SEQC_HIDDEN;
/* Frees the GPU copies. */
void seqc_model_device_release(seqc_model *model) SEQC_HIDDEN;

/* The suffix of a quantized weight's scales in a saved file: a rotated
 * weight's differ, so that a file is never read by a library that rotates
 * otherwise (the integers would stand for other values). */
static inline const char *
seqc_scale_suffix(const seqc_model_tensor_info *w) {
  return w->rotation ? "_hadamard_scale" : "_scale";
}

#endif /* SEQC_RUNTIME_MODEL_INTERNAL_H */
