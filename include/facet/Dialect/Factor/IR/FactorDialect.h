//===- FactorDialect.h - factor dialect -------------------------*- C++ -*-===//
#ifndef FACET_DIALECT_FACTOR_IR_FACTORDIALECT_H
#define FACET_DIALECT_FACTOR_IR_FACTORDIALECT_H

#include "mlir/IR/Dialect.h"

#include "facet/Dialect/Factor/IR/FactorOpsDialect.h.inc"

#endif // FACET_DIALECT_FACTOR_IR_FACTORDIALECT_H
