//===- TensorTrain.cpp - TT-SVD and TT-matrix (MPO) -----------------------===//

#include "Internal.h"

#include <algorithm>
#include <cmath>

using namespace facet::decomp;
using namespace facet::decomp::detail;

namespace {

/// The bond ranks TT-SVD gives a shape when every bond is asked for at most
/// `rank` (and at most `cap`): each is also bounded by the rows of its
/// unfolding, r_{k-1}·I_k, and by the modes to its right.
std::vector<int64_t> uniformRanks(const std::vector<int64_t> &shape,
                                  int64_t rank, int64_t cap) {
  int64_t order = static_cast<int64_t>(shape.size());
  std::vector<int64_t> ranks(order + 1, 1);
  for (int64_t k = 1; k < order; ++k) {
    int64_t right = 1;
    for (int64_t j = k; j < order && right < rank; ++j)
      right *= shape[j];
    ranks[k] = std::min({rank, cap, ranks[k - 1] * shape[k - 1], right});
  }
  return ranks;
}

int64_t ttParams(const std::vector<int64_t> &shape,
                 const std::vector<int64_t> &ranks) {
  int64_t params = 0;
  for (size_t k = 0; k < shape.size(); ++k)
    params += ranks[k] * shape[k] * ranks[k + 1];
  return params;
}

/// TT-SVD of x under a policy already checked against x's shape.
template <typename T>
Expected<std::vector<Tensor<T>>>
ttSvd(const Tensor<T> &x, const Truncation &trunc, const Options &options,
      const char *what) {
  const std::vector<int64_t> &shape = x.shape;
  int64_t order = x.order();
  if (std::string message = trunc.validate(); !message.empty())
    return makeError(std::string(what) + ": " + message);
  int64_t bound = largestBondRank(shape);
  std::vector<int64_t> wanted(order + 1, 1);
  double normSq = squaredNorm(x.data.data(), x.numel());
  double stepTailSq = -1;
  switch (trunc.kind()) {
  case Truncation::Kind::Rank: {
    const std::vector<int64_t> &rs = trunc.rankValues();
    if (rs.size() == 1) {
      if (rs[0] > bound)
        return makeError(std::string(what) + ": rank " + std::to_string(rs[0]) +
                         " exceeds the largest bond rank of shape " +
                         formatList(shape) + ", " + std::to_string(bound));
      wanted = uniformRanks(shape, rs[0], trunc.maxRank());
    } else {
      if (static_cast<int64_t>(rs.size()) != order - 1)
        return makeError(std::string(what) + ": expects 1 or " +
                         std::to_string(order - 1) + " bond ranks for shape " +
                         formatList(shape) + ", got " + formatList(rs));
      std::vector<int64_t> limits = uniformRanks(
          shape, std::numeric_limits<int64_t>::max() / 4, kNoLimit);
      for (int64_t k = 1; k < order; ++k) {
        if (rs[k - 1] > limits[k])
          return makeError(std::string(what) + ": rank " +
                           std::to_string(rs[k - 1]) + " of bond " +
                           std::to_string(k) + " exceeds its largest, " +
                           std::to_string(limits[k]));
        wanted[k] = std::min(rs[k - 1], trunc.maxRank());
      }
    }
    break;
  }
  case Truncation::Kind::Error:
    // Oseledets: δ = ε/√(d−1)·‖X‖ per unfolding keeps the total ≤ ε‖X‖.
    stepTailSq = trunc.errorTarget() * trunc.errorTarget() * normSq /
                 double(std::max<int64_t>(1, order - 1));
    break;
  case Truncation::Kind::Params: {
    int64_t smallest = 0;
    for (int64_t dim : shape)
      smallest += dim;
    if (trunc.paramBudget() < smallest)
      return makeError(std::string(what) + ": parameter budget " +
                       std::to_string(trunc.paramBudget()) +
                       " is below the smallest result (all bond ranks 1: " +
                       std::to_string(smallest) + " parameters)");
    // Parameters grow with the uniform rank: bisect for the largest fit.
    int64_t low = 1, high = std::min(bound, trunc.maxRank());
    while (low < high) {
      int64_t mid = low + (high - low + 1) / 2;
      if (ttParams(shape, uniformRanks(shape, mid, trunc.maxRank())) <=
          trunc.paramBudget())
        low = mid;
      else
        high = mid - 1;
    }
    wanted = uniformRanks(shape, low, trunc.maxRank());
    break;
  }
  }

  std::vector<Tensor<T>> cores;
  RowMatrix<T> rest = x.asMatrix(1);
  int64_t previous = 1;
  for (int64_t k = 0; k + 1 < order; ++k) {
    int64_t rows = previous * shape[k];
    Eigen::Map<const RowMatrix<T>> c(rest.data(), rows, rest.size() / rows);
    RankRule rule;
    rule.cap = trunc.maxRank();
    if (stepTailSq >= 0)
      rule.maxTailSq = stepTailSq;
    else
      rule.fixedRank = wanted[k + 1];
    Factors<T> f = factorize<T>(c, rule, options.svd, options, normSq);
    int64_t rank = f.s.size();
    Tensor<T> core({previous, shape[k], rank});
    Eigen::Map<RowMatrix<T>>(core.data.data(), rows, rank) = f.u;
    cores.push_back(std::move(core));
    rest = f.s.asDiagonal() * f.v.transpose();
    previous = rank;
  }
  Tensor<T> last({previous, shape[order - 1], 1});
  std::copy_n(rest.data(), rest.size(), last.data.data());
  cores.push_back(std::move(last));
  return cores;
}

template <typename T>
Tensor<T> contractTrain(const std::vector<Tensor<T>> &cores,
                        std::vector<int64_t> shape) {
  // Acc (Π I_0…I_k × r_k) grows one core at a time, row-major throughout.
  RowMatrix<T> acc = RowMatrix<T>::Ones(1, 1);
  for (const Tensor<T> &core : cores) {
    int64_t rank = core.shape.front();
    int64_t next = core.shape.back();
    Eigen::Map<const RowMatrix<T>> g(core.data.data(), rank,
                                     core.numel() / rank);
    RowMatrix<T> product = acc * g;
    acc = Eigen::Map<RowMatrix<T>>(product.data(), product.size() / next, next);
  }
  Tensor<T> out(std::move(shape));
  std::copy_n(acc.data(), acc.size(), out.data.data());
  return out;
}

std::vector<int64_t> coreRanks(const std::vector<int64_t> &firstDims,
                               const std::vector<int64_t> &lastDims) {
  std::vector<int64_t> ranks;
  for (int64_t r : firstDims)
    ranks.push_back(r);
  if (!lastDims.empty())
    ranks.push_back(lastDims.back());
  return ranks;
}

} // namespace

template <typename T> std::vector<int64_t> TensorTrain<T>::ranks() const {
  std::vector<int64_t> first, last;
  for (const Tensor<T> &core : cores) {
    first.push_back(core.shape.front());
    last.push_back(core.shape.back());
  }
  return coreRanks(first, last);
}

template <typename T> int64_t TensorTrain<T>::numParams() const {
  int64_t params = 0;
  for (const Tensor<T> &core : cores)
    params += core.numel();
  return params;
}

template <typename T> Tensor<T> TensorTrain<T>::reconstruct() const {
  std::vector<int64_t> shape;
  for (const Tensor<T> &core : cores)
    shape.push_back(core.shape[1]);
  return contractTrain(cores, shape);
}

template <typename T>
Expected<TensorTrain<T>> facet::decomp::tensorTrain(const Tensor<T> &x,
                                                    const Truncation &trunc,
                                                    const Options &options) {
  const char *what = "tensorTrain";
  if (std::string message = checkTensorShape(x.shape, x.numel(), 2, what);
      !message.empty())
    return makeError(message);
  Expected<std::vector<Tensor<T>>> cores = ttSvd(x, trunc, options, what);
  if (!cores)
    return makeError(cores.error());
  TensorTrain<T> result;
  result.cores = cores.take();
  result.relError =
      relativeError(x.data.data(), result.reconstruct().data.data(), x.numel());
  return result;
}

template <typename T> std::vector<int64_t> TTMatrix<T>::ranks() const {
  std::vector<int64_t> first, last;
  for (const Tensor<T> &core : cores) {
    first.push_back(core.shape.front());
    last.push_back(core.shape.back());
  }
  return coreRanks(first, last);
}

template <typename T> int64_t TTMatrix<T>::numParams() const {
  int64_t params = 0;
  for (const Tensor<T> &core : cores)
    params += core.numel();
  return params;
}

namespace {
/// Axes [m0 … m_{d-1}, n0 … n_{d-1}] → [m0, n0, m1, n1, …].
std::vector<int64_t> interleave(int64_t order) {
  std::vector<int64_t> perm;
  for (int64_t k = 0; k < order; ++k) {
    perm.push_back(k);
    perm.push_back(order + k);
  }
  return perm;
}
} // namespace

template <typename T> RowMatrix<T> TTMatrix<T>::reconstruct() const {
  int64_t order = static_cast<int64_t>(rowDims.size());
  std::vector<int64_t> paired;
  for (int64_t k = 0; k < order; ++k)
    paired.push_back(rowDims[k] * colDims[k]);
  Tensor<T> train = contractTrain(cores, paired);
  // [(m0 n0), (m1 n1), …] is [m0, n0, m1, n1, …]; put the rows first.
  std::vector<int64_t> split;
  for (int64_t k = 0; k < order; ++k) {
    split.push_back(rowDims[k]);
    split.push_back(colDims[k]);
  }
  train.shape = split;
  std::vector<int64_t> inverse(2 * order);
  std::vector<int64_t> perm = interleave(order);
  for (int64_t i = 0; i < 2 * order; ++i)
    inverse[perm[i]] = i;
  Tensor<T> matrix = permute(train, inverse);
  int64_t rows = productOf(rowDims);
  return Eigen::Map<RowMatrix<T>>(matrix.data.data(), rows,
                                  matrix.numel() / rows);
}

int64_t facet::decomp::largestBondRank(const std::vector<int64_t> &shape) {
  std::vector<int64_t> ranks =
      uniformRanks(shape, std::numeric_limits<int64_t>::max() / 4, kNoLimit);
  return *std::max_element(ranks.begin(), ranks.end());
}

template <typename T>
Expected<TTMatrix<T>>
facet::decomp::ttMatrix(const RowMatrix<T> &w,
                        const std::vector<int64_t> &rowDims,
                        const std::vector<int64_t> &colDims,
                        const Truncation &trunc, const Options &options) {
  const char *what = "ttMatrix";
  if (std::string message = checkMatrixShape(w.rows(), w.cols(), what);
      !message.empty())
    return makeError(message);
  if (rowDims.size() != colDims.size() || rowDims.size() < 2)
    return makeError(std::string(what) +
                     ": needs as many row as column factors, at least 2; got " +
                     formatList(rowDims) + " and " + formatList(colDims));
  for (int64_t dim : rowDims)
    if (dim < 1)
      return makeError(std::string(what) + ": row factors must be >= 1, got " +
                       formatList(rowDims));
  for (int64_t dim : colDims)
    if (dim < 1)
      return makeError(std::string(what) +
                       ": column factors must be >= 1, got " +
                       formatList(colDims));
  if (productOf(rowDims) != w.rows() || productOf(colDims) != w.cols())
    return makeError(std::string(what) + ": factors " + formatList(rowDims) +
                     " x " + formatList(colDims) + " do not multiply to the " +
                     std::to_string(w.rows()) + " x " +
                     std::to_string(w.cols()) + " matrix");
  int64_t order = static_cast<int64_t>(rowDims.size());
  std::vector<int64_t> split = rowDims;
  split.insert(split.end(), colDims.begin(), colDims.end());
  Tensor<T> asTensor(split, std::vector<T>(w.data(), w.data() + w.size()));
  Tensor<T> paired = permute(asTensor, interleave(order));
  paired.shape.clear();
  for (int64_t k = 0; k < order; ++k)
    paired.shape.push_back(rowDims[k] * colDims[k]);
  Expected<std::vector<Tensor<T>>> cores = ttSvd(paired, trunc, options, what);
  if (!cores)
    return makeError(cores.error());
  TTMatrix<T> result;
  result.rowDims = rowDims;
  result.colDims = colDims;
  result.cores = cores.take();
  for (int64_t k = 0; k < order; ++k) {
    Tensor<T> &core = result.cores[k];
    core.shape = {core.shape[0], rowDims[k], colDims[k], core.shape[2]};
  }
  result.relError =
      relativeError(w.data(), result.reconstruct().data(), w.size());
  return result;
}

#define FACET_INSTANTIATE(T)                                                   \
  template struct facet::decomp::TensorTrain<T>;                               \
  template struct facet::decomp::TTMatrix<T>;                                  \
  template Expected<TensorTrain<T>> facet::decomp::tensorTrain<T>(             \
      const Tensor<T> &, const Truncation &, const Options &);                 \
  template Expected<TTMatrix<T>> facet::decomp::ttMatrix<T>(                   \
      const RowMatrix<T> &, const std::vector<int64_t> &,                      \
      const std::vector<int64_t> &, const Truncation &, const Options &);
FACET_INSTANTIATE(float)
FACET_INSTANTIATE(double)
