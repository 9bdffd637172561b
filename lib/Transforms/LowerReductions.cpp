//===- LowerReductions.cpp - Reductions as loops with register accumulators ===//
//
// `convert-linalg-to-loops` lowers a reduction to loads and stores of the
// accumulator in every iteration of the reduction loop; LLVM turns that into
// a register only when it can prove that the output does not alias the
// inputs, which it cannot once temporaries share one workspace
// (facet-plan-buffers). This pass lowers a linalg.generic on buffers whose
// reduction loops are innermost to
//
//   scf.for (parallel dims) {
//     %a0 = memref.load %out[...]
//     %a = scf.for (reduction dims) iter_args(%acc = %a0) { body(%acc) }
//     memref.store %a, %out[...]
//   }
//
// so the accumulator is an SSA value and the innermost loop a reduction LLVM
// vectorizes (float reassociation is allowed on the model's code).
//
//===----------------------------------------------------------------------===//

#include "facet/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/IR/IRMapping.h"

namespace facet {
#define GEN_PASS_DEF_LOWERREDUCTIONS
#include "facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace {

bool isCandidate(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0 ||
      ShapedType::isDynamicShape(op.getStaticLoopRanges()))
    return false;
  // Parallel loops first, then the reductions.
  bool inReduction = false;
  for (utils::IteratorType t : op.getIteratorTypesArray()) {
    if (t == utils::IteratorType::reduction)
      inReduction = true;
    else if (inReduction)
      return false;
  }
  // The accumulator must be the only value the body carries; its map must
  // not depend on the reduction dims (true of any valid reduction).
  return op.getRegion().front().getNumArguments() == op->getNumOperands();
}

/// The indices `map` gives for the loop ivs `ivs` (a plain dim is the iv).
SmallVector<Value> indicesAt(OpBuilder &b, Location loc, AffineMap map,
                             ValueRange ivs) {
  SmallVector<OpFoldResult> operands(ivs.begin(), ivs.end());
  SmallVector<Value> indices;
  for (unsigned i = 0; i < map.getNumResults(); ++i)
    indices.push_back(getValueOrCreateConstantIndexOp(
        b, loc,
        affine::makeComposedFoldedAffineApply(b, loc, map.getSubMap({i}),
                                              operands)));
  return indices;
}

void lower(linalg::GenericOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned numParallel = op.getNumParallelLoops();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value out = op.getDpsInits()[0];
  AffineMap outMap = maps.back();
  SmallVector<Value> ivs;

  auto forLoop = [&](unsigned d, ValueRange iterArgs) {
    Value lb = arith::ConstantIndexOp::create(b, loc, 0);
    Value ub = arith::ConstantIndexOp::create(b, loc, ranges[d]);
    Value step = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(b, loc, lb, ub, step, iterArgs);
    ivs.push_back(loop.getInductionVar());
    b.setInsertionPointToStart(loop.getBody());
    return loop;
  };

  for (unsigned d = 0; d < numParallel; ++d) {
    scf::ForOp loop = forLoop(d, {});
    // Keep the implicit yield last.
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }
  // Indices of the output depend on the parallel ivs only (the reduction
  // dims are padded with zeros, which the map does not read).
  SmallVector<Value> padded = ivs;
  padded.resize(ranges.size(), arith::ConstantIndexOp::create(b, loc, 0));
  SmallVector<Value> outIdx = indicesAt(b, loc, outMap, padded);
  Value init = memref::LoadOp::create(b, loc, out, outIdx);
  OpBuilder::InsertPoint afterInit = b.saveInsertionPoint();

  SmallVector<scf::ForOp> redLoops;
  Value acc = init;
  for (unsigned d = numParallel; d < ranges.size(); ++d) {
    redLoops.push_back(forLoop(d, ValueRange{acc}));
    acc = redLoops.back().getRegionIterArgs()[0];
  }
  // Innermost body: load the inputs, clone the region with the
  // accumulator for the output argument.
  Block &body = op.getRegion().front();
  IRMapping map;
  for (auto [i, input] : llvm::enumerate(op.getDpsInputs())) {
    Value v = isa<MemRefType>(input.getType())
                  ? memref::LoadOp::create(b, loc, input,
                                           indicesAt(b, loc, maps[i], ivs))
                        .getResult()
                  : input;
    map.map(body.getArgument(i), v);
  }
  map.map(body.getArgument(op.getNumDpsInputs()), acc);
  for (Operation &inner : body.without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      map.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, map);
  }
  Value result =
      map.lookup(cast<linalg::YieldOp>(body.getTerminator()).getOperand(0));
  // Yield through the reduction loops, innermost first.
  for (scf::ForOp loop : llvm::reverse(redLoops)) {
    b.setInsertionPointToEnd(loop.getBody());
    scf::YieldOp::create(b, loc, result);
    result = loop.getResult(0);
    b.setInsertionPointAfter(loop);
  }
  b.restoreInsertionPoint(afterInit);
  if (!redLoops.empty())
    b.setInsertionPointAfter(redLoops.front());
  memref::StoreOp::create(b, loc, result, out, outIdx);
  op.erase();
}

struct LowerReductions
    : facet::impl::LowerReductionsBase<LowerReductions> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (isCandidate(op))
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops)
      lower(op);
  }
};

} // namespace
