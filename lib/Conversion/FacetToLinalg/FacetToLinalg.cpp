//===- FacetToLinalg.cpp - Lower facet ops to linalg ----------------------===//
//
// ONNX broadcasting and transposition are expressed in linalg indexing maps,
// so no broadcast or transpose is ever materialized: a size-1 operand dim
// that broadcasts reads index 0, a transposed operand swaps its map's dims.
//
//===----------------------------------------------------------------------===//

#include "AttentionLowering.h"
#include "facet/Conversion/Passes.h"
#include "facet/Dialect/Facet/IR/FacetOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"
#include <cmath>
#include <limits>

namespace facet {
#define GEN_PASS_DEF_CONVERTFACETTOLINALG
#include "facet/Conversion/Passes.h.inc"
} // namespace facet

using namespace mlir;
using namespace facet;

namespace {

/// Indexing map reading an operand of shape `shape` broadcast (numpy rules,
/// right-aligned) into an iteration space whose first `outShape.size()` dims
/// are the result's dims; `numLoops` is the total number of loops.
AffineMap broadcastMap(ArrayRef<int64_t> shape, ArrayRef<int64_t> outShape,
                       unsigned numLoops, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  unsigned offset = outShape.size() - shape.size();
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 1 && outShape[offset + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value zero = arith::ConstantOp::create(b, loc, type.getElementType(),
                                         b.getZeroAttr(type.getElementType()));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// Builds `out[...] += lhs[...] * rhs[...]` as a linalg.generic. The maps
/// are given over (result dims..., k). The loop order is chosen for the plain
/// loop lowering: when the rhs reads k in its last dim (a transposed [N, K]
/// weight) k stays innermost, a contiguous dot product; otherwise k goes
/// before the last result dim, so the inner loop walks rows of rhs and out
/// contiguously instead of a column of rhs (a cache miss per element).
Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       RankedTensorType outType, AffineMap lhsMap,
                       AffineMap rhsMap) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = outType.getRank();
  unsigned numLoops = rank + 1;
  AffineExpr k = getAffineDimExpr(rank, ctx);
  bool kInnermost = rank == 0 || (rhsMap.getNumResults() > 0 &&
                                  rhsMap.getResults().back() == k);
  unsigned kPos = kInnermost ? rank : rank - 1;
  // Logical dim i (result dims, then k) -> loop position.
  SmallVector<AffineExpr> toLoop;
  for (unsigned i = 0; i < rank; ++i)
    toLoop.push_back(getAffineDimExpr(i < kPos ? i : i + 1, ctx));
  toLoop.push_back(getAffineDimExpr(kPos, ctx));
  auto reorder = [&](AffineMap m) {
    return m.replaceDimsAndSymbols(toLoop, {}, numLoops, 0);
  };
  SmallVector<AffineExpr> outExprs(toLoop.begin(), toLoop.begin() + rank);
  AffineMap outMap = AffineMap::get(numLoops, 0, outExprs, ctx);
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators[kPos] = utils::IteratorType::reduction;
  Value init = zeroFilled(b, loc, outType);
  bool isFloat = isa<FloatType>(outType.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, outType, ValueRange{lhs, rhs}, ValueRange{init},
      ArrayRef<AffineMap>{reorder(lhsMap), reorder(rhsMap), outMap}, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value prod, sum;
        if (isFloat) {
          prod = arith::MulFOp::create(nb, nloc, args[0], args[1]);
          sum = arith::AddFOp::create(nb, nloc, args[2], prod);
        } else {
          prod = arith::MulIOp::create(nb, nloc, args[0], args[1]);
          sum = arith::AddIOp::create(nb, nloc, args[2], prod);
        }
        linalg::YieldOp::create(nb, nloc, sum);
      });
  return generic.getResult(0);
}

/// Elementwise linalg.generic over `outType` reading each input broadcast.
Value buildElementwise(
    OpBuilder &b, Location loc, RankedTensorType outType, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = outType.getRank();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(cast<RankedTensorType>(in.getType()).getShape(),
                                outType.getShape(), rank, ctx));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                       outType.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, outType, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

struct ConstantLowering : OpConversionPattern<facet::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(facet::ConstantOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValue());
    return success();
  }
};

struct IdentityLowering : OpConversionPattern<IdentityOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IdentityOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> a = op.getLhs().getType().getShape();
    ArrayRef<int64_t> b = op.getRhs().getType().getShape();
    // General numpy.matmul: loops = result dims + one reduction (last).
    MLIRContext *ctx = rewriter.getContext();
    unsigned rank = outType.getRank();
    unsigned numLoops = rank + 1;
    unsigned batchRank = rank - (a.size() >= 2) - (b.size() >= 2);
    ArrayRef<int64_t> outBatch = outType.getShape().take_front(batchRank);
    AffineExpr k = getAffineDimExpr(rank, ctx);
    auto batchExprs = [&](ArrayRef<int64_t> batch) {
      return broadcastMap(batch, outBatch, numLoops, ctx).getResults();
    };
    SmallVector<AffineExpr> lhsExprs, rhsExprs;
    if (a.size() >= 2) {
      llvm::append_range(lhsExprs, batchExprs(a.drop_back(2)));
      lhsExprs.push_back(getAffineDimExpr(batchRank, ctx));
    }
    lhsExprs.push_back(k);
    if (b.size() >= 2) {
      llvm::append_range(rhsExprs, batchExprs(b.drop_back(2)));
      rhsExprs.push_back(k);
      rhsExprs.push_back(getAffineDimExpr(rank - 1, ctx));
    } else {
      rhsExprs.push_back(k);
    }
    Value result =
        buildContraction(rewriter, loc, adaptor.getLhs(), adaptor.getRhs(),
                         outType, AffineMap::get(numLoops, 0, lhsExprs, ctx),
                         AffineMap::get(numLoops, 0, rhsExprs, ctx));
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto outType = cast<RankedTensorType>(op.getType());
    Value acc;
    {
      AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
                 k = getAffineDimExpr(2, ctx);
      AffineMap aMap =
          AffineMap::get(3, 0,
                         op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                        : ArrayRef<AffineExpr>{m, k},
                         ctx);
      AffineMap bMap =
          AffineMap::get(3, 0,
                         op.getTransB() ? ArrayRef<AffineExpr>{n, k}
                                        : ArrayRef<AffineExpr>{k, n},
                         ctx);
      acc = buildContraction(rewriter, loc, adaptor.getA(), adaptor.getB(),
                             outType, aMap, bMap);
    }
    float alpha = op.getAlpha().convertToFloat();
    float beta = op.getBeta().convertToFloat();
    Value c = adaptor.getC();
    bool useC = c && beta != 0.0f;
    if (alpha == 1.0f && !useC) {
      rewriter.replaceOp(op, acc);
      return success();
    }
    Type elemType = outType.getElementType();
    SmallVector<Value> inputs = {acc};
    if (useC)
      inputs.push_back(c);
    Value result = buildElementwise(
        rewriter, loc, outType, inputs,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v = args[0];
          if (alpha != 1.0f) {
            Value a = arith::ConstantOp::create(
                b, l, elemType, b.getFloatAttr(elemType, alpha));
            v = arith::MulFOp::create(b, l, a, v);
          }
          if (useC) {
            Value cv = args[1];
            if (beta != 1.0f) {
              Value bt = arith::ConstantOp::create(
                  b, l, elemType, b.getFloatAttr(elemType, beta));
              cv = arith::MulFOp::create(b, l, bt, cv);
            }
            v = arith::AddFOp::create(b, l, v, cv);
          }
          return v;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A scalar constant of `type` (float or integer).
Value scalarConst(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(ft, value));
  return arith::ConstantOp::create(
      b, loc, type, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

/// The scalar computation of each elementwise op, on already-loaded values.
template <typename OpT> struct ScalarFn;

#define FACET_FLOAT_INT_BINARY(OP, FOP, IOP)                                   \
  template <> struct ScalarFn<OP> {                                            \
    static Value build(OpBuilder &b, Location l, Type t, ValueRange a, OP) {   \
      if (isa<FloatType>(t))                                                   \
        return FOP::create(b, l, a[0], a[1]);                                  \
      return IOP::create(b, l, a[0], a[1]);                                    \
    }                                                                          \
  };
FACET_FLOAT_INT_BINARY(AddOp, arith::AddFOp, arith::AddIOp)
FACET_FLOAT_INT_BINARY(SubOp, arith::SubFOp, arith::SubIOp)
FACET_FLOAT_INT_BINARY(MulOp, arith::MulFOp, arith::MulIOp)
FACET_FLOAT_INT_BINARY(DivOp, arith::DivFOp, arith::DivSIOp)
FACET_FLOAT_INT_BINARY(MinOp, arith::MinimumFOp, arith::MinSIOp)
FACET_FLOAT_INT_BINARY(MaxOp, arith::MaximumFOp, arith::MaxSIOp)
FACET_FLOAT_INT_BINARY(PowOp, math::PowFOp, math::IPowIOp)
#undef FACET_FLOAT_INT_BINARY

#define FACET_COMPARE(OP, FPRED, IPRED, BPRED)                                 \
  template <> struct ScalarFn<OP> {                                            \
    static Value build(OpBuilder &b, Location l, Type, ValueRange a, OP) {     \
      Type t = a[0].getType();                                                 \
      if (isa<FloatType>(t))                                                   \
        return arith::CmpFOp::create(b, l, arith::CmpFPredicate::FPRED, a[0],  \
                                     a[1]);                                    \
      return arith::CmpIOp::create(b, l,                                       \
                                   t.isInteger(1)                              \
                                       ? arith::CmpIPredicate::BPRED           \
                                       : arith::CmpIPredicate::IPRED,          \
                                   a[0], a[1]);                                \
    }                                                                          \
  };
FACET_COMPARE(EqualOp, OEQ, eq, eq)
FACET_COMPARE(LessOp, OLT, slt, ult)
FACET_COMPARE(GreaterOp, OGT, sgt, ugt)
#undef FACET_COMPARE

#define FACET_FLOAT_UNARY(OP, MOP)                                             \
  template <> struct ScalarFn<OP> {                                            \
    static Value build(OpBuilder &b, Location l, Type, ValueRange a, OP) {     \
      return MOP::create(b, l, a[0]);                                          \
    }                                                                          \
  };
FACET_FLOAT_UNARY(SqrtOp, math::SqrtOp)
FACET_FLOAT_UNARY(ExpOp, math::ExpOp)
FACET_FLOAT_UNARY(LogOp, math::LogOp)
FACET_FLOAT_UNARY(TanhOp, math::TanhOp)
FACET_FLOAT_UNARY(ErfOp, math::ErfOp)
#undef FACET_FLOAT_UNARY

template <> struct ScalarFn<ReluOp> {
  static Value build(OpBuilder &b, Location l, Type t, ValueRange a, ReluOp) {
    return arith::MaximumFOp::create(b, l, a[0], scalarConst(b, l, t, 0));
  }
};
template <> struct ScalarFn<ReciprocalOp> {
  static Value build(OpBuilder &b, Location l, Type t, ValueRange a,
                     ReciprocalOp) {
    return arith::DivFOp::create(b, l, scalarConst(b, l, t, 1), a[0]);
  }
};
template <> struct ScalarFn<SigmoidOp> {
  static Value build(OpBuilder &b, Location l, Type t, ValueRange a,
                     SigmoidOp) {
    Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, a[0]));
    Value one = scalarConst(b, l, t, 1);
    return arith::DivFOp::create(b, l, one,
                                 arith::AddFOp::create(b, l, one, e));
  }
};
template <> struct ScalarFn<NegOp> {
  static Value build(OpBuilder &b, Location l, Type t, ValueRange a, NegOp) {
    if (isa<FloatType>(t))
      return arith::NegFOp::create(b, l, a[0]);
    return arith::SubIOp::create(b, l, scalarConst(b, l, t, 0), a[0]);
  }
};
template <> struct ScalarFn<AbsOp> {
  static Value build(OpBuilder &b, Location l, Type t, ValueRange a, AbsOp) {
    if (isa<FloatType>(t))
      return math::AbsFOp::create(b, l, a[0]);
    return math::AbsIOp::create(b, l, a[0]);
  }
};
template <> struct ScalarFn<NotOp> {
  static Value build(OpBuilder &b, Location l, Type t, ValueRange a, NotOp) {
    Value one = arith::ConstantOp::create(b, l, t, b.getIntegerAttr(t, 1));
    return arith::XOrIOp::create(b, l, a[0], one);
  }
};
template <> struct ScalarFn<WhereOp> {
  static Value build(OpBuilder &b, Location l, Type, ValueRange a, WhereOp) {
    return arith::SelectOp::create(b, l, a[0], a[1], a[2]);
  }
};
template <> struct ScalarFn<GeluOp> {
  static Value build(OpBuilder &b, Location l, Type t, ValueRange a,
                     GeluOp op) {
    Value x = a[0];
    Value half = scalarConst(b, l, t, 0.5), one = scalarConst(b, l, t, 1);
    Value inner;
    if (op.getTanhApproximation()) {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      Value x3 =
          arith::MulFOp::create(b, l, x, arith::MulFOp::create(b, l, x, x));
      Value poly = arith::AddFOp::create(
          b, l, x,
          arith::MulFOp::create(b, l, scalarConst(b, l, t, 0.044715), x3));
      inner = math::TanhOp::create(
          b, l,
          arith::MulFOp::create(b, l, scalarConst(b, l, t, 0.7978845608028654),
                                poly));
    } else {
      // 0.5 x (1 + erf(x / sqrt(2)))
      inner = math::ErfOp::create(
          b, l,
          arith::MulFOp::create(b, l, x,
                                scalarConst(b, l, t, 0.7071067811865476)));
    }
    return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, half, x),
                                 arith::AddFOp::create(b, l, one, inner));
  }
};
template <> struct ScalarFn<ClipOp> {
  static Value build(OpBuilder &b, Location l, Type t, ValueRange a,
                     ClipOp op) {
    Value v = a[0];
    size_t next = 1;
    bool isFloat = isa<FloatType>(t);
    if (op.getMin()) {
      Value lo = a[next++];
      v = isFloat ? arith::MaximumFOp::create(b, l, v, lo).getResult()
                  : arith::MaxSIOp::create(b, l, v, lo).getResult();
    }
    if (op.getMax()) {
      Value hi = a[next++];
      v = isFloat ? arith::MinimumFOp::create(b, l, v, hi).getResult()
                  : arith::MinSIOp::create(b, l, v, hi).getResult();
    }
    return v;
  }
};

/// Converts a scalar between element types with ONNX Cast semantics.
Value castScalar(OpBuilder &b, Location l, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
  if (to.isInteger(1)) {
    if (fromFloat)
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, v,
                                   scalarConst(b, l, from, 0));
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, v,
                                 scalarConst(b, l, from, 0));
  }
  if (fromFloat && toFloat)
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? arith::ExtFOp::create(b, l, to, v).getResult()
               : arith::TruncFOp::create(b, l, to, v).getResult();
  if (fromFloat)
    return arith::FPToSIOp::create(b, l, to, v);
  if (toFloat)
    return from.isInteger(1) ? arith::UIToFPOp::create(b, l, to, v).getResult()
                             : arith::SIToFPOp::create(b, l, to, v).getResult();
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return from.isInteger(1) ? arith::ExtUIOp::create(b, l, to, v).getResult()
                             : arith::ExtSIOp::create(b, l, to, v).getResult();
  return arith::TruncIOp::create(b, l, to, v);
}

template <> struct ScalarFn<CastOp> {
  static Value build(OpBuilder &b, Location l, Type t, ValueRange a, CastOp) {
    return castScalar(b, l, a[0], t);
  }
};

/// Lowers any elementwise facet op (operands broadcast to the result) to one
/// linalg.generic whose body is ScalarFn<OpT>.
template <typename OpT> struct ElementwiseLowering : OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpT op, typename OpT::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto outType = cast<RankedTensorType>(op.getType());
    Type elem = outType.getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), outType, adaptor.getOperands(),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return ScalarFn<OpT>::build(b, l, elem, args, op);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions, softmax, layer normalization
//===----------------------------------------------------------------------===//

/// Reduces `input` over `axes` (sorted) with `combine`, starting from
/// `init`; the result drops the reduced dims.
Value buildReduction(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
    double init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto inType = cast<RankedTensorType>(input.getType());
  MLIRContext *ctx = b.getContext();
  unsigned rank = inType.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (unsigned d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, static_cast<int64_t>(d));
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced) {
      outShape.push_back(inType.getDimSize(d));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
  }
  Type elem = inType.getElementType();
  auto outType = RankedTensorType::get(outShape, elem);
  Value empty = tensor::EmptyOp::create(b, loc, outShape, elem);
  Value initValue = scalarConst(b, loc, elem, init);
  Value filled = linalg::FillOp::create(b, loc, initValue, empty).getResult(0);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  auto generic = linalg::GenericOp::create(
      b, loc, outType, ValueRange{input}, ValueRange{filled}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args[1], args[0]));
      });
  return generic.getResult(0);
}

/// Reshapes (no data movement) through a full collapse and expand; rank-0
/// tensors expand or collapse directly (their other side is all ones).
Value reshapeTo(OpBuilder &b, Location loc, Value input,
                RankedTensorType type) {
  auto inType = cast<RankedTensorType>(input.getType());
  if (inType == type)
    return input;
  if (inType.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, type, input,
                                         SmallVector<ReassociationIndices>{});
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(
        b, loc, type, input, SmallVector<ReassociationIndices>{});
  auto all = [](int64_t rank) {
    ReassociationIndices r;
    for (int64_t i = 0; i < rank; ++i)
      r.push_back(i);
    return SmallVector<ReassociationIndices>{r};
  };
  Value flat = input;
  if (inType.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(
        b, loc,
        RankedTensorType::get({inType.getNumElements()},
                              inType.getElementType()),
        input, all(inType.getRank()));
  if (type.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(b, loc, type, flat, all(type.getRank()));
}

/// The map that reads a tensor of the reduced shape (axes dropped) from the
/// full iteration space of rank `rank`.
AffineMap droppedAxesMap(unsigned rank, ArrayRef<int64_t> axes,
                         MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, static_cast<int64_t>(d)))
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Elementwise over the full shape of `like`, reading `full` operands with
/// identity maps and `reduced` operands with droppedAxesMap.
Value buildNormalizeStep(
    OpBuilder &b, Location loc, RankedTensorType type, ValueRange full,
    ValueRange reduced, ArrayRef<int64_t> axes,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps;
  SmallVector<Value> inputs;
  for (Value v : full) {
    inputs.push_back(v);
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  }
  for (Value v : reduced) {
    inputs.push_back(v);
    maps.push_back(droppedAxesMap(rank, axes, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, type, inputs, ValueRange{empty}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

struct ReduceLowering : OpConversionPattern<ReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    Type elem = inType.getElementType();
    bool isFloat = isa<FloatType>(elem);
    ArrayRef<int64_t> axes = op.getAxes();
    StringRef kind = op.getKind();
    double init = 0;
    if (kind == "max")
      init = isFloat ? -std::numeric_limits<double>::infinity()
                     : static_cast<double>(std::numeric_limits<int64_t>::min());
    if (kind == "max" && !isFloat) {
      // An exact minimum for the integer width.
      init = -std::ldexp(1.0, elem.getIntOrFloatBitWidth() - 1);
    }
    Value reduced = buildReduction(
        rewriter, loc, adaptor.getInput(), axes, init,
        [&](OpBuilder &b, Location l, Value acc, Value x) -> Value {
          if (kind == "max")
            return isFloat ? arith::MaximumFOp::create(b, l, acc, x).getResult()
                           : arith::MaxSIOp::create(b, l, acc, x).getResult();
          if (kind == "l2")
            x = isFloat ? arith::MulFOp::create(b, l, x, x).getResult()
                        : arith::MulIOp::create(b, l, x, x).getResult();
          return isFloat ? arith::AddFOp::create(b, l, acc, x).getResult()
                         : arith::AddIOp::create(b, l, acc, x).getResult();
        });
    if (kind == "l2") {
      if (!isFloat)
        return rewriter.notifyMatchFailure(op, "integer L2 norm");
      reduced = buildElementwise(
          rewriter, loc, cast<RankedTensorType>(reduced.getType()),
          ValueRange{reduced},
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return math::SqrtOp::create(b, l, args[0]);
          });
    }
    if (kind == "mean") {
      int64_t count = 1;
      for (int64_t a : axes)
        count *= inType.getDimSize(a);
      auto rt = cast<RankedTensorType>(reduced.getType());
      reduced = buildElementwise(
          rewriter, loc, rt, ValueRange{reduced},
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value n = scalarConst(b, l, elem, static_cast<double>(count));
            return isFloat
                       ? arith::DivFOp::create(b, l, args[0], n).getResult()
                       : arith::DivSIOp::create(b, l, args[0], n).getResult();
          });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduced,
                                     cast<RankedTensorType>(op.getType())));
    return success();
  }
};

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type elem = type.getElementType();
    SmallVector<int64_t> axes = {static_cast<int64_t>(op.getAxis())};
    Value x = adaptor.getInput();
    Value max = buildReduction(
        rewriter, loc, x, axes, -std::numeric_limits<double>::infinity(),
        [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
          return arith::MaximumFOp::create(b, l, acc, v);
        });
    // e = exp(x - max); sum over the axis.
    Value e = buildNormalizeStep(
        rewriter, loc, type, ValueRange{x}, ValueRange{max}, axes,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return math::ExpOp::create(b, l,
                                     arith::SubFOp::create(b, l, a[0], a[1]));
        });
    Value sum = buildReduction(
        rewriter, loc, e, axes, 0.0,
        [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
          return arith::AddFOp::create(b, l, acc, v);
        });
    Value result;
    if (op.getLog()) {
      // log_softmax = x - max - log(sum)
      result = buildNormalizeStep(
          rewriter, loc, type, ValueRange{x}, ValueRange{max, sum}, axes,
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
            return arith::SubFOp::create(b, l, shifted,
                                         math::LogOp::create(b, l, a[2]));
          });
    } else {
      result = buildNormalizeStep(
          rewriter, loc, type, ValueRange{e}, ValueRange{sum}, axes,
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::DivFOp::create(b, l, a[0], a[1]);
          });
    }
    (void)elem;
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Type elem = type.getElementType();
    unsigned rank = type.getRank();
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t d = op.getAxis(); d < rank; ++d) {
      axes.push_back(d);
      count *= type.getDimSize(d);
    }
    Value x = adaptor.getInput();
    auto add = [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
      return arith::AddFOp::create(b, l, acc, v);
    };
    Value n = scalarConst(rewriter, loc, elem, static_cast<double>(count));
    Value sum = buildReduction(rewriter, loc, x, axes, 0.0, add);
    auto meanType = cast<RankedTensorType>(sum.getType());
    Value mean =
        buildElementwise(rewriter, loc, meanType, ValueRange{sum},
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::DivFOp::create(b, l, a[0], n);
                         });
    Value centered = buildNormalizeStep(
        rewriter, loc, type, ValueRange{x}, ValueRange{mean}, axes,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::SubFOp::create(b, l, a[0], a[1]);
        });
    Value squares =
        buildElementwise(rewriter, loc, type, ValueRange{centered},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::MulFOp::create(b, l, a[0], a[0]);
                         });
    Value sqSum = buildReduction(rewriter, loc, squares, axes, 0.0, add);
    double eps = op.getEpsilon().convertToDouble();
    Value invStd = buildElementwise(
        rewriter, loc, meanType, ValueRange{sqSum},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value var = arith::DivFOp::create(b, l, a[0], n);
          return math::RsqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, var, scalarConst(b, l, elem, eps)));
        });
    // y = centered * invStd * scale (+ bias); scale/bias broadcast over the
    // trailing (normalized) dims.
    SmallVector<Value> inputs = {centered, invStd, adaptor.getScale()};
    if (adaptor.getBias())
      inputs.push_back(adaptor.getBias());
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                   droppedAxesMap(rank, axes, ctx)};
    for (Value v : ArrayRef<Value>(inputs).drop_front(2))
      maps.push_back(
          broadcastMap(cast<RankedTensorType>(v.getType()).getShape(),
                       type.getShape(), rank, ctx));
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(), elem);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    bool hasBias = static_cast<bool>(adaptor.getBias());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, inputs, ValueRange{empty}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value v = arith::MulFOp::create(
              b, l, arith::MulFOp::create(b, l, a[0], a[1]), a[2]);
          if (hasBias)
            v = arith::AddFOp::create(b, l, v, a[3]);
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     cast<RankedTensorType>(op.getType())));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value empty = tensor::EmptyOp::create(
        rewriter, op.getLoc(), type.getShape(), type.getElementType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(),
                                                       empty, op.getPerm())
                               .getResult()[0]);
    return success();
  }
};

struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(), cast<RankedTensorType>(op.getType()),
        ValueRange{adaptor.getInput()},
        [](OpBuilder &, Location, ValueRange a) -> Value { return a[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank(), axis = op.getAxis();
    Value result = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType());
    int64_t offset = 0;
    for (Value in : adaptor.getInputs()) {
      auto t = cast<RankedTensorType>(in.getType());
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
      for (int64_t d = 0; d < rank; ++d)
        sizes.push_back(rewriter.getIndexAttr(t.getDimSize(d)));
      if (t.getDimSize(axis) > 0)
        result = tensor::InsertSliceOp::create(rewriter, loc, in, result,
                                               offsets, sizes, strides);
      offset += t.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    bool positive =
        llvm::all_of(op.getSteps(), [](int64_t s) { return s > 0; });
    if (positive) {
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (unsigned d = 0; d < rank; ++d) {
        offsets.push_back(rewriter.getIndexAttr(op.getStarts()[d]));
        sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
        strides.push_back(rewriter.getIndexAttr(op.getSteps()[d]));
      }
      rewriter.replaceOp(op, tensor::ExtractSliceOp::create(
                                 rewriter, loc, type, adaptor.getInput(),
                                 offsets, sizes, strides));
      return success();
    }
    // Negative steps: read input[start + i * step] through the indexing map.
    SmallVector<AffineExpr> exprs;
    for (unsigned d = 0; d < rank; ++d)
      exprs.push_back(getAffineDimExpr(d, ctx) * op.getSteps()[d] +
                      op.getStarts()[d]);
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, exprs, ctx),
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{adaptor.getInput()}, ValueRange{empty},
        maps, iterators, [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(b, l, a[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    auto dataType = op.getData().getType();
    auto idxType = op.getIndices().getType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    int64_t idxRank = idxType.getRank();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t d = 0; d < idxRank; ++d)
      idxExprs.push_back(getAffineDimExpr(axis + d, ctx));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, idxExprs, ctx),
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value data = adaptor.getData();
    int64_t axisSize = dataType.getDimSize(axis);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{adaptor.getIndices()},
        ValueRange{empty}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange a) {
          // Negative indices count from the end; out-of-range indices are
          // clamped so the read stays in bounds (ONNX leaves them undefined).
          Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
          Value size = arith::ConstantIndexOp::create(b, l, axisSize);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value neg =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, zero);
          idx = arith::SelectOp::create(
              b, l, neg, arith::AddIOp::create(b, l, idx, size), idx);
          Value maxIdx = arith::ConstantIndexOp::create(b, l, axisSize - 1);
          idx = arith::MaxSIOp::create(
              b, l, zero, arith::MinSIOp::create(b, l, idx, maxIdx));
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          at.push_back(idx);
          for (int64_t d = axis + 1; d < dataType.getRank(); ++d)
            at.push_back(linalg::IndexOp::create(b, l, d + idxRank - 1));
          linalg::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, data, at).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct TriluLowering : OpConversionPattern<TriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    int64_t k = static_cast<int64_t>(op.getK());
    bool upper = op.getUpper();
    Type elem = type.getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, ValueRange{adaptor.getInput()},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value row = linalg::IndexOp::create(b, l, rank - 2);
          Value col = linalg::IndexOp::create(b, l, rank - 1);
          Value diff = arith::SubIOp::create(b, l, col, row);
          Value kv = arith::ConstantIndexOp::create(b, l, k);
          Value keep = arith::CmpIOp::create(b, l,
                                             upper ? arith::CmpIPredicate::sge
                                                   : arith::CmpIPredicate::sle,
                                             diff, kv);
          Value zero = elem.isInteger(1)
                           ? arith::ConstantOp::create(
                                 b, l, elem, b.getIntegerAttr(elem, 0))
                                 .getResult()
                           : scalarConst(b, l, elem, 0);
          return arith::SelectOp::create(b, l, keep, a[0], zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct EinsumLowering : OpConversionPattern<EinsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    auto [lhs, out] = op.getEquation().split("->");
    SmallVector<StringRef> terms;
    lhs.split(terms, ',');
    // Loops: output letters first (parallel), then the summed letters.
    std::string letters = out.str();
    for (StringRef t : terms)
      for (char c : t)
        if (letters.find(c) == std::string::npos)
          letters.push_back(c);
    unsigned numLoops = letters.size();
    auto mapOf = [&](StringRef term) {
      SmallVector<AffineExpr> exprs;
      for (char c : term)
        exprs.push_back(getAffineDimExpr(letters.find(c), ctx));
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps;
    for (StringRef t : terms)
      maps.push_back(mapOf(t));
    maps.push_back(mapOf(out));
    SmallVector<utils::IteratorType> iterators;
    for (unsigned i = 0; i < numLoops; ++i)
      iterators.push_back(i < out.size() ? utils::IteratorType::parallel
                                         : utils::IteratorType::reduction);
    Type elem = type.getElementType();
    bool isFloat = isa<FloatType>(elem);
    Value init = zeroFilled(rewriter, loc, type);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, adaptor.getInputs(), ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange a) {
          Value prod = a[0];
          for (Value v : a.drop_front().drop_back())
            prod = isFloat ? arith::MulFOp::create(b, l, prod, v).getResult()
                           : arith::MulIOp::create(b, l, prod, v).getResult();
          Value acc = a.back();
          linalg::YieldOp::create(
              b, l,
              isFloat ? arith::AddFOp::create(b, l, acc, prod).getResult()
                      : arith::AddIOp::create(b, l, acc, prod).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ConvertFacetToLinalg
    : facet::impl::ConvertFacetToLinalgBase<ConvertFacetToLinalg> {
  using ConvertFacetToLinalgBase::ConvertFacetToLinalgBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Linalg lowering needs static shapes; say which op has none.
    WalkResult walk = module.walk([](Operation *op) {
      if (!isa<FacetDialect>(op->getDialect()))
        return WalkResult::advance();
      for (Type t : llvm::concat<const Type>(op->getOperandTypes(),
                                             op->getResultTypes())) {
        auto shaped = dyn_cast<ShapedType>(t);
        if (shaped && !shaped.hasStaticShape()) {
          op->emitError("cannot lower to linalg: dynamic shape ")
              << t << " (fix the model's dynamic dimensions with --shape)";
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<FacetDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    patterns
        .add<ConstantLowering, IdentityLowering, MatMulLowering, GemmLowering,
             ReduceLowering, SoftmaxLowering, LayerNormLowering,
             ReshapeLowering, TransposeLowering, ExpandLowering, ConcatLowering,
             SliceLowering, GatherLowering, TriluLowering, EinsumLowering>(ctx);
    patterns.add<ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>,
                 ElementwiseLowering<MulOp>, ElementwiseLowering<DivOp>,
                 ElementwiseLowering<PowOp>, ElementwiseLowering<MinOp>,
                 ElementwiseLowering<MaxOp>, ElementwiseLowering<EqualOp>,
                 ElementwiseLowering<LessOp>, ElementwiseLowering<GreaterOp>,
                 ElementwiseLowering<WhereOp>, ElementwiseLowering<ReluOp>,
                 ElementwiseLowering<SqrtOp>, ElementwiseLowering<ReciprocalOp>,
                 ElementwiseLowering<ExpOp>, ElementwiseLowering<LogOp>,
                 ElementwiseLowering<TanhOp>, ElementwiseLowering<ErfOp>,
                 ElementwiseLowering<SigmoidOp>, ElementwiseLowering<NegOp>,
                 ElementwiseLowering<AbsOp>, ElementwiseLowering<NotOp>,
                 ElementwiseLowering<GeluOp>, ElementwiseLowering<ClipOp>,
                 ElementwiseLowering<CastOp>>(ctx);
    populateAttentionLoweringPatterns(patterns, vectorLanes);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
