//===- Passes.h - facet graph passes ----------------------------*- C++ -*-===//
#ifndef FACET_DIALECT_FACET_TRANSFORMS_PASSES_H
#define FACET_DIALECT_FACET_TRANSFORMS_PASSES_H

#include "facet/Dialect/Facet/IR/FacetOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace facet {

#define GEN_PASS_DECL
#include "facet/Dialect/Facet/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "facet/Dialect/Facet/Transforms/Passes.h.inc"

/// Raises the attention subgraphs of `module`; returns how many it raised.
int64_t raiseAttention(mlir::ModuleOp module);

/// Decode mode (the facet-kv-cache pass) with a cache of `size` rows.
mlir::LogicalResult addKVCache(mlir::ModuleOp module, int64_t size);

} // namespace facet

#endif // FACET_DIALECT_FACET_TRANSFORMS_PASSES_H
