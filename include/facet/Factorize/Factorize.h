//===- Factorize.h - Factorize a model's weights under a budget -*- C++ -*-===//
//
// What `facet-compile --factorize=...` and the factorization passes run:
//   1. find the layers (dense weight contractions with a constant weight,
//      and embedding tables when asked) — on the facet graph dialect or on
//      plain upstream linalg IR;
//   2. analyze each one: the options the chosen format(s) offer (rank ->
//      parameters, error, run-time cost at the compiled shapes), from the
//      numerics library (FacetDecomp) — SVD spectra computed once, whitened
//      by the layer's input Gram matrix when calibration data is given;
//   3. plan: pick one option per layer by the policy (fixed rank, energy,
//      per-layer ε, a global keep ratio η allocated across layers by
//      FacetRank, or — driven from outside — an output-fidelity bound);
//      a layer stays dense when its factored form is not cheaper at the
//      compiled shapes, and the plan says why;
//   4. apply the plan to a module (the original or a clone with the same
//      layers): factor.contract / factor.tt_gather ops with the cores.
// See docs/Factorize.md.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FACTORIZE_FACTORIZE_H
#define FACET_FACTORIZE_FACTORIZE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace facet::factorize {

enum class Format {
  SVD, Kronecker, CP, Tucker, TT, Auto,
  /// Attention layers (docs/Attention.md): low-rank per-head bilinear forms
  /// W_Q,h·W_K,hᵀ and W_V,h·W_O,h; head-shared Tucker of the projections.
  AttnLowRank, AttnTucker
};
enum class Policy { Rank, Energy, Error, Keep, Fidelity };
/// How a keep ratio η is spread over layers: `Global` minimizes the summed
/// loss under one budget (exact DP); `Uniform` gives every layer η of its
/// own parameters (the classic baseline, and sometimes the more faithful).
enum class Allocation { Global, Uniform };

/// "svd", "kronecker", "cp", "tucker", "tt", "auto" (and "attn-lowrank",
/// "attn-tucker").
const char *formatName(Format f);
bool parseFormat(llvm::StringRef text, Format &f);
/// The attention formats of --factorize-attention: "lowrank" (AttnLowRank),
/// "tucker" (AttnTucker), "auto" (both compete).
bool parseAttentionFormat(llvm::StringRef text, Format &f);

struct Options {
  Format format = Format::SVD;
  Policy policy = Policy::Keep;
  /// The policy's value: rank R, energy F ∈ (0, 1], error ε ∈ (0, 1),
  /// keep ratio η ∈ (0, 1], or fidelity δ > 0 (see `facet-compile --help`).
  double value = 0.5;
  /// Only layers whose name matches this regular expression (all if empty).
  std::string layerPattern;
  /// Also factorize embedding tables (Gather on a constant) as TT.
  bool embeddings = false;
  /// Also factorize attention layers (facet.attention and its projections,
  /// which then are not linear layers) in this format: AttnLowRank,
  /// AttnTucker or Auto; unset, projections are linear layers.
  std::optional<Format> attention;
  /// No layer's rank goes below this (clipped to the layer's shape), so a
  /// global allocation never cuts a small but vital layer to nothing.
  int64_t minRank = 4;
  /// Budget and error policies give low-rank (SVD) layers only ranks that
  /// are multiples of this: the factored GEMMs' rank dimension is then a
  /// whole number of the target's register panels instead of being
  /// zero-padded to one (`facet-compile --rank-multiple=auto`: 2 vector
  /// registers, 16 on AVX2 and 32 on AVX-512). 1: any rank. A fixed
  /// `--rank` is taken as given.
  int64_t rankMultiple = 1;
  /// The cost model's GEMM terms (contraction::CostModel: N computed in
  /// whole panels of this width, reductions of length K at K / (K +
  /// halfRateK) of the full rate). facet-compile sets them from the target
  /// (2 vector registers, 16); 1 and 0 price FLOPs and traffic only.
  int64_t panelWidth = 1;
  double halfRateK = 0;
  /// A factored layer must cost at most this fraction of the dense one at
  /// the compiled shapes (FLOPs + memory traffic, the contraction-order cost
  /// model); otherwise it stays dense.
  double maxCostRatio = 1.0;
  /// How `Keep` (and `Fidelity`) spread the budget.
  Allocation allocation = Allocation::Global;
  /// Per-layer progress on stderr.
  bool progress = false;
  /// Verification only: candidates are accepted even when they are not
  /// smaller or cheaper than dense (e.g. full rank, which must reproduce the
  /// dense layer; or a format's structure on a layer too small for it).
  bool acceptAll = false;
};

/// Input statistics of one layer: Gram = XᵀX over `rows` rows.
struct Gram {
  std::vector<double> data; ///< K × K, row-major
  int64_t k = 0;
  int64_t rows = 0;
};
/// Keyed by layer name.
using Calibration = std::map<std::string, Gram>;

/// One layer as found in a module.
struct Layer {
  std::string name;
  enum Kind { Linear, Embedding, Attention } kind = Linear;
  /// W is [K, N] (y = x·W); tables are [K = rows, N]; attention: K is the
  /// model width, N = heads × head size.
  int64_t k = 0, n = 0;
  /// Attention: the weights of its four projections.
  int64_t params = 0;
  int64_t denseParams() const { return kind == Attention ? params : k * n; }
  int64_t m = 0;        ///< activation rows at the compiled shapes
  mlir::Operation *op = nullptr;
  mlir::Value activation; ///< the layer's input (indices for embeddings)
};

/// Finds the layers of `module`, graph level (facet.matmul / facet.gemm with
/// a constant 2-D weight, facet.gather on a constant table) or, when
/// `linalg` is set, upstream level (linalg.matmul / contraction generics
/// with a constant 2-D operand). Deterministic order (a walk). Names come
/// from the ops' NameLoc (ONNX node names), else "layer_<i>". With
/// `attention`, each facet.attention whose q/k/v/o projections have constant
/// weights is one Attention layer and its projections are not linear layers.
std::vector<Layer> findLayers(mlir::ModuleOp module, bool linalg,
                              bool embeddings, bool attention = false);

/// What the plan chose for one layer.
struct LayerPlan {
  std::string format; ///< "svd", ..., or "dense"
  std::vector<int64_t> ranks;
  int64_t paramsBefore = 0, paramsAfter = 0;
  double flopsBefore = 0, flopsAfter = 0; ///< per call, at compiled shapes
  double costBefore = 0, costAfter = 0;   ///< FLOPs + memory traffic
  double error = 0;           ///< ε = ‖W − Ŵ‖_F / ‖W‖_F
  double activationError = -1; ///< ‖X(W − Ŵ)‖ / ‖XW‖ when calibrated
  bool dense = false;
  std::string reason; ///< why it stayed dense
  int option = -1;    ///< internal: the option chosen
};

struct LayerReport {
  Layer layer;
  LayerPlan plan;
  std::vector<double> spectrum; ///< singular values (whitened if calibrated)
  double analyzeSeconds = 0;
};

/// The result of planning and applying, for the report.
struct Report {
  std::string format, policy;
  double policyValue = 0;
  int64_t rankMultiple = 1; ///< Options::rankMultiple
  std::vector<LayerReport> layers;
  int64_t paramsBefore = 0, paramsAfter = 0; ///< of the considered layers
  int64_t modelParamsBefore = 0, modelParamsAfter = 0; ///< all constants
  double seconds = 0;
  bool calibrated = false;
  /// Filled by the driver when it measured fidelity.
  struct Fidelity {
    std::string output;
    double relL2 = -1, cosine = -1, kl = -1, top1 = -1;
  };
  std::vector<Fidelity> fidelity;
  int64_t fidelitySamples = 0;
  /// Points (η, δ) of a fidelity search, in the order tried.
  std::vector<std::pair<double, double>> curve;
  std::string fidelityMetric;
};

/// Analyzes the layers once, then plans and applies any number of times
/// (the fidelity search re-plans at several η on clones of the module).
class Planner {
public:
  Planner(std::vector<Layer> layers, const Options &options,
          const Calibration *calibration = nullptr);
  ~Planner();

  /// Computes every layer's options. Fails with `error` on bad requests
  /// (a rank larger than a layer allows, ...).
  mlir::LogicalResult analyze(std::string &error);

  /// Plans for the options' policy (Keep uses options.value as η), or for
  /// an explicit keep ratio when `keep` ≥ 0.
  mlir::LogicalResult plan(std::string &error, double keep = -1);

  /// Rewrites the layers of `module` (the analyzed module or a clone of it:
  /// its layers are found again and must match) by the current plan.
  mlir::LogicalResult apply(mlir::ModuleOp module, bool linalg,
                            std::string &error);

  const Report &report() const;
  Report &report();

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// Parameters held by all constants of `module` (weights).
int64_t countModelParams(mlir::ModuleOp module);

/// The report as JSON (schema in docs/Factorize.md).
std::string reportToJson(const Report &report);
/// A readable table for stdout.
std::string reportToTable(const Report &report);
/// An HTML page with inline SVG pictures (spectra with the cut, ranks per
/// layer, the η–δ curve when there is one); self-contained, offline.
std::string reportToHtml(const Report &report);

} // namespace facet::factorize

#endif // FACET_FACTORIZE_FACTORIZE_H
