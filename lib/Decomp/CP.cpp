//===- CP.cpp - CP decomposition by alternating least squares -------------===//

#include "Internal.h"

#include <Eigen/Cholesky>
#include <Eigen/QR>

#include <cmath>

using namespace facet::decomp;
using namespace facet::decomp::detail;

namespace {

/// Khatri–Rao product of factors[first … last) (column-wise Kronecker), the
/// earlier factor's index varying slower: rows Π I_k, R columns.
template <typename T>
ColMatrix<T> khatriRao(const std::vector<RowMatrix<T>> &factors, int64_t first,
                       int64_t last, int64_t rank) {
  ColMatrix<T> out = ColMatrix<T>::Ones(1, rank);
  for (int64_t k = first; k < last; ++k) {
    const RowMatrix<T> &f = factors[k];
    ColMatrix<T> next(out.rows() * f.rows(), rank);
    for (int64_t r = 0; r < rank; ++r)
      for (int64_t i = 0; i < out.rows(); ++i)
        next.col(r).segment(i * f.rows(), f.rows()) = out(i, r) * f.col(r);
    out = std::move(next);
  }
  return out;
}

/// MTTKRP for mode k: X_(k) · (⊙_{j≠k} A_j), I_k × R, without unfolding X.
/// X is viewed as (L, I_k, T) with L, T the products of the modes before and
/// after k; the larger of the two is contracted first by one GEMM.
template <typename T>
RowMatrix<T> mttkrp(const Tensor<T> &x,
                    const std::vector<RowMatrix<T>> &factors, int64_t mode,
                    int64_t rank, ColMatrix<T> *leftOut) {
  int64_t order = x.order(), dim = x.shape[mode];
  ColMatrix<T> left = khatriRao(factors, 0, mode, rank);
  ColMatrix<T> right = khatriRao(factors, mode + 1, order, rank);
  int64_t before = left.rows(), after = right.rows();
  RowMatrix<T> m(dim, rank);
  if (after >= before) {
    // Y[(l, i), r] = Σ_t X[l, i, t]·right[t, r]; M[i, r] = Σ_l left[l, r]·Y.
    Eigen::Map<const RowMatrix<T>> xv(x.data.data(), before * dim, after);
    ColMatrix<T> y = xv * right;
    m.setZero();
    for (int64_t r = 0; r < rank; ++r)
      for (int64_t l = 0; l < before; ++l)
        m.col(r) += left(l, r) * y.col(r).segment(l * dim, dim);
  } else {
    // Z[r, (i, t)] = Σ_l left[l, r]·X[l, i, t]; M[i, r] = Σ_t Z·right[t, r].
    Eigen::Map<const RowMatrix<T>> xv(x.data.data(), before, dim * after);
    RowMatrix<T> z = left.transpose() * xv;
    for (int64_t r = 0; r < rank; ++r) {
      Eigen::Map<const RowMatrix<T>> zr(z.row(r).data(), dim, after);
      m.col(r) = zr * right.col(r);
    }
  }
  if (leftOut)
    *leftOut = std::move(left);
  return m;
}

/// Scales the columns of f to unit norm; returns the norms.
template <typename T> Vector<T> normalizeColumns(RowMatrix<T> &f) {
  Vector<T> norms = f.colwise().norm().transpose();
  for (int64_t r = 0; r < f.cols(); ++r)
    if (norms[r] > T(0))
      f.col(r) /= norms[r];
  return norms;
}

template <typename T>
CP<T> fitCp(const Tensor<T> &x, int64_t rank, const Options &options) {
  int64_t order = x.order();
  CP<T> cp;
  cp.shape = x.shape;
  // HOSVD initialization; Gaussian columns where the rank exceeds a mode.
  Gaussian gaussian(options.seed);
  for (int64_t k = 0; k < order; ++k) {
    RowMatrix<T> u = leftSingularVectors(unfold(x, k), rank, nullptr);
    RowMatrix<T> f(x.shape[k], rank);
    f.leftCols(u.cols()) = u;
    for (int64_t r = u.cols(); r < rank; ++r)
      for (int64_t i = 0; i < x.shape[k]; ++i)
        f(i, r) = static_cast<T>(gaussian.next());
    normalizeColumns(f);
    cp.factors.push_back(std::move(f));
  }
  cp.weights = Vector<T>::Ones(rank);

  double normSq = squaredNorm(x.data.data(), x.numel());
  double previous = std::numeric_limits<double>::infinity();
  int64_t last = order - 1, lastDim = x.shape[last];
  for (int it = 1; it <= std::max(1, options.maxIterations); ++it) {
    ColMatrix<T> leftOfLast;
    for (int64_t k = 0; k < order; ++k) {
      // A_k = MTTKRP · V⁺ with V the Hadamard product of the other Grams.
      ColMatrix<T> v = ColMatrix<T>::Ones(rank, rank);
      for (int64_t j = 0; j < order; ++j)
        if (j != k)
          v = v.cwiseProduct(cp.factors[j].transpose() * cp.factors[j]);
      RowMatrix<T> m =
          mttkrp(x, cp.factors, k, rank, k == last ? &leftOfLast : nullptr);
      Eigen::LDLT<ColMatrix<T>> ldlt(v);
      ColMatrix<T> solved = ldlt.solve(m.transpose());
      // V is singular when components coincide: fall back to the
      // minimum-norm least-squares solution.
      if (ldlt.info() != Eigen::Success || !solved.allFinite())
        solved = v.completeOrthogonalDecomposition().solve(m.transpose());
      cp.factors[k] = solved.transpose();
      cp.weights = normalizeColumns(cp.factors[k]);
    }
    // Exact residual through the last mode: X̂ viewed (L × I_last) =
    // KR(A_0 … A_{d-2})·Λ·A_lastᵀ.
    Eigen::Map<const RowMatrix<T>> xv(x.data.data(), x.numel() / lastDim,
                                      lastDim);
    RowMatrix<T> diff = xv;
    diff.noalias() -=
        leftOfLast * cp.weights.asDiagonal() * cp.factors[last].transpose();
    double error =
        normSq > 0 ? std::sqrt(squaredNorm(diff.data(), diff.size()) / normSq)
                   : 0.0;
    cp.iterations = it;
    // Relative change, so that exact fits (whose error shrinks by a constant
    // factor each sweep) run on to machine precision; the absolute floor
    // ends them there.
    if (std::abs(previous - error) <=
        std::max(options.tolerance * error, toleranceFloor<T>()))
      break;
    previous = error;
  }
  cp.relError =
      relativeError(x.data.data(), cp.reconstruct().data.data(), x.numel());
  return cp;
}

} // namespace

template <typename T> int64_t CP<T>::numParams() const {
  int64_t sum = 0;
  for (int64_t dim : shape)
    sum += dim;
  return rank() * sum;
}

template <typename T> Tensor<T> CP<T>::reconstruct() const {
  int64_t order = static_cast<int64_t>(shape.size());
  Tensor<T> out(shape);
  ColMatrix<T> left = khatriRao(factors, 0, order - 1, rank());
  Eigen::Map<RowMatrix<T>> view(out.data.data(), left.rows(), shape.back());
  view.noalias() = left * weights.asDiagonal() * factors.back().transpose();
  return out;
}

template <typename T>
Expected<CP<T>> facet::decomp::cpAls(const Tensor<T> &x,
                                     const Truncation &trunc,
                                     const Options &options) {
  const char *what = "cpAls";
  if (std::string message = checkTensorShape(x.shape, x.numel(), 2, what);
      !message.empty())
    return makeError(message);
  if (std::string message = trunc.validate(); !message.empty())
    return makeError(std::string(what) + ": " + message);
  int64_t dimSum = 0, maxDim = 0;
  for (int64_t dim : x.shape) {
    dimSum += dim;
    maxDim = std::max(maxDim, dim);
  }
  // Every tensor has CP rank at most Π I / max I (sum of its fibres).
  int64_t rankBound = x.numel() / maxDim;
  int64_t cap = std::min(rankBound, trunc.maxRank());
  switch (trunc.kind()) {
  case Truncation::Kind::Rank: {
    if (trunc.rankValues().size() != 1)
      return makeError(std::string(what) + ": expects one rank, got " +
                       std::to_string(trunc.rankValues().size()));
    int64_t rank = trunc.rankValues()[0];
    if (rank > rankBound)
      return makeError(std::string(what) + ": rank " + std::to_string(rank) +
                       " exceeds the largest CP rank of shape " +
                       formatList(x.shape) + ", " + std::to_string(rankBound));
    return fitCp(x, std::min(rank, cap), options);
  }
  case Truncation::Kind::Params: {
    if (trunc.paramBudget() < dimSum)
      return makeError(std::string(what) + ": parameter budget " +
                       std::to_string(trunc.paramBudget()) +
                       " is below the smallest result (rank 1: " +
                       std::to_string(dimSum) + " parameters)");
    return fitCp(x, std::min(trunc.paramBudget() / dimSum, cap), options);
  }
  case Truncation::Kind::Error:
    break;
  }
  // ε: ALS has no spectrum to read the rank from. Double the rank until the
  // fit reaches ε, then bisect between the last failure and the success.
  double eps = trunc.errorTarget();
  int64_t low = 0, rank = 1;
  CP<T> best = fitCp(x, rank, options);
  while (best.relError > eps && rank < cap) {
    low = rank;
    rank = std::min(2 * rank, cap);
    best = fitCp(x, rank, options);
  }
  if (best.relError > eps)
    return best; // The cap wins; the error says how far it got.
  int64_t high = rank;
  while (high - low > 1) {
    int64_t mid = low + (high - low) / 2;
    CP<T> trial = fitCp(x, mid, options);
    if (trial.relError <= eps) {
      high = mid;
      best = std::move(trial);
    } else {
      low = mid;
    }
  }
  return best;
}

#define FACET_INSTANTIATE(T)                                                   \
  template struct facet::decomp::CP<T>;                                        \
  template Expected<CP<T>> facet::decomp::cpAls<T>(                            \
      const Tensor<T> &, const Truncation &, const Options &);
FACET_INSTANTIATE(float)
FACET_INSTANTIATE(double)
