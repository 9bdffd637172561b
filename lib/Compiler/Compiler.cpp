//===- Compiler.cpp - Facet's compilation pipeline ------------------------===//

#include "facet/Compiler/Compiler.h"

#include "facet/Conversion/Passes.h"
#include "facet/Dialect/Facet/IR/FacetDialect.h"
#include "facet/Dialect/Facet/Transforms/Passes.h"
#include "facet/Dialect/Factor/IR/FactorDialect.h"
#include "facet/Dialect/Factor/Transforms/Passes.h"
#include "facet/Factorize/Passes.h"
#include "facet/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "lld/Common/Driver.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

LLD_HAS_DRIVER(elf)

using namespace mlir;

void facet::registerFacetCompilerDialects(DialectRegistry &registry) {
  registry.insert<FacetDialect, factor::FactorDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

void facet::registerFacetPasses() {
  static bool done = [] {
    registerAllPasses();
    registerFacetConversionPasses();
    registerFacetGraphPasses();
    registerFacetTransformsPasses();
    factor::registerFactorTransformsPasses();
    factorize::registerFactorizePasses();
    return true;
  }();
  (void)done;
}

std::string
facet::facetToLinalgPipeline(const LoweringOptions &options) {
  // Factorized contractions (factor dialect) lower after the graph ops, once
  // canonicalization has merged what cores it could.
  return "builtin.module(convert-facet-to-linalg{vector-lanes=" +
         std::to_string(options.vectorLanes) +
         "},canonicalize,cse,"
         "factor-choose-contraction-order{panel-width=" +
         std::to_string(options.panelWidth()) + " half-rate-k=" + std::to_string(int(kGemmHalfRateK)) +
         "},convert-factor-to-linalg,"
         "canonicalize,cse,facet-fuse-elementwise,canonicalize,cse)";
}

std::string facet::linalgToLLVMPipeline(const LoweringOptions &options) {
  std::string lanes = std::to_string(options.vectorLanes);
  std::string panel = std::to_string(options.panelWidth());
  std::string tile =
      options.tileContractions
          ? "facet-pack-weights{panel-width=" + panel +
                "},canonicalize,cse,facet-tile-contractions{vector-lanes=" +
                lanes + "},canonicalize,cse,"
          : "";
  bool threaded = options.tileContractions && options.threads > 1;
  if (threaded)
    tile.insert(tile.find("}", tile.find("vector-lanes")),
                " parallel=1 threads=" + std::to_string(options.threads));
  std::string vectorize =
      options.tileContractions ? "facet-vectorize-contractions,canonicalize,"
                                 "cse,"
                               : "";
  if (threaded)
    vectorize += "facet-parallelize-tiles,";
  return "builtin.module(facet-fuse-into-reductions,canonicalize,cse,"
         "facet-widen-bool-constants," +
         tile +
         // Tensors to buffers; results become caller-provided out-params so
         // the C ABI never allocates what it returns. (canonicalize first:
         // a result produced by a tiled loop is hoisted only once the loop
         // has folded.)
         "facet-unshare-fills,"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map},"
         "canonicalize,cse,"
         "buffer-results-to-out-params{hoist-static-allocs},"
         "canonicalize,cse,"
         // Temporaries: fixed offsets in one workspace reused across calls.
         "facet-plan-buffers,"
         "buffer-deallocation-pipeline,facet-copies-to-linalg," +
         vectorize +
         "convert-vector-to-scf{full-unroll=true},"
         "facet-lower-reductions,convert-linalg-to-loops,"
         // Integer powers become outlined loops; what LLVM has intrinsics
         // for stays native; the rest (erf, tanh) calls libm.
         "facet-approximate-math,convert-math-to-funcs{convert-ctlz=false},"
         "convert-math-to-llvm,convert-math-to-libm,"
         "lower-affine,convert-scf-to-cf,canonicalize,cse,"
         "convert-vector-to-llvm,"
         // expand-strided-metadata makes affine.apply of subview offsets.
         "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
         "convert-arith-to-llvm,"
         "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
         "convert-cf-to-llvm,convert-ub-to-llvm," +
         std::string(threaded ? "convert-openmp-to-llvm," : "") +
         "reconcile-unrealized-casts," +
         std::string(getenv("FACET_DEBUG_LINES") ? "ensure-debug-info-scope-on-llvm-func{emission-kind=LineTablesOnly}," : "") +
         "facet-emit-model-c-abi,canonicalize)";
}

static LogicalResult runPipeline(ModuleOp module, StringRef pipeline) {
  facet::registerFacetPasses();
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  std::string errors;
  llvm::raw_string_ostream errStream(errors);
  // The pipeline strings are anchored on builtin.module (so that they also
  // work with `facet-opt --pass-pipeline=...`); `pm` already is.
  StringRef inner = pipeline;
  if (inner.consume_front("builtin.module("))
    inner.consume_back(")");
  if (failed(parsePassPipeline(inner, pm, errStream))) {
    module.emitError() << "internal error: bad pass pipeline: " << errors;
    return failure();
  }
  return pm.run(module);
}

/// ONNX TensorProto element type codes.
static int onnxDtypeOf(Type t) {
  if (t.isF32())
    return 1;
  if (t.isF64())
    return 11;
  if (t.isF16())
    return 10;
  if (t.isBF16())
    return 16;
  if (t.isInteger(1))
    return 9;
  if (t.isInteger(8))
    return 3;
  if (t.isInteger(16))
    return 5;
  if (t.isInteger(32))
    return 6;
  if (t.isInteger(64))
    return 7;
  return 0;
}

LogicalResult facet::ensureModelSignature(ModuleOp module) {
  if (module->hasAttr(kModelSignatureAttr))
    return success();
  auto entry = module.lookupSymbol<func::FuncOp>("main");
  if (!entry)
    return module.emitError() << "no entry function @main";
  Builder b(module.getContext());
  auto entries = [&](TypeRange types, bool results) -> FailureOr<ArrayAttr> {
    SmallVector<Attribute> out;
    for (auto [i, t] : llvm::enumerate(types)) {
      auto shaped = dyn_cast<RankedTensorType>(t);
      if (!shaped || !shaped.hasStaticShape() ||
          !onnxDtypeOf(shaped.getElementType()))
        return entry.emitError()
               << (results ? "result #" : "argument #") << i << " of @main ("
               << t
               << ") must be a statically shaped tensor of a numeric type";
      auto name = results ? entry.getResultAttrOfType<StringAttr>(i, "facet.name")
                          : entry.getArgAttrOfType<StringAttr>(i, "facet.name");
      std::string fallback =
          (results ? "output_" : "input_") + std::to_string(i);
      out.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("name", name ? name : b.getStringAttr(fallback)),
           b.getNamedAttr("type", TypeAttr::get(t)),
           b.getNamedAttr("dtype", b.getI32IntegerAttr(
                                       onnxDtypeOf(shaped.getElementType())))}));
    }
    return b.getArrayAttr(out);
  };
  FailureOr<ArrayAttr> ins = entries(entry.getArgumentTypes(), false);
  FailureOr<ArrayAttr> outs = entries(entry.getResultTypes(), true);
  if (failed(ins) || failed(outs))
    return failure();
  module->setAttr(kModelSignatureAttr,
                  b.getDictionaryAttr({b.getNamedAttr("inputs", *ins),
                                       b.getNamedAttr("outputs", *outs)}));
  return success();
}

LogicalResult facet::lowerToLinalg(ModuleOp module,
                                  const LoweringOptions &options) {
  return runPipeline(module, facetToLinalgPipeline(options));
}

LogicalResult facet::lowerToLLVMDialect(ModuleOp module,
                                        const LoweringOptions &options) {
  // The model's function becomes the private `_facet_main`: private so that
  // buffer-results-to-out-params may change its signature, renamed so that
  // it can never clash with a user's `main`.
  auto entry = module.lookupSymbol<func::FuncOp>("main");
  if (!entry)
    return module.emitError() << "no entry function @main";
  // The bare-pointer calling convention of the C ABI cannot pass memrefs with
  // no elements (MLIR 22 leaves such functions unconverted).
  for (Type t : llvm::concat<const Type>(entry.getArgumentTypes(),
                                         entry.getResultTypes()))
    if (auto shaped = dyn_cast<ShapedType>(t);
        shaped && shaped.hasStaticShape() && shaped.getNumElements() == 0)
      return module.emitError()
             << "the model has an input or output with no elements (" << t
             << "); empty tensors at the model's boundary are not supported";
  if (failed(SymbolTable::replaceAllSymbolUses(
          entry, StringAttr::get(module.getContext(), "_facet_main"), module)))
    return failure();
  SymbolTable::setSymbolName(entry, "_facet_main");
  entry.setPrivate();
  return runPipeline(module, linalgToLLVMPipeline(options));
}

static llvm::TargetMachine *
createTargetMachine(const facet::CodegenOptions &options, std::string &error) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu;
  std::string features = options.features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::StringMap<bool> hostFeatures = llvm::sys::getHostCPUFeatures();
    std::string hf;
    for (auto &f : hostFeatures)
      hf += (hf.empty() ? "" : ",") + std::string(f.second ? "+" : "-") +
            f.first().str();
    features = features.empty() ? hf : hf + "," + features;
  }
  llvm::CodeGenOptLevel level =
      options.optLevel == 0   ? llvm::CodeGenOptLevel::None
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                              : llvm::CodeGenOptLevel::Aggressive;
  llvm::TargetOptions targetOptions;
  llvm::TargetMachine *tm =
      target->createTargetMachine(triple, cpu, features, targetOptions,
                                  llvm::Reloc::PIC_, std::nullopt, level);
  if (!tm)
    error = "cannot create a target machine for " + triple.str() + " / " + cpu;
  return tm;
}

facet::LoweringOptions
facet::loweringOptionsFor(const CodegenOptions &options) {
  LoweringOptions lowering;
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm(createTargetMachine(options, error));
  if (tm && tm->getMCSubtargetInfo()->checkFeatures("+avx512f"))
    lowering.vectorLanes = 16;
  lowering.threads = options.threads;
  return lowering;
}

LogicalResult facet::checkTarget(const CodegenOptions &options,
                                 std::string &error) {
  std::unique_ptr<llvm::TargetMachine> tm(createTargetMachine(options, error));
  if (!tm)
    return failure();
  const llvm::MCSubtargetInfo *sti = tm->getMCSubtargetInfo();
  if (options.cpu != "native" && !sti->isCPUStringValid(options.cpu)) {
    error = "--mcpu=" + options.cpu + ": not a CPU of target " +
            tm->getTargetTriple().str();
    return failure();
  }
  for (StringRef f : llvm::split(options.features, ',')) {
    f = f.trim();
    if (f.empty())
      continue;
    bool known = false;
    for (const llvm::SubtargetFeatureKV &kv : sti->getAllProcessorFeatures())
      known |= f.drop_front() == kv.Key;
    if ((!f.starts_with("+") && !f.starts_with("-")) || !known) {
      error = "--mattr: '" + f.str() +
              "' is not +FEATURE or -FEATURE with a feature of the target";
      return failure();
    }
  }
  return success();
}

/// A threaded library runs on `threads` threads unless OMP_NUM_THREADS says
/// otherwise: facet_run starts with
///   if (!getenv("OMP_NUM_THREADS")) omp_set_num_threads(threads);
static void setDefaultThreads(llvm::Module &module, unsigned threads) {
  llvm::Function *run = module.getFunction("facet_run");
  if (!run || run->isDeclaration())
    return;
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::FunctionCallee getenvFn = module.getOrInsertFunction(
      "getenv", llvm::FunctionType::get(ptr, {ptr}, false));
  llvm::FunctionCallee setFn = module.getOrInsertFunction(
      "omp_set_num_threads",
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {i32}, false));
  llvm::BasicBlock *entry = &run->getEntryBlock();
  llvm::BasicBlock *body = entry->splitBasicBlockBefore(entry->begin());
  // `body` is now the new first block holding nothing but a branch.
  body->getTerminator()->eraseFromParent();
  llvm::IRBuilder<> b(body);
  llvm::Value *name = b.CreateGlobalString("OMP_NUM_THREADS");
  llvm::Value *env = b.CreateCall(getenvFn, {name});
  llvm::BasicBlock *set =
      llvm::BasicBlock::Create(ctx, "set_threads", run, entry);
  b.CreateCondBr(b.CreateIsNull(env), set, entry);
  b.SetInsertPoint(set);
  b.CreateCall(setFn, {b.getInt32(threads)});
  b.CreateBr(entry);
}

std::unique_ptr<llvm::Module>
facet::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                         const CodegenOptions &options, std::string &error) {
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, llvmContext, "facet_model");
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  std::unique_ptr<llvm::TargetMachine> tm(createTargetMachine(options, error));
  if (!tm)
    return nullptr;
  llvmModule->setTargetTriple(tm->getTargetTriple());
  llvmModule->setDataLayout(tm->createDataLayout());
  // Record the target in the object: the functions carry cpu/features.
  // Float reductions (the K loop of every contraction) may be reassociated
  // and multiply-adds contracted into FMAs, as onnxruntime and BLAS do;
  // without it LLVM cannot vectorize a reduction loop. Divisions may use a
  // reciprocal (softmax's x / sum and layernorm's x / sqrt(var) become one
  // division per row and a multiplication per element).
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    for (llvm::Instruction &inst : llvm::instructions(f))
      if (llvm::isa<llvm::FPMathOperator>(inst)) {
        inst.setHasAllowReassoc(true);
        inst.setHasAllowContract(true);
        inst.setHasAllowReciprocal(true);
      }
    // Profiling by op (FACET_DEBUG_LINES=1, docs/CodeGen.md): the model
    // function keeps its own line table only if it is not inlined into
    // facet_run, which has none.
    if (getenv("FACET_DEBUG_LINES") && f.getName() == "_facet_main")
      f.addFnAttr(llvm::Attribute::NoInline);
    f.addFnAttr("target-cpu", tm->getTargetCPU());
    if (!tm->getTargetFeatureString().empty())
      f.addFnAttr("target-features", tm->getTargetFeatureString());
  }

  if (options.threads > 1)
    setDefaultThreads(*llvmModule, options.threads);

  llvm::OptimizationLevel level =
      options.optLevel == 0   ? llvm::OptimizationLevel::O0
      : options.optLevel == 1 ? llvm::OptimizationLevel::O1
      : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                              : llvm::OptimizationLevel::O3;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = options.optLevel >= 2;
  tuning.SLPVectorization = options.optLevel >= 2;
  llvm::PassBuilder pb(tm.get(), tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = options.optLevel == 0
                                    ? pb.buildO0DefaultPipeline(level)
                                    : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(*llvmModule, mam);
  if (llvm::verifyModule(*llvmModule, &llvm::errs())) {
    error = "internal error: optimized LLVM IR does not verify";
    return nullptr;
  }
  return llvmModule;
}

LogicalResult facet::emitObject(llvm::Module &module,
                                const CodegenOptions &options,
                                llvm::raw_pwrite_stream &os,
                                std::string &error) {
  std::unique_ptr<llvm::TargetMachine> tm(createTargetMachine(options, error));
  if (!tm)
    return failure();
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr,
                              llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return failure();
  }
  pm.run(module);
  return success();
}

LogicalResult facet::linkSharedLibrary(StringRef objectPath,
                                       StringRef outputPath,
                                       const CodegenOptions &options,
                                       std::string &error) {
  std::string out = outputPath.str(), obj = objectPath.str();
  std::vector<const char *> args = {"ld.lld", "-shared",     "--eh-frame-hdr",
                                    "-z",     "noexecstack", "--hash-style=gnu",
                                    "-o",     out.c_str(),   obj.c_str()};
  // Record the C and math libraries the code calls (malloc, memcpy, expf...)
  // as DT_NEEDED so that any host process can load the library.
  static const char *libs[] = {"/lib/x86_64-linux-gnu/libm.so.6",
                               "/lib/x86_64-linux-gnu/libc.so.6"};
  for (const char *lib : libs)
    if (llvm::sys::fs::exists(lib))
      args.push_back(lib);
  // Threads: LLVM's OpenMP runtime, found where it was at Facet's build.
  std::string ompDir = FACET_OPENMP_LIBDIR, rpath = "-rpath=" + ompDir;
  std::string omp = ompDir + "/libomp.so";
  if (options.threads > 1) {
    if (!llvm::sys::fs::exists(omp)) {
      error = "--threads " + std::to_string(options.threads) +
              " needs LLVM's OpenMP runtime, not found at '" + omp +
              "' (install libomp-22-dev)";
      return failure();
    }
    args.push_back(omp.c_str());
    args.push_back(rpath.c_str());
  }
  std::string diag;
  llvm::raw_string_ostream diagStream(diag);
  lld::Result result =
      lld::lldMain(args, diagStream, diagStream, {{lld::Gnu, &lld::elf::link}});
  if (result.retCode != 0) {
    error = "linking '" + out + "' failed: " + diag;
    return failure();
  }
  return success();
}

LogicalResult facet::compileToLibrary(ModuleOp module,
                                      const CodegenOptions &codegen,
                                      const LoweringOptions &lowering,
                                      StringRef outputPath,
                                      std::string &error) {
  if (failed(lowerToLinalg(module, lowering)) ||
      failed(lowerToLLVMDialect(module, lowering))) {
    error = "lowering failed (see the diagnostics above)";
    return failure();
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateToLLVMIR(module, llvmContext, codegen, error);
  if (!llvmModule)
    return failure();
  SmallString<128> objPath;
  int fd;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("facet-model", "o", fd, objPath)) {
    error = "cannot create a temporary object file: " + ec.message();
    return failure();
  }
  llvm::FileRemover removeObj(objPath);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (failed(emitObject(*llvmModule, codegen, os, error)))
      return failure();
  }
  if (failed(linkSharedLibrary(objPath, outputPath, codegen, error))) {
    llvm::sys::fs::remove(outputPath);
    return failure();
  }
  return success();
}
