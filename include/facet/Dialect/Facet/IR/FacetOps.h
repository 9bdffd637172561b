//===- FacetOps.h - facet dialect operations --------------------*- C++ -*-===//
#ifndef FACET_DIALECT_FACET_IR_FACETOPS_H
#define FACET_DIALECT_FACET_IR_FACETOPS_H

#include "facet/Dialect/Facet/IR/FacetDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <limits>

#define GET_OP_CLASSES
#include "facet/Dialect/Facet/IR/FacetOps.h.inc"

namespace facet {

/// ONNX shape inference, shared by the ops' inferReturnTypes and the
/// importer (which must report failures as errors naming the node instead of
/// building an invalid op). On failure, `error` says why.
mlir::FailureOr<mlir::RankedTensorType>
inferMatMulType(mlir::RankedTensorType lhs, mlir::RankedTensorType rhs,
                std::string &error);
mlir::FailureOr<mlir::RankedTensorType> inferGemmType(mlir::RankedTensorType a,
                                                      mlir::RankedTensorType b,
                                                      mlir::RankedTensorType c,
                                                      bool transA, bool transB,
                                                      std::string &error);
/// Numpy (multidirectional) broadcasting of two operands.
mlir::FailureOr<mlir::RankedTensorType>
inferBroadcastType(mlir::RankedTensorType lhs, mlir::RankedTensorType rhs,
                   std::string &error);

/// Where: three-way numpy broadcasting of condition, x and y.
mlir::FailureOr<mlir::RankedTensorType>
inferWhereType(mlir::RankedTensorType cond, mlir::RankedTensorType x,
               mlir::RankedTensorType y, std::string &error);
/// Reduction over normalized `axes`, keeping them as size 1 or not.
mlir::FailureOr<mlir::RankedTensorType>
inferReduceType(mlir::RankedTensorType input, llvm::ArrayRef<int64_t> axes,
                bool keepdims, std::string &error);

} // namespace facet

#endif // FACET_DIALECT_FACET_IR_FACETOPS_H
