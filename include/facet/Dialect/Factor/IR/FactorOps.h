//===- FactorOps.h - factor dialect operations ------------------*- C++ -*-===//
#ifndef FACET_DIALECT_FACTOR_IR_FACTOROPS_H
#define FACET_DIALECT_FACTOR_IR_FACTOROPS_H

#include "facet/Contraction/Network.h"
#include "facet/Dialect/Factor/IR/FactorDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "facet/Dialect/Factor/IR/FactorOpsEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "facet/Dialect/Factor/IR/FactorOpsAttrDefs.h.inc"

#define GET_OP_CLASSES
#include "facet/Dialect/Factor/IR/FactorOps.h.inc"

namespace facet::factor {

/// The values of a constant tensor (dense elements, splat or
/// dense_resource; f32 or f64) in double precision; false when `v` is not
/// such a constant.
bool readConstant(mlir::Value v, std::vector<double> &out);

/// A constant op of `type` (f32 or f64) holding `data`: dense elements when
/// small, a dense_resource blob named `blobName` otherwise.
mlir::Value createConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::RankedTensorType type,
                           const std::vector<double> &data,
                           llvm::StringRef blobName);

} // namespace facet::factor

#endif // FACET_DIALECT_FACTOR_IR_FACTOROPS_H
