/*===- save_weights.c - an instance's weights as a safetensors file -------===*
 *
 * Writes what the instance holds, in the form seqc_model_create reads back
 * without converting: f32 weights as F32; a quantized projection as I8
 * `name` (int8 [N, K], or int4 packed two a byte [N, K / 2]) and F32
 * `name`_scale [N, K / group_size] (`name`_hadamard_scale for a weight
 * stored rotated), with I8 `name`_zero [N, K / group_size] when
 * asymmetric; a bf16 projection as BF16 `name`. The file is written beside
 *`path` and renamed over it once complete, so a failure leaves no partial file;
 *a path that exists and is not a regular file is refused.
 *===----------------------------------------------------------------------===*/

#include "model_internal.h"
#include "runtime_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define fail seqc_runtime_fail

/* One tensor of the file: where its bytes are in the instance. */
typedef struct entry {
  const char *name;
  const char *suffix; /* appended to the name ("_scale" or "") */
  const char *dtype;
  int64_t shape[8];
  int32_t rank;
  const void *data;
  uint64_t bytes;
} entry;

/* Appends `text` to the growing header; returns 0 when out of memory. */
static int append(char **buffer, size_t *used, size_t *capacity,
                  const char *text, size_t length) {
  if (*used + length + 1 > *capacity) {
    size_t next = (*capacity ? *capacity * 2 : 4096) + length;
    char *grown = realloc(*buffer, next);
    if (!grown)
      return 0;
    *buffer = grown;
    *capacity = next;
  }
  memcpy(*buffer + *used, text, length);
  *used += length;
  (*buffer)[*used] = '\0';
  return 1;
}

/* The header's JSON: names escaped (a table name may hold any character). */
static char *header_json(const entry *entries, int32_t count, size_t *size) {
  char *buffer = NULL, item[256];
  size_t used = 0, capacity = 0;
  int ok = append(&buffer, &used, &capacity, "{", 1);
  uint64_t offset = 0;
  for (int32_t i = 0; ok && i < count; ++i) {
    const entry *e = &entries[i];
    ok = append(&buffer, &used, &capacity, i ? ",\"" : "\"", i ? 2 : 1);
    for (const char *parts[2] = {e->name, e->suffix}, **p = parts;
         ok && p < parts + 2; ++p)
      for (const unsigned char *c = (const unsigned char *)*p; ok && *c; ++c) {
        if (*c == '"' || *c == '\\' || *c < 0x20) {
          int n = snprintf(item, sizeof(item), "\\u%04x", *c);
          ok = append(&buffer, &used, &capacity, item, (size_t)n);
        } else {
          ok = append(&buffer, &used, &capacity, (const char *)c, 1);
        }
      }
    int n = snprintf(item, sizeof(item), "\":{\"dtype\":\"%s\",\"shape\":[",
                     e->dtype);
    ok = ok && append(&buffer, &used, &capacity, item, (size_t)n);
    for (int32_t d = 0; ok && d < e->rank; ++d) {
      n = snprintf(item, sizeof(item), "%s%lld", d ? "," : "",
                   (long long)e->shape[d]);
      ok = append(&buffer, &used, &capacity, item, (size_t)n);
    }
    n = snprintf(item, sizeof(item), "],\"data_offsets\":[%llu,%llu]}",
                 (unsigned long long)offset,
                 (unsigned long long)(offset + e->bytes));
    ok = ok && append(&buffer, &used, &capacity, item, (size_t)n);
    offset += e->bytes;
  }
  ok = ok && append(&buffer, &used, &capacity, "}", 1);
  /* Padded with spaces to 8 bytes, as the format recommends. */
  while (ok && used % 8 != 0)
    ok = append(&buffer, &used, &capacity, " ", 1);
  if (!ok) {
    free(buffer);
    return NULL;
  }
  *size = used;
  return buffer;
}

static int write_all(FILE *f, const void *data, uint64_t bytes) {
  return bytes == 0 || fwrite(data, 1, (size_t)bytes, f) == (size_t)bytes;
}

SEQC_EXPORT seqc_status seqc_model_save_weights(const seqc_model *model,
                                                const char *path) {
  if (!model || !path)
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_save_weights: %s is NULL",
                model ? "path" : "model");
  /* The file is replaced by a rename, which would replace a device or a
   * FIFO (as root, /dev/null itself) rather than write to it. */
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return fail(SEQC_ERROR_INVALID_ARGUMENT,
                "seqc_model_save_weights: '%s' is not a regular file", path);
  const seqc_model_info *info = model->info;
  entry *entries = calloc((size_t)info->num_weights * 3 + 1, sizeof(entry));
  if (!entries)
    return fail(SEQC_ERROR_OUT_OF_MEMORY,
                "seqc_model_save_weights: out of memory");
  int32_t count = 0;
  for (int32_t i = 0; i < info->num_weights; ++i) {
    const seqc_model_tensor_info *w = &info->weights[i];
    entry e = {w->name, "", "F32", {0}, w->rank, NULL, 4};
    for (int32_t d = 0; d < w->rank && d < 8; ++d) {
      e.shape[d] = w->shape[d];
      e.bytes *= (uint64_t)w->shape[d];
    }
    if (!w->bits) {
      e.data = model->weights + w->offset;
      entries[count++] = e;
      continue;
    }
    int64_t n = w->shape[0], k = w->shape[1];
    if (w->bits == 16) {
      e.dtype = "BF16";
      e.bytes = (uint64_t)(n * k * 2);
      e.data = model->qweights + w->offset;
      entries[count++] = e;
      continue;
    }
    e.dtype = "I8";
    e.shape[1] = w->bits == 4 ? k / 2 : k;
    e.bytes = (uint64_t)(n * e.shape[1]);
    e.data = model->qweights + w->offset;
    entries[count++] = e;
    entry scales = {w->name, seqc_scale_suffix(w), "F32", {n, k / w->group_size}, 2,
                    model->weights + w->scale_offset,
                    (uint64_t)(4 * n * (k / w->group_size))};
    entries[count++] = scales;
    if (w->zero_offset >= 0) {
      entry zeros = {w->name, "_zero", "I8", {n, k / w->group_size}, 2,
                     model->qweights + w->zero_offset,
                     (uint64_t)(n * (k / w->group_size))};
      entries[count++] = zeros;
    }
  }
  size_t header_size = 0;
  char *header = header_json(entries, count, &header_size);
  if (!header) {
    free(entries);
    return fail(SEQC_ERROR_OUT_OF_MEMORY,
                "seqc_model_save_weights: out of memory");
  }

  size_t length = strlen(path);
  char *partial = malloc(length + sizeof(".partial"));
  FILE *f = NULL;
  if (partial) {
    memcpy(partial, path, length);
    memcpy(partial + length, ".partial", sizeof(".partial"));
    f = fopen(partial, "wb");
  }
  int ok = f != NULL;
  unsigned char size_le[8];
  for (int b = 0; b < 8; ++b)
    size_le[b] = (unsigned char)((uint64_t)header_size >> (8 * b));
  ok = ok && write_all(f, size_le, 8) && write_all(f, header, header_size);
  for (int32_t i = 0; ok && i < count; ++i)
    ok = write_all(f, entries[i].data, entries[i].bytes);
  if (f && fclose(f) != 0)
    ok = 0;
  if (ok && rename(partial, path) != 0)
    ok = 0;
  if (!ok && partial)
    remove(partial);
  free(partial);
  free(header);
  free(entries);
  if (!ok)
    return fail(SEQC_ERROR_IO,
                "seqc_model_save_weights: cannot write '%s'", path);
  return SEQC_OK;
}
