//===- CPUTarget.cpp - LLVM dialect to object code and .so ---------------===//

#include "seqc/Target/CPUTarget.h"
#include "seqc/Target/CUDATarget.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#ifndef SEQC_LINKER
#define SEQC_LINKER "ld.lld"
#endif
#ifndef SEQC_BUILTINS_LIBRARY
#define SEQC_BUILTINS_LIBRARY "libclang_rt.builtins-x86_64.a"
#endif
#ifndef SEQC_OPENMP_LIBRARY
#define SEQC_OPENMP_LIBRARY "libomp.so"
#endif
#ifndef SEQC_RUNTIME_LIBRARY
#define SEQC_RUNTIME_LIBRARY "libseqc_runtime.a"
#endif

using namespace llvm;

static void initializeNativeTarget() {
  static bool initialized = [] {
    InitializeNativeTarget();
    InitializeNativeTargetAsmPrinter();
    InitializeNativeTargetAsmParser();
    return true;
  }();
  (void)initialized;
}

Expected<std::unique_ptr<TargetMachine>>
seqc::createCPUTargetMachine(const CPUTargetOptions &options) {
  initializeNativeTarget();
  Triple triple(sys::getProcessTriple());
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError(inconvertibleErrorCode(),
                             "no LLVM target for " + triple.str() + ": " +
                                 error);
  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = sys::getHostCPUName().str();
    SubtargetFeatures subtarget;
    for (const auto &feature : sys::getHostCPUFeatures())
      subtarget.AddFeature(feature.first(), feature.second);
    features = subtarget.getString();
  } else {
    // Validated on the generic CPU's subtarget: one made for an unknown
    // CPU warns on stderr first.
    std::unique_ptr<MCSubtargetInfo> generic(
        target->createMCSubtargetInfo(triple, "", ""));
    if (!generic || !generic->isCPUStringValid(cpu))
      return createStringError(inconvertibleErrorCode(),
                               "unknown CPU '" + cpu + "' for " +
                                   triple.str() +
                                   " (try native, x86-64-v3, x86-64-v4)");
    // A 32-bit x86 CPU (i386, pentium4) for the 64-bit triple is a fatal
    // error inside LLVM's code generator, not a diagnostic.
    std::unique_ptr<MCSubtargetInfo> info(
        target->createMCSubtargetInfo(triple, cpu, ""));
    if (triple.getArch() == Triple::x86_64 && !info->checkFeatures("+64bit"))
      return createStringError(inconvertibleErrorCode(),
                               "CPU '" + cpu + "' has no 64-bit mode, which " +
                                   triple.str() + " needs");
  }
  TargetOptions targetOptions;
  // Constructors (the CUDA target's kernel registration) go in
  // .init_array, which the dynamic loader runs; the default, .ctors, is
  // run by no one when lld links the library.
  targetOptions.UseInitArray = true;
  CodeGenOptLevel level = options.optLevel == 0   ? CodeGenOptLevel::None
                          : options.optLevel == 1 ? CodeGenOptLevel::Less
                          : options.optLevel == 2 ? CodeGenOptLevel::Default
                                                  : CodeGenOptLevel::Aggressive;
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, Reloc::PIC_, std::nullopt, level));
  if (!machine)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create a target machine for " + cpu);
  return machine;
}

Expected<std::unique_ptr<Module>>
seqc::translateToLLVMIR(mlir::ModuleOp module, LLVMContext &context,
                        TargetMachine &machine, unsigned optLevel) {
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context, "seqc");
  if (!llvmModule)
    return createStringError(inconvertibleErrorCode(),
                             "translation to LLVM IR failed");
  llvmModule->setDataLayout(machine.createDataLayout());
  llvmModule->setTargetTriple(machine.getTargetTriple());
  // Per-function CPU attributes make the IR self-describing: `--emit=llvm`
  // output compiled elsewhere still targets the requested CPU.
  for (Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", machine.getTargetCPU());
    if (!machine.getTargetFeatureString().empty())
      function.addFnAttr("target-features",
                         machine.getTargetFeatureString());
  }
  auto optimize =
      mlir::makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, &machine);
  if (Error err = optimize(llvmModule.get()))
    return std::move(err);
  return llvmModule;
}

Error seqc::emitMachineCode(Module &module, TargetMachine &machine,
                            raw_pwrite_stream &os, bool assembly) {
  legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, os, nullptr,
                                  assembly ? CodeGenFileType::AssemblyFile
                                           : CodeGenFileType::ObjectFile))
    return createStringError(inconvertibleErrorCode(),
                             "the target cannot emit this file type");
  passes.run(module);
  return Error::success();
}

int64_t seqc::vectorLanesF32(const TargetMachine &machine) {
  const MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  if (info->checkFeatures("+avx512f"))
    return 16;
  if (info->checkFeatures("+avx"))
    return 8;
  return 4;
}

bool seqc::hasInt8DotProduct(const TargetMachine &machine) {
  return machine.getMCSubtargetInfo()->checkFeatures("+avx512vnni");
}

bool seqc::hasBF16DotProduct(const TargetMachine &machine) {
  return machine.getMCSubtargetInfo()->checkFeatures("+avx512bf16");
}

bool seqc::usesOpenMP(const Module &module) {
  for (const Function &f : module)
    if (f.isDeclaration() && f.getName().starts_with("__kmpc_"))
      return true;
  return false;
}

/// The runtime archive of an installed seqc, <prefix>/lib beside
/// <prefix>/bin/seqc, when there is one; else this build's.
static std::string defaultRuntimeLibrary() {
  static int anchor;
  std::string exe = sys::fs::getMainExecutable("seqc", &anchor);
  SmallString<256> path(sys::path::parent_path(sys::path::parent_path(exe)));
  sys::path::append(path, "lib", "libseqc_runtime.a");
  if (!exe.empty() && sys::fs::exists(path))
    return std::string(path);
  return SEQC_RUNTIME_LIBRARY;
}

Error seqc::linkSharedLibrary(StringRef objectPath, StringRef outputPath,
                              StringRef runtimeLibrary, bool openmp,
                              bool cuda) {
  ErrorOr<std::string> linker = sys::findProgramByName(SEQC_LINKER);
  if (!linker)
    return createStringError(inconvertibleErrorCode(),
                             "linker '" SEQC_LINKER "' not found");
  std::string out = outputPath.str(), obj = objectPath.str();
  std::string runtime =
      runtimeLibrary.empty() ? defaultRuntimeLibrary() : runtimeLibrary.str();
  if (!sys::fs::exists(runtime))
    return createStringError(inconvertibleErrorCode(),
                             "the seqc runtime library " + runtime +
                                 " is missing (rebuild seqc)");
  std::string cudaRuntime = cudaRuntimeLibrary(runtime);
  if (cuda && !sys::fs::exists(cudaRuntime))
    return createStringError(inconvertibleErrorCode(),
                             "the seqc GPU runtime library " + cudaRuntime +
                                 " is missing (rebuild seqc)");
  // The seqc runtime (argument checks, dispatch) and compiler-rt's builtins
  // (half-precision conversions) are linked in statically.
  // --no-undefined keeps a missing symbol a link error rather than a
  // load-time surprise; the library needs only libc and libm.
  SmallVector<StringRef> args = {*linker,      "-shared",  "--no-undefined",
                                 "-Bsymbolic-functions",
                                 "--as-needed", "-o",       out,
                                 obj,
                                 // Whole: the model API is exported whether
                                 // or not the generated code calls it.
                                 "--whole-archive", runtime};
  // A CUDA library's GPU runtime: the mgpu* functions its host code calls.
  if (cuda)
    args.push_back(cudaRuntime);
  args.append({"--no-whole-archive",
                                 SEQC_BUILTINS_LIBRARY,
                                 "-L/lib/x86_64-linux-gnu",
                                 "-L/usr/lib/x86_64-linux-gnu", "-lm", "-lc"});
  // Parallel loops need the OpenMP runtime, a shared library (DT_NEEDED
  // libomp.so.5): one thread pool per process, however many libraries.
  if (openmp)
    args.push_back(SEQC_OPENMP_LIBRARY);
  std::string message;
  int rc = sys::ExecuteAndWait(*linker, args, std::nullopt, {}, 0, 0,
                               &message);
  if (rc != 0)
    return createStringError(inconvertibleErrorCode(),
                             "linking " + out + " failed" +
                                 (message.empty() ? "" : ": " + message));
  return Error::success();
}
