/*===- buffer_cache.h - the allocator of the kernels' buffers -------------===*
 *
 * Blocks from seqc_buffer_alloc are freed with seqc_buffer_free, which keeps
 * those of 1 MiB or more for later allocations (buffer_cache.c). Used by
 * the generated code (through MLIR's generic allocation functions), the
 * runtime (the kernels' results) and the Python module (the arrays a call
 * returns).
 *===----------------------------------------------------------------------===*/

#ifndef SEQC_RUNTIME_BUFFER_CACHE_H
#define SEQC_RUNTIME_BUFFER_CACHE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* `size` bytes aligned to `alignment` (a power of two; at least 64), or
 * NULL when out of memory. */
void *seqc_buffer_alloc(size_t alignment, size_t size)
    __attribute__((visibility("hidden")));
/* Frees (or keeps) a block of seqc_buffer_alloc; NULL is ignored. */
void seqc_buffer_free(void *pointer) __attribute__((visibility("hidden")));

/* Runs kernel(results, args) so that a buffer the kernel cannot allocate
 * on this thread, outside its parallel regions, ends the call instead of
 * the process: returns 0 with the size it asked for in `*failed_bytes`
 * (the buffers it had allocated by then are not freed), or 1 when the
 * kernel finished. A failure on another thread (an OpenMP worker's task)
 * cannot unwind this thread's stack: it aborts with a message. */
int seqc_buffer_run_kernel(void (*kernel)(void *results, void **args),
                           void *results, void **args, size_t *failed_bytes)
    __attribute__((visibility("hidden")));

#ifdef __cplusplus
}
#endif

#endif /* SEQC_RUNTIME_BUFFER_CACHE_H */
