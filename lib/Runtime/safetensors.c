/*===- safetensors.c - validating safetensors reader ----------------------===*
 *
 * Reads safetensors files for the seqc runtime: maps the file, checks the
 * JSON header in two passes (first plain JSON syntax, so that a malformed
 * header always gets a syntax message with its position; then the
 * safetensors schema, entry by entry), and checks every tensor against the
 * data buffer. Files may come from anywhere, so nothing here trusts a byte
 * of the input: every read is bounds-checked, every size computation is
 * overflow-checked, and recursion depth and allocations are bounded by the
 * header size.
 *===----------------------------------------------------------------------===*/

/* For mmap, fstat, O_CLOEXEC and strerror_r under -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include "safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Real headers are a few MiB at most; the limit keeps a hostile length from
 * making us allocate proportionally large tables. */
#define MAX_HEADER_SIZE (100ull * 1024 * 1024)
/* Valid headers nest three levels deep; the limit bounds the recursion of
 * the syntax check. */
#define MAX_DEPTH 64
#define MESSAGE_SIZE 768
/* Names and tokens are cut to this many bytes in messages, so that a
 * hostile name cannot push the useful part of a message out. */
#define SHOW_BYTES 64
#define SHOW_SIZE (SHOW_BYTES + 4)

struct seqc_st_file {
  void *map; /* NULL when the caller owns the bytes */
  size_t map_size;
  int32_t count;
  seqc_st_tensor *tensors;         /* header order */
  const seqc_st_tensor **by_name;  /* sorted by name, for seqc_st_find */
  char *names;
};

typedef struct parser {
  const unsigned char *text; /* the JSON header */
  size_t size;
  size_t pos;
  /* Decoded strings: names stay (names_used advances), keys and dtypes are
   * decoded just past the last name and then dropped. A decoded string plus
   * its NUL is never longer than its quoted form, so header size + 1 bytes
   * always suffice. */
  char *names;
  size_t names_used;
  size_t names_cap;
  int out_of_memory;
  char message[MESSAGE_SIZE];
} parser;

typedef struct dtype_info {
  const char *name;
  seqc_st_dtype dtype;
  uint64_t size;
} dtype_info;

static const dtype_info dtypes[] = {
    {"F64", SEQC_ST_F64, 8},      {"F32", SEQC_ST_F32, 4},
    {"F16", SEQC_ST_F16, 2},      {"BF16", SEQC_ST_BF16, 2},
    {"I64", SEQC_ST_I64, 8},      {"I32", SEQC_ST_I32, 4},
    {"I16", SEQC_ST_OTHER, 2},    {"I8", SEQC_ST_I8, 1},
    {"U64", SEQC_ST_OTHER, 8},    {"U32", SEQC_ST_OTHER, 4},
    {"U16", SEQC_ST_OTHER, 2},    {"U8", SEQC_ST_OTHER, 1},
    {"BOOL", SEQC_ST_OTHER, 1},   {"F8_E4M3", SEQC_ST_OTHER, 1},
    {"F8_E5M2", SEQC_ST_OTHER, 1},
};

/*===----------------------------------------------------------------------===*
 * Messages
 *===----------------------------------------------------------------------===*/

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static int fail(parser *ps, const char *format, ...) PRINTF_LIKE(2, 3);

static int fail(parser *ps, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(ps->message, sizeof(ps->message), format, args);
  va_end(args);
  return -2;
}

static int fail_out_of_memory(parser *ps) {
  ps->out_of_memory = 1;
  return fail(ps, "out of memory");
}

/* Copies at most SHOW_BYTES of s[0..len) into out, cutting at a UTF-8
 * character boundary so that the message stays valid UTF-8. */
static const char *show(const char *s, size_t len, char out[SHOW_SIZE]) {
  size_t n = len;
  if (n > SHOW_BYTES) {
    n = SHOW_BYTES;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
      --n;
  }
  memcpy(out, s, n);
  if (n < len)
    memcpy(out + n, "...", 3), n += 3;
  out[n] = '\0';
  return out;
}

static const char *show_name(const char *s, char out[SHOW_SIZE]) {
  return show(s, strlen(s), out);
}

/* glibc declares the GNU strerror_r (returning char *) when _GNU_SOURCE is
 * defined anywhere before <string.h>, and the XSI one (returning int)
 * otherwise; these accept either, so a stray -D_GNU_SOURCE cannot break the
 * build. strerror itself is not required to be thread-safe. */
static const char *gnu_strerror(char *result, char *buf) {
  (void)buf;
  return result;
}
static const char *xsi_strerror(int result, char *buf) {
  return result == 0 ? buf : "unknown error";
}
#define ERROR_TEXT(err, buf)                                                 \
  _Generic(strerror_r((err), (buf), sizeof(buf)),                            \
           char *: gnu_strerror,                                             \
           default: xsi_strerror)(strerror_r((err), (buf), sizeof(buf)),     \
                                  (buf))

/* Writes "safetensors: <prefix><message>" to the caller's buffer. Control
 * characters are replaced so that the message stays on one line whatever
 * the path or the header contained. */
static void report(char *error, size_t error_size, const char *prefix,
                   const char *message) {
  if (!error || error_size == 0)
    return;
  snprintf(error, error_size, "safetensors: %s%s", prefix, message);
  for (char *c = error; *c; ++c)
    if ((unsigned char)*c < 0x20 || *c == 0x7F)
      *c = '?';
}

/*===----------------------------------------------------------------------===*
 * JSON lexing
 *===----------------------------------------------------------------------===*/

static int peek(const parser *ps) {
  return ps->pos < ps->size ? ps->text[ps->pos] : -1;
}

static void skip_whitespace(parser *ps) {
  while (ps->pos < ps->size) {
    unsigned char c = ps->text[ps->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return;
    ++ps->pos;
  }
}

static void describe_current(const parser *ps, char out[32]) {
  int c = peek(ps);
  if (c < 0)
    snprintf(out, 32, "the end of the header");
  else if (c > 0x20 && c < 0x7F && c != '\'')
    snprintf(out, 32, "'%c'", c);
  else
    snprintf(out, 32, "byte 0x%02X", (unsigned)c);
}

static int expected(parser *ps, const char *what) {
  char found[32];
  describe_current(ps, found);
  if (peek(ps) < 0)
    return fail(ps, "header is not valid JSON: expected %s but found %s",
                what, found);
  return fail(ps,
              "header is not valid JSON: expected %s but found %s at header "
              "byte %zu",
              what, found, ps->pos);
}

static int hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits of a \u escape at text[at..at+4). */
static int read_hex4(const parser *ps, size_t at, uint32_t *value) {
  if (ps->size < 4 || at > ps->size - 4)
    return 0;
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) {
    int d = hex_digit(ps->text[at + i]);
    if (d < 0)
      return 0;
    v = v << 4 | (uint32_t)d;
  }
  *value = v;
  return 1;
}

/* The length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_sequence_length(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  size_t length;
  unsigned char low = 0x80, high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0)
      low = 0xA0;
    else if (c == 0xED)
      high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0)
      low = 0x90;
    else if (c == 0xF4)
      high = 0x8F;
  } else {
    return 0;
  }
  if (n < length)
    return 0;
  if (s[1] < low || s[1] > high)
    return 0;
  for (size_t i = 2; i < length; ++i)
    if (s[i] < 0x80 || s[i] > 0xBF)
      return 0;
  return length;
}

static size_t utf8_encoded_length(uint32_t cp) {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static void encode_utf8(uint32_t cp, char *out) {
  unsigned char *o = (unsigned char *)out;
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
  } else if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | cp >> 6);
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | cp >> 12);
    o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
  } else {
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  }
}

/* Scans the string at ps->pos (which is '"'). With `out`, also decodes it
 * into out[0..capacity) with a NUL and sets *length (without the NUL). */
static int scan_string(parser *ps, char *out, size_t capacity,
                       size_t *length) {
  size_t n = 0;
  ++ps->pos;
  for (;;) {
    if (ps->pos >= ps->size)
      return fail(ps, "header is not valid JSON: unterminated string");
    unsigned char c = ps->text[ps->pos];
    if (c == '"') {
      ++ps->pos;
      break;
    }
    if (c < 0x20)
      return fail(ps,
                  "header is not valid JSON: control character 0x%02X in a "
                  "string at header byte %zu",
                  (unsigned)c, ps->pos);
    const unsigned char *bytes = &ps->text[ps->pos];
    size_t raw_length, decoded_length;
    uint32_t cp = 0;
    if (c == '\\') {
      if (ps->pos + 1 >= ps->size)
        return fail(ps, "header is not valid JSON: unterminated string");
      raw_length = 2;
      switch (ps->text[ps->pos + 1]) {
      case '"':
        cp = '"';
        break;
      case '\\':
        cp = '\\';
        break;
      case '/':
        cp = '/';
        break;
      case 'b':
        cp = '\b';
        break;
      case 'f':
        cp = '\f';
        break;
      case 'n':
        cp = '\n';
        break;
      case 'r':
        cp = '\r';
        break;
      case 't':
        cp = '\t';
        break;
      case 'u':
        if (!read_hex4(ps, ps->pos + 2, &cp))
          return fail(ps,
                      "header is not valid JSON: invalid \\u escape at "
                      "header byte %zu",
                      ps->pos);
        raw_length = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          size_t next = ps->pos + 6;
          if (next + 1 < ps->size && ps->text[next] == '\\' &&
              ps->text[next + 1] == 'u' && read_hex4(ps, next + 2, &low) &&
              low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            raw_length = 12;
          } else {
            return fail(ps,
                        "header is not valid JSON: unpaired surrogate "
                        "\\u%04X at header byte %zu",
                        (unsigned)cp, ps->pos);
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return fail(ps,
                      "header is not valid JSON: unpaired surrogate \\u%04X "
                      "at header byte %zu",
                      (unsigned)cp, ps->pos);
        }
        break;
      default: {
        char found[32];
        ++ps->pos;
        describe_current(ps, found);
        --ps->pos;
        return fail(ps,
                    "header is not valid JSON: invalid escape \\ followed by "
                    "%s at header byte %zu",
                    found, ps->pos);
      }
      }
      decoded_length = utf8_encoded_length(cp);
    } else {
      raw_length = utf8_sequence_length(bytes, ps->size - ps->pos);
      if (raw_length == 0)
        return fail(ps,
                    "header is not valid JSON: invalid UTF-8 at header byte "
                    "%zu",
                    ps->pos);
      decoded_length = raw_length;
    }
    if (out) {
      if (decoded_length >= capacity - n)
        return fail(ps, "internal error: string buffer too small");
      if (c == '\\')
        encode_utf8(cp, out + n);
      else
        memcpy(out + n, bytes, raw_length);
      n += decoded_length;
    }
    ps->pos += raw_length;
  }
  if (out) {
    if (n >= capacity)
      return fail(ps, "internal error: string buffer too small");
    out[n] = '\0';
    *length = n;
  }
  return 0;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Scans a JSON number at ps->pos; its text is text[*begin..ps->pos). */
static int scan_number(parser *ps, size_t *begin) {
  *begin = ps->pos;
  if (peek(ps) == '-')
    ++ps->pos;
  if (peek(ps) == '0') {
    ++ps->pos;
  } else if (is_digit(peek(ps))) {
    while (is_digit(peek(ps)))
      ++ps->pos;
  } else {
    return expected(ps, "a digit");
  }
  if (peek(ps) == '.') {
    ++ps->pos;
    if (!is_digit(peek(ps)))
      return expected(ps, "a digit");
    while (is_digit(peek(ps)))
      ++ps->pos;
  }
  if (peek(ps) == 'e' || peek(ps) == 'E') {
    ++ps->pos;
    if (peek(ps) == '+' || peek(ps) == '-')
      ++ps->pos;
    if (!is_digit(peek(ps)))
      return expected(ps, "a digit");
    while (is_digit(peek(ps)))
      ++ps->pos;
  }
  return 0;
}

static int scan_literal(parser *ps) {
  static const char *const literals[] = {"true", "false", "null"};
  for (size_t i = 0; i < 3; ++i) {
    size_t n = strlen(literals[i]);
    if (ps->size - ps->pos >= n &&
        memcmp(ps->text + ps->pos, literals[i], n) == 0) {
      ps->pos += n;
      return 0;
    }
  }
  return expected(ps, "a value");
}

/*===----------------------------------------------------------------------===*
 * Pass 1: JSON syntax
 *===----------------------------------------------------------------------===*/

static int check_value(parser *ps, int depth) {
  skip_whitespace(ps);
  int c = peek(ps);
  if (c == '"')
    return scan_string(ps, NULL, 0, NULL);
  if (c == '-' || is_digit(c)) {
    size_t begin;
    return scan_number(ps, &begin);
  }
  if (c != '{' && c != '[')
    return scan_literal(ps);
  if (depth >= MAX_DEPTH)
    return fail(ps, "header nests deeper than %d levels at header byte %zu",
                MAX_DEPTH, ps->pos);
  int close = c == '{' ? '}' : ']';
  ++ps->pos;
  skip_whitespace(ps);
  if (peek(ps) == close) {
    ++ps->pos;
    return 0;
  }
  for (;;) {
    int rc;
    if (c == '{') {
      skip_whitespace(ps);
      if (peek(ps) != '"')
        return expected(ps, "a string key");
      if ((rc = scan_string(ps, NULL, 0, NULL)))
        return rc;
      skip_whitespace(ps);
      if (peek(ps) != ':')
        return expected(ps, "':'");
      ++ps->pos;
    }
    if ((rc = check_value(ps, depth + 1)))
      return rc;
    skip_whitespace(ps);
    if (peek(ps) == ',') {
      ++ps->pos;
      continue;
    }
    if (peek(ps) == close) {
      ++ps->pos;
      return 0;
    }
    return expected(ps, c == '{' ? "',' or '}'" : "',' or ']'");
  }
}

static int check_syntax(parser *ps) {
  int rc = check_value(ps, 0);
  if (rc)
    return rc;
  skip_whitespace(ps);
  if (ps->pos != ps->size) {
    char found[32];
    describe_current(ps, found);
    return fail(ps,
                "header is not valid JSON: trailing %s after the JSON value "
                "at header byte %zu",
                found, ps->pos);
  }
  ps->pos = 0;
  return 0;
}

/*===----------------------------------------------------------------------===*
 * Pass 2: the safetensors schema
 *===----------------------------------------------------------------------===*/

/* Decodes the string at ps->pos just past the kept names; it stays valid
 * until the next decode or keep_string. */
static int decode_string(parser *ps, const char **out, size_t *length) {
  if (peek(ps) != '"')
    return expected(ps, "a string");
  char *dest = ps->names + ps->names_used;
  int rc = scan_string(ps, dest, ps->names_cap - ps->names_used, length);
  if (rc)
    return rc;
  *out = dest;
  return 0;
}

static void keep_string(parser *ps, size_t length) {
  ps->names_used += length + 1;
}

/* Skips whitespace, then a ':' (and the whitespace after it). */
static int expect_colon(parser *ps) {
  skip_whitespace(ps);
  if (peek(ps) != ':')
    return expected(ps, "':'");
  ++ps->pos;
  skip_whitespace(ps);
  return 0;
}

/* After a member or element: sets *done at the closing bracket. */
static int next_member(parser *ps, int close, int *done) {
  skip_whitespace(ps);
  if (peek(ps) == ',') {
    ++ps->pos;
    skip_whitespace(ps);
    *done = 0;
    return 0;
  }
  if (peek(ps) == close) {
    ++ps->pos;
    *done = 1;
    return 0;
  }
  return expected(ps, close == '}' ? "',' or '}'" : "',' or ']'");
}

static int parse_metadata(parser *ps) {
  if (peek(ps) != '{')
    return fail(ps, "__metadata__ is not an object");
  ++ps->pos;
  skip_whitespace(ps);
  if (peek(ps) == '}') {
    ++ps->pos;
    return 0;
  }
  for (int done = 0; !done;) {
    const char *key;
    size_t length;
    int rc;
    if ((rc = decode_string(ps, &key, &length)) || (rc = expect_colon(ps)))
      return rc;
    if (peek(ps) != '"') {
      char shown[SHOW_SIZE];
      return fail(ps, "__metadata__ entry '%s' is not a string",
                  show(key, length, shown));
    }
    if ((rc = scan_string(ps, NULL, 0, NULL)) ||
        (rc = next_member(ps, '}', &done)))
      return rc;
  }
  return 0;
}

/* Parses a non-negative integer that fits in int64 from the number token
 * at text[begin..ps->pos). `what` names it in messages. */
static int parse_integer(parser *ps, size_t begin, const char *name,
                         const char *what, int64_t *value) {
  const char *token = (const char *)ps->text + begin;
  size_t length = ps->pos - begin;
  char shown_name[SHOW_SIZE], shown_token[SHOW_SIZE];
  if (token[0] == '-')
    return fail(ps, "tensor '%s' %s %s is negative",
                show_name(name, shown_name), what,
                show(token, length, shown_token));
  uint64_t v = 0;
  for (size_t i = 0; i < length; ++i) {
    if (!is_digit(token[i]))
      return fail(ps, "tensor '%s' %s %s is not an integer",
                  show_name(name, shown_name), what,
                  show(token, length, shown_token));
  }
  for (size_t i = 0; i < length; ++i) {
    uint64_t digit = (uint64_t)(token[i] - '0');
    if (v > ((uint64_t)INT64_MAX - digit) / 10)
      return fail(ps, "tensor '%s' %s %s does not fit in int64",
                  show_name(name, shown_name), what,
                  show(token, length, shown_token));
    v = v * 10 + digit;
  }
  *value = (int64_t)v;
  return 0;
}

/* Parses an array of integers, keeping the first `max` in values and
 * counting all of them in *count (so messages can say how many there
 * were). */
static int parse_integer_array(parser *ps, const char *name, const char *key,
                               int64_t *values, int32_t max,
                               int32_t *count) {
  char shown[SHOW_SIZE];
  *count = 0;
  if (peek(ps) != '[')
    return fail(ps, "tensor '%s' %s is not an array",
                show_name(name, shown), key);
  ++ps->pos;
  skip_whitespace(ps);
  if (peek(ps) == ']') {
    ++ps->pos;
    return 0;
  }
  char what[40];
  snprintf(what, sizeof(what), "%s entry", key);
  for (int done = 0; !done;) {
    int c = peek(ps);
    if (c != '-' && !is_digit(c))
      return fail(ps, "tensor '%s' %s entry %d is not a number",
                  show_name(name, shown), key, (int)*count);
    size_t begin;
    int64_t value;
    int rc;
    if ((rc = scan_number(ps, &begin)) ||
        (rc = parse_integer(ps, begin, name, what, &value)))
      return rc;
    if (*count < max)
      values[*count] = value;
    if (*count < INT32_MAX)
      ++*count;
    if ((rc = next_member(ps, ']', &done)))
      return rc;
  }
  return 0;
}

static const char *format_shape(const seqc_st_tensor *t, char *out,
                                size_t size) {
  size_t n = (size_t)snprintf(out, size, "[");
  for (int32_t d = 0; d < t->rank && n < size; ++d)
    n += (size_t)snprintf(out + n, size - n, "%s%lld", d ? ", " : "",
                          (long long)t->shape[d]);
  if (n < size)
    snprintf(out + n, size - n, "]");
  return out;
}

enum { KEY_DTYPE = 1, KEY_SHAPE = 2, KEY_OFFSETS = 4 };

/* Parses one tensor entry and checks it against the data buffer. */
static int parse_tensor(parser *ps, const char *name, seqc_st_tensor *t,
                        uint64_t data_size, uint64_t *begin_out) {
  char shown[SHOW_SIZE], shown_key[SHOW_SIZE];
  int rc;
  if (peek(ps) != '{')
    return fail(ps, "tensor '%s' is not an object", show_name(name, shown));
  ++ps->pos;
  skip_whitespace(ps);
  int seen = 0;
  uint64_t item_size = 0;
  int64_t offsets[2] = {0, 0};
  int done = 0;
  if (peek(ps) == '}') {
    ++ps->pos;
    done = 1;
  }
  while (!done) {
    const char *key;
    size_t length;
    if ((rc = decode_string(ps, &key, &length)) || (rc = expect_colon(ps)))
      return rc;
    int which = strcmp(key, "dtype") == 0          ? KEY_DTYPE
                : strcmp(key, "shape") == 0        ? KEY_SHAPE
                : strcmp(key, "data_offsets") == 0 ? KEY_OFFSETS
                                                   : 0;
    /* strcmp stops at an embedded NUL; the length must match too. */
    if (which && length != strlen(key))
      which = 0;
    if (!which)
      return fail(ps, "tensor '%s' has unknown key '%s'",
                  show_name(name, shown), show(key, length, shown_key));
    if (seen & which)
      return fail(ps, "tensor '%s' has key '%s' twice",
                  show_name(name, shown), key);
    seen |= which;
    if (which == KEY_DTYPE) {
      const char *dtype;
      if (peek(ps) != '"')
        return fail(ps, "tensor '%s' dtype is not a string",
                    show_name(name, shown));
      if ((rc = decode_string(ps, &dtype, &length)))
        return rc;
      const dtype_info *info = NULL;
      for (size_t i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); ++i)
        if (length == strlen(dtypes[i].name) &&
            memcmp(dtype, dtypes[i].name, length) == 0)
          info = &dtypes[i];
      if (!info)
        return fail(ps, "tensor '%s' has unknown dtype '%s'",
                    show_name(name, shown), show(dtype, length, shown_key));
      t->dtype = info->dtype;
      snprintf(t->dtype_name, sizeof(t->dtype_name), "%s", info->name);
      item_size = info->size;
    } else if (which == KEY_SHAPE) {
      int32_t rank;
      if ((rc = parse_integer_array(ps, name, "shape", t->shape,
                                    SEQC_ST_MAX_RANK, &rank)))
        return rc;
      if (rank > SEQC_ST_MAX_RANK)
        return fail(ps, "tensor '%s' has rank %d, more than %d",
                    show_name(name, shown), (int)rank, SEQC_ST_MAX_RANK);
      t->rank = rank;
    } else {
      int32_t count;
      if ((rc = parse_integer_array(ps, name, "data_offsets", offsets, 2,
                                    &count)))
        return rc;
      if (count != 2)
        return fail(ps, "tensor '%s' data_offsets must have 2 entries, not %d",
                    show_name(name, shown), (int)count);
      if (offsets[0] > offsets[1])
        return fail(ps, "tensor '%s' data_offsets [%lld, %lld] begin is "
                        "after end",
                    show_name(name, shown), (long long)offsets[0],
                    (long long)offsets[1]);
    }
    if ((rc = next_member(ps, '}', &done)))
      return rc;
  }
  static const struct {
    int key;
    const char *name;
  } required[] = {{KEY_DTYPE, "dtype"},
                  {KEY_SHAPE, "shape"},
                  {KEY_OFFSETS, "data_offsets"}};
  for (size_t i = 0; i < 3; ++i)
    if (!(seen & required[i].key))
      return fail(ps, "tensor '%s' has no %s", show_name(name, shown),
                  required[i].name);

  /* Any zero dimension makes the tensor empty, however large the others:
   * check that before the overflow check. */
  uint64_t elements = 1;
  int empty = 0;
  for (int32_t d = 0; d < t->rank; ++d)
    empty |= t->shape[d] == 0;
  char shape[200];
  uint64_t begin = (uint64_t)offsets[0], end = (uint64_t)offsets[1];
  if (empty) {
    elements = 0;
  } else {
    for (int32_t d = 0; d < t->rank; ++d) {
      uint64_t size = (uint64_t)t->shape[d];
      if (elements > UINT64_MAX / size)
        return fail(ps, "tensor '%s' shape %s has too many elements",
                    show_name(name, shown),
                    format_shape(t, shape, sizeof(shape)));
      elements *= size;
    }
  }
  if (elements > UINT64_MAX / item_size)
    return fail(ps, "tensor '%s' %s %s is too large: its size overflows 64 "
                    "bits",
                show_name(name, shown), t->dtype_name,
                format_shape(t, shape, sizeof(shape)));
  uint64_t nbytes = elements * item_size;
  if (nbytes != end - begin)
    return fail(ps,
                "tensor '%s' %s %s is %llu bytes but data_offsets [%llu, "
                "%llu] span %llu",
                show_name(name, shown), t->dtype_name,
                format_shape(t, shape, sizeof(shape)),
                (unsigned long long)nbytes, (unsigned long long)begin,
                (unsigned long long)end, (unsigned long long)(end - begin));
  if (end > data_size)
    return fail(ps,
                "tensor '%s' data_offsets [%llu, %llu] end beyond the data "
                "buffer (%llu bytes)",
                show_name(name, shown), (unsigned long long)begin,
                (unsigned long long)end, (unsigned long long)data_size);
  t->nbytes = nbytes;
  *begin_out = begin;
  return 0;
}

typedef struct byte_range {
  uint64_t begin;
  uint64_t end;
  int32_t index;
} byte_range;

static int compare_ranges(const void *a, const void *b) {
  const byte_range *x = a, *y = b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

static int compare_names(const void *a, const void *b) {
  const seqc_st_tensor *const *x = a, *const *y = b;
  return strcmp((*x)->name, (*y)->name);
}

static int check_overlaps(parser *ps, const seqc_st_file *file,
                          const unsigned char *data_start) {
  if (file->count < 2)
    return 0;
  byte_range *ranges = malloc((size_t)file->count * sizeof(*ranges));
  if (!ranges)
    return fail_out_of_memory(ps);
  int32_t n = 0;
  for (int32_t i = 0; i < file->count; ++i) {
    const seqc_st_tensor *t = &file->tensors[i];
    if (t->nbytes == 0)
      continue;
    uint64_t begin = (uint64_t)(t->data - data_start);
    ranges[n++] = (byte_range){begin, begin + t->nbytes, i};
  }
  qsort(ranges, (size_t)n, sizeof(*ranges), compare_ranges);
  int rc = 0;
  /* Sorted by begin, disjoint ranges so far end at or before the previous
   * range's end, so comparing neighbours is enough. */
  for (int32_t i = 1; i < n && !rc; ++i) {
    const byte_range *a = &ranges[i - 1], *b = &ranges[i];
    if (b->begin < a->end) {
      char shown_a[SHOW_SIZE], shown_b[SHOW_SIZE];
      rc = fail(ps,
                "tensors '%s' data_offsets [%llu, %llu] and '%s' "
                "data_offsets [%llu, %llu] overlap",
                show_name(file->tensors[a->index].name, shown_a),
                (unsigned long long)a->begin, (unsigned long long)a->end,
                show_name(file->tensors[b->index].name, shown_b),
                (unsigned long long)b->begin, (unsigned long long)b->end);
    }
  }
  free(ranges);
  return rc;
}

static int parse_header(parser *ps, seqc_st_file *file,
                        const unsigned char *data_start, uint64_t data_size) {
  int rc;
  char shown[SHOW_SIZE];
  skip_whitespace(ps);
  if (peek(ps) != '{')
    return fail(ps, "header is not a JSON object");
  ++ps->pos;
  skip_whitespace(ps);
  int done = 0, seen_metadata = 0;
  if (peek(ps) == '}') {
    ++ps->pos;
    done = 1;
  }
  int32_t capacity = 0;
  while (!done) {
    const char *name;
    size_t length;
    if ((rc = decode_string(ps, &name, &length)) || (rc = expect_colon(ps)))
      return rc;
    if (length == 12 && memcmp(name, "__metadata__", 12) == 0) {
      if (seen_metadata)
        return fail(ps, "__metadata__ appears twice");
      seen_metadata = 1;
      if ((rc = parse_metadata(ps)))
        return rc;
    } else {
      if (length == 0)
        return fail(ps, "tensor with an empty name");
      if (strlen(name) != length)
        return fail(ps, "tensor name '%s' contains a NUL character",
                    show_name(name, shown));
      keep_string(ps, length);
      if (file->count == capacity) {
        /* Each entry takes dozens of header bytes, so the table stays
         * proportional to the header (and count far below INT32_MAX). */
        int32_t grown = capacity ? capacity * 2 : 16;
        seqc_st_tensor *tensors =
            realloc(file->tensors, (size_t)grown * sizeof(*tensors));
        if (!tensors)
          return fail_out_of_memory(ps);
        file->tensors = tensors;
        capacity = grown;
      }
      seqc_st_tensor *t = &file->tensors[file->count];
      memset(t, 0, sizeof(*t));
      t->name = name;
      uint64_t begin;
      if ((rc = parse_tensor(ps, name, t, data_size, &begin)))
        return rc;
      t->data = data_start + begin;
      ++file->count;
    }
    if ((rc = next_member(ps, '}', &done)))
      return rc;
  }

  if (file->count > 0) {
    file->by_name = malloc((size_t)file->count * sizeof(*file->by_name));
    if (!file->by_name)
      return fail_out_of_memory(ps);
    for (int32_t i = 0; i < file->count; ++i)
      file->by_name[i] = &file->tensors[i];
    qsort(file->by_name, (size_t)file->count, sizeof(*file->by_name),
          compare_names);
    for (int32_t i = 1; i < file->count; ++i)
      if (strcmp(file->by_name[i - 1]->name, file->by_name[i]->name) == 0)
        return fail(ps, "tensor '%s' appears twice",
                    show_name(file->by_name[i]->name, shown));
  }
  return check_overlaps(ps, file, data_start);
}

/*===----------------------------------------------------------------------===*
 * Opening and closing
 *===----------------------------------------------------------------------===*/

static void free_file(seqc_st_file *file) {
  if (!file)
    return;
  free(file->tensors);
  free(file->by_name);
  free(file->names);
  free(file);
}

/* Validates bytes[0..size); on failure returns -1 (out of memory) or -2
 * with the message, without the "safetensors: " prefix, in ps->message. */
static int open_bytes(parser *ps, const unsigned char *bytes, uint64_t size,
                      seqc_st_file **out) {
  if (size < 8)
    return fail(ps, "file is %llu bytes, shorter than the 8-byte header "
                    "length",
                (unsigned long long)size);
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i)
    header_size = header_size << 8 | bytes[i];
  if (header_size == 0)
    return fail(ps, "header length is 0");
  if (header_size > size - 8)
    return fail(ps, "header length %llu exceeds the file size %llu",
                (unsigned long long)header_size, (unsigned long long)size);
  if (header_size > MAX_HEADER_SIZE)
    return fail(ps, "header length %llu exceeds the limit of %llu bytes",
                (unsigned long long)header_size,
                (unsigned long long)MAX_HEADER_SIZE);

  ps->text = bytes + 8;
  ps->size = (size_t)header_size;
  ps->pos = 0;
  int rc = check_syntax(ps);
  if (rc)
    return rc;

  seqc_st_file *file = calloc(1, sizeof(*file));
  if (!file)
    return fail_out_of_memory(ps);
  ps->names_cap = ps->size + 1;
  ps->names = file->names = malloc(ps->names_cap);
  if (!file->names) {
    free_file(file);
    return fail_out_of_memory(ps);
  }
  rc = parse_header(ps, file, bytes + 8 + header_size,
                    size - 8 - header_size);
  if (rc) {
    free_file(file);
    return rc;
  }
  *out = file;
  return 0;
}

int seqc_st_open_buffer(const void *data, uint64_t size, seqc_st_file **out,
                        char *error, size_t error_size) {
  if (!out) {
    report(error, error_size, "", "no place for the result (out is NULL)");
    return -2;
  }
  *out = NULL;
  if (!data && size > 0) {
    report(error, error_size, "", "the buffer is NULL");
    return -2;
  }
  if (size > SIZE_MAX) {
    report(error, error_size, "", "the buffer is larger than memory");
    return -2;
  }
  parser ps;
  memset(&ps, 0, sizeof(ps));
  int rc = open_bytes(&ps, data, size, out);
  if (rc) {
    report(error, error_size, "", ps.message);
    return ps.out_of_memory ? -1 : -2;
  }
  return 0;
}

int seqc_st_open(const char *path, seqc_st_file **out, char *error,
                 size_t error_size) {
  char text[256];
  char message[MESSAGE_SIZE];
  if (!out) {
    report(error, error_size, "", "no place for the result (out is NULL)");
    return -1;
  }
  *out = NULL;
  if (!path) {
    report(error, error_size, "", "no path given");
    return -1;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    snprintf(message, sizeof(message), "cannot open '%s': %s", path,
             ERROR_TEXT(err, text));
    report(error, error_size, "", message);
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    snprintf(message, sizeof(message), "cannot stat '%s': %s", path,
             ERROR_TEXT(err, text));
    report(error, error_size, "", message);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    snprintf(message, sizeof(message), "cannot read '%s': %s", path,
             S_ISDIR(st.st_mode) ? ERROR_TEXT(EISDIR, text)
                                 : "not a regular file");
    report(error, error_size, "", message);
    return -1;
  }
  /* mmap cannot map 0 bytes; an empty file is simply not safetensors. */
  if (st.st_size == 0) {
    close(fd);
    snprintf(message, sizeof(message),
             "'%s': file is empty (0 bytes), not a safetensors file", path);
    report(error, error_size, "", message);
    return -2;
  }
  if (st.st_size < 0 || (uint64_t)st.st_size > SIZE_MAX) {
    close(fd);
    snprintf(message, sizeof(message), "cannot map '%s': %s", path,
             ERROR_TEXT(EFBIG, text));
    report(error, error_size, "", message);
    return -1;
  }
  size_t size = (size_t)st.st_size;
  void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  if (map == MAP_FAILED) {
    snprintf(message, sizeof(message), "cannot map '%s': %s", path,
             ERROR_TEXT(err, text));
    report(error, error_size, "", message);
    return -1;
  }
  parser ps;
  memset(&ps, 0, sizeof(ps));
  int rc = open_bytes(&ps, map, size, out);
  if (rc) {
    munmap(map, size);
    snprintf(message, sizeof(message), "'%s': ", path);
    report(error, error_size, message, ps.message);
    return ps.out_of_memory ? -1 : -2;
  }
  (*out)->map = map;
  (*out)->map_size = size;
  return 0;
}

int32_t seqc_st_count(const seqc_st_file *file) {
  return file ? file->count : 0;
}

const seqc_st_tensor *seqc_st_get(const seqc_st_file *file, int32_t index) {
  if (!file || index < 0 || index >= file->count)
    return NULL;
  return &file->tensors[index];
}

const seqc_st_tensor *seqc_st_find(const seqc_st_file *file,
                                   const char *name) {
  if (!file || !name || file->count == 0)
    return NULL;
  size_t low = 0, high = (size_t)file->count;
  while (low < high) {
    size_t mid = low + (high - low) / 2;
    int c = strcmp(name, file->by_name[mid]->name);
    if (c == 0)
      return file->by_name[mid];
    if (c < 0)
      high = mid;
    else
      low = mid + 1;
  }
  return NULL;
}

void seqc_st_close(seqc_st_file *file) {
  if (!file)
    return;
  if (file->map)
    munmap(file->map, file->map_size);
  free_file(file);
}
