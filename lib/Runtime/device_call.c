/*===- device_call.c - calling the kernels of a --target=cuda library ------===*
 *
 * A CUDA library's kernels take their arguments and return their results in
 * GPU memory (seq-gpu-device-buffers). The caller's tensors may be in host
 * memory (seqc_call, the model API) or GPU memory (seqc_call_device), each
 * on its own: here each host input is copied to a GPU buffer, the kernel
 * runs, each result is copied to its output (host or GPU) and every GPU
 * buffer the call made is freed. A result that is an input's buffer (a
 * model's donated state, updated in place) is neither copied onto itself
 * nor freed.
 *
 * The GPU memory functions are seqc_cuda.c's. A library built with
 * --cuda-emulate-on-host has none: its "GPU memory" is host memory, so the
 * same code runs with malloc, memcpy and free, which is how the tests
 * exercise this file without a GPU.
 *===----------------------------------------------------------------------===*/

#include "runtime_internal.h"

#include <stdlib.h>
#include <string.h>

static int on_device(const seqc_call_memory *memory, const uint8_t *flags,
                     int32_t index) {
  return memory && (memory->all_device || (flags && flags[index]));
}

static void *device_alloc(int64_t bytes) {
  if (seqc_device_alloc)
    return seqc_device_alloc(bytes);
  /* Emulated on the host: the kernels' own allocator, since a kernel's
   * results are freed here too. */
  return seqc_buffer_alloc(64, (size_t)(bytes > 0 ? bytes : 1));
}

static void device_copy(void *dst, const void *src, int64_t bytes) {
  if (bytes <= 0 || dst == src)
    return;
  if (seqc_device_copy)
    seqc_device_copy(dst, src, bytes);
  else
    memcpy(dst, src, (size_t)bytes);
}

static void device_free(void *pointer) {
  if (seqc_device_free)
    seqc_device_free(pointer);
  else
    seqc_buffer_free(pointer);
}

/* Whether the result descriptor `desc` is row-major contiguous. */
static int contiguous(const int64_t *desc, int32_t rank) {
  int64_t expected = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    if (desc[3 + d] != 1 && desc[3 + rank + d] != expected)
      return 0;
    expected *= desc[3 + d];
  }
  return 1;
}

seqc_status seqc_runtime_call_device(const seqc_function_info *f,
                                     seqc_kernel_fn kernel,
                                     const seqc_tensor *inputs,
                                     seqc_tensor *outputs, const int64_t *bytes,
                                     const seqc_call_memory *memory) {
  int32_t num_inputs = f->num_inputs, num_outputs = f->num_outputs;
  int64_t words = 0;
  for (int32_t i = 0; i < num_inputs; ++i)
    words += 3 + 2 * (int64_t)inputs[i].rank;
  for (int32_t i = 0; i < num_outputs; ++i)
    words += 3 + 2 * (int64_t)outputs[i].rank;
  /* Descriptors (inputs, then results), and each input's GPU address (a
   * copy the call made, unless the input is on the GPU already). */
  int64_t *storage = calloc((size_t)(words + 1), sizeof(int64_t));
  void **device_inputs = calloc((size_t)num_inputs + 1, sizeof(void *));
  if (!storage || !device_inputs) {
    free(storage);
    free(device_inputs);
    return seqc_runtime_fail(SEQC_ERROR_OUT_OF_MEMORY, "%s: out of memory",
                             f->name);
  }

  if (seqc_device_begin_call)
    seqc_device_begin_call(memory ? memory->stream : NULL);
  seqc_status status = SEQC_OK;
  void *args[SEQC_MAX_ARGS];
  int64_t *cursor = storage;
  for (int32_t i = 0; i < num_inputs; ++i) {
    void *data = inputs[i].data;
    if (!on_device(memory, memory ? memory->device_inputs : NULL, i)) {
      data = device_alloc(bytes[i]);
      if (!data) {
        /* seqc_cuda.c has recorded why; without it, malloc failed. */
        if (!seqc_device_alloc)
          status = seqc_runtime_fail(SEQC_ERROR_OUT_OF_MEMORY,
                                     "%s: out of memory", f->name);
        break;
      }
      device_copy(data, inputs[i].data, bytes[i]);
    }
    device_inputs[i] = data;
    seqc_runtime_fill_descriptor(cursor, &inputs[i], data);
    args[i] = cursor;
    cursor += 3 + 2 * inputs[i].rank;
  }
  int64_t *results = cursor;
  const char *device_error = seqc_device_sync ? seqc_device_sync() : NULL;
  int ran = status == SEQC_OK && !device_error;
  if (ran) {
    status = seqc_runtime_run_kernel(f, kernel, results, args);
    ran = status == SEQC_OK;
    device_error = seqc_device_sync ? seqc_device_sync() : NULL;
  }

  /* Results: checked, then copied to the outputs, unless the call failed
   * (nothing is written then). */
  if (ran && !device_error) {
    status = seqc_runtime_check_results(f, results, outputs, num_outputs);
    cursor = results;
    for (int32_t i = 0; i < num_outputs && status == SEQC_OK;
         cursor += 3 + 2 * outputs[i].rank, ++i)
      if (bytes[num_inputs + i] > 0 && !contiguous(cursor, outputs[i].rank))
        status = seqc_runtime_fail(SEQC_ERROR_INVALID_ARGUMENT,
                                   "%s: result %d is not contiguous", f->name,
                                   i);
    cursor = results;
    for (int32_t i = 0; i < num_outputs && status == SEQC_OK; ++i) {
      int64_t item = seqc_dtype_size(outputs[i].dtype);
      const char *source = (const char *)(intptr_t)cursor[1] + cursor[2] * item;
      device_copy(outputs[i].data, source, bytes[num_inputs + i]);
      cursor += 3 + 2 * outputs[i].rank;
    }
    device_error = seqc_device_sync ? seqc_device_sync() : NULL;
  }
  if (device_error)
    status = seqc_runtime_fail(SEQC_ERROR_DEVICE, "%s: %s", f->name,
                               device_error);
  if (seqc_device_end_call)
    seqc_device_end_call();

  /* Free the results the call owns, then the input copies. */
  cursor = results;
  for (int32_t i = 0; ran && i < num_outputs; ++i) {
    if (seqc_runtime_result_owned(results, outputs, i, args, num_inputs))
      device_free((void *)(intptr_t)cursor[0]);
    cursor += 3 + 2 * outputs[i].rank;
  }
  for (int32_t i = 0; i < num_inputs; ++i)
    if (device_inputs[i] &&
        !on_device(memory, memory ? memory->device_inputs : NULL, i))
      device_free(device_inputs[i]);
  free(storage);
  free(device_inputs);
  return status;
}

/* Ends a transfer begun with seqc_device_begin_call: its status. */
static seqc_status end_transfer(const char *name) {
  const char *error = seqc_device_sync ? seqc_device_sync() : NULL;
  seqc_status status = SEQC_OK;
  if (error)
    status = seqc_runtime_fail(SEQC_ERROR_DEVICE, "%s: %s", name, error);
  if (seqc_device_end_call)
    seqc_device_end_call();
  return status;
}

seqc_status seqc_runtime_device_alloc(const char *name, int64_t bytes,
                                      void **out) {
  if (seqc_device_begin_call)
    seqc_device_begin_call(NULL);
  *out = device_alloc(bytes);
  seqc_status status = end_transfer(name);
  if (status == SEQC_OK && !*out)
    status = seqc_runtime_fail(SEQC_ERROR_OUT_OF_MEMORY,
                               "%s: cannot allocate %lld bytes", name,
                               (long long)bytes);
  if (status != SEQC_OK && *out) {
    device_free(*out);
    *out = NULL;
  }
  return status;
}

seqc_status seqc_runtime_device_copy(const char *name, void *dst,
                                     const void *src, int64_t bytes) {
  if (seqc_device_begin_call)
    seqc_device_begin_call(NULL);
  device_copy(dst, src, bytes);
  return end_transfer(name);
}

void seqc_runtime_device_free(void *pointer) {
  if (pointer)
    device_free(pointer);
}
