//===- Tensor.h - Dense row-major N-d tensors and matrices ------*- C++ -*-===//
//
// The decomposition library's data types: Eigen row-major matrices for 2-d
// weights (ONNX initializers are row-major) and a minimal dense N-d `Tensor`
// (shape + row-major data) for the tensor formats.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_DECOMP_TENSOR_H
#define FACET_DECOMP_TENSOR_H

#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <numeric>
#include <vector>

namespace facet::decomp {

template <typename T>
using RowMatrix =
    Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T> using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

/// The product of `dims` (1 for none).
inline int64_t productOf(const std::vector<int64_t> &dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t{1},
                         std::multiplies<int64_t>());
}

/// A dense N-d tensor, row-major (the last index varies fastest).
template <typename T> struct Tensor {
  std::vector<int64_t> shape;
  std::vector<T> data;

  Tensor() = default;
  /// A zero tensor of this shape.
  explicit Tensor(std::vector<int64_t> shape)
      : shape(std::move(shape)), data(productOf(this->shape), T(0)) {}
  Tensor(std::vector<int64_t> shape, std::vector<T> data)
      : shape(std::move(shape)), data(std::move(data)) {}

  int64_t order() const { return static_cast<int64_t>(shape.size()); }
  int64_t numel() const { return static_cast<int64_t>(data.size()); }

  /// The data viewed as a (rows × numel/rows) row-major matrix.
  Eigen::Map<RowMatrix<T>> asMatrix(int64_t rows) {
    return {data.data(), rows, numel() / rows};
  }
  Eigen::Map<const RowMatrix<T>> asMatrix(int64_t rows) const {
    return {data.data(), rows, numel() / rows};
  }
};

} // namespace facet::decomp

#endif // FACET_DECOMP_TENSOR_H
