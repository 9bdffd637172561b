//===- Attention.h - Factorized attention (private) -------------*- C++ -*-===//
//
// Attention layers for the planner: a facet.attention with its four
// projections (q, k, v from the layer's input, o after it), factorized in
// the subspace view (docs/Attention.md):
//
//  - attn-lowrank (rq, rv): per head h, the bilinear form of the scores
//    M_h = s·[W_Q,h; b_Q,h]·[W_K,h; 0]ᵀ and the value-output map
//    N_h = W_V,h·W_O,h are truncated to ranks rq and rv (exact SVDs of
//    their factored forms); the scores and values are then computed in the
//    reduced spaces (head sizes rq and rv). The key bias is dropped (it adds a
//    per-query constant, which softmax cancels), the value bias folds into
//    the output bias (softmax rows sum to 1): both exact.
//  - attn-tucker (R1, R2): head-shared Tucker (TensorLLM) of the stacked
//    per-head projections [W_Q,h | W_K,h | W_V,h | W_O,hᵀ] (d × Dh × 4 × H)
//    with factors U1 (d × R1) and U2 (Dh × R2) shared by all heads and all
//    four projections: z = x·U1, q' = z·U1ᵀW_Q,hU2, ..., the attention runs
//    in R2 dimensions per head (U2 cancels, U2ᵀU2 = I), and the output
//    returns through U1ᵀ.
//
// Both are exact at full rank.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_LIB_FACTORIZE_ATTENTION_H
#define FACET_LIB_FACTORIZE_ATTENTION_H

#include "facet/Factorize/Factorize.h"

#include "mlir/IR/Operation.h"

#include <memory>
#include <string>
#include <vector>

namespace facet::factorize::detail {

/// y = x·W + b for one projection of an attention layer.
struct Projection {
  mlir::Value input;       ///< x [..., in]
  mlir::Value result;      ///< y, the value the rewrite replaces (o only)
  std::vector<float> w;    ///< [in, out] row-major
  std::vector<float> bias; ///< [out], zeros when absent
  int64_t in = 0, out = 0;
  llvm::SmallVector<mlir::Operation *, 2> ops; ///< the matmul/gemm (owned)
};

/// A facet.attention with its four projections.
struct AttentionSite {
  mlir::Operation *attention = nullptr;
  Projection q, k, v, o;
  int64_t heads = 0, dk = 0, dv = 0;
  int64_t batch = 0, sq = 0, skv = 0;
};

/// Finds the projections of `attention` (a facet.attention without a
/// past, heads = kv heads); false when any is missing or not constant.
bool matchAttentionSite(mlir::Operation *attention, AttentionSite &site,
                        bool readWeights);

/// One way to store an attention layer.
struct AttentionCandidate {
  Format format = Format::AttnLowRank;
  std::vector<int64_t> ranks; ///< (rq, rv) or (R1, R2)
  int64_t params = 0;
  double loss = 0;  ///< ε_qk² + ε_vo²
  double error = 0; ///< √(loss / 2)
  double flops = 0, cost = 0;
  int tucker = -1; ///< index of the Tucker factors
};

/// What analysis keeps to build any candidate later.
struct AttentionAnalysis;
struct AttentionAnalysisDeleter {
  void operator()(AttentionAnalysis *a) const;
};
using AttentionAnalysisPtr =
    std::unique_ptr<AttentionAnalysis, AttentionAnalysisDeleter>;

/// Analyzes one attention layer: its dense cost and its candidates for
/// `which` (AttnLowRank, AttnTucker or Auto for both); with `rank` > 0 only
/// rank `rank` (low rank: rq = rv = rank; Tucker: R2 = rank, R1 = heads ·
/// rank), clipped to the shapes.
mlir::LogicalResult
analyzeAttention(const Layer &layer, Format which, int64_t rank,
                 AttentionAnalysisPtr &out,
                 std::vector<AttentionCandidate> &candidates,
                 double &denseFlops, double &denseCost, std::string &error);

/// Rewrites the layer (found again in the module being rewritten) as the
/// candidate; `error` (ε) is recorded on nothing — the report has it.
mlir::LogicalResult rewriteAttention(const Layer &target,
                                     const AttentionAnalysis &analysis,
                                     const AttentionCandidate &candidate,
                                     std::string &error);

} // namespace facet::factorize::detail

#endif // FACET_LIB_FACTORIZE_ATTENTION_H
