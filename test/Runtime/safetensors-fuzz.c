/*===- safetensors-fuzz.c - fuzzes the safetensors reader -----------------===*
 *
 * Feeds arbitrary bytes to seqc_st_open_buffer and, when a file opens, reads
 * every byte of every tensor, so that the sanitizers catch any tensor that
 * points outside the input. Not part of the default build or the tests; with
 * a clang build of seqc:
 *
 *   ninja -C build seqc-safetensors-fuzz
 *   mkdir -p /tmp/st-corpus
 *   build/bin/seqc-safetensors-fuzz -max_total_time=60 /tmp/st-corpus
 *
 * or without CMake:
 *
 *   clang -std=c11 -g -fsanitize=fuzzer,address,undefined -Ilib/Runtime \
 *     test/Runtime/safetensors-fuzz.c lib/Runtime/safetensors.c
 *
 * A small valid file as a seed gets the fuzzer past the JSON syntax check
 * quickly, e.g. the output of
 *
 *   python3 -c 'import sys, struct; h = b"{\"a\":{\"dtype\":\"F32\",\
 *   \"shape\":[2],\"data_offsets\":[0,8]}}"; sys.stdout.buffer.write(\
 *   struct.pack("<Q", len(h)) + h + bytes(8))' > /tmp/st-corpus/seed
 *===----------------------------------------------------------------------===*/

#include "safetensors.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  seqc_st_file *file = NULL;
  char error[256];
  int rc = seqc_st_open_buffer(data, size, &file, error, sizeof(error));
  if (rc != 0) {
    /* Out of memory (-1) is not expected for inputs of fuzzer sizes. */
    if (rc != -2 || file || !memchr(error, '\0', sizeof(error)))
      __builtin_trap();
    return 0;
  }
  unsigned sum = 0;
  for (int32_t i = 0; i < seqc_st_count(file); ++i) {
    const seqc_st_tensor *t = seqc_st_get(file, i);
    if (!t || seqc_st_find(file, t->name) != t)
      __builtin_trap();
    for (uint64_t k = 0; k < t->nbytes; ++k)
      sum += t->data[k];
    if (t->nbytes && (t->data < data || t->data + t->nbytes > data + size))
      __builtin_trap();
  }
  seqc_st_close(file);
  return (int)(sum & 0);
}
