//===- Passes.td - Factorization rewrite passes --------------*- tablegen -*-===//

#ifndef FACET_FACTORIZE_PASSES_TD
#define FACET_FACTORIZE_PASSES_TD

include "mlir/Pass/PassBase.td"

defvar FactorizeOptions = [
    Option<"format", "format", "std::string", "\"svd\"",
           "svd | kronecker | cp | tucker | tt | auto">,
    Option<"rank", "rank", "int64_t", "0", "Fixed rank (policy)">,
    Option<"energy", "energy", "double", "0",
           "Kept spectral energy fraction F (policy)">,
    Option<"error", "error", "double", "0",
           "Per-layer relative error ε (policy)">,
    Option<"keep", "keep", "double", "0",
           "Global keep ratio η of the selected layers' parameters (policy)">,
    Option<"layers", "layers", "std::string", "\"\"",
           "Regular expression on layer names (all if empty)">,
    Option<"allocation", "allocation", "std::string", "\"global\"",
           "How keep spreads η: global (exact DP) or uniform (per layer)">,
    Option<"minRank", "min-rank", "int64_t", "4",
           "Smallest rank a budget allocation gives a layer">,
    Option<"rankMultiple", "rank-multiple", "int64_t", "1",
           "Budget and error policies give SVD layers only ranks that are "
           "multiples of this (the target's register panel width)">,
    Option<"report", "report", "std::string", "\"\"",
           "Write the JSON report here (and the HTML page next to it)">
];

def FactorizeLinear : Pass<"facet-factorize-linear", "mlir::ModuleOp"> {
  let summary = "Rewrite linear layers of the facet graph into factor.contract";
  let description = [{
    Every `facet.matmul` / `facet.gemm` (transA = 0) whose weight is a
    constant 2-D f32 tensor, and with `embeddings=1` every `facet.gather` on
    a constant table, is a candidate; those matching `layers` are factorized
    by `format` under one policy (exactly one of `rank`, `energy`, `error`,
    `keep`). A layer whose factored form is not cheaper than the dense one at
    the compiled shapes stays dense; the report says why. Bias and
    alpha/beta of a Gemm are kept. docs/Factorize.md.
  }];
  let options = !listconcat(FactorizeOptions, [
    Option<"embeddings", "embeddings", "bool", "false",
           "Also factorize embedding tables (TT)">,
    Option<"attention", "attention", "std::string", "\"\"",
           "Also factorize attention layers: lowrank | tucker | auto "
           "(docs/Attention.md)">,
    Option<"acceptAll", "accept-all", "bool", "false",
           "Verification: accept factorizations that are not smaller or "
           "cheaper than dense (structure tests; full rank must be exact)">
  ]);
  let dependentDialects = ["facet::factor::FactorDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def FactorizeContractions : Pass<"factor-factorize-contractions",
                                 "mlir::ModuleOp"> {
  let summary = "Rewrite linalg contractions with a constant weight into factor.contract";
  let description = [{
    The same rewrite on plain upstream IR, for other MLIR compilers (IREE,
    torch-mlir, onnx-mlir pipelines; also as a pass plugin for `mlir-opt
    --load-pass-plugin`): `linalg.matmul` and contraction `linalg.generic`s
    out[m..., n] = Σ_k x[m..., k]·W[k, n] (or W[n, k]) with a constant f32
    W. A non-zero accumulator is added back with `linalg.add`.
  }];
  let options = FactorizeOptions;
  let dependentDialects = ["facet::factor::FactorDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::arith::ArithDialect"];
}

#endif // FACET_FACTORIZE_PASSES_TD
