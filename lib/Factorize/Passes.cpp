//===- Passes.cpp - facet-factorize-linear, factor-factorize-contractions -===//

#include "facet/Factorize/Passes.h"
#include "facet/Factorize/Factorize.h"

#include "facet/Dialect/Factor/IR/FactorOps.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace facet::factorize {
#define GEN_PASS_DEF_FACTORIZELINEAR
#define GEN_PASS_DEF_FACTORIZECONTRACTIONS
#include "facet/Factorize/Passes.h.inc"
} // namespace facet::factorize

using namespace mlir;
using namespace facet::factorize;

namespace {

/// Pass options -> Options; exactly one policy.
LogicalResult toOptions(Operation *op, StringRef format, int64_t rank,
                        double energy, double error, double keep,
                        StringRef layers, int64_t minRank,
                        int64_t rankMultiple, StringRef allocation,
                        Options &o) {
  if (rankMultiple < 1) {
    op->emitError() << "rank-multiple " << rankMultiple
                    << ": must be at least 1";
    return failure();
  }
  o.rankMultiple = rankMultiple;
  if (allocation == "uniform") {
    o.allocation = Allocation::Uniform;
  } else if (allocation != "global") {
    op->emitError() << "allocation '" << allocation
                    << "': expected global or uniform";
    return failure();
  }
  if (!parseFormat(format, o.format)) {
    op->emitError() << "format '" << format
                    << "': expected svd, kronecker, cp, tucker, tt or auto";
    return failure();
  }
  int policies = (rank != 0) + (energy != 0) + (error != 0) + (keep != 0);
  if (policies != 1) {
    op->emitError() << "give exactly one policy: rank, energy, error or keep";
    return failure();
  }
  if (rank) {
    o.policy = Policy::Rank;
    o.value = double(rank);
  } else if (energy) {
    o.policy = Policy::Energy;
    o.value = energy;
  } else if (error) {
    o.policy = Policy::Error;
    o.value = error;
  } else {
    o.policy = Policy::Keep;
    o.value = keep;
  }
  o.layerPattern = layers.str();
  o.minRank = minRank;
  return success();
}

LogicalResult run(ModuleOp module, const Options &o, bool linalg,
                  StringRef reportPath) {
  std::vector<Layer> layers =
      findLayers(module, linalg, o.embeddings, o.attention.has_value());
  // In someone else's pipeline a module without layers is not an error.
  if (layers.empty() && o.layerPattern.empty()) {
    module.emitRemark() << "no layer to factorize";
    return success();
  }
  Planner planner(std::move(layers), o);
  std::string error;
  if (failed(planner.analyze(error)) || failed(planner.plan(error)) ||
      failed(planner.apply(module, linalg, error))) {
    module.emitError() << error;
    return failure();
  }
  if (!reportPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(reportPath, ec);
    if (ec) {
      module.emitError() << "cannot write '" << reportPath
                         << "': " << ec.message();
      return failure();
    }
    os << reportToJson(planner.report());
  }
  return success();
}

struct FactorizeLinear
    : facet::factorize::impl::FactorizeLinearBase<FactorizeLinear> {
  using FactorizeLinearBase::FactorizeLinearBase;
  void runOnOperation() override {
    Options o;
    o.embeddings = embeddings;
    if (!attention.empty()) {
      Format f;
      if (!parseAttentionFormat(attention, f)) {
        getOperation().emitError()
            << "attention '" << attention
            << "': expected lowrank, tucker or auto";
        return signalPassFailure();
      }
      o.attention = f;
    }
    o.acceptAll = acceptAll;
    if (failed(toOptions(getOperation(), format, rank, energy, error, keep,
                         layers, minRank, rankMultiple, allocation, o)) ||
        failed(run(getOperation(), o, /*linalg=*/false, report)))
      signalPassFailure();
  }
};

struct FactorizeContractions
    : facet::factorize::impl::FactorizeContractionsBase<
          FactorizeContractions> {
  using FactorizeContractionsBase::FactorizeContractionsBase;
  void runOnOperation() override {
    Options o;
    if (failed(toOptions(getOperation(), format, rank, energy, error, keep,
                         layers, minRank, rankMultiple, allocation, o)) ||
        failed(run(getOperation(), o, /*linalg=*/true, report)))
      signalPassFailure();
  }
};

} // namespace
