//===- Internal.h - Shared pieces of the factorization library --*- C++ -*-===//
#ifndef FACET_LIB_FACTORIZE_INTERNAL_H
#define FACET_LIB_FACTORIZE_INTERNAL_H

#include "facet/Dialect/Factor/IR/FactorOps.h"
#include "facet/Factorize/Factorize.h"

#include "llvm/ADT/SmallVector.h"

#include <string>
#include <vector>

namespace facet::factorize::detail {

/// The cost model's memory weight: FLOP-equivalents per tensor element moved
/// (docs/Factor.md), for linear and attention candidates alike.
constexpr double kMemoryWeight = 8.0;

/// The cores of one factorized layer and how they contract with the
/// activation: x[..., inDims] (K split into inDims, letters inSub) with the
/// cores (subscripts coreSubs) gives y[..., outDims] (letters outSub). For
/// embeddings inDims/outDims are the TT row/column factors.
struct CoreNetwork {
  facet::factor::Format format = facet::factor::Format::svd;
  std::vector<int64_t> ranks;
  std::vector<int64_t> inDims, outDims;
  std::string inSub, outSub;
  std::vector<std::string> coreSubs;
  std::vector<std::vector<float>> cores;
  std::vector<llvm::SmallVector<int64_t>> coreShapes;
  double error = 0;

  int64_t numParams() const {
    int64_t n = 0;
    for (const auto &c : cores)
      n += static_cast<int64_t>(c.size());
    return n;
  }
};

bool matchLinalgLinear(mlir::Operation *op, int &weight, bool &transposed);
/// W as [K, N] row-major (tables as [rows, D]); empty if unreadable.
std::vector<float> readWeight(const Layer &layer);
mlir::LogicalResult rewriteLinear(const Layer &layer, const CoreNetwork &net,
                                  std::string &error);
mlir::LogicalResult rewriteEmbedding(const Layer &layer,
                                     const CoreNetwork &net,
                                     std::string &error);

} // namespace facet::factorize::detail

#endif // FACET_LIB_FACTORIZE_INTERNAL_H
