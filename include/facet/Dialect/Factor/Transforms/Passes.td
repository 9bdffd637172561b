//===- Passes.td - factor dialect passes ---------------------*- tablegen -*-===//

#ifndef FACET_DIALECT_FACTOR_TRANSFORMS_PASSES_TD
#define FACET_DIALECT_FACTOR_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ChooseContractionOrder : Pass<"factor-choose-contraction-order"> {
  let summary = "Pick the cheapest pairwise order of every factor.contract";
  let description = [{
    Sets the `path` attribute of every `factor.contract` to the order of
    pairwise contractions that minimizes FLOPs plus memory traffic at the
    op's actual shapes (the activation's batch × sequence size included):
    exact dynamic programming over subsets for up to 10 operands, greedy
    beyond. Each step costs 2·(multiply-adds) + memory-weight·(elements read
    and written). Also records the estimate as `facet.flops`.
  }];
  let options = [
    Option<"memoryWeight", "memory-weight", "double", "8.0",
           "FLOP-equivalents per tensor element read or written">,
    Option<"panelWidth", "panel-width", "int64_t", "1",
           "GEMM steps compute N in whole panels of this many columns "
           "(the target's: 2 vector registers)">,
    Option<"halfRateK", "half-rate-k", "double", "0",
           "GEMM steps with a reduction of length K run at K / (K + this) "
           "of the full FLOP rate (0: ignore)">,
    Option<"keepConstantsSmall", "keep-constants-small", "bool", "true",
           "Never contract two constants into a larger one (the lowering "
           "folds such steps at compile time)">,
    Option<"greedy", "greedy", "bool", "false",
           "Use the greedy search even for small networks">,
    Option<"overwrite", "overwrite", "bool", "false",
           "Replace a path that is already set">
  ];
}

def Densify : Pass<"factor-densify"> {
  let summary = "Contract the constant cores of every factor.contract into one dense weight";
  let description = [{
    For verification: every `factor.contract` whose cores are all constants
    becomes a `factor.contract` of the activation with the single dense
    weight the cores represent (computed at compile time in double
    precision), format `dense`, keeping `source`. Comparing a model before
    and after this pass checks the lowering of the factorized network
    against the plain contraction.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

#endif // FACET_DIALECT_FACTOR_TRANSFORMS_PASSES_TD
