//===- Passes.h - Facet's transformations of upstream IR --------*- C++ -*-===//
#ifndef FACET_TRANSFORMS_PASSES_H
#define FACET_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Pass/Pass.h"

namespace facet {

#define GEN_PASS_DECL
#include "facet/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "facet/Transforms/Passes.h.inc"

} // namespace facet

#endif // FACET_TRANSFORMS_PASSES_H
