//===- KVCache.cpp - Decode mode: a static key/value cache per attention --===//
//
// Every facet.attention of @main (in program order, index i) gets a static
// cache: inputs past_key.<i> [B, G, N, Dk], past_value.<i> [B, G, N, Dv]
// and one shared past_length [1] (int64), outputs present_key.<i> /
// present_value.<i> (the cache with the new rows written at past_length).
// The new tokens attend causally to the past and to themselves. Position
// ids computed as the constant 0..S-1 (what a no-cache export folds to)
// become past_length + 0..S-1.
//
//===----------------------------------------------------------------------===//

#include "facet/Dialect/Facet/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/IR/TypeUtilities.h"

namespace facet {
#define GEN_PASS_DEF_KVCACHE
#include "facet/Dialect/Facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;
using namespace facet;

namespace {

constexpr llvm::StringLiteral kSignature = "facet.model_signature";

/// ONNX TensorProto element type codes (float32 and int64 only here).
int dtypeOf(Type t) { return t.isF32() ? 1 : t.isInteger(64) ? 7 : 0; }

/// A constant [1, S] or [S] integer tensor holding 0, 1, ..., S-1.
bool isPositionRange(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  auto d = dyn_cast<DenseElementsAttr>(attr);
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!d || !t || !isa<IntegerType>(t.getElementType()) || t.getRank() < 1 ||
      t.getRank() > 2 || (t.getRank() == 2 && t.getDimSize(0) != 1))
    return false;
  int64_t i = 0;
  for (APInt x : d.getValues<APInt>())
    if (x.getSExtValue() != i++)
      return false;
  return true;
}

struct KVCachePass : facet::impl::KVCacheBase<KVCachePass> {
  using KVCacheBase::KVCacheBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main) {
      module.emitError("decode mode: no @main");
      return signalPassFailure();
    }
    int64_t rows = size;
    if (rows < 1) {
      module.emitError("decode mode: the cache needs at least one row");
      return signalPassFailure();
    }
    SmallVector<AttentionOp> attns;
    main.walk([&](AttentionOp op) { attns.push_back(op); });
    if (attns.empty()) {
      main.emitError("decode mode (--kv-cache): the model has no attention "
                     "Facet recognized (facet.attention); see "
                     "docs/Attention.md for the forms it raises");
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    Block &entry = main.getBody().front();
    auto i64 = IntegerType::get(ctx, 64);
    auto lenType = RankedTensorType::get({1}, i64);
    unsigned lenIndex = main.getNumArguments();
    if (failed(main.insertArgument(lenIndex, lenType, {}, main.getLoc())))
      return signalPassFailure();
    Value pastLength = entry.getArgument(lenIndex);

    SmallVector<std::pair<std::string, Type>> newInputs = {
        {"past_length", lenType}};
    SmallVector<std::pair<std::string, Value>> newOutputs;
    for (auto [i, op] : llvm::enumerate(attns)) {
      if (op.getPastKey() || op.getMask()) {
        op.emitError("decode mode: attention ")
            << i
            << (op.getPastKey() ? " already has a past"
                                : " has a mask operand (padding masks are "
                                  "not supported with a static cache)");
        return signalPassFailure();
      }
      auto q = op.getQuery().getType();
      int64_t batch = q.getDimSize(0), skv = op.getKey().getType().getDimSize(1);
      if (skv > rows) {
        op.emitError("decode mode: ")
            << skv << " new tokens do not fit a cache of " << rows << " rows";
        return signalPassFailure();
      }
      int64_t g = op.getKVHeads();
      auto pkType = RankedTensorType::get({batch, g, rows, op.getQKHeadSize()},
                                          q.getElementType());
      auto pvType = RankedTensorType::get({batch, g, rows, op.getVHeadSize()},
                                          q.getElementType());
      unsigned at = main.getNumArguments();
      if (failed(main.insertArgument(at, pkType, {}, op.getLoc())) ||
          failed(main.insertArgument(at + 1, pvType, {}, op.getLoc())))
        return signalPassFailure();
      Value pk = entry.getArgument(at), pv = entry.getArgument(at + 1);
      std::string suffix = "." + std::to_string(i);
      newInputs.push_back({"past_key" + suffix, pkType});
      newInputs.push_back({"past_value" + suffix, pvType});
      b.setInsertionPoint(op);
      auto cached = AttentionOp::create(
          b, op.getLoc(), op.getOutput().getType(), pkType, pvType,
          op.getQuery(), op.getKey(), op.getValue(), /*mask=*/Value(), pk, pv,
          pastLength, op.getNumHeadsAttr(), op.getKvNumHeadsAttr(),
          op.getScaleAttr(), b.getBoolAttr(true), b.getI64IntegerAttr(0),
          op.getMaskFillAttr());
      op.getOutput().replaceAllUsesWith(cached.getOutput());
      op.erase();
      newOutputs.push_back({"present_key" + suffix, cached.getPresentKey()});
      newOutputs.push_back(
          {"present_value" + suffix, cached.getPresentValue()});
    }

    // Position ids: gathers from a constant table (at least as many rows as
    // the cache) at the constant 0..S-1 read past_length + 0..S-1.
    main.walk([&](GatherOp gather) {
      auto table = dyn_cast<RankedTensorType>(gather.getData().getType());
      Attribute attr;
      if (!table || gather.getAxis() != 0 || table.getDimSize(0) < rows ||
          !matchPattern(gather.getData(), m_Constant(&attr)) ||
          !isPositionRange(gather.getIndices()))
        return;
      b.setInsertionPoint(gather);
      auto idxType = cast<RankedTensorType>(gather.getIndices().getType());
      Value len = pastLength;
      if (idxType.getElementType() != i64)
        len = CastOp::create(b, gather.getLoc(),
                             lenType.clone(idxType.getElementType()), len);
      Value shifted =
          AddOp::create(b, gather.getLoc(), idxType, gather.getIndices(), len);
      gather.getIndicesMutable().assign(shifted);
    });

    // Results and the C ABI signature.
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    SmallVector<Value> results(ret.getOperands());
    for (auto &[name, v] : newOutputs)
      results.push_back(v);
    b.setInsertionPoint(ret);
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    SmallVector<Type> resultTypes;
    for (Value v : results)
      resultTypes.push_back(v.getType());
    main.setType(FunctionType::get(ctx, main.getArgumentTypes(), resultTypes));

    auto sig = module->getAttrOfType<DictionaryAttr>(kSignature);
    if (sig) {
      auto entryOf = [&](StringRef name, Type t) -> Attribute {
        return b.getDictionaryAttr(
            {b.getNamedAttr("name", b.getStringAttr(name)),
             b.getNamedAttr("type", TypeAttr::get(t)),
             b.getNamedAttr("dtype", b.getI32IntegerAttr(dtypeOf(
                                         getElementTypeOrSelf(t))))});
      };
      SmallVector<Attribute> ins(sig.getAs<ArrayAttr>("inputs").getValue());
      SmallVector<Attribute> outs(sig.getAs<ArrayAttr>("outputs").getValue());
      for (auto &[name, t] : newInputs)
        ins.push_back(entryOf(name, t));
      for (auto &[name, v] : newOutputs)
        outs.push_back(entryOf(name, v.getType()));
      module->setAttr(kSignature,
                      b.getDictionaryAttr(
                          {b.getNamedAttr("inputs", b.getArrayAttr(ins)),
                           b.getNamedAttr("outputs", b.getArrayAttr(outs))}));
    } else {
      for (auto [i, in] : llvm::enumerate(newInputs))
        main.setArgAttr(lenIndex + i, "facet.name",
                        b.getStringAttr(in.first));
      unsigned first = resultTypes.size() - newOutputs.size();
      for (auto [i, out] : llvm::enumerate(newOutputs))
        main.setResultAttr(first + i, "facet.name",
                           b.getStringAttr(out.first));
    }
  }
};

} // namespace

LogicalResult facet::addKVCache(ModuleOp module, int64_t size) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  KVCacheOptions options;
  options.size = size;
  pm.addPass(createKVCache(options));
  return pm.run(module);
}
