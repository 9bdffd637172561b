//===- Passes.h - Factorization rewrite passes ------------------*- C++ -*-===//
#ifndef FACET_FACTORIZE_PASSES_H
#define FACET_FACTORIZE_PASSES_H

#include "facet/Dialect/Factor/IR/FactorDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace facet::factorize {

#define GEN_PASS_DECL
#include "facet/Factorize/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "facet/Factorize/Passes.h.inc"

} // namespace facet::factorize

#endif // FACET_FACTORIZE_PASSES_H
