//===- Allocation.h - Ranks across layers under a global budget -*- C++ -*-===//
//
// Global budget allocation (COMPRESSION.md): given, for every layer, the ways
// it can be stored (a format at some rank, or dense) with their parameter
// counts and losses, choose one per layer to minimize the total loss under
// a total parameter budget. Plain C++17, no MLIR.
//
// The loss of an option is the caller's: Facet uses the squared *relative*
// error ε² of the layer (plain, or activation-weighted with calibration), so
// that layers of large norm do not starve small ones (COMPRESSION.md's trap).
//
// `allocateExact` solves the multiple-choice knapsack exactly by dynamic
// programming over the budget (costs rounded *up* to budget units, so the
// budget always holds); `allocateGreedy` takes the best marginal loss drop
// per parameter, which is optimal on the convex hull of each profile (SVD
// spectra) up to the last step. No library does either for us.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RANK_ALLOCATION_H
#define FACET_RANK_ALLOCATION_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace facet::rank {

/// One way to store a layer.
struct Option {
  int64_t params = 0; ///< parameters stored
  double loss = 0;    ///< what the allocation minimizes (e.g. ε²)
};

struct LayerOptions {
  std::vector<Option> options; ///< at least one
  double weight = 1;           ///< multiplies the layer's loss
};

struct Allocation {
  std::vector<int> choice; ///< index into each layer's options
  int64_t params = 0;      ///< Σ params of the choices
  double loss = 0;         ///< Σ weight · loss of the choices
};

/// The fewest parameters any allocation needs (Σ of each layer's smallest).
int64_t minimumParams(const std::vector<LayerOptions> &layers);

/// Minimizes Σ weight·loss subject to Σ params ≤ budget, exactly up to the
/// rounding of parameter counts to `budget / units` (each rounded up, so the
/// true total never exceeds the budget; the loss is optimal for the rounded
/// costs). Returns nothing when no allocation fits.
std::optional<Allocation> allocateExact(const std::vector<LayerOptions> &layers,
                                        int64_t budget, int64_t units = 40000);

/// Greedy: start every layer at its cheapest option, then repeatedly apply
/// the upgrade (along each layer's lower convex hull of (params, loss)) with
/// the largest loss decrease per added parameter that still fits.
std::optional<Allocation>
allocateGreedy(const std::vector<LayerOptions> &layers, int64_t budget);

} // namespace facet::rank

#endif // FACET_RANK_ALLOCATION_H
