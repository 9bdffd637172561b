//===- WidenBoolConstants.cpp - i1 constants read as bytes ----------------===//
//
// A constant i1 tensor read by a linalg.generic (a causal mask: select(mask,
// scores, -inf)) lowers to loads of i1, which LLVM does not vectorize as
// such (a vector of i1 in memory is bit-packed, the array is not): every
// element becomes a scalar byte load and mask-register shuffle, and the
// mask select took 7 % of the GPT-2-style model. The constant becomes an i8
// tensor of 0/1 and the op truncates each element to i1, which vectorizes to
// a byte load and a compare.
//
//===----------------------------------------------------------------------===//

#include "facet/Transforms/Passes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"

namespace facet {
#define GEN_PASS_DEF_WIDENBOOLCONSTANTS
#include "facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace {

/// The i8 (0/1) form of an i1 constant's value, or null.
ElementsAttr widen(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  auto i8 = IntegerType::get(attr.getContext(), 8);
  auto wide = RankedTensorType::get(type.getShape(), i8);
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr))
    return dense.mapValues(i8, [](const APInt &v) { return v.zext(8); });
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    // Resource blobs of i1 hold one byte per element.
    const AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != size_t(type.getNumElements()))
      return {};
    SmallVector<int8_t> bytes;
    for (char c : blob->getData())
      bytes.push_back(c != 0);
    return DenseResourceElementsAttr::get(
        wide, "bool_as_i8",
        HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<int8_t>(bytes)));
  }
  return {};
}

struct WidenBoolConstants
    : facet::impl::WidenBoolConstantsBase<WidenBoolConstants> {
  void runOnOperation() override {
    llvm::DenseMap<Operation *, Value> widened;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (!op.hasPureTensorSemantics())
        return;
      Block &body = op.getRegion().front();
      for (OpOperand *operand : op.getDpsInputOperands()) {
        auto cst = operand->get().getDefiningOp<arith::ConstantOp>();
        auto type = dyn_cast<RankedTensorType>(operand->get().getType());
        if (!cst || !type || !type.getElementType().isInteger(1))
          continue;
        Value wide = widened.lookup(cst);
        if (!wide) {
          ElementsAttr attr = widen(cast<ElementsAttr>(cst.getValue()));
          if (!attr)
            continue;
          OpBuilder b(cst);
          wide = arith::ConstantOp::create(b, cst.getLoc(), cast<TypedAttr>(attr));
          widened[cst] = wide;
        }
        BlockArgument arg = body.getArgument(operand->getOperandNumber());
        operand->set(wide);
        OpBuilder b = OpBuilder::atBlockBegin(&body);
        arg.setType(b.getI8Type());
        auto bit = arith::TruncIOp::create(b, arg.getLoc(), b.getI1Type(), arg);
        arg.replaceAllUsesExcept(bit.getResult(), bit);
      }
    });
  }
};

} // namespace
