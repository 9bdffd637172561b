//===- OnnxImporter.h - ONNX model to facet dialect -------------*- C++ -*-===//
//
// Translates an ONNX ModelProto into a module holding one `func.func @main`
// of facet ops. Errors are reported through MLIR diagnostics and name the
// file, node, op, value or input concerned.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_IMPORT_ONNXIMPORTER_H
#define FACET_IMPORT_ONNXIMPORTER_H

#include "facet/Runtime/Tensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <string>

namespace facet {

struct ImportOptions {
  /// Static shapes for graph inputs (`--shape NAME=1x32`), replacing the
  /// shapes declared in the model; must keep the declared rank and any
  /// declared static dimension.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Constants with more elements than this become `dense_resource` blobs;
  /// smaller ones are printed inline.
  int64_t inlineElementLimit = 16;
  /// Folder that external-data locations are relative to; importOnnxFile
  /// sets it to the model's folder. Files outside it are never read.
  std::string externalDataDir;
  /// Graph inputs bound to constant values at compile time (`--bind`): they
  /// become constants and leave the compiled model's signature. Needed when
  /// a model feeds a shape, axes or bounds as an input.
  llvm::StringMap<runtime::Tensor> boundInputs;
};

/// Imports the ONNX model at `path`. Returns null after emitting diagnostics
/// when the file cannot be read, is not a valid ONNX model, or uses ops,
/// attributes, types or shapes Facet does not support (all unsupported ops
/// are listed at once).
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(mlir::MLIRContext &context,
                                                 llvm::StringRef path,
                                                 const ImportOptions &options);

/// Same, from bytes already in memory; `sourceName` names them in messages.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxBytes(mlir::MLIRContext &context,
                                                  llvm::StringRef bytes,
                                                  llvm::StringRef sourceName,
                                                  const ImportOptions &options);

/// Parses "1x32x?"-free shape text such as "1x32" (or "" / "scalar" for rank
/// 0). Returns false on malformed text.
bool parseShapeText(llvm::StringRef text,
                    llvm::SmallVectorImpl<int64_t> &shape);

} // namespace facet

#endif // FACET_IMPORT_ONNXIMPORTER_H
