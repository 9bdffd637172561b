//===- Densify.cpp - Contract constant cores back into a dense weight -----===//

#include "facet/Dialect/Factor/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace facet::factor {
#define GEN_PASS_DEF_DENSIFY
#include "facet/Dialect/Factor/Transforms/Passes.h.inc"
} // namespace facet::factor

using namespace mlir;
using namespace facet::factor;
namespace contraction = facet::contraction;

namespace {
struct Densify : facet::factor::impl::DensifyBase<Densify> {
  using DensifyBase::DensifyBase;

  void runOnOperation() override {
    SmallVector<ContractOp> ops;
    getOperation()->walk([&](ContractOp op) { ops.push_back(op); });
    for (ContractOp op : ops) {
      contraction::Equation eq = op.getParsedEquation();
      std::vector<std::pair<char, int64_t>> sizes = op.getIndexSizes();
      std::vector<std::vector<double>> cores;
      bool constant = true;
      for (Value c : op.getCores()) {
        cores.emplace_back();
        constant &= readConstant(c, cores.back());
      }
      if (!constant) {
        op.emitWarning("not densified: a core is not a constant");
        continue;
      }
      // The dense weight keeps every core index the activation or the
      // result still needs: the activation's first, then the result's.
      std::string coreLetters;
      for (size_t i = 1; i < eq.inputs.size(); ++i)
        coreLetters += eq.inputs[i];
      std::string wSub;
      for (char c : eq.inputs[0] + eq.output)
        if (coreLetters.find(c) != std::string::npos &&
            wSub.find(c) == std::string::npos)
          wSub += c;
      contraction::Equation coreEq;
      coreEq.inputs.assign(eq.inputs.begin() + 1, eq.inputs.end());
      coreEq.output = wSub;
      std::vector<double> w = contraction::evaluate(coreEq, sizes, cores);
      SmallVector<int64_t> shape;
      for (char c : wSub)
        shape.push_back(contraction::sizeOf(sizes, c));
      OpBuilder b(op);
      auto type =
          RankedTensorType::get(shape, op.getInput().getType().getElementType());
      Value dense = createConstant(b, op.getLoc(), type, w, "dense_weight");
      contraction::Equation neq;
      neq.inputs = {eq.inputs[0], wSub};
      neq.output = eq.output;
      auto newOp = ContractOp::create(
          b, op.getLoc(), op.getType(), op.getInput(), ValueRange{dense},
          neq.str(), Format::dense,
          b.getDenseI64ArrayAttr({}), op.getSourceAttr(), op.getErrorAttr(),
          /*path=*/nullptr);
      op.getResult().replaceAllUsesWith(newOp.getResult());
      op.erase();
    }
  }
};
} // namespace
