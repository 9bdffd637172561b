//===- TileContractions.cpp - Cache/register tiling of packed contractions ===//
//
// Phase 1 (tensors): every contraction that facet-pack-weights produced,
// loops (m, panel, lane, k) over x[M,K] · Wp[NB,K,P], is tiled twice: cache
// tiles (mc, nbc, -, kc) and register tiles (mr, nbr, -, kr). Loops that do
// not divide are peeled, so every tile has a static shape and vectorizes
// without masks. The register tiles are tagged `facet.vec`.
//
// Phase 2 (memrefs, after bufferization): a fixed transform-dialect script
// vectorizes the tagged tiles, keeps the accumulators in registers across the
// k loop and lowers the vector contraction to FMAs (outer products).
//
// The tile-size heuristic is `chooseTiles` (docs/CodeGen.md has the
// measurements behind it).
//
//===----------------------------------------------------------------------===//

#include "facet/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace facet {
#define GEN_PASS_DEF_TILECONTRACTIONS
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#define GEN_PASS_DEF_PARALLELIZETILES
#include "facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace {

constexpr StringLiteral kPacked = "facet.packed_contraction";
constexpr StringLiteral kLevel = "facet.tile_level";
constexpr StringLiteral kPeel = "facet.peel";
constexpr StringLiteral kVec = "facet.vec";
/// A tile of a transpose (transposeTiles), vectorized here
/// (vectorizeTransposeTile) rather than by transform.structured.vectorize,
/// whose permuted transfer_read leaves the transpose to the transfer
/// lowering instead of a register vector.transpose.
constexpr StringLiteral kTransposeTile = "facet.transpose_tile";
constexpr StringLiteral kParallel = "facet.parallel";
/// A register tile whose accumulator is still zero when it starts (the
/// first k block of a zero-initialized contraction): it zeroes its tile in
/// registers instead of reading a zero-filled buffer (facet-vectorize-
/// contractions), and the whole-buffer fill goes.
constexpr StringLiteral kZeroInit = "facet.zero_init";
constexpr StringLiteral kReductionLoop = "facet.reduction_loop";

bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

/// Multiply-adds below which a contraction is not worth splitting across
/// threads (about 20 us of one core's work).
constexpr int64_t kMinParallelMacs = 1 << 20;

/// Iterations below which another op (elementwise, reduction, transpose;
/// a few ns each) stays on one thread: a fork/join of libomp's hot team
/// costs 1-3 us.
constexpr int64_t kMinParallelIterations = 1 << 15;

struct Tiles {
  SmallVector<int64_t> cache, reg; // over (m, panel, lane, k); 0 = untiled
};

/// Tile sizes for loops (m, panel, lane, k) of sizes `shape` with `lanes`
/// f32 per vector register. Register tile: mr rows x nbr panels of P lanes
/// accumulate in 2·mr·nbr registers (P = 2 vectors), kr = 4 k steps per
/// iteration. Cache tile: an mc x kc block of x (L2) against kc x nbc·P of
/// the panels (L1/L2). Decode shapes (M <= 2) take 4 panels per register
/// tile so that 8 independent accumulators hide the FMA latency.
/// Panels per cache tile: the largest multiple of `step` in
/// [target/2, target] that divides `nb`, so that no partial panel block is
/// peeled (a peeled block of a parallel loop bufferizes out of place: its
/// tile is computed aside and copied into the result); else `target`.
int64_t panelBlock(int64_t nb, int64_t target, int64_t step) {
  if (nb <= target)
    return nb;
  for (int64_t d = target - target % step;
       d >= std::max<int64_t>(target / 2, step); d -= step)
    if (nb % d == 0)
      return d;
  return target;
}

Tiles chooseTiles(ArrayRef<int64_t> shape, int64_t lanes) {
  int64_t m = shape[0], nb = shape[1], k = shape[3];
  int64_t mr = lanes >= 16 ? 8 : 4;
  Tiles t;
  if (m <= 2) {
    t.reg = {m, std::min<int64_t>(nb, 4), 0, std::min<int64_t>(k, 4)};
    t.cache = {m, panelBlock(nb, 16, 4), 0, std::min<int64_t>(k, 256)};
  } else {
    t.reg = {std::min(m, mr), 1, 0, std::min<int64_t>(k, 4)};
    t.cache = {std::min<int64_t>(m, 16 * mr), panelBlock(nb, 8, 1), 0,
               std::min<int64_t>(k, 256)};
  }
  return t;
}

/// Register tiles of a contraction between two activations (attention's
/// scores·V, batched matmuls): one batch element, mr rows of the innermost m
/// dim, 2 vectors of the innermost n dim, kr k steps with k innermost.
/// Only when the rhs reads n contiguously: a transposed rhs (scores = Q·Kᵀ)
/// would be read with a shuffle per k step, and its k-innermost loop nest
/// (a dot product LLVM vectorizes) is faster. Returns {} when not suitable.
std::optional<std::pair<SmallVector<int64_t>, SmallVector<int64_t>>>
activationTiles(linalg::GenericOp op, int64_t lanes) {
  if (!linalg::isaContractionOpInterface(op) || op.getNumDpsInputs() != 2 ||
      !op.hasPureTensorSemantics() || op->hasAttr(kPacked))
    return std::nullopt;
  SmallVector<int64_t> shape = op.getStaticLoopRanges();
  if (ShapedType::isDynamicShape(shape))
    return std::nullopt;
  for (Value v : op->getOperands())
    if (!getElementTypeOrSelf(v.getType()).isF32())
      return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() ||
      dims->k.empty())
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned n = dims->n.back(), m = dims->m.back();
  auto lastIs = [](AffineMap map, unsigned d) {
    return map.getNumResults() > 0 && map.getResults().back() ==
                                          getAffineDimExpr(d, map.getContext());
  };
  if (!lastIs(maps[1], n) || !lastIs(maps[2], n) || shape[n] < lanes)
    return std::nullopt;
  SmallVector<int64_t> sizes(shape.size(), 1);
  sizes[m] = std::min<int64_t>(shape[m], lanes >= 16 ? 8 : 4);
  sizes[n] = std::min<int64_t>(shape[n], 2 * lanes);
  for (unsigned k : dims->k)
    sizes[k] = k == dims->k.back() ? std::min<int64_t>(shape[k], 4) : 1;
  // Loops: parallel dims in order, then the reductions (k innermost, so the
  // accumulators stay in registers across it).
  SmallVector<int64_t> interchange;
  for (unsigned i = 0; i < shape.size(); ++i)
    if (!llvm::is_contained(dims->k, i))
      interchange.push_back(i);
  llvm::append_range(interchange, dims->k);
  return std::make_pair(sizes, interchange);
}

/// Q·Kᵀ-shaped contractions read the rhs along k (its last dim). Such an rhs
/// is transposed first (a copy of an activation, small next to the
/// product: 12x128x32 floats for a BERT-base head group) so that the
/// product reads it along n and takes the register-tiled path.
void transposeRhsReadAlongK(RewriterBase &rewriter, linalg::GenericOp op,
                            int64_t lanes) {
  if (!linalg::isaContractionOpInterface(op) || op.getNumDpsInputs() != 2 ||
      !op.hasPureTensorSemantics() || op->hasAttr(kPacked))
    return;
  SmallVector<int64_t> shape = op.getStaticLoopRanges();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (ShapedType::isDynamicShape(shape) || failed(dims) ||
      dims->k.size() != 1 || dims->n.empty() || shape[dims->n.back()] < lanes)
    return;
  for (Value v : op->getOperands())
    if (!getElementTypeOrSelf(v.getType()).isF32())
      return;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap rhsMap = maps[1];
  unsigned n = dims->n.back(), k = dims->k[0];
  if (!rhsMap.isProjectedPermutation() || rhsMap.getNumResults() < 2)
    return;
  MLIRContext *ctx = op.getContext();
  unsigned rank = rhsMap.getNumResults();
  if (rhsMap.getResult(rank - 1) != getAffineDimExpr(k, ctx))
    return;
  std::optional<unsigned> nPos = rhsMap.getResultPosition(getAffineDimExpr(n, ctx));
  if (!nPos)
    return;
  // Swap the k and n positions of the rhs.
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[*nPos]);
  Value rhs = op.getDpsInputs()[1];
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  SmallVector<int64_t> newShape;
  SmallVector<AffineExpr> newExprs;
  for (int64_t p : perm) {
    newShape.push_back(rhsType.getDimSize(p));
    newExprs.push_back(rhsMap.getResult(p));
  }
  rewriter.setInsertionPoint(op);
  Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), newShape,
                                       rhsType.getElementType());
  Value transposed = linalg::TransposeOp::create(rewriter, op.getLoc(), rhs,
                                                 init, perm)
                         .getResult()[0];
  maps[1] = AffineMap::get(rhsMap.getNumDims(), 0, newExprs, ctx);
  rewriter.modifyOpInPlace(op, [&] {
    op->setOperand(1, transposed);
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
}

/// Tile sizes of a transpose whose innermost dim moves: L along the
/// result's innermost dim and along the dim the source's innermost one goes
/// to, 1 elsewhere (so each tile is an L x L transpose); {} for one that
/// keeps the innermost dim (a row copy LLVM vectorizes), is smaller than a
/// tile, is dynamic or is not f32.
std::optional<SmallVector<int64_t>> transposeTiles(linalg::TransposeOp op,
                                                   int64_t lanes) {
  auto type = dyn_cast<RankedTensorType>(op.getInit().getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  ArrayRef<int64_t> perm = op.getPermutation();
  int64_t rank = perm.size();
  int64_t to = llvm::find(perm, rank - 1) - perm.begin();
  if (rank < 2 || to == rank - 1 || type.getDimSize(rank - 1) < lanes ||
      type.getDimSize(to) < lanes)
    return std::nullopt;
  SmallVector<int64_t> sizes(rank, 1);
  sizes[rank - 1] = lanes;
  sizes[to] = lanes;
  return sizes;
}

/// A transpose tile (a linalg.generic copy with a permuted input map, of
/// static shape with two non-unit dims) as one full-rank read, a
/// vector.transpose of the two dims in registers (shuffles) and one
/// full-rank write. Full rank because a read of a rank-reduced view folds
/// (fold-memref-alias-ops) into a non-minor-identity read of an
/// expand_shape, which sends that pass into an endless loop; and not row by
/// row, which canonicalization turns into element-wise from_elements. Anything
/// else is left as it is (a scalar loop nest).
void vectorizeTransposeTile(RewriterBase &rewriter, linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1)
    return;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!maps[0].isPermutation() || !maps[1].isIdentity())
    return;
  auto inType = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto outType = dyn_cast<RankedTensorType>(op.getDpsInits()[0].getType());
  if (!inType || !outType || !inType.hasStaticShape() ||
      !outType.hasStaticShape())
    return;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getOperand(0) != body.getArgument(0))
    return;
  // Exactly two dims of size > 1, swapped: the output's first reads the
  // input's last (maps[0] takes the loop dims, which are the output's, to
  // the input's).
  auto nonUnit = [](ArrayRef<int64_t> shape) {
    SmallVector<unsigned> dims;
    for (auto [d, v] : llvm::enumerate(shape))
      if (v != 1)
        dims.push_back(d);
    return dims;
  };
  SmallVector<unsigned> in = nonUnit(inType.getShape()),
                        out = nonUnit(outType.getShape());
  if (in.size() != 2 || out.size() != 2 ||
      maps[0].getResult(in[1]) != getAffineDimExpr(out[0], op.getContext()))
    return;
  SmallVector<int64_t> inDims = {inType.getDimSize(in[0]),
                                 inType.getDimSize(in[1])};
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Type elem = inType.getElementType();
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value pad = arith::ConstantOp::create(rewriter, loc,
                                        rewriter.getZeroAttr(elem));
  SmallVector<Value> inIdx(inType.getRank(), zero),
      outIdx(outType.getRank(), zero);
  Value read = vector::TransferReadOp::create(
      rewriter, loc, VectorType::get(inType.getShape(), elem),
      op.getDpsInputs()[0], inIdx, pad,
      SmallVector<bool>(inType.getRank(), true));
  Value flat = vector::ShapeCastOp::create(
      rewriter, loc, VectorType::get(inDims, elem), read);
  Value t = vector::TransposeOp::create(rewriter, loc, flat,
                                        ArrayRef<int64_t>{1, 0});
  Value shaped = vector::ShapeCastOp::create(
      rewriter, loc, VectorType::get(outType.getShape(), elem), t);
  Value w = vector::TransferWriteOp::create(
                rewriter, loc, shaped, op.getDpsInits()[0], outIdx,
                SmallVector<bool>(outType.getRank(), true))
                .getResult();
  rewriter.replaceOp(op, w);
}

/// Tiles `op` with `sizes`, marks the loops for peeling and the tiled op with
/// `level`.
LogicalResult tile(RewriterBase &rewriter, linalg::GenericOp op,
                   ArrayRef<int64_t> sizes, int64_t level,
                   ArrayRef<int64_t> interchange = {},
                   std::optional<unsigned> parallelDim = {},
                   SmallVectorImpl<LoopLikeOpInterface> *loops = nullptr) {
  scf::SCFTilingOptions options;
  if (!interchange.empty())
    options.setInterchange(interchange);
  SmallVector<OpFoldResult> ofr;
  for (int64_t s : sizes)
    ofr.push_back(rewriter.getIndexAttr(s));
  options.setTileSizes(ofr);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> result = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(result))
    return op.emitError("internal error: cannot tile the contraction");
  for (Operation *t : result->tiledOps)
    t->setAttr(kLevel, rewriter.getI64IntegerAttr(level));
  for (LoopLikeOpInterface loop : result->loops)
    loop->setAttr(kPeel, rewriter.getUnitAttr());
  // Loops over reduction dims: a peeled remainder of one accumulates onto
  // what the main part computed (peelMarkedLoops drops its zero_init).
  {
    SmallVector<int64_t> order =
        interchange.empty()
            ? llvm::to_vector(llvm::seq<int64_t>(0, sizes.size()))
            : llvm::to_vector(interchange);
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    unsigned pos = 0;
    for (int64_t d : order) {
      if (sizes[d] == 0)
        continue;
      if (iters[d] == utils::IteratorType::reduction)
        result->loops[pos]->setAttr(kReductionLoop, rewriter.getUnitAttr());
      ++pos;
    }
  }
  // The loops are those of the tiled dims, in loop order (interchanged).
  if (parallelDim && sizes[*parallelDim] != 0) {
    SmallVector<int64_t> order =
        interchange.empty()
            ? llvm::to_vector(llvm::seq<int64_t>(0, sizes.size()))
            : llvm::to_vector(interchange);
    unsigned pos = 0;
    for (int64_t d : order) {
      if (d == *parallelDim)
        break;
      pos += sizes[d] != 0;
    }
    result->loops[pos]->setAttr(kParallel, rewriter.getUnitAttr());
  }
  if (loops)
    llvm::append_range(*loops, result->loops);
  rewriter.replaceOp(op, result->replacements);
  return success();
}

/// Splits a linalg op that is neither a packed contraction nor already tiled
/// into `chunks` equal parts of its first parallel dim that `chunks`
/// divides, as a loop marked facet.parallel (each thread takes one part).
/// Leaves the op alone when it is small or no dim divides.
LogicalResult splitForThreads(RewriterBase &rewriter, linalg::LinalgOp op,
                              int64_t chunks) {
  SmallVector<int64_t> shape = op.getStaticLoopRanges();
  if (ShapedType::isDynamicShape(shape))
    return success();
  int64_t work = 1;
  for (int64_t s : shape)
    work *= s;
  if (work < kMinParallelIterations)
    return success();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  std::optional<unsigned> dim;
  for (auto [d, it] : llvm::enumerate(iters))
    if (it == utils::IteratorType::parallel && shape[d] >= chunks &&
        shape[d] % chunks == 0) {
      dim = d;
      break;
    }
  if (!dim)
    return success();
  SmallVector<OpFoldResult> sizes(shape.size(), rewriter.getIndexAttr(0));
  sizes[*dim] = rewriter.getIndexAttr(shape[*dim] / chunks);
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> result = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(result))
    return op.emitError("internal error: cannot split the op for threads");
  result->loops.front()->setAttr(kParallel, rewriter.getUnitAttr());
  rewriter.replaceOp(op, result->replacements);
  return success();
}

/// Peels the last partial iteration of every loop marked for peeling (outer
/// loops first, so the copies of inner loops are peeled too).
void peelMarkedLoops(RewriterBase &rewriter, Operation *root) {
  while (true) {
    scf::ForOp next;
    root->walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
      if (!loop->hasAttr(kPeel))
        return WalkResult::advance();
      next = loop;
      return WalkResult::interrupt();
    });
    if (!next)
      return;
    next->removeAttr(kPeel);
    std::optional<int64_t> lb = getConstantIntValue(next.getLowerBound());
    std::optional<int64_t> ub = getConstantIntValue(next.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(next.getStep());
    if (!lb || !ub || !step || (*ub - *lb) % *step == 0)
      continue;
    scf::ForOp partial;
    rewriter.setInsertionPoint(next);
    if (succeeded(scf::peelForLoopAndSimplifyBounds(rewriter, next, partial)) &&
        partial && next->hasAttr(kReductionLoop))
      partial->walk([](Operation *o) { o->removeAttr(kZeroInit); });
  }
}

LogicalResult simplify(Operation *root) {
  MLIRContext *ctx = root->getContext();
  RewritePatternSet patterns(ctx);
  for (Dialect *d : ctx->getLoadedDialects())
    d->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
  return applyPatternsGreedily(root, std::move(patterns));
}

SmallVector<linalg::GenericOp> collect(Operation *root, StringRef attr,
                                       std::optional<int64_t> level = {}) {
  SmallVector<linalg::GenericOp> ops;
  root->walk([&](linalg::GenericOp op) {
    if (!op->hasAttr(attr))
      return;
    if (level) {
      auto l = op->getAttrOfType<IntegerAttr>(kLevel);
      if (!l || l.getInt() != *level)
        return;
    }
    ops.push_back(op);
  });
  return ops;
}

struct TileContractions
    : facet::impl::TileContractionsBase<TileContractions> {
  using TileContractionsBase::TileContractionsBase;

  void runOnOperation() override {
    Operation *root = getOperation();
    IRRewriter rewriter(root->getContext());
    // Level 1: cache tiles; register tile sizes ride along as an attribute.
    for (linalg::GenericOp op : collect(root, kPacked)) {
      if (op->hasAttr(kLevel) || !op.hasPureTensorSemantics())
        continue;
      SmallVector<int64_t> shape = op.getStaticLoopRanges();
      if (shape.size() != 4 || ShapedType::isDynamicShape(shape))
        continue;
      Tiles t = chooseTiles(shape, vectorLanes);
      op->setAttr("facet.reg_tile", rewriter.getDenseI64ArrayAttr(t.reg));
      // Threads share out the panel blocks: every block writes its own
      // columns of the result, so the iterations are independent.
      // Only where the work pays for waking the threads (a fork/join costs
      // a few microseconds): decode-sized products stay on one thread.
      std::optional<unsigned> parallelDim;
      int64_t macs = shape[0] * shape[1] * shape[2] * shape[3];
      if (parallel && macs >= kMinParallelMacs) {
        // Too few panel blocks for the threads (N = 128 is one block):
        // the threads share the rows instead, in blocks of whole
        // register tiles.
        int64_t mr = t.reg[0];
        int64_t panelBlocks = llvm::divideCeil(shape[1], t.cache[1]);
        int64_t rowsEach =
            llvm::alignTo(llvm::divideCeil(shape[0], threads), mr);
        if (panelBlocks < threads && rowsEach < shape[0] &&
            rowsEach <= t.cache[0]) {
          t.cache[0] = rowsEach;
          parallelDim = 0;
        } else {
          parallelDim = 1;
        }
      }
      bool zeroInit = isZeroFill(op.getDpsInits()[0]);
      if (zeroInit)
        op->setAttr(kZeroInit, rewriter.getUnitAttr());
      SmallVector<LoopLikeOpInterface> loops;
      if (failed(tile(rewriter, op, t.cache, 1, {}, parallelDim, &loops)))
        return signalPassFailure();
      // Only the first k block starts from zero: peel it off the k-block
      // loop (the last one), whose other iterations accumulate.
      if (zeroInit && t.cache[3] < shape[3]) {
        auto kLoop = cast<scf::ForOp>(loops.back().getOperation());
        scf::ForOp first;
        bool peeled =
            succeeded(scf::peelForLoopFirstIteration(rewriter, kLoop, first));
        auto drop = [](Operation *o) { o->removeAttr(kZeroInit); };
        kLoop->walk(drop);
        if (!peeled && first)
          first->walk(drop);
      }
    }
    // Contractions of two activations: register tiles only (level 2);
    // threads share the outermost loop with more than one iteration.
    SmallVector<linalg::GenericOp> generics;
    root->walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics) {
      transposeRhsReadAlongK(rewriter, op, vectorLanes);
      auto t = activationTiles(op, vectorLanes);
      if (!t)
        continue;
      op->setAttr(kPacked, rewriter.getUnitAttr());
      // The k loop of an activation product is inside its register tile,
      // so every tile starts from the (zero) init.
      if (isZeroFill(op.getDpsInits()[0]))
        op->setAttr(kZeroInit, rewriter.getUnitAttr());
      std::optional<unsigned> parallelDim;
      if (parallel) {
        SmallVector<int64_t> shape = op.getStaticLoopRanges();
        int64_t macs = 1;
        for (int64_t s : shape)
          macs *= s;
        for (int64_t d : t->second)
          if (macs >= kMinParallelMacs / 4 && t->first[d] != 0 &&
              llvm::divideCeil(shape[d], t->first[d]) > 1 &&
              op.getIteratorTypesArray()[d] == utils::IteratorType::parallel) {
            parallelDim = d;
            break;
          }
      }
      if (failed(tile(rewriter, op, t->first, 2, t->second, parallelDim)))
        return signalPassFailure();
    }
    // Transposes that move the innermost dim (Kᵀ for attention, the
    // activation transposes between TT/Kronecker/Tucker steps): L x L tiles
    // that become a register transpose (a row read per vector, shuffles,
    // a row write per vector) instead of a scalar loop nest reading with a
    // stride.
    SmallVector<linalg::TransposeOp> transposes;
    root->walk([&](linalg::TransposeOp op) {
      if (op.hasPureTensorSemantics() &&
          !op->getParentOfType<LoopLikeOpInterface>())
        transposes.push_back(op);
    });
    for (linalg::TransposeOp op : transposes) {
      auto sizes = transposeTiles(op, vectorLanes);
      if (!sizes)
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic =
          linalg::generalizeNamedOp(rewriter, op);
      if (failed(generic))
        continue;
      (*generic)->setAttr(kPacked, rewriter.getUnitAttr());
      (*generic)->setAttr(kTransposeTile, rewriter.getUnitAttr());
      std::optional<unsigned> parallelDim;
      SmallVector<int64_t> shape = generic->getStaticLoopRanges();
      int64_t work = 1;
      for (int64_t v : shape)
        work *= v;
      if (parallel && threads > 1 && work >= kMinParallelIterations)
        for (auto [d, v] : llvm::enumerate(shape))
          if (v > (*sizes)[d]) {
            parallelDim = d;
            break;
          }
      if (failed(tile(rewriter, *generic, *sizes, 2, {}, parallelDim)))
        return signalPassFailure();
    }
    // Everything else that is big enough: chunks for the threads.
    if (parallel && threads > 1) {
      SmallVector<linalg::LinalgOp> rest;
      root->walk([&](linalg::LinalgOp op) {
        if (op.hasPureTensorSemantics() && !op->hasAttr(kPacked) &&
            !op->hasAttr(kLevel) && !isa<linalg::FillOp>(op) &&
            !op->getParentOfType<LoopLikeOpInterface>())
          rest.push_back(op);
      });
      for (linalg::LinalgOp op : rest)
        if (failed(splitForThreads(rewriter, op, threads)))
          return signalPassFailure();
    }
    peelMarkedLoops(rewriter, root);
    if (failed(simplify(root)))
      return signalPassFailure();
    // Level 2: register tiles of each (now static) cache tile.
    for (linalg::GenericOp op : collect(root, kPacked, 1)) {
      auto reg = op->getAttrOfType<DenseI64ArrayAttr>("facet.reg_tile");
      if (!reg || ShapedType::isDynamicShape(op.getStaticLoopRanges()))
        return signalPassFailure();
      if (failed(tile(rewriter, op, reg.asArrayRef(), 2)))
        return signalPassFailure();
    }
    peelMarkedLoops(rewriter, root);
    if (failed(simplify(root)))
      return signalPassFailure();
    // Unit dims (the panel dim of a one-panel tile, m of a decode tile) go,
    // so the vector contraction is a plain 2-D/3-D one; tag the result.
    linalg::ControlDropUnitDims control;
    control.rankReductionStrategy = linalg::ControlDropUnitDims::
        RankReductionStrategy::ExtractInsertSlice;
    for (linalg::GenericOp op : collect(root, kPacked, 2)) {
      if (op->hasAttr(kTransposeTile)) {
        vectorizeTransposeTile(rewriter, op);
        continue;
      }
      rewriter.setInsertionPoint(op);
      Operation *vecOp = op;
      FailureOr<linalg::DropUnitDimsResult> dropped =
          linalg::dropUnitDims(rewriter, op, control);
      bool zeroInit = op->hasAttr(kZeroInit);
      if (succeeded(dropped)) {
        rewriter.replaceOp(op, dropped->replacements);
        vecOp = dropped->resultOp;
      }
      vecOp->setAttr(kVec, rewriter.getUnitAttr());
      if (zeroInit)
        vecOp->setAttr(kZeroInit, rewriter.getUnitAttr());
    }
    if (failed(simplify(root)))
      return signalPassFailure();
  }
};

/// Phase 2. `transform.structured.vectorize` without vector sizes: every
/// tagged tile has a static shape (phase 1 peeled the remainders).
constexpr StringLiteral kVectorizeScript = R"mlir(
module attributes {transform.with_named_sequence} {
  transform.named_sequence @facet_vectorize(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match attributes{"facet.vec"} in %root : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %ops : !transform.any_op
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    transform.yield
  }
  // After fold-memref-alias-ops (C++: as transform.apply_patterns it is an
  // endless loop on a transpose tile's read through an expand_shape, see
  // VectorizeContractions::runOnOperation).
  transform.named_sequence @facet_hoist(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    // Index arithmetic of the accumulator accesses leaves the k loop first,
    // or the accumulators cannot be hoisted (innermost loops first).
    %loops = transform.structured.match ops{["scf.for"]} in %f : (!transform.any_op) -> !transform.any_op
    transform.apply_licm to %loops : !transform.any_op
    %h0 = transform.structured.hoist_redundant_vector_transfers %f : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
  // After hoistAccumulators (C++), which upstream's hoisting leaves to do.
  transform.named_sequence @facet_lower(%root: !transform.any_op {transform.readonly}) {
    %h = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %h {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerparallel"
      transform.apply_patterns.vector.split_transfer_full_partial split_transfer_strategy = "linalg-copy"
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_16x16"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.lower_broadcast
    } : !transform.any_op
    transform.apply_patterns to %h {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %h : !transform.any_op
    transform.yield
  }
}
)mlir";

/// The memref a view (subview, reshape, memref.view of a workspace slot)
/// is carved from.
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether `loop` lets the pair (read, write) of one accumulator tile be
/// kept in registers: nothing else in the loop writes memory or touches the
/// buffer the accumulator lives in.
bool isPrivateAccumulator(scf::ForOp loop, vector::TransferReadOp read,
                          vector::TransferWriteOp write) {
  Value root = rootOf(read.getBase());
  bool ok = true;
  loop.getBody()->walk([&](Operation *op) {
    if (op == read || op == write)
      return WalkResult::advance();
    if (!isMemoryEffectFree(op) && !isa<scf::YieldOp>(op) &&
        !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>()) {
      auto iface = dyn_cast<MemoryEffectOpInterface>(op);
      if (!iface || iface.hasEffect<MemoryEffects::Write>() ||
          iface.hasEffect<MemoryEffects::Free>() ||
          iface.hasEffect<MemoryEffects::Allocate>()) {
        ok = false;
        return WalkResult::interrupt();
      }
    }
    for (Value operand : op->getOperands())
      if (isa<BaseMemRefType>(operand.getType()) && rootOf(operand) == root) {
        ok = false;
        return WalkResult::interrupt();
      }
    return WalkResult::advance();
  });
  return ok;
}

/// The buffer a view was carved from, stopping at memref.view (workspace
/// slots hold several buffers).
Value baseOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>()) {
    if (isa<memref::ViewOp>(view))
      break;
    v = view.getViewSource();
  }
  return v;
}

/// Whether `v` (a memref computed from pure ops) is the same for every
/// iteration of `loop`.
bool invariantIn(Value v, scf::ForOp loop) {
  if (loop.isDefinedOutsideOfLoop(v))
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || !isMemoryEffectFree(def) || def->getNumRegions())
    return false;
  return llvm::all_of(def->getOperands(),
                      [&](Value o) { return invariantIn(o, loop); });
}

/// Clones what `v` is computed from inside `anchor` in front of it.
Value cloneBefore(OpBuilder &b, Value v, Operation *anchor, IRMapping &map) {
  if (map.contains(v))
    return map.lookup(v);
  Operation *def = v.getDefiningOp();
  if (!def || !anchor->isAncestor(def))
    return v;
  for (Value o : def->getOperands())
    cloneBefore(b, o, anchor, map);
  b.clone(*def, map);
  return map.lookup(v);
}

/// Register tiles marked facet.zero_init (the first k block of a zero-filled
/// contraction) get `linalg.fill 0` on their accumulator tile right before
/// the k loop that carries it, tagged for vectorization: after hoisting, the
/// zero tile forwards into the accumulators, nothing is stored, and the
/// fill of the whole buffer (which every tile now overwrites first) goes.
void zeroTilesInRegisters(Operation *root) {
  SmallVector<linalg::GenericOp> tiles;
  root->walk([&](linalg::GenericOp op) {
    if (op->hasAttr(kZeroInit) && op.hasPureBufferSemantics() &&
        op.getNumDpsInits() == 1)
      tiles.push_back(op);
  });
  DenseSet<Value> bases;
  OpBuilder b(root->getContext());
  for (linalg::GenericOp op : tiles) {
    op->removeAttr(kZeroInit);
    Value out = op.getDpsInits()[0];
    auto type = dyn_cast<MemRefType>(out.getType());
    if (!type || !type.getElementType().isF32())
      continue;
    // The outermost loop in which the tile stays the same (the k loops).
    Operation *anchor = op;
    for (auto loop = op->getParentOfType<scf::ForOp>();
         loop && invariantIn(out, loop);
         loop = loop->getParentOfType<scf::ForOp>())
      anchor = loop;
    b.setInsertionPoint(anchor);
    IRMapping map;
    Value tile = anchor == op.getOperation() ? out
                                             : cloneBefore(b, out, anchor, map);
    Value zero = arith::ConstantOp::create(b, op.getLoc(),
                                           b.getF32FloatAttr(0.0f));
    auto fill = linalg::FillOp::create(b, op.getLoc(), ValueRange{zero},
                                       ValueRange{tile});
    fill->setAttr(kVec, b.getUnitAttr());
    bases.insert(baseOf(out));
  }
  // The whole-buffer zero fills those tiles make redundant.
  SmallVector<linalg::FillOp> dead;
  root->walk([&](linalg::FillOp fill) {
    if (fill.hasPureBufferSemantics() && !fill->hasAttr(kVec) &&
        bases.contains(fill.getOutputs()[0]) &&
        matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
      dead.push_back(fill);
  });
  for (linalg::FillOp fill : dead)
    fill->erase();
}

/// Upstream's hoist_redundant_vector_transfers gives up on any buffer that
/// has a view anywhere (every packed result is collapsed back to [M, N]),
/// which left the accumulators of the register tiles to LLVM's promotion:
/// fine in a plain function, but in the outlined body of an OpenMP loop
/// LLVM cannot prove the buffers apart and stored all accumulators on every
/// k step. Here a loop whose only write is the accumulator tile
///   %a = transfer_read %C[i] ; ... ; transfer_write %v, %C[i]
/// (same buffer, indices defined outside the loop) carries the tile as an
/// iter_arg: read once before the loop, written once after it. Innermost
/// loops first, until nothing changes.
void hoistAccumulators(Operation *root) {
  IRRewriter rewriter(root->getContext());
  bool changed = true;
  while (changed) {
    changed = false;
    root->walk([&](scf::ForOp loop) {
      for (auto read : loop.getBody()->getOps<vector::TransferReadOp>()) {
        if (read.getMask() || !loop.isDefinedOutsideOfLoop(read.getBase()) ||
            !llvm::all_of(read.getIndices(), [&](Value v) {
              return loop.isDefinedOutsideOfLoop(v);
            }))
          continue;
        vector::TransferWriteOp write;
        for (auto w : loop.getBody()->getOps<vector::TransferWriteOp>())
          if (w.getBase() == read.getBase() && !w.getMask() &&
              w.getIndices() == read.getIndices() &&
              w.getVectorType() == read.getVectorType() &&
              w.getPermutationMap() == read.getPermutationMap() &&
              read->isBeforeInBlock(w))
            write = w;
        if (!write || !isPrivateAccumulator(loop, read, write))
          continue;
        rewriter.setInsertionPoint(loop);
        Operation *init = rewriter.clone(*read);
        FailureOr<LoopLikeOpInterface> wider =
            cast<LoopLikeOpInterface>(loop.getOperation())
                .replaceWithAdditionalYields(
                    rewriter, init->getResults(),
                    /*replaceInitOperandUsesInLoop=*/false,
                    [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                      return SmallVector<Value>{write.getVector()};
                    });
        if (failed(wider))
          continue;
        auto newLoop = cast<scf::ForOp>(wider->getOperation());
        rewriter.replaceAllUsesWith(read.getResult(),
                                    newLoop.getRegionIterArgs().back());
        rewriter.setInsertionPointAfter(newLoop);
        auto after = cast<vector::TransferWriteOp>(rewriter.clone(*write));
        after.getValueToStoreMutable().assign(newLoop.getResults().back());
        rewriter.eraseOp(write);
        rewriter.eraseOp(read);
        changed = true;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
  }
}

bool sameAccess(vector::TransferWriteOp w, vector::TransferReadOp r) {
  return w.getBase() == r.getBase() && !w.getMask() && !r.getMask() &&
         w.getIndices() == r.getIndices() &&
         w.getVectorType() == r.getVectorType() &&
         w.getPermutationMap() == r.getPermutationMap();
}

/// After hoisting, a zeroed tile (zeroTilesInRegisters) is stored and read
/// straight back before its k loop: the read takes the stored vector, and
/// the store, which the tile's final write overwrites with nothing reading
/// the buffer in between, goes.
void forwardTileStores(Operation *root) {
  SmallVector<vector::TransferReadOp> reads;
  root->walk([&](vector::TransferReadOp r) { reads.push_back(r); });
  for (vector::TransferReadOp read : reads) {
    vector::TransferWriteOp write;
    for (Operation *prev = read->getPrevNode(); prev;
         prev = prev->getPrevNode()) {
      if (auto w = dyn_cast<vector::TransferWriteOp>(prev)) {
        if (sameAccess(w, read))
          write = w;
        break;
      }
      if (!isMemoryEffectFree(prev))
        break;
    }
    if (!write)
      continue;
    read.getResult().replaceAllUsesWith(write.getVector());
    read->erase();
    // Dead if the same tile is written again before anything else reads
    // its buffer.
    Value base = rootOf(write.getBase());
    for (Operation *next = write->getNextNode(); next;
         next = next->getNextNode()) {
      auto w = dyn_cast<vector::TransferWriteOp>(next);
      if (w && w.getBase() == write.getBase() && !w.getMask() &&
          w.getIndices() == write.getIndices() &&
          w.getVectorType() == write.getVectorType() &&
          w.getPermutationMap() == write.getPermutationMap()) {
        write->erase();
        break;
      }
      bool touches = false;
      next->walk([&](Operation *op) {
        for (Value o : op->getOperands())
          if (isa<BaseMemRefType>(o.getType()) && rootOf(o) == base)
            touches = true;
        if (!isMemoryEffectFree(op) && !isa<MemoryEffectOpInterface>(op) &&
            !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
          touches = true;
      });
      if (touches)
        break;
    }
  }
}

struct VectorizeContractions
    : facet::impl::VectorizeContractionsBase<VectorizeContractions> {
  using VectorizeContractionsBase::VectorizeContractionsBase;

  // Shared: passes are cloned per thread, the parsed script is read-only.
  std::shared_ptr<OwningOpRef<ModuleOp>> script;

  LogicalResult initialize(MLIRContext *ctx) override {
    script = std::make_shared<OwningOpRef<ModuleOp>>(
        parseSourceString<ModuleOp>(kVectorizeScript, ctx));
    return success(script->get() != nullptr);
  }

  void runOnOperation() override {
    bool any = false;
    getOperation()->walk([&](Operation *op) {
      if (op->hasAttr(kVec) || isa<vector::TransposeOp>(op))
        any = true;
    });
    if (!any)
      return;
    auto run = [&](StringRef name) {
      Operation *entry = nullptr;
      (*script)->walk([&](transform::NamedSequenceOp seq) {
        if (seq.getSymName() == name)
          entry = seq;
      });
      return transform::applyTransformNamedSequence(
          getOperation(), entry, script->get(), transform::TransformOptions());
    };
    zeroTilesInRegisters(getOperation());
    if (failed(run("facet_vectorize")))
      return signalPassFailure();
    {
      RewritePatternSet patterns(&getContext());
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      // Not converging is not an error (upstream's fold-memref-alias-ops
      // pass ignores it too): a read through an expand_shape of a
      // higher-rank vector than the shape's source folds into the
      // expand_shape, then the next fold is attempted and undone forever.
      // The bounded number of sweeps (upstream's default) leaves valid,
      // folded IR.
      GreedyRewriteConfig config;
      config.setMaxIterations(10);
      (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
    }
    if (failed(run("facet_hoist")))
      return signalPassFailure();
    hoistAccumulators(getOperation());
    forwardTileStores(getOperation());
    if (failed(run("facet_lower")))
      return signalPassFailure();
  }
};

/// Marked loops whose iterations are independent (tiles writing disjoint
/// parts of the result) become OpenMP worksharing loops:
///   omp.parallel { omp.wsloop { omp.loop_nest (%iv) = ... { body } } }
/// (built here rather than with convert-scf-to-openmp, whose alloca_scope
/// around the body cannot hold the CFG that convert-scf-to-cf makes of
/// the tile loops inside). After bufferization the loops carry no values.
/// Replaces the marked loop `loop` by `omp.wsloop { omp.loop_nest }` at its
/// place (inside an omp.parallel).
void toWsloop(IRRewriter &b, scf::ForOp loop) {
  Location loc = loop.getLoc();
  b.setInsertionPoint(loop);
  auto ws = omp::WsloopOp::create(b, loc);
  b.createBlock(&ws.getRegion());
  auto nest = omp::LoopNestOp::create(
      b, loc, /*collapse_num_loops=*/1, ValueRange{loop.getLowerBound()},
      ValueRange{loop.getUpperBound()}, ValueRange{loop.getStep()},
      /*loop_inclusive=*/false, /*tile_sizes=*/nullptr);
  Block *body = b.createBlock(&nest.getRegion(), {},
                              {loop.getInductionVar().getType()}, {loc});
  loop.getInductionVar().replaceAllUsesWith(body->getArgument(0));
  body->getOperations().splice(body->end(), loop.getBody()->getOperations());
  Operation *yield = body->getTerminator();
  b.setInsertionPoint(yield);
  omp::YieldOp::create(b, yield->getLoc());
  b.eraseOp(yield);
  b.eraseOp(loop);
}

bool isMarked(Operation *op) {
  auto loop = dyn_cast<scf::ForOp>(op);
  return loop && loop->hasAttr(kParallel) && loop.getNumResults() == 0;
}

/// Ops that every thread of a merged region may run (no memory effects:
/// constants, index arithmetic, views).
bool isPureTopLevel(Operation *op) {
  return isMemoryEffectFree(op) && op->getNumRegions() == 0;
}

/// Ops that one thread of a merged region runs (omp.single): side effects,
/// but no results another thread would need.
bool isSerialTopLevel(Operation *op) {
  return op->getNumResults() == 0 && !op->hasTrait<OpTrait::IsTerminator>() &&
         !isa<memref::DeallocOp>(op);
}

/// Marked loops of one block, from the first to the last, become one
/// `omp.parallel`: the marked loops are worksharing loops, the side effects
/// between them run in `omp.single` (both end in a barrier), and pure ops
/// (constants, views) move in front of the region. One fork/join per run of
/// the model instead of one per parallel loop (MiniLM has ~200). A run
/// ends at an op neither pure nor result-free (an allocation, a load whose
/// value is used later).
void mergeRegions(IRRewriter &b, Block &block) {
  SmallVector<SmallVector<Operation *>> spans(1);
  for (Operation &op : block) {
    if (isMarked(&op) || isPureTopLevel(&op) || isSerialTopLevel(&op)) {
      spans.back().push_back(&op);
      continue;
    }
    spans.emplace_back();
  }
  for (SmallVector<Operation *> &span : spans) {
    // Trim to the first and last marked loop.
    auto first = llvm::find_if(span, isMarked);
    auto last = llvm::find_if(llvm::reverse(span), isMarked);
    if (first == span.end())
      continue;
    SmallVector<Operation *> ops(first, last.base());
    if (llvm::count_if(ops, isMarked) < 2) {
      for (Operation *op : ops)
        if (isMarked(op)) {
          // A lone loop: its own region, as before.
          b.setInsertionPoint(op);
          auto par = omp::ParallelOp::create(b, op->getLoc());
          Block *body = b.createBlock(&par.getRegion());
          auto term = omp::TerminatorOp::create(b, op->getLoc());
          op->moveBefore(term);
          (void)body;
          toWsloop(b, cast<scf::ForOp>(op));
        }
      continue;
    }
    Operation *front = ops.front();
    // Pure ops go in front of the region (their operands are pure ops or
    // values from before the run: side-effecting ops here have no results).
    for (Operation *op : ops)
      if (!isMarked(op) && isPureTopLevel(op))
        op->moveBefore(front);
    b.setInsertionPoint(front);
    auto par = omp::ParallelOp::create(b, front->getLoc());
    b.createBlock(&par.getRegion());
    auto term = omp::TerminatorOp::create(b, front->getLoc());
    omp::SingleOp single;
    for (Operation *op : ops) {
      if (isPureTopLevel(op) && !isMarked(op))
        continue;
      if (isMarked(op)) {
        single = {};
        op->moveBefore(term);
        toWsloop(b, cast<scf::ForOp>(op));
        continue;
      }
      if (!single) {
        b.setInsertionPoint(term);
        single = omp::SingleOp::create(b, op->getLoc(), omp::SingleOperands{});
        b.createBlock(&single.getRegion());
        omp::TerminatorOp::create(b, op->getLoc());
      }
      op->moveBefore(single.getRegion().front().getTerminator());
    }
  }
}

/// Marked loops whose iterations are independent (tiles writing disjoint
/// parts of the result) become OpenMP worksharing loops:
///   omp.parallel { omp.wsloop { omp.loop_nest (%iv) = ... { body } } }
/// (built here rather than with convert-scf-to-openmp, whose alloca_scope
/// around the body cannot hold the CFG that convert-scf-to-cf makes of
/// the tile loops inside). After bufferization the loops carry no values.
/// Consecutive marked loops of a function body share one omp.parallel
/// (mergeRegions).
struct ParallelizeTiles : facet::impl::ParallelizeTilesBase<ParallelizeTiles> {
  void runOnOperation() override {
    IRRewriter b(&getContext());
    // Function bodies first: whole runs of loops in one region.
    getOperation()->walk([&](func::FuncOp fn) {
      if (!fn.isExternal() && fn.getBody().hasOneBlock())
        mergeRegions(b, fn.getBody().front());
    });
    // Marked loops anywhere else: a region each.
    SmallVector<scf::ForOp> loops;
    getOperation()->walk([&](scf::ForOp loop) {
      if (isMarked(loop) && !loop->getParentOfType<omp::ParallelOp>())
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      b.setInsertionPoint(loop);
      auto par = omp::ParallelOp::create(b, loop.getLoc());
      b.createBlock(&par.getRegion());
      auto term = omp::TerminatorOp::create(b, loop.getLoc());
      loop->moveBefore(term);
      toWsloop(b, loop);
    }
  }
};

} // namespace
