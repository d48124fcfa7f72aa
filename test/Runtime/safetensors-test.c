/*===- safetensors-test.c - tests of the runtime's safetensors reader -----===*
 *
 * Builds valid and hostile safetensors files in memory (and a few on disk),
 * opens them with the reader from lib/Runtime/safetensors.c and prints one
 * line per case, for safetensors.test to FileCheck. The expectations (return
 * code, a piece of the message, what a valid file contains) are also checked
 * here, so the exit status alone says whether the reader behaves; the
 * mutation loops (every truncation, every bit flip, random edits) only
 * require that nothing crashes and that whatever opens is self-consistent.
 *
 * Every buffer handed to the reader is a fresh allocation of exactly the
 * file's size, so a sanitizer build catches any read past the end:
 *
 *   clang -std=c11 -g -fsanitize=address,undefined -Ilib/Runtime \
 *     test/Runtime/safetensors-test.c lib/Runtime/safetensors.c
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
static int cases;

typedef struct buffer {
  unsigned char *bytes;
  size_t size;
} buffer;

/* A file whose header length field is `declared` (whatever the header's
 * real length), followed by the header and `data_size` patterned bytes. */
static buffer make_raw(uint64_t declared, const char *header,
                       size_t header_size, size_t data_size) {
  buffer b;
  b.size = 8 + header_size + data_size;
  b.bytes = malloc(b.size ? b.size : 1);
  if (!b.bytes) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  for (int i = 0; i < 8; ++i)
    b.bytes[i] = (unsigned char)(declared >> (8 * i));
  memcpy(b.bytes + 8, header, header_size);
  for (size_t i = 0; i < data_size; ++i)
    b.bytes[8 + header_size + i] = (unsigned char)(i * 7 + 1);
  return b;
}

static buffer make_file(const char *header, size_t data_size) {
  return make_raw(strlen(header), header, strlen(header), data_size);
}

static uint64_t item_size(const char *dtype) {
  static const struct {
    const char *name;
    uint64_t size;
  } sizes[] = {{"F64", 8}, {"F32", 4}, {"F16", 2},  {"BF16", 2},
               {"I64", 8}, {"I32", 4}, {"I16", 2},  {"I8", 1},
               {"U64", 8}, {"U32", 4}, {"U16", 2},  {"U8", 1},
               {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i)
    if (strcmp(dtype, sizes[i].name) == 0)
      return sizes[i].size;
  return 0;
}

/* What every successfully opened file must satisfy, whatever its bytes: the
 * properties callers rely on without checking. Returns a problem or NULL. */
static const char *check_invariants(const seqc_st_file *file,
                                    const unsigned char *bytes,
                                    size_t size) {
  int32_t count = seqc_st_count(file);
  if (count < 0)
    return "negative count";
  if (seqc_st_get(file, -1) || seqc_st_get(file, count))
    return "seqc_st_get out of range is not NULL";
  if (size < 8)
    return "opened a file shorter than 8 bytes";
  uint64_t header = 0;
  for (int i = 7; i >= 0; --i)
    header = header << 8 | bytes[i];
  const unsigned char *data = bytes + 8 + header, *end = bytes + size;
  unsigned sum = 0;
  for (int32_t i = 0; i < count; ++i) {
    const seqc_st_tensor *t = seqc_st_get(file, i);
    if (!t || !t->name || !t->name[0])
      return "tensor without a name";
    if (seqc_st_find(file, t->name) != t)
      return "seqc_st_find does not find a tensor";
    if (!memchr(t->dtype_name, 0, sizeof(t->dtype_name)))
      return "dtype_name not terminated";
    uint64_t size_of = item_size(t->dtype_name);
    if (!size_of)
      return "unknown dtype_name";
    if (t->rank < 0 || t->rank > SEQC_ST_MAX_RANK)
      return "bad rank";
    uint64_t elements = 1;
    for (int32_t d = 0; d < t->rank; ++d) {
      if (t->shape[d] < 0)
        return "negative dimension";
      elements *= (uint64_t)t->shape[d];
    }
    if (t->nbytes != elements * size_of)
      return "nbytes disagrees with the shape";
    if (t->data < data || t->data > end ||
        t->nbytes > (uint64_t)(end - t->data))
      return "data outside the data buffer";
    for (uint64_t k = 0; k < t->nbytes; ++k)
      sum += t->data[k];
    for (int32_t j = 0; j < i; ++j) {
      const seqc_st_tensor *u = seqc_st_get(file, j);
      if (t->nbytes && u->nbytes && t->data < u->data + u->nbytes &&
          u->data < t->data + t->nbytes)
        return "overlapping tensors";
    }
  }
  (void)sum;
  return NULL;
}

/* Control characters are escaped to keep one line per case. */
static void print_name(const char *name) {
  for (const unsigned char *c = (const unsigned char *)name; *c; ++c)
    if (*c < 0x20)
      printf("\\x%02X", (unsigned)*c);
    else
      putchar(*c);
}

static void print_tensors(const seqc_st_file *file) {
  printf(" count=%d", (int)seqc_st_count(file));
  for (int32_t i = 0; i < seqc_st_count(file); ++i) {
    const seqc_st_tensor *t = seqc_st_get(file, i);
    putchar(' ');
    print_name(t->name);
    printf(" %s [", t->dtype_name);
    for (int32_t d = 0; d < t->rank; ++d)
      printf("%s%lld", d ? "," : "", (long long)t->shape[d]);
    printf("] nbytes=%llu", (unsigned long long)t->nbytes);
  }
}

static void failed(const char *label, const char *why) {
  printf("%s: FAILED: %s\n", label, why);
  ++failures;
}

/* Opens b (copied to an exact-size allocation, then freed) and checks the
 * return code and, for errors, that the message contains `expect`. On
 * success, `check` (if any) looks at the tensors. */
static void run_case(const char *label, buffer b, int expected_rc,
                     const char *expect,
                     const char *(*check)(const seqc_st_file *)) {
  ++cases;
  unsigned char *copy = malloc(b.size ? b.size : 1);
  if (!copy) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  memcpy(copy, b.bytes, b.size);
  free(b.bytes);
  seqc_st_file *file = (seqc_st_file *)1;
  char error[512];
  int rc = seqc_st_open_buffer(copy, b.size, &file, error, sizeof(error));
  if (rc == 0) {
    printf("%s: ok", label);
    print_tensors(file);
    printf("\n");
    const char *problem = check_invariants(file, copy, b.size);
    if (!problem && check)
      problem = check(file);
    if (problem)
      failed(label, problem);
    seqc_st_close(file);
  } else {
    printf("%s: error: %s\n", label, error);
    if (file)
      failed(label, "*out is not NULL after an error");
    if (strchr(error, '\n'))
      failed(label, "message has a newline");
    if (expect && !strstr(error, expect))
      failed(label, "message does not say what was expected");
  }
  if (rc != expected_rc) {
    char why[64];
    snprintf(why, sizeof(why), "returned %d, expected %d", rc, expected_rc);
    failed(label, why);
  }
  free(copy);
}

static void ok_case(const char *label, const char *header, size_t data_size,
                    const char *(*check)(const seqc_st_file *)) {
  run_case(label, make_file(header, data_size), 0, NULL, check);
}

static void bad_case(const char *label, const char *header, size_t data_size,
                     const char *expect) {
  run_case(label, make_file(header, data_size), -2, expect, NULL);
}

/*===----------------------------------------------------------------------===*
 * Checks of particular valid files
 *===----------------------------------------------------------------------===*/

static const char *check_two(const seqc_st_file *file) {
  const seqc_st_tensor *a = seqc_st_find(file, "a");
  const seqc_st_tensor *b = seqc_st_find(file, "b");
  if (!a || !b || seqc_st_find(file, "c") || seqc_st_find(file, ""))
    return "seqc_st_find";
  if (a->dtype != SEQC_ST_F32 || a->rank != 2 || a->shape[0] != 2 ||
      a->shape[1] != 3 || a->nbytes != 24)
    return "tensor a";
  if (b->dtype != SEQC_ST_I64 || b->rank != 0 || b->nbytes != 8 ||
      b->data != a->data + 24)
    return "tensor b";
  /* make_raw's pattern: data byte i is i * 7 + 1. */
  if (a->data[0] != 1 || a->data[1] != 8 || b->data[0] != (24 * 7 + 1))
    return "data";
  return NULL;
}

static const char *check_dtypes(const seqc_st_file *file) {
  static const struct {
    const char *name;
    seqc_st_dtype dtype;
  } expected[] = {{"f64", SEQC_ST_F64},  {"f32", SEQC_ST_F32},
                  {"f16", SEQC_ST_F16},  {"bf16", SEQC_ST_BF16},
                  {"i64", SEQC_ST_I64},  {"i32", SEQC_ST_I32},
                  {"i8", SEQC_ST_I8},    {"i16", SEQC_ST_OTHER},
                  {"u64", SEQC_ST_OTHER}, {"u32", SEQC_ST_OTHER},
                  {"u16", SEQC_ST_OTHER}, {"u8", SEQC_ST_OTHER},
                  {"bool", SEQC_ST_OTHER}, {"e4m3", SEQC_ST_OTHER},
                  {"e5m2", SEQC_ST_OTHER}};
  for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); ++i) {
    const seqc_st_tensor *t = seqc_st_find(file, expected[i].name);
    if (!t || t->dtype != expected[i].dtype)
      return "dtype code";
  }
  return NULL;
}

static const char *check_escaped(const seqc_st_file *file) {
  /* "caf\u00e9/\ud83d\ude00\n" in the header. */
  if (!seqc_st_find(file, "caf\xc3\xa9/\xf0\x9f\x98\x80\n"))
    return "escaped name not decoded";
  if (!seqc_st_find(file, "dtype"))
    return "escaped key";
  return NULL;
}

/*===----------------------------------------------------------------------===*
 * Files on disk
 *===----------------------------------------------------------------------===*/

static const char *temp_dir(void) {
  const char *dir = getenv("TMPDIR");
  return dir && dir[0] ? dir : "/tmp";
}

/* Writes b to a fresh temporary file and returns its path (malloc'd). */
static char *write_temp(buffer b) {
  const char *dir = temp_dir();
  size_t length = strlen(dir) + 40;
  char *path = malloc(length);
  if (!path)
    exit(2);
  snprintf(path, length, "%s/seqc-st-test-XXXXXX", dir);
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("mkstemp");
    exit(2);
  }
  if (b.size && write(fd, b.bytes, b.size) != (ssize_t)b.size) {
    perror("write");
    exit(2);
  }
  close(fd);
  free(b.bytes);
  return path;
}

static void path_case(const char *label, const char *path, int expected_rc,
                      const char *expect) {
  ++cases;
  seqc_st_file *file = (seqc_st_file *)1;
  char error[512];
  int rc = seqc_st_open(path, &file, error, sizeof(error));
  if (rc == 0) {
    printf("%s: ok", label);
    print_tensors(file);
    printf("\n");
    const seqc_st_tensor *a = seqc_st_find(file, "a");
    if (!a || a->nbytes != 24 || a->data[0] != 1 || a->data[23] != 162)
      failed(label, "wrong data");
    seqc_st_close(file);
  } else {
    printf("%s: error: %s\n", label, error);
    if (file)
      failed(label, "*out is not NULL after an error");
    if (expect && !strstr(error, expect))
      failed(label, "message does not say what was expected");
    if (!strstr(error, path))
      failed(label, "message does not name the path");
  }
  if (rc != expected_rc)
    failed(label, "unexpected return code");
}

static void test_paths(void) {
  static const char *valid =
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]}}";
  char *good = write_temp(make_file(valid, 24));
  path_case("path-valid", good, 0, NULL);

  char *missing = write_temp(make_file(valid, 24));
  unlink(missing);
  path_case("path-missing", missing, -1, "No such file or directory");

  char *empty = write_temp((buffer){NULL, 0});
  path_case("path-empty", empty, -2, "file is empty");

  buffer whole = make_file(valid, 24);
  buffer cut = {whole.bytes, 20};
  char *truncated = write_temp(cut);
  path_case("path-truncated", truncated, -2, "exceeds the file size 20");

  const char *dir = temp_dir();
  size_t length = strlen(dir) + 40;
  char *directory = malloc(length);
  if (!directory)
    exit(2);
  snprintf(directory, length, "%s/seqc-st-test-dir-XXXXXX", dir);
  if (!mkdtemp(directory)) {
    perror("mkdtemp");
    exit(2);
  }
  path_case("path-directory", directory, -1, "Is a directory");

  unlink(good);
  unlink(empty);
  unlink(truncated);
  rmdir(directory);
  free(good);
  free(missing);
  free(empty);
  free(truncated);
  free(directory);
}

/*===----------------------------------------------------------------------===*
 * Mutation loops
 *===----------------------------------------------------------------------===*/

static const char *const mutation_base =
    "{\"__metadata__\":{\"format\":\"pt\"},"
    "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
    "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[16,24]},"
    "\"e\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[24,24]}}  ";

/* Opens bytes[0..size) from an exact-size copy; counts the outcome. */
static void mutant(const char *label, const unsigned char *bytes,
                   size_t size, int *ok, int *rejected) {
  unsigned char *copy = malloc(size ? size : 1);
  if (!copy)
    exit(2);
  memcpy(copy, bytes, size);
  seqc_st_file *file = NULL;
  char error[256];
  int rc = seqc_st_open_buffer(copy, size, &file, error, sizeof(error));
  if (rc == 0) {
    ++*ok;
    const char *problem = check_invariants(file, copy, size);
    if (problem) {
      failed(label, problem);
    }
    seqc_st_close(file);
  } else if (rc == -2) {
    ++*rejected;
  } else {
    failed(label, "returned neither 0 nor -2");
  }
  free(copy);
}

static void test_truncations(void) {
  buffer b = make_file(mutation_base, 24);
  int ok = 0, rejected = 0;
  for (size_t length = 0; length < b.size; ++length)
    mutant("truncations", b.bytes, length, &ok, &rejected);
  ++cases;
  printf("truncations: %zu lengths, %d ok, %d rejected\n", b.size, ok,
         rejected);
  /* The last tensor ends at the end of the file: every cut must fail. */
  if (ok != 0)
    failed("truncations", "a truncated file opened");
  free(b.bytes);
}

static void test_bit_flips(void) {
  buffer b = make_file(mutation_base, 24);
  size_t header_end = 8 + strlen(mutation_base);
  int ok = 0, rejected = 0;
  for (size_t i = 0; i < header_end; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      b.bytes[i] ^= (unsigned char)(1u << bit);
      mutant("bit-flips", b.bytes, b.size, &ok, &rejected);
      b.bytes[i] ^= (unsigned char)(1u << bit);
    }
  }
  ++cases;
  printf("bit-flips: %zu flips, %d ok, %d rejected\n", header_end * 8, ok,
         rejected);
  free(b.bytes);
}

/* Random edits biased towards JSON punctuation and digits, so that many
 * mutants get past the syntax check and exercise the schema checks. */
static void test_random_edits(void) {
  static const char alphabet[] = "{}[]:,\"\\u0123456789-.eE \tFIU_a";
  buffer b = make_file(mutation_base, 24);
  size_t header_end = 8 + strlen(mutation_base);
  unsigned char *work = malloc(b.size);
  if (!work)
    exit(2);
  uint64_t state = 0x9E3779B97F4A7C15ull;
  int ok = 0, rejected = 0;
  const int rounds = 20000;
  for (int round = 0; round < rounds; ++round) {
    memcpy(work, b.bytes, b.size);
    size_t size = b.size;
    int edits = 1 + (int)(state % 4);
    for (int e = 0; e < edits; ++e) {
      state ^= state << 13, state ^= state >> 7, state ^= state << 17;
      size_t at = 8 + (size_t)(state >> 8) % (header_end - 8);
      work[at] = (state & 1) ? (unsigned char)alphabet[(state >> 40) %
                                                       (sizeof(alphabet) - 1)]
                             : (unsigned char)(state >> 48);
    }
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    if (state % 8 == 0)
      size = (size_t)(state >> 16) % (size + 1);
    mutant("random-edits", work, size, &ok, &rejected);
  }
  ++cases;
  printf("random-edits: %d mutants, no crash\n", rounds);
  free(work);
  free(b.bytes);
}

/*===----------------------------------------------------------------------===*
 * Cases
 *===----------------------------------------------------------------------===*/

#define TENSOR(name, dtype, shape, begin, end)                               \
  "\"" name "\":{\"dtype\":\"" dtype "\",\"shape\":" shape                   \
  ",\"data_offsets\":[" begin "," end "]}"

static void test_valid(void) {
  ok_case("valid-two-tensors",
          "{" TENSOR("a", "F32", "[2,3]", "0", "24") "," TENSOR(
              "b", "I64", "[]", "24", "32") "}",
          32, check_two);
  ok_case("valid-metadata-padded",
          "{\"__metadata__\":{\"format\":\"pt\",\"\":\"\"}," TENSOR(
              "x", "F16", "[4]", "0", "8") "}      ",
          8, NULL);
  ok_case("valid-empty", "{}", 0, NULL);
  ok_case("valid-only-metadata", "{\"__metadata__\":{}}  ", 3, NULL);
  ok_case("valid-zero-size",
          "{" TENSOR("a", "F32", "[2]", "0", "8") "," TENSOR(
              "z", "F32", "[0,5]", "4", "4") "," TENSOR("y", "U8", "[3,0]",
                                                         "8", "8") "}",
          8, NULL);
  ok_case("valid-zero-dim-huge-others",
          "{" TENSOR("z", "F64", "[9223372036854775807,0,9223372036854775807]",
                     "0", "0") "}",
          0, NULL);
  ok_case("valid-all-dtypes",
          "{" TENSOR("f64", "F64", "[1]", "0", "8") "," TENSOR(
              "f32", "F32", "[1]", "8", "12") "," TENSOR("f16", "F16", "[1]",
                                                          "12", "14") ","
          TENSOR("bf16", "BF16", "[1]", "14", "16") "," TENSOR(
              "i64", "I64", "[1]", "16", "24") "," TENSOR("i32", "I32", "[1]",
                                                           "24", "28") ","
          TENSOR("i16", "I16", "[1]", "28", "30") "," TENSOR(
              "i8", "I8", "[1]", "30", "31") "," TENSOR("u64", "U64", "[1]",
                                                         "32", "40") ","
          TENSOR("u32", "U32", "[1]", "40", "44") "," TENSOR(
              "u16", "U16", "[1]", "44", "46") "," TENSOR("u8", "U8", "[1]",
                                                           "46", "47") ","
          TENSOR("bool", "BOOL", "[1]", "47", "48") "," TENSOR(
              "e4m3", "F8_E4M3", "[1]", "48", "49") "," TENSOR("e5m2",
                                                               "F8_E5M2",
                                                               "[1]", "49",
                                                               "50") "}",
          50, check_dtypes);
  ok_case("valid-escapes",
          "{\"caf\\u00e9\\/\\ud83d\\ude00\\n\":{\"\\u0064type\":\"F32\","
          "\"shape\":[1],\"data_offsets\":[0,4]},"
          "\"dtype\":{\"dtype\":\"F32\",\"shape\":[1],"
          "\"data_offsets\":[4,8]}}",
          8, check_escaped);
  ok_case("valid-whitespace",
          " \t\r\n{ \"a\" :\n{ \"shape\" : [ 3 , 1 ] ,\t\"data_offsets\" : "
          "[ 0 , 3 ] , \"dtype\" : \"I8\" } } \n\t ",
          3, NULL);
  ok_case("valid-out-of-order",
          "{" TENSOR("late", "I32", "[2]", "8", "16") "," TENSOR(
              "early", "I32", "[2]", "0", "8") "}",
          20, NULL);
  ok_case("valid-rank-8",
          "{" TENSOR("r8", "U8", "[1,1,1,1,1,1,1,2]", "0", "2") "}", 2, NULL);
}

static void test_header_length(void) {
  buffer empty = make_raw(0, "", 0, 0);
  empty.size = 0;
  run_case("empty-buffer", empty, -2, "file is 0 bytes", NULL);
  buffer five = make_raw(0, "", 0, 0);
  five.size = 5;
  run_case("five-bytes", five, -2, "file is 5 bytes", NULL);
  run_case("header-length-zero", make_raw(0, "{}", 2, 0), -2,
           "header length is 0", NULL);
  run_case("truncated", make_raw(100, "{}", 2, 10), -2,
           "header length 100 exceeds the file size 20", NULL);
  run_case("header-length-huge", make_raw(UINT64_MAX, "{}", 2, 0), -2,
           "exceeds the file size", NULL);

  /* A header over the limit needs a file that large; the reader must
   * refuse it before looking at the header bytes. */
  ++cases;
  uint64_t header = 100ull * 1024 * 1024 + 1;
  unsigned char *big = calloc(header + 8, 1);
  if (!big)
    exit(2);
  for (int i = 0; i < 8; ++i)
    big[i] = (unsigned char)(header >> (8 * i));
  seqc_st_file *file = NULL;
  char error[256];
  int rc = seqc_st_open_buffer(big, header + 8, &file, error, sizeof(error));
  printf("header-too-large: %s\n", rc == 0 ? "ok" : error);
  if (rc != -2 || !strstr(error, "exceeds the limit"))
    failed("header-too-large", "not rejected by the size limit");
  free(big);

  ++cases;
  rc = seqc_st_open_buffer(NULL, 10, &file, error, sizeof(error));
  printf("null-buffer: %s\n", error);
  if (rc != -2 || file)
    failed("null-buffer", "accepted");
  ++cases;
  rc = seqc_st_open_buffer("x", 1, NULL, error, sizeof(error));
  if (rc != -2)
    failed("null-out", "accepted");
  ++cases;
  /* No message buffer at all must be fine too. */
  rc = seqc_st_open_buffer("x", 1, &file, NULL, 0);
  if (rc != -2)
    failed("no-error-buffer", "accepted");
  ++cases;
  error[0] = 'x';
  rc = seqc_st_open_buffer("x", 1, &file, error, 1);
  if (rc != -2 || error[0] != '\0')
    failed("one-byte-error-buffer", "not an empty string");
}

static void test_json(void) {
  bad_case("json-truncated", "{\"a\":", 0, "not valid JSON");
  bad_case("json-not-object", "[1,2]", 0, "header is not a JSON object");
  bad_case("json-string", "\"a\"", 0, "header is not a JSON object");
  bad_case("json-trailing-garbage", "{} x", 0,
           "trailing 'x' after the JSON value at header byte 3");
  run_case("json-nul-padding", make_raw(4, "{}\0\0", 4, 0), -2,
           "trailing byte 0x00", NULL);
  bad_case("json-missing-colon", "{\"a\" 1}", 0, "expected ':'");
  bad_case("json-missing-comma",
           "{" TENSOR("a", "F32", "[1]", "0", "4") " \"b\":1}", 4,
           "expected ',' or '}'");
  bad_case("json-trailing-comma", "{\"__metadata__\":{},}", 0,
           "expected a string key");
  bad_case("json-bare-word", "{\"a\":nope}", 0, "expected a value");

  char deep[300];
  size_t n = 0;
  n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"a\":");
  for (int i = 0; i < 70; ++i)
    deep[n++] = '[';
  for (int i = 0; i < 70; ++i)
    deep[n++] = ']';
  deep[n++] = '}';
  deep[n] = '\0';
  bad_case("json-deep-nesting", deep, 0, "nests deeper than 64 levels");

  bad_case("string-bad-escape", "{\"a\\q\":1}", 0, "invalid escape");
  bad_case("string-short-unicode-escape", "{\"a\\u12\":1}", 0,
           "invalid \\u escape");
  bad_case("string-control-char", "{\"a\tb\":1}", 0,
           "control character 0x09");
  bad_case("string-lone-high-surrogate", "{\"\\ud800x\":1}", 0,
           "unpaired surrogate \\uD800");
  bad_case("string-lone-low-surrogate", "{\"\\udc00\":1}", 0,
           "unpaired surrogate \\uDC00");
  bad_case("string-invalid-utf8", "{\"a\xff\":1}", 0, "invalid UTF-8");
  bad_case("string-overlong-utf8", "{\"\xc0\xaf\":1}", 0, "invalid UTF-8");
  bad_case("string-encoded-surrogate", "{\"\xed\xa0\x80\":1}", 0,
           "invalid UTF-8");
  bad_case("string-unterminated", "{\"abc", 0, "unterminated string");
  bad_case("number-leading-zero",
           "{" TENSOR("a", "F32", "[01]", "0", "4") "}", 4,
           "expected ',' or ']'");
  bad_case("number-bare-minus", "{" TENSOR("a", "F32", "[-]", "0", "4") "}",
           4, "expected a digit");
}

static void test_schema(void) {
  bad_case("shape-fraction", "{" TENSOR("a", "F32", "[2.5]", "0", "4") "}", 4,
           "tensor 'a' shape entry 2.5 is not an integer");
  bad_case("shape-exponent", "{" TENSOR("a", "F32", "[1e0]", "0", "4") "}", 4,
           "tensor 'a' shape entry 1e0 is not an integer");
  bad_case("shape-negative", "{" TENSOR("a", "F32", "[-1]", "0", "4") "}", 4,
           "tensor 'a' shape entry -1 is negative");
  bad_case("shape-minus-zero", "{" TENSOR("a", "F32", "[-0]", "0", "0") "}",
           0, "shape entry -0 is negative");
  bad_case("shape-overflow",
           "{" TENSOR("a", "F32", "[9223372036854775808]", "0", "4") "}", 4,
           "shape entry 9223372036854775808 does not fit in int64");
  bad_case("shape-not-array", "{" TENSOR("a", "F32", "4", "0", "16") "}", 16,
           "tensor 'a' shape is not an array");
  bad_case("shape-string-entry",
           "{" TENSOR("a", "F32", "[\"2\"]", "0", "8") "}", 8,
           "tensor 'a' shape entry 0 is not a number");
  bad_case("shape-rank-9",
           "{" TENSOR("a", "U8", "[1,1,1,1,1,1,1,1,1]", "0", "1") "}", 1,
           "tensor 'a' has rank 9, more than 8");
  bad_case("offsets-overflow",
           "{" TENSOR("a", "U8", "[1]", "0", "99999999999999999999") "}", 1,
           "data_offsets entry 99999999999999999999 does not fit in int64");
  bad_case("offsets-fraction", "{" TENSOR("a", "U8", "[1]", "0", "1.0") "}",
           1, "data_offsets entry 1.0 is not an integer");
  bad_case("offsets-one-entry",
           "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1]}}", 1,
           "tensor 'a' data_offsets must have 2 entries, not 1");
  bad_case("offsets-three-entries",
           "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],"
           "\"data_offsets\":[0,1,2]}}",
           2, "tensor 'a' data_offsets must have 2 entries, not 3");
  bad_case("offsets-begin-after-end",
           "{" TENSOR("a", "U8", "[0]", "8", "0") "}", 8,
           "tensor 'a' data_offsets [8, 0] begin is after end");
  bad_case("entry-not-object", "{\"a\":[1,2]}", 0,
           "tensor 'a' is not an object");
  bad_case("entry-missing-dtype",
           "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
           "tensor 'a' has no dtype");
  bad_case("entry-missing-shape",
           "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4,
           "tensor 'a' has no shape");
  bad_case("entry-missing-offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}",
           4, "tensor 'a' has no data_offsets");
  bad_case("entry-empty", "{\"a\":{}}", 0, "tensor 'a' has no dtype");
  bad_case("entry-unknown-key",
           "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
           "\"strides\":[1]}}",
           4, "tensor 'a' has unknown key 'strides'");
  bad_case("entry-duplicate-key",
           "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],"
           "\"data_offsets\":[0,4]}}",
           4, "tensor 'a' has key 'dtype' twice");
  bad_case("dtype-unknown", "{" TENSOR("a", "F33", "[1]", "0", "4") "}", 4,
           "tensor 'a' has unknown dtype 'F33'");
  bad_case("dtype-lowercase", "{" TENSOR("a", "f32", "[1]", "0", "4") "}", 4,
           "unknown dtype 'f32'");
  bad_case("dtype-not-string",
           "{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
           "tensor 'a' dtype is not a string");
  bad_case("size-mismatch", "{" TENSOR("a", "F32", "[2,3]", "0", "20") "}",
           24, "tensor 'a' F32 [2, 3] is 24 bytes but data_offsets [0, 20] "
               "span 20");
  bad_case("element-count-overflow",
           "{" TENSOR("a", "U8", "[4294967296,4294967296]", "0", "0") "}", 0,
           "tensor 'a' shape [4294967296, 4294967296] has too many elements");
  bad_case("byte-size-overflow",
           "{" TENSOR("a", "F64", "[4611686018427387904]", "0", "8") "}", 8,
           "tensor 'a' F64 [4611686018427387904] is too large");
  bad_case("end-beyond-buffer",
           "{" TENSOR("layers.0.w", "F32", "[6]", "16", "40") "}", 24,
           "tensor 'layers.0.w' data_offsets [16, 40] end beyond the data "
           "buffer (24 bytes)");
  bad_case("overlap",
           "{" TENSOR("a", "F32", "[6]", "0", "24") "," TENSOR(
               "b", "F32", "[6]", "16", "40") "}",
           40, "tensors 'a' data_offsets [0, 24] and 'b' data_offsets [16, "
               "40] overlap");
  bad_case("overlap-contained",
           "{" TENSOR("big", "U8", "[10]", "0", "10") "," TENSOR(
               "mid", "U8", "[1]", "9", "10") "," TENSOR("in", "U8", "[2]",
                                                          "2", "4") "}",
           10, "overlap");
  bad_case("overlap-same-range",
           "{" TENSOR("a", "I32", "[1]", "0", "4") "," TENSOR(
               "b", "F32", "[1]", "0", "4") "}",
           4, "overlap");
  bad_case("duplicate-name",
           "{" TENSOR("a", "F32", "[1]", "0", "4") "," TENSOR(
               "a", "F32", "[1]", "4", "8") "}",
           8, "tensor 'a' appears twice");
  bad_case("duplicate-name-escaped",
           "{" TENSOR("ab", "F32", "[1]", "0", "4") "," TENSOR(
               "a\\u0062", "F32", "[1]", "4", "8") "}",
           8, "tensor 'ab' appears twice");
  bad_case("empty-name", "{" TENSOR("", "F32", "[1]", "0", "4") "}", 4,
           "tensor with an empty name");
  bad_case("nul-in-name", "{" TENSOR("a\\u0000b", "F32", "[1]", "0", "4") "}",
           4, "tensor name 'a' contains a NUL character");
  bad_case("newline-in-name-message",
           "{" TENSOR("a\\nb", "F32", "[1]", "0", "5") "}", 5,
           "tensor 'a?b' F32 [1] is 4 bytes");
  bad_case("long-name-shortened",
           "{" TENSOR("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                      "F33", "[1]", "0", "4") "}",
           4, "aaaa...' has unknown dtype");
  bad_case("metadata-not-object", "{\"__metadata__\":3}", 0,
           "__metadata__ is not an object");
  bad_case("metadata-non-string", "{\"__metadata__\":{\"n\":1}}", 0,
           "__metadata__ entry 'n' is not a string");
  bad_case("metadata-twice", "{\"__metadata__\":{},\"__metadata__\":{}}", 0,
           "__metadata__ appears twice");
}

int main(void) {
  test_valid();
  test_header_length();
  test_json();
  test_schema();
  test_paths();
  test_truncations();
  test_bit_flips();
  test_random_edits();
  if (failures) {
    printf("%d of %d cases FAILED\n", failures, cases);
    return 1;
  }
  printf("all %d cases passed\n", cases);
  return 0;
}
