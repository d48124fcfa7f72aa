//===- seq-run.cpp - call a seqc library from the command line -----------===//
//
//   seq-run libmodel.so --list
//   seq-run libmodel.so forward q.npy k.npy v.npy -o out.npy
//
// Loads a library compiled by seqc, reads the inputs from .npy files, calls
// the entry point through the seqc runtime ABI (outputs sized from the
// library's signature table) and writes each output to the -o files, or
// prints its shape and checksum. Exit status: 0 on success, 1 on any error.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"
#include "seqc-runtime/seqc_runtime.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <string>
#include <vector>

using namespace seqrun;

static int usage() {
  std::fprintf(stderr,
               "usage: seq-run LIBRARY --list\n"
               "       seq-run LIBRARY FUNCTION [INPUT.npy ...] [-o OUTPUT.npy "
               "...]\n"
               "Calls FUNCTION of a library compiled by seqc with .npy "
               "inputs; writes\nthe outputs to the -o files in order, or "
               "prints their shapes and sums.\n");
  return 1;
}

static void printSignature(const seqc_arg_info &arg, const char *kind,
                           int index) {
  std::printf("  %s %d %s: %s[", kind, index, arg.name,
              seqc_dtype_name(arg.dtype));
  for (int d = 0; d < arg.rank; ++d) {
    if (d)
      std::printf(", ");
    if (arg.dims[d].size >= 0)
      std::printf("%lld", static_cast<long long>(arg.dims[d].size));
    else if (arg.dims[d].symbol >= 0)
      std::printf("s%d", arg.dims[d].symbol);
    else
      std::printf("?");
  }
  std::printf("]\n");
}

static double checksum(const Array &a) {
  double sum = 0;
  int64_t n = a.numElements();
  for (int64_t i = 0; i < n; ++i) {
    const char *p = a.data.data() + i * seqc_dtype_size(a.dtype);
    switch (a.dtype) {
    case SEQC_DTYPE_F32: sum += *reinterpret_cast<const float *>(p); break;
    case SEQC_DTYPE_F64: sum += *reinterpret_cast<const double *>(p); break;
    case SEQC_DTYPE_I32: sum += *reinterpret_cast<const int32_t *>(p); break;
    case SEQC_DTYPE_I64: sum += *reinterpret_cast<const int64_t *>(p); break;
    case SEQC_DTYPE_I8: sum += *reinterpret_cast<const int8_t *>(p); break;
    default: return std::nan("");
    }
  }
  return sum;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return usage();
  std::string libraryPath = argv[1];
  std::vector<std::string> inputs, outputs;
  std::string function;
  bool list = false;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--list")
      list = true;
    else if (arg == "-o" && i + 1 < argc)
      outputs.push_back(argv[++i]);
    else if (arg == "-h" || arg == "--help" || arg == "-o")
      return usage();
    else if (function.empty())
      function = arg;
    else
      inputs.push_back(arg);
  }

  // A path without a slash would make dlopen search the system paths.
  if (libraryPath.find('/') == std::string::npos)
    libraryPath = "./" + libraryPath;
  void *handle = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "seq-run: error: cannot load %s: %s\n",
                 libraryPath.c_str(), dlerror());
    return 1;
  }
  using InfoFn = const seqc_library_info *(*)();
  using CallFn = seqc_status (*)(const char *, const seqc_tensor *, int32_t,
                                 seqc_tensor *, int32_t);
  using ErrorFn = const char *(*)();
  auto info = reinterpret_cast<InfoFn>(dlsym(handle, "seqc_get_library_info"));
  auto call = reinterpret_cast<CallFn>(dlsym(handle, "seqc_call"));
  auto lastError = reinterpret_cast<ErrorFn>(dlsym(handle, "seqc_last_error"));
  if (!info || !call || !lastError) {
    std::fprintf(stderr, "seq-run: error: %s is not a seqc library\n",
                 libraryPath.c_str());
    return 1;
  }
  const seqc_library_info *lib = info();
  if (lib->abi_version != SEQC_ABI_VERSION) {
    std::fprintf(stderr,
                 "seq-run: error: %s has ABI version %d, seq-run expects %d\n",
                 libraryPath.c_str(), lib->abi_version, SEQC_ABI_VERSION);
    return 1;
  }
  if (list) {
    for (int f = 0; f < lib->num_functions; ++f) {
      const seqc_function_info &fn = lib->functions[f];
      std::printf("%s\n", fn.name);
      for (int i = 0; i < fn.num_inputs; ++i)
        printSignature(fn.inputs[i], "input", i);
      for (int i = 0; i < fn.num_outputs; ++i)
        printSignature(fn.outputs[i], "output", i);
    }
    return 0;
  }
  if (function.empty())
    return usage();
  const seqc_function_info *fn = nullptr;
  for (int f = 0; f < lib->num_functions; ++f)
    if (function == lib->functions[f].name)
      fn = &lib->functions[f];
  if (!fn) {
    std::fprintf(stderr, "seq-run: error: %s has no function '%s' (--list "
                         "shows them)\n",
                 libraryPath.c_str(), function.c_str());
    return 1;
  }
  if (!outputs.empty() &&
      static_cast<int>(outputs.size()) != fn->num_outputs) {
    std::fprintf(stderr, "seq-run: error: %s has %d outputs, %zu -o given\n",
                 fn->name, fn->num_outputs, outputs.size());
    return 1;
  }

  std::vector<Array> in(inputs.size());
  std::vector<seqc_tensor> inTensors(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string error;
    if (!readNpy(inputs[i], in[i], error)) {
      std::fprintf(stderr, "seq-run: error: %s\n", error.c_str());
      return 1;
    }
    inTensors[i] = {in[i].dtype, static_cast<int32_t>(in[i].shape.size()),
                    in[i].shape.data(), nullptr, in[i].data.data()};
  }
  // Output sizes from the signature; a size it cannot give is left for the
  // library to reject (a wrong input count, say).
  std::vector<Array> out(fn->num_outputs);
  std::vector<seqc_tensor> outTensors(fn->num_outputs);
  for (int i = 0; i < fn->num_outputs; ++i) {
    const seqc_arg_info &arg = fn->outputs[i];
    out[i].dtype = arg.dtype;
    out[i].shape.resize(arg.rank);
    seqc_output_shape(fn, inTensors.data(),
                      static_cast<int32_t>(inTensors.size()), i,
                      out[i].shape.data());
    out[i].data.resize(out[i].numElements() * seqc_dtype_size(arg.dtype));
    outTensors[i] = {arg.dtype, arg.rank, out[i].shape.data(), nullptr,
                     out[i].data.data()};
  }
  seqc_status status =
      call(fn->name, inTensors.data(), static_cast<int32_t>(inTensors.size()),
           outTensors.data(), static_cast<int32_t>(outTensors.size()));
  if (status != SEQC_OK) {
    std::fprintf(stderr, "seq-run: error: %s\n", lastError());
    return 1;
  }
  for (int i = 0; i < fn->num_outputs; ++i) {
    if (outputs.empty()) {
      std::printf("output %d %s: %s[", i, fn->outputs[i].name,
                  seqc_dtype_name(out[i].dtype));
      for (size_t d = 0; d < out[i].shape.size(); ++d)
        std::printf("%s%lld", d ? ", " : "",
                    static_cast<long long>(out[i].shape[d]));
      std::printf("] sum %.9g\n", checksum(out[i]));
      continue;
    }
    std::string error;
    if (!writeNpy(outputs[i], out[i], error)) {
      std::fprintf(stderr, "seq-run: error: %s\n", error.c_str());
      return 1;
    }
  }
  return 0;
}
