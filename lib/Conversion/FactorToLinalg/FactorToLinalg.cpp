//===- FactorToLinalg.cpp - factor.contract to linalg contractions --------===//
//
// A factor.contract becomes its pairwise contractions in the order of its
// `path` (searched here when absent). A step of a run-time tensor with a
// constant core (the common case: the activation through the chain of cores)
// is emitted as a plain 2-D contraction x[M, K] · W[K, N]: the run-time side
// is transposed only when a kept index follows a contracted one, the core is
// permuted and reshaped at compile time. That is the form the CPU code
// generation packs and tiles (facet-pack-weights). Other steps (batch
// indices shared by both sides, outer products, two run-time tensors) are
// one linalg.generic over the union of their indices.
//
// factor.tt_gather becomes d linalg.generic ops: the first gathers the slice
// of the first core, each next one contracts the running product with the
// slice of the next core; the indices' digits are computed in the body.
//
//===----------------------------------------------------------------------===//

#include "facet/Conversion/Passes.h"
#include "facet/Dialect/Factor/IR/FactorOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace facet {
#define GEN_PASS_DEF_CONVERTFACTORTOLINALG
#include "facet/Conversion/Passes.h.inc"
} // namespace facet

using namespace mlir;
using namespace facet::factor;
namespace contraction = facet::contraction;

namespace {

using Sizes = std::vector<std::pair<char, int64_t>>;

struct Item {
  Value value;
  std::string sub;
  bool activation = false;
};

SmallVector<int64_t> shapeOf(const std::string &sub, const Sizes &sizes) {
  SmallVector<int64_t> shape;
  for (char c : sub)
    shape.push_back(contraction::sizeOf(sizes, c));
  return shape;
}

bool has(const std::string &s, char c) { return s.find(c) != std::string::npos; }

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value zero = arith::ConstantOp::create(
      b, loc, type.getElementType(),
      b.getFloatAttr(type.getElementType(), 0.0));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

AffineMap mapOf(const std::string &sub, const std::string &loops,
                MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (char c : sub)
    exprs.push_back(getAffineDimExpr(loops.find(c), ctx));
  return AffineMap::get(loops.size(), 0, exprs, ctx);
}

/// out[result] = Σ a[sa] · b[sb] as one linalg.generic.
Value genericContraction(OpBuilder &b, Location loc, const Item &a,
                         const Item &bi, const std::string &result,
                         const Sizes &sizes, Type et) {
  MLIRContext *ctx = b.getContext();
  std::string loops = result;
  for (char c : a.sub + bi.sub)
    if (!has(loops, c))
      loops += c;
  SmallVector<utils::IteratorType> iters;
  for (char c : loops)
    iters.push_back(has(result, c) ? utils::IteratorType::parallel
                                   : utils::IteratorType::reduction);
  auto outType = RankedTensorType::get(shapeOf(result, sizes), et);
  Value init = zeroFilled(b, loc, outType);
  auto op = linalg::GenericOp::create(
      b, loc, outType, ValueRange{a.value, bi.value}, ValueRange{init},
      ArrayRef<AffineMap>{mapOf(a.sub, loops, ctx), mapOf(bi.sub, loops, ctx),
                          mapOf(result, loops, ctx)},
      iters, [](OpBuilder &nb, Location l, ValueRange args) {
        Value prod = arith::MulFOp::create(nb, l, args[0], args[1]);
        Value sum = arith::AddFOp::create(nb, l, args[2], prod);
        linalg::YieldOp::create(nb, l, sum);
      });
  return op.getResult(0);
}

/// Transposes `v` from subscript `from` to `to` (a no-op when equal).
Value transposeTo(OpBuilder &b, Location loc, Value v, const std::string &from,
                  const std::string &to, const Sizes &sizes, Type et) {
  if (from == to)
    return v;
  SmallVector<int64_t> perm;
  for (char c : to)
    perm.push_back(from.find(c));
  Value init = tensor::EmptyOp::create(b, loc, shapeOf(to, sizes), et);
  return linalg::TransposeOp::create(b, loc, v, init, perm).getResult()[0];
}

/// Groups dims [0, split) and [split, rank) into two (either may be empty,
/// then a unit dim is added).
Value collapseTo2D(OpBuilder &b, Location loc, Value v, int64_t split) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank();
  if (split == 0 || split == rank) {
    // [N] -> [1, N] or [M] -> [M, 1]: expand with a unit dim.
    int64_t n = type.getNumElements();
    SmallVector<int64_t> shape = split == 0 ? SmallVector<int64_t>{1, n}
                                            : SmallVector<int64_t>{n, 1};
    Value flat = v;
    if (rank != 1) {
      SmallVector<ReassociationIndices> all(1);
      for (int64_t i = 0; i < rank; ++i)
        all[0].push_back(i);
      flat = rank == 0
                 ? tensor::ExpandShapeOp::create(
                       b, loc, RankedTensorType::get({1}, type.getElementType()),
                       v, SmallVector<ReassociationIndices>{})
                       .getResult()
                 : tensor::CollapseShapeOp::create(b, loc, v, all).getResult();
    }
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), flat,
        SmallVector<ReassociationIndices>{{0, 1}});
  }
  if (rank == 2 && split == 1)
    return v;
  SmallVector<ReassociationIndices> assoc(2);
  for (int64_t i = 0; i < rank; ++i)
    assoc[i < split ? 0 : 1].push_back(i);
  return tensor::CollapseShapeOp::create(b, loc, v, assoc);
}

/// A run-time `a` times a constant `core` as x[M, K] · W[K, N]; the result is
/// laid out as pairResult(a, core). Returns {} when the step has batch
/// indices or no contracted index (then the generic form is used).
Value gemmStep(OpBuilder &b, Location loc, const Item &a, const Item &core,
               const std::vector<double> &coreData, const std::string &keep,
               const Sizes &sizes, Type et) {
  contraction::GemmSplit split =
      contraction::splitAsGemm(a.sub, core.sub, keep);
  if (!split.gemm)
    return {};
  const std::string &contracted = split.contracted, &freeA = split.freeA,
                    &freeB = split.freeB;
  MLIRContext *ctx = b.getContext();
  // x: kept indices first (their order), contracted ones last.
  Value x = transposeTo(b, loc, a.value, a.sub, freeA + contracted, sizes, et);
  x = collapseTo2D(b, loc, x, freeA.size());
  int64_t k = 1, n = 1, m = 1;
  for (char c : contracted)
    k *= contraction::sizeOf(sizes, c);
  for (char c : freeB)
    n *= contraction::sizeOf(sizes, c);
  for (char c : freeA)
    m *= contraction::sizeOf(sizes, c);
  // A core already laid out [K, N] is used as it is; others are permuted
  // and reshaped into a new constant.
  auto wType = RankedTensorType::get({k, n}, et);
  Value wc = core.value;
  if (core.sub != contracted + freeB || core.value.getType() != wType)
    wc = createConstant(
        b, loc, wType,
        contraction::permute(core.sub, coreData, contracted + freeB, sizes),
        "factor_core");
  auto outType = RankedTensorType::get({m, n}, et);
  Value init = zeroFilled(b, loc, outType);
  AffineExpr dm = getAffineDimExpr(0, ctx), dn = getAffineDimExpr(1, ctx),
             dk = getAffineDimExpr(2, ctx);
  auto mm = linalg::GenericOp::create(
      b, loc, outType, ValueRange{x, wc}, ValueRange{init},
      ArrayRef<AffineMap>{AffineMap::get(3, 0, {dm, dk}, ctx),
                          AffineMap::get(3, 0, {dk, dn}, ctx),
                          AffineMap::get(3, 0, {dm, dn}, ctx)},
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::reduction},
      [](OpBuilder &nb, Location l, ValueRange args) {
        Value prod = arith::MulFOp::create(nb, l, args[0], args[1]);
        Value sum = arith::AddFOp::create(nb, l, args[2], prod);
        linalg::YieldOp::create(nb, l, sum);
      });
  // [M, N] -> the kept indices of a, then the core's.
  std::string result = freeA + freeB;
  SmallVector<int64_t> shape = shapeOf(result, sizes);
  Value r = mm.getResult(0);
  if (shape.size() == 2 && freeA.size() == 1)
    return r;
  SmallVector<ReassociationIndices> assoc(2);
  int64_t pos = 0;
  for (size_t i = 0; i < freeA.size(); ++i)
    assoc[0].push_back(pos++);
  for (size_t i = 0; i < freeB.size(); ++i)
    assoc[1].push_back(pos++);
  if (freeA.empty() || freeB.empty()) {
    // One side has no dims: [1, N] or [M, 1] collapses to the other.
    SmallVector<ReassociationIndices> all(1);
    all[0] = {0, 1};
    auto flatType = RankedTensorType::get({m * n}, et);
    Value flat = tensor::CollapseShapeOp::create(b, loc, flatType, r, all);
    if (shape.size() == 1)
      return flat;
    SmallVector<ReassociationIndices> back(1);
    for (size_t i = 0; i < shape.size(); ++i)
      back[0].push_back(i);
    if (shape.empty())
      return tensor::CollapseShapeOp::create(
          b, loc, RankedTensorType::get({}, et), flat,
          SmallVector<ReassociationIndices>{});
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, et), flat, back);
  }
  return tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(shape, et),
                                       r, assoc);
}

LogicalResult lowerContract(ContractOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Type et = op.getType().getElementType();
  contraction::Equation eq = op.getParsedEquation();
  Sizes sizes = op.getIndexSizes();
  std::vector<contraction::Step> steps = op.getPathSteps();
  if (steps.empty())
    steps = contraction::searchOrder(eq, sizes).steps;

  std::vector<Item> items;
  for (size_t i = 0; i < eq.inputs.size(); ++i)
    items.push_back({op.getOperand(i), eq.inputs[i], i == 0});
  for (const contraction::Step &s : steps) {
    Item a = items[s.lhs], c = items[s.rhs];
    if (c.activation && !a.activation)
      std::swap(a, c);
    std::string keep = eq.output;
    for (size_t i = 0; i < items.size(); ++i)
      if (static_cast<int>(i) != s.lhs && static_cast<int>(i) != s.rhs)
        keep += items[i].sub;
    std::string result = contraction::pairResult(a.sub, c.sub, keep);
    Value v;
    std::vector<double> data, other;
    if (!a.activation && !c.activation && readConstant(a.value, other) &&
        readConstant(c.value, data)) {
      // Two constants: contracted here, at compile time, not on every call.
      v = createConstant(
          b, loc, RankedTensorType::get(shapeOf(result, sizes), et),
          contraction::contractPair(a.sub, other, c.sub, data, result, sizes),
          "factor_core");
    } else if (a.activation && readConstant(c.value, data)) {
      v = gemmStep(b, loc, a, c, data, keep, sizes, et);
    }
    if (!v)
      v = genericContraction(b, loc, a, c, result, sizes, et);
    Item r{v, result, a.activation || c.activation};
    items.erase(items.begin() + s.rhs);
    items.erase(items.begin() + s.lhs);
    items.push_back(r);
  }
  Value result =
      transposeTo(b, loc, items[0].value, items[0].sub, eq.output, sizes, et);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}

LogicalResult lowerTTGather(TTGatherOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Type et = op.getType().getElementType();
  ArrayRef<int64_t> rowDims = op.getRowDims(), colDims = op.getColDims(),
                    ranks = op.getRanks();
  int64_t d = rowDims.size(), rows = op.getRows();
  auto idxType = op.getIndices().getType();
  int64_t tokens = idxType.getNumElements();
  // Indices flattened to [T].
  Value ids = op.getIndices();
  if (idxType.getRank() != 1) {
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < idxType.getRank(); ++i)
      all[0].push_back(i);
    ids = idxType.getRank() == 0
              ? tensor::ExpandShapeOp::create(
                    b, loc,
                    RankedTensorType::get({1}, idxType.getElementType()), ids,
                    SmallVector<ReassociationIndices>{})
                    .getResult()
              : tensor::CollapseShapeOp::create(b, loc, ids, all).getResult();
  }
  // digit k of the clamped index = (i / Π_{l>k} rowDims[l]) % rowDims[k].
  auto digit = [&](OpBuilder &nb, Location l, Value raw, int64_t k) {
    Value i = arith::IndexCastOp::create(nb, l, nb.getIndexType(), raw);
    Value zero = arith::ConstantIndexOp::create(nb, l, 0);
    Value rowsV = arith::ConstantIndexOp::create(nb, l, rows);
    Value isNeg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, i,
                                        zero);
    i = arith::SelectOp::create(nb, l, isNeg,
                                arith::AddIOp::create(nb, l, i, rowsV), i);
    Value maxI = arith::ConstantIndexOp::create(nb, l, rows - 1);
    i = arith::MaxSIOp::create(nb, l, zero,
                               arith::MinSIOp::create(nb, l, i, maxI));
    int64_t below = 1;
    for (int64_t j = k + 1; j < d; ++j)
      below *= rowDims[j];
    if (below > 1)
      i = arith::DivUIOp::create(nb, l, i,
                                 arith::ConstantIndexOp::create(nb, l, below));
    return arith::RemUIOp::create(nb, l, i,
                                  arith::ConstantIndexOp::create(nb, l,
                                                                 rowDims[k]))
        .getResult();
  };
  // running[t, j_1..j_k, r_k]
  Value running;
  SmallVector<int64_t> shape = {tokens};
  for (int64_t k = 0; k < d; ++k) {
    Value core = op.getCores()[k];
    SmallVector<int64_t> outShape = shape;
    outShape.push_back(colDims[k]);
    outShape.push_back(ranks[k + 1]);
    auto outType = RankedTensorType::get(outShape, et);
    int64_t outRank = outShape.size();
    // Loops: the output dims, then r_{k} (the reduced bond) for k > 0.
    int64_t numLoops = outRank + (k > 0 ? 1 : 0);
    AffineExpr t = getAffineDimExpr(0, ctx);
    SmallVector<AffineMap> maps;
    SmallVector<Value> inputs = {ids};
    maps.push_back(AffineMap::get(numLoops, 0, {t}, ctx));
    if (k > 0) {
      inputs.push_back(running);
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < outRank - 2; ++i)
        exprs.push_back(getAffineDimExpr(i, ctx));
      exprs.push_back(getAffineDimExpr(outRank, ctx)); // r_{k}
      maps.push_back(AffineMap::get(numLoops, 0, exprs, ctx));
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(numLoops, ctx)
                       .getSubMap(llvm::to_vector(
                           llvm::seq<unsigned>(0, outRank))));
    SmallVector<utils::IteratorType> iters(outRank,
                                           utils::IteratorType::parallel);
    if (k > 0)
      iters.push_back(utils::IteratorType::reduction);
    Value init = k > 0 ? zeroFilled(b, loc, outType)
                       : tensor::EmptyOp::create(b, loc, outShape, et)
                             .getResult();
    bool first = k == 0;
    auto gen = linalg::GenericOp::create(
        b, loc, outType, inputs, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value dig = digit(nb, l, args[0], k);
          Value j = linalg::IndexOp::create(nb, l, outRank - 2);
          Value rOut = linalg::IndexOp::create(nb, l, outRank - 1);
          Value rIn = first ? arith::ConstantIndexOp::create(nb, l, 0)
                                  .getResult()
                            : linalg::IndexOp::create(nb, l, outRank)
                                  .getResult();
          Value g = tensor::ExtractOp::create(
              nb, l, core, ValueRange{rIn, dig, j, rOut});
          if (first) {
            linalg::YieldOp::create(nb, l, g);
            return;
          }
          Value prod = arith::MulFOp::create(nb, l, args[1], g);
          Value sum = arith::AddFOp::create(nb, l, args[2], prod);
          linalg::YieldOp::create(nb, l, sum);
        });
    running = gen.getResult(0);
    shape.push_back(colDims[k]);
  }
  // [T, j_1..j_d, 1] -> [T, D] -> indices' shape + [D].
  int64_t cols = 1;
  for (int64_t c : colDims)
    cols *= c;
  SmallVector<ReassociationIndices> assoc(2);
  assoc[0].push_back(0);
  for (int64_t i = 1; i < d + 2; ++i)
    assoc[1].push_back(i);
  Value flat = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({tokens, cols}, et), running, assoc);
  Value result = flat;
  if (idxType.getRank() != 1) {
    SmallVector<ReassociationIndices> back(2);
    for (int64_t i = 0; i < idxType.getRank(); ++i)
      back[0].push_back(i);
    back[1].push_back(idxType.getRank());
    if (idxType.getRank() == 0)
      back = {{0, 1}};
    result = idxType.getRank() == 0
                 ? tensor::CollapseShapeOp::create(
                       b, loc, op.getType(), flat,
                       SmallVector<ReassociationIndices>{{0, 1}})
                       .getResult()
                 : tensor::ExpandShapeOp::create(b, loc, op.getType(), flat,
                                                 back)
                       .getResult();
  }
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}

struct ConvertFactorToLinalg
    : facet::impl::ConvertFactorToLinalgBase<ConvertFactorToLinalg> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<ContractOp, TTGatherOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult r = isa<ContractOp>(op)
                            ? lowerContract(cast<ContractOp>(op))
                            : lowerTTGather(cast<TTGatherOp>(op));
      if (failed(r))
        return signalPassFailure();
    }
  }
};

} // namespace
