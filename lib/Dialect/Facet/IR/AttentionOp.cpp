//===- AttentionOp.cpp - facet.attention ----------------------------------===//
//
// The verifier of the multi-head attention op; its semantics are in
// FacetOps.td and docs/Attention.md.
//
//===----------------------------------------------------------------------===//

#include "facet/Dialect/Facet/IR/FacetOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace facet;

int64_t AttentionOp::getQKHeadSize() {
  return getQuery().getType().getDimSize(2) / getHeads();
}

int64_t AttentionOp::getVHeadSize() {
  return getValue().getType().getDimSize(2) / getKVHeads();
}

int64_t AttentionOp::getNumKeys() {
  int64_t skv = getKey().getType().getDimSize(1);
  if (!getPastKey())
    return skv;
  int64_t p = getPastKey().getType().getDimSize(2);
  return getPastLength() ? p : p + skv;
}

static std::string dims(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + (ShapedType::isDynamic(shape[i])
                                ? std::string("?")
                                : std::to_string(shape[i]));
  return s + "]";
}

LogicalResult AttentionOp::verify() {
  auto q = getQuery().getType(), k = getKey().getType(),
       v = getValue().getType();
  for (auto [name, t] : {std::pair<const char *, RankedTensorType>{"query", q},
                         {"key", k},
                         {"value", v}})
    if (t.getRank() != 3 || !t.hasStaticShape())
      return emitOpError(name) << " must be a static 3-D tensor [batch, "
                                  "sequence, heads x head size], got "
                               << t;
  Type elem = q.getElementType();
  if (k.getElementType() != elem || v.getElementType() != elem)
    return emitOpError("query, key and value must have one element type");
  int64_t b = q.getDimSize(0), sq = q.getDimSize(1), skv = k.getDimSize(1);
  if (k.getDimSize(0) != b || v.getDimSize(0) != b)
    return emitOpError("query, key and value must have one batch size, got ")
           << dims(q.getShape()) << ", " << dims(k.getShape()) << ", "
           << dims(v.getShape());
  if (v.getDimSize(1) != skv)
    return emitOpError("key and value must have one sequence length, got ")
           << skv << " and " << v.getDimSize(1);
  int64_t h = getHeads();
  if (h < 1)
    return emitOpError("num_heads must be at least 1, got ") << h;
  if (getKvNumHeads() && *getKvNumHeads() < 1)
    return emitOpError("kv_num_heads must be at least 1, got ")
           << *getKvNumHeads();
  int64_t g = getKVHeads();
  if (h % g != 0)
    return emitOpError("num_heads (")
           << h << ") must be a multiple of kv_num_heads (" << g << ")";
  if (q.getDimSize(2) % h != 0)
    return emitOpError("query's last dimension (")
           << q.getDimSize(2) << ") is not divisible by num_heads (" << h
           << ")";
  int64_t dk = q.getDimSize(2) / h;
  if (k.getDimSize(2) != g * dk)
    return emitOpError("key's last dimension must be kv_num_heads x the "
                       "query head size = ")
           << g * dk << ", got " << k.getDimSize(2);
  if (v.getDimSize(2) % g != 0)
    return emitOpError("value's last dimension (")
           << v.getDimSize(2) << ") is not divisible by kv_num_heads (" << g
           << ")";
  int64_t dv = v.getDimSize(2) / g;
  if (dk == 0 || dv == 0)
    return emitOpError("head sizes must be positive");

  // The past: both halves or neither, [B, G, P, D].
  if (!getPastKey() != !getPastValue())
    return emitOpError("past_key and past_value go together");
  int64_t t = skv;
  if (getPastKey()) {
    auto pk = getPastKey().getType(), pv = getPastValue().getType();
    int64_t p = pk.getRank() == 4 ? pk.getDimSize(2) : -1;
    SmallVector<int64_t> wantK = {b, g, p, dk}, wantV = {b, g, p, dv};
    if (pk.getRank() != 4 || pk.getShape() != ArrayRef<int64_t>(wantK) ||
        pk.getElementType() != elem)
      return emitOpError("past_key must be [batch, kv heads, past, head size]"
                         " = ")
             << dims(wantK) << " of the query's element type, got " << pk;
    if (pv.getShape() != ArrayRef<int64_t>(wantV) ||
        pv.getElementType() != elem)
      return emitOpError("past_value must be ")
             << dims(wantV) << " of the query's element type, got " << pv;
    t = getPastLength() ? p : p + skv;
    if (getPastLength() && p < skv)
      return emitOpError("a static cache of ")
             << p << " rows cannot take " << skv << " new keys";
  }
  if (getPastLength()) {
    if (!getPastKey())
      return emitOpError("past_length needs past_key and past_value");
    auto lt = getPastLength().getType();
    if (lt.getRank() != 1 || lt.getDimSize(0) != 1)
      return emitOpError("past_length must be a [1] integer tensor, got ")
             << lt;
  }

  if (getMask()) {
    auto m = cast<RankedTensorType>(getMask().getType());
    if (m.getElementType() != elem && !m.getElementType().isInteger(1))
      return emitOpError("mask must be boolean (i1) or of the query's element "
                         "type, got ")
             << m.getElementType();
    SmallVector<int64_t> full = {b, h, sq, t}, out;
    if (m.getRank() > 4 ||
        !OpTrait::util::getBroadcastedShape(m.getShape(), full, out) ||
        ArrayRef<int64_t>(out) != ArrayRef<int64_t>(full))
      return emitOpError("mask of shape ")
             << dims(m.getShape()) << " does not broadcast to [batch, heads, "
             << "queries, keys] = " << dims(full);
  }
  if (getCausalOffsetAttr().getInt() < 0)
    return emitOpError("causal_offset must be non-negative, got ")
           << getCausalOffsetAttr().getInt();

  SmallVector<int64_t> outShape = {b, sq, h * dv};
  auto out = getOutput().getType();
  if (out.getShape() != ArrayRef<int64_t>(outShape) ||
      out.getElementType() != elem)
    return emitOpError("output must be ")
           << dims(outShape) << " of the query's element type, got " << out;
  if (!getPresentKey() != !getPresentValue())
    return emitOpError("present_key and present_value go together");
  if (getPresentKey()) {
    SmallVector<int64_t> wantK = {b, g, t, dk}, wantV = {b, g, t, dv};
    auto pk = getPresentKey().getType(), pv = getPresentValue().getType();
    if (pk.getShape() != ArrayRef<int64_t>(wantK) ||
        pk.getElementType() != elem)
      return emitOpError("present_key must be ") << dims(wantK) << ", got "
                                                 << pk;
    if (pv.getShape() != ArrayRef<int64_t>(wantV) ||
        pv.getElementType() != elem)
      return emitOpError("present_value must be ") << dims(wantV) << ", got "
                                                   << pv;
  }
  return success();
}
