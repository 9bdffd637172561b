//===- UnshareFills.cpp - One linalg.fill per accumulator -----------------===//
//
// CSE merges identical fills: every matmul of a model ends up accumulating
// into the same zero-filled tensor, and bufferization, since each of them
// writes its accumulator in place, keeps that zero tensor alive for the
// whole function and copies it before every use (a memcpy as big as each
// result, 3 % of MiniLM). Run right before bufferization, this pass gives
// every further use of a fill its own clone (on its own tensor.empty), so
// each accumulator is a fresh buffer filled in place.
//
//===----------------------------------------------------------------------===//

#include "facet/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace facet {
#define GEN_PASS_DEF_UNSHAREFILLS
#include "facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace {

struct UnshareFills : facet::impl::UnshareFillsBase<UnshareFills> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation()->walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() && !fill->getResult(0).hasOneUse())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills) {
      Value result = fill->getResult(0);
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : result.getUses())
        uses.push_back(&use);
      // The first use in program order keeps the original.
      llvm::stable_sort(uses, [](OpOperand *a, OpOperand *b) {
        Operation *x = a->getOwner(), *y = b->getOwner();
        return x->getBlock() == y->getBlock() && x != y &&
               x->isBeforeInBlock(y);
      });
      for (OpOperand *use : llvm::drop_begin(uses)) {
        OpBuilder b(use->getOwner());
        Value init = fill.getOutputs()[0];
        if (auto empty = init.getDefiningOp<tensor::EmptyOp>())
          init = b.clone(*empty)->getResult(0);
        IRMapping map;
        map.map(fill.getOutputs()[0], init);
        use->set(b.clone(*fill, map)->getResult(0));
      }
    }
  }
};

} // namespace
