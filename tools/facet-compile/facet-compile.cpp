//===- facet-compile.cpp - Compile an ONNX model ahead of time ------------===//
//
//   facet-compile MODEL.onnx -o OUT [--emit=facet|linalg|llvm|obj|lib]
//                 [--shape NAME=1x32 ...] [-O0..-O3]
//
// Errors go to stderr as `facet-compile: error: ...` and exit non-zero; on any
// error nothing is written.
//
//===----------------------------------------------------------------------===//

#include "facet/Compiler/Compiler.h"
#include "facet/Dialect/Facet/Transforms/Passes.h"
#include "facet/Factorize/Driver.h"
#include "facet/Import/OnnxImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/CodeGen/CommandFlags.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {
enum class Emit { Facet, Linalg, LLVMIR, Object, Library };

cl::OptionCategory category("facet-compile options");

cl::opt<std::string> inputPath(cl::Positional,
                               cl::desc("<model.onnx | module.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputPath("o",
                                cl::desc("Output file ('-' for stdout, "
                                         "text formats only)"),
                                cl::value_desc("path"), cl::init(""),
                                cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("What to produce"), cl::init(Emit::Library),
    cl::values(clEnumValN(Emit::Facet, "facet", "facet dialect IR (imported)"),
               clEnumValN(Emit::Linalg, "linalg", "linalg/tensor IR"),
               clEnumValN(Emit::LLVMIR, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Object, "obj", "relocatable object file"),
               clEnumValN(Emit::Library, "lib",
                          "shared library with the C ABI (default)")),
    cl::cat(category));
cl::list<std::string>
    shapes("shape",
           cl::desc("Fix an input's shape, e.g. --shape input_ids=1x32"),
           cl::value_desc("NAME=DxDx..."), cl::cat(category));
cl::list<std::string> binds(
    "bind",
    cl::desc("Bind an input to a constant at compile time (.npy or .pb); it "
             "leaves the compiled signature"),
    cl::value_desc("NAME=FILE"), cl::cat(category));
cl::opt<char> optLevel("O", cl::desc("Optimization level 0-3 (default 2)"),
                       cl::Prefix, cl::init('2'), cl::cat(category));
// Registered as "facet-threads" and renamed to "threads" in main(): LLVM's
// own libraries register a `threads` option of their own.
cl::opt<unsigned> threads(
    "facet-threads",
    cl::desc("Threads of the compiled model (default 1). Above 1 the "
             "library uses LLVM's OpenMP runtime (libomp) and "
             "OMP_NUM_THREADS overrides the count at run time"),
    cl::init(1), cl::cat(category));
cl::opt<bool> tileContractions(
    "tile-contractions",
    cl::desc("Pack constant weights and tile/vectorize the contractions "
             "(default on; off leaves plain loops to LLVM, for comparisons)"),
    cl::init(true), cl::cat(category));
cl::opt<bool> raiseAttentionFlag(
    "raise-attention",
    cl::desc("Raise multi-head attention subgraphs to facet.attention and run "
             "them as a fused kernel (default on; docs/Attention.md)"),
    cl::init(true), cl::cat(category));
cl::opt<int64_t> kvCache(
    "kv-cache",
    cl::desc("Decode mode: compile every attention against a static key/value "
             "cache of N rows, with inputs past_length, past_key.<i>, "
             "past_value.<i> and outputs present_key.<i>, present_value.<i> "
             "(docs/Attention.md)"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));

cl::OptionCategory factorCategory(
    "facet-compile factorization options (docs/Factorize.md)");
cl::opt<std::string> factorizeFormat(
    "factorize",
    cl::desc("Factorize the model's linear layers: svd | kronecker | cp | "
             "tucker | tt | auto; needs one policy flag below"),
    cl::value_desc("format"), cl::cat(factorCategory));
cl::opt<int64_t> policyRank("rank", cl::desc("Policy: fixed rank R"),
                            cl::value_desc("R"), cl::cat(factorCategory));
cl::opt<double> policyEnergy(
    "energy", cl::desc("Policy: keep the energy fraction F of each spectrum"),
    cl::value_desc("F"), cl::cat(factorCategory));
cl::opt<double> policyError(
    "error", cl::desc("Policy: per-layer relative error ε (activation-"
                      "weighted with --calibration)"),
    cl::value_desc("E"), cl::cat(factorCategory));
cl::opt<double> policyKeep(
    "keep",
    cl::desc("Policy: keep ratio η of the selected layers' parameters, "
             "ranks allocated across layers to minimize the total error"),
    cl::value_desc("ETA"), cl::cat(factorCategory));
cl::opt<double> policyFidelity(
    "fidelity",
    cl::desc("Policy: the smallest model whose outputs stay within δ of the "
             "dense model's on the validation inputs"),
    cl::value_desc("D"), cl::cat(factorCategory));
cl::opt<std::string> fidelityMetric(
    "fidelity-metric",
    cl::desc("δ for --fidelity: rel-l2 (default) | cosine | kl | top1"),
    cl::init("rel-l2"), cl::cat(factorCategory));
cl::opt<std::string> allocationKind(
    "allocation",
    cl::desc("How --keep/--fidelity spread η: global (default: ranks "
             "allocated across layers, exact DP) | uniform (η per layer)"),
    cl::init("global"), cl::cat(factorCategory));
cl::opt<std::string> layerPattern(
    "layers", cl::desc("Only layers whose name matches this regex"),
    cl::value_desc("REGEX"), cl::cat(factorCategory));
cl::opt<bool> factorizeEmbeddings(
    "embeddings",
    cl::desc("Also factorize embedding tables (Gather on a constant) as TT"),
    cl::cat(factorCategory));
cl::opt<std::string> factorizeAttention(
    "factorize-attention",
    cl::desc("Also factorize attention layers under the same policy: lowrank "
             "(per-head W_Q·W_Kᵀ and W_V·W_O) | tucker (head-shared) | auto "
             "(docs/Attention.md)"),
    cl::value_desc("format"), cl::cat(factorCategory));
cl::opt<int64_t> minRank(
    "min-rank", cl::desc("Smallest rank a budget gives any layer (default 4)"),
    cl::init(4), cl::cat(factorCategory));
cl::opt<std::string> rankMultiple(
    "rank-multiple",
    cl::desc("Budget and error policies give low-rank layers only ranks that "
             "are multiples of N; auto: the target's register panel width "
             "(16 on AVX2, 32 on AVX-512), so the factored GEMMs pad nothing "
             "(default 1: any rank)"),
    cl::value_desc("N|auto"), cl::init("1"), cl::cat(factorCategory));
cl::opt<std::string> calibrationDir(
    "calibration",
    cl::desc("Input sets for activation-aware factorization (whitened SVD)"),
    cl::value_desc("DIR"), cl::cat(factorCategory));
cl::opt<std::string> validationDir(
    "validation",
    cl::desc("Input sets to measure fidelity on (default: --calibration's)"),
    cl::value_desc("DIR"), cl::cat(factorCategory));
cl::opt<std::string> reportPath(
    "report",
    cl::desc("Write the compression report as JSON (and an HTML page with "
             "pictures beside it)"),
    cl::value_desc("FILE.json"), cl::cat(factorCategory));

int fail(const Twine &msg) {
  errs() << "facet-compile: error: " << msg << "\n";
  return 1;
}

/// Prints diagnostics as `facet-compile: error: FILE: message`; node names are
/// part of the importer's messages, so the location adds only the file.
void printDiagnostic(mlir::Diagnostic &d) {
  std::string where;
  mlir::Location loc = d.getLocation();
  if (auto nl = mlir::dyn_cast<mlir::NameLoc>(loc))
    if (mlir::isa<mlir::FileLineColLoc>(nl.getChildLoc()))
      loc = nl.getChildLoc();
  if (auto fl = mlir::dyn_cast<mlir::FileLineColLoc>(loc)) {
    where = fl.getFilename().str();
    if (fl.getLine() != 0)
      where += ":" + std::to_string(fl.getLine()) + ":" +
               std::to_string(fl.getColumn());
  } else if (auto nl = mlir::dyn_cast<mlir::NameLoc>(loc)) {
    where = "'" + nl.getName().str() + "'";
  } else {
    raw_string_ostream os(where);
    loc.print(os);
  }
  const char *severity = "error";
  if (d.getSeverity() == mlir::DiagnosticSeverity::Warning)
    severity = "warning";
  else if (d.getSeverity() == mlir::DiagnosticSeverity::Note)
    severity = "note";
  else if (d.getSeverity() == mlir::DiagnosticSeverity::Remark)
    severity = "remark";
  errs() << "facet-compile: " << severity << ": " << where << ": " << d.str()
         << "\n";
  for (mlir::Diagnostic &note : d.getNotes())
    printDiagnostic(note);
}

bool isTextEmit(Emit e) {
  return e == Emit::Facet || e == Emit::Linalg || e == Emit::LLVMIR;
}

int writeText(const std::string &output,
              function_ref<void(raw_ostream &)> print) {
  std::string path = output.empty() ? "-" : output;
  std::error_code ec;
  auto out = std::make_unique<ToolOutputFile>(path, ec, sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  print(out->os());
  out->keep();
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  // --mlir-print-debuginfo, --mlir-elide-resource-strings-if-larger, ...
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  // -mcpu/-mattr are LLVM's codegen options. The in-process lld registers
  // them too (lazily, when it links), so they must be LLVM's and registered
  // before parsing; the registration is idempotent.
  static codegen::RegisterCodeGenFlags codegenFlags;
  for (const char *name : {"mcpu", "mattr"}) {
    auto &options = cl::getRegisteredOptions();
    if (auto it = options.find(name); it != options.end()) {
      it->second->addCategory(category);
      it->second->setDescription(
          std::string(name) == "mcpu"
              ? "Target CPU: native (default) or an LLVM CPU name "
                "(x86-64-v3, znver4, ...)"
              : "Target features, e.g. +avx2,-avx512f");
    }
  }
  {
    auto &options = cl::getRegisteredOptions();
    if (auto it = options.find("threads"); it != options.end()) {
      it->second->setArgStr("llvm-threads");
      it->second->setHiddenFlag(cl::ReallyHidden);
    }
    threads.setArgStr("threads");
  }
  cl::HideUnrelatedOptions({&category, &factorCategory});
  cl::ParseCommandLineOptions(argc, argv,
                              "Facet: compile an ONNX model ahead of time\n");
  // The in-process linker (lld) resets every cl::opt to its default each
  // time it runs, and factorization links models (calibration, fidelity)
  // before the final link: read what is used late once, here.
  const std::string output = outputPath;
  const Emit emitKind = emit;
  const std::string reportFile = reportPath;
  const bool tile = tileContractions;
  const bool raise = raiseAttentionFlag;
  const int64_t cacheRows = kvCache;

  if (optLevel < '0' || optLevel > '3')
    return fail(Twine("-O") + std::string(1, optLevel) +
                ": optimization level must be 0, 1, 2 or 3");
  if (!isTextEmit(emitKind) && (output.empty() || output == "-"))
    return fail("--emit=obj and --emit=lib need an output file: -o PATH");

  facet::ImportOptions importOptions;
  for (const std::string &s : shapes) {
    StringRef text(s);
    auto [name, dims] = text.split('=');
    SmallVector<int64_t> shape;
    if (name.empty() || !text.contains('=') ||
        !facet::parseShapeText(dims, shape))
      return fail("--shape '" + s +
                  "': expected NAME=DxDx... with non-negative integers, "
                  "e.g. --shape input_ids=1x32");
    if (importOptions.inputShapes.count(name))
      return fail("--shape '" + name + "' given twice");
    importOptions.inputShapes[name] = shape;
  }

  facet::CodegenOptions codegen;
  codegen.optLevel = optLevel - '0';
  codegen.cpu = codegen::getMCPU().empty() ? "native" : codegen::getMCPU();
  codegen.features = llvm::join(codegen::getMAttrs(), ",");
  if (threads < 1 || threads > 1024)
    return fail("--threads " + std::to_string(threads) +
                ": expected a count from 1 to 1024");
  codegen.threads = threads;
  {
    std::string error;
    if (mlir::failed(facet::checkTarget(codegen, error)))
      return fail(error);
  }
  // What the lowering (and the factorizer's cost guard) know of the target.
  facet::LoweringOptions lowering = facet::loweringOptionsFor(codegen);
  lowering.tileContractions = tile;
  // Factorization flags: one format, exactly one policy.
  facet::factorize::Options factorOptions;
  {
    cl::opt<int64_t> *rankOpt = &policyRank;
    struct PolicyFlag {
      const char *name;
      int given;
      facet::factorize::Policy policy;
      double value;
    } flags[] = {
        {"--rank", rankOpt->getNumOccurrences(),
         facet::factorize::Policy::Rank, double(policyRank)},
        {"--energy", policyEnergy.getNumOccurrences(),
         facet::factorize::Policy::Energy, policyEnergy},
        {"--error", policyError.getNumOccurrences(),
         facet::factorize::Policy::Error, policyError},
        {"--keep", policyKeep.getNumOccurrences(),
         facet::factorize::Policy::Keep, policyKeep},
        {"--fidelity", policyFidelity.getNumOccurrences(),
         facet::factorize::Policy::Fidelity, policyFidelity}};
    std::vector<const PolicyFlag *> given;
    for (const PolicyFlag &f : flags)
      if (f.given)
        given.push_back(&f);
    bool factorFlags = !given.empty() || !layerPattern.empty() ||
                       factorizeEmbeddings || !factorizeAttention.empty() ||
                       !calibrationDir.empty() ||
                       !validationDir.empty() || !reportFile.empty() ||
                       minRank.getNumOccurrences() ||
                       rankMultiple.getNumOccurrences() ||
                       allocationKind.getNumOccurrences() ||
                       fidelityMetric.getNumOccurrences();
    if (factorizeFormat.empty() && factorFlags)
      return fail("factorization flags (--rank, --keep, --report, "
                  "--calibration, ...) need --factorize=FORMAT");
    if (!factorizeFormat.empty()) {
      if (!facet::factorize::parseFormat(factorizeFormat, factorOptions.format))
        return fail("--factorize=" + factorizeFormat +
                    ": unknown format; expected svd, kronecker, cp, tucker, "
                    "tt or auto");
      if (given.size() != 1) {
        std::string names;
        for (const PolicyFlag *f : given)
          names += std::string(names.empty() ? "" : ", ") + f->name;
        return fail("--factorize needs exactly one policy flag of --rank, "
                    "--energy, --error, --keep, --fidelity" +
                    (given.empty() ? std::string(", got none")
                                   : ", got " + names));
      }
      factorOptions.policy = given[0]->policy;
      factorOptions.value = given[0]->value;
      factorOptions.layerPattern = layerPattern;
      factorOptions.embeddings = factorizeEmbeddings;
      if (!factorizeAttention.empty()) {
        facet::factorize::Format af;
        if (!facet::factorize::parseAttentionFormat(factorizeAttention, af))
          return fail("--factorize-attention=" + factorizeAttention +
                      ": unknown format; expected lowrank, tucker or auto");
        if (!raise)
          return fail("--factorize-attention needs the attention raising "
                      "(--raise-attention)");
        factorOptions.attention = af;
      }
      factorOptions.minRank = minRank;
      if (allocationKind == "uniform")
        factorOptions.allocation = facet::factorize::Allocation::Uniform;
      else if (allocationKind != "global")
        return fail("--allocation=" + allocationKind +
                    ": expected global or uniform");
      factorOptions.progress = true;
      facet::factorize::FidelityMetric metric;
      if (!facet::factorize::parseFidelityMetric(fidelityMetric, metric))
        return fail("--fidelity-metric=" + fidelityMetric +
                    ": expected rel-l2, cosine, kl or top1");
      if (minRank < 1)
        return fail("--min-rank=" + std::to_string(minRank) +
                    ": must be at least 1");
      if (rankMultiple == "auto") {
        factorOptions.rankMultiple = lowering.panelWidth();
      } else if (StringRef(rankMultiple).getAsInteger(
                     10, factorOptions.rankMultiple) ||
                 factorOptions.rankMultiple < 1) {
        return fail("--rank-multiple=" + rankMultiple +
                    ": expected a positive integer or auto");
      }
      if (StringRef(inputPath).ends_with(".mlir"))
        return fail("--factorize works on ONNX models; for MLIR input run "
                    "facet-opt --facet-factorize-linear or "
                    "--factor-factorize-contractions");
    }
  }

  LLVMContext llvmContext;
  std::unique_ptr<Module> llvmModule;
  {
    // The MLIR context owns the weights (resource blobs); it ends once LLVM
    // IR holds them, so machine code generation runs without that copy.
    for (const std::string &spec : binds) {
      auto [name, file] = StringRef(spec).split('=');
      if (name.empty() || file.empty())
        return fail("--bind '" + spec + "': expected NAME=FILE");
      facet::runtime::Tensor value;
      facet::runtime::Status status =
          facet::runtime::readTensorFile(file.str(), value);
      if (!status)
        return fail("--bind " + name + ": " + status.message);
      if (!importOptions.boundInputs.try_emplace(name, std::move(value)).second)
        return fail("--bind '" + name + "' given twice");
    }

    mlir::DialectRegistry registry;
    facet::registerFacetCompilerDialects(registry);
    mlir::MLIRContext context(registry);
    // Messages name the node or op; a dump of the IR would bury them.
    context.printOpOnDiagnostic(false);
    context.getDiagEngine().registerHandler([](mlir::Diagnostic &d) {
      printDiagnostic(d);
      return mlir::success();
    });

    // An .mlir file (facet, factor or upstream tensor IR with a @main) skips
    // the importer: the phases after it are the same.
    mlir::OwningOpRef<mlir::ModuleOp> module;
    if (StringRef(inputPath).ends_with(".mlir")) {
      if (!shapes.empty() || !binds.empty())
        return fail("--shape and --bind apply to ONNX models, not to '" +
                    inputPath + "'");
      module = mlir::parseSourceFile<mlir::ModuleOp>(inputPath, &context);
      if (!module || mlir::failed(facet::ensureModelSignature(*module)))
        return 1;
    } else {
      module = facet::importOnnxFile(context, inputPath, importOptions);
    }
    if (!module)
      return 1;
    if (raise)
      facet::raiseAttention(*module);
    if (!factorizeFormat.empty()) {
      facet::factorize::DriverOptions fopts;
      fopts.factorize = factorOptions;
      fopts.calibrationDir = calibrationDir;
      fopts.validationDir = validationDir;
      facet::factorize::parseFidelityMetric(fidelityMetric, fopts.metric);
      fopts.codegen = codegen;
      fopts.lowering = lowering;
      // The cost guard prices the GEMMs this target runs (docs/Factor.md).
      fopts.factorize.panelWidth = lowering.panelWidth();
      fopts.factorize.halfRateK = facet::kGemmHalfRateK;
      facet::factorize::Report report;
      std::string error;
      if (mlir::failed(facet::factorize::factorizeModel(*module, fopts, report,
                                                        error)))
        return fail(error);
      // The table goes to stdout unless stdout carries the output.
      bool textToStdout =
          isTextEmit(emitKind) && (output.empty() || output == "-");
      (textToStdout ? errs() : outs())
          << facet::factorize::reportToTable(report);
      if (!reportFile.empty()) {
        std::string html = reportFile;
        if (StringRef(html).ends_with(".json"))
          html.resize(html.size() - 5);
        html += ".html";
        for (auto [path, text] :
             {std::make_pair(reportFile,
                             facet::factorize::reportToJson(report)),
              std::make_pair(html, facet::factorize::reportToHtml(report))}) {
          std::error_code ec;
          raw_fd_ostream os(path, ec);
          if (ec)
            return fail("--report: cannot write '" + path +
                        "': " + ec.message());
          os << text;
        }
      }
    }
    if (cacheRows != 0) {
      if (!raise)
        return fail("--kv-cache needs the attention raising "
                    "(--raise-attention)");
      if (cacheRows < 1)
        return fail("--kv-cache=" + std::to_string(cacheRows) +
                    ": the cache needs at least one row");
      if (mlir::failed(facet::addKVCache(*module, cacheRows)))
        return 1;
    }
    if (emitKind == Emit::Facet)
      return writeText(output, [&](raw_ostream &os) { module->print(os); });

    if (mlir::failed(facet::lowerToLinalg(*module, lowering)))
      return 1;
    if (emitKind == Emit::Linalg)
      return writeText(output, [&](raw_ostream &os) { module->print(os); });

    if (mlir::failed(facet::lowerToLLVMDialect(*module, lowering)))
      return 1;
    std::string error;
    llvmModule = facet::translateToLLVMIR(*module, llvmContext, codegen, error);
    if (!llvmModule)
      return fail(error);
  }
  if (emitKind == Emit::LLVMIR)
    return writeText(output, [&](raw_ostream &os) { llvmModule->print(os, nullptr); });

  std::string error;
  if (emitKind == Emit::Object) {
    std::error_code ec;
    ToolOutputFile out(output, ec, sys::fs::OF_None);
    if (ec)
      return fail("cannot write '" + output + "': " + ec.message());
    if (mlir::failed(facet::emitObject(*llvmModule, codegen, out.os(), error)))
      return fail(error);
    out.keep();
    return 0;
  }

  // The linker reads the object from a temporary file, removed afterwards.
  SmallString<128> objPath;
  int fd;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("facet-model", "o", fd, objPath))
    return fail("cannot create a temporary object file: " + ec.message());
  FileRemover removeObj(objPath);
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (mlir::failed(facet::emitObject(*llvmModule, codegen, os, error)))
      return fail(error);
  }
  if (mlir::failed(
          facet::linkSharedLibrary(objPath, output, codegen, error))) {
    sys::fs::remove(output);
    return fail(error);
  }
  return 0;
}
