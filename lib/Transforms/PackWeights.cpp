//===- PackWeights.cpp - Pack constant contraction weights into panels ----===//
//
// `x · W` and `x · Wᵀ` with a constant 2-D weight become a contraction with
// the weight repacked at compile time into column panels [N/P][K][P]: the
// register tile of the micro-kernel then reads one contiguous P-wide row of
// a panel per k step (no page walk across W's rows, transB for free). N is
// zero-padded to a multiple of P. See docs/CodeGen.md.
//
//===----------------------------------------------------------------------===//

#include "facet/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"

namespace facet {
#define GEN_PASS_DEF_PACKWEIGHTS
#include "facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace {

/// The float values of a constant (dense, splat or dense_resource).
bool readFloats(ElementsAttr attr, SmallVectorImpl<float> &out) {
  auto type = cast<ShapedType>(attr.getType());
  if (!type.getElementType().isF32())
    return false;
  out.resize(type.getNumElements());
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    llvm::copy(dense.getValues<float>(), out.begin());
    return true;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    const AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != out.size() * sizeof(float))
      return false;
    std::memcpy(out.data(), blob->getData().data(), blob->getData().size());
    return true;
  }
  return false;
}

bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

struct PackWeights : facet::impl::PackWeightsBase<PackWeights> {
  using PackWeightsBase::PackWeightsBase;

  /// One packed constant per (weight, transposed) pair.
  llvm::DenseMap<std::pair<Operation *, unsigned>, Value> packed;

  Value packWeight(OpBuilder &b, arith::ConstantOp cst, bool kFirst) {
    auto key = std::make_pair(cst.getOperation(), unsigned(kFirst));
    if (Value v = packed.lookup(key))
      return v;
    auto type = cast<RankedTensorType>(cst.getType());
    int64_t k = type.getDimSize(kFirst ? 0 : 1);
    int64_t n = type.getDimSize(kFirst ? 1 : 0);
    int64_t p = panelWidth, nb = llvm::divideCeil(n, p);
    SmallVector<float> w;
    if (!readFloats(cast<ElementsAttr>(cst.getValue()), w))
      return {};
    std::vector<float> data(nb * k * p, 0.0f);
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t j = 0; j < n; ++j)
        data[(j / p) * k * p + kk * p + j % p] =
            kFirst ? w[kk * n + j] : w[j * k + kk];
    auto packedType = RankedTensorType::get({nb, k, p}, b.getF32Type());
    // Small weights stay readable in the IR; large ones go to a blob.
    ElementsAttr attr;
    if (data.size() <= 4096) {
      attr = DenseElementsAttr::get(packedType, ArrayRef<float>(data));
    } else {
      AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(
          ArrayRef<float>(data));
      attr = DenseResourceElementsAttr::get(packedType, "packed_weight",
                                            std::move(blob));
    }
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfter(cst);
    Value v = arith::ConstantOp::create(b, cst.getLoc(), cast<TypedAttr>(attr));
    packed[key] = v;
    return v;
  }

  /// Rewrites one contraction; leaves it alone when it is not of the form
  /// out[m..., n] = sum_k x[m..., k] * W[k, n] (or W[n, k]) with a constant
  /// f32 W, static shapes and a zero-filled accumulator.
  void rewrite(linalg::GenericOp op) {
    if (!linalg::isaContractionOpInterface(op) || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics())
      return;
    FailureOr<linalg::ContractionDimensions> dims =
        linalg::inferContractionDims(op);
    if (failed(dims) || !dims->batch.empty() || dims->k.size() != 1 ||
        dims->n.size() != 1 || dims->m.empty())
      return;
    unsigned kDim = dims->k[0], nDim = dims->n[0];
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    auto dimsOf = [](AffineMap map) {
      SmallVector<unsigned> out;
      for (AffineExpr e : map.getResults()) {
        auto d = dyn_cast<AffineDimExpr>(e);
        if (!d)
          return SmallVector<unsigned>{};
        out.push_back(d.getPosition());
      }
      return out;
    };
    // Which input is the weight: the one indexed by exactly (k, n).
    int w = -1;
    bool kFirst = false;
    for (int i = 0; i < 2; ++i) {
      SmallVector<unsigned> d = dimsOf(maps[i]);
      if (d == SmallVector<unsigned>{kDim, nDim})
        w = i, kFirst = true;
      else if (d == SmallVector<unsigned>{nDim, kDim})
        w = i, kFirst = false;
    }
    if (w < 0)
      return;
    auto cst = op.getDpsInputs()[w].getDefiningOp<arith::ConstantOp>();
    Value x = op.getDpsInputs()[1 - w];
    Value init = op.getDpsInits()[0];
    SmallVector<unsigned> mDims(dims->m.begin(), dims->m.end());
    SmallVector<unsigned> xExpect = mDims, outExpect = mDims;
    xExpect.push_back(kDim);
    outExpect.push_back(nDim);
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    auto outType = dyn_cast<RankedTensorType>(init.getType());
    if (!cst || dimsOf(maps[1 - w]) != xExpect || dimsOf(maps[2]) != outExpect ||
        !xType || !outType || !xType.hasStaticShape() ||
        !outType.hasStaticShape() || !xType.getElementType().isF32() ||
        !outType.getElementType().isF32() || !isZeroFill(init))
      return;
    // Only the canonical multiply-accumulate body (no casts, no integer).
    Block &body = op.getRegion().front();
    if (body.getOperations().size() != 3 ||
        !isa<arith::MulFOp>(body.front()) ||
        !isa<arith::AddFOp>(*std::next(body.begin())))
      return;

    OpBuilder b(op);
    Location loc = op.getLoc();
    Value wp = packWeight(b, cst, kFirst);
    if (!wp)
      return;
    auto wpType = cast<RankedTensorType>(wp.getType());
    int64_t nb = wpType.getDimSize(0), k = wpType.getDimSize(1),
            p = wpType.getDimSize(2);
    int64_t n = outType.getShape().back();
    int64_t m = xType.getNumElements() / k;
    // x[m1, ..., K] -> x[M, K].
    Value x2 = x;
    if (xType.getRank() != 2) {
      SmallVector<ReassociationIndices> assoc(2);
      for (int64_t i = 0; i + 1 < xType.getRank(); ++i)
        assoc[0].push_back(i);
      assoc[1].push_back(xType.getRank() - 1);
      x2 = tensor::CollapseShapeOp::create(b, loc, x, assoc);
    }
    auto accType = RankedTensorType::get({m, nb, p}, b.getF32Type());
    Value empty = tensor::EmptyOp::create(b, loc, accType.getShape(),
                                          accType.getElementType());
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    Value acc = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
    MLIRContext *ctx = b.getContext();
    AffineExpr dm = getAffineDimExpr(0, ctx), db = getAffineDimExpr(1, ctx),
               dn = getAffineDimExpr(2, ctx), dk = getAffineDimExpr(3, ctx);
    SmallVector<AffineMap> newMaps = {
        AffineMap::get(4, 0, {dm, dk}, ctx),
        AffineMap::get(4, 0, {db, dk, dn}, ctx),
        AffineMap::get(4, 0, {dm, db, dn}, ctx)};
    SmallVector<utils::IteratorType> iters(3, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    auto packedOp = linalg::GenericOp::create(
        b, loc, accType, ValueRange{x2, wp}, ValueRange{acc}, newMaps, iters,
        [](OpBuilder &nb, Location l, ValueRange args) {
          Value prod = arith::MulFOp::create(nb, l, args[0], args[1]);
          Value sum = arith::AddFOp::create(nb, l, args[2], prod);
          linalg::YieldOp::create(nb, l, sum);
        });
    packedOp->setAttr("facet.packed_contraction", b.getUnitAttr());
    Value r = tensor::CollapseShapeOp::create(
        b, loc, packedOp.getResult(0),
        SmallVector<ReassociationIndices>{{0}, {1, 2}});
    if (nb * p != n)
      r = tensor::ExtractSliceOp::create(
          b, loc, r, ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(m), b.getIndexAttr(n)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    if (outType.getRank() != 2) {
      SmallVector<ReassociationIndices> assoc(2);
      for (int64_t i = 0; i + 1 < outType.getRank(); ++i)
        assoc[0].push_back(i);
      assoc[1].push_back(outType.getRank() - 1);
      r = tensor::ExpandShapeOp::create(b, loc, outType, r, assoc);
    }
    op.getResult(0).replaceAllUsesWith(r);
    op.erase();
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation()->walk([&](linalg::GenericOp op) { ops.push_back(op); });
    for (linalg::GenericOp op : ops)
      rewrite(op);
    packed.clear();
  }
};

} // namespace
