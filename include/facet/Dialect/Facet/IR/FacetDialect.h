//===- FacetDialect.h - The facet graph-level dialect -----------*- C++ -*-===//
#ifndef FACET_DIALECT_FACET_IR_FACETDIALECT_H
#define FACET_DIALECT_FACET_IR_FACETDIALECT_H

#include "mlir/IR/Dialect.h"

#include "facet/Dialect/Facet/IR/FacetOpsDialect.h.inc"

#endif // FACET_DIALECT_FACET_IR_FACETDIALECT_H
