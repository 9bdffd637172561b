//===- Passes.h - Facet conversion passes -----------------------*- C++ -*-===//
#ifndef FACET_CONVERSION_PASSES_H
#define FACET_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace facet {

#define GEN_PASS_DECL
#include "facet/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "facet/Conversion/Passes.h.inc"

/// Name of the module attribute that records the model's I/O signature:
/// a dictionary {inputs = [...], outputs = [...]} whose entries are
/// dictionaries {name = "x", type = tensor<2x3xf32>}.
inline constexpr llvm::StringLiteral kModelSignatureAttr =
    "facet.model_signature";

} // namespace facet

#endif // FACET_CONVERSION_PASSES_H
