//===- Driver.h - Factorization that runs the model it compiles -*- C++ -*-===//
//
// What `facet-compile --factorize` does beyond the rewrite passes, because it
// needs to run compiled code:
//   - calibration: compile the dense model with every layer's input as an
//     extra output, run it on the calibration inputs, accumulate XᵀX per
//     layer (the statistics of activation-aware factorization, SVD-LLM);
//   - fidelity: compile dense and factored builds, run both on the
//     validation inputs and compare outputs (relative L2, cosine, KL and
//     top-1 agreement of logits);
//   - the fidelity policy: the smallest keep ratio η whose measured δ meets
//     the bound (bisection over η, each point a real compiled model).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FACTORIZE_DRIVER_H
#define FACET_FACTORIZE_DRIVER_H

#include "facet/Compiler/Compiler.h"
#include "facet/Factorize/Factorize.h"
#include "facet/Runtime/Tensor.h"

#include <string>
#include <vector>

namespace facet::factorize {

/// One set of model inputs, in the order of the model's signature.
struct InputSet {
  std::string name;
  std::vector<runtime::Tensor> tensors;
};

/// Reads input sets from `dir`: either the directory itself holds one set
/// (NAME.npy / NAME.pb per model input, or input_<i>.npy/.pb by position),
/// or each of its subdirectories does (sorted by name; ONNX test data's
/// test_data_set_*/input_*.pb work as they are). Every tensor must have the
/// compiled input's type and shape.
mlir::LogicalResult loadInputSets(mlir::ModuleOp module,
                                  const std::string &dir,
                                  std::vector<InputSet> &sets,
                                  std::string &error);

/// How δ is measured for the fidelity policy; every metric is a loss
/// (0 = identical): relative L2, 1 − mean cosine, mean KL, 1 − top-1
/// agreement (the last two only on outputs whose name contains "logits").
enum class FidelityMetric { RelL2, Cosine, KL, Top1 };
bool parseFidelityMetric(llvm::StringRef text, FidelityMetric &m);
const char *fidelityMetricName(FidelityMetric m);

struct DriverOptions {
  Options factorize;
  std::string calibrationDir; ///< activation-aware when set
  std::string validationDir;  ///< fidelity inputs (else the calibration's)
  FidelityMetric metric = FidelityMetric::RelL2;
  CodegenOptions codegen;
  LoweringOptions lowering;
};

/// Factorizes `module` (facet graph IR) in place as `options` say, running
/// compiled builds when calibration, validation or a fidelity bound need
/// them. On success `report` describes the result.
mlir::LogicalResult factorizeModel(mlir::ModuleOp module,
                                   const DriverOptions &options,
                                   Report &report, std::string &error);

/// The metrics of `test` against `reference` outputs (all sets, every float
/// output). Exposed for tests.
std::vector<Report::Fidelity>
compareOutputs(const std::vector<std::string> &names,
               const std::vector<std::vector<runtime::Tensor>> &reference,
               const std::vector<std::vector<runtime::Tensor>> &test);
/// δ of `fid` under `metric` (the worst output).
double deltaOf(const std::vector<Report::Fidelity> &fid, FidelityMetric metric);

} // namespace facet::factorize

#endif // FACET_FACTORIZE_DRIVER_H
