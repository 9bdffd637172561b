//===- ApproximateMath.cpp - Vectorizable f32 erf/tanh/exp ----------------===//
//
// libm's erff/tanhf/expf are scalar calls: a Gelu over a 128x1536 tensor
// spent more time in erff than the matmul that produced it. Upstream MLIR's
// polynomial approximations (a few ulp in f32) are plain arithmetic that
// LLVM vectorizes. Powers with small constant exponents (gelu_new's x^3)
// become multiplications (upstream's algebraic simplification) instead of
// scalar powf calls, which took a quarter of the GPT-2-style model's time.
//
//===----------------------------------------------------------------------===//

#include "facet/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace facet {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace {

struct ApproximateMath : facet::impl::ApproximateMathBase<ApproximateMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathAlgebraicSimplificationPatterns(patterns);
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) {
          return name == "math.erf" || name == "math.tanh" ||
                 name == "math.exp";
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
