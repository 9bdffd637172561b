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

LogicalResult
AddOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                        ValueRange operands, DictionaryAttr attributes,
                        OpaqueProperties properties, RegionRange regions,
                        SmallVectorImpl<Type> &inferredReturnTypes) {
  AddOp::Adaptor adaptor(operands, attributes, properties, regions);
  std::string error;
  auto type = inferBroadcastType(
      cast<RankedTensorType>(adaptor.getLhs().getType()),
      cast<RankedTensorType>(adaptor.getRhs().getType()), error);
  return pushInferred(type, error, location, inferredReturnTypes);
}

#define GET_OP_CLASSES
#include "facet/Dialect/Facet/IR/FacetOps.cpp.inc"
