//===- Tucker.cpp - Tucker by HOSVD refined with HOOI ---------------------===//

#include "Internal.h"

#include <algorithm>
#include <cmath>

using namespace facet::decomp;
using namespace facet::decomp::detail;

namespace {

int64_t tuckerParams(const std::vector<int64_t> &shape,
                     const std::vector<int64_t> &ranks) {
  int64_t params = productOf(ranks);
  for (size_t k = 0; k < shape.size(); ++k)
    params += shape[k] * ranks[k];
  return params;
}

/// Lowers mode ranks from `ranks` until the budget holds, each step taking
/// the decrement that drops the least HOSVD energy σ²_{k,r_k} per parameter
/// saved. Returns false when even all-ones exceeds the budget.
bool fitBudget(const std::vector<int64_t> &shape,
               const std::vector<std::vector<double>> &spectra, int64_t budget,
               int64_t cap, std::vector<int64_t> &ranks) {
  while (tuckerParams(shape, ranks) > budget) {
    int64_t bestMode = -1;
    double bestCost = std::numeric_limits<double>::infinity();
    int64_t current = tuckerParams(shape, ranks);
    for (size_t k = 0; k < shape.size(); ++k) {
      if (ranks[k] <= 1)
        continue;
      std::vector<int64_t> trial = ranks;
      --trial[k];
      double sigma = ranks[k] - 1 < static_cast<int64_t>(spectra[k].size())
                         ? spectra[k][ranks[k] - 1]
                         : 0.0;
      double cost =
          sigma * sigma / double(current - tuckerParams(shape, trial));
      if (cost < bestCost) {
        bestCost = cost;
        bestMode = static_cast<int64_t>(k);
      }
    }
    if (bestMode < 0)
      return false;
    --ranks[bestMode];
  }
  // The core's size makes one decrement save many parameters at once; spend
  // what is left on the increments that keep the most energy per parameter.
  while (true) {
    int64_t bestMode = -1;
    double bestGain = -1;
    int64_t current = tuckerParams(shape, ranks);
    for (size_t k = 0; k < shape.size(); ++k) {
      if (ranks[k] >=
          std::min({shape[k], cap, static_cast<int64_t>(spectra[k].size())}))
        continue;
      std::vector<int64_t> trial = ranks;
      ++trial[k];
      int64_t added = tuckerParams(shape, trial) - current;
      if (current + added > budget)
        continue;
      double sigma = spectra[k][ranks[k]];
      double gain = sigma * sigma / double(added);
      if (gain > bestGain) {
        bestGain = gain;
        bestMode = static_cast<int64_t>(k);
      }
    }
    if (bestMode < 0)
      return true;
    ++ranks[bestMode];
  }
}

/// x ×_k Uᵀ for every mode k except `skip`.
template <typename T>
Tensor<T> projectAllBut(const Tensor<T> &x,
                        const std::vector<RowMatrix<T>> &factors,
                        int64_t skip) {
  Tensor<T> y = x;
  for (int64_t k = 0; k < x.order(); ++k)
    if (k != skip)
      y = modeProduct<T>(y, k, factors[k].transpose());
  return y;
}

/// The smallest ranks whose per-mode discarded HOSVD energy is at most
/// `allowed`, each at most `cap`.
std::vector<int64_t>
ranksForTail(const std::vector<std::vector<double>> &spectra,
             const std::vector<int64_t> &shape, double allowed, int64_t cap) {
  std::vector<int64_t> ranks;
  for (size_t k = 0; k < shape.size(); ++k) {
    int64_t available = static_cast<int64_t>(spectra[k].size());
    double tail = 0;
    int64_t r = available;
    while (r > 1) {
      double sigma = spectra[k][r - 1];
      if (tail + sigma * sigma > allowed)
        break;
      tail += sigma * sigma;
      --r;
    }
    ranks.push_back(std::min({r, shape[k], cap}));
  }
  return ranks;
}

/// ‖X ×_k U_kᵀ‖² for the leading ranks[k] columns of each basis: the energy a
/// truncated HOSVD keeps.
template <typename T>
double keptEnergy(const Tensor<T> &x, const std::vector<RowMatrix<T>> &bases,
                  const std::vector<int64_t> &ranks) {
  Tensor<T> y = x;
  for (int64_t k = 0; k < x.order(); ++k)
    y = modeProduct<T>(
        y, k,
        bases[k].leftCols(std::min(ranks[k], bases[k].cols())).transpose());
  return squaredNorm(y.data.data(), y.numel());
}

} // namespace

template <typename T> int64_t Tucker<T>::numParams() const {
  std::vector<int64_t> shape;
  for (const RowMatrix<T> &f : factors)
    shape.push_back(f.rows());
  return tuckerParams(shape, core.shape);
}

template <typename T> Tensor<T> Tucker<T>::reconstruct() const {
  Tensor<T> out = core;
  for (int64_t k = 0; k < core.order(); ++k)
    out = modeProduct<T>(out, k, factors[k]);
  return out;
}

template <typename T>
Expected<Tucker<T>> facet::decomp::tucker(const Tensor<T> &x,
                                          const Truncation &trunc,
                                          const Options &options) {
  const char *what = "tucker";
  if (std::string message = checkTensorShape(x.shape, x.numel(), 2, what);
      !message.empty())
    return makeError(message);
  if (std::string message = trunc.validate(); !message.empty())
    return makeError(std::string(what) + ": " + message);
  int64_t order = x.order();
  int64_t maxDim = *std::max_element(x.shape.begin(), x.shape.end());
  if (trunc.kind() == Truncation::Kind::Rank) {
    const std::vector<int64_t> &rs = trunc.rankValues();
    if (rs.size() == 1 && rs[0] > maxDim)
      return makeError(std::string(what) + ": rank " + std::to_string(rs[0]) +
                       " exceeds every dimension of shape " +
                       formatList(x.shape));
    if (rs.size() != 1 && static_cast<int64_t>(rs.size()) != order)
      return makeError(std::string(what) + ": expects 1 or " +
                       std::to_string(order) + " ranks for shape " +
                       formatList(x.shape) + ", got " + formatList(rs));
    if (rs.size() != 1)
      for (int64_t k = 0; k < order; ++k)
        if (rs[k] > x.shape[k])
          return makeError(std::string(what) + ": rank " +
                           std::to_string(rs[k]) + " of mode " +
                           std::to_string(k) + " exceeds its dimension " +
                           std::to_string(x.shape[k]));
  }
  if (trunc.kind() == Truncation::Kind::Params) {
    int64_t smallest = tuckerParams(x.shape, std::vector<int64_t>(order, 1));
    if (trunc.paramBudget() < smallest)
      return makeError(std::string(what) + ": parameter budget " +
                       std::to_string(trunc.paramBudget()) +
                       " is below the smallest result (all ranks 1: " +
                       std::to_string(smallest) + " parameters)");
  }

  // HOSVD: every unfolding's SVD, then ranks by the policy.
  double normSq = squaredNorm(x.data.data(), x.numel());
  std::vector<std::vector<double>> spectra(order);
  std::vector<RowMatrix<T>> bases(order);
  for (int64_t k = 0; k < order; ++k)
    bases[k] = leftSingularVectors(unfold(x, k), -1, &spectra[k]);
  std::vector<int64_t> ranks(order);
  switch (trunc.kind()) {
  case Truncation::Kind::Rank: {
    const std::vector<int64_t> &rs = trunc.rankValues();
    for (int64_t k = 0; k < order; ++k)
      ranks[k] = std::min(rs.size() == 1 ? rs[0] : rs[k],
                          std::min(x.shape[k], trunc.maxRank()));
    break;
  }
  case Truncation::Kind::Error:
    // Σ_k dropped_k ≤ ε²‖X‖² is HOSVD's bound: give each mode 1/d of it.
    ranks = ranksForTail(spectra, x.shape,
                         trunc.errorTarget() * trunc.errorTarget() * normSq /
                             double(order),
                         trunc.maxRank());
    break;
  case Truncation::Kind::Params: {
    int64_t budget = trunc.paramBudget();
    // Two candidates, the one whose HOSVD keeps more energy wins: greedy
    // decrements from full ranks (good when one mode is cheap to cut), and
    // a common per-mode energy threshold bisected to fit (balanced ranks;
    // the greedy can trap itself cutting the mode that shrinks the core
    // most).
    std::vector<int64_t> greedy =
        ranksForTail(spectra, x.shape, 0.0, trunc.maxRank());
    fitBudget(x.shape, spectra, budget, trunc.maxRank(), greedy);
    double low = 0, high = normSq;
    for (int step = 0; step < 60; ++step) {
      double mid = 0.5 * (low + high);
      if (tuckerParams(x.shape, ranksForTail(spectra, x.shape, mid,
                                             trunc.maxRank())) <= budget)
        high = mid;
      else
        low = mid;
    }
    std::vector<int64_t> balanced =
        ranksForTail(spectra, x.shape, high, trunc.maxRank());
    fitBudget(x.shape, spectra, budget, trunc.maxRank(), balanced);
    ranks = keptEnergy(x, bases, balanced) >= keptEnergy(x, bases, greedy)
                ? balanced
                : greedy;
    break;
  }
  }

  Tucker<T> result;
  for (int64_t k = 0; k < order; ++k) {
    if (ranks[k] <= bases[k].cols())
      result.factors.push_back(bases[k].leftCols(ranks[k]));
    else // A rank beyond the unfolding's: complete the basis.
      result.factors.push_back(
          leftSingularVectors(unfold(x, k), ranks[k], nullptr));
  }
  result.core =
      modeProduct<T>(projectAllBut(x, result.factors, order - 1), order - 1,
                     result.factors[order - 1].transpose());
  result.relError =
      relativeError(x.data.data(), result.reconstruct().data.data(), x.numel());

  // HOOI: each factor becomes the leading left singular vectors of X
  // projected on all other factors; ‖X − X̂‖² = ‖X‖² − ‖G‖² tracks the fit.
  Tucker<T> refined = result;
  double tolerance = std::max(options.tolerance, toleranceFloor<T>());
  double previous = squaredNorm(refined.core.data.data(), refined.core.numel());
  for (int it = 1; it <= options.maxIterations; ++it) {
    Tensor<T> y;
    for (int64_t k = 0; k < order; ++k) {
      y = projectAllBut(x, refined.factors, k);
      refined.factors[k] = leftSingularVectors(unfold(y, k), ranks[k], nullptr);
    }
    refined.core =
        modeProduct<T>(y, order - 1, refined.factors[order - 1].transpose());
    refined.iterations = it;
    double coreSq = squaredNorm(refined.core.data.data(), refined.core.numel());
    bool converged = std::abs(coreSq - previous) <= tolerance * normSq;
    previous = coreSq;
    if (converged)
      break;
  }
  refined.relError = relativeError(
      x.data.data(), refined.reconstruct().data.data(), x.numel());
  if (refined.relError <= result.relError)
    return refined;
  return result;
}

#define FACET_INSTANTIATE(T)                                                   \
  template struct facet::decomp::Tucker<T>;                                    \
  template Expected<Tucker<T>> facet::decomp::tucker<T>(                       \
      const Tensor<T> &, const Truncation &, const Options &);
FACET_INSTANTIATE(float)
FACET_INSTANTIATE(double)
