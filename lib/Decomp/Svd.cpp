//===- Svd.cpp - Truncated, randomized SVD and Kronecker sums -------------===//

#include "Internal.h"

#include <Eigen/QR>
#include <Eigen/SVD>

#include <cmath>

using namespace facet::decomp;
using namespace facet::decomp::detail;

namespace {

/// The rank a rule picks given tails[r] = energy missed at rank r
/// (r = 0 … available). `found` tells whether the energy rule was met.
int64_t pickRank(const std::vector<double> &tails, const RankRule &rule,
                 bool *found) {
  int64_t available = static_cast<int64_t>(tails.size()) - 1;
  int64_t limit = std::max<int64_t>(1, std::min(available, rule.cap));
  *found = true;
  if (rule.fixedRank > 0)
    return std::max<int64_t>(1, std::min(rule.fixedRank, limit));
  for (int64_t r = 1; r <= limit; ++r)
    if (tails[r] <= rule.maxTailSq)
      return r;
  *found = false;
  return limit;
}

/// Thin Q of a QR factorization: an orthonormal basis of y's range.
template <typename T> ColMatrix<T> orthonormalize(const ColMatrix<T> &y) {
  Eigen::HouseholderQR<ColMatrix<T>> qr(y);
  return qr.householderQ() * ColMatrix<T>::Identity(y.rows(), y.cols());
}

/// HMT randomized SVD with a sketch of `width` columns: a ≈ u·diag(s)·vᵀ
/// with `width` terms, u = Q·U_B where Q spans a·Ω after the power
/// iterations.
template <typename T>
void sketchSvd(const Eigen::Ref<const RowMatrix<T>> &a, int64_t width,
               const Options &options, ColMatrix<T> &u, Vector<T> &s,
               ColMatrix<T> &v) {
  ColMatrix<T> omega(a.cols(), width);
  Gaussian gaussian(options.seed);
  for (int64_t j = 0; j < width; ++j)
    for (int64_t i = 0; i < a.cols(); ++i)
      omega(i, j) = static_cast<T>(gaussian.next());
  ColMatrix<T> q = orthonormalize<T>(a * omega);
  // Power iterations sharpen a slowly decaying spectrum; QR after every
  // product keeps the small singular directions from drowning in rounding.
  for (int it = 0; it < options.powerIterations; ++it) {
    ColMatrix<T> z = orthonormalize<T>(a.transpose() * q);
    q = orthonormalize<T>(a * z);
  }
  // Bᵀ = Aᵀ·Q (n × width, tall): SVD Bᵀ = U'·S·V'ᵀ gives A ≈ (Q·V')·S·U'ᵀ.
  ColMatrix<T> bt = a.transpose() * q;
  Eigen::BDCSVD<ColMatrix<T>> svd(bt,
                                  Eigen::ComputeThinU | Eigen::ComputeThinV);
  u = q * svd.matrixV();
  s = svd.singularValues();
  v = svd.matrixU();
}

template <typename T>
Factors<T> exactFactorize(const Eigen::Ref<const RowMatrix<T>> &a,
                          const RankRule &rule) {
  Eigen::BDCSVD<ColMatrix<T>> svd(a, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Vector<T> &sigma = svd.singularValues();
  int64_t available = sigma.size();
  // Tails summed from the small end: no cancellation.
  std::vector<double> tails(available + 1, 0.0);
  for (int64_t i = available - 1; i >= 0; --i)
    tails[i] = tails[i + 1] + double(sigma[i]) * double(sigma[i]);
  bool found;
  int64_t rank = pickRank(tails, rule, &found);
  Factors<T> f;
  f.u = svd.matrixU().leftCols(rank);
  f.v = svd.matrixV().leftCols(rank);
  f.s = sigma.head(rank);
  f.spectrum.assign(sigma.data(), sigma.data() + available);
  f.tailSq = tails[rank];
  return f;
}

template <typename T>
Factors<T> randomizedFactorize(const Eigen::Ref<const RowMatrix<T>> &a,
                               const RankRule &rule, const Options &options,
                               double normSq) {
  int64_t minDim = std::min(a.rows(), a.cols());
  int64_t oversampling = std::max<int64_t>(0, options.oversampling);
  int64_t width;
  if (rule.fixedRank > 0)
    width = std::min(std::min(rule.fixedRank, rule.cap) + oversampling, minDim);
  else
    width = std::min(std::min<int64_t>(64, rule.cap) + oversampling, minDim);
  Factors<T> f;
  ColMatrix<T> u, v;
  Vector<T> s;
  std::vector<double> tails;
  int64_t rank;
  while (true) {
    sketchSvd<T>(a, width, options, u, s, v);
    // For Ŵ = Q·U_r·S_r·V_rᵀ = P·A with P an orthogonal projector,
    // ‖A − Ŵ‖² = ‖A‖² − Σ_{i≤r} σ_i²: the tail is known exactly.
    tails.assign(s.size() + 1, 0.0);
    double kept = 0;
    tails[0] = normSq;
    for (int64_t i = 0; i < s.size(); ++i) {
      kept += double(s[i]) * double(s[i]);
      tails[i + 1] = std::max(0.0, normSq - kept);
    }
    bool found;
    rank = pickRank(tails, rule, &found);
    // Done when the rank sits clear of the sketch's edge (the oversampling
    // columns make its directions accurate), or nothing can grow.
    bool canGrow = width < minDim && width < rule.cap + oversampling;
    if (rule.fixedRank > 0 || !canGrow ||
        (found && rank + oversampling <= width))
      break;
    width = std::min(2 * width, minDim);
  }
  f.u = u.leftCols(rank);
  f.v = v.leftCols(rank);
  f.s = s.head(rank);
  f.spectrum.assign(s.data(), s.data() + s.size());
  f.tailSq = tails[rank];
  return f;
}

/// R[(i1, j1), (i2, j2)] = W[i1·m2 + i2, j1·n2 + j2]: the Van Loan–Pitsianis
/// rearrangement that turns W ≈ Σ A_k ⊗ B_k into R ≈ Σ vec(A_k)·vec(B_k)ᵀ.
template <typename T>
RowMatrix<T> rearrange(const RowMatrix<T> &w, int64_t m1, int64_t n1) {
  int64_t m2 = w.rows() / m1, n2 = w.cols() / n1;
  RowMatrix<T> r(m1 * n1, m2 * n2);
  for (int64_t i1 = 0; i1 < m1; ++i1)
    for (int64_t j1 = 0; j1 < n1; ++j1)
      for (int64_t i2 = 0; i2 < m2; ++i2)
        for (int64_t j2 = 0; j2 < n2; ++j2)
          r(i1 * n1 + j1, i2 * n2 + j2) = w(i1 * m2 + i2, j1 * n2 + j2);
  return r;
}

} // namespace

template <typename T>
Factors<T> detail::factorize(const Eigen::Ref<const RowMatrix<T>> &a,
                             const RankRule &rule, SvdMethod method,
                             const Options &options, double normSq) {
  if (method == SvdMethod::Randomized)
    return randomizedFactorize<T>(a, rule, options, normSq);
  return exactFactorize<T>(a, rule);
}

template <typename T> RowMatrix<T> LowRank<T>::reconstruct() const {
  return u * s.asDiagonal() * v.transpose();
}

namespace {
template <typename T>
Expected<LowRank<T>> lowRank(const RowMatrix<T> &w, const Truncation &trunc,
                             const Options &options, SvdMethod method,
                             const char *what) {
  if (std::string message = checkMatrixShape(w.rows(), w.cols(), what);
      !message.empty())
    return makeError(message);
  double normSq = squaredNorm(w.data(), w.size());
  Expected<RankRule> rule =
      matrixRankRule(trunc, std::min(w.rows(), w.cols()), w.rows() + w.cols(),
                     normSq, "rank", what);
  if (!rule)
    return makeError(rule.error());
  Factors<T> f = factorize<T>(w, *rule, method, options, normSq);
  LowRank<T> result;
  result.u = f.u;
  result.s = f.s;
  result.v = f.v;
  result.singularValues = std::move(f.spectrum);
  result.relError =
      relativeError(w.data(), result.reconstruct().data(), w.size());
  return result;
}
} // namespace

template <typename T>
Expected<LowRank<T>> facet::decomp::truncatedSvd(const RowMatrix<T> &w,
                                                 const Truncation &trunc,
                                                 const Options &options) {
  return lowRank(w, trunc, options, SvdMethod::Exact, "truncatedSvd");
}

template <typename T>
Expected<LowRank<T>> facet::decomp::randomizedSvd(const RowMatrix<T> &w,
                                                  const Truncation &trunc,
                                                  const Options &options) {
  if (options.powerIterations < 0)
    return makeError("randomizedSvd: power iterations must be >= 0, got " +
                     std::to_string(options.powerIterations));
  if (options.oversampling < 0)
    return makeError("randomizedSvd: oversampling must be >= 0, got " +
                     std::to_string(options.oversampling));
  return lowRank(w, trunc, options, SvdMethod::Randomized, "randomizedSvd");
}

template <typename T> int64_t KroneckerSum<T>::numParams() const {
  if (a.empty())
    return 0;
  return numTerms() * (a[0].size() + b[0].size());
}

template <typename T> RowMatrix<T> KroneckerSum<T>::reconstruct() const {
  if (a.empty())
    return {};
  int64_t m1 = a[0].rows(), n1 = a[0].cols(), m2 = b[0].rows(),
          n2 = b[0].cols();
  RowMatrix<T> w = RowMatrix<T>::Zero(m1 * m2, n1 * n2);
  for (int64_t k = 0; k < numTerms(); ++k)
    for (int64_t i1 = 0; i1 < m1; ++i1)
      for (int64_t j1 = 0; j1 < n1; ++j1)
        w.block(i1 * m2, j1 * n2, m2, n2) += a[k](i1, j1) * b[k];
  return w;
}

template <typename T>
Expected<KroneckerSum<T>>
facet::decomp::kroneckerSum(const RowMatrix<T> &w, int64_t m1, int64_t n1,
                            const Truncation &trunc, const Options &options) {
  const char *what = "kroneckerSum";
  if (std::string message = checkMatrixShape(w.rows(), w.cols(), what);
      !message.empty())
    return makeError(message);
  if (m1 < 1 || n1 < 1 || w.rows() % m1 != 0 || w.cols() % n1 != 0)
    return makeError(std::string(what) + ": the first factor's shape " +
                     std::to_string(m1) + " x " + std::to_string(n1) +
                     " must divide the matrix's " + std::to_string(w.rows()) +
                     " x " + std::to_string(w.cols()));
  int64_t m2 = w.rows() / m1, n2 = w.cols() / n1;
  RowMatrix<T> r = rearrange(w, m1, n1);
  double normSq = squaredNorm(w.data(), w.size());
  Expected<RankRule> rule =
      matrixRankRule(trunc, std::min(r.rows(), r.cols()), m1 * n1 + m2 * n2,
                     normSq, "number of terms", what);
  if (!rule)
    return makeError(rule.error());
  Factors<T> f = factorize<T>(r, *rule, options.svd, options, normSq);
  KroneckerSum<T> result;
  for (int64_t k = 0; k < f.s.size(); ++k) {
    // Split σ_k evenly so that both factors have the same norm.
    T scale = std::sqrt(f.s[k]);
    RowMatrix<T> a(m1, n1), b(m2, n2);
    for (int64_t i = 0; i < m1 * n1; ++i)
      a(i / n1, i % n1) = scale * f.u(i, k);
    for (int64_t i = 0; i < m2 * n2; ++i)
      b(i / n2, i % n2) = scale * f.v(i, k);
    result.a.push_back(std::move(a));
    result.b.push_back(std::move(b));
  }
  result.singularValues = std::move(f.spectrum);
  result.relError =
      relativeError(w.data(), result.reconstruct().data(), w.size());
  return result;
}

#define FACET_INSTANTIATE(T)                                                   \
  template struct facet::decomp::LowRank<T>;                                   \
  template struct facet::decomp::KroneckerSum<T>;                              \
  template Factors<T> detail::factorize<T>(                                    \
      const Eigen::Ref<const RowMatrix<T>> &, const RankRule &, SvdMethod,     \
      const Options &, double);                                                \
  template Expected<LowRank<T>> facet::decomp::truncatedSvd<T>(                \
      const RowMatrix<T> &, const Truncation &, const Options &);              \
  template Expected<LowRank<T>> facet::decomp::randomizedSvd<T>(               \
      const RowMatrix<T> &, const Truncation &, const Options &);              \
  template Expected<KroneckerSum<T>> facet::decomp::kroneckerSum<T>(           \
      const RowMatrix<T> &, int64_t, int64_t, const Truncation &,              \
      const Options &);
FACET_INSTANTIATE(float)
FACET_INSTANTIATE(double)
