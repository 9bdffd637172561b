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

  /// The workspace of facet-plan-buffers: one cached block per library,
  ///   static void *__facet_workspace;
  ///   void *acquire() { void *w = xchg(&__facet_workspace, NULL);
  ///                     return w ? w : aligned_alloc(64, bytes); }
  ///   void release(void *w) { if (!cmpxchg(&__facet_workspace, NULL, w))
  ///                             free(w); }
  /// so that concurrent calls each get a workspace of their own (the
  /// second one mallocs) and the common case allocates nothing. A
  /// destructor frees the cached block when the library is unloaded.
  void emitWorkspace(ArrayRef<int64_t> slots) {
    Location loc = module.getLoc();
    for (int64_t bytes : slots) {
      slotOffsets.push_back(workspaceBytes);
      workspaceBytes += static_cast<int64_t>(llvm::alignTo(bytes, 64));
    }
    LLVM::GlobalOp::create(b, loc, ptrTy, /*isConstant=*/false,
                           LLVM::Linkage::Internal, kWorkspace, Attribute());
    {
      auto global = module.lookupSymbol<LLVM::GlobalOp>(kWorkspace);
      OpBuilder::InsertionGuard guard(b);
      b.createBlock(&global.getInitializerRegion());
      LLVM::ReturnOp::create(b, loc, LLVM::ZeroOp::create(b, loc, ptrTy));
    }
    declare("aligned_alloc", ptrTy, {i64Ty, i64Ty});
    declare("free", LLVM::LLVMVoidType::get(ctx), {ptrTy});
    // void __facet_free_workspace(void) { free(xchg(&ws, NULL)); }
    auto dtor = LLVM::LLVMFuncOp::create(
        b, loc, "__facet_free_workspace",
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {}),
        LLVM::Linkage::Internal);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(dtor.addEntryBlock(b));
      Value ws = takeWorkspace(loc);
      LLVM::CallOp::create(b, loc, TypeRange{}, "free", ValueRange{ws});
      LLVM::ReturnOp::create(b, loc, ValueRange{});
    }
    LLVM::GlobalDtorsOp::create(
        b, loc, b.getArrayAttr({FlatSymbolRefAttr::get(dtor)}),
        b.getI32ArrayAttr({65535}),
        b.getArrayAttr({LLVM::ZeroAttr::get(ctx)}));
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
    if (!workspaceBytes) {
      LLVM::CallOp::create(b, loc, entry, args);
      LLVM::ReturnOp::create(b, loc, constI32(loc, 0));
      return;
    }
    // ok:    w = xchg(&ws, NULL); if (!w) goto alloc; else goto run(w)
    // alloc: w = aligned_alloc(64, bytes); if (!w) return 2; goto run(w)
    // run:   entry(..., w); if (!cmpxchg(&ws, NULL, w)) free(w); return 0
    Block *alloc = b.createBlock(&fn.getBody());
    Block *oom = b.createBlock(&fn.getBody());
    Block *run = b.createBlock(&fn.getBody(), {}, {ptrTy}, {loc});
    Block *release = b.createBlock(&fn.getBody());
    Block *done = b.createBlock(&fn.getBody());
    b.setInsertionPointToEnd(ok);
    Value cached = takeWorkspace(loc);
    Value none =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, cached, null);
    LLVM::CondBrOp::create(b, loc, none, alloc, ValueRange{}, run,
                           ValueRange{cached});
    b.setInsertionPointToEnd(alloc);
    Value fresh =
        LLVM::CallOp::create(
            b, loc, TypeRange{ptrTy}, "aligned_alloc",
            ValueRange{constI64(loc, 64),
                       constI64(loc, llvm::alignTo(workspaceBytes, 64))})
            .getResult();
    Value failed =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, fresh, null);
    LLVM::CondBrOp::create(b, loc, failed, oom, ValueRange{}, run,
                           ValueRange{fresh});
    b.setInsertionPointToEnd(oom);
    LLVM::ReturnOp::create(b, loc, constI32(loc, 2));
    b.setInsertionPointToEnd(run);
    Value ws = run->getArgument(0);
    for (int64_t offset : slotOffsets)
      args.push_back(offset == 0 ? ws
                                 : LLVM::GEPOp::create(
                                       b, loc, ptrTy, b.getI8Type(), ws,
                                       ArrayRef<LLVM::GEPArg>{constI64(loc, offset)})
                                       .getResult());
    LLVM::CallOp::create(b, loc, entry, args);
    Value slot = LLVM::AddressOfOp::create(b, loc, ptrTy, kWorkspace);
    Value pair = LLVM::AtomicCmpXchgOp::create(
        b, loc, slot, null, ws, LLVM::AtomicOrdering::acq_rel,
        LLVM::AtomicOrdering::monotonic);
    Value stored = LLVM::ExtractValueOp::create(b, loc, pair, 1);
    LLVM::CondBrOp::create(b, loc, stored, done, release);
    b.setInsertionPointToEnd(release);
    LLVM::CallOp::create(b, loc, TypeRange{}, "free", ValueRange{ws});
    LLVM::BrOp::create(b, loc, done);
    b.setInsertionPointToEnd(done);
    LLVM::ReturnOp::create(b, loc, constI32(loc, 0));
  }

private:
  static constexpr StringLiteral kWorkspace = "__facet_workspace";

  Value constI32(Location loc, int32_t v) {
    return LLVM::ConstantOp::create(b, loc, i32Ty, b.getI32IntegerAttr(v));
  }
  Value constI64(Location loc, int64_t v) {
    return LLVM::ConstantOp::create(b, loc, i64Ty, b.getI64IntegerAttr(v));
  }

  /// Atomically takes the cached workspace (NULL if there is none).
  Value takeWorkspace(Location loc) {
    Value slot = LLVM::AddressOfOp::create(b, loc, ptrTy, kWorkspace);
    Value null = LLVM::ZeroOp::create(b, loc, ptrTy);
    return LLVM::AtomicRMWOp::create(b, loc, LLVM::AtomicBinOp::xchg, slot,
                                     null, LLVM::AtomicOrdering::acq_rel);
  }

  void declare(StringRef name, Type result, ArrayRef<Type> params) {
    if (module.lookupSymbol(name))
      return;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    LLVM::LLVMFuncOp::create(b, module.getLoc(), name,
                             LLVM::LLVMFunctionType::get(result, params));
  }

  int64_t workspaceBytes = 0;
  SmallVector<int64_t> slotOffsets;

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
    // facet-plan-buffers adds one pointer per workspace slot.
    SmallVector<int64_t> slots;
    if (auto ws =
            module->getAttrOfType<DenseI64ArrayAttr>("facet.workspace_slots"))
      slots = llvm::to_vector(ws.asArrayRef());
    size_t expected = inputs.size() + outputs.size() + slots.size();
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
    if (!slots.empty())
      abi.emitWorkspace(slots);
    // The contract (FacetModel.h): buffers never overlap.
    for (unsigned i = 0; i < inputs.size() + outputs.size(); ++i)
      entryFn.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(),
                         UnitAttr::get(module.getContext()));
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
