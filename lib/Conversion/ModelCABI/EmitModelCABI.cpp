//===- EmitModelCABI.cpp - Emit the compiled model's C ABI ----------------===//
//
// Generates, in the LLVM dialect, the functions declared by
// include/facet/Runtime/FacetModel.h around the lowered entry function.
// The entry takes one bare pointer per input then one per output (bare-
// pointer calling convention after buffer-results-to-out-params).
//
//===----------------------------------------------------------------------===//

#include "facet/Conversion/Passes.h"
#include "facet/Runtime/FacetModel.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace facet {
#define GEN_PASS_DEF_EMITMODELCABI
#include "facet/Conversion/Passes.h.inc"
} // namespace facet

using namespace mlir;
using namespace facet;

namespace {

struct TensorDesc {
  std::string name;
  int32_t dtype;
  SmallVector<int64_t> shape;
};

LogicalResult parseDescs(Operation *module, ArrayAttr list, StringRef what,
                         SmallVectorImpl<TensorDesc> &out) {
  if (!list)
    return module->emitError()
           << kModelSignatureAttr << " lacks '" << what << "'";
  for (Attribute a : list) {
    auto dict = dyn_cast<DictionaryAttr>(a);
    auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
    auto type = dict ? dict.getAs<TypeAttr>("type") : TypeAttr();
    auto dtype = dict ? dict.getAs<IntegerAttr>("dtype") : IntegerAttr();
    auto tensor =
        type ? dyn_cast<RankedTensorType>(type.getValue()) : RankedTensorType();
    if (!name || !tensor || !dtype || !tensor.hasStaticShape())
      return module->emitError() << "malformed " << what << " entry in "
                                 << kModelSignatureAttr << ": " << a;
    out.push_back({name.str(), static_cast<int32_t>(dtype.getInt()),
                   llvm::to_vector(tensor.getShape())});
  }
  return success();
}

class ABIBuilder {
public:
  ABIBuilder(ModuleOp module)
      : module(module), ctx(module.getContext()), b(ctx),
        ptrTy(LLVM::LLVMPointerType::get(ctx)), i32Ty(b.getI32Type()),
        i64Ty(b.getI64Type()), infoTy(LLVM::LLVMStructType::getLiteral(
                                   ctx, {ptrTy, i32Ty, i32Ty, ptrTy})) {
    b.setInsertionPointToEnd(module.getBody());
  }

  /// Emits a constant table of facet_tensor_info; returns its symbol name.
  std::string emitTable(StringRef prefix, ArrayRef<TensorDesc> descs) {
    Location loc = module.getLoc();
    SmallVector<std::pair<std::string, std::string>> syms;
    for (auto [i, d] : llvm::enumerate(descs)) {
      std::string nameSym = (prefix + "_name_" + Twine(i)).str();
      std::string str = d.name;
      str.push_back('\0');
      LLVM::GlobalOp::create(
          b, loc, LLVM::LLVMArrayType::get(b.getI8Type(), str.size()),
          /*isConstant=*/true, LLVM::Linkage::Internal, nameSym,
          b.getStringAttr(str));
      std::string shapeSym;
      if (!d.shape.empty()) {
        shapeSym = (prefix + "_shape_" + Twine(i)).str();
        auto attrTy = RankedTensorType::get(
            {static_cast<int64_t>(d.shape.size())}, i64Ty);
        LLVM::GlobalOp::create(
            b, loc, LLVM::LLVMArrayType::get(i64Ty, d.shape.size()),
            /*isConstant=*/true, LLVM::Linkage::Internal, shapeSym,
            DenseElementsAttr::get(attrTy, ArrayRef<int64_t>(d.shape)));
      }
      syms.push_back({nameSym, shapeSym});
    }
    std::string tableSym = (prefix + "_table").str();
    if (descs.empty())
      return tableSym; // never referenced: the lookup returns NULL.
    auto tableTy = LLVM::LLVMArrayType::get(infoTy, descs.size());
    auto global =
        LLVM::GlobalOp::create(b, loc, tableTy, /*isConstant=*/true,
                               LLVM::Linkage::Internal, tableSym, Attribute());
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&global.getInitializerRegion());
    Value table = LLVM::UndefOp::create(b, loc, tableTy);
    for (auto [i, d] : llvm::enumerate(descs)) {
      Value info = LLVM::UndefOp::create(b, loc, infoTy);
      Value name = LLVM::AddressOfOp::create(b, loc, ptrTy, syms[i].first);
      Value shape =
          syms[i].second.empty()
              ? LLVM::ZeroOp::create(b, loc, ptrTy).getResult()
              : LLVM::AddressOfOp::create(b, loc, ptrTy, syms[i].second)
                    .getResult();
      info =
          LLVM::InsertValueOp::create(b, loc, info, name, ArrayRef<int64_t>{0});
      info = LLVM::InsertValueOp::create(b, loc, info, constI32(loc, d.dtype),
                                         ArrayRef<int64_t>{1});
      info = LLVM::InsertValueOp::create(
          b, loc, info, constI32(loc, static_cast<int32_t>(d.shape.size())),
          ArrayRef<int64_t>{2});
      info = LLVM::InsertValueOp::create(b, loc, info, shape,
                                         ArrayRef<int64_t>{3});
      table = LLVM::InsertValueOp::create(
          b, loc, table, info, ArrayRef<int64_t>{static_cast<int64_t>(i)});
    }
    LLVM::ReturnOp::create(b, loc, table);
    return tableSym;
  }

  void emitConstantFn(StringRef name, int32_t value) {
    Location loc = module.getLoc();
    auto fn = LLVM::LLVMFuncOp::create(b, loc, name,
                                       LLVM::LLVMFunctionType::get(i32Ty, {}));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(fn.addEntryBlock(b));
    LLVM::ReturnOp::create(b, loc, constI32(loc, value));
  }

  /// `const facet_tensor_info *NAME(int32_t i)`: &table[i] or NULL.
  void emitLookupFn(StringRef name, StringRef tableSym, size_t count) {
    Location loc = module.getLoc();
    auto fn = LLVM::LLVMFuncOp::create(
        b, loc, name, LLVM::LLVMFunctionType::get(ptrTy, {i32Ty}));
    OpBuilder::InsertionGuard guard(b);
    Block *entry = fn.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    Value null = LLVM::ZeroOp::create(b, loc, ptrTy);
    if (count == 0) {
      LLVM::ReturnOp::create(b, loc, null);
      return;
    }
    Value index = entry->getArgument(0);
    Value inRange =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ult, index,
                             constI32(loc, static_cast<int32_t>(count)));
    // Clamp the index so the GEP never goes out of bounds, then select.
    Value safe =
        LLVM::SelectOp::create(b, loc, inRange, index, constI32(loc, 0));
    Value table = LLVM::AddressOfOp::create(b, loc, ptrTy, tableSym);
    auto tableTy = LLVM::LLVMArrayType::get(infoTy, count);
    Value elem = LLVM::GEPOp::create(b, loc, ptrTy, tableTy, table,
                                     ArrayRef<LLVM::GEPArg>{0, safe});
    LLVM::ReturnOp::create(
        b, loc,
        LLVM::SelectOp::create(b, loc, inRange, elem, null).getResult());
  }

  /// `int32_t facet_run(const void *const *in, void *const *out)`.
  void emitRun(LLVM::LLVMFuncOp entry, size_t numInputs, size_t numOutputs) {
    Location loc = module.getLoc();
    auto fn = LLVM::LLVMFuncOp::create(
        b, loc, "facet_run",
        LLVM::LLVMFunctionType::get(i32Ty, {ptrTy, ptrTy}));
    OpBuilder::InsertionGuard guard(b);
    Block *body = fn.addEntryBlock(b);
    Block *ok = b.createBlock(&fn.getBody());
    Block *fail = b.createBlock(&fn.getBody());
    b.setInsertionPointToStart(fail);
    LLVM::ReturnOp::create(b, loc, constI32(loc, 1));

    b.setInsertionPointToStart(body);
    Value null = LLVM::ZeroOp::create(b, loc, ptrTy);
    SmallVector<Value> args;
    Value anyNull =
        LLVM::ConstantOp::create(b, loc, b.getI1Type(), b.getBoolAttr(false));
    auto loadAll = [&](Value array, size_t count) {
      if (count == 0)
        return;
      Value isNull =
          LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, array, null);
      anyNull = LLVM::OrOp::create(b, loc, anyNull, isNull);
    };
    loadAll(body->getArgument(0), numInputs);
    loadAll(body->getArgument(1), numOutputs);
    Block *loads =
        b.createBlock(&fn.getBody(), std::next(fn.getBody().begin()));
    b.setInsertionPointToEnd(body);
    LLVM::CondBrOp::create(b, loc, anyNull, fail, loads);

    b.setInsertionPointToStart(loads);
    Value anyNullElem =
        LLVM::ConstantOp::create(b, loc, b.getI1Type(), b.getBoolAttr(false));
    auto loadPtrs = [&](Value array, size_t count) {
      for (size_t i = 0; i < count; ++i) {
        Value slot = LLVM::GEPOp::create(
            b, loc, ptrTy, ptrTy, array,
            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        Value p = LLVM::LoadOp::create(b, loc, ptrTy, slot);
        Value isNull =
            LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, p, null);
        anyNullElem = LLVM::OrOp::create(b, loc, anyNullElem, isNull);
        args.push_back(p);
      }
    };
    loadPtrs(body->getArgument(0), numInputs);
    loadPtrs(body->getArgument(1), numOutputs);
    LLVM::CondBrOp::create(b, loc, anyNullElem, fail, ok);

    b.setInsertionPointToStart(ok);
    LLVM::CallOp::create(b, loc, entry, args);
    LLVM::ReturnOp::create(b, loc, constI32(loc, 0));
  }

private:
  Value constI32(Location loc, int32_t v) {
    return LLVM::ConstantOp::create(b, loc, i32Ty, b.getI32IntegerAttr(v));
  }

  ModuleOp module;
  MLIRContext *ctx;
  OpBuilder b;
  Type ptrTy, i32Ty, i64Ty;
  LLVM::LLVMStructType infoTy;
};

struct EmitModelCABI : facet::impl::EmitModelCABIBase<EmitModelCABI> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto sig = module->getAttrOfType<DictionaryAttr>(kModelSignatureAttr);
    if (!sig) {
      module.emitError() << "module has no " << kModelSignatureAttr
                         << " attribute (was it imported from ONNX?)";
      return signalPassFailure();
    }
    SmallVector<TensorDesc> inputs, outputs;
    if (failed(parseDescs(module, sig.getAs<ArrayAttr>("inputs"), "inputs",
                          inputs)) ||
        failed(parseDescs(module, sig.getAs<ArrayAttr>("outputs"), "outputs",
                          outputs)))
      return signalPassFailure();
    auto entryFn = module.lookupSymbol<LLVM::LLVMFuncOp>(entry);
    if (!entryFn) {
      module.emitError() << "no lowered entry function '" << entry << "'";
      return signalPassFailure();
    }
    auto fnTy = entryFn.getFunctionType();
    size_t expected = inputs.size() + outputs.size();
    bool allPtrs = llvm::all_of(
        fnTy.getParams(), [](Type t) { return isa<LLVM::LLVMPointerType>(t); });
    if (fnTy.getNumParams() != expected || !allPtrs ||
        !isa<LLVM::LLVMVoidType>(fnTy.getReturnType())) {
      entryFn.emitError() << "entry must take " << expected
                          << " pointers and return nothing, got " << fnTy;
      return signalPassFailure();
    }
    // Only the ABI functions are exported.
    entryFn.setLinkage(LLVM::Linkage::Internal);
    entryFn->removeAttr("sym_visibility");

    ABIBuilder abi(module);
    std::string inTable = abi.emitTable("__facet_input", inputs);
    std::string outTable = abi.emitTable("__facet_output", outputs);
    abi.emitConstantFn("facet_abi_version", FACET_ABI_VERSION);
    abi.emitConstantFn("facet_num_inputs", inputs.size());
    abi.emitConstantFn("facet_num_outputs", outputs.size());
    abi.emitLookupFn("facet_input_info", inTable, inputs.size());
    abi.emitLookupFn("facet_output_info", outTable, outputs.size());
    abi.emitRun(entryFn, inputs.size(), outputs.size());
  }
};

} // namespace
