//===- DecompTest.cpp - Format conventions, checked element by element ----===//
//
// Each format's reconstruct() against the definition written out as loops,
// so that the index conventions the compiler relies on (row-major, which
// factor is slower) are pinned down independently of the routines.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

using namespace facet::decomp;
using namespace facet::decomp::test;

namespace {

TEST(DecompFormatTest, TensorBasics) {
  Tensor<float> zero({2, 3, 4});
  EXPECT_EQ(zero.order(), 3);
  EXPECT_EQ(zero.numel(), 24);
  EXPECT_EQ(zero.asMatrix(6).rows(), 6);
  EXPECT_EQ(zero.asMatrix(6).cols(), 4);
  EXPECT_EQ(productOf({}), 1);
}

TEST(DecompFormatTest, CpIsSumOfOuterProducts) {
  CP<double> cp;
  cp.shape = {3, 4, 2};
  cp.weights = Vector<double>::LinSpaced(2, 1.5, 2.5);
  for (int64_t k = 0; k < 3; ++k)
    cp.factors.push_back(randomMatrix<double>(cp.shape[k], 2, 200 + k));
  Tensor<double> x = cp.reconstruct();
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t l = 0; l < 2; ++l) {
        double expected = 0;
        for (int64_t r = 0; r < 2; ++r)
          expected += cp.weights[r] * cp.factors[0](i, r) *
                      cp.factors[1](j, r) * cp.factors[2](l, r);
        EXPECT_NEAR(x.data[(i * 4 + j) * 2 + l], expected, 1e-12);
      }
  EXPECT_EQ(cp.numParams(), 2 * 9);
}

TEST(DecompFormatTest, TuckerIsCoreTimesFactors) {
  Tucker<double> t;
  t.core = randomTensor<double>({2, 3}, 210);
  t.factors = {randomMatrix<double>(4, 2, 211),
               randomMatrix<double>(5, 3, 212)};
  Tensor<double> x = t.reconstruct();
  RowMatrix<double> g = t.core.asMatrix(2);
  RowMatrix<double> expected = t.factors[0] * g * t.factors[1].transpose();
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 5; ++j)
      EXPECT_NEAR(x.data[i * 5 + j], expected(i, j), 1e-12);
  EXPECT_EQ(t.numParams(), 6 + 8 + 15);
}

TEST(DecompFormatTest, TensorTrainIsProductOfCoreSlices) {
  TensorTrain<double> tt;
  std::vector<int64_t> shape = {3, 2, 4}, ranks = {1, 2, 3, 1};
  for (int64_t k = 0; k < 3; ++k)
    tt.cores.push_back(
        randomTensor<double>({ranks[k], shape[k], ranks[k + 1]}, 220 + k));
  Tensor<double> x = tt.reconstruct();
  EXPECT_EQ(x.shape, shape);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 2; ++j)
      for (int64_t l = 0; l < 4; ++l) {
        // G1[:, i, :] · G2[:, j, :] · G3[:, l, :].
        Eigen::MatrixXd acc = Eigen::MatrixXd::Ones(1, 1);
        int64_t idx[3] = {i, j, l};
        for (int64_t k = 0; k < 3; ++k) {
          Eigen::MatrixXd slice(ranks[k], ranks[k + 1]);
          for (int64_t a = 0; a < ranks[k]; ++a)
            for (int64_t b = 0; b < ranks[k + 1]; ++b)
              slice(a, b) =
                  tt.cores[k].data[(a * shape[k] + idx[k]) * ranks[k + 1] + b];
          acc = acc * slice;
        }
        EXPECT_NEAR(x.data[(i * 2 + j) * 4 + l], acc(0, 0), 1e-12);
      }
  EXPECT_EQ(tt.ranks(), ranks);
  EXPECT_EQ(tt.numParams(), 6 + 12 + 12);
}

TEST(DecompFormatTest, TtMatrixIndexesRowsAndColumnsByFactor) {
  TTMatrix<double> tt;
  tt.rowDims = {2, 3};
  tt.colDims = {4, 2};
  std::vector<int64_t> ranks = {1, 3, 1};
  for (int64_t k = 0; k < 2; ++k)
    tt.cores.push_back(randomTensor<double>(
        {ranks[k], tt.rowDims[k], tt.colDims[k], ranks[k + 1]}, 230 + k));
  RowMatrix<double> w = tt.reconstruct();
  ASSERT_EQ(w.rows(), 6);
  ASSERT_EQ(w.cols(), 8);
  for (int64_t i0 = 0; i0 < 2; ++i0)
    for (int64_t i1 = 0; i1 < 3; ++i1)
      for (int64_t j0 = 0; j0 < 4; ++j0)
        for (int64_t j1 = 0; j1 < 2; ++j1) {
          // W[(i0, i1), (j0, j1)] = Σ_a G1[0, i0, j0, a]·G2[a, i1, j1, 0].
          double expected = 0;
          for (int64_t a = 0; a < 3; ++a)
            expected += tt.cores[0].data[(i0 * 4 + j0) * 3 + a] *
                        tt.cores[1].data[(a * 3 + i1) * 2 + j1];
          EXPECT_NEAR(w(i0 * 3 + i1, j0 * 2 + j1), expected, 1e-12);
        }
  EXPECT_EQ(tt.numParams(), 24 + 18);
}

TEST(DecompFormatTest, KroneckerTermIsBlockScaled) {
  KroneckerSum<double> k;
  k.a = {randomMatrix<double>(2, 3, 240)};
  k.b = {randomMatrix<double>(4, 5, 241)};
  RowMatrix<double> w = k.reconstruct();
  for (int64_t i = 0; i < 8; ++i)
    for (int64_t j = 0; j < 15; ++j)
      EXPECT_NEAR(w(i, j), k.a[0](i / 4, j / 5) * k.b[0](i % 4, j % 5), 1e-12);
  EXPECT_EQ(k.numParams(), 6 + 20);
}

TEST(DecompFormatTest, RelativeErrorHandlesZero) {
  std::vector<double> zero(4, 0.0), one(4, 1.0);
  EXPECT_EQ(relativeError(zero.data(), zero.data(), 4), 0.0);
  EXPECT_TRUE(std::isinf(relativeError(zero.data(), one.data(), 4)));
  EXPECT_DOUBLE_EQ(relativeError(one.data(), zero.data(), 4), 1.0);
  // A zero matrix factorizes (rank 1, zero factors) without dividing by 0.
  RowMatrix<double> w = RowMatrix<double>::Zero(5, 4);
  Expected<LowRank<double>> svd = truncatedSvd(w, Truncation::error(0.1));
  ASSERT_TRUE(svd);
  EXPECT_EQ(svd->relError, 0.0);
}

} // namespace
