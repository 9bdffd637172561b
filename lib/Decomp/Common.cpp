//===- Common.cpp - Policy checks and tensor helpers ----------------------===//

#include "Internal.h"

#include <algorithm>
#include <cmath>
#include <sstream>

using namespace facet::decomp;
using namespace facet::decomp::detail;

std::string Truncation::validate() const {
  switch (policy) {
  case Kind::Rank:
    if (rankList.empty())
      return "rank policy needs at least one rank";
    for (int64_t r : rankList)
      if (r < 1)
        return "rank must be at least 1, got " + std::to_string(r);
    break;
  case Kind::Error:
    if (!(eps > 0 && eps < 1)) {
      std::ostringstream os;
      os << "relative error eps must lie in (0, 1), got " << eps
         << " (eps >= 1 keeps nothing; eps <= 0 cannot be met in floating "
            "point)";
      return os.str();
    }
    break;
  case Kind::Params:
    if (budget < 1)
      return "parameter budget must be at least 1, got " +
             std::to_string(budget);
    break;
  }
  if (rankCap < 1)
    return "max rank must be at least 1, got " + std::to_string(rankCap);
  return "";
}

std::string Truncation::describe() const {
  std::ostringstream os;
  switch (policy) {
  case Kind::Rank:
    if (rankList.size() == 1)
      os << "rank " << rankList[0];
    else
      os << "ranks " << formatList(rankList);
    break;
  case Kind::Error:
    os << "eps " << eps;
    break;
  case Kind::Params:
    os << "params " << budget;
    break;
  }
  if (rankCap != kNoLimit)
    os << ", max rank " << rankCap;
  return os.str();
}

double Gaussian::next() {
  if (hasSpare) {
    hasSpare = false;
    return spare;
  }
  double radius = std::sqrt(-2.0 * std::log(uniform()));
  double angle = 2.0 * M_PI * uniform();
  spare = radius * std::sin(angle);
  hasSpare = true;
  return radius * std::cos(angle);
}

std::string detail::formatList(const std::vector<int64_t> &values) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < values.size(); ++i)
    os << (i ? ", " : "") << values[i];
  os << "]";
  return os.str();
}

std::string detail::checkMatrixShape(int64_t rows, int64_t cols,
                                     const char *what) {
  if (rows < 1 || cols < 1)
    return std::string(what) + ": the matrix is empty (" +
           std::to_string(rows) + " x " + std::to_string(cols) + ")";
  return "";
}

std::string detail::checkTensorShape(const std::vector<int64_t> &shape,
                                     int64_t numel, int64_t minOrder,
                                     const char *what) {
  if (static_cast<int64_t>(shape.size()) < minOrder)
    return std::string(what) + ": needs a tensor of order at least " +
           std::to_string(minOrder) + ", got shape " + formatList(shape);
  for (int64_t dim : shape)
    if (dim < 1)
      return std::string(what) + ": every dimension must be at least 1, got " +
             "shape " + formatList(shape);
  if (productOf(shape) != numel)
    return std::string(what) + ": shape " + formatList(shape) + " holds " +
           std::to_string(productOf(shape)) + " elements but the data has " +
           std::to_string(numel);
  return "";
}

Expected<RankRule> detail::matrixRankRule(const Truncation &trunc,
                                          int64_t maxRank,
                                          int64_t paramsPerRank, double normSq,
                                          const std::string &rankName,
                                          const char *what) {
  if (std::string message = trunc.validate(); !message.empty())
    return makeError(std::string(what) + ": " + message);
  RankRule rule;
  rule.cap = trunc.maxRank();
  switch (trunc.kind()) {
  case Truncation::Kind::Rank: {
    if (trunc.rankValues().size() != 1)
      return makeError(std::string(what) + ": expects one " + rankName +
                       ", got " + std::to_string(trunc.rankValues().size()) +
                       " ranks");
    int64_t rank = trunc.rankValues()[0];
    if (rank > maxRank)
      return makeError(
          std::string(what) + ": " + rankName + " " + std::to_string(rank) +
          " exceeds the largest possible, " + std::to_string(maxRank));
    rule.fixedRank = std::min(rank, rule.cap);
    break;
  }
  case Truncation::Kind::Error:
    rule.maxTailSq = trunc.errorTarget() * trunc.errorTarget() * normSq;
    break;
  case Truncation::Kind::Params: {
    if (trunc.paramBudget() < paramsPerRank)
      return makeError(std::string(what) + ": parameter budget " +
                       std::to_string(trunc.paramBudget()) +
                       " is below the smallest result (" + rankName +
                       " 1: " + std::to_string(paramsPerRank) + " parameters)");
    rule.fixedRank =
        std::min({trunc.paramBudget() / paramsPerRank, maxRank, rule.cap});
    break;
  }
  }
  return rule;
}

template <typename T>
double facet::decomp::relativeError(const T *a, const T *b, int64_t n) {
  double diffSq = 0, normSq = 0;
  for (int64_t i = 0; i < n; ++i) {
    double x = a[i], d = x - static_cast<double>(b[i]);
    diffSq += d * d;
    normSq += x * x;
  }
  if (normSq == 0)
    return diffSq == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  return std::sqrt(diffSq / normSq);
}

template <typename T>
RowMatrix<T> detail::unfold(const Tensor<T> &x, int64_t mode) {
  int64_t before = 1, after = 1, dim = x.shape[mode];
  for (int64_t k = 0; k < mode; ++k)
    before *= x.shape[k];
  for (int64_t k = mode + 1; k < x.order(); ++k)
    after *= x.shape[k];
  RowMatrix<T> out(dim, before * after);
  for (int64_t l = 0; l < before; ++l)
    for (int64_t i = 0; i < dim; ++i)
      std::copy_n(x.data.data() + (l * dim + i) * after, after,
                  out.data() + i * before * after + l * after);
  return out;
}

template <typename T>
Tensor<T> detail::modeProduct(const Tensor<T> &x, int64_t mode,
                              const Eigen::Ref<const RowMatrix<T>> &m) {
  int64_t before = 1, after = 1, dim = x.shape[mode], newDim = m.rows();
  for (int64_t k = 0; k < mode; ++k)
    before *= x.shape[k];
  for (int64_t k = mode + 1; k < x.order(); ++k)
    after *= x.shape[k];
  std::vector<int64_t> shape = x.shape;
  shape[mode] = newDim;
  Tensor<T> out(shape);
  if (after == 1) {
    // One GEMM: (before × dim) · mᵀ.
    Eigen::Map<const RowMatrix<T>> in(x.data.data(), before, dim);
    Eigen::Map<RowMatrix<T>> res(out.data.data(), before, newDim);
    res.noalias() = in * m.transpose();
    return out;
  }
  for (int64_t l = 0; l < before; ++l) {
    Eigen::Map<const RowMatrix<T>> in(x.data.data() + l * dim * after, dim,
                                      after);
    Eigen::Map<RowMatrix<T>> res(out.data.data() + l * newDim * after, newDim,
                                 after);
    res.noalias() = m * in;
  }
  return out;
}

template <typename T>
Tensor<T> detail::permute(const Tensor<T> &x,
                          const std::vector<int64_t> &perm) {
  int64_t order = x.order();
  std::vector<int64_t> shape(order), inStrides(order), permStrides(order);
  for (int64_t k = order - 1, stride = 1; k >= 0; --k) {
    inStrides[k] = stride;
    stride *= x.shape[k];
  }
  for (int64_t k = 0; k < order; ++k) {
    shape[k] = x.shape[perm[k]];
    permStrides[k] = inStrides[perm[k]];
  }
  Tensor<T> out(shape);
  // Walk the output in order with an odometer over its multi-index.
  std::vector<int64_t> index(order, 0);
  int64_t source = 0;
  for (int64_t flat = 0, n = out.numel(); flat < n; ++flat) {
    out.data[flat] = x.data[source];
    for (int64_t k = order - 1; k >= 0; --k) {
      source += permStrides[k];
      if (++index[k] < shape[k])
        break;
      source -= permStrides[k] * shape[k];
      index[k] = 0;
    }
  }
  return out;
}

template <typename T>
RowMatrix<T> detail::leftSingularVectors(const RowMatrix<T> &a, int64_t rank,
                                         std::vector<double> *spectrum) {
  // A rank beyond min(rows, cols) (Tucker ranks the other modes cannot
  // support) gets an orthonormal completion from the full U.
  bool needFull = rank > std::min(a.rows(), a.cols());
  Eigen::BDCSVD<ColMatrix<T>> svd(a, needFull ? Eigen::ComputeFullU
                                              : Eigen::ComputeThinU);
  const auto &sigma = svd.singularValues();
  if (spectrum)
    spectrum->assign(sigma.data(), sigma.data() + sigma.size());
  int64_t keep = rank < 0 ? svd.matrixU().cols()
                          : std::min<int64_t>(rank, svd.matrixU().cols());
  return svd.matrixU().leftCols(keep);
}

#define FACET_INSTANTIATE(T)                                                   \
  template double facet::decomp::relativeError<T>(const T *, const T *,        \
                                                  int64_t);                    \
  template RowMatrix<T> detail::unfold<T>(const Tensor<T> &, int64_t);         \
  template Tensor<T> detail::modeProduct<T>(                                   \
      const Tensor<T> &, int64_t, const Eigen::Ref<const RowMatrix<T>> &);     \
  template Tensor<T> detail::permute<T>(const Tensor<T> &,                     \
                                        const std::vector<int64_t> &);         \
  template RowMatrix<T> detail::leftSingularVectors<T>(                        \
      const RowMatrix<T> &, int64_t, std::vector<double> *);
FACET_INSTANTIATE(float)
FACET_INSTANTIATE(double)
