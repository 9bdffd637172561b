//===- MatrixFormatsTest.cpp - SVD, randomized SVD, Kronecker, TT-matrix --===//

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include <cmath>

using namespace facet::decomp;
using namespace facet::decomp::test;

namespace {

template <typename T> class MatrixFormatsTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MatrixFormatsTest, Precisions);

/// σ_i = i^-power for i = 1 … n.
std::vector<double> decaying(int64_t n, double power) {
  std::vector<double> sigma(n);
  for (int64_t i = 0; i < n; ++i)
    sigma[i] = std::pow(double(i + 1), -power);
  return sigma;
}

TYPED_TEST(MatrixFormatsTest, TruncatedSvdMeetsEckartYoung) {
  using T = TypeParam;
  RowMatrix<T> w = randomMatrix<T>(60, 40, 11);
  for (int64_t rank : {1, 7, 25, 40}) {
    Expected<LowRank<T>> svd = truncatedSvd(w, Truncation::rank(rank));
    ASSERT_TRUE(svd) << svd.error();
    ASSERT_EQ(svd->rank(), rank);
    ASSERT_EQ(svd->singularValues.size(), 40u);
    const std::vector<double> &sigma = svd->singularValues;
    double discarded = 0, total = 0;
    for (size_t i = 0; i < sigma.size(); ++i) {
      total += sigma[i] * sigma[i];
      if (static_cast<int64_t>(i) >= rank)
        discarded += sigma[i] * sigma[i];
    }
    RowMatrix<T> residual = w - svd->reconstruct();
    double residualSq = residual.template cast<double>().squaredNorm();
    // Frobenius: ‖W − W_r‖² = Σ_{i>r} σ_i².
    EXPECT_NEAR(residualSq, discarded, 1e-4 * total) << rank;
    EXPECT_NEAR(svd->relError * svd->relError, discarded / total,
                sizeof(T) == 4 ? 1e-5 : 1e-12);
    // Spectral: ‖W − W_r‖_2 = σ_{r+1}.
    Eigen::MatrixXd r = residual.template cast<double>();
    double spectral =
        rank < 40 ? Eigen::JacobiSVD<Eigen::MatrixXd>(r).singularValues()[0]
                  : 0.0;
    double expected = rank < 40 ? sigma[rank] : 0.0;
    EXPECT_NEAR(spectral, expected, sizeof(T) == 4 ? 1e-4 : 1e-10) << rank;
    EXPECT_NEAR(svd->relError, measuredError(w, svd->reconstruct()), 1e-6);
    EXPECT_EQ(svd->numParams(), rank * (60 + 40));
  }
}

TYPED_TEST(MatrixFormatsTest, ExactRecoveryOfLowRank) {
  using T = TypeParam;
  RowMatrix<T> w = randomMatrix<T>(50, 5, 21) * randomMatrix<T>(5, 30, 22);
  Expected<LowRank<T>> exact = truncatedSvd(w, Truncation::rank(5));
  ASSERT_TRUE(exact) << exact.error();
  EXPECT_LT(exact->relError, recoveryTolerance<T>());
  EXPECT_LT(measuredError(w, exact->reconstruct()), recoveryTolerance<T>());
  Expected<LowRank<T>> sketched = randomizedSvd(w, Truncation::rank(5));
  ASSERT_TRUE(sketched) << sketched.error();
  EXPECT_LT(sketched->relError, recoveryTolerance<T>());
  // The ε policy finds the rank itself.
  Expected<LowRank<T>> byError = truncatedSvd(w, Truncation::error(1e-3));
  ASSERT_TRUE(byError);
  EXPECT_EQ(byError->rank(), 5);
  Expected<LowRank<T>> sketchedByError =
      randomizedSvd(w, Truncation::error(1e-3));
  ASSERT_TRUE(sketchedByError);
  EXPECT_EQ(sketchedByError->rank(), 5);
}

TYPED_TEST(MatrixFormatsTest, SvdPoliciesHold) {
  using T = TypeParam;
  RowMatrix<T> w = withSpectrum<T>(80, 50, decaying(50, 0.7), 31);
  for (auto method : {0, 1}) {
    auto run = [&](const Truncation &trunc) {
      return method == 0 ? truncatedSvd(w, trunc) : randomizedSvd(w, trunc);
    };
    for (double eps : {0.3, 0.1, 0.02}) {
      Expected<LowRank<T>> svd = run(Truncation::error(eps));
      ASSERT_TRUE(svd) << svd.error();
      EXPECT_LE(svd->relError, eps) << method << " " << eps;
      EXPECT_NEAR(svd->relError, measuredError(w, svd->reconstruct()), 1e-6);
      // Minimal: the exact SVD one rank lower misses ε (the sketch may
      // need one rank more than the optimum, never less).
      Expected<LowRank<T>> optimal = truncatedSvd(w, Truncation::error(eps));
      if (optimal->rank() > 1) {
        Expected<LowRank<T>> less =
            truncatedSvd(w, Truncation::rank(optimal->rank() - 1));
        EXPECT_GT(less->relError, eps) << method << " " << eps;
      }
      EXPECT_GE(svd->rank(), optimal->rank());
      EXPECT_LE(svd->rank(), optimal->rank() + method);
    }
    for (int64_t budget : {130, 1000, 2599, 2600}) {
      Expected<LowRank<T>> svd = run(Truncation::params(budget));
      ASSERT_TRUE(svd) << svd.error();
      EXPECT_LE(svd->numParams(), budget);
      EXPECT_GT(svd->numParams() + 130, budget); // the largest rank that fits
    }
    Expected<LowRank<T>> capped = run(Truncation::error(0.01).withMaxRank(4));
    ASSERT_TRUE(capped);
    EXPECT_EQ(capped->rank(), 4);
    EXPECT_GT(capped->relError, 0.01); // the cap wins, the error says so
  }
}

TYPED_TEST(MatrixFormatsTest, RandomizedSvdNearExactOnDecayingSpectra) {
  using T = TypeParam;
  for (double power : {0.5, 1.0, 2.0}) {
    RowMatrix<T> w = withSpectrum<T>(300, 200, decaying(200, power), 41);
    for (int64_t rank : {10, 40}) {
      Expected<LowRank<T>> exact = truncatedSvd(w, Truncation::rank(rank));
      Expected<LowRank<T>> sketched = randomizedSvd(w, Truncation::rank(rank));
      ASSERT_TRUE(exact && sketched);
      EXPECT_LE(sketched->relError, 1.01 * exact->relError)
          << "power " << power << " rank " << rank;
      EXPECT_GE(sketched->relError, exact->relError * (1 - 1e-5));
    }
  }
}

TYPED_TEST(MatrixFormatsTest, KroneckerRecoversProductsAndSums) {
  using T = TypeParam;
  RowMatrix<T> a1 = randomMatrix<T>(4, 3, 51), b1 = randomMatrix<T>(5, 6, 52);
  RowMatrix<T> a2 = randomMatrix<T>(4, 3, 53), b2 = randomMatrix<T>(5, 6, 54);
  RowMatrix<T> single(20, 18), pair(20, 18);
  for (int64_t i = 0; i < 20; ++i)
    for (int64_t j = 0; j < 18; ++j) {
      single(i, j) = a1(i / 5, j / 6) * b1(i % 5, j % 6);
      pair(i, j) = single(i, j) + a2(i / 5, j / 6) * b2(i % 5, j % 6);
    }
  Expected<KroneckerSum<T>> one =
      kroneckerSum(single, 4, 3, Truncation::rank(1));
  ASSERT_TRUE(one) << one.error();
  EXPECT_LT(one->relError, recoveryTolerance<T>());
  EXPECT_LT(measuredError(single, one->reconstruct()), recoveryTolerance<T>());
  EXPECT_EQ(one->numParams(), 12 + 30);
  Expected<KroneckerSum<T>> two = kroneckerSum(pair, 4, 3, Truncation::rank(2));
  ASSERT_TRUE(two);
  EXPECT_EQ(two->numTerms(), 2);
  EXPECT_LT(two->relError, recoveryTolerance<T>());
  // ε finds the two terms; one term is not enough.
  Expected<KroneckerSum<T>> byError =
      kroneckerSum(pair, 4, 3, Truncation::error(1e-3));
  ASSERT_TRUE(byError);
  EXPECT_EQ(byError->numTerms(), 2);
  Expected<KroneckerSum<T>> sketched = [&] {
    Options options;
    options.svd = SvdMethod::Randomized;
    return kroneckerSum(pair, 4, 3, Truncation::rank(2), options);
  }();
  ASSERT_TRUE(sketched);
  EXPECT_LT(sketched->relError, recoveryTolerance<T>());
}

TYPED_TEST(MatrixFormatsTest, KroneckerErrorIsRearrangedTail) {
  using T = TypeParam;
  RowMatrix<T> w = randomMatrix<T>(24, 36, 61);
  for (int64_t terms : {1, 3, 6}) {
    Expected<KroneckerSum<T>> k =
        kroneckerSum(w, 6, 4, Truncation::rank(terms));
    ASSERT_TRUE(k);
    const std::vector<double> &sigma = k->singularValues;
    double discarded = 0, total = 0;
    for (size_t i = 0; i < sigma.size(); ++i) {
      total += sigma[i] * sigma[i];
      if (static_cast<int64_t>(i) >= terms)
        discarded += sigma[i] * sigma[i];
    }
    EXPECT_NEAR(k->relError, std::sqrt(discarded / total), 1e-5);
    EXPECT_NEAR(k->relError, measuredError(w, k->reconstruct()), 1e-6);
  }
  Expected<KroneckerSum<T>> budget =
      kroneckerSum(w, 6, 4, Truncation::params(500));
  ASSERT_TRUE(budget);
  // 6·4 + 4·9 = 60 parameters a term.
  EXPECT_EQ(budget->numTerms(), 8);
  EXPECT_LE(budget->numParams(), 500);
  Expected<KroneckerSum<T>> byError =
      kroneckerSum(w, 6, 4, Truncation::error(0.5));
  ASSERT_TRUE(byError);
  EXPECT_LE(byError->relError, 0.5);
}

/// W from random TT-matrix cores of the given bond ranks.
template <typename T>
RowMatrix<T> randomTtMatrix(const std::vector<int64_t> &rows,
                            const std::vector<int64_t> &cols,
                            const std::vector<int64_t> &ranks, uint64_t seed) {
  TTMatrix<T> tt;
  tt.rowDims = rows;
  tt.colDims = cols;
  for (size_t k = 0; k < rows.size(); ++k)
    tt.cores.push_back(
        randomTensor<T>({ranks[k], rows[k], cols[k], ranks[k + 1]}, seed + k));
  return tt.reconstruct();
}

TYPED_TEST(MatrixFormatsTest, TtMatrixRecoversAndHoldsPolicies) {
  using T = TypeParam;
  std::vector<int64_t> rows = {2, 3, 4}, cols = {3, 2, 5};
  RowMatrix<T> w = randomTtMatrix<T>(rows, cols, {1, 2, 3, 1}, 71);
  ASSERT_EQ(w.rows(), 24);
  ASSERT_EQ(w.cols(), 30);
  Expected<TTMatrix<T>> exact =
      ttMatrix(w, rows, cols, Truncation::ranks({2, 3}));
  ASSERT_TRUE(exact) << exact.error();
  EXPECT_LT(exact->relError, recoveryTolerance<T>());
  EXPECT_EQ(exact->ranks(), (std::vector<int64_t>{1, 2, 3, 1}));
  EXPECT_EQ(exact->cores[1].shape, (std::vector<int64_t>{2, 3, 2, 3}));
  EXPECT_EQ(exact->numParams(), 1 * 6 * 2 + 2 * 6 * 3 + 3 * 20 * 1);
  Expected<TTMatrix<T>> byError =
      ttMatrix(w, rows, cols, Truncation::error(1e-3));
  ASSERT_TRUE(byError);
  EXPECT_EQ(byError->ranks(), (std::vector<int64_t>{1, 2, 3, 1}));

  RowMatrix<T> noise = randomMatrix<T>(24, 30, 72);
  for (double eps : {0.5, 0.2, 0.05}) {
    Expected<TTMatrix<T>> tt =
        ttMatrix(noise, rows, cols, Truncation::error(eps));
    ASSERT_TRUE(tt);
    EXPECT_LE(tt->relError, eps);
    EXPECT_NEAR(tt->relError, measuredError(noise, tt->reconstruct()), 1e-6);
  }
  for (int64_t budget : {32, 200, 500}) {
    Expected<TTMatrix<T>> tt =
        ttMatrix(noise, rows, cols, Truncation::params(budget));
    ASSERT_TRUE(tt) << tt.error();
    EXPECT_LE(tt->numParams(), budget);
  }
  Expected<TTMatrix<T>> capped =
      ttMatrix(noise, rows, cols, Truncation::error(0.01).withMaxRank(3));
  ASSERT_TRUE(capped);
  for (int64_t r : capped->ranks())
    EXPECT_LE(r, 3);
}

} // namespace
