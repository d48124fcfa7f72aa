/*===- buffer-cache-test.c - tests of the kernels' buffer allocator -------===*
 *
 * Calls lib/Runtime/buffer_cache.c directly and prints one line per case,
 * for buffer-cache.test to FileCheck; the program also checks its own
 * expectations and exits non-zero if one fails. Its argument says whether
 * the environment it runs in (SEQC_BUFFER_CACHE_MB) keeps blocks: "keeps"
 * or "keeps-nothing"; "unguarded" makes an allocation fail outside any
 * kernel run, which must abort with a message.
 *===----------------------------------------------------------------------===*/

#include "buffer_cache.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* What the generated code calls (buffer_cache.c). */
void *_mlir_memref_to_llvm_alloc(size_t size);
void _mlir_memref_to_llvm_free(void *pointer);

static int failures;

/* Fake kernels for seqc_buffer_run_kernel: `args[0]` points to a flag set
 * when a kernel gets past its allocation. */
#define UNALLOCATABLE (SIZE_MAX - 8)
static void allocates_small(void *results, void **args) {
  (void)results;
  void *p = _mlir_memref_to_llvm_alloc(100);
  memset(p, 1, 100);
  _mlir_memref_to_llvm_free(p);
  *(int *)args[0] = 1;
}
static void allocates_too_much(void *results, void **args) {
  (void)results;
  void *p = _mlir_memref_to_llvm_alloc(UNALLOCATABLE);
  *(int *)args[0] = 1;
  memset(p, 1, 100); /* never reached */
}
/* Runs allocates_too_much inside itself, then carries on. */
static void runs_a_failing_kernel(void *results, void **args) {
  int inner_passed = 0;
  void *inner_args[] = {&inner_passed};
  size_t failed = 0;
  int finished =
      seqc_buffer_run_kernel(allocates_too_much, results, inner_args, &failed);
  *(int *)args[0] = !finished && !inner_passed && failed == UNALLOCATABLE;
}

static void expect(int ok, const char *name, const char *what) {
  printf("%s: %s%s\n", name, ok ? "" : "FAILED ", what);
  failures += !ok;
}

/* Allocates, writes all of, and frees a block of `size` bytes; returns its
 * address (no longer to be used). */
static uintptr_t used_and_freed(size_t size) {
  char *p = seqc_buffer_alloc(64, size);
  if (!p)
    return 0;
  memset(p, 1, size);
  seqc_buffer_free(p);
  return (uintptr_t)p;
}

int main(int argc, char **argv) {
  int keeps = argc > 1 && strcmp(argv[1], "keeps") == 0;
  const size_t mib = (size_t)1 << 20;
  if (argc > 1 && strcmp(argv[1], "unguarded") == 0) {
    _mlir_memref_to_llvm_alloc(UNALLOCATABLE);
    printf("unguarded: FAILED: returned\n");
    return 1;
  }

  expect(seqc_buffer_alloc(64, SIZE_MAX - 8) == NULL, "huge",
         "NULL, not a wrapped-around small block");
  seqc_buffer_free(NULL);
  expect(1, "free-null", "ignored");

  char *small = seqc_buffer_alloc(1, 10);
  char *paged = seqc_buffer_alloc(4096, 100);
  expect(small && (uintptr_t)small % 64 == 0, "align-small", "64 bytes");
  expect(paged && (uintptr_t)paged % 4096 == 0, "align-page", "4096 bytes");
  seqc_buffer_free(small);
  seqc_buffer_free(paged);

  /* A block of 2 MiB, freed, comes back for the same size when blocks are
   * kept; not for a size it cannot hold, nor for one less than half its. */
  uintptr_t first = used_and_freed(2 * mib);
  uintptr_t again = used_and_freed(2 * mib);
  expect(keeps ? again == first : 1, "same-size",
         keeps ? "the freed block again" : "(nothing kept)");
  char *larger = seqc_buffer_alloc(64, 3 * mib);
  expect((uintptr_t)larger != first, "larger", "a new block");
  char *smaller = seqc_buffer_alloc(64, mib / 2 + mib / 4);
  expect((uintptr_t)smaller != first, "less-than-half", "a new block");
  char *fits = seqc_buffer_alloc(64, mib + mib / 2);
  expect(keeps ? (uintptr_t)fits == first : (uintptr_t)fits != 0, "fits",
         keeps ? "the freed 2 MiB block" : "(nothing kept)");
  seqc_buffer_free(larger);
  seqc_buffer_free(smaller);
  seqc_buffer_free(fits);

  /* A kernel's failed allocation ends the kernel's run, not the process;
   * the next run and a nested run work. */
  int passed = 0;
  void *args[] = {&passed};
  size_t failed = 0;
  int finished = seqc_buffer_run_kernel(allocates_small, NULL, args, &failed);
  expect(finished && passed, "kernel-ok", "finished");
  passed = 0;
  finished = seqc_buffer_run_kernel(allocates_too_much, NULL, args, &failed);
  expect(!finished && !passed && failed == UNALLOCATABLE,
         "kernel-out-of-memory", "ended at the allocation, its size reported");
  passed = 0;
  finished = seqc_buffer_run_kernel(allocates_small, NULL, args, &failed);
  expect(finished && passed, "kernel-after", "finished");
  passed = 0;
  finished = seqc_buffer_run_kernel(runs_a_failing_kernel, NULL, args, &failed);
  expect(finished && passed, "kernel-nested",
         "the inner run ended, the outer finished");

  printf("%s\n", failures ? "FAILED" : "all cases passed");
  return failures != 0;
}
