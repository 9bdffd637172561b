//===- FuseIntoReductions.cpp - Elementwise producers into row reductions ===//
//
// facet-fuse-elementwise fuses a producer only into an elementwise consumer
// that is its single user (fusing into a matmul recomputes the producer per
// reduction step). A reduction that reads each element of the producer once
// (the operand's indexing map is a permutation of all its loops: softmax's
// row max, layernorm's row sums) recomputes nothing, so this pass fuses
// elementwise producers into such consumers too, and lets a cheap producer
// (a few arithmetic ops, no transcendental functions: attention's scale and
// mask, a bias + residual add) be fused into each of several users instead
// of being written to memory once and read back by each.
//
//===----------------------------------------------------------------------===//

#include "facet/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace facet {
#define GEN_PASS_DEF_FUSEINTOREDUCTIONS
#include "facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace {

bool allParallel(linalg::LinalgOp op) {
  return op.getNumLoops() == op.getNumParallelLoops();
}

/// At most a few arithmetic ops, nothing from the math dialect.
bool isCheap(linalg::GenericOp op) {
  int64_t count = 0;
  for (Operation &inner : op.getRegion().front().without_terminator()) {
    if (inner.getDialect() && inner.getDialect()->getNamespace() == "math")
      return false;
    ++count;
  }
  return count <= 4;
}

struct FuseIntoReductions
    : facet::impl::FuseIntoReductionsBase<FuseIntoReductions> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          auto producer = fused->get().getDefiningOp<linalg::GenericOp>();
          auto consumer = dyn_cast<linalg::GenericOp>(fused->getOwner());
          if (!producer || !consumer || !allParallel(producer))
            return false;
          bool readsEachOnce =
              consumer.getMatchingIndexingMap(fused).isPermutation();
          bool single = producer->hasOneUse();
          // The single-use, elementwise case of facet-fuse-elementwise.
          if (single && allParallel(consumer))
            return true;
          // Each element read once: a reduction (or an elementwise op)
          // recomputes nothing; a cheap producer may be duplicated.
          return readsEachOnce && (single || isCheap(producer));
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
