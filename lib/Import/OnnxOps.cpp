//===- OnnxOps.cpp - Per-op translation of ONNX nodes ---------------------===//
//
// One handler per ONNX op (default domain, opsets 1-21 where the forms
// differ: axes as attribute or input, Split's forms, Clip's bounds, Softmax
// before and after opset 13). Inputs that fix a shape (Reshape's shape,
// Slice's starts, ...) must be constants once the graph's shape arithmetic
// has folded; every op is folded as soon as it is built, so Shape -> Gather
// -> Unsqueeze -> Concat -> Reshape chains become constants on the fly.
//
//===----------------------------------------------------------------------===//

#include "OnnxOps.h"

#include "facet/Dialect/Facet/IR/FacetOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace facet;
using namespace facet::importer;

namespace {

using Results = FailureOr<SmallVector<Value>>;

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

LogicalResult expectInputs(NodeContext &c, size_t lo, size_t hi) {
  size_t n = c.operands.size();
  if (n < lo || n > hi) {
    auto d = c.error() << "expects ";
    if (lo == hi)
      d << lo;
    else
      d << "between " << lo << " and " << hi;
    d << " inputs, got " << n;
    return d;
  }
  for (size_t i = 0; i < lo; ++i)
    if (!c.operands[i])
      return c.error() << "required input " << i << " is missing";
  return success();
}

/// The optional input `i`, or null.
Value optionalInput(NodeContext &c, size_t i) {
  return i < c.operands.size() ? c.operands[i] : Value();
}

int64_t intAttr(NodeContext &c, StringRef name, int64_t dflt) {
  auto it = c.attrs.find(name);
  return it == c.attrs.end() ? dflt : it->second->i();
}
float floatAttr(NodeContext &c, StringRef name, float dflt) {
  auto it = c.attrs.find(name);
  return it == c.attrs.end() ? dflt : it->second->f();
}
std::optional<SmallVector<int64_t>> intsAttr(NodeContext &c, StringRef name) {
  auto it = c.attrs.find(name);
  if (it == c.attrs.end())
    return std::nullopt;
  return SmallVector<int64_t>(it->second->ints().begin(),
                              it->second->ints().end());
}
std::string stringAttr(NodeContext &c, StringRef name, StringRef dflt) {
  auto it = c.attrs.find(name);
  return it == c.attrs.end() ? dflt.str() : it->second->s();
}

/// The elements of a constant operand, if it is one.
ElementsAttr constantOf(Value v) {
  Attribute attr;
  if (v && matchPattern(v, m_Constant(&attr)))
    return dyn_cast<ElementsAttr>(attr);
  return {};
}

/// Integer values of an operand that must be constant (a shape, axes, ...).
FailureOr<SmallVector<int64_t>> constantInts(NodeContext &c, Value v,
                                             StringRef what) {
  ElementsAttr attr = constantOf(v);
  if (!attr || !isa<IntegerType>(attr.getElementType()))
    return c.error() << what
                     << " must be a constant integer tensor (computed from "
                        "static shapes), but it depends on run-time values";
  SmallVector<int64_t> out;
  for (APInt i : attr.getValues<APInt>())
    out.push_back(i.getSExtValue());
  return out;
}

FailureOr<int64_t> normalizeAxis(NodeContext &c, int64_t axis, int64_t rank,
                                 StringRef what = "axis") {
  int64_t r = std::max<int64_t>(rank, 1);
  if (axis < -r || axis >= r)
    return c.error() << what << " " << axis << " is out of range for rank "
                     << rank;
  return axis < 0 ? axis + rank : axis;
}

/// Verifies a freshly built op (its messages get the node prefix) and folds
/// it when its operands are constants.
Results finish(NodeContext &c, Operation *op) {
  {
    bool busy = false;
    ScopedDiagnosticHandler handler(
        op->getContext(), [&](Diagnostic &d) -> LogicalResult {
          if (busy || d.getSeverity() != DiagnosticSeverity::Error)
            return failure();
          busy = true;
          emitError(c.loc) << c.desc << ": " << d.str();
          busy = false;
          return success();
        });
    if (failed(verify(op)))
      return failure();
  }
  return foldOrKeep(c.b, op);
}

Results finishOne(NodeContext &c, Operation *op) { return finish(c, op); }

Value single(Results r) { return (*r)[0]; }

/// Inferred-type check that reports at the node instead of asserting.
template <typename InferFn, typename... Args>
FailureOr<RankedTensorType> infer(NodeContext &c, InferFn fn, Args... args) {
  std::string error;
  FailureOr<RankedTensorType> t = fn(args..., error);
  if (failed(t))
    return c.error() << error;
  return t;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

Results importMatMul(NodeContext &c) {
  if (failed(expectInputs(c, 2, 2)))
    return failure();
  auto t =
      infer(c, inferMatMulType, typeOf(c.operands[0]), typeOf(c.operands[1]));
  if (failed(t))
    return failure();
  return finish(c,
                MatMulOp::create(c.b, c.loc, *t, c.operands[0], c.operands[1]));
}

Results importGemm(NodeContext &c) {
  if (failed(expectInputs(c, 2, 3)))
    return failure();
  Value cIn = optionalInput(c, 2);
  bool transA = intAttr(c, "transA", 0) != 0;
  bool transB = intAttr(c, "transB", 0) != 0;
  auto t = infer(c, inferGemmType, typeOf(c.operands[0]), typeOf(c.operands[1]),
                 cIn ? typeOf(cIn) : RankedTensorType(), transA, transB);
  if (failed(t))
    return failure();
  return finish(
      c, GemmOp::create(c.b, c.loc, *t, c.operands[0], c.operands[1], cIn,
                        c.b.getF32FloatAttr(floatAttr(c, "alpha", 1.0f)),
                        c.b.getF32FloatAttr(floatAttr(c, "beta", 1.0f)),
                        c.b.getBoolAttr(transA), c.b.getBoolAttr(transB)));
}

Results importEinsum(NodeContext &c) {
  if (c.operands.empty())
    return c.error() << "needs at least one input";
  for (Value v : c.operands)
    if (!v)
      return c.error() << "inputs cannot be omitted";
  std::string eq;
  for (char ch : stringAttr(c, "equation", ""))
    if (!isspace(static_cast<unsigned char>(ch)))
      eq.push_back(ch);
  auto arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  SmallVector<std::string> terms;
  for (StringRef t : llvm::split(lhs, ','))
    terms.push_back(t.str());
  if (terms.size() != c.operands.size())
    return c.error() << "equation '" << eq << "' has " << terms.size()
                     << " operand terms for " << c.operands.size() << " inputs";
  // Ellipses become capital letters, as many as the widest operand needs.
  int64_t ellipsisRank = 0;
  for (auto [t, v] : llvm::zip(terms, c.operands)) {
    size_t pos = t.find("...");
    if (pos != std::string::npos)
      ellipsisRank = std::max<int64_t>(
          ellipsisRank, typeOf(v).getRank() - (int64_t(t.size()) - 3));
  }
  auto expand = [&](std::string t, int64_t rank) {
    size_t pos = t.find("...");
    if (pos == std::string::npos)
      return t;
    int64_t n = rank - (int64_t(t.size()) - 3);
    std::string letters;
    for (int64_t i = ellipsisRank - n; i < ellipsisRank; ++i)
      letters.push_back('A' + i);
    return t.substr(0, pos) + letters + t.substr(pos + 3);
  };
  for (auto [t, v] : llvm::zip(terms, c.operands))
    t = expand(t, typeOf(v).getRank());
  std::string out;
  if (arrow != std::string::npos) {
    out = eq.substr(arrow + 2);
    std::string ell;
    for (int64_t i = 0; i < ellipsisRank; ++i)
      ell.push_back('A' + i);
    size_t pos = out.find("...");
    if (pos != std::string::npos)
      out = out.substr(0, pos) + ell + out.substr(pos + 3);
  } else {
    // Implicit output: ellipsis dims, then letters seen once, sorted.
    std::map<char, int> counts;
    for (const std::string &t : terms)
      for (char ch : t)
        counts[ch]++;
    for (int64_t i = 0; i < ellipsisRank; ++i)
      out.push_back('A' + i);
    for (auto [ch, n] : counts)
      if (n == 1 && islower(static_cast<unsigned char>(ch)))
        out.push_back(ch);
  }
  // Result shape from the operands' index sizes.
  std::map<char, int64_t> sizes;
  for (auto [t, v] : llvm::zip(terms, c.operands)) {
    auto type = typeOf(v);
    if (static_cast<int64_t>(t.size()) != type.getRank())
      return c.error() << "term '" << t << "' does not match operand " << type;
    for (auto [i, ch] : llvm::enumerate(t))
      sizes.emplace(ch, type.getDimSize(i));
  }
  SmallVector<int64_t> shape;
  for (char ch : out) {
    if (!sizes.count(ch))
      return c.error() << "output index '" << ch << "' is in no operand";
    shape.push_back(sizes[ch]);
  }
  std::string normalized = llvm::join(terms, ",") + "->" + out;
  auto type =
      RankedTensorType::get(shape, typeOf(c.operands[0]).getElementType());
  return finish(c, EinsumOp::create(c.b, c.loc, type, c.operands,
                                    c.b.getStringAttr(normalized)));
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename OpT>
Results buildBinary(NodeContext &c, Value lhs, Value rhs) {
  std::string error;
  FailureOr<RankedTensorType> t =
      inferBroadcastType(typeOf(lhs), typeOf(rhs), error);
  if (failed(t))
    return c.error() << error;
  Type result = *t;
  if (std::is_same_v<OpT, EqualOp> || std::is_same_v<OpT, LessOp> ||
      std::is_same_v<OpT, GreaterOp>)
    result = t->clone(c.b.getI1Type());
  return finish(c, OpT::create(c.b, c.loc, result, lhs, rhs));
}

template <typename OpT> Results importBinary(NodeContext &c) {
  if (failed(expectInputs(c, 2, 2)))
    return failure();
  return buildBinary<OpT>(c, c.operands[0], c.operands[1]);
}

Results importPow(NodeContext &c) {
  if (failed(expectInputs(c, 2, 2)))
    return failure();
  Value base = c.operands[0], exponent = c.operands[1];
  Type elem = typeOf(base).getElementType();
  if (typeOf(exponent).getElementType() != elem) {
    // ONNX allows another exponent type; compute in the base's type.
    Results cast = finish(
        c, CastOp::create(c.b, c.loc, typeOf(exponent).clone(elem), exponent));
    if (failed(cast))
      return failure();
    exponent = single(cast);
  }
  return buildBinary<PowOp>(c, base, exponent);
}

/// Min and Max take one or more inputs.
template <typename OpT> Results importVariadic(NodeContext &c) {
  if (c.operands.empty())
    return c.error() << "needs at least one input";
  Value acc = c.operands[0];
  for (Value v : ArrayRef<Value>(c.operands).drop_front()) {
    Results r = buildBinary<OpT>(c, acc, v);
    if (failed(r))
      return failure();
    acc = single(r);
  }
  return SmallVector<Value>{acc};
}

Results importWhere(NodeContext &c) {
  if (failed(expectInputs(c, 3, 3)))
    return failure();
  auto t = infer(c, inferWhereType, typeOf(c.operands[0]),
                 typeOf(c.operands[1]), typeOf(c.operands[2]));
  if (failed(t))
    return failure();
  return finish(c, WhereOp::create(c.b, c.loc, *t, c.operands[0], c.operands[1],
                                   c.operands[2]));
}

template <typename OpT> Results importUnary(NodeContext &c) {
  if (failed(expectInputs(c, 1, 1)))
    return failure();
  return finish(
      c, OpT::create(c.b, c.loc, c.operands[0].getType(), c.operands[0]));
}

Results importGelu(NodeContext &c) {
  if (failed(expectInputs(c, 1, 1)))
    return failure();
  std::string approx = stringAttr(c, "approximate", "none");
  if (approx != "none" && approx != "tanh")
    return c.error() << "unknown approximate='" << approx
                     << "' (expected 'none' or 'tanh')";
  return finish(c, GeluOp::create(c.b, c.loc, c.operands[0].getType(),
                                  c.operands[0],
                                  c.b.getBoolAttr(approx == "tanh")));
}

/// A scalar constant of `elem` type.
Value scalarConstant(NodeContext &c, Type elem, double v) {
  auto type = RankedTensorType::get({}, elem);
  Attribute a =
      isa<FloatType>(elem)
          ? Attribute(FloatAttr::get(elem, v))
          : Attribute(IntegerAttr::get(elem, static_cast<int64_t>(v)));
  return ConstantOp::create(c.b, c.loc, DenseElementsAttr::get(type, a));
}

Results importClip(NodeContext &c) {
  if (failed(expectInputs(c, 1, 3)))
    return failure();
  Value x = c.operands[0];
  Value lo = optionalInput(c, 1), hi = optionalInput(c, 2);
  Type elem = typeOf(x).getElementType();
  if (c.opset < 11) {
    if (c.attrs.count("min"))
      lo = scalarConstant(c, elem, floatAttr(c, "min", 0));
    if (c.attrs.count("max"))
      hi = scalarConstant(c, elem, floatAttr(c, "max", 0));
  }
  return finish(c, ClipOp::create(c.b, c.loc, x.getType(), x, lo, hi));
}

FailureOr<Type> onnxElementType(NodeContext &c, int64_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
    return Type(c.b.getF32Type());
  case onnx::TensorProto::DOUBLE:
    return Type(c.b.getF64Type());
  case onnx::TensorProto::FLOAT16:
    return Type(c.b.getF16Type());
  case onnx::TensorProto::BFLOAT16:
    return Type(c.b.getBF16Type());
  case onnx::TensorProto::INT8:
    return Type(c.b.getIntegerType(8));
  case onnx::TensorProto::INT16:
    return Type(c.b.getIntegerType(16));
  case onnx::TensorProto::INT32:
    return Type(c.b.getI32Type());
  case onnx::TensorProto::INT64:
    return Type(c.b.getI64Type());
  case onnx::TensorProto::BOOL:
    return Type(c.b.getI1Type());
  default:
    return c.error() << "element type " << dtype << " is not supported";
  }
}

Results importCast(NodeContext &c) {
  if (failed(expectInputs(c, 1, 1)))
    return failure();
  if (!c.attrs.count("to"))
    return c.error() << "missing attribute 'to'";
  FailureOr<Type> to = onnxElementType(c, intAttr(c, "to", 0));
  if (failed(to))
    return failure();
  return finish(c, CastOp::create(c.b, c.loc, typeOf(c.operands[0]).clone(*to),
                                  c.operands[0]));
}

//===----------------------------------------------------------------------===//
// Normalizations and reductions
//===----------------------------------------------------------------------===//

/// Reshape helper: builds and folds a facet.reshape.
Results reshape(NodeContext &c, Value v, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, typeOf(v).getElementType());
  return finish(c, ReshapeOp::create(c.b, c.loc, type, v));
}

template <bool Log> Results importSoftmax(NodeContext &c) {
  if (failed(expectInputs(c, 1, 1)))
    return failure();
  Value x = c.operands[0];
  auto type = typeOf(x);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis =
      normalizeAxis(c, intAttr(c, "axis", c.opset >= 13 ? -1 : 1), rank);
  if (failed(axis))
    return failure();
  if (c.opset >= 13 || rank == 0)
    return finish(c, SoftmaxOp::create(c.b, c.loc, type, x,
                                       c.b.getI64IntegerAttr(*axis),
                                       c.b.getBoolAttr(Log)));
  // Before opset 13 the input is coerced to 2-D [prod(:axis), prod(axis:)].
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < *axis ? rows : cols) *= type.getDimSize(d);
  Results flat = reshape(c, x, {rows, cols});
  if (failed(flat))
    return failure();
  Value flatV = single(flat);
  Results sm = finish(c, SoftmaxOp::create(c.b, c.loc, flatV.getType(), flatV,
                                           c.b.getI64IntegerAttr(1),
                                           c.b.getBoolAttr(Log)));
  if (failed(sm))
    return failure();
  return reshape(c, single(sm), type.getShape());
}

/// ONNX Attention (opset 23): scaled dot-product attention of projected
/// q/k/v, 3-D ([B, S, heads·D], with q_num_heads / kv_num_heads) or 4-D
/// ([B, heads, S, D]); optional attn_mask, past_key/past_value (appended),
/// is_causal; outputs Y and optionally present_key/present_value.
Results importAttention(NodeContext &c) {
  if (failed(expectInputs(c, 3, 6)))
    return failure();
  if (c.node.input_size() > 6)
    return c.error() << "nonpad_kv_seqlen (opset 24) is not supported";
  if (c.node.output_size() > 3 && !c.node.output(3).empty())
    return c.error() << "the qk_matmul_output output is not supported";
  if (floatAttr(c, "softcap", 0.0f) != 0.0f)
    return c.error() << "softcap is not supported";
  Value q = c.operands[0], k = c.operands[1], v = c.operands[2];
  Value mask = optionalInput(c, 3), pastK = optionalInput(c, 4),
        pastV = optionalInput(c, 5);
  auto qt = typeOf(q), kt = typeOf(k), vt = typeOf(v);
  int64_t rank = qt.getRank();
  if ((rank != 3 && rank != 4) || kt.getRank() != rank ||
      vt.getRank() != rank)
    return c.error() << "Q, K and V must all be 3-D or all 4-D";
  int64_t heads, kvHeads;
  auto to3D = [&](Value x) -> FailureOr<Value> {
    // [B, heads, S, D] -> [B, S, heads, D] -> [B, S, heads·D]
    auto t = typeOf(x);
    SmallVector<int64_t> s = {t.getDimSize(0), t.getDimSize(2),
                              t.getDimSize(1), t.getDimSize(3)};
    Results tr = finish(c, TransposeOp::create(
                               c.b, c.loc,
                               RankedTensorType::get(s, t.getElementType()), x,
                               c.b.getDenseI64ArrayAttr({0, 2, 1, 3})));
    if (failed(tr))
      return failure();
    Results r = reshape(c, single(tr), {s[0], s[1], s[2] * s[3]});
    if (failed(r))
      return failure();
    return single(r);
  };
  if (rank == 4) {
    if (c.attrs.count("q_num_heads") || c.attrs.count("kv_num_heads"))
      return c.error() << "q_num_heads and kv_num_heads are for 3-D inputs";
    heads = qt.getDimSize(1);
    kvHeads = kt.getDimSize(1);
    for (Value *x : {&q, &k, &v}) {
      FailureOr<Value> r = to3D(*x);
      if (failed(r))
        return failure();
      *x = *r;
    }
  } else {
    heads = intAttr(c, "q_num_heads", 0);
    kvHeads = intAttr(c, "kv_num_heads", 0);
    if (heads < 1 || kvHeads < 1)
      return c.error() << "3-D inputs need q_num_heads and kv_num_heads";
  }
  auto q3 = typeOf(q);
  if (q3.getDimSize(2) % heads != 0)
    return c.error() << "Q's hidden size " << q3.getDimSize(2)
                     << " is not divisible by q_num_heads " << heads;
  int64_t dk = q3.getDimSize(2) / heads;
  float scale = c.attrs.count("scale")
                    ? floatAttr(c, "scale", 1.0f)
                    : static_cast<float>(1.0 / std::sqrt(double(dk)));
  bool presents = c.node.output_size() > 1;
  int64_t b = q3.getDimSize(0), sq = q3.getDimSize(1);
  int64_t skv = typeOf(k).getDimSize(1);
  int64_t p = pastK ? typeOf(pastK).getDimSize(2) : 0;
  int64_t dv = typeOf(v).getDimSize(2) / std::max<int64_t>(kvHeads, 1);
  auto elem = q3.getElementType();
  auto outType = RankedTensorType::get({b, sq, heads * dv}, elem);
  Type pkType, pvType;
  if (presents) {
    pkType = RankedTensorType::get({b, kvHeads, p + skv, dk}, elem);
    pvType = RankedTensorType::get({b, kvHeads, p + skv, dv}, elem);
  }
  auto attn = AttentionOp::create(
      c.b, c.loc, outType, pkType, pvType, q, k, v, mask, pastK, pastV,
      /*past_length=*/Value(), c.b.getI64IntegerAttr(heads),
      kvHeads == heads ? IntegerAttr() : c.b.getI64IntegerAttr(kvHeads),
      c.b.getF32FloatAttr(scale),
      c.b.getBoolAttr(intAttr(c, "is_causal", 0) != 0),
      c.b.getI64IntegerAttr(0),
      c.b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  Results y = finish(c, attn);
  if (failed(y))
    return failure();
  SmallVector<Value> out = {attn.getOutput()};
  if (rank == 4) {
    Results r = reshape(c, out[0], {b, sq, heads, dv});
    if (failed(r))
      return failure();
    Results tr = finish(
        c, TransposeOp::create(c.b, c.loc,
                               RankedTensorType::get({b, heads, sq, dv}, elem),
                               single(r), c.b.getDenseI64ArrayAttr({0, 2, 1, 3})));
    if (failed(tr))
      return failure();
    out[0] = single(tr);
  }
  if (presents) {
    out.push_back(attn.getPresentKey());
    out.push_back(attn.getPresentValue());
  }
  return out;
}

Results importLayerNorm(NodeContext &c) {
  if (failed(expectInputs(c, 2, 3)))
    return failure();
  Value x = c.operands[0];
  auto type = typeOf(x);
  FailureOr<int64_t> axis = normalizeAxis(c, intAttr(c, "axis", -1),
                                          type.getRank());
  if (failed(axis))
    return failure();
  float eps = floatAttr(c, "epsilon", 1e-5f);
  Results y = finish(c, LayerNormOp::create(
                            c.b, c.loc, x.getType(), x, c.operands[1],
                            optionalInput(c, 2), c.b.getI64IntegerAttr(*axis),
                            c.b.getF32FloatAttr(eps)));
  if (failed(y) || c.node.output_size() == 1)
    return y;
  // The optional Mean and InvStdDev outputs (shape: the normalized dims set to
  // 1), computed apart from the fused op only when a model asks for them.
  SmallVector<int64_t> axes;
  for (int64_t d = *axis; d < type.getRank(); ++d)
    axes.push_back(d);
  std::string error;
  auto stat = inferReduceType(type, axes, /*keepdims=*/true, error);
  auto reduceMean = [&](Value v) {
    return finish(c, ReduceOp::create(c.b, c.loc, *stat, v,
                                      c.b.getStringAttr("mean"),
                                      c.b.getDenseI64ArrayAttr(axes),
                                      c.b.getBoolAttr(true)));
  };
  Results mean = reduceMean(x);
  if (failed(mean))
    return failure();
  Results centered = buildBinary<SubOp>(c, x, single(mean));
  if (failed(centered))
    return failure();
  Results sq = buildBinary<MulOp>(c, single(centered), single(centered));
  if (failed(sq))
    return failure();
  Results var = reduceMean(single(sq));
  if (failed(var))
    return failure();
  Results shifted = buildBinary<AddOp>(
      c, single(var), scalarConstant(c, type.getElementType(), eps));
  if (failed(shifted))
    return failure();
  Results root = finish(c, SqrtOp::create(c.b, c.loc, *stat, single(shifted)));
  if (failed(root))
    return failure();
  Results inv = finish(c, ReciprocalOp::create(c.b, c.loc, *stat, single(root)));
  if (failed(inv))
    return failure();
  return SmallVector<Value>{single(y), single(mean), single(inv)};
}

/// Axes of a Reduce*/Squeeze/Unsqueeze: attribute before `inputSince`, the
/// second input from then on; nullopt when absent.
FailureOr<std::optional<SmallVector<int64_t>>> axesOf(NodeContext &c,
                                                      int64_t inputSince) {
  if (c.opset < inputSince)
    return intsAttr(c, "axes");
  if (c.attrs.count("axes"))
    return c.error() << "attribute 'axes' is not valid in opset " << c.opset
                     << " (axes are the second input since opset " << inputSince
                     << ")";
  Value axes = optionalInput(c, 1);
  if (!axes)
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> v = constantInts(c, axes, "axes");
  if (failed(v))
    return failure();
  return std::optional<SmallVector<int64_t>>(*v);
}

FailureOr<SmallVector<int64_t>>
normalizeAxes(NodeContext &c, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    FailureOr<int64_t> n = normalizeAxis(c, a, rank);
    if (failed(n))
      return failure();
    if (llvm::is_contained(out, *n))
      return c.error() << "axis " << a << " is repeated";
    out.push_back(*n);
  }
  llvm::sort(out);
  return out;
}

template <int Kind> Results importReduce(NodeContext &c) {
  static const char *kinds[] = {"sum", "mean", "max", "l2"};
  if (failed(expectInputs(c, 1, 2)))
    return failure();
  Value x = c.operands[0];
  auto type = typeOf(x);
  // ReduceSum takes axes as an input from opset 13, the others from 18.
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      axesOf(c, Kind == 0 ? 13 : 18);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> list;
  if (axes->has_value() && !(*axes)->empty()) {
    FailureOr<SmallVector<int64_t>> n =
        normalizeAxes(c, **axes, type.getRank());
    if (failed(n))
      return failure();
    list = *n;
  } else if (!intAttr(c, "noop_with_empty_axes", 0)) {
    for (int64_t d = 0; d < type.getRank(); ++d)
      list.push_back(d);
  }
  bool keepdims = intAttr(c, "keepdims", 1) != 0;
  auto t = infer(c, inferReduceType, type, ArrayRef<int64_t>(list), keepdims);
  if (failed(t))
    return failure();
  if (Kind == 3 && !isa<FloatType>(type.getElementType()))
    return c.error() << "ReduceL2 of integers is not supported";
  return finish(c, ReduceOp::create(c.b, c.loc, *t, x,
                                    c.b.getStringAttr(kinds[Kind]),
                                    c.b.getDenseI64ArrayAttr(list),
                                    c.b.getBoolAttr(keepdims)));
}

//===----------------------------------------------------------------------===//
// Shapes and data movement
//===----------------------------------------------------------------------===//

Results importReshape(NodeContext &c) {
  if (failed(expectInputs(c, 2, 2)))
    return failure();
  Value x = c.operands[0];
  auto type = typeOf(x);
  FailureOr<SmallVector<int64_t>> shape =
      constantInts(c, c.operands[1], "the target shape (input 1)");
  if (failed(shape))
    return failure();
  bool allowZero = intAttr(c, "allowzero", 0) != 0;
  SmallVector<int64_t> out = *shape;
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(out)) {
    if (d == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= type.getRank())
        return c.error() << "shape " << shapeStr(*shape) << " copies dimension "
                         << i << " of a rank-" << type.getRank() << " input";
      d = type.getDimSize(i);
    }
    if (d == -1) {
      if (inferred >= 0)
        return c.error() << "shape " << shapeStr(*shape)
                         << " has more than one -1";
      inferred = i;
      continue;
    }
    if (d < 0)
      return c.error() << "shape " << shapeStr(*shape)
                       << " has a negative dimension";
    known *= d;
  }
  int64_t numel = type.getNumElements();
  if (inferred >= 0) {
    if (known == 0 || numel % known != 0)
      return c.error() << "cannot reshape " << shapeStr(type.getShape())
                       << " to " << shapeStr(*shape);
    out[inferred] = numel / known;
  } else if (known != numel) {
    return c.error() << "cannot reshape " << shapeStr(type.getShape()) << " ("
                     << numel << " elements) to " << shapeStr(out);
  }
  return reshape(c, x, out);
}

Results importFlatten(NodeContext &c) {
  if (failed(expectInputs(c, 1, 1)))
    return failure();
  auto type = typeOf(c.operands[0]);
  int64_t rank = type.getRank();
  int64_t axis = intAttr(c, "axis", 1);
  if (axis < -rank || axis > rank)
    return c.error() << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? rows : cols) *= type.getDimSize(d);
  return reshape(c, c.operands[0], {rows, cols});
}

Results importSqueeze(NodeContext &c) {
  if (failed(expectInputs(c, 1, 2)))
    return failure();
  auto type = typeOf(c.operands[0]);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = axesOf(c, 13);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> list;
  if (axes->has_value()) {
    FailureOr<SmallVector<int64_t>> n =
        normalizeAxes(c, **axes, type.getRank());
    if (failed(n))
      return failure();
    list = *n;
    for (int64_t a : list)
      if (type.getDimSize(a) != 1)
        return c.error() << "cannot squeeze dimension " << a << " of size "
                         << type.getDimSize(a);
  } else {
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.getDimSize(d) == 1)
        list.push_back(d);
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(list, d))
      shape.push_back(type.getDimSize(d));
  return reshape(c, c.operands[0], shape);
}

Results importUnsqueeze(NodeContext &c) {
  if (failed(expectInputs(c, 1, 2)))
    return failure();
  auto type = typeOf(c.operands[0]);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = axesOf(c, 13);
  if (failed(axes))
    return failure();
  if (!axes->has_value())
    return c.error() << "needs axes";
  int64_t outRank = type.getRank() + (*axes)->size();
  FailureOr<SmallVector<int64_t>> list = normalizeAxes(c, **axes, outRank);
  if (failed(list))
    return failure();
  SmallVector<int64_t> shape;
  int64_t next = 0;
  for (int64_t d = 0; d < outRank; ++d)
    shape.push_back(llvm::is_contained(*list, d) ? 1 : type.getDimSize(next++));
  return reshape(c, c.operands[0], shape);
}

Results importTranspose(NodeContext &c) {
  if (failed(expectInputs(c, 1, 1)))
    return failure();
  auto type = typeOf(c.operands[0]);
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm;
  if (auto p = intsAttr(c, "perm")) {
    perm = *p;
  } else {
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  }
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank)
      return c.error() << "perm " << shapeStr(perm) << " is not a permutation "
                       << "of rank " << rank;
    shape.push_back(type.getDimSize(p));
  }
  return finish(c, TransposeOp::create(
                       c.b, c.loc,
                       RankedTensorType::get(shape, type.getElementType()),
                       c.operands[0], c.b.getDenseI64ArrayAttr(perm)));
}

Results importConcat(NodeContext &c) {
  if (c.operands.empty())
    return c.error() << "needs at least one input";
  if (!c.attrs.count("axis"))
    return c.error() << "missing attribute 'axis'";
  SmallVector<Value> inputs;
  for (Value v : c.operands)
    if (v)
      inputs.push_back(v);
  auto first = typeOf(inputs[0]);
  FailureOr<int64_t> axis =
      normalizeAxis(c, intAttr(c, "axis", 0), first.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (Value v : inputs) {
    auto t = typeOf(v);
    if (t.getRank() != first.getRank() ||
        t.getElementType() != first.getElementType())
      return c.error() << "inputs " << first << " and " << t
                       << " cannot be concatenated";
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != *axis && t.getDimSize(d) != first.getDimSize(d))
        return c.error() << "inputs " << first << " and " << t
                         << " differ outside axis " << *axis;
    shape[*axis] += t.getDimSize(*axis);
  }
  return finish(
      c, ConcatOp::create(c.b, c.loc,
                          RankedTensorType::get(shape, first.getElementType()),
                          inputs, c.b.getI64IntegerAttr(*axis)));
}

/// Builds a static slice along one axis.
Results sliceAxis(NodeContext &c, Value x, int64_t axis, int64_t start,
                  int64_t size, int64_t step) {
  auto type = typeOf(x);
  SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
  SmallVector<int64_t> shape(type.getShape());
  starts[axis] = start;
  steps[axis] = step;
  shape[axis] = size;
  return finish(
      c, SliceOp::create(c.b, c.loc,
                         RankedTensorType::get(shape, type.getElementType()), x,
                         c.b.getDenseI64ArrayAttr(starts),
                         c.b.getDenseI64ArrayAttr(steps)));
}

Results importSplit(NodeContext &c) {
  if (failed(expectInputs(c, 1, 2)))
    return failure();
  Value x = c.operands[0];
  auto type = typeOf(x);
  FailureOr<int64_t> axis =
      normalizeAxis(c, intAttr(c, "axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = type.getDimSize(*axis);
  int64_t n = c.node.output_size();
  SmallVector<int64_t> sizes;
  if (c.opset < 13) {
    if (auto s = intsAttr(c, "split"))
      sizes = *s;
  } else if (Value split = optionalInput(c, 1)) {
    FailureOr<SmallVector<int64_t>> s = constantInts(c, split, "split");
    if (failed(s))
      return failure();
    sizes = *s;
  }
  if (sizes.empty()) {
    if (c.attrs.count("num_outputs"))
      n = intAttr(c, "num_outputs", n);
    if (n <= 0)
      return c.error() << "cannot split into " << n << " outputs";
    // Equal parts; from opset 18 the last one may be smaller.
    int64_t part = (dim + n - 1) / n;
    if (c.opset < 18 && dim % n != 0)
      return c.error() << "dimension " << *axis << " of size " << dim
                       << " does not split into " << n << " equal parts";
    for (int64_t i = 0; i < n; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(part, dim - i * part)));
  }
  if (static_cast<int64_t>(sizes.size()) != c.node.output_size())
    return c.error() << "splits into " << sizes.size() << " parts but has "
                     << c.node.output_size() << " outputs";
  if (std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != dim)
    return c.error() << "split sizes " << shapeStr(sizes)
                     << " do not add up to dimension " << *axis << " (" << dim
                     << ")";
  SmallVector<Value> outs;
  int64_t offset = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return c.error() << "negative split size " << s;
    Results part = sliceAxis(c, x, *axis, offset, s, 1);
    if (failed(part))
      return failure();
    outs.push_back(single(part));
    offset += s;
  }
  return outs;
}

Results importSlice(NodeContext &c) {
  Value x;
  SmallVector<int64_t> starts, ends, axes, steps;
  if (c.opset < 10) {
    if (failed(expectInputs(c, 1, 1)))
      return failure();
    x = c.operands[0];
    starts = intsAttr(c, "starts").value_or(SmallVector<int64_t>());
    ends = intsAttr(c, "ends").value_or(SmallVector<int64_t>());
    if (auto a = intsAttr(c, "axes"))
      axes = *a;
  } else {
    if (failed(expectInputs(c, 3, 5)))
      return failure();
    x = c.operands[0];
    auto get = [&](size_t i, StringRef what,
                   SmallVector<int64_t> &out) -> LogicalResult {
      Value v = optionalInput(c, i);
      if (!v)
        return success();
      FailureOr<SmallVector<int64_t>> vals = constantInts(c, v, what);
      if (failed(vals))
        return failure();
      out = *vals;
      return success();
    };
    if (failed(get(1, "starts", starts)) || failed(get(2, "ends", ends)) ||
        failed(get(3, "axes", axes)) || failed(get(4, "steps", steps)))
      return failure();
  }
  auto type = typeOf(x);
  int64_t rank = type.getRank();
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || starts.size() != axes.size() ||
      starts.size() != steps.size())
    return c.error() << "starts, ends, axes and steps have different lengths";
  SmallVector<int64_t> outStarts(rank, 0), outSteps(rank, 1);
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = normalizeAxis(c, axes[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return c.error() << "axis " << axes[i] << " is repeated";
    seen[*axis] = true;
    int64_t dim = type.getDimSize(*axis), step = steps[i];
    if (step == 0)
      return c.error() << "step is zero";
    int64_t start = starts[i], end = ends[i];
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    int64_t size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      size = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, -1, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      size = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
    outStarts[*axis] = size > 0 ? start : 0;
    outSteps[*axis] = step;
    shape[*axis] = size;
  }
  return finish(
      c, SliceOp::create(c.b, c.loc,
                         RankedTensorType::get(shape, type.getElementType()), x,
                         c.b.getDenseI64ArrayAttr(outStarts),
                         c.b.getDenseI64ArrayAttr(outSteps)));
}

Results importGather(NodeContext &c) {
  if (failed(expectInputs(c, 2, 2)))
    return failure();
  auto data = typeOf(c.operands[0]), idx = typeOf(c.operands[1]);
  FailureOr<int64_t> axis =
      normalizeAxis(c, intAttr(c, "axis", 0), data.getRank());
  if (failed(axis))
    return failure();
  if (!idx.getElementType().isInteger(32) &&
      !idx.getElementType().isInteger(64))
    return c.error() << "indices must be int32 or int64, got " << idx;
  if (ElementsAttr k = constantOf(c.operands[1]))
    for (APInt v : k.getValues<APInt>()) {
      int64_t i = v.getSExtValue();
      if (i < -data.getDimSize(*axis) || i >= data.getDimSize(*axis))
        return c.error() << "index " << i << " is out of range for "
                         << "dimension " << *axis << " of size "
                         << data.getDimSize(*axis);
    }
  SmallVector<int64_t> shape(data.getShape().take_front(*axis));
  llvm::append_range(shape, idx.getShape());
  llvm::append_range(shape, data.getShape().drop_front(*axis + 1));
  return finish(
      c, GatherOp::create(
             c.b, c.loc, RankedTensorType::get(shape, data.getElementType()),
             c.operands[0], c.operands[1], c.b.getI64IntegerAttr(*axis)));
}

Value constantTensor(NodeContext &c, DenseElementsAttr attr) {
  return ConstantOp::create(c.b, c.loc, attr);
}

Results importShape(NodeContext &c) {
  if (failed(expectInputs(c, 1, 1)))
    return failure();
  ArrayRef<int64_t> shape = typeOf(c.operands[0]).getShape();
  int64_t rank = shape.size();
  int64_t start = intAttr(c, "start", 0), end = intAttr(c, "end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  SmallVector<int64_t> dims(shape.begin() + start, shape.begin() + end);
  auto type = RankedTensorType::get({(int64_t)dims.size()}, c.b.getI64Type());
  return SmallVector<Value>{
      constantTensor(c, DenseElementsAttr::get(type, ArrayRef<int64_t>(dims)))};
}

Results importExpand(NodeContext &c) {
  if (failed(expectInputs(c, 2, 2)))
    return failure();
  auto type = typeOf(c.operands[0]);
  FailureOr<SmallVector<int64_t>> shape =
      constantInts(c, c.operands[1], "the target shape (input 1)");
  if (failed(shape))
    return failure();
  SmallVector<int64_t> out;
  if (!OpTrait::util::getBroadcastedShape(type.getShape(), *shape, out))
    return c.error() << "cannot expand " << shapeStr(type.getShape()) << " to "
                     << shapeStr(*shape);
  return finish(
      c, ExpandOp::create(c.b, c.loc,
                          RankedTensorType::get(out, type.getElementType()),
                          c.operands[0]));
}

Results importConstantOfShape(NodeContext &c) {
  if (failed(expectInputs(c, 1, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape =
      constantInts(c, c.operands[0], "the shape (input 0)");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return c.error() << "negative dimension in " << shapeStr(*shape);
  Attribute value = FloatAttr::get(c.b.getF32Type(), 0.0);
  auto it = c.attrs.find("value");
  if (it != c.attrs.end()) {
    FailureOr<Attribute> v = c.tensorToAttr(it->second->t(), c.desc + " value");
    if (failed(v))
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(*v);
    if (!dense || dense.getNumElements() != 1)
      return c.error() << "value must hold exactly one element";
    value = dense.getValues<Attribute>()[0];
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(value).getType());
  return SmallVector<Value>{
      constantTensor(c, DenseElementsAttr::get(type, value))};
}

Results importRange(NodeContext &c) {
  if (failed(expectInputs(c, 3, 3)))
    return failure();
  ElementsAttr s = constantOf(c.operands[0]), l = constantOf(c.operands[1]),
               d = constantOf(c.operands[2]);
  if (!s || !l || !d || s.getNumElements() != 1 || l.getNumElements() != 1 ||
      d.getNumElements() != 1)
    return c.error() << "start, limit and delta must be constant scalars";
  Type elem = s.getElementType();
  SmallVector<Attribute> out;
  if (auto ft = dyn_cast<FloatType>(elem)) {
    double start = s.getValues<APFloat>()[0].convertToDouble();
    double limit = l.getValues<APFloat>()[0].convertToDouble();
    double delta = d.getValues<APFloat>()[0].convertToDouble();
    if (delta == 0)
      return c.error() << "delta is zero";
    int64_t n = std::max<int64_t>(0, std::ceil((limit - start) / delta));
    if (n > (int64_t(1) << 24))
      return c.error() << "range of " << n << " elements is too large";
    for (int64_t i = 0; i < n; ++i)
      out.push_back(FloatAttr::get(elem, start + i * delta));
  } else {
    int64_t start = s.getValues<APInt>()[0].getSExtValue();
    int64_t limit = l.getValues<APInt>()[0].getSExtValue();
    int64_t delta = d.getValues<APInt>()[0].getSExtValue();
    if (delta == 0)
      return c.error() << "delta is zero";
    int64_t n = std::max<int64_t>(
        0, (limit - start + delta + (delta > 0 ? -1 : 1)) / delta);
    if (n > (int64_t(1) << 24))
      return c.error() << "range of " << n << " elements is too large";
    for (int64_t i = 0; i < n; ++i)
      out.push_back(IntegerAttr::get(elem, start + i * delta));
  }
  auto type = RankedTensorType::get({(int64_t)out.size()}, elem);
  return SmallVector<Value>{
      constantTensor(c, DenseElementsAttr::get(type, out))};
}

Results importTrilu(NodeContext &c) {
  if (failed(expectInputs(c, 1, 2)))
    return failure();
  int64_t k = 0;
  if (Value kv = optionalInput(c, 1)) {
    FailureOr<SmallVector<int64_t>> v = constantInts(c, kv, "k");
    if (failed(v))
      return failure();
    if (v->size() != 1)
      return c.error() << "k must be a scalar";
    k = (*v)[0];
  }
  return finish(c, TriluOp::create(c.b, c.loc, c.operands[0].getType(),
                                   c.operands[0],
                                   c.b.getBoolAttr(intAttr(c, "upper", 1)),
                                   c.b.getI64IntegerAttr(k)));
}

Results importConstant(NodeContext &c) {
  if (failed(expectInputs(c, 0, 0)))
    return failure();
  if (c.attrs.size() != 1)
    return c.error() << "must have exactly one value attribute, has "
                     << c.attrs.size();
  const onnx::AttributeProto &a = *c.attrs.begin()->second;
  OpBuilder &b = c.b;
  FailureOr<Attribute> value;
  if (a.name() == "value") {
    value = c.tensorToAttr(a.t(), c.desc + " value");
  } else if (a.name() == "value_float") {
    value = Attribute(DenseElementsAttr::get(
        RankedTensorType::get({}, b.getF32Type()), a.f()));
  } else if (a.name() == "value_floats") {
    SmallVector<float> v(a.floats().begin(), a.floats().end());
    value = Attribute(DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getF32Type()),
        ArrayRef<float>(v)));
  } else if (a.name() == "value_int") {
    value = Attribute(DenseElementsAttr::get(
        RankedTensorType::get({}, b.getI64Type()), int64_t(a.i())));
  } else {
    SmallVector<int64_t> v(a.ints().begin(), a.ints().end());
    value = Attribute(DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()),
        ArrayRef<int64_t>(v)));
  }
  if (failed(value))
    return failure();
  return SmallVector<Value>{
      ConstantOp::create(b, c.loc, cast<TypedAttr>(*value)).getResult()};
}

Results importIdentity(NodeContext &c) {
  if (failed(expectInputs(c, 1, 1)))
    return failure();
  // Identity forwards its input; no op is needed.
  return SmallVector<Value>{c.operands[0]};
}

} // namespace

SmallVector<Value> facet::importer::foldOrKeep(OpBuilder &b, Operation *op) {
  SmallVector<OpFoldResult> folded;
  if (failed(op->fold(folded)) || folded.empty())
    return SmallVector<Value>(op->getResults());
  SmallVector<Value> out;
  bool keep = false;
  for (auto [r, res] : llvm::zip(folded, op->getResults())) {
    if (auto v = dyn_cast<Value>(r)) {
      keep |= v == res;
      out.push_back(v);
    } else {
      out.push_back(ConstantOp::create(b, op->getLoc(),
                                       cast<TypedAttr>(cast<Attribute>(r))));
    }
  }
  if (!keep && op->use_empty())
    op->erase();
  return out;
}

const llvm::StringMap<OpSpec> &facet::importer::onnxOpTable() {
  static const llvm::StringMap<OpSpec> table = {
      {"MatMul", {importMatMul, {}}},
      {"Gemm", {importGemm, {"alpha", "beta", "transA", "transB"}}},
      {"Einsum", {importEinsum, {"equation"}}},
      {"Add", {importBinary<AddOp>, {}}},
      {"Sub", {importBinary<SubOp>, {}}},
      {"Mul", {importBinary<MulOp>, {}}},
      {"Div", {importBinary<DivOp>, {}}},
      {"Pow", {importPow, {}}},
      {"Min", {importVariadic<MinOp>, {}}},
      {"Max", {importVariadic<MaxOp>, {}}},
      {"Equal", {importBinary<EqualOp>, {}}},
      {"Less", {importBinary<LessOp>, {}}},
      {"Greater", {importBinary<GreaterOp>, {}}},
      {"Where", {importWhere, {}}},
      {"Not", {importUnary<NotOp>, {}}},
      {"Sqrt", {importUnary<SqrtOp>, {}}},
      {"Reciprocal", {importUnary<ReciprocalOp>, {}}},
      {"Neg", {importUnary<NegOp>, {}}},
      {"Abs", {importUnary<AbsOp>, {}}},
      {"Exp", {importUnary<ExpOp>, {}}},
      {"Log", {importUnary<LogOp>, {}}},
      {"Tanh", {importUnary<TanhOp>, {}}},
      {"Erf", {importUnary<ErfOp>, {}}},
      {"Sigmoid", {importUnary<SigmoidOp>, {}}},
      {"Relu", {importUnary<ReluOp>, {}}},
      {"Gelu", {importGelu, {"approximate"}}},
      {"Clip", {importClip, {"min", "max"}}},
      {"Cast", {importCast, {"to", "saturate"}}},
      {"Identity", {importIdentity, {}}},
      {"Softmax", {importSoftmax<false>, {"axis"}}},
      {"Attention",
       {importAttention,
        {"is_causal", "kv_num_heads", "q_num_heads", "qk_matmul_output_mode",
         "scale", "softcap", "softmax_precision"}}},
      {"LogSoftmax", {importSoftmax<true>, {"axis"}}},
      {"LayerNormalization",
       {importLayerNorm, {"axis", "epsilon", "stash_type"}}},
      {"ReduceSum",
       {importReduce<0>, {"axes", "keepdims", "noop_with_empty_axes"}}},
      {"ReduceMean",
       {importReduce<1>, {"axes", "keepdims", "noop_with_empty_axes"}}},
      {"ReduceMax",
       {importReduce<2>, {"axes", "keepdims", "noop_with_empty_axes"}}},
      {"ReduceL2",
       {importReduce<3>, {"axes", "keepdims", "noop_with_empty_axes"}}},
      {"Reshape", {importReshape, {"allowzero"}}},
      {"Flatten", {importFlatten, {"axis"}}},
      {"Squeeze", {importSqueeze, {"axes"}}},
      {"Unsqueeze", {importUnsqueeze, {"axes"}}},
      {"Transpose", {importTranspose, {"perm"}}},
      {"Concat", {importConcat, {"axis"}}},
      {"Split", {importSplit, {"axis", "split", "num_outputs"}}},
      {"Slice", {importSlice, {"starts", "ends", "axes"}}},
      {"Gather", {importGather, {"axis"}}},
      {"Shape", {importShape, {"start", "end"}}},
      {"Expand", {importExpand, {}}},
      {"ConstantOfShape", {importConstantOfShape, {"value"}}},
      {"Range", {importRange, {}}},
      {"Trilu", {importTrilu, {"upper"}}},
      {"Constant",
       {importConstant,
        {"value", "value_float", "value_floats", "value_int", "value_ints"}}},
  };
  return table;
}
