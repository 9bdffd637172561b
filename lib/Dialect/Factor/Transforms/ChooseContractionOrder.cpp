//===- ChooseContractionOrder.cpp - Order search for factor.contract ------===//
//
// The search itself is facet::contraction::searchOrder (MLIR-free); this pass
// feeds it each op's equation and index sizes and records the result.
//
//===----------------------------------------------------------------------===//

#include "facet/Dialect/Factor/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace facet::factor {
#define GEN_PASS_DEF_CHOOSECONTRACTIONORDER
#include "facet/Dialect/Factor/Transforms/Passes.h.inc"
} // namespace facet::factor

using namespace mlir;
using namespace facet::factor;
namespace contraction = facet::contraction;

namespace {
struct ChooseContractionOrder
    : facet::factor::impl::ChooseContractionOrderBase<ChooseContractionOrder> {
  using ChooseContractionOrderBase::ChooseContractionOrderBase;

  void runOnOperation() override {
    contraction::CostModel model;
    model.memoryWeight = memoryWeight;
    model.panelWidth = panelWidth;
    model.halfRateK = halfRateK;
    model.keepConstantsSmall = keepConstantsSmall;
    getOperation()->walk([&](ContractOp op) {
      if (op.getPath() && !overwrite)
        return;
      contraction::Path path = contraction::searchOrder(
          op.getParsedEquation(), op.getIndexSizes(), model, greedy);
      SmallVector<int64_t> flat;
      for (const contraction::Step &s : path.steps) {
        flat.push_back(s.lhs);
        flat.push_back(s.rhs);
      }
      Builder b(op.getContext());
      op.setPathAttr(b.getDenseI64ArrayAttr(flat));
      op->setAttr("facet.flops", b.getI64IntegerAttr(
                                     static_cast<int64_t>(path.flops)));
    });
  }
};
} // namespace
