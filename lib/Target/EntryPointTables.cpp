//===- EntryPointTables.cpp - ABI tables and wrappers in LLVM IR ---------===//
//
// Emits, for the runtime (lib/Runtime/seqc_runtime.c):
//   __seqc_library_info  a seqc_library_info describing every entry point
//   __seqc_kernels       per entry point, a trampoline calling its
//                        _mlir_ciface_ function with an argument array
//   seqc_fn_<name>       int32 (ptr inputs, int32 n, ptr outputs, int32 m):
//                        tail-calls seqc_runtime_invoke(index, ...)
//   __seqc_target        where the kernels take their buffers (LibraryTarget)
// The struct types below must match seqc_runtime.h field for field.
//
//===----------------------------------------------------------------------===//

#include "seqc/Target/EntryPoints.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

using namespace llvm;
using namespace seqc;

namespace {
struct TableEmitter {
  Module &module;
  LLVMContext &ctx = module.getContext();
  Type *i32 = Type::getInt32Ty(ctx);
  Type *i64 = Type::getInt64Ty(ctx);
  PointerType *ptr = PointerType::getUnqual(ctx);
  StructType *dimType = StructType::get(ctx, {i64, i32});
  StructType *argType = StructType::get(ctx, {ptr, i32, i32, ptr});
  StructType *constraintType =
      StructType::get(ctx, {i32, i32, i64, i32, i64, i64, ptr});
  StructType *functionType =
      StructType::get(ctx, {ptr, i32, ptr, i32, ptr, i32, ptr});
  StructType *libraryType = StructType::get(ctx, {i32, i32, ptr});
  unsigned counter = 0;

  GlobalVariable *global(Constant *init, const Twine &name) {
    auto *gv = new GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                  GlobalValue::PrivateLinkage, init,
                                  "__seqc." + name + "." + Twine(counter++));
    gv->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    return gv;
  }
  Constant *string(StringRef s) {
    return global(ConstantDataArray::getString(ctx, s), "str");
  }
  Constant *args(ArrayRef<ArgSignature> list) {
    SmallVector<Constant *> entries;
    for (const ArgSignature &arg : list) {
      SmallVector<Constant *> dims;
      for (const DimSignature &d : arg.dims)
        dims.push_back(ConstantStruct::get(
            dimType, {ConstantInt::get(i64, d.size),
                      ConstantInt::get(i32, d.symbol)}));
      Constant *dimArray = ConstantPointerNull::get(ptr);
      if (!dims.empty())
        dimArray = global(
            ConstantArray::get(ArrayType::get(dimType, dims.size()), dims),
            "dims");
      entries.push_back(ConstantStruct::get(
          argType, {string(arg.name), ConstantInt::get(i32, arg.dtype),
                    ConstantInt::get(i32, arg.dims.size()), dimArray}));
    }
    if (entries.empty())
      return ConstantPointerNull::get(ptr);
    return global(
        ConstantArray::get(ArrayType::get(argType, entries.size()), entries),
        "args");
  }
  Constant *constraints(ArrayRef<ConstraintSignature> list) {
    SmallVector<Constant *> entries;
    for (const ConstraintSignature &c : list)
      entries.push_back(ConstantStruct::get(
          constraintType,
          {ConstantInt::get(i32, c.kind), ConstantInt::get(i32, c.a.symbol),
           ConstantInt::get(i64, c.a.size), ConstantInt::get(i32, c.b.symbol),
           ConstantInt::get(i64, c.b.size), ConstantInt::get(i64, c.value),
           string(c.description)}));
    if (entries.empty())
      return ConstantPointerNull::get(ptr);
    return global(ConstantArray::get(
                      ArrayType::get(constraintType, entries.size()), entries),
                  "constraints");
  }
};
} // namespace

/// void __seqc_call_<name>(ptr results, ptr args): calls the kernel with
/// results and args[0..n-1], so the runtime calls every kernel the same way
/// whatever its arity.
static Function *emitTrampoline(TableEmitter &emit, Function *kernel,
                                const EntryPoint &entry) {
  auto *type = FunctionType::get(Type::getVoidTy(emit.ctx),
                                 {emit.ptr, emit.ptr}, false);
  Function *trampoline =
      Function::Create(type, GlobalValue::InternalLinkage,
                       "__seqc_call_" + entry.name, emit.module);
  IRBuilder<> b(BasicBlock::Create(emit.ctx, "entry", trampoline));
  Value *args = trampoline->getArg(1);
  SmallVector<Value *> callArgs = {trampoline->getArg(0)};
  for (unsigned i = 0, e = entry.inputs.size(); i < e; ++i)
    callArgs.push_back(
        b.CreateLoad(emit.ptr, b.CreateConstGEP1_64(emit.ptr, args, i)));
  b.CreateCall(kernel, callArgs);
  b.CreateRetVoid();
  return trampoline;
}

Error seqc::emitEntryPointTables(Module &module,
                                 ArrayRef<EntryPoint> entryPoints,
                                 LibraryTarget target) {
  TableEmitter emit{module};
  SmallVector<Constant *> functions, kernels;
  for (const EntryPoint &entry : entryPoints) {
    Function *kernel =
        module.getFunction("_mlir_ciface_" + kernelSymbol(entry.name));
    if (!kernel)
      return createStringError(inconvertibleErrorCode(),
                               "no C interface for entry point @" + entry.name);
    kernels.push_back(emitTrampoline(emit, kernel, entry));
    functions.push_back(ConstantStruct::get(
        emit.functionType,
        {emit.string(entry.name), ConstantInt::get(emit.i32, entry.inputs.size()),
         emit.args(entry.inputs),
         ConstantInt::get(emit.i32, entry.outputs.size()),
         emit.args(entry.outputs),
         ConstantInt::get(emit.i32, entry.constraints.size()),
         emit.constraints(entry.constraints)}));
  }
  Constant *functionArray = emit.global(
      ConstantArray::get(ArrayType::get(emit.functionType, functions.size()),
                         functions),
      "functions");
  auto hidden = [&](Constant *init, StringRef name) {
    auto *gv = new GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                  GlobalValue::ExternalLinkage, init, name);
    gv->setVisibility(GlobalValue::HiddenVisibility);
  };
  hidden(ConstantStruct::get(
             emit.libraryType,
             {ConstantInt::get(emit.i32, 1),
              ConstantInt::get(emit.i32, functions.size()), functionArray}),
         "__seqc_library_info");
  hidden(ConstantArray::get(ArrayType::get(emit.ptr, kernels.size()), kernels),
         "__seqc_kernels");
  hidden(ConstantInt::get(emit.i32, static_cast<int32_t>(target)),
         "__seqc_target");

  // int32 seqc_fn_<name>(ptr, i32, ptr, i32) -> seqc_runtime_invoke(k, ...)
  FunctionType *wrapperType = FunctionType::get(
      emit.i32, {emit.ptr, emit.i32, emit.ptr, emit.i32}, false);
  FunctionCallee invoke = module.getOrInsertFunction(
      "seqc_runtime_invoke",
      FunctionType::get(emit.i32,
                        {emit.i32, emit.ptr, emit.i32, emit.ptr, emit.i32},
                        false));
  for (auto [index, entry] : llvm::enumerate(entryPoints)) {
    Function *wrapper =
        Function::Create(wrapperType, GlobalValue::ExternalLinkage,
                         "seqc_fn_" + entry.name, module);
    IRBuilder<> b(BasicBlock::Create(emit.ctx, "entry", wrapper));
    SmallVector<Value *> callArgs = {ConstantInt::get(emit.i32, index)};
    for (Argument &arg : wrapper->args())
      callArgs.push_back(&arg);
    CallInst *call = b.CreateCall(invoke, callArgs);
    call->setTailCall();
    b.CreateRet(call);
  }
  return Error::success();
}
