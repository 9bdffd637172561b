//===- TestUtil.h - Deterministic test inputs for FacetDecomp ---*- C++ -*-===//

#ifndef FACET_UNITTESTS_DECOMP_TESTUTIL_H
#define FACET_UNITTESTS_DECOMP_TESTUTIL_H

#include "facet/Decomp/Decomp.h"

#include <Eigen/Dense>

#include <cmath>
#include <cstring>
#include <random>

namespace facet::decomp::test {

/// Standard normal draws from a fixed-seed engine (Box–Muller written out so
/// that the inputs do not depend on the standard library).
class Normal {
public:
  explicit Normal(uint64_t seed) : engine(seed) {}
  double operator()() {
    double u1 = (static_cast<double>(engine() >> 11) + 1.0) * 0x1.0p-53;
    double u2 = (static_cast<double>(engine() >> 11) + 1.0) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

private:
  std::mt19937_64 engine;
};

template <typename T>
RowMatrix<T> randomMatrix(int64_t rows, int64_t cols, uint64_t seed) {
  Normal normal(seed);
  RowMatrix<T> m(rows, cols);
  for (int64_t i = 0; i < m.size(); ++i)
    m.data()[i] = static_cast<T>(normal());
  return m;
}

template <typename T>
Tensor<T> randomTensor(std::vector<int64_t> shape, uint64_t seed) {
  Normal normal(seed);
  Tensor<T> t(std::move(shape));
  for (T &v : t.data)
    v = static_cast<T>(normal());
  return t;
}

/// Orthonormal columns (rows × cols, rows ≥ cols) from a QR of a Gaussian.
template <typename T>
RowMatrix<T> randomOrthonormal(int64_t rows, int64_t cols, uint64_t seed) {
  Eigen::MatrixXd g = randomMatrix<double>(rows, cols, seed);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(rows, cols);
  return q.cast<T>();
}

/// U·diag(sigma)·Vᵀ with random orthonormal U, V: a matrix with a known
/// spectrum.
template <typename T>
RowMatrix<T> withSpectrum(int64_t rows, int64_t cols,
                          const std::vector<double> &sigma, uint64_t seed) {
  int64_t r = static_cast<int64_t>(sigma.size());
  Eigen::MatrixXd u = randomOrthonormal<double>(rows, r, seed);
  Eigen::MatrixXd v = randomOrthonormal<double>(cols, r, seed + 1);
  Eigen::VectorXd s = Eigen::Map<const Eigen::VectorXd>(sigma.data(), r);
  Eigen::MatrixXd w = u * s.asDiagonal() * v.transpose();
  return w.cast<T>();
}

/// ‖a − b‖_F / ‖a‖_F computed independently of the library.
template <typename T>
double measuredError(const RowMatrix<T> &a, const RowMatrix<T> &b) {
  return (a.template cast<double>() - b.template cast<double>()).norm() /
         a.template cast<double>().norm();
}

template <typename T>
double measuredError(const Tensor<T> &a, const Tensor<T> &b) {
  Eigen::Map<const Vector<T>> x(a.data.data(), a.numel());
  Eigen::Map<const Vector<T>> y(b.data.data(), b.numel());
  return (x.template cast<double>() - y.template cast<double>()).norm() /
         x.template cast<double>().norm();
}

/// Bitwise equality of two buffers.
template <typename T> bool sameBits(const T *a, const T *b, int64_t n) {
  return std::memcmp(a, b, sizeof(T) * n) == 0;
}

/// The exact-recovery bound for a precision.
template <typename T> double recoveryTolerance() {
  return sizeof(T) == 4 ? 1e-5 : 1e-10;
}

} // namespace facet::decomp::test

#endif // FACET_UNITTESTS_DECOMP_TESTUTIL_H
