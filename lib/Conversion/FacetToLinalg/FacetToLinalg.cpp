//===- FacetToLinalg.cpp - Lower facet ops to linalg ----------------------===//
//
// ONNX broadcasting and transposition are expressed in linalg indexing maps,
// so no broadcast or transpose is ever materialized: a size-1 operand dim
// that broadcasts reads index 0, a transposed operand swaps its map's dims.
//
//===----------------------------------------------------------------------===//

#include "facet/Conversion/Passes.h"
#include "facet/Dialect/Facet/IR/FacetOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

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

/// Builds `out[...] += lhs[...] * rhs[...]` as a linalg.generic whose last
/// loop is the reduction.
Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       RankedTensorType outType, AffineMap lhsMap,
                       AffineMap rhsMap) {
  unsigned numLoops = outType.getRank() + 1;
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  AffineMap outMap = AffineMap::getMultiDimIdentityMap(numLoops, b.getContext())
                         .getMajorSubMap(outType.getRank());
  Value init = zeroFilled(b, loc, outType);
  bool isFloat = isa<FloatType>(outType.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, outType, ValueRange{lhs, rhs}, ValueRange{init},
      ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
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
    // The plain 2-D case stays a named op so that CPU code generation can
    // match it with its matmul strategy.
    if (a.size() == 2 && b.size() == 2) {
      Value init = zeroFilled(rewriter, loc, outType);
      rewriter.replaceOp(op, linalg::MatmulOp::create(
                                 rewriter, loc,
                                 ValueRange{adaptor.getLhs(), adaptor.getRhs()},
                                 ValueRange{init})
                                 .getResult(0));
      return success();
    }
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
    if (!op.getTransA() && !op.getTransB()) {
      Value init = zeroFilled(rewriter, loc, outType);
      acc = linalg::MatmulOp::create(rewriter, loc,
                                     ValueRange{adaptor.getA(), adaptor.getB()},
                                     ValueRange{init})
                .getResult(0);
    } else {
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

struct AddLowering : OpConversionPattern<AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto outType = cast<RankedTensorType>(op.getType());
    bool isFloat = isa<FloatType>(outType.getElementType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), outType,
        ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          if (isFloat)
            return arith::AddFOp::create(b, l, args[0], args[1]);
          return arith::AddIOp::create(b, l, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReluLowering : OpConversionPattern<ReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto outType = cast<RankedTensorType>(op.getType());
    Type elemType = outType.getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), outType, ValueRange{adaptor.getInput()},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value zero = arith::ConstantOp::create(b, l, elemType,
                                                 b.getZeroAttr(elemType));
          return arith::MaximumFOp::create(b, l, args[0], zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConvertFacetToLinalg
    : facet::impl::ConvertFacetToLinalgBase<ConvertFacetToLinalg> {
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
                           tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    patterns.add<ConstantLowering, IdentityLowering, MatMulLowering,
                 GemmLowering, AddLowering, ReluLowering>(ctx);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
