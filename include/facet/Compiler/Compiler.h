//===- Compiler.h - Facet's compilation pipeline ----------------*- C++ -*-===//
//
// The phases `facet-compile` runs, usable on their own by an embedding
// compiler: facet IR -> linalg -> LLVM dialect -> LLVM IR -> object -> shared
// library. Each phase reports errors through MLIR diagnostics (or `error`).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_COMPILER_COMPILER_H
#define FACET_COMPILER_COMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class raw_pwrite_stream;
} // namespace llvm

namespace facet {

/// Registers every dialect, interface and translation Facet's pipeline uses.
void registerFacetCompilerDialects(mlir::DialectRegistry &registry);

/// Registers Facet's passes (and all upstream ones) for textual pipelines.
void registerFacetPasses();

struct CodegenOptions {
  unsigned optLevel = 2;      // -O0..-O3
  std::string cpu = "native"; // "native" or an LLVM CPU name
  std::string features;       // extra LLVM target features, e.g. "+avx2"
  /// Threads of the compiled code. Above 1, the contractions' panel loops
  /// run as OpenMP parallel loops and the library links LLVM's libomp; the
  /// environment's OMP_NUM_THREADS overrides the count at run time.
  unsigned threads = 1;
};

/// Checks that the target CPU and features of `options` exist.
mlir::LogicalResult checkTarget(const CodegenOptions &options,
                                std::string &error);

/// What the linalg -> LLVM phase needs to know about the target.
struct LoweringOptions {
  /// f32 lanes per vector register: 8 (AVX2), 16 (AVX-512).
  int64_t vectorLanes = 8;
  /// Pack constant weights and tile/vectorize contractions (docs/CodeGen.md);
  /// off, contractions are plain loop nests left to LLVM's vectorizer.
  bool tileContractions = true;
  /// Run the independent tile loops on threads (OpenMP).
  unsigned threads = 1;
  /// Columns of one packed weight panel (facet-pack-weights): two vector
  /// registers, the width of the GEMM's register tile. N is padded to it.
  int64_t panelWidth() const { return 2 * vectorLanes; }
};

/// The reduction length at which Facet's packed GEMM kernel runs at half its
/// long-reduction FLOP rate (contraction::CostModel::halfRateK; fitted to
/// single factored layers, docs/Factor.md). The factorizer's cost guard and
/// the contraction-order search both use it, with
/// LoweringOptions::panelWidth.
constexpr double kGemmHalfRateK = 16;

/// The lowering options that suit the target of `options`.
LoweringOptions loweringOptionsFor(const CodegenOptions &options);

/// Textual pass pipelines of each phase (documented in docs/Pipeline.md).
/// (`options.vectorLanes` sizes the fused attention kernel's blocks.)
std::string facetToLinalgPipeline(const LoweringOptions &options = {});
std::string linalgToLLVMPipeline(const LoweringOptions &options = {});

/// Gives a module parsed from MLIR text (not imported from ONNX) the
/// `facet.model_signature` that the C ABI needs, from its @main: inputs and
/// outputs are named by a `facet.name` argument/result attribute or
/// input_<i> / output_<i>. A module that has a signature is left alone.
mlir::LogicalResult ensureModelSignature(mlir::ModuleOp module);

/// facet dialect -> linalg/tensor/arith.
mlir::LogicalResult lowerToLinalg(mlir::ModuleOp module,
                                  const LoweringOptions &options = {});
/// linalg on tensors -> LLVM dialect with the C ABI of FacetModel.h.
mlir::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module,
                                       const LoweringOptions &options = {});

/// LLVM dialect -> optimized LLVM IR for the target of `options`.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &llvmContext,
                                                const CodegenOptions &options,
                                                std::string &error);

/// LLVM IR -> relocatable, position-independent object code, streamed to
/// `os` (a file: weights are never buffered twice in memory).
mlir::LogicalResult emitObject(llvm::Module &module,
                               const CodegenOptions &options,
                               llvm::raw_pwrite_stream &os, std::string &error);

/// Links an object file into a shared library at `outputPath`, in process
/// with lld.
mlir::LogicalResult linkSharedLibrary(llvm::StringRef objectPath,
                                      llvm::StringRef outputPath,
                                      const CodegenOptions &options,
                                      std::string &error);

/// Every phase at once: lowers `module` (facet, factor or linalg IR; it is
/// modified) to a shared library at `outputPath`, with a temporary object
/// file in $TMPDIR. Used to run a model inside the compiler (calibration,
/// fidelity measurement).
mlir::LogicalResult compileToLibrary(mlir::ModuleOp module,
                                     const CodegenOptions &codegen,
                                     const LoweringOptions &lowering,
                                     llvm::StringRef outputPath,
                                     std::string &error);

} // namespace facet

#endif // FACET_COMPILER_COMPILER_H
