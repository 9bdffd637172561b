//===- OnnxOps.h - Per-op translation of ONNX nodes (private) ---*- C++ -*-===//
//
// The table of ONNX ops the importer translates: for each op, the attributes
// it understands and a handler that builds facet ops for one node.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_LIB_IMPORT_ONNXOPS_H
#define FACET_LIB_IMPORT_ONNXOPS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <functional>
#include <string>
#include <vector>

namespace facet::importer {

struct NodeContext {
  mlir::OpBuilder &b;
  mlir::Location loc;
  std::string desc; // "node 'name' (OpType)"
  int64_t opset;
  const onnx::NodeProto &node;
  /// One per node input; null for an omitted optional input ("").
  llvm::SmallVector<mlir::Value> operands;
  llvm::StringMap<const onnx::AttributeProto *> attrs;
  /// Converts a TensorProto (a Constant's value) into an elements attribute.
  std::function<mlir::FailureOr<mlir::Attribute>(const onnx::TensorProto &,
                                                 llvm::StringRef)>
      tensorToAttr;

  /// An error at the node, prefixed with its description.
  mlir::InFlightDiagnostic error() {
    return mlir::emitError(loc) << desc << ": ";
  }
};

using NodeHandler =
    mlir::FailureOr<llvm::SmallVector<mlir::Value>> (*)(NodeContext &);

struct OpSpec {
  NodeHandler handler;
  std::vector<std::string> attributes;
};

/// Ops of the default domain the importer translates.
const llvm::StringMap<OpSpec> &onnxOpTable();

/// Folds `op` if its operands are constants (or it is an identity), replacing
/// it by facet.constant ops or existing values; returns the results to use.
llvm::SmallVector<mlir::Value> foldOrKeep(mlir::OpBuilder &b,
                                          mlir::Operation *op);

} // namespace facet::importer

#endif // FACET_LIB_IMPORT_ONNXOPS_H
