//===- Passes.h - Facet's transformations of upstream IR --------*- C++ -*-===//
#ifndef FACET_TRANSFORMS_PASSES_H
#define FACET_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace facet {

#define GEN_PASS_DECL
#include "facet/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "facet/Transforms/Passes.h.inc"

} // namespace facet

#endif // FACET_TRANSFORMS_PASSES_H
