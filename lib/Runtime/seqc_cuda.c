/*===- seqc_cuda.c - the GPU runtime of --target=cuda libraries -----------===*
 *
 * The mgpu* functions that MLIR's GPU-to-LLVM lowering calls (the contract
 * of upstream's CudaRuntimeWrappers.cpp, which Debian does not package),
 * implemented on the CUDA driver API reached through dlopen("libcuda.so.1"):
 * a library links no CUDA library and loads on a machine without a GPU.
 *
 * Nothing touches the driver until a kernel call needs it: the module
 * "loads" that the generated constructors run at dlopen time only record
 * the embedded binary. The generated host code cannot check results, so
 * every function here records the first failure of the current call and
 * turns the calls after it into no-ops; the runtime then returns
 * SEQC_ERROR_DEVICE with the message (seqc_device_sync, device_call.c).
 *
 * One CUDA context (the primary context of device $SEQC_CUDA_DEVICE,
 * default 0) and one stream per host thread: the stream "create" and
 * "destroy" calls around each kernel call reuse it, unless the caller of
 * seqc_call_device named its own stream for the call.
 *===----------------------------------------------------------------------===*/

#include "runtime_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;
typedef void *CUevent;
typedef unsigned long long CUdeviceptr;

enum {
  CU_STREAM_NON_BLOCKING = 1,
  CU_EVENT_DISABLE_TIMING = 2,
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
};

/* The driver entry points used, resolved once. */
static struct {
  CUresult (*Init)(unsigned);
  CUresult (*DeviceGetCount)(int *);
  CUresult (*DeviceGet)(CUdevice *, int);
  CUresult (*DevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*CtxSetCurrent)(CUcontext);
  CUresult (*GetErrorString)(CUresult, const char **);
  CUresult (*ModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                               void **);
  CUresult (*ModuleUnload)(CUmodule);
  CUresult (*ModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*FuncSetAttribute)(CUfunction, int, int);
  CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
  CUresult (*StreamCreate)(CUstream *, unsigned);
  CUresult (*StreamSynchronize)(CUstream);
  CUresult (*StreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*EventCreate)(CUevent *, unsigned);
  CUresult (*EventDestroy)(CUevent);
  CUresult (*EventRecord)(CUevent, CUstream);
  CUresult (*EventSynchronize)(CUevent);
  CUresult (*MemAlloc)(CUdeviceptr *, size_t);
  CUresult (*MemFree)(CUdeviceptr);
  CUresult (*MemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*MemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*MemsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
} cu;

static pthread_once_t driver_once = PTHREAD_ONCE_INIT;
static CUcontext context;
/* Why the driver is unusable ("" when it is usable). */
static char driver_error[512];

static _Thread_local char call_error[768];
static _Thread_local CUstream thread_stream;

static void set_error(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
static void set_error(const char *format, ...) {
  if (call_error[0])
    return; /* The first failure explains the rest. */
  va_list args;
  va_start(args, format);
  vsnprintf(call_error, sizeof(call_error), format, args);
  va_end(args);
}

static const char *error_name(CUresult result) {
  const char *text = NULL;
  if (cu.GetErrorString && cu.GetErrorString(result, &text) == 0 && text)
    return text;
  return "unknown CUDA error";
}

/* Records a failed driver call; returns whether `result` is success. */
static int check(CUresult result, const char *what) {
  if (result == 0)
    return 1;
  set_error("%s failed: %s (CUDA error %d)", what, error_name(result), result);
  return 0;
}

static void load_driver(void) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(driver_error, sizeof(driver_error),
             "no CUDA device: the CUDA driver (libcuda.so.1) cannot be "
             "loaded: %s",
             dlerror());
    return;
  }
#define RESOLVE(field, symbol)                                                 \
  if (!(*(void **)&cu.field = dlsym(lib, symbol))) {                           \
    snprintf(driver_error, sizeof(driver_error),                               \
             "no CUDA device: the CUDA driver lacks %s (too old?)", symbol);  \
    return;                                                                    \
  }
  RESOLVE(Init, "cuInit");
  RESOLVE(DeviceGetCount, "cuDeviceGetCount");
  RESOLVE(DeviceGet, "cuDeviceGet");
  RESOLVE(DevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  RESOLVE(CtxSetCurrent, "cuCtxSetCurrent");
  RESOLVE(GetErrorString, "cuGetErrorString");
  RESOLVE(ModuleLoadDataEx, "cuModuleLoadDataEx");
  RESOLVE(ModuleUnload, "cuModuleUnload");
  RESOLVE(ModuleGetFunction, "cuModuleGetFunction");
  RESOLVE(FuncSetAttribute, "cuFuncSetAttribute");
  RESOLVE(LaunchKernel, "cuLaunchKernel");
  RESOLVE(StreamCreate, "cuStreamCreate");
  RESOLVE(StreamSynchronize, "cuStreamSynchronize");
  RESOLVE(StreamWaitEvent, "cuStreamWaitEvent");
  RESOLVE(EventCreate, "cuEventCreate");
  RESOLVE(EventDestroy, "cuEventDestroy_v2");
  RESOLVE(EventRecord, "cuEventRecord");
  RESOLVE(EventSynchronize, "cuEventSynchronize");
  RESOLVE(MemAlloc, "cuMemAlloc_v2");
  RESOLVE(MemFree, "cuMemFree_v2");
  RESOLVE(MemcpyAsync, "cuMemcpyAsync");
  RESOLVE(MemsetD32Async, "cuMemsetD32Async");
  RESOLVE(MemsetD16Async, "cuMemsetD16Async");
#undef RESOLVE
  CUresult result = cu.Init(0);
  if (result != 0) {
    snprintf(driver_error, sizeof(driver_error),
             "no CUDA device: cuInit failed: %s (CUDA error %d)",
             error_name(result), result);
    return;
  }
  int count = 0;
  if (cu.DeviceGetCount(&count) != 0 || count == 0) {
    snprintf(driver_error, sizeof(driver_error),
             "no CUDA device: the CUDA driver reports no GPU");
    return;
  }
  int ordinal = 0;
  const char *env = getenv("SEQC_CUDA_DEVICE");
  if (env && *env) {
    char *end;
    long value = strtol(env, &end, 10);
    if (*end || value < 0 || value >= count) {
      snprintf(driver_error, sizeof(driver_error),
               "no CUDA device: SEQC_CUDA_DEVICE=%s is not a device of "
               "0..%d",
               env, count - 1);
      return;
    }
    ordinal = (int)value;
  }
  CUdevice device;
  if ((result = cu.DeviceGet(&device, ordinal)) != 0 ||
      (result = cu.DevicePrimaryCtxRetain(&context, device)) != 0) {
    snprintf(driver_error, sizeof(driver_error),
             "no CUDA device: device %d cannot be used: %s (CUDA error %d)",
             ordinal, error_name(result), result);
    return;
  }
  driver_error[0] = '\0';
}

/* Whether device work can go on in this call: the driver is usable, the
 * context is current on this thread and nothing has failed yet. */
static int ready(void) {
  if (call_error[0])
    return 0;
  pthread_once(&driver_once, load_driver);
  if (driver_error[0]) {
    set_error("%s", driver_error);
    return 0;
  }
  return check(cu.CtxSetCurrent(context), "cuCtxSetCurrent");
}

/* The stream of the current call: the caller's (seqc_call_device), or
 * NULL for this thread's own. */
static _Thread_local CUstream call_stream;

/* The stream the current call's work goes on. */
static CUstream current_stream(void) {
  if (call_stream)
    return call_stream;
  if (!thread_stream)
    check(cu.StreamCreate(&thread_stream, CU_STREAM_NON_BLOCKING),
          "cuStreamCreate");
  return thread_stream;
}

void seqc_device_begin_call(void *stream) {
  call_error[0] = '\0';
  call_stream = stream;
}

const char *seqc_device_sync(void) {
  if (ready()) {
    CUstream stream = current_stream();
    if (stream)
      check(cu.StreamSynchronize(stream), "cuStreamSynchronize");
  }
  return call_error[0] ? call_error : NULL;
}

void seqc_device_end_call(void) { call_stream = NULL; }

/*===- Modules: the binaries the generated constructors register ---------===*/

typedef struct kernel_entry {
  const char *name;
  CUfunction function;
  struct kernel_entry *next;
} kernel_entry;

typedef struct module_handle {
  const void *data;
  int is_ptx;
  CUmodule module; /* loaded on first use */
  kernel_entry *kernels;
} module_handle;

static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;

static module_handle *new_module(const void *data, int is_ptx) {
  module_handle *handle = calloc(1, sizeof(module_handle));
  if (handle) {
    handle->data = data;
    handle->is_ptx = is_ptx;
  }
  return handle;
}

/* A cubin or fatbin embedded in the library. */
void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  return new_module(data, 0);
}

/* NUL-terminated PTX, compiled by the driver when first used. */
void *mgpuModuleLoadJIT(void *data, int opt_level) {
  (void)opt_level;
  return new_module(data, 1);
}

void mgpuModuleUnload(void *module) {
  module_handle *handle = module;
  if (!handle)
    return;
  /* At process exit the driver may already be gone: a module is released
   * with its context, so it is not unloaded here. */
  for (kernel_entry *k = handle->kernels; k;) {
    kernel_entry *next = k->next;
    free(k);
    k = next;
  }
  free(handle);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  module_handle *handle = module;
  if (!ready())
    return NULL;
  if (!handle) {
    set_error("out of memory registering the kernels");
    return NULL;
  }
  CUfunction function = NULL;
  pthread_mutex_lock(&module_lock);
  for (kernel_entry *k = handle->kernels; k; k = k->next)
    if (k->name == name || strcmp(k->name, name) == 0) {
      function = k->function;
      break;
    }
  if (!function) {
    if (!handle->module) {
      char log[1024] = "";
      int options[] = {CU_JIT_ERROR_LOG_BUFFER,
                       CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
      void *values[] = {log, (void *)(uintptr_t)sizeof(log)};
      CUresult result =
          cu.ModuleLoadDataEx(&handle->module, handle->data, 2, options, values);
      if (result != 0)
        set_error("loading the kernels failed: %s (CUDA error %d)%s%s "
                  "(built for another GPU architecture? see --gpu-arch)",
                  error_name(result), result, log[0] ? ": " : "", log);
    }
    kernel_entry *entry = NULL;
    if (handle->module &&
        check(cu.ModuleGetFunction(&function, handle->module, name),
              "cuModuleGetFunction") &&
        (entry = malloc(sizeof(kernel_entry)))) {
      entry->name = name;
      entry->function = function;
      entry->next = handle->kernels;
      handle->kernels = entry;
    }
  }
  pthread_mutex_unlock(&module_lock);
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t grid_x, intptr_t grid_y,
                      intptr_t grid_z, intptr_t block_x, intptr_t block_y,
                      intptr_t block_z, int32_t shared_bytes, void *stream,
                      void **params, void **extra, size_t num_params) {
  (void)num_params;
  if (!function || !ready())
    return;
  if (shared_bytes > 0 &&
      !check(cu.FuncSetAttribute(function,
                                 CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                 shared_bytes),
             "cuFuncSetAttribute"))
    return;
  check(cu.LaunchKernel(function, (unsigned)grid_x, (unsigned)grid_y,
                        (unsigned)grid_z, (unsigned)block_x, (unsigned)block_y,
                        (unsigned)block_z, (unsigned)shared_bytes, stream,
                        params, extra),
        "cuLaunchKernel");
}

/*===- Streams and events ---------------------------------------------------===*/

void *mgpuStreamCreate(void) { return ready() ? current_stream() : NULL; }

/* The thread's stream lives as long as the thread; the caller's is the
 * caller's. */
void mgpuStreamDestroy(void *stream) { (void)stream; }

void mgpuStreamSynchronize(void *stream) {
  if (stream && ready())
    check(cu.StreamSynchronize(stream), "cuStreamSynchronize");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  if (stream && event && ready())
    check(cu.StreamWaitEvent(stream, event, 0), "cuStreamWaitEvent");
}

void *mgpuEventCreate(void) {
  CUevent event = NULL;
  if (ready())
    check(cu.EventCreate(&event, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
  return event;
}

void mgpuEventDestroy(void *event) {
  /* Freed even after a failure of the call, which must not leak. */
  if (event && cu.EventDestroy)
    cu.EventDestroy(event);
}

void mgpuEventSynchronize(void *event) {
  if (event && ready())
    check(cu.EventSynchronize(event), "cuEventSynchronize");
}

void mgpuEventRecord(void *event, void *stream) {
  if (event && stream && ready())
    check(cu.EventRecord(event, stream), "cuEventRecord");
}

/*===- Memory ----------------------------------------------------------------===*/

void *mgpuMemAlloc(uint64_t bytes, void *stream, bool host_shared) {
  (void)stream;
  if (host_shared) {
    set_error("host-shared GPU allocations are not supported");
    return NULL;
  }
  if (!ready())
    return NULL;
  CUdeviceptr pointer = 0;
  /* cuMemAlloc refuses 0 bytes; an empty tensor still needs an address. */
  if (!check(cu.MemAlloc(&pointer, bytes ? bytes : 1), "cuMemAlloc"))
    return NULL;
  return (void *)(uintptr_t)pointer;
}

void mgpuMemFree(void *pointer, void *stream) {
  (void)stream;
  /* Freed even after a failure of the call, which must not leak. */
  if (pointer && cu.MemFree)
    cu.MemFree((CUdeviceptr)(uintptr_t)pointer);
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (!dst || !src || !stream || !ready())
    return;
  check(cu.MemcpyAsync((CUdeviceptr)(uintptr_t)dst,
                       (CUdeviceptr)(uintptr_t)src, bytes, stream),
        "cuMemcpyAsync");
}

void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream) {
  if (dst && stream && ready())
    check(cu.MemsetD32Async((CUdeviceptr)(uintptr_t)dst, value, count, stream),
          "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  void *stream) {
  if (dst && stream && ready())
    check(cu.MemsetD16Async((CUdeviceptr)(uintptr_t)dst, value, count, stream),
          "cuMemsetD16Async");
}

/*===- The runtime's copies around a call (device_call.c) -------------------===*/

void *seqc_device_alloc(int64_t bytes) {
  return mgpuMemAlloc((uint64_t)bytes, NULL, false);
}

void seqc_device_copy(void *dst, const void *src, int64_t bytes) {
  /* Unified addressing: the driver tells host from device memory. */
  if (ready())
    mgpuMemcpy(dst, (void *)(uintptr_t)src, (size_t)bytes, current_stream());
}

void seqc_device_free(void *pointer) { mgpuMemFree(pointer, NULL); }
