//===- Internal.h - Helpers shared by the decomposition routines -*- C++
//-*-===//
//
// Not installed: the one SVD-with-truncation kernel every format uses, the
// policy checks, a portable Gaussian generator and the tensor reshuffles.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_LIB_DECOMP_INTERNAL_H
#define FACET_LIB_DECOMP_INTERNAL_H

#include "facet/Decomp/Decomp.h"

#include <Eigen/Dense>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace facet::decomp::detail {

template <typename T>
using ColMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

/// How `factorize` picks its rank: a fixed rank, or the smallest rank whose
/// discarded energy Σ_{i>r} σ_i² is at most `maxTailSq`; either way at most
/// `cap` and at least 1.
struct RankRule {
  int64_t fixedRank = -1;
  double maxTailSq = -1;
  int64_t cap = kNoLimit;
};

/// A truncated SVD A ≈ U·diag(S)·Vᵀ and the spectrum it was cut from.
template <typename T> struct Factors {
  ColMatrix<T> u;
  Vector<T> s;
  ColMatrix<T> v;
  std::vector<double> spectrum;
  /// Σ_{i>r} σ_i²: exact for the exact SVD, and for the randomized one the
  /// exact energy the returned factors miss (‖A‖² − Σ_{i≤r} σ_i(QᵀA)²).
  double tailSq = 0;
};

/// The SVD kernel of every format: exact (BDCSVD) or randomized (HMT).
/// `normSq` is ‖A‖²_F accumulated in double.
template <typename T>
Factors<T> factorize(const Eigen::Ref<const RowMatrix<T>> &a,
                     const RankRule &rule, SvdMethod method,
                     const Options &options, double normSq);

/// Σ x² in double.
template <typename T> double squaredNorm(const T *data, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += static_cast<double>(data[i]) * static_cast<double>(data[i]);
  return sum;
}

/// Standard normal draws from a fully specified engine (mt19937_64 and our
/// own Box–Muller), so the same seed gives the same numbers with every
/// standard library.
class Gaussian {
public:
  explicit Gaussian(uint64_t seed) : engine(seed) {}
  double next();

private:
  double uniform() {
    // 53 random bits → (0, 1].
    return (static_cast<double>(engine() >> 11) + 1.0) * 0x1.0p-53;
  }
  std::mt19937_64 engine;
  bool hasSpare = false;
  double spare = 0;
};

/// Shape checks shared by the matrix routines; "" when fine.
std::string checkMatrixShape(int64_t rows, int64_t cols, const char *what);
/// Shape checks shared by the tensor routines; "" when fine.
std::string checkTensorShape(const std::vector<int64_t> &shape, int64_t numel,
                             int64_t minOrder, const char *what);

/// Maps a policy onto one matrix factorization whose result costs
/// `paramsPerRank` parameters per unit of rank and whose rank can reach
/// `maxRank`. `rankName` names the rank in messages ("rank", "terms").
Expected<RankRule> matrixRankRule(const Truncation &trunc, int64_t maxRank,
                                  int64_t paramsPerRank, double normSq,
                                  const std::string &rankName,
                                  const char *what);

/// "[a, b, c]".
std::string formatList(const std::vector<int64_t> &values);

/// Mode-k unfolding: I_k × (numel / I_k), the other modes in order.
template <typename T> RowMatrix<T> unfold(const Tensor<T> &x, int64_t mode);

/// x ×_mode m, with m of shape J × I_mode: mode `mode` becomes J.
template <typename T>
Tensor<T> modeProduct(const Tensor<T> &x, int64_t mode,
                      const Eigen::Ref<const RowMatrix<T>> &m);

/// Transposes the axes: result axis i is input axis perm[i].
template <typename T>
Tensor<T> permute(const Tensor<T> &x, const std::vector<int64_t> &perm);

/// Leading `rank` left singular vectors of `a` (all when rank < 0) and its
/// singular values.
template <typename T>
RowMatrix<T> leftSingularVectors(const RowMatrix<T> &a, int64_t rank,
                                 std::vector<double> *spectrum);

/// A conservative floor for stopping tolerances in precision T: the error
/// of an iterate cannot be resolved below a few ulps.
template <typename T> double toleranceFloor() {
  return 4.0 * static_cast<double>(std::numeric_limits<T>::epsilon());
}

} // namespace facet::decomp::detail

#endif // FACET_LIB_DECOMP_INTERNAL_H
