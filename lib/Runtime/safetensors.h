/*===- safetensors.h - validating safetensors reader --------------*- C -*-===*
 *
 * Internal to the seqc runtime (not installed): reads a safetensors file
 * (8-byte little-endian header length, JSON header, data buffer), validates
 * every entry against the file's bytes and gives the tensors' names, dtypes,
 * shapes and data. A file that opens successfully never makes a caller read
 * outside the file: every tensor's bytes lie inside the data buffer, sizes
 * agree with dtypes and shapes, and no two tensors share bytes.
 *
 * Plain C11 over libc, no state beyond the file objects, so it is safe to
 * use from several threads on different file objects (and from several
 * threads reading one file object once it is open).
 *===----------------------------------------------------------------------===*/

#ifndef SEQC_SAFETENSORS_H
#define SEQC_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* safetensors dtype codes seqc understands. Other dtype strings of the format
 * (U8, I16, U16, U32, U64, F8_E4M3, F8_E5M2, BOOL, ...) parse as
 * SEQC_ST_OTHER with dtype_name set, so that callers can say which dtype a
 * tensor has; an unknown string is a format error. */
typedef enum seqc_st_dtype {
  SEQC_ST_OTHER = 0,
  SEQC_ST_F32,
  SEQC_ST_F16,
  SEQC_ST_BF16,
  SEQC_ST_F64,
  SEQC_ST_I8,
  SEQC_ST_I32,
  SEQC_ST_I64
} seqc_st_dtype;

#define SEQC_ST_MAX_RANK 8

typedef struct seqc_st_tensor {
  const char *name; /* NUL-terminated, owned by the file */
  seqc_st_dtype dtype;
  char dtype_name[16]; /* as written in the header ("F32", "U16") */
  int32_t rank;
  int64_t shape[SEQC_ST_MAX_RANK];
  const unsigned char *data; /* inside the file's bytes */
  uint64_t nbytes;
} seqc_st_tensor;

typedef struct seqc_st_file seqc_st_file;

/* Maps (mmap, read-only) and validates `path`. Returns 0 and sets *out on
 * success; otherwise returns -1 for a file that cannot be opened/read
 * (message includes strerror and the path) or -2 for an invalid file, with
 * *out = NULL and a one-line message in error[0..error_size). Running out of
 * memory also returns -1. `error` may be NULL when error_size is 0. */
int seqc_st_open(const char *path, seqc_st_file **out, char *error,
                 size_t error_size);
/* The same over bytes the caller owns; they must outlive the file object. */
int seqc_st_open_buffer(const void *data, uint64_t size, seqc_st_file **out,
                        char *error, size_t error_size);
/* Tensors are numbered in the order the header lists them. */
int32_t seqc_st_count(const seqc_st_file *file);
/* NULL when index is out of range. */
const seqc_st_tensor *seqc_st_get(const seqc_st_file *file, int32_t index);
/* NULL if absent. */
const seqc_st_tensor *seqc_st_find(const seqc_st_file *file,
                                   const char *name);
/* NULL allowed; unmaps. */
void seqc_st_close(seqc_st_file *file);

#ifdef __cplusplus
}
#endif

#endif /* SEQC_SAFETENSORS_H */
