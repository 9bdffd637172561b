//===- Passes.td - Facet's transformations of upstream IR ---*- tablegen -*-===//
//
// Passes that work on upstream dialects (linalg, tensor, ...) and so also run
// in other MLIR compilers' pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TRANSFORMS_PASSES_TD
#define FACET_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FuseElementwise : Pass<"facet-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops into elementwise consumers only";
  let description = [{
    Like upstream `linalg-fuse-elementwise-ops`, but a producer is fused only
    into a consumer whose loops are all parallel, and only when the consumer
    is its single user. Upstream also fuses into reductions, which recomputes
    the producer once per reduction step: an activation (erf, exp) fused into
    the matmul that consumes it runs N times per element.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def CopiesToLinalg : Pass<"facet-copies-to-linalg"> {
  let summary = "Rewrite strided memref.copy as linalg.copy";
  let description = [{
    After bufferization, copies between views with non-identity layouts
    (insert_slice into a concatenation, a slice of a split) would lower to a
    call of `memrefCopy` from MLIR's C runner utilities, which compiled
    models must not depend on. They become `linalg.copy` (and so loops);
    copies between contiguous buffers stay memcpy.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // FACET_TRANSFORMS_PASSES_TD
