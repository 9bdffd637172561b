//===- RaiseAttention.cpp - MHA subgraphs to facet.attention --------------===//
//
// Matches from each facet.softmax backwards and forwards:
//
//   q4 [B,Sq,H,Dk] --(transposes, scalar Mul/Div)--> [B,H,Sq,Dk] ┐
//   k4 [B,T,H,Dk]  --(transposes, scalar Mul/Div)--> [B,H,Dk,T]  ┴ matmul
//      --(scalar Mul/Div)*  --[Where(c, ·, fill)]  --[Add(·, mask)]
//      --> softmax(axis = 3) --> matmul with v4 [B,T,H,Dv] --(transpose)-->
//      [B,H,Sq,Dv] --> transpose [0,2,1,3] --> [B,Sq,H,Dv]
//
// q4/k4/v4 are reshaped back to [B,S,H·D] (usually they are reshapes of
// exactly that). A constant Where condition or additive constant that is a
// causal mask (j <= i + c) becomes `causal` with `causal_offset` c; any
// other mask is passed as the op's mask operand. The scores and the
// probabilities must have no other use; anything else leaves the subgraph
// alone.
//
//===----------------------------------------------------------------------===//

#include "facet/Dialect/Facet/Transforms/Passes.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include <cmath>
#include <limits>
#include <optional>

namespace facet {
#define GEN_PASS_DEF_RAISEATTENTION
#include "facet/Dialect/Facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;
using namespace facet;

namespace {

//===----------------------------------------------------------------------===//
// Compile-time values of small constant subgraphs (scales, masks)
//===----------------------------------------------------------------------===//

/// A constant tensor, decoded.
struct Folded {
  SmallVector<int64_t> shape;
  std::vector<double> data;
  int64_t size() const { return static_cast<int64_t>(data.size()); }
};

constexpr int64_t kMaxFold = int64_t(1) << 24;

std::optional<Folded> decodeConstant(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  if (!type.hasStaticShape() || type.getNumElements() > kMaxFold)
    return std::nullopt;
  Folded f;
  f.shape.assign(type.getShape().begin(), type.getShape().end());
  int64_t n = type.getNumElements();
  Type elem = type.getElementType();
  f.data.reserve(n);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (elem.isInteger(1)) {
      for (bool v : dense.getValues<bool>())
        f.data.push_back(v);
    } else if (isa<FloatType>(elem)) {
      for (APFloat v : dense.getValues<APFloat>())
        f.data.push_back(v.convertToDouble());
    } else if (isa<IntegerType>(elem)) {
      for (APInt v : dense.getValues<APInt>())
        f.data.push_back(static_cast<double>(v.getSExtValue()));
    } else {
      return std::nullopt;
    }
    if (dense.isSplat())
      f.data.assign(n, f.data.front());
    return f;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource || !resource.getRawHandle().getBlob())
    return std::nullopt;
  ArrayRef<char> raw = resource.getRawHandle().getBlob()->getData();
  auto read = [&](auto tag) -> bool {
    using T = decltype(tag);
    if (static_cast<int64_t>(raw.size()) != n * int64_t(sizeof(T)))
      return false;
    const T *p = reinterpret_cast<const T *>(raw.data());
    for (int64_t i = 0; i < n; ++i)
      f.data.push_back(static_cast<double>(p[i]));
    return true;
  };
  bool ok = elem.isF32()           ? read(float())
            : elem.isF64()         ? read(double())
            : elem.isInteger(64)   ? read(int64_t())
            : elem.isInteger(32)   ? read(int32_t())
            : elem.isInteger(8)    ? read(int8_t())
                                   : false;
  if (!ok)
    return std::nullopt;
  return f;
}

/// Row-major linear index of `idx` read from `shape` broadcast to `out`.
int64_t broadcastIndex(ArrayRef<int64_t> idx, ArrayRef<int64_t> shape) {
  int64_t off = idx.size() - shape.size(), linear = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    linear = linear * shape[d] + (shape[d] == 1 ? 0 : idx[off + d]);
  return linear;
}

/// Calls fn(linear, multi-index) over a shape.
void forEachIndex(ArrayRef<int64_t> shape,
                  function_ref<void(int64_t, ArrayRef<int64_t>)> fn) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    fn(i, idx);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

/// The value of `v` when it is computed from constants by the ops that
/// build masks and scales (no fold-size limit up to 2^24 elements).
std::optional<Folded> fold(Value v, int depth = 0) {
  if (depth > 16)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() > kMaxFold)
    return std::nullopt;
  Operation *op = v.getDefiningOp();
  if (!op)
    return std::nullopt;
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr)))
    if (auto e = dyn_cast<ElementsAttr>(attr))
      return decodeConstant(e);
  ArrayRef<int64_t> outShape = type.getShape();
  auto elementwise = [&](ValueRange operands,
                         function_ref<double(ArrayRef<double>)> fn)
      -> std::optional<Folded> {
    SmallVector<Folded> in;
    for (Value o : operands) {
      auto f = fold(o, depth + 1);
      if (!f)
        return std::nullopt;
      in.push_back(std::move(*f));
    }
    Folded out;
    out.shape.assign(outShape.begin(), outShape.end());
    out.data.resize(type.getNumElements());
    SmallVector<double> args(in.size());
    forEachIndex(outShape, [&](int64_t i, ArrayRef<int64_t> idx) {
      for (size_t k = 0; k < in.size(); ++k)
        args[k] = in[k].data[broadcastIndex(idx, in[k].shape)];
      out.data[i] = fn(args);
    });
    return out;
  };
  bool isInt = !isa<FloatType>(type.getElementType());
  if (auto c = dyn_cast<CastOp>(op)) {
    bool toBool = type.getElementType().isInteger(1);
    bool toInt = isInt && !toBool;
    return elementwise(c->getOperands(), [&](ArrayRef<double> a) {
      return toBool ? double(a[0] != 0) : toInt ? std::trunc(a[0]) : a[0];
    });
  }
  if (isa<ReshapeOp>(op) || isa<IdentityOp>(op)) {
    auto in = fold(op->getOperand(0), depth + 1);
    if (!in)
      return std::nullopt;
    in->shape.assign(outShape.begin(), outShape.end());
    return in;
  }
  if (isa<ExpandOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return a[0]; });
  if (auto s = dyn_cast<SliceOp>(op)) {
    auto in = fold(s.getInput(), depth + 1);
    if (!in)
      return std::nullopt;
    Folded out;
    out.shape.assign(outShape.begin(), outShape.end());
    out.data.resize(type.getNumElements());
    ArrayRef<int64_t> starts = s.getStarts(), steps = s.getSteps();
    forEachIndex(outShape, [&](int64_t i, ArrayRef<int64_t> idx) {
      int64_t linear = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        linear = linear * in->shape[d] + starts[d] + idx[d] * steps[d];
      out.data[i] = in->data[linear];
    });
    return out;
  }
  if (auto t = dyn_cast<TriluOp>(op)) {
    auto in = fold(t.getInput(), depth + 1);
    if (!in)
      return std::nullopt;
    int64_t rank = outShape.size(), k = t.getK();
    bool upper = t.getUpper();
    forEachIndex(outShape, [&](int64_t i, ArrayRef<int64_t> idx) {
      int64_t diff = idx[rank - 1] - idx[rank - 2];
      bool keep = upper ? diff >= k : diff <= k;
      if (!keep)
        in->data[i] = 0;
    });
    return in;
  }
  if (isa<EqualOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return double(a[0] == a[1]); });
  if (isa<LessOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return double(a[0] < a[1]); });
  if (isa<GreaterOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return double(a[0] > a[1]); });
  if (isa<NotOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return double(a[0] == 0); });
  if (isa<WhereOp>(op))
    return elementwise(op->getOperands(), [](ArrayRef<double> a) {
      return a[0] != 0 ? a[1] : a[2];
    });
  if (isa<NegOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return -a[0]; });
  if (isa<SqrtOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return std::sqrt(a[0]); });
  if (isa<ReciprocalOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return 1.0 / a[0]; });
  if (isa<AddOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return a[0] + a[1]; });
  if (isa<SubOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return a[0] - a[1]; });
  if (isa<MulOp>(op))
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return a[0] * a[1]; });
  if (isa<DivOp>(op) && !isInt)
    return elementwise(op->getOperands(),
                       [](ArrayRef<double> a) { return a[0] / a[1]; });
  return std::nullopt;
}

/// A scalar: a constant (or constant subgraph) whose elements are all equal,
/// shaped so that it broadcasts without growing anything (all dims 1).
std::optional<double> scalarOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() != 1)
    return std::nullopt;
  auto f = fold(v);
  if (!f || f->data.empty())
    return std::nullopt;
  return f->data.front();
}

/// Whether `f` (broadcast to [.., Sq, T]) is the causal pattern
/// keep(i, j) = j <= i + offset, as `keep(value)` says, with every leading
/// dim 1. Sets `offset`; `allKept` when nothing is masked.
bool causalPattern(const Folded &f, int64_t sq, int64_t t,
                   function_ref<bool(double)> keep,
                   function_ref<bool(double)> masked, int64_t &offset,
                   bool &allKept) {
  size_t rank = f.shape.size();
  if (rank < 2)
    return false;
  for (size_t d = 0; d + 2 < rank; ++d)
    if (f.shape[d] != 1)
      return false;
  int64_t mq = f.shape[rank - 2], mk = f.shape[rank - 1];
  if ((mq != sq && mq != 1) || (mk != t && mk != 1))
    return false;
  auto at = [&](int64_t i, int64_t j) {
    return f.data[(mq == 1 ? 0 : i) * mk + (mk == 1 ? 0 : j)];
  };
  // Row 0 keeps a prefix of offset + 1 keys.
  int64_t prefix = 0;
  while (prefix < t && keep(at(0, prefix)))
    ++prefix;
  if (prefix == 0)
    return false;
  offset = prefix - 1;
  allKept = true;
  for (int64_t i = 0; i < sq; ++i)
    for (int64_t j = 0; j < t; ++j) {
      double v = at(i, j);
      bool shouldKeep = j <= i + offset;
      if (shouldKeep ? !keep(v) : !masked(v))
        return false;
      allKept &= shouldKeep;
    }
  return true;
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

bool hasOneUse(Value v) { return v.hasOneUse(); }

/// Skips scalar Mul/Div (x·c, c·x, x/c) of the same type, multiplying
/// `scale`; every skipped value must have one use when `singleUse`.
Value skipScales(Value v, double &scale, bool singleUse) {
  while (true) {
    Operation *op = v.getDefiningOp();
    if (!op || (singleUse && !v.hasOneUse()))
      return v;
    if (auto mul = dyn_cast<MulOp>(op)) {
      std::optional<double> c;
      Value other;
      if ((c = scalarOf(mul.getRhs())))
        other = mul.getLhs();
      else if ((c = scalarOf(mul.getLhs())))
        other = mul.getRhs();
      if (!c || other.getType() != v.getType())
        return v;
      scale *= *c;
      v = other;
      continue;
    }
    if (auto div = dyn_cast<DivOp>(op)) {
      std::optional<double> c = scalarOf(div.getRhs());
      if (!c || *c == 0 || div.getLhs().getType() != v.getType())
        return v;
      scale /= *c;
      v = div.getLhs();
      continue;
    }
    return v;
  }
}

/// Walks back from a 4-D value through transposes and scalar scales to the
/// value it transposes; `perm` is the composed permutation (v = transpose(
/// source, perm)).
Value headSource(Value v, double &scale, SmallVector<int64_t> &perm) {
  perm = {0, 1, 2, 3};
  while (true) {
    v = skipScales(v, scale, /*singleUse=*/false);
    auto t = v.getDefiningOp<TransposeOp>();
    if (!t)
      return v;
    ArrayRef<int64_t> p = t.getPerm();
    for (int64_t &x : perm)
      x = p[x];
    v = t.getInput();
  }
}

struct Match {
  Value q4, k4, v4; // [B, S, H, D]
  double scale = 1;
  Value mask;
  bool causal = false;
  int64_t causalOffset = 0;
  float fill = -std::numeric_limits<float>::infinity();
  bool invertMask = false; // the mask value is a Where condition to negate
  Operation *pv = nullptr;          // p · v
  Operation *merge = nullptr;       // transpose [0,2,1,3] of p·v, if any
  int64_t heads = 0;
};

bool isF32Rank4(Value v);

/// Whether `v` is (scaled, Where-masked) Q·Kᵀ of two rank-4 operands.
bool leadsToScores(Value v) {
  for (int i = 0; i < 8; ++i) {
    double scale = 1;
    v = skipScales(v, scale, /*singleUse=*/false);
    if (auto w = v.getDefiningOp<WhereOp>()) {
      v = scalarOf(w.getY()) ? w.getX() : w.getY();
      continue;
    }
    auto mm = v.getDefiningOp<MatMulOp>();
    return mm && isF32Rank4(mm.getLhs()) && isF32Rank4(mm.getRhs());
  }
  return false;
}

bool isF32Rank4(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == 4 && t.hasStaticShape() &&
         t.getElementType().isF32();
}

/// A mask value: broadcastable to [B, H, Sq, T].
bool broadcastsTo(Value m, ArrayRef<int64_t> full) {
  auto t = dyn_cast<RankedTensorType>(m.getType());
  if (!t || !t.hasStaticShape() || t.getRank() > 4)
    return false;
  SmallVector<int64_t> out;
  return OpTrait::util::getBroadcastedShape(t.getShape(), full, out) &&
         ArrayRef<int64_t>(out) == full;
}

bool matchAttention(SoftmaxOp sm, Match &m) {
  Value s = sm.getInput();
  if (!isF32Rank4(s) || sm.getAxis() != 3 || sm.getLog())
    return false;
  auto sType = cast<RankedTensorType>(s.getType());
  ArrayRef<int64_t> full = sType.getShape(); // [B, H, Sq, T]
  int64_t sq = full[2], t = full[3];

  // The probabilities feed one p · v.
  if (!sm.getResult().hasOneUse())
    return false;
  auto pv = dyn_cast<MatMulOp>(*sm.getResult().getUsers().begin());
  if (!pv || pv.getLhs() != sm.getResult() || !isF32Rank4(pv.getRhs()))
    return false;

  // Masks, from the softmax backwards: [Add(·, mask)] then [Where].
  Value cur = s;
  Value addMask, whereCond;
  float whereFill = 0;
  bool whereInverted = false;
  if (auto add = cur.getDefiningOp<AddOp>(); add && cur.hasOneUse()) {
    // The scores side is the one that leads to the Q·Kᵀ product.
    Value a = add.getLhs(), b = add.getRhs();
    Value scores = leadsToScores(a) ? a : b;
    Value mask = scores == a ? b : a;
    if (scores.getType() != cur.getType() || !broadcastsTo(mask, full) ||
        !cast<RankedTensorType>(mask.getType()).getElementType().isF32())
      return false;
    addMask = mask;
    cur = scores;
  }
  if (auto where = cur.getDefiningOp<WhereOp>(); where && cur.hasOneUse()) {
    std::optional<double> fill;
    Value scores;
    if ((fill = scalarOf(where.getY()))) {
      scores = where.getX();
    } else if ((fill = scalarOf(where.getX()))) {
      scores = where.getY();
      whereInverted = true;
    }
    if (!fill || scores.getType() != cur.getType() ||
        !broadcastsTo(where.getCondition(), full))
      return false;
    whereCond = where.getCondition();
    whereFill = static_cast<float>(*fill);
    cur = scores;
  }
  // Scales, then the Q·Kᵀ product.
  double scale = 1;
  cur = skipScales(cur, scale, /*singleUse=*/true);
  auto qk = cur.getDefiningOp<MatMulOp>();
  if (!qk || !cur.hasOneUse() || !isF32Rank4(qk.getLhs()) ||
      !isF32Rank4(qk.getRhs()))
    return false;

  SmallVector<int64_t> qPerm, kPerm, vPerm;
  Value q4 = headSource(qk.getLhs(), scale, qPerm);
  Value k4 = headSource(qk.getRhs(), scale, kPerm);
  double vScale = 1;
  Value v4 = headSource(pv.getRhs(), vScale, vPerm);
  if (vScale != 1)
    return false; // a scaled V is not part of attention's definition
  if (qPerm != SmallVector<int64_t>{0, 2, 1, 3} ||
      kPerm != SmallVector<int64_t>{0, 2, 3, 1} ||
      vPerm != SmallVector<int64_t>{0, 2, 1, 3})
    return false;
  if (!isF32Rank4(q4) || !isF32Rank4(k4) || !isF32Rank4(v4))
    return false;
  auto qs = cast<RankedTensorType>(q4.getType()).getShape();
  auto ks = cast<RankedTensorType>(k4.getType()).getShape();
  auto vs = cast<RankedTensorType>(v4.getType()).getShape();
  if (qs[0] != full[0] || qs[1] != sq || qs[2] != full[1] || ks[0] != qs[0] ||
      ks[1] != t || ks[2] != qs[2] || ks[3] != qs[3] || vs[0] != qs[0] ||
      vs[1] != t || vs[2] != qs[2])
    return false;

  m = Match();
  m.q4 = q4;
  m.k4 = k4;
  m.v4 = v4;
  m.scale = scale;
  m.heads = qs[2];
  m.pv = pv;

  // Masks: a constant causal pattern becomes `causal`.
  auto negative = [](double v) { return v <= -1e30; };
  if (whereCond) {
    std::optional<Folded> c = fold(whereCond);
    int64_t offset = 0;
    bool allKept = false;
    auto keep = [&](double v) { return (v != 0) != whereInverted; };
    auto masked = [&](double v) { return (v != 0) == whereInverted; };
    if (c && negative(whereFill) &&
        causalPattern(*c, sq, t, keep, masked, offset, allKept)) {
      if (!allKept) {
        m.causal = true;
        m.causalOffset = offset;
        m.fill = whereFill;
      }
    } else {
      if (addMask)
        return false; // one mask operand only
      m.mask = whereCond;
      m.invertMask = whereInverted;
      m.fill = whereFill;
    }
  }
  if (addMask) {
    std::optional<Folded> c = fold(addMask);
    int64_t offset = 0;
    bool allKept = false;
    double maskedValue = 0;
    bool uniform = true;
    if (c)
      for (double v : c->data)
        if (v != 0) {
          uniform &= maskedValue == 0 || v == maskedValue;
          maskedValue = v;
        }
    if (!m.causal && c && uniform && negative(maskedValue) &&
        causalPattern(
            *c, sq, t, [](double v) { return v == 0; },
            [&](double v) { return v == maskedValue; }, offset, allKept)) {
      if (!allKept) {
        m.causal = true;
        m.causalOffset = offset;
        m.fill = static_cast<float>(maskedValue);
      }
    } else if (c && !c->data.empty() &&
               std::all_of(c->data.begin(), c->data.end(),
                           [](double v) { return v == 0; })) {
      // Adding zeros: no mask.
    } else {
      m.mask = addMask;
    }
  }
  // The head merge.
  Value o = pv.getResult();
  if (o.hasOneUse())
    if (auto tr = dyn_cast<TransposeOp>(*o.getUsers().begin()))
      if (tr.getPerm() == ArrayRef<int64_t>{0, 2, 1, 3})
        m.merge = tr;
  return true;
}

/// [B, S, H, D] as [B, S, H·D]: the reshape's source when it is one.
Value merged3D(OpBuilder &b, Location loc, Value v4) {
  auto t = cast<RankedTensorType>(v4.getType());
  auto want = RankedTensorType::get(
      {t.getDimSize(0), t.getDimSize(1), t.getDimSize(2) * t.getDimSize(3)},
      t.getElementType());
  if (auto r = v4.getDefiningOp<ReshapeOp>())
    if (r.getInput().getType() == want)
      return r.getInput();
  return ReshapeOp::create(b, loc, want, v4);
}

void rewrite(const Match &m) {
  OpBuilder b(m.pv);
  Location loc = m.pv->getLoc();
  Value q = merged3D(b, loc, m.q4), k = merged3D(b, loc, m.k4),
        v = merged3D(b, loc, m.v4);
  Value mask = m.mask;
  if (mask && m.invertMask)
    mask = NotOp::create(b, loc, mask);
  auto qt = cast<RankedTensorType>(q.getType());
  auto vt = cast<RankedTensorType>(v.getType());
  auto outType = RankedTensorType::get(
      {qt.getDimSize(0), qt.getDimSize(1), vt.getDimSize(2)},
      qt.getElementType());
  auto attn = AttentionOp::create(
      b, loc, outType, /*present_key=*/Type(), /*present_value=*/Type(), q, k,
      v, mask, /*past_key=*/Value(), /*past_value=*/Value(),
      /*past_length=*/Value(), static_cast<uint64_t>(m.heads),
      /*kv_num_heads=*/IntegerAttr(), APFloat(static_cast<float>(m.scale)),
      m.causal, static_cast<uint64_t>(m.causalOffset), APFloat(m.fill));
  auto v4t = cast<RankedTensorType>(m.v4.getType());
  auto mergedType = RankedTensorType::get(
      {qt.getDimSize(0), qt.getDimSize(1), v4t.getDimSize(2),
       v4t.getDimSize(3)},
      qt.getElementType());
  Value o4 = ReshapeOp::create(b, loc, mergedType, attn.getOutput());
  if (m.merge) {
    m.merge->getResult(0).replaceAllUsesWith(o4);
    // The head merge's reshapes read the attention's output directly.
    for (OpOperand &use : llvm::make_early_inc_range(o4.getUses()))
      if (auto r = dyn_cast<ReshapeOp>(use.getOwner())) {
        if (r.getType() == attn.getOutput().getType())
          r.getResult().replaceAllUsesWith(attn.getOutput());
        else
          r.getInputMutable().assign(attn.getOutput());
      }
  } else {
    Value back = TransposeOp::create(b, loc, m.pv->getResult(0).getType(), o4,
                                     b.getDenseI64ArrayAttr({0, 2, 1, 3}));
    m.pv->getResult(0).replaceAllUsesWith(back);
  }
}

void eraseDeadOps(ModuleOp module) {
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<Operation *> dead;
    module.walk([&](Operation *op) {
      if (isa<FacetDialect>(op->getDialect()) && isOpTriviallyDead(op))
        dead.push_back(op);
    });
    for (Operation *op : llvm::reverse(dead))
      if (isOpTriviallyDead(op)) {
        op->erase();
        changed = true;
      }
  }
}

struct RaiseAttentionPass
    : facet::impl::RaiseAttentionBase<RaiseAttentionPass> {
  void runOnOperation() override { raiseAttention(getOperation()); }
};

} // namespace

int64_t facet::raiseAttention(ModuleOp module) {
  eraseDeadOps(module);
  SmallVector<SoftmaxOp> softmaxes;
  module.walk([&](SoftmaxOp sm) { softmaxes.push_back(sm); });
  int64_t raised = 0;
  for (SoftmaxOp sm : softmaxes) {
    Match m;
    if (!matchAttention(sm, m))
      continue;
    rewrite(m);
    ++raised;
  }
  if (raised)
    eraseDeadOps(module);
  return raised;
}
