/*===- seqc_runtime.h - the C ABI of libraries compiled by seqc ----------===*
 *
 * Every shared library that seqc produces exports the functions declared
 * here, plus one entry point per public function of the compiled module:
 *
 *   seqc_status seqc_fn_<name>(const seqc_tensor *inputs, int32_t num_inputs,
 *                              seqc_tensor *outputs, int32_t num_outputs);
 *
 * (declared with their argument layouts in the header seqc writes beside the
 * library with --emit=header). Every argument is checked before any work is
 * done: counts, null pointers, dtypes, ranks, static sizes, the sizes that
 * must agree between arguments (the batch of q and k, ...), contiguity and
 * alignment. A bad call returns an error status and leaves a message for
 * seqc_last_error(); it never crashes and never writes to memory other than
 * the outputs' data, with one exception: an input the header marks
 * "donated" (the state of a model library) is updated in place; passing the
 * same buffer as the output it becomes saves a copy.
 *
 * Outputs are allocated by the caller, with the shapes that
 * seqc_get_library_info() describes (static sizes, or sizes equal to an
 * input's size). Inputs and outputs must be row-major contiguous.
 *
 * This header is C99 and has no dependencies beyond <stdint.h>.
 *===----------------------------------------------------------------------===*/

#ifndef SEQC_RUNTIME_H
#define SEQC_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Incremented on any incompatible change of the structures below. */
#define SEQC_ABI_VERSION 1

typedef enum seqc_dtype {
  SEQC_DTYPE_F32 = 1,
  SEQC_DTYPE_F64 = 2,
  SEQC_DTYPE_F16 = 3,
  SEQC_DTYPE_BF16 = 4,
  SEQC_DTYPE_I8 = 5,
  SEQC_DTYPE_I32 = 6,
  SEQC_DTYPE_I64 = 7 /* also MLIR's index type */
} seqc_dtype;

typedef enum seqc_status {
  SEQC_OK = 0,
  /* A null pointer, a wrong argument count, dtype, rank or size, sizes that
   * disagree between arguments, non-contiguous or misaligned data. */
  SEQC_ERROR_INVALID_ARGUMENT = 1,
  /* seqc_call() was given a name that the library does not export. */
  SEQC_ERROR_UNKNOWN_FUNCTION = 2,
  /* An allocation failed or a size overflowed. */
  SEQC_ERROR_OUT_OF_MEMORY = 3,
  /* A weights file could not be opened or read. */
  SEQC_ERROR_IO = 4,
  /* A weights file is not valid safetensors, or lacks a tensor the model
   * needs, or has it with another shape or an unsupported dtype. */
  SEQC_ERROR_INVALID_WEIGHTS = 5,
  /* The call would take a sequence past the model's max_context. */
  SEQC_ERROR_CONTEXT_FULL = 6,
  /* A model function was called on a library compiled from plain IR. */
  SEQC_ERROR_NOT_A_MODEL = 7,
  /* A library compiled with --target=cuda found no usable GPU (no driver,
   * no device; the message starts "no CUDA device"), or a CUDA call failed
   * (the message names it). docs/cuda.md. */
  SEQC_ERROR_DEVICE = 8
} seqc_status;

/* A tensor the caller owns. */
typedef struct seqc_tensor {
  seqc_dtype dtype;
  int32_t rank;
  const int64_t *shape;   /* rank sizes; may be NULL when rank == 0 */
  const int64_t *strides; /* in elements; NULL means row-major contiguous */
  void *data;             /* may be NULL only when the tensor is empty */
} seqc_tensor;

/* One dimension of an argument: a static size, or a dynamic one. Dynamic
 * dimensions with the same symbol (>= 0) must have equal sizes in a call. */
typedef struct seqc_dim {
  int64_t size;   /* >= 0: static; -1: dynamic */
  int32_t symbol; /* -1 when unconstrained */
} seqc_dim;

typedef struct seqc_arg_info {
  const char *name;
  seqc_dtype dtype;
  int32_t rank;
  const seqc_dim *dims;
} seqc_arg_info;

/* A rule between two sizes other than equality, checked before a call.
 * Each size is a symbol (>= 0) or, with symbol -1, the static `size`. */
typedef enum seqc_constraint_kind {
  SEQC_CONSTRAINT_MULTIPLE_OF = 1,   /* a % b == 0 and b >= 1 */
  SEQC_CONSTRAINT_PLUS_CONSTANT = 2, /* a == b + value */
  SEQC_CONSTRAINT_ONE_OR_EQUAL = 3,  /* a == 1 or a == b (broadcasting) */
  SEQC_CONSTRAINT_CONSTANT = 4       /* a == value */
} seqc_constraint_kind;

typedef struct seqc_constraint {
  int32_t kind; /* seqc_constraint_kind */
  int32_t a_symbol;
  int64_t a_size;
  int32_t b_symbol;
  int64_t b_size;
  int64_t value;
  const char *description; /* the rule in words */
} seqc_constraint;

typedef struct seqc_function_info {
  const char *name;
  int32_t num_inputs;
  const seqc_arg_info *inputs;
  int32_t num_outputs;
  const seqc_arg_info *outputs;
  int32_t num_constraints;
  const seqc_constraint *constraints;
} seqc_function_info;

typedef struct seqc_library_info {
  int32_t abi_version; /* SEQC_ABI_VERSION of the library */
  int32_t num_functions;
  const seqc_function_info *functions;
} seqc_library_info;

/* The signature of every entry point of this library. Never NULL. */
const seqc_library_info *seqc_get_library_info(void);

/* Calls the entry point `function` by name. */
seqc_status seqc_call(const char *function, const seqc_tensor *inputs,
                      int32_t num_inputs, seqc_tensor *outputs,
                      int32_t num_outputs);

/* seqc_call with the data of every input and output in GPU memory: device
 * pointers (cudaMalloc, cuMemAlloc, a PyTorch CUDA tensor's data_ptr()) of
 * the device the library uses ($SEQC_CUDA_DEVICE, default 0; its primary
 * context, which the CUDA runtime API shares). The work is ordered on
 * `stream` (a CUstream / cudaStream_t; NULL: the library's own stream for
 * this thread) after what is already queued there, and the call returns
 * when it is done. Only --target=cuda libraries take GPU memory (a CPU
 * library returns SEQC_ERROR_INVALID_ARGUMENT; one built with
 * --cuda-emulate-on-host, for testing, takes host pointers here).
 * docs/cuda.md. */
seqc_status seqc_call_device(const char *function, const seqc_tensor *inputs,
                             int32_t num_inputs, seqc_tensor *outputs,
                             int32_t num_outputs, void *stream);

/* Where the library runs its functions: "cpu", "cuda", or "cuda-emulated"
 * (--cuda-emulate-on-host). */
const char *seqc_library_target(void);

/* The message of the last failed call on this thread ("" if none). */
const char *seqc_last_error(void);

/* A constant name for a status ("SEQC_OK", ...). */
const char *seqc_status_string(seqc_status status);

/* The name of a dtype ("f32", ...), or "unknown". */
static inline const char *seqc_dtype_name(seqc_dtype dtype) {
  switch (dtype) {
  case SEQC_DTYPE_F32: return "f32";
  case SEQC_DTYPE_F64: return "f64";
  case SEQC_DTYPE_F16: return "f16";
  case SEQC_DTYPE_BF16: return "bf16";
  case SEQC_DTYPE_I8: return "i8";
  case SEQC_DTYPE_I32: return "i32";
  case SEQC_DTYPE_I64: return "i64";
  }
  return "unknown";
}

/* The size in bytes of one element, or 0 for an unknown dtype. */
static inline int64_t seqc_dtype_size(seqc_dtype dtype) {
  switch (dtype) {
  case SEQC_DTYPE_I8: return 1;
  case SEQC_DTYPE_F16:
  case SEQC_DTYPE_BF16: return 2;
  case SEQC_DTYPE_F32:
  case SEQC_DTYPE_I32: return 4;
  case SEQC_DTYPE_F64:
  case SEQC_DTYPE_I64: return 8;
  }
  return 0;
}

/* The shape a caller allocates for output `output` of `function`, given
 * the inputs of the call: static sizes as they are, dynamic ones from the
 * first input dimension with the same symbol, 0 where no input gives a
 * size (the call itself then reports what is wrong). */
static inline void seqc_output_shape(const seqc_function_info *function,
                                     const seqc_tensor *inputs,
                                     int32_t num_inputs, int32_t output,
                                     int64_t *shape) {
  const seqc_arg_info *out = &function->outputs[output];
  for (int32_t d = 0; d < out->rank; ++d) {
    const seqc_dim *dim = &out->dims[d];
    int found = dim->size >= 0;
    shape[d] = found ? dim->size : 0;
    for (int32_t i = 0; !found && i < num_inputs && i < function->num_inputs;
         ++i) {
      const seqc_arg_info *in = &function->inputs[i];
      for (int32_t e = 0; !found && e < in->rank && e < inputs[i].rank; ++e)
        if (in->dims[e].symbol >= 0 && in->dims[e].symbol == dim->symbol) {
          found = 1;
          shape[d] = inputs[i].shape[e] > 0 ? inputs[i].shape[e] : 0;
        }
    }
  }
}

/*===----------------------------------------------------------------------===*
 * Models (libraries compiled from a model description, docs/models.md)
 *===----------------------------------------------------------------------===*/

/* A tensor of a model: a weight (a safetensors tensor name, where it lives
 * in the packed f32 weights) or a piece of recurrent state (a KV cache, a
 * conv or SSM state; `shape` is per sequence, and the piece is
 * [batch, shape...] at batch * offset in the instance's state). */
typedef struct seqc_model_tensor_info {
  const char *name;
  int32_t rank;
  const int64_t *shape;
  int64_t offset; /* in f32 elements (bytes of qweights when quantized) */
  /* Weights only. 0: f32 at `offset` in the packed weights. 8 or 4: a
   * [N, K] projection quantized symmetrically, int8 or two int4 a byte
   * (see seq.dequantize for the packing), at `offset` in the packed
   * quantized weights, with one f32 scale per `group_size` inputs
   * ([N, K / group_size]) at `scale_offset` in the packed weights. 16: a
   * bf16 [N, K] projection, 2 bytes a value (little-endian) at `offset` in
   * the packed quantized weights, no scales. */
  int32_t bits;
  int64_t group_size;
  int64_t scale_offset;
  /* Quantized weights only. 0, or the block of the Walsh-Hadamard rotation
   * (seq.hadamard) applied to every row before quantizing: the library
   * rotates the projection's input the same way (--quantize=int8-ssm). A
   * saved file holds such a weight rotated, its scales named
   * `name`_hadamard_scale. */
  int64_t rotation;
  /* Quantized weights only. -1 (symmetric), or the offset in the packed
   * quantized weights of its i8 zero points, one per scale
   * ([N, K / group_size]): w = scale * (q - zero). */
  int64_t zero_offset;
} seqc_model_tensor_info;

typedef struct seqc_model_info {
  const char *name;
  const char *architecture; /* "seqc-model", "llama", "mamba", ... */
  int64_t vocab_size;
  int64_t max_context;
  int32_t num_weights;
  const seqc_model_tensor_info *weights;
  int64_t weights_size; /* f32 elements of the packed weights */
  int32_t num_states;
  const seqc_model_tensor_info *states;
  int64_t state_size; /* f32 elements of state per sequence */
  /* Indexes into seqc_library_info.functions. Each takes (tokens,
   * position, weights, state pieces...) and returns (logits, next state
   * pieces...), the pieces donated. */
  int32_t forward_function;
  int32_t step_function;
  /* Bytes of the packed quantized weights; when not 0 the entry points
   * take them (i8[qweights_size]) right after the weights. */
  int64_t qweights_size;
  /* 0: the model reads token ids (seqc_model_forward, seqc_model_step).
   * N > 0: it reads N floats per position (a non-LM model,
   * seqc_model_forward_features, seqc_model_step_features), and vocab_size
   * is its number of outputs per position. */
  int64_t input_dim;
} seqc_model_info;

typedef struct seqc_model seqc_model;

/* The model this library computes, or NULL for a library compiled from
 * plain IR. */
const seqc_model_info *seqc_get_model_info(void);

/* Creates an instance for `batch` sequences from a safetensors file (or a
 * buffer holding one, which need not outlive the call). On failure *model
 * is NULL and seqc_last_error() says why. */
seqc_status seqc_model_create(const char *weights_path, int64_t batch,
                              seqc_model **model);
seqc_status seqc_model_create_from_buffer(const void *data, uint64_t size,
                                          int64_t batch, seqc_model **model);
void seqc_model_destroy(seqc_model *model); /* NULL is allowed */

/* Appends tokens[batch, length] (row-major) to every sequence and writes
 * their logits[batch, length, vocab_size]. */
seqc_status seqc_model_forward(seqc_model *model, const int32_t *tokens,
                               int64_t length, float *logits);
/* One token per sequence: tokens[batch] -> logits[batch, vocab_size]. */
seqc_status seqc_model_step(seqc_model *model, const int32_t *tokens,
                            float *logits);
/* The same for a model that reads feature vectors (input_dim > 0):
 * features[batch, length, input_dim] and features[batch, input_dim]. Each
 * kind of model refuses the other kind of call. */
seqc_status seqc_model_forward_features(seqc_model *model,
                                        const float *features, int64_t length,
                                        float *logits);
seqc_status seqc_model_step_features(seqc_model *model, const float *features,
                                     float *logits);
/* Forgets every sequence: position 0, zero state. */
seqc_status seqc_model_reset(seqc_model *model);
int64_t seqc_model_batch(const seqc_model *model);
/* Tokens consumed since the last reset (or -1 for a NULL model). */
int64_t seqc_model_position(const seqc_model *model);
/* Writes the instance's weights as a safetensors file that
 * seqc_model_create reads back as they are: F32 weights, and each
 * quantized projection as I8 `name` plus F32 `name`_scale (docs/
 * quantization.md). With a library compiled with --quantize, this is how
 * a file of float weights becomes a smaller quantized one. Written
 * whole or not at all. */
seqc_status seqc_model_save_weights(const seqc_model *model, const char *path);

/* The size of a saved state, in bytes. */
uint64_t seqc_model_state_bytes(const seqc_model *model);
seqc_status seqc_model_save_state(const seqc_model *model, void *buffer,
                                  uint64_t size);
seqc_status seqc_model_load_state(seqc_model *model, const void *buffer,
                                  uint64_t size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SEQC_RUNTIME_H */
