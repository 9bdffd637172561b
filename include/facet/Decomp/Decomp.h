//===- Decomp.h - Factorizations of weights for compression -----*- C++ -*-===//
//
// The numerics behind Facet's factorized compression (issue 5): truncated and
// randomized SVD, sums of Kronecker products, CP, Tucker, tensor-train and
// TT-matrix (MPO). Every routine
//   - takes one `Truncation` (rank, ε or parameter budget, plus a rank cap),
//   - returns `Expected<Format>`: bad arguments come back as an error message,
//   - is deterministic (fixed seeds; Eigen must stay single-threaded),
//   - reports `relError` = ‖W − reconstruct()‖_F / ‖W‖_F, measured on the
//     reconstruction (accumulated in double), so the number always matches
//     what `reconstruct()` gives.
// Instantiated for float and double. See docs/Decomp.md.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_DECOMP_DECOMP_H
#define FACET_DECOMP_DECOMP_H

#include "facet/Decomp/Expected.h"
#include "facet/Decomp/Tensor.h"
#include "facet/Decomp/Truncation.h"

#include <cstdint>
#include <vector>

namespace facet::decomp {

/// How the matrix SVDs inside a routine are computed.
enum class SvdMethod {
  /// Eigen::BDCSVD of the whole matrix: the full spectrum, optimal truncation.
  Exact,
  /// Halko–Martinsson–Tropp range finder (see `randomizedSvd`).
  Randomized,
};

/// Knobs shared by every routine; the defaults suit weights.
struct Options {
  /// For `kroneckerSum`, `tensorTrain` and `ttMatrix` (`truncatedSvd` is
  /// always exact, `randomizedSvd` always randomized).
  SvdMethod svd = SvdMethod::Exact;
  /// Randomized SVD: extra sketch columns beyond the rank.
  int64_t oversampling = 16;
  /// Randomized SVD: power iterations (each re-orthonormalized by QR).
  int powerIterations = 3;
  /// Seed of every random draw (Gaussian sketches, CP's padding columns).
  uint64_t seed = 0x5eed5eedULL;
  /// CP-ALS and HOOI: most sweeps.
  int maxIterations = 200;
  /// CP-ALS: stop when the relative error e changes by at most
  /// tolerance·e between two sweeps (or by a few ulps). HOOI: stop when
  /// ‖core‖² changes by at most tolerance·‖X‖².
  double tolerance = 1e-7;
};

/// W ≈ U·diag(S)·Vᵀ. Stored for inference as (U·S) and Vᵀ.
template <typename T> struct LowRank {
  RowMatrix<T> u;                     ///< m × r, orthonormal columns
  Vector<T> s;                        ///< r singular values, descending
  RowMatrix<T> v;                     ///< n × r, orthonormal columns
  std::vector<double> singularValues; ///< the spectrum computed (all of it
                                      ///< for the exact SVD; the sketch's
                                      ///< for the randomized one)
  double relError = 0;

  int64_t rank() const { return s.size(); }
  /// r·(m + n): S folds into U.
  int64_t numParams() const { return rank() * (u.rows() + v.rows()); }
  RowMatrix<T> reconstruct() const;
};

/// Truncated SVD by Eigen::BDCSVD. Rank r ≤ min(m, n); ε: the smallest r whose
/// discarded σ² sum to ≤ ε²‖W‖²_F (Eckart–Young); params: the largest r with
/// r(m+n) ≤ budget.
template <typename T>
Expected<LowRank<T>> truncatedSvd(const RowMatrix<T> &w,
                                  const Truncation &trunc,
                                  const Options &options = {});

/// Randomized SVD (Halko, Martinsson, Tropp 2011, algorithms 4.4 and 5.1):
/// Gaussian sketch of r + oversampling columns, `powerIterations` power
/// iterations with QR after each product, SVD of the small projection.
/// Under ε the sketch doubles until ‖W − QQᵀW‖ leaves room for ε (the error
/// of a truncation inside the sketch is known exactly: ‖W‖² − Σσ_i²).
template <typename T>
Expected<LowRank<T>> randomizedSvd(const RowMatrix<T> &w,
                                   const Truncation &trunc,
                                   const Options &options = {});

/// W (m1·m2 × n1·n2) ≈ Σ_k A_k ⊗ B_k, A_k m1×n1, B_k m2×n2.
template <typename T> struct KroneckerSum {
  std::vector<RowMatrix<T>> a;
  std::vector<RowMatrix<T>> b;
  std::vector<double> singularValues; ///< of the rearranged W
  double relError = 0;

  int64_t numTerms() const { return static_cast<int64_t>(a.size()); }
  /// K·(m1n1 + m2n2).
  int64_t numParams() const;
  RowMatrix<T> reconstruct() const;
};

/// Nearest sum of Kronecker products (Van Loan–Pitsianis): rearranges W into
/// R (m1n1 × m2n2), R[(i1,j1),(i2,j2)] = W[i1·m2+i2, j1·n2+j2], and truncates
/// R's SVD; the rank policy counts terms. m1 | m and n1 | n.
template <typename T>
Expected<KroneckerSum<T>> kroneckerSum(const RowMatrix<T> &w, int64_t m1,
                                       int64_t n1, const Truncation &trunc,
                                       const Options &options = {});

/// X ≈ Σ_r λ_r a¹_r ∘ a²_r ∘ … ∘ a^d_r.
template <typename T> struct CP {
  std::vector<int64_t> shape;
  Vector<T> weights;                 ///< λ, R values
  std::vector<RowMatrix<T>> factors; ///< d of them, I_k × R, unit columns
  double relError = 0;
  int iterations = 0; ///< ALS sweeps of the returned fit

  int64_t rank() const { return weights.size(); }
  /// R·Σ I_k: λ folds into one factor.
  int64_t numParams() const;
  Tensor<T> reconstruct() const;
};

/// CP by alternating least squares, initialized from the HOSVD (the leading
/// left singular vectors of each unfolding, deterministic Gaussian columns
/// where R > I_k). Columns are normalized after each update, their norms
/// kept in λ. Stops after `maxIterations` sweeps or when the relative error
/// changes little (see `Options::tolerance`). Rank R ≤ Π I / max I; ε: the
/// smallest R found (doubling, then bisection) whose fit reaches ε; params: R =
/// ⌊budget / Σ I_k⌋.
template <typename T>
Expected<CP<T>> cpAls(const Tensor<T> &x, const Truncation &trunc,
                      const Options &options = {});

/// X ≈ G ×₁ U₁ ×₂ U₂ … ×_d U_d.
template <typename T> struct Tucker {
  Tensor<T> core;                    ///< r_1 × … × r_d
  std::vector<RowMatrix<T>> factors; ///< I_k × r_k, orthonormal columns
  double relError = 0;
  int iterations = 0; ///< HOOI sweeps

  std::vector<int64_t> ranks() const { return core.shape; }
  /// Π r_k + Σ I_k r_k.
  int64_t numParams() const;
  Tensor<T> reconstruct() const;
};

/// Tucker by truncated HOSVD refined with HOOI (kept only if it lowers the
/// error). Ranks: one per mode, or one for all (clipped to each I_k). ε: each
/// mode drops at most ε²‖X‖²/d of its unfolding's energy, so the HOSVD bound
/// Σ_k (dropped energy)_k ≤ ε²‖X‖² holds. Params: starting from full ranks,
/// repeatedly lowers the mode rank whose decrement drops the least energy
/// per parameter saved until the budget holds.
template <typename T>
Expected<Tucker<T>> tucker(const Tensor<T> &x, const Truncation &trunc,
                           const Options &options = {});

/// X ≈ G1 G2 … Gd, core k of shape [r_{k-1}, I_k, r_k], r_0 = r_d = 1.
template <typename T> struct TensorTrain {
  std::vector<Tensor<T>> cores;
  double relError = 0;

  /// r_0 … r_d (d + 1 values, first and last 1).
  std::vector<int64_t> ranks() const;
  int64_t numParams() const;
  Tensor<T> reconstruct() const;
};

/// TT-SVD (Oseledets 2011, algorithm 1). Rank: every bond at most r (or one
/// rank per bond, d − 1 values); ε: every unfolding truncated at
/// δ = ε/√(d−1)·‖X‖_F, which guarantees ‖X − X̂‖_F ≤ ε‖X‖_F; params: the
/// largest uniform bond rank whose TT fits the budget. The rank cap bounds
/// every bond.
template <typename T>
Expected<TensorTrain<T>> tensorTrain(const Tensor<T> &x,
                                     const Truncation &trunc,
                                     const Options &options = {});

/// W (m × n) as a TT-matrix / MPO: m = Π m_k, n = Π n_k, core k of shape
/// [r_{k-1}, m_k, n_k, r_k]; W[i, j] = G1[i1, j1] · … · Gd[id, jd] with
/// i = (i1, …, id), j = (j1, …, jd) row-major multi-indices.
template <typename T> struct TTMatrix {
  std::vector<int64_t> rowDims;
  std::vector<int64_t> colDims;
  std::vector<Tensor<T>> cores;
  double relError = 0;

  std::vector<int64_t> ranks() const;
  int64_t numParams() const;
  RowMatrix<T> reconstruct() const;
};

/// The largest rank any bond of a tensor train of `shape` can have (a rank
/// policy above it is refused). For a TT-matrix the shape is
/// rowDims[i]·colDims[i].
int64_t largestBondRank(const std::vector<int64_t> &shape);

/// TT-SVD of W permuted into the tensor (m1n1)(m2n2)…(mdnd); the policy
/// means what it means for `tensorTrain`.
template <typename T>
Expected<TTMatrix<T>>
ttMatrix(const RowMatrix<T> &w, const std::vector<int64_t> &rowDims,
         const std::vector<int64_t> &colDims, const Truncation &trunc,
         const Options &options = {});

/// ‖a − b‖_F / ‖a‖_F accumulated in double (0 when ‖a‖ is 0 and a == b).
template <typename T> double relativeError(const T *a, const T *b, int64_t n);

} // namespace facet::decomp

#endif // FACET_DECOMP_DECOMP_H
