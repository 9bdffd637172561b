//===- PlanBuffers.cpp - A reused workspace for a function's temporaries --===//
//
// After bufferization every intermediate tensor of the model is a
// `memref.alloc`; freed and re-allocated on every call, the big ones are
// mmap'ed afresh by the C library each time and the kernel zero-fills their
// pages (a third of MiniLM's time went to page faults). This pass gives
// every statically
// shaped allocation of the entry block a place in one of a few slots of
// memory (buffers whose live ranges do not overlap share a slot) and passes
// each slot in as a new trailing argument (`memref<S x i8>`, `llvm.noalias`).
// The module records the slot sizes in `facet.workspace_slots`; the C ABI
// (facet-emit-model-c-abi) carves the slots out of one workspace per library
// that it reuses across calls.
//
// Live ranges are measured on the entry block's operations: a buffer lives
// from its allocation to the last top-level operation that uses it or any
// view of it (subview, reshapes, casts). A buffer that escapes (returned,
// passed to a call, yielded out of a region into something that is not a
// view) keeps its own allocation.
//
//===----------------------------------------------------------------------===//

#include "facet/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace facet {
#define GEN_PASS_DEF_PLANBUFFERS
#include "facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace {

constexpr int64_t kAlign = 64;

/// Bytes of one element as laid out by the LLVM lowering, or 0 if unknown.
int64_t elementBytes(Type t) {
  if (t.isIndex())
    return 8;
  if (t.isIntOrFloat())
    return llvm::divideCeil(t.getIntOrFloatBitWidth(), 8);
  return 0;
}

struct Buffer {
  memref::AllocOp alloc;
  SmallVector<Operation *> deallocs;
  int64_t bytes, start, end;
};

/// Last top-level position (in `block`) at which `root` or a view of it is
/// used; nullopt when it escapes.
std::optional<int64_t> lastUse(Value root, Block &block,
                               const DenseMap<Operation *, int64_t> &pos,
                               SmallVectorImpl<Operation *> &deallocs) {
  int64_t end = -1;
  SmallVector<Value> work = {root};
  DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::DeallocOp>(user)) {
        deallocs.push_back(user);
        continue;
      }
      if (isa<func::ReturnOp, func::CallOp, func::CallIndirectOp>(user))
        return std::nullopt;
      Operation *top = block.findAncestorOpInBlock(*user);
      if (!top)
        return std::nullopt;
      end = std::max(end, pos.lookup(top));
      // Anything that hands out a memref derived from this one (views,
      // reshapes, casts) extends the live range to the uses of its results.
      if (user->hasTrait<OpTrait::IsTerminator>()) {
        // Yielded out of a region: the parent's results may alias it.
        for (Value r : user->getParentOp()->getResults())
          if (isa<BaseMemRefType>(r.getType()))
            work.push_back(r);
        continue;
      }
      for (Value r : user->getResults())
        if (isa<BaseMemRefType>(r.getType()))
          work.push_back(r);
    }
  }
  return end;
}

struct PlanBuffers : facet::impl::PlanBuffersBase<PlanBuffers> {
  using PlanBuffersBase::PlanBuffersBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fn = module.lookupSymbol<func::FuncOp>(entry);
    if (!fn || fn.isExternal() || !fn.getBody().hasOneBlock())
      return;
    Block &block = fn.getBody().front();
    DenseMap<Operation *, int64_t> pos;
    int64_t i = 0;
    for (Operation &op : block)
      pos[&op] = i++;

    SmallVector<Buffer> buffers;
    for (Operation &op : block) {
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc)
        continue;
      MemRefType type = alloc.getType();
      int64_t elt = elementBytes(type.getElementType());
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() || !elt ||
          !alloc.getSymbolOperands().empty() || type.getMemorySpace())
        continue;
      SmallVector<Operation *> deallocs;
      std::optional<int64_t> end =
          lastUse(alloc.getResult(), block, pos, deallocs);
      if (!end)
        continue;
      int64_t bytes = std::max<int64_t>(type.getNumElements() * elt, 1);
      buffers.push_back({alloc, deallocs, bytes, pos[alloc],
                         std::max(*end, pos[alloc])});
    }
    if (buffers.empty())
      return;

    // Slots, like registers: every buffer takes a slot that no live buffer
    // holds (the best fitting one, else the biggest free one, which grows),
    // or a new slot. Buffers in one slot share bytes but are never live at
    // the same time; different slots are different memory, so each slot is
    // its own `noalias` argument and LLVM knows that buffers in different
    // slots never alias (one shared base pointer would hide that, and keep
    // loops over temporaries from vectorizing).
    struct Slot {
      int64_t bytes, freeAfter;
    };
    SmallVector<Slot> slots;
    SmallVector<int64_t> slotOf(buffers.size());
    SmallVector<unsigned> order = llvm::to_vector(
        llvm::seq<unsigned>(0, buffers.size()));
    llvm::stable_sort(order, [&](unsigned a, unsigned b) {
      return buffers[a].start < buffers[b].start;
    });
    for (unsigned i : order) {
      Buffer &buf = buffers[i];
      int best = -1;
      for (auto [k, slot] : llvm::enumerate(slots)) {
        if (slot.freeAfter >= buf.start)
          continue;
        if (best < 0) {
          best = k;
          continue;
        }
        Slot &cur = slots[best];
        bool fits = slot.bytes >= buf.bytes, curFits = cur.bytes >= buf.bytes;
        if (fits != curFits ? fits
                            : (fits ? slot.bytes < cur.bytes
                                    : slot.bytes > cur.bytes))
          best = k;
      }
      if (best < 0) {
        best = slots.size();
        slots.push_back({0, 0});
      }
      slots[best].bytes = std::max(slots[best].bytes, buf.bytes);
      slots[best].freeAfter = buf.end;
      slotOf[i] = best;
    }

    OpBuilder b(fn.getContext());
    auto noalias = b.getDictionaryAttr(
        {b.getNamedAttr("llvm.noalias", b.getUnitAttr())});
    unsigned firstArg = fn.getNumArguments();
    SmallVector<int64_t> slotBytes;
    for (auto [k, slot] : llvm::enumerate(slots)) {
      int64_t bytes = static_cast<int64_t>(llvm::alignTo(slot.bytes, kAlign));
      slotBytes.push_back(bytes);
      if (failed(fn.insertArgument(firstArg + k,
                                   MemRefType::get({bytes}, b.getI8Type()),
                                   noalias, fn.getLoc())))
        return signalPassFailure();
    }
    for (auto [i, buf] : llvm::enumerate(buffers)) {
      for (Operation *d : buf.deallocs)
        d->erase();
      b.setInsertionPoint(buf.alloc);
      Location loc = buf.alloc.getLoc();
      Value offset = arith::ConstantIndexOp::create(b, loc, 0);
      Value view = memref::ViewOp::create(
          b, loc, buf.alloc.getType(), fn.getArgument(firstArg + slotOf[i]),
          offset, ValueRange{});
      buf.alloc.getResult().replaceAllUsesWith(view);
      buf.alloc.erase();
    }
    module->setAttr("facet.workspace_slots", b.getDenseI64ArrayAttr(slotBytes));
  }
};

} // namespace
