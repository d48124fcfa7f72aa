/*===- model_device.c - a model instance's weights and state on the GPU ----===*
 *
 * An instance of a --target=cuda model library keeps its packed weights and
 * its state (recurrent state, conv state, KV cache) in GPU memory between
 * calls, so a call moves only its tokens and logits. The weights go to the
 * GPU with the first call (creating an instance needs no GPU); the state
 * goes there with every call after the host changed it (create, reset,
 * load_state) and comes back only when save_state reads it. The host
 * copies stay: the weights for save_weights, the state as the value after
 * a host change. In a CPU library none of this happens.
 *===----------------------------------------------------------------------===*/

#include "model_internal.h"

#include <string.h>

seqc_status seqc_model_device_prepare(seqc_model *model, const char *name) {
  if (__seqc_target == SEQC_TARGET_CPU)
    return SEQC_OK;
  const seqc_model_info *info = model->info;
  int64_t state_bytes = model->batch * info->state_size * (int64_t)sizeof(float);
  seqc_status status = SEQC_OK;
  if (!model->device_weights) {
    int64_t bytes = info->weights_size * (int64_t)sizeof(float);
    void *weights = NULL, *qweights = NULL, *state = NULL;
    status = seqc_runtime_device_alloc(name, bytes, &weights);
    if (status == SEQC_OK)
      status = seqc_runtime_device_copy(name, weights, model->weights, bytes);
    if (status == SEQC_OK && info->qweights_size > 0) {
      status = seqc_runtime_device_alloc(name, info->qweights_size, &qweights);
      if (status == SEQC_OK)
        status = seqc_runtime_device_copy(name, qweights, model->qweights,
                                          info->qweights_size);
    }
    if (status == SEQC_OK)
      status = seqc_runtime_device_alloc(name, state_bytes, &state);
    if (status != SEQC_OK) {
      seqc_runtime_device_free(weights);
      seqc_runtime_device_free(qweights);
      seqc_runtime_device_free(state);
      return status;
    }
    model->device_weights = weights;
    model->device_qweights = qweights;
    model->device_state = state;
    model->state_on_device = 0;
  }
  if (!model->state_on_device) {
    status = seqc_runtime_device_copy(name, model->device_state, model->state,
                                      state_bytes);
    if (status == SEQC_OK)
      model->state_on_device = 1;
  }
  return status;
}

seqc_status seqc_model_device_read_state(const seqc_model *model, void *dst,
                                         const char *name) {
  int64_t bytes =
      model->batch * model->info->state_size * (int64_t)sizeof(float);
  if (model->state_on_device)
    return seqc_runtime_device_copy(name, dst, model->device_state, bytes);
  memcpy(dst, model->state, (size_t)bytes);
  return SEQC_OK;
}

void seqc_model_device_release(seqc_model *model) {
  seqc_runtime_device_free(model->device_weights);
  seqc_runtime_device_free(model->device_qweights);
  seqc_runtime_device_free(model->device_state);
  model->device_weights = model->device_qweights = model->device_state = NULL;
  model->state_on_device = 0;
}
