//===- FacetOps.cpp - facet dialect operations ----------------------------===//
//
// Shape inference follows the ONNX operator specification; it is the single
// source of truth for result types (the importer builds ops through it and the
// verifier checks against it).
//
//===----------------------------------------------------------------------===//

#include "facet/Dialect/Facet/IR/FacetOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace facet;

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

/// Two dims are compatible when equal or when either is unknown.
static bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOp::verify() {
  if (!isa<ElementsAttr>(getValue()))
    return emitOpError("value must be an elements attribute, got ")
           << getValue();
  if (!getType().hasStaticShape())
    return emitOpError("value must have a static shape");
  return success();
}

//===----------------------------------------------------------------------===//
// IdentityOp
//===----------------------------------------------------------------------===//

OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }

//===----------------------------------------------------------------------===//
// Shape inference (shared with the importer, see FacetOps.h)
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType> facet::inferMatMulType(RankedTensorType lhsType,
                                                   RankedTensorType rhsType,
                                                   std::string &error) {
  llvm::raw_string_ostream err(error);
  if (lhsType.getElementType() != rhsType.getElementType()) {
    err << "operands have different element types: " << lhsType.getElementType()
        << " and " << rhsType.getElementType();
    return failure();
  }
  ArrayRef<int64_t> a = lhsType.getShape(), b = rhsType.getShape();
  if (a.empty() || b.empty()) {
    err << "operands must have rank >= 1, got " << shapeStr(a) << " and "
        << shapeStr(b);
    return failure();
  }
  // numpy.matmul: 1-D operands are promoted to matrices.
  int64_t k1 = a.back();
  int64_t k2 = b.size() == 1 ? b[0] : b[b.size() - 2];
  if (!dimsCompatible(k1, k2)) {
    err << "inner dimensions differ: " << shapeStr(a) << " x " << shapeStr(b);
    return failure();
  }
  ArrayRef<int64_t> aBatch =
      a.size() > 2 ? a.drop_back(2) : ArrayRef<int64_t>();
  ArrayRef<int64_t> bBatch =
      b.size() > 2 ? b.drop_back(2) : ArrayRef<int64_t>();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(aBatch, bBatch, shape)) {
    err << "batch dimensions do not broadcast: " << shapeStr(a) << " x "
        << shapeStr(b);
    return failure();
  }
  if (a.size() >= 2)
    shape.push_back(a[a.size() - 2]);
  if (b.size() >= 2)
    shape.push_back(b.back());
  return RankedTensorType::get(shape, lhsType.getElementType());
}

FailureOr<RankedTensorType> facet::inferGemmType(RankedTensorType aType,
                                                 RankedTensorType bType,
                                                 RankedTensorType cType,
                                                 bool transA, bool transB,
                                                 std::string &error) {
  llvm::raw_string_ostream err(error);
  if (aType.getRank() != 2 || bType.getRank() != 2) {
    err << "A and B must be 2-D, got " << shapeStr(aType.getShape()) << " and "
        << shapeStr(bType.getShape());
    return failure();
  }
  if (aType.getElementType() != bType.getElementType()) {
    err << "A and B have different element types";
    return failure();
  }
  int64_t m = aType.getDimSize(transA ? 1 : 0);
  int64_t k1 = aType.getDimSize(transA ? 0 : 1);
  int64_t k2 = bType.getDimSize(transB ? 1 : 0);
  int64_t n = bType.getDimSize(transB ? 0 : 1);
  if (!dimsCompatible(k1, k2)) {
    err << "inner dimensions differ: A " << shapeStr(aType.getShape())
        << (transA ? " (transposed)" : "") << ", B "
        << shapeStr(bType.getShape()) << (transB ? " (transposed)" : "");
    return failure();
  }
  if (cType) {
    if (cType.getElementType() != aType.getElementType()) {
      err << "C has a different element type";
      return failure();
    }
    // C must broadcast unidirectionally to [M, N].
    ArrayRef<int64_t> cs = cType.getShape();
    SmallVector<int64_t> mn = {m, n};
    if (cs.size() > 2) {
      err << "C has rank " << cs.size() << ", must be at most 2";
      return failure();
    }
    for (size_t i = 0; i < cs.size(); ++i) {
      int64_t target = mn[2 - cs.size() + i];
      if (cs[i] != 1 && !dimsCompatible(cs[i], target)) {
        err << "C of shape " << shapeStr(cs) << " does not broadcast to "
            << shapeStr(mn);
        return failure();
      }
    }
  }
  return RankedTensorType::get({m, n}, aType.getElementType());
}

FailureOr<RankedTensorType> facet::inferBroadcastType(RankedTensorType lhs,
                                                      RankedTensorType rhs,
                                                      std::string &error) {
  llvm::raw_string_ostream err(error);
  if (lhs.getElementType() != rhs.getElementType()) {
    err << "operands have different element types: " << lhs.getElementType()
        << " and " << rhs.getElementType();
    return failure();
  }
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.getShape(), rhs.getShape(),
                                          shape)) {
    err << "operand shapes " << shapeStr(lhs.getShape()) << " and "
        << shapeStr(rhs.getShape()) << " do not broadcast";
    return failure();
  }
  return RankedTensorType::get(shape, lhs.getElementType());
}

static LogicalResult pushInferred(FailureOr<RankedTensorType> type,
                                  const std::string &error,
                                  std::optional<Location> location,
                                  SmallVectorImpl<Type> &inferred) {
  if (failed(type))
    return emitOptionalError(location, error);
  inferred.push_back(*type);
  return success();
}

LogicalResult MatMulOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  MatMulOp::Adaptor adaptor(operands, attributes, properties, regions);
  std::string error;
  auto type = inferMatMulType(
      cast<RankedTensorType>(adaptor.getLhs().getType()),
      cast<RankedTensorType>(adaptor.getRhs().getType()), error);
  return pushInferred(type, error, location, inferredReturnTypes);
}

LogicalResult
GemmOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                         ValueRange operands, DictionaryAttr attributes,
                         OpaqueProperties properties, RegionRange regions,
                         SmallVectorImpl<Type> &inferredReturnTypes) {
  GemmOp::Adaptor adaptor(operands, attributes, properties, regions);
  std::string error;
  Value c = adaptor.getC();
  auto type = inferGemmType(cast<RankedTensorType>(adaptor.getA().getType()),
                            cast<RankedTensorType>(adaptor.getB().getType()),
                            c ? cast<RankedTensorType>(c.getType())
                              : RankedTensorType(),
                            adaptor.getTransA(), adaptor.getTransB(), error);
  return pushInferred(type, error, location, inferredReturnTypes);
}

static LogicalResult inferBroadcastBinary(ValueRange operands,
                                          std::optional<Location> location,
                                          SmallVectorImpl<Type> &inferred,
                                          Type resultElement) {
  std::string error;
  auto type =
      inferBroadcastType(cast<RankedTensorType>(operands[0].getType()),
                         cast<RankedTensorType>(operands[1].getType()), error);
  if (failed(type))
    return emitOptionalError(location, error);
  inferred.push_back(resultElement ? type->clone(resultElement) : *type);
  return success();
}

#define FACET_BROADCAST_INFER(OP, RESULT_ELEMENT)                              \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *context, std::optional<Location> location,                  \
      ValueRange operands, DictionaryAttr, OpaqueProperties, RegionRange,      \
      SmallVectorImpl<Type> &inferredReturnTypes) {                            \
    return inferBroadcastBinary(operands, location, inferredReturnTypes,       \
                                RESULT_ELEMENT);                               \
  }
FACET_BROADCAST_INFER(AddOp, Type())
FACET_BROADCAST_INFER(SubOp, Type())
FACET_BROADCAST_INFER(MulOp, Type())
FACET_BROADCAST_INFER(DivOp, Type())
FACET_BROADCAST_INFER(PowOp, Type())
FACET_BROADCAST_INFER(MinOp, Type())
FACET_BROADCAST_INFER(MaxOp, Type())
FACET_BROADCAST_INFER(EqualOp, IntegerType::get(context, 1))
FACET_BROADCAST_INFER(LessOp, IntegerType::get(context, 1))
FACET_BROADCAST_INFER(GreaterOp, IntegerType::get(context, 1))
#undef FACET_BROADCAST_INFER

FailureOr<RankedTensorType> facet::inferWhereType(RankedTensorType cond,
                                                  RankedTensorType x,
                                                  RankedTensorType y,
                                                  std::string &error) {
  llvm::raw_string_ostream err(error);
  if (x.getElementType() != y.getElementType()) {
    err << "branches have different element types: " << x.getElementType()
        << " and " << y.getElementType();
    return failure();
  }
  SmallVector<int64_t> xy, all;
  if (!OpTrait::util::getBroadcastedShape(x.getShape(), y.getShape(), xy) ||
      !OpTrait::util::getBroadcastedShape(xy, cond.getShape(), all)) {
    err << "shapes " << shapeStr(cond.getShape()) << ", "
        << shapeStr(x.getShape()) << " and " << shapeStr(y.getShape())
        << " do not broadcast";
    return failure();
  }
  return RankedTensorType::get(all, x.getElementType());
}

LogicalResult
WhereOp::inferReturnTypes(MLIRContext *context,
                          std::optional<Location> location, ValueRange operands,
                          DictionaryAttr, OpaqueProperties, RegionRange,
                          SmallVectorImpl<Type> &inferredReturnTypes) {
  std::string error;
  auto type =
      inferWhereType(cast<RankedTensorType>(operands[0].getType()),
                     cast<RankedTensorType>(operands[1].getType()),
                     cast<RankedTensorType>(operands[2].getType()), error);
  return pushInferred(type, error, location, inferredReturnTypes);
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

static bool isScalarLike(Type t) {
  auto r = cast<RankedTensorType>(t);
  return r.getRank() == 0 || (r.getRank() == 1 && r.getDimSize(0) == 1);
}

LogicalResult ClipOp::verify() {
  for (Value bound : {getMin(), getMax()}) {
    if (!bound)
      continue;
    if (!isScalarLike(bound.getType()))
      return emitOpError("bounds must be scalars, got ") << bound.getType();
    if (getElementTypeOrSelf(bound.getType()) !=
        getElementTypeOrSelf(getInput().getType()))
      return emitOpError("bounds must have the input's element type");
  }
  if (getInput().getType() != getResult().getType())
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult CastOp::verify() {
  if (getInput().getType().getShape() != getResult().getType().getShape())
    return emitOpError("cannot change the shape: ")
           << getInput().getType() << " to " << getResult().getType();
  for (Type t : {getInput().getType().getElementType(),
                 getResult().getType().getElementType()})
    if (!t.isIntOrFloat())
      return emitOpError("unsupported element type ") << t;
  return success();
}

static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType().getRank());
}

LogicalResult LayerNormOp::verify() {
  auto in = getInput().getType();
  if (failed(verifyAxis(*this, getAxis(), in.getRank())))
    return failure();
  ArrayRef<int64_t> normShape = in.getShape().drop_front(getAxis());
  for (Value v : {getScale(), getBias()}) {
    if (!v)
      continue;
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> b;
    if (t.getElementType() != in.getElementType() ||
        !OpTrait::util::getBroadcastedShape(t.getShape(), normShape, b) ||
        ArrayRef<int64_t>(b) != normShape)
      return emitOpError("scale and bias must broadcast to the normalized "
                         "shape ")
             << shapeStr(normShape) << ", got " << t;
  }
  if (getResult().getType() != in)
    return emitOpError("result type must equal the input type");
  return success();
}

FailureOr<RankedTensorType> facet::inferReduceType(RankedTensorType input,
                                                   ArrayRef<int64_t> axes,
                                                   bool keepdims,
                                                   std::string &error) {
  for (int64_t a : axes)
    if (a < 0 || a >= input.getRank()) {
      error = "reduction axis " + std::to_string(a) +
              " is out of range for rank " + std::to_string(input.getRank());
      return failure();
    }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < input.getRank(); ++i) {
    if (!llvm::is_contained(axes, i))
      shape.push_back(input.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  return RankedTensorType::get(shape, input.getElementType());
}

LogicalResult ReduceOp::verify() {
  StringRef kind = getKind();
  if (kind != "sum" && kind != "mean" && kind != "max" && kind != "l2")
    return emitOpError("unknown reduction kind '") << kind << "'";
  ArrayRef<int64_t> axes = getAxes();
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] <= axes[i - 1])
      return emitOpError("axes must be sorted and unique");
  std::string error;
  auto type = inferReduceType(getInput().getType(), axes, getKeepdims(), error);
  if (failed(type))
    return emitOpError(error);
  if (*type != getResult().getType())
    return emitOpError("result type must be ") << *type;
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("cannot change the element type");
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << in << " (" << in.getNumElements() << " elements) to " << out;
  return success();
}

LogicalResult TransposeOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  ArrayRef<int64_t> perm = getPerm();
  if (static_cast<int64_t>(perm.size()) != in.getRank())
    return emitOpError("perm has ")
           << perm.size() << " entries for rank " << in.getRank();
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOpError("perm is not a permutation");
    seen[p] = true;
    shape.push_back(in.getDimSize(p));
  }
  auto expected = RankedTensorType::get(shape, in.getElementType());
  if (out != expected)
    return emitOpError("result type must be ") << expected;
  return success();
}

LogicalResult ExpandOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  SmallVector<int64_t> b;
  if (in.getElementType() != out.getElementType() ||
      !OpTrait::util::getBroadcastedShape(in.getShape(), out.getShape(), b) ||
      ArrayRef<int64_t>(b) != out.getShape())
    return emitOpError("cannot broadcast ") << in << " to " << out;
  return success();
}

LogicalResult ConcatOp::verify() {
  auto out = getResult().getType();
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  if (failed(verifyAxis(*this, getAxis(), out.getRank())))
    return failure();
  int64_t total = 0;
  for (Value v : getInputs()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getElementType() != out.getElementType() ||
        t.getRank() != out.getRank())
      return emitOpError("inputs must have the result's rank and element "
                         "type, got ")
             << t;
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != static_cast<int64_t>(getAxis()) &&
          t.getDimSize(d) != out.getDimSize(d))
        return emitOpError("input ") << t << " differs from the result " << out
                                     << " outside the concatenation axis";
    total += t.getDimSize(getAxis());
  }
  if (total != out.getDimSize(getAxis()))
    return emitOpError("inputs add up to ")
           << total << " along the axis, the result has "
           << out.getDimSize(getAxis());
  return success();
}

LogicalResult SliceOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  int64_t rank = in.getRank();
  if (static_cast<int64_t>(getStarts().size()) != rank ||
      static_cast<int64_t>(getSteps().size()) != rank || out.getRank() != rank)
    return emitOpError("starts, steps and result must have the input's rank");
  for (int64_t d = 0; d < rank; ++d) {
    int64_t n = out.getDimSize(d), start = getStarts()[d], step = getSteps()[d];
    if (step == 0)
      return emitOpError("step of dimension ") << d << " is zero";
    if (n == 0)
      continue;
    int64_t last = start + (n - 1) * step;
    if (start < 0 || start >= in.getDimSize(d) || last < 0 ||
        last >= in.getDimSize(d))
      return emitOpError("dimension ")
             << d << " reads out of bounds: start " << start << ", step "
             << step << ", " << n << " elements of " << in.getDimSize(d);
  }
  return success();
}

LogicalResult GatherOp::verify() {
  auto data = getData().getType(), idx = getIndices().getType();
  if (failed(verifyAxis(*this, getAxis(), data.getRank())))
    return failure();
  SmallVector<int64_t> shape(data.getShape().take_front(getAxis()));
  llvm::append_range(shape, idx.getShape());
  llvm::append_range(shape, data.getShape().drop_front(getAxis() + 1));
  auto expected = RankedTensorType::get(shape, data.getElementType());
  if (getResult().getType() != expected)
    return emitOpError("result type must be ") << expected;
  return success();
}

LogicalResult TriluOp::verify() {
  if (getInput().getType().getRank() < 2)
    return emitOpError("input must have rank >= 2");
  return success();
}

LogicalResult EinsumOp::verify() {
  StringRef eq = getEquation();
  if (!eq.contains("->") || eq.contains("."))
    return emitOpError("equation must be explicit and ellipsis-free, got '")
           << eq << "'";
  auto [lhs, out] = eq.split("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != getInputs().size())
    return emitOpError("equation has ") << terms.size() << " operand terms for "
                                        << getInputs().size() << " inputs";
  llvm::StringMap<int64_t> sizes;
  Type elem = getResult().getType().getElementType();
  for (auto [term, v] : llvm::zip(terms, getInputs())) {
    auto t = cast<RankedTensorType>(v.getType());
    if (static_cast<int64_t>(term.size()) != t.getRank())
      return emitOpError("term '")
             << term << "' has " << term.size() << " indices for operand " << t;
    if (t.getElementType() != elem)
      return emitOpError("operands must have the result's element type");
    for (auto [i, c] : llvm::enumerate(term)) {
      if (!llvm::isAlpha(c))
        return emitOpError("index '") << c << "' is not a letter";
      auto [it, inserted] =
          sizes.try_emplace(std::string(1, c), t.getDimSize(i));
      if (!inserted && it->second != t.getDimSize(i))
        return emitOpError("index '") << c << "' has sizes " << it->second
                                      << " and " << t.getDimSize(i);
    }
  }
  auto res = getResult().getType();
  if (static_cast<int64_t>(out.size()) != res.getRank())
    return emitOpError("output term '") << out << "' does not match " << res;
  for (auto [i, c] : llvm::enumerate(out)) {
    auto it = sizes.find(std::string(1, c));
    if (it == sizes.end())
      return emitOpError("output index '") << c << "' appears in no operand";
    if (it->second != res.getDimSize(i))
      return emitOpError("output index '")
             << c << "' has size " << it->second << ", result has "
             << res.getDimSize(i);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Constant folding. The exporters' shape arithmetic (Shape, Gather, Concat,
// Unsqueeze, Range, Equal/Where on int64 vectors, masks from Trilu) folds
// away at import. Only small dense constants fold: weights stay as they are.
//===----------------------------------------------------------------------===//

static constexpr int64_t kFoldLimit = 1 << 16;

static DenseElementsAttr foldable(Attribute a) {
  auto d = dyn_cast_or_null<DenseElementsAttr>(a);
  if (!d || d.getNumElements() > kFoldLimit)
    return {};
  return d;
}

static SmallVector<Attribute> elementsOf(DenseElementsAttr d) {
  return SmallVector<Attribute>(d.getValues<Attribute>().begin(),
                                d.getValues<Attribute>().end());
}

/// Row-major strides of a shape.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Multi-index of a linear index.
static SmallVector<int64_t> unravel(int64_t linear, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> idx(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = linear % shape[d];
    linear /= shape[d];
  }
  return idx;
}

/// Linear index into an operand broadcast (numpy rules) to `outShape`.
static int64_t broadcastSource(int64_t linear, ArrayRef<int64_t> outShape,
                               ArrayRef<int64_t> inShape) {
  int64_t src = 0, stride = 1;
  int64_t offset = outShape.size() - inShape.size();
  for (int64_t d = static_cast<int64_t>(outShape.size()) - 1; d >= 0; --d) {
    int64_t idx = linear % outShape[d];
    linear /= outShape[d];
    int64_t id = d - offset;
    if (id < 0)
      continue;
    if (inShape[id] != 1)
      src += idx * stride;
    stride *= inShape[id];
  }
  return src;
}

/// Folds an elementwise op over broadcast constant operands; `fn` maps the
/// operands' values at one position to the result's, or null to give up.
static OpFoldResult
foldElementwise(ArrayRef<Attribute> operands, RankedTensorType resultType,
                function_ref<Attribute(ArrayRef<Attribute>)> fn) {
  if (!resultType.hasStaticShape() || resultType.getNumElements() > kFoldLimit)
    return {};
  SmallVector<DenseElementsAttr> dense;
  SmallVector<SmallVector<Attribute>> vals;
  for (Attribute a : operands) {
    DenseElementsAttr d = foldable(a);
    if (!d)
      return {};
    dense.push_back(d);
    vals.push_back(elementsOf(d));
  }
  SmallVector<Attribute> out, args(dense.size());
  for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i) {
    for (size_t k = 0; k < dense.size(); ++k)
      args[k] = vals[k][broadcastSource(i, resultType.getShape(),
                                        dense[k].getType().getShape())];
    Attribute r = fn(args);
    if (!r)
      return {};
    out.push_back(r);
  }
  return DenseElementsAttr::get(resultType, out);
}

static std::optional<APFloat> asFloat(Attribute a) {
  if (auto f = dyn_cast<FloatAttr>(a))
    return f.getValue();
  return std::nullopt;
}
static APInt asInt(Attribute a) { return cast<IntegerAttr>(a).getValue(); }

/// Folds a binary arithmetic op; integers use signed semantics.
static OpFoldResult
foldArith(ArrayRef<Attribute> operands, Type type,
          function_ref<std::optional<APFloat>(APFloat, APFloat)> ffn,
          function_ref<std::optional<APInt>(APInt, APInt)> ifn) {
  auto resultType = cast<RankedTensorType>(type);
  Type elem = resultType.getElementType();
  return foldElementwise(operands, resultType,
                         [&](ArrayRef<Attribute> v) -> Attribute {
                           if (isa<FloatType>(elem)) {
                             auto r = ffn(*asFloat(v[0]), *asFloat(v[1]));
                             return r ? FloatAttr::get(elem, *r) : Attribute();
                           }
                           auto r = ifn(asInt(v[0]), asInt(v[1]));
                           return r ? IntegerAttr::get(elem, *r) : Attribute();
                         });
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldArith(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> { return a + b; },
      [](APInt a, APInt b) -> std::optional<APInt> { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldArith(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> { return a - b; },
      [](APInt a, APInt b) -> std::optional<APInt> { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldArith(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> { return a * b; },
      [](APInt a, APInt b) -> std::optional<APInt> { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldArith(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> { return a / b; },
      [](APInt a, APInt b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt;
        return a.sdiv(b);
      });
}

OpFoldResult PowOp::fold(FoldAdaptor) { return {}; }

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldArith(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> {
        return llvm::minimum(a, b);
      },
      [](APInt a, APInt b) -> std::optional<APInt> {
        return a.slt(b) ? a : b;
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldArith(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> {
        return llvm::maximum(a, b);
      },
      [](APInt a, APInt b) -> std::optional<APInt> {
        return a.sgt(b) ? a : b;
      });
}

/// Folds a comparison; `pred` gets -1/0/1, or nullopt for unordered floats.
static OpFoldResult foldCompare(ArrayRef<Attribute> operands, Type type,
                                function_ref<bool(std::optional<int>)> pred) {
  auto resultType = cast<RankedTensorType>(type);
  Type i1 = resultType.getElementType();
  return foldElementwise(
      operands, resultType, [&](ArrayRef<Attribute> v) -> Attribute {
        std::optional<int> c;
        if (auto fa = asFloat(v[0])) {
          APFloat::cmpResult r = fa->compare(*asFloat(v[1]));
          if (r != APFloat::cmpUnordered)
            c = r == APFloat::cmpLessThan ? -1 : r == APFloat::cmpEqual ? 0 : 1;
        } else {
          APInt a = asInt(v[0]), b = asInt(v[1]);
          bool less = a.getBitWidth() == 1 ? a.ult(b) : a.slt(b);
          c = less ? -1 : a == b ? 0 : 1;
        }
        return IntegerAttr::get(i1, pred(c) ? 1 : 0);
      });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getOperands(), getType(),
                     [](std::optional<int> c) { return c && *c == 0; });
}
OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getOperands(), getType(),
                     [](std::optional<int> c) { return c && *c < 0; });
}
OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getOperands(), getType(),
                     [](std::optional<int> c) { return c && *c > 0; });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(adaptor.getOperands(),
                         cast<RankedTensorType>(getType()),
                         [](ArrayRef<Attribute> v) -> Attribute {
                           return asInt(v[0]).isZero() ? v[2] : v[1];
                         });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  return foldElementwise(
      adaptor.getOperands(), type, [&](ArrayRef<Attribute> v) -> Attribute {
        if (auto f = asFloat(v[0]))
          return FloatAttr::get(type.getElementType(), -*f);
        return IntegerAttr::get(type.getElementType(), -asInt(v[0]));
      });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  return foldElementwise(
      adaptor.getOperands(), type, [&](ArrayRef<Attribute> v) -> Attribute {
        return IntegerAttr::get(type.getElementType(), ~asInt(v[0]));
      });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (getInput().getType() == type)
    return getInput();
  Type to = type.getElementType();
  return foldElementwise(
      adaptor.getOperands(), type, [&](ArrayRef<Attribute> v) -> Attribute {
        if (auto f = asFloat(v[0])) {
          if (auto ft = dyn_cast<FloatType>(to)) {
            bool lost;
            APFloat r = *f;
            r.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                      &lost);
            return FloatAttr::get(to, r);
          }
          if (to.isInteger(1))
            return IntegerAttr::get(to, f->isZero() ? 0 : 1);
          APSInt r(to.getIntOrFloatBitWidth(), /*isUnsigned=*/false);
          bool exact;
          f->convertToInteger(r, APFloat::rmTowardZero, &exact);
          return IntegerAttr::get(to, r);
        }
        APInt i = asInt(v[0]);
        bool isBool = i.getBitWidth() == 1;
        if (auto ft = dyn_cast<FloatType>(to)) {
          APFloat r(ft.getFloatSemantics());
          r.convertFromAPInt(i, /*IsSigned=*/!isBool,
                             APFloat::rmNearestTiesToEven);
          return FloatAttr::get(to, r);
        }
        unsigned width = to.getIntOrFloatBitWidth();
        if (width == 1)
          return IntegerAttr::get(to, i.isZero() ? 0 : 1);
        return IntegerAttr::get(to,
                                isBool ? i.zext(width) : i.sextOrTrunc(width));
      });
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // A reshape of a reshape reads the original.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  if (auto d = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return d.reshape(cast<ShapedType>(getType()));
  return {};
}

/// Builds a constant whose element i is the input's element `source(i)`;
/// `source` returns -1 to give up.
static OpFoldResult gatherElements(Attribute input, RankedTensorType type,
                                   function_ref<int64_t(int64_t)> source) {
  DenseElementsAttr d = foldable(input);
  if (!d || type.getNumElements() > kFoldLimit)
    return {};
  if (d.isSplat())
    return DenseElementsAttr::get(type, d.getSplatValue<Attribute>());
  SmallVector<Attribute> vals = elementsOf(d), out;
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    int64_t s = source(i);
    if (s < 0 || s >= static_cast<int64_t>(vals.size()))
      return {};
    out.push_back(vals[s]);
  }
  return DenseElementsAttr::get(type, out);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return getInput();
  auto type = cast<RankedTensorType>(getType());
  SmallVector<int64_t> inStrides = stridesOf(getInput().getType().getShape());
  return gatherElements(adaptor.getInput(), type, [&](int64_t i) {
    SmallVector<int64_t> idx = unravel(i, type.getShape());
    int64_t s = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      s += idx[d] * inStrides[perm[d]];
    return s;
  });
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto type = cast<RankedTensorType>(getType());
  ArrayRef<int64_t> inShape = getInput().getType().getShape();
  return gatherElements(adaptor.getInput(), type, [&](int64_t i) {
    return broadcastSource(i, type.getShape(), inShape);
  });
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs()[0];
  auto type = cast<RankedTensorType>(getType());
  if (type.getNumElements() > kFoldLimit)
    return {};
  SmallVector<SmallVector<Attribute>> vals;
  for (Attribute a : adaptor.getInputs()) {
    DenseElementsAttr d = foldable(a);
    if (!d)
      return {};
    vals.push_back(elementsOf(d));
  }
  int64_t axis = getAxis();
  SmallVector<Attribute> out;
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    SmallVector<int64_t> idx = unravel(i, type.getShape());
    int64_t pos = idx[axis];
    for (auto [k, v] : llvm::enumerate(getInputs())) {
      auto t = cast<RankedTensorType>(v.getType());
      if (pos < t.getDimSize(axis)) {
        idx[axis] = pos;
        SmallVector<int64_t> strides = stridesOf(t.getShape());
        int64_t s = 0;
        for (size_t d = 0; d < idx.size(); ++d)
          s += idx[d] * strides[d];
        out.push_back(vals[k][s]);
        break;
      }
      pos -= t.getDimSize(axis);
    }
  }
  return DenseElementsAttr::get(type, out);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (getInput().getType() == type &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  SmallVector<int64_t> inStrides = stridesOf(getInput().getType().getShape());
  return gatherElements(adaptor.getInput(), type, [&](int64_t i) {
    SmallVector<int64_t> idx = unravel(i, type.getShape());
    int64_t s = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      s += (getStarts()[d] + idx[d] * getSteps()[d]) * inStrides[d];
    return s;
  });
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr indices = foldable(adaptor.getIndices());
  if (!indices)
    return {};
  SmallVector<APInt> idxVals(indices.getValues<APInt>().begin(),
                             indices.getValues<APInt>().end());
  auto type = cast<RankedTensorType>(getType());
  ArrayRef<int64_t> dataShape = getData().getType().getShape();
  SmallVector<int64_t> dataStrides = stridesOf(dataShape);
  int64_t axis = getAxis();
  int64_t idxRank = indices.getType().getRank();
  SmallVector<int64_t> idxStrides = stridesOf(indices.getType().getShape());
  return gatherElements(adaptor.getData(), type, [&](int64_t i) -> int64_t {
    SmallVector<int64_t> idx = unravel(i, type.getShape());
    int64_t flat = 0;
    for (int64_t d = 0; d < idxRank; ++d)
      flat += idx[axis + d] * idxStrides[d];
    int64_t at = idxVals[flat].getSExtValue();
    if (at < 0)
      at += dataShape[axis];
    if (at < 0 || at >= dataShape[axis])
      return -1;
    int64_t s = 0;
    for (int64_t d = 0; d < axis; ++d)
      s += idx[d] * dataStrides[d];
    s += at * dataStrides[axis];
    for (int64_t d = axis + 1; d < static_cast<int64_t>(dataShape.size()); ++d)
      s += idx[d + idxRank - 1] * dataStrides[d];
    return s;
  });
}

OpFoldResult TriluOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr d = foldable(adaptor.getInput());
  if (!d)
    return {};
  auto type = cast<RankedTensorType>(getType());
  Type elem = type.getElementType();
  Attribute zero = isa<FloatType>(elem) ? Attribute(FloatAttr::get(elem, 0.0))
                                        : Attribute(IntegerAttr::get(elem, 0));
  SmallVector<Attribute> vals = elementsOf(d), out;
  if (d.isSplat())
    vals.assign(type.getNumElements(), d.getSplatValue<Attribute>());
  int64_t rows = type.getDimSize(type.getRank() - 2);
  int64_t cols = type.getDimSize(type.getRank() - 1);
  int64_t k = static_cast<int64_t>(getK());
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    int64_t c = i % cols, r = (i / cols) % rows;
    bool keep = getUpper() ? c - r >= k : c - r <= k;
    out.push_back(keep ? vals[i] : zero);
  }
  return DenseElementsAttr::get(type, out);
}

#define GET_OP_CLASSES
#include "facet/Dialect/Facet/IR/FacetOps.cpp.inc"
