//===- Layers.cpp - Find factorizable layers and rewrite them -------------===//
//
// Graph level: facet.matmul (x[..., K] · W[K, N]), facet.gemm (transA = 0,
// W constant, any alpha/beta/C) and, for embeddings, facet.gather on axis 0
// of a constant [rows, D] table. Upstream level: linalg contractions (named
// or generic) out[m..., n] = Σ_k x[m..., k]·W[k, n] (or W[n, k]) with a
// constant f32 weight and a mul/add body — the form every MLIR frontend
// lowers a Linear layer to.
//
//===----------------------------------------------------------------------===//

#include "Attention.h"
#include "Internal.h"

#include "facet/Dialect/Facet/IR/FacetOps.h"
#include "facet/Dialect/Factor/IR/FactorOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"

#include <set>

using namespace mlir;
using namespace facet::factorize;

namespace {

/// The constant a graph-level weight comes from, looking through Identity
/// and 2-D Transpose (the torch dynamo exporter stores Linear weights [N, K]
/// and transposes them in the graph); flips `transposed` per Transpose.
Value weightSource(Value v, bool &transposed) {
  while (true) {
    if (auto id = v.getDefiningOp<facet::IdentityOp>()) {
      v = id.getInput();
    } else if (auto t = v.getDefiningOp<facet::TransposeOp>()) {
      if (t.getPerm() != ArrayRef<int64_t>{1, 0})
        return v;
      v = t.getInput();
      transposed = !transposed;
    } else {
      return v;
    }
  }
}

bool isConstantF32Matrix(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)) || !isa<ElementsAttr>(attr))
    return false;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == 2 && type.hasStaticShape() &&
         type.getElementType().isF32();
}

std::string nameOf(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (isa<NameLoc>(l)) {
        loc = l;
        break;
      }
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return "";
}

/// Dims of an indexing map that are plain dimensions, or empty.
SmallVector<unsigned> dimsOf(AffineMap map) {
  SmallVector<unsigned> out;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      return {};
    out.push_back(d.getPosition());
  }
  return out;
}

} // namespace

/// Is `op` a linalg contraction x[m..., k] · W (constant [k, n] or [n, k])?
/// Sets the weight operand index and whether W is [n, k].
bool facet::factorize::detail::matchLinalgLinear(Operation *op, int &weight,
                                                 bool &transposed) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalg::isaContractionOpInterface(linalgOp) ||
      linalgOp.getNumDpsInputs() != 2 || linalgOp.getNumDpsInits() != 1 ||
      !linalgOp.hasPureTensorSemantics())
    return false;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(linalgOp);
  if (failed(dims) || !dims->batch.empty() || dims->k.size() != 1 ||
      dims->n.size() != 1 || dims->m.empty())
    return false;
  unsigned kDim = dims->k[0], nDim = dims->n[0];
  SmallVector<AffineMap> maps = linalgOp.getIndexingMapsArray();
  weight = -1;
  for (int i = 0; i < 2; ++i) {
    SmallVector<unsigned> d = dimsOf(maps[i]);
    if (d == SmallVector<unsigned>{kDim, nDim})
      weight = i, transposed = false;
    else if (d == SmallVector<unsigned>{nDim, kDim})
      weight = i, transposed = true;
  }
  if (weight < 0 || !isConstantF32Matrix(linalgOp.getDpsInputs()[weight]))
    return false;
  SmallVector<unsigned> mDims(dims->m.begin(), dims->m.end());
  SmallVector<unsigned> xExpect = mDims, outExpect = mDims;
  xExpect.push_back(kDim);
  outExpect.push_back(nDim);
  Value x = linalgOp.getDpsInputs()[1 - weight];
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  auto outType =
      dyn_cast<RankedTensorType>(linalgOp.getDpsInits()[0].getType());
  if (dimsOf(maps[1 - weight]) != xExpect || dimsOf(maps[2]) != outExpect ||
      !xType || !outType || !xType.hasStaticShape() ||
      !outType.hasStaticShape() || !xType.getElementType().isF32() ||
      !outType.getElementType().isF32())
    return false;
  // Named matmuls are multiply-accumulate by definition; a generic must be.
  if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    Block &body = generic.getRegion().front();
    if (body.getOperations().size() != 3 ||
        !isa<arith::MulFOp>(body.front()) ||
        !isa<arith::AddFOp>(*std::next(body.begin())))
      return false;
  } else if (!isa<linalg::MatmulOp>(op)) {
    return false;
  }
  return true;
}

std::vector<Layer> facet::factorize::findLayers(ModuleOp module, bool linalg,
                                                bool embeddings,
                                                bool attention) {
  std::vector<Layer> layers;
  // Attention layers own their projections: those are not linear layers.
  llvm::DenseSet<Operation *> owned;
  if (attention && !linalg)
    module.walk([&](facet::AttentionOp op) {
      detail::AttentionSite site;
      if (!detail::matchAttentionSite(op, site, /*read=*/false))
        return;
      for (const detail::Projection *p : {&site.q, &site.k, &site.v, &site.o})
        owned.insert(p->ops.begin(), p->ops.end());
    });
  module.walk([&](Operation *op) {
    Layer layer;
    layer.op = op;
    if (owned.contains(op))
      return;
    if (attention && !linalg && isa<facet::AttentionOp>(op)) {
      detail::AttentionSite site;
      if (!detail::matchAttentionSite(op, site, /*read=*/false))
        return;
      layer.kind = Layer::Attention;
      layer.k = site.q.in;
      layer.n = site.heads * site.dk;
      layer.m = site.batch * site.sq;
      layer.params = site.q.in * site.heads * site.dk +
                     site.k.in * site.heads * site.dk +
                     site.v.in * site.heads * site.dv +
                     site.heads * site.dv * site.o.out;
      layer.activation = site.q.input;
      layer.name = nameOf(op);
      layers.push_back(layer);
      return;
    }
    if (!linalg) {
      if (auto mm = dyn_cast<facet::MatMulOp>(op)) {
        auto x = mm.getLhs().getType();
        bool transposed = false;
        if (x.getRank() < 2 || !x.hasStaticShape() ||
            !x.getElementType().isF32() ||
            !isConstantF32Matrix(weightSource(mm.getRhs(), transposed)))
          return;
        auto w = cast<RankedTensorType>(mm.getRhs().getType());
        layer.k = w.getDimSize(0);
        layer.n = w.getDimSize(1);
        layer.activation = mm.getLhs();
      } else if (auto gemm = dyn_cast<facet::GemmOp>(op)) {
        auto x = gemm.getA().getType();
        bool transposed = false;
        if (gemm.getTransA() || !x.hasStaticShape() ||
            !x.getElementType().isF32() ||
            !isConstantF32Matrix(weightSource(gemm.getB(), transposed)))
          return;
        auto w = cast<RankedTensorType>(gemm.getB().getType());
        layer.k = w.getDimSize(gemm.getTransB() ? 1 : 0);
        layer.n = w.getDimSize(gemm.getTransB() ? 0 : 1);
        layer.activation = gemm.getA();
      } else if (auto gather = dyn_cast<facet::GatherOp>(op)) {
        if (!embeddings || gather.getAxis() != 0 ||
            !isConstantF32Matrix(gather.getData()) ||
            !gather.getIndices().getType().hasStaticShape())
          return;
        auto t = cast<RankedTensorType>(gather.getData().getType());
        layer.kind = Layer::Embedding;
        layer.k = t.getDimSize(0);
        layer.n = t.getDimSize(1);
        layer.activation = gather.getIndices();
        layer.m = gather.getIndices().getType().getNumElements();
      } else {
        return;
      }
    } else {
      int weight;
      bool transposed;
      if (!detail::matchLinalgLinear(op, weight, transposed))
        return;
      auto linalgOp = cast<linalg::LinalgOp>(op);
      auto w = cast<RankedTensorType>(
          linalgOp.getDpsInputs()[weight].getType());
      layer.k = w.getDimSize(transposed ? 1 : 0);
      layer.n = w.getDimSize(transposed ? 0 : 1);
      layer.activation = linalgOp.getDpsInputs()[1 - weight];
    }
    if (layer.kind == Layer::Linear)
      layer.m = cast<RankedTensorType>(layer.activation.getType())
                    .getNumElements() /
                layer.k;
    layer.name = nameOf(op);
    layers.push_back(layer);
  });
  // Unique, never empty names.
  std::set<std::string> seen;
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string &name = layers[i].name;
    if (name.empty())
      name = "layer_" + std::to_string(i);
    std::string base = name;
    for (int dup = 1; !seen.insert(name).second; ++dup)
      name = base + "#" + std::to_string(dup);
  }
  return layers;
}

std::vector<float> facet::factorize::detail::readWeight(const Layer &layer) {
  Value w;
  bool transposed = false;
  if (auto mm = dyn_cast<facet::MatMulOp>(layer.op)) {
    w = weightSource(mm.getRhs(), transposed);
  } else if (auto gemm = dyn_cast<facet::GemmOp>(layer.op)) {
    transposed = gemm.getTransB();
    w = weightSource(gemm.getB(), transposed);
  } else if (auto gather = dyn_cast<facet::GatherOp>(layer.op)) {
    w = gather.getData();
  } else {
    int weight;
    matchLinalgLinear(layer.op, weight, transposed);
    w = cast<linalg::LinalgOp>(layer.op).getDpsInputs()[weight];
  }
  std::vector<double> data;
  if (!facet::factor::readConstant(w, data))
    return {};
  std::vector<float> out(layer.k * layer.n);
  for (int64_t i = 0; i < layer.k; ++i)
    for (int64_t j = 0; j < layer.n; ++j)
      out[i * layer.n + j] =
          static_cast<float>(transposed ? data[j * layer.k + i]
                                        : data[i * layer.n + j]);
  return out;
}

/// `lead` dims kept as they are, then one group of `count` dims: how the
/// last dim K (or N) splits into the network's factors.
static SmallVector<ReassociationIndices> splitLast(int64_t lead,
                                                   size_t count) {
  SmallVector<ReassociationIndices> assoc;
  for (int64_t i = 0; i < lead; ++i)
    assoc.push_back({i});
  ReassociationIndices last;
  for (size_t i = 0; i < count; ++i)
    last.push_back(lead + i);
  assoc.push_back(last);
  return assoc;
}

/// Upper-case letters for the activation's leading dims (the network's own
/// indices are lower case).
static std::string leadingLetters(int64_t count) {
  std::string s;
  for (int64_t i = 0; i < count; ++i)
    s += static_cast<char>('A' + i);
  return s;
}

/// The network's cores as f32 constants (resource blobs "factor_core").
static SmallVector<Value> createCores(OpBuilder &b, Location loc,
                                      const facet::factorize::detail::CoreNetwork &net) {
  SmallVector<Value> cores;
  for (size_t i = 0; i < net.cores.size(); ++i) {
    std::vector<double> data(net.cores[i].begin(), net.cores[i].end());
    cores.push_back(facet::factor::createConstant(
        b, loc, RankedTensorType::get(net.coreShapes[i], b.getF32Type()),
        data, "factor_core"));
  }
  return cores;
}

LogicalResult facet::factorize::detail::rewriteLinear(
    const Layer &layer, const CoreNetwork &net, std::string &error) {
  Operation *op = layer.op;
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto xType = cast<RankedTensorType>(layer.activation.getType());
  int64_t lead = xType.getRank() - 1;
  if (lead > 20) {
    error = "layer '" + layer.name + "': too many leading dims";
    return failure();
  }
  Type f32 = b.getF32Type();
  // x[..., K] -> x[..., k_1, ..., k_d] when the network splits K.
  Value x = layer.activation;
  SmallVector<int64_t> xShape(xType.getShape().drop_back());
  llvm::append_range(xShape, net.inDims);
  if (net.inDims.size() != 1)
    x = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(xShape, f32), x,
        splitLast(lead, net.inDims.size()));
  SmallVector<Value> cores = createCores(b, loc, net);
  std::string letters = leadingLetters(lead);
  facet::contraction::Equation eq;
  eq.inputs.push_back(letters + net.inSub);
  for (const std::string &s : net.coreSubs)
    eq.inputs.push_back(s);
  eq.output = letters + net.outSub;
  SmallVector<int64_t> outShape(xType.getShape().drop_back());
  llvm::append_range(outShape, net.outDims);
  auto contract = facet::factor::ContractOp::create(
      b, loc, RankedTensorType::get(outShape, f32), x, cores, eq.str(),
      net.format, b.getDenseI64ArrayAttr(net.ranks),
      b.getStringAttr(layer.name), b.getF64FloatAttr(net.error),
      /*path=*/nullptr);
  Value y = contract.getResult();
  SmallVector<int64_t> flatShape(xType.getShape().drop_back());
  flatShape.push_back(layer.n);
  if (net.outDims.size() != 1)
    y = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get(flatShape, f32), y,
        splitLast(lead, net.outDims.size()));
  // What the original op added to the product.
  if (auto gemm = dyn_cast<facet::GemmOp>(op)) {
    if (Value c = gemm.getC()) {
      float beta = gemm.getBeta().convertToFloat();
      if (beta != 0.0f) {
        if (beta != 1.0f) {
          auto ct = cast<RankedTensorType>(c.getType());
          Value scale = facet::ConstantOp::create(
              b, loc,
              DenseElementsAttr::get(
                  RankedTensorType::get({}, ct.getElementType()),
                  b.getFloatAttr(ct.getElementType(), beta)));
          c = facet::MulOp::create(b, loc, c, scale);
        }
        y = facet::AddOp::create(b, loc, y, c);
      }
    }
  } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    // The accumulator, unless it is a zero fill.
    Value init = linalgOp.getDpsInits()[0];
    auto fill = init.getDefiningOp<linalg::FillOp>();
    if (!(fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))) {
      auto type = cast<RankedTensorType>(init.getType());
      Value empty = tensor::EmptyOp::create(b, loc, type.getShape(), f32);
      y = linalg::AddOp::create(b, loc, ValueRange{y, init}, ValueRange{empty})
              .getResult(0);
    }
  }
  if (y.getType() != op->getResult(0).getType()) {
    std::string got, want;
    llvm::raw_string_ostream(got) << y.getType();
    llvm::raw_string_ostream(want) << op->getResult(0).getType();
    error = "layer '" + layer.name + "': internal error: factored result " +
            got + " for " + want;
    return failure();
  }
  op->getResult(0).replaceAllUsesWith(y);
  op->erase();
  return success();
}

LogicalResult facet::factorize::detail::rewriteEmbedding(
    const Layer &layer, const CoreNetwork &net, std::string &error) {
  auto gather = cast<facet::GatherOp>(layer.op);
  OpBuilder b(gather);
  Location loc = gather.getLoc();
  SmallVector<Value> cores = createCores(b, loc, net);
  auto op = facet::factor::TTGatherOp::create(
      b, loc, gather.getType(), gather.getIndices(), cores,
      b.getI64IntegerAttr(layer.k), b.getDenseI64ArrayAttr(net.inDims),
      b.getDenseI64ArrayAttr(net.outDims), b.getDenseI64ArrayAttr(net.ranks),
      b.getStringAttr(layer.name), b.getF64FloatAttr(net.error));
  if (failed(mlir::verify(op))) {
    error = "layer '" + layer.name + "': internal error: invalid tt_gather";
    return failure();
  }
  gather.getResult().replaceAllUsesWith(op.getResult());
  gather.erase();
  return success();
}

int64_t facet::factorize::countModelParams(ModuleOp module) {
  int64_t n = 0;
  module.walk([&](Operation *op) {
    if (!op->hasTrait<OpTrait::ConstantLike>() || op->getNumResults() != 1)
      return;
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (type && type.hasStaticShape() && !op->getResult(0).use_empty())
      n += type.getNumElements();
  });
  return n;
}
