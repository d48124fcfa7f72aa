/*===- buffer_cache.c - the allocator of the kernels' buffers -------------===*
 *
 * The generated code allocates every buffer (results, scratch) through
 * _mlir_memref_to_llvm_alloc / _aligned_alloc / _free (MLIR's
 * finalize-memref-to-llvm with use-generic-functions), defined here; the
 * Python module compiles this file too, for the arrays a call returns.
 *
 * Why not malloc directly: glibc serves blocks above its mmap threshold
 * (at most 32 MiB) with a fresh mmap and unmaps them on free, so every
 * call of a kernel with large results page-faulted all of them in again
 * (a scan over 2 x 32 MiB spent 4/5 of its time in the kernel's page
 * faults). Freed blocks of 1 MiB or more are kept here, up to
 * SEQC_BUFFER_CACHE_MB (default 512; 0 turns the cache off) in all, and
 * handed to later allocations of nearly their size (at least half of a
 * block is used). The blocks are given back when the library is unloaded.
 *
 * Each block carries a header just below the pointer handed out: the
 * block posix_memalign returned, its size and the pointer's offset in it,
 * so that free needs nothing else.
 *
 * The generated code does not check what the allocation functions return:
 * a buffer that cannot be allocated (the reference lowering's L x L scores
 * of a long sequence) would be written through NULL. So they do not
 * return NULL: they jump back to seqc_buffer_run_kernel, which the
 * runtime calls each kernel through, and the call fails with
 * SEQC_ERROR_OUT_OF_MEMORY; where that cannot be done (a worker thread of
 * a parallel loop) they abort with a message.
 *===----------------------------------------------------------------------===*/

#include "buffer_cache.h"

#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libomp's, when the library uses OpenMP (weak: a library without
 * parallel loops does not link it). */
extern int omp_in_parallel(void) __attribute__((weak));

/* The smallest block kept, and how many are kept at most. */
#define CACHE_MIN_BYTES ((size_t)1 << 20)
#define CACHE_SLOTS 32

typedef struct {
  void *block;  /* what posix_memalign returned */
  size_t size;  /* its size */
  size_t align; /* the offset of the pointer handed out: its alignment */
} header;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static header cached[CACHE_SLOTS];
static int num_cached;
static size_t cached_bytes;
static long long limit_bytes = -1; /* read from the environment once */

static size_t cache_limit(void) {
  if (limit_bytes < 0) {
    const char *text = getenv("SEQC_BUFFER_CACHE_MB");
    char *end = NULL;
    long long mb = text ? strtoll(text, &end, 10) : 512;
    if (!text || end == text || *end != '\0' || mb < 0)
      mb = 512;
    /* More than any machine has (and than fits once in bytes): no limit. */
    if (mb > (LLONG_MAX >> 20))
      mb = LLONG_MAX >> 20;
    limit_bytes = mb << 20;
  }
  return (size_t)limit_bytes;
}

static header *header_of(void *pointer) { return (header *)pointer - 1; }

void *seqc_buffer_alloc(size_t alignment, size_t size) {
  /* A power of two with room for the header below the pointer. */
  size_t align = 64;
  while (align < alignment)
    align *= 2;
  /* A size that cannot be allocated (a shape's product gone wild) fails as
   * malloc would, rather than wrapping around to a small block. */
  if (size > SIZE_MAX - align)
    return NULL;
  size_t needed = size + align;

  void *block = NULL;
  size_t block_size = 0, block_align = align;
  if (needed >= CACHE_MIN_BYTES) {
    /* The smallest cached block that fits without wasting half of it. */
    pthread_mutex_lock(&lock);
    int best = -1;
    for (int i = 0; i < num_cached; ++i) {
      header *h = &cached[i];
      if (h->align >= align && h->size - h->align + align >= needed &&
          h->size / 2 <= needed && (best < 0 || h->size < cached[best].size))
        best = i;
    }
    if (best >= 0) {
      block = cached[best].block;
      block_size = cached[best].size;
      block_align = cached[best].align;
      cached_bytes -= block_size;
      cached[best] = cached[--num_cached];
    }
    pthread_mutex_unlock(&lock);
  }
  if (!block) {
    if (posix_memalign(&block, align, needed) != 0)
      return NULL;
    block_size = needed;
  }
  void *pointer = (char *)block + block_align;
  *header_of(pointer) = (header){block, block_size, block_align};
  return pointer;
}

void seqc_buffer_free(void *pointer) {
  if (!pointer)
    return;
  header h = *header_of(pointer);
  if (h.size >= CACHE_MIN_BYTES) {
    pthread_mutex_lock(&lock);
    int kept =
        num_cached < CACHE_SLOTS && cached_bytes + h.size <= cache_limit();
    if (kept) {
      cached[num_cached++] = h;
      cached_bytes += h.size;
    }
    pthread_mutex_unlock(&lock);
    if (kept)
      return;
  }
  free(h.block);
}

__attribute__((destructor)) static void release_cache(void) {
  pthread_mutex_lock(&lock);
  for (int i = 0; i < num_cached; ++i)
    free(cached[i].block);
  num_cached = 0;
  cached_bytes = 0;
  pthread_mutex_unlock(&lock);
}

/* The calling thread's way back out of the kernel it runs, if any. */
static _Thread_local jmp_buf *kernel_exit;
static _Thread_local size_t kernel_failed_bytes;

int seqc_buffer_run_kernel(void (*kernel)(void *results, void **args),
                           void *results, void **args, size_t *failed_bytes) {
  jmp_buf way_out;
  jmp_buf *outer = kernel_exit;
  kernel_exit = &way_out;
  if (setjmp(way_out)) {
    kernel_exit = outer;
    *failed_bytes = kernel_failed_bytes;
    return 0;
  }
  kernel(results, args);
  kernel_exit = outer;
  return 1;
}

/* A kernel's allocation of `size` bytes failed (see the top). */
static void kernel_out_of_memory(size_t size) {
  int in_parallel = omp_in_parallel && omp_in_parallel();
  if (kernel_exit && !in_parallel) {
    kernel_failed_bytes = size;
    longjmp(*kernel_exit, 1);
  }
  fprintf(stderr,
          "seqc: out of memory: a kernel could not allocate %zu bytes where "
          "its call cannot return the error (a parallel task)\n",
          size);
  abort();
}

/* The functions the generated code calls. */
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  void *pointer = seqc_buffer_alloc(alignment, size);
  if (!pointer)
    kernel_out_of_memory(size);
  return pointer;
}
void *_mlir_memref_to_llvm_alloc(size_t size) {
  return _mlir_memref_to_llvm_aligned_alloc(16, size);
}
void _mlir_memref_to_llvm_free(void *pointer) { seqc_buffer_free(pointer); }
