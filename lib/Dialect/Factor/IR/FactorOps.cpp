//===- FactorOps.cpp - factor dialect operations --------------------------===//

#include "facet/Dialect/Factor/IR/FactorOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace facet::factor;
namespace contraction = facet::contraction;

#include "facet/Dialect/Factor/IR/FactorOpsDialect.cpp.inc"
#include "facet/Dialect/Factor/IR/FactorOpsEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "facet/Dialect/Factor/IR/FactorOpsAttrDefs.cpp.inc"

#define GET_OP_CLASSES
#include "facet/Dialect/Factor/IR/FactorOps.cpp.inc"

void FactorDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "facet/Dialect/Factor/IR/FactorOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "facet/Dialect/Factor/IR/FactorOpsAttrDefs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

bool facet::factor::readConstant(Value v, std::vector<double> &out) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  auto elements = dyn_cast<ElementsAttr>(attr);
  if (!elements)
    return false;
  auto type = cast<ShapedType>(elements.getType());
  Type et = type.getElementType();
  if (!et.isF32() && !et.isF64())
    return false;
  int64_t n = type.getNumElements();
  out.resize(n);
  if (auto dense = dyn_cast<DenseElementsAttr>(elements)) {
    if (et.isF32()) {
      int64_t i = 0;
      for (float f : dense.getValues<float>())
        out[i++] = f;
    } else {
      int64_t i = 0;
      for (double d : dense.getValues<double>())
        out[i++] = d;
    }
    return true;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(elements)) {
    const AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return false;
    ArrayRef<char> bytes = blob->getData();
    size_t width = et.isF32() ? 4 : 8;
    if (bytes.size() != static_cast<size_t>(n) * width)
      return false;
    for (int64_t i = 0; i < n; ++i) {
      if (width == 4) {
        float f;
        std::memcpy(&f, bytes.data() + 4 * i, 4);
        out[i] = f;
      } else {
        std::memcpy(&out[i], bytes.data() + 8 * i, 8);
      }
    }
    return true;
  }
  return false;
}

Value facet::factor::createConstant(OpBuilder &b, Location loc,
                                    RankedTensorType type,
                                    const std::vector<double> &data,
                                    StringRef blobName) {
  ElementsAttr attr;
  bool f32 = type.getElementType().isF32();
  std::vector<float> floats;
  if (f32)
    floats.assign(data.begin(), data.end());
  // Small values stay readable in the IR; large ones go to a blob.
  if (data.size() <= 256) {
    attr = f32 ? DenseElementsAttr::get(type, ArrayRef<float>(floats))
               : DenseElementsAttr::get(type, ArrayRef<double>(data));
  } else {
    AsmResourceBlob blob =
        f32 ? HeapAsmResourceBlob::allocateAndCopyInferAlign(
                  ArrayRef<float>(floats))
            : HeapAsmResourceBlob::allocateAndCopyInferAlign(
                  ArrayRef<double>(data));
    attr = DenseResourceElementsAttr::get(type, blobName, std::move(blob));
  }
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
}

//===----------------------------------------------------------------------===//
// ContractOp
//===----------------------------------------------------------------------===//

contraction::Equation ContractOp::getParsedEquation() {
  contraction::Equation eq;
  (void)contraction::parseEquation(getEquation().str(), eq);
  return eq;
}

static std::vector<std::vector<int64_t>> shapesOf(ValueRange values) {
  std::vector<std::vector<int64_t>> shapes;
  for (Value v : values) {
    ArrayRef<int64_t> s = cast<RankedTensorType>(v.getType()).getShape();
    shapes.emplace_back(s.begin(), s.end());
  }
  return shapes;
}

std::vector<std::pair<char, int64_t>> ContractOp::getIndexSizes() {
  std::vector<std::pair<char, int64_t>> sizes;
  (void)contraction::checkEquation(getParsedEquation(),
                                   shapesOf(getOperands()), sizes);
  return sizes;
}

std::vector<contraction::Step> ContractOp::getPathSteps() {
  std::vector<contraction::Step> steps;
  if (auto path = getPath())
    for (size_t i = 0; i + 1 < path->size(); i += 2)
      steps.push_back({static_cast<int>((*path)[i]),
                       static_cast<int>((*path)[i + 1])});
  return steps;
}

int64_t ContractOp::getNumCoreParams() {
  int64_t n = 0;
  for (Value c : getCores())
    n += cast<RankedTensorType>(c.getType()).getNumElements();
  return n;
}

LogicalResult ContractOp::verify() {
  if (getCores().empty())
    return emitOpError("needs at least one core besides the activation");
  contraction::Equation eq;
  if (std::string err = contraction::parseEquation(getEquation().str(), eq);
      !err.empty())
    return emitOpError("equation ") << err;
  Type et = getInput().getType().getElementType();
  for (Value c : getCores())
    if (cast<RankedTensorType>(c.getType()).getElementType() != et)
      return emitOpError("cores must have the activation's element type ")
             << et << ", got " << c.getType();
  if (getType().getElementType() != et)
    return emitOpError("result must have the activation's element type ")
           << et;
  std::vector<std::pair<char, int64_t>> sizes;
  if (std::string err =
          contraction::checkEquation(eq, shapesOf(getOperands()), sizes);
      !err.empty())
    return emitOpError("equation '") << getEquation() << "': " << err;
  SmallVector<int64_t> expected;
  for (char c : eq.output)
    expected.push_back(contraction::sizeOf(sizes, c));
  if (getType().getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result type ")
           << getType() << " does not match the equation's result shape ["
           << expected << "]";
  for (int64_t r : getRanks())
    if (r < 1)
      return emitOpError("ranks must be at least 1, got ") << r;
  if (auto error = getError())
    if (!(error->convertToDouble() >= 0))
      return emitOpError("error must be non-negative, got ")
             << error->convertToDouble();
  if (auto path = getPath()) {
    if (path->size() % 2 != 0)
      return emitOpError("path must hold pairs of operand positions");
    contraction::Path p;
    if (std::string err = contraction::evaluateOrder(
            eq, sizes, getPathSteps(), contraction::CostModel(), p);
        !err.empty())
      return emitOpError("path: ") << err;
  }
  return success();
}

namespace {

/// Merges two constant cores into one when they share an index that no
/// other operand nor the result has and the merged core holds no more
/// elements than the two did (e.g. a Tucker core with a factor whose rank
/// exceeds its dimension): fewer parameters, one contraction step fewer.
struct MergeConstantCores : OpRewritePattern<ContractOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ContractOp op,
                                PatternRewriter &rewriter) const override {
    contraction::Equation eq = op.getParsedEquation();
    std::vector<std::pair<char, int64_t>> sizes = op.getIndexSizes();
    auto volume = [&](const std::string &s) {
      int64_t v = 1;
      for (char c : s)
        v *= contraction::sizeOf(sizes, c);
      return v;
    };
    int n = static_cast<int>(eq.inputs.size());
    for (int i = 1; i < n; ++i)
      for (int j = i + 1; j < n; ++j) {
        std::string keep = eq.output;
        for (int k = 0; k < n; ++k)
          if (k != i && k != j)
            keep += eq.inputs[k];
        const std::string &si = eq.inputs[i], &sj = eq.inputs[j];
        bool sharesPrivate = false;
        for (char c : si)
          sharesPrivate |= sj.find(c) != std::string::npos &&
                           keep.find(c) == std::string::npos;
        if (!sharesPrivate)
          continue;
        std::string merged = contraction::pairResult(si, sj, keep);
        if (volume(merged) > volume(si) + volume(sj))
          continue;
        std::vector<double> a, b;
        if (!readConstant(op.getOperand(i), a) ||
            !readConstant(op.getOperand(j), b))
          continue;
        std::vector<double> data =
            contraction::contractPair(si, a, sj, b, merged, sizes);
        SmallVector<int64_t> shape;
        for (char c : merged)
          shape.push_back(contraction::sizeOf(sizes, c));
        auto type =
            RankedTensorType::get(shape, op.getInput().getType().getElementType());
        Value core = createConstant(rewriter, op.getLoc(), type, data,
                                    "merged_core");
        SmallVector<Value> operands;
        contraction::Equation neq;
        for (int k = 0; k < n; ++k)
          if (k != i && k != j) {
            operands.push_back(op.getOperand(k));
            neq.inputs.push_back(eq.inputs[k]);
          }
        operands.push_back(core);
        neq.inputs.push_back(merged);
        neq.output = eq.output;
        auto newOp = ContractOp::create(
            rewriter, op.getLoc(), op.getType(), operands[0],
            ValueRange(operands).drop_front(), neq.str(), op.getFormat(),
            op.getRanks(), op.getSourceAttr(), op.getErrorAttr(),
            /*path=*/nullptr);
        rewriter.replaceOp(op, newOp.getResult());
        return success();
      }
    return failure();
  }
};

} // namespace

void ContractOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<MergeConstantCores>(context);
}

//===----------------------------------------------------------------------===//
// TTGatherOp
//===----------------------------------------------------------------------===//

LogicalResult TTGatherOp::verify() {
  ArrayRef<int64_t> rowDims = getRowDims(), colDims = getColDims(),
                    ranks = getRanks();
  size_t d = getCores().size();
  if (d < 1)
    return emitOpError("needs at least one core");
  if (rowDims.size() != d || colDims.size() != d)
    return emitOpError("row_dims and col_dims need one entry per core (")
           << d << "), got " << rowDims.size() << " and " << colDims.size();
  if (ranks.size() != d + 1 || ranks.front() != 1 || ranks.back() != 1)
    return emitOpError("ranks must hold ")
           << d + 1 << " bond ranks starting and ending with 1";
  int64_t rowProduct = 1, colProduct = 1;
  Type et = getType().getElementType();
  for (size_t k = 0; k < d; ++k) {
    auto type = cast<RankedTensorType>(getCores()[k].getType());
    SmallVector<int64_t> expected = {ranks[k], rowDims[k], colDims[k],
                                     ranks[k + 1]};
    if (type.getShape() != ArrayRef<int64_t>(expected))
      return emitOpError("core #")
             << k << " must have shape [" << expected << "], got " << type;
    if (type.getElementType() != et)
      return emitOpError("cores must have the result's element type ") << et;
    rowProduct *= rowDims[k];
    colProduct *= colDims[k];
  }
  int64_t rows = static_cast<int64_t>(getRows());
  if (rows < 1 || rows > rowProduct)
    return emitOpError("rows (")
           << getRows() << ") must be in [1, " << rowProduct
           << "], the product of row_dims";
  auto idxType = getIndices().getType();
  SmallVector<int64_t> expected(idxType.getShape());
  expected.push_back(colProduct);
  if (getType().getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result type ")
           << getType() << " must be the indices' shape followed by "
           << colProduct << " (the product of col_dims)";
  return success();
}
