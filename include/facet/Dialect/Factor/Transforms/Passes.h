//===- Passes.h - factor dialect passes -------------------------*- C++ -*-===//
#ifndef FACET_DIALECT_FACTOR_TRANSFORMS_PASSES_H
#define FACET_DIALECT_FACTOR_TRANSFORMS_PASSES_H

#include "facet/Dialect/Factor/IR/FactorOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Pass/Pass.h"

namespace facet::factor {

#define GEN_PASS_DECL
#include "facet/Dialect/Factor/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "facet/Dialect/Factor/Transforms/Passes.h.inc"

} // namespace facet::factor

#endif // FACET_DIALECT_FACTOR_TRANSFORMS_PASSES_H
