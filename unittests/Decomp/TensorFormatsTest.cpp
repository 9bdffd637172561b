//===- TensorFormatsTest.cpp - CP, Tucker and tensor-train ----------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

using namespace facet::decomp;
using namespace facet::decomp::test;

namespace {

template <typename T> class TensorFormatsTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(TensorFormatsTest, Precisions);

template <typename T>
Tensor<T> randomCp(const std::vector<int64_t> &shape, int64_t rank,
                   uint64_t seed) {
  CP<T> cp;
  cp.shape = shape;
  cp.weights = Vector<T>::Ones(rank);
  for (size_t k = 0; k < shape.size(); ++k)
    cp.factors.push_back(randomMatrix<T>(shape[k], rank, seed + k));
  return cp.reconstruct();
}

template <typename T>
Tensor<T> randomTucker(const std::vector<int64_t> &shape,
                       const std::vector<int64_t> &ranks, uint64_t seed) {
  Tucker<T> t;
  t.core = randomTensor<T>(ranks, seed);
  for (size_t k = 0; k < shape.size(); ++k)
    t.factors.push_back(randomMatrix<T>(shape[k], ranks[k], seed + 1 + k));
  return t.reconstruct();
}

template <typename T>
Tensor<T> randomTrain(const std::vector<int64_t> &shape,
                      const std::vector<int64_t> &ranks, uint64_t seed) {
  TensorTrain<T> tt;
  for (size_t k = 0; k < shape.size(); ++k)
    tt.cores.push_back(
        randomTensor<T>({ranks[k], shape[k], ranks[k + 1]}, seed + k));
  return tt.reconstruct();
}

TYPED_TEST(TensorFormatsTest, CpRecoversLowRankTensors) {
  using T = TypeParam;
  Tensor<T> x = randomCp<T>({6, 7, 8}, 3, 101);
  Options options;
  options.maxIterations = 2000;
  Expected<CP<T>> cp = cpAls(x, Truncation::rank(3), options);
  ASSERT_TRUE(cp) << cp.error();
  EXPECT_LT(cp->relError, recoveryTolerance<T>()) << cp->iterations;
  EXPECT_NEAR(cp->relError, measuredError(x, cp->reconstruct()), 1e-7);
  EXPECT_EQ(cp->numParams(), 3 * (6 + 7 + 8));
  for (const RowMatrix<T> &f : cp->factors)
    for (int64_t r = 0; r < 3; ++r)
      EXPECT_NEAR(f.col(r).norm(), 1.0, 1e-5);

  // Order 4, rank above one of the dimensions (random padding columns).
  Tensor<T> y = randomCp<T>({3, 5, 4, 6}, 4, 111);
  Expected<CP<T>> cp4 = cpAls(y, Truncation::rank(4), options);
  ASSERT_TRUE(cp4);
  EXPECT_LT(cp4->relError, recoveryTolerance<T>()) << cp4->iterations;
}

TYPED_TEST(TensorFormatsTest, CpPoliciesHold) {
  using T = TypeParam;
  Tensor<T> x = randomCp<T>({5, 6, 7}, 4, 121);
  Tensor<T> noise = randomTensor<T>({5, 6, 7}, 122);
  for (int64_t i = 0; i < x.numel(); ++i)
    x.data[i] += T(0.01) * noise.data[i];
  Expected<CP<T>> byError = cpAls(x, Truncation::error(0.05));
  ASSERT_TRUE(byError) << byError.error();
  EXPECT_LE(byError->relError, 0.05);
  EXPECT_LE(byError->rank(), 4);
  EXPECT_NEAR(byError->relError, measuredError(x, byError->reconstruct()),
              1e-7);
  Expected<CP<T>> byBudget = cpAls(x, Truncation::params(60));
  ASSERT_TRUE(byBudget);
  EXPECT_EQ(byBudget->rank(), 3);
  EXPECT_LE(byBudget->numParams(), 60);
  Expected<CP<T>> capped = cpAls(x, Truncation::error(1e-4).withMaxRank(2));
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->rank(), 2);
}

TYPED_TEST(TensorFormatsTest, TuckerRecoversLowRankTensors) {
  using T = TypeParam;
  Tensor<T> x = randomTucker<T>({8, 9, 7}, {3, 4, 2}, 131);
  Expected<Tucker<T>> t = tucker(x, Truncation::ranks({3, 4, 2}));
  ASSERT_TRUE(t) << t.error();
  EXPECT_LT(t->relError, recoveryTolerance<T>());
  EXPECT_NEAR(t->relError, measuredError(x, t->reconstruct()), 1e-7);
  EXPECT_EQ(t->ranks(), (std::vector<int64_t>{3, 4, 2}));
  EXPECT_EQ(t->numParams(), 3 * 4 * 2 + 8 * 3 + 9 * 4 + 7 * 2);
  Expected<Tucker<T>> byError = tucker(x, Truncation::error(1e-3));
  ASSERT_TRUE(byError);
  EXPECT_EQ(byError->ranks(), (std::vector<int64_t>{3, 4, 2}));
  // Uniform rank: clipped where a mode is smaller.
  Tensor<T> small = randomTucker<T>({2, 9, 7}, {2, 4, 4}, 132);
  Expected<Tucker<T>> uniform = tucker(small, Truncation::rank(4));
  ASSERT_TRUE(uniform);
  EXPECT_EQ(uniform->ranks(), (std::vector<int64_t>{2, 4, 4}));
  EXPECT_LT(uniform->relError, recoveryTolerance<T>());
}

TYPED_TEST(TensorFormatsTest, TuckerPoliciesHold) {
  using T = TypeParam;
  Tensor<T> x = randomTucker<T>({10, 8, 9}, {6, 5, 6}, 141);
  Tensor<T> noise = randomTensor<T>({10, 8, 9}, 142);
  for (int64_t i = 0; i < x.numel(); ++i)
    x.data[i] += T(0.3) * noise.data[i];
  for (double eps : {0.5, 0.2, 0.08}) {
    Expected<Tucker<T>> t = tucker(x, Truncation::error(eps));
    ASSERT_TRUE(t) << t.error();
    EXPECT_LE(t->relError, eps);
    EXPECT_NEAR(t->relError, measuredError(x, t->reconstruct()), 1e-7);
  }
  for (int64_t budget : {28, 150, 400, 720}) {
    Expected<Tucker<T>> t = tucker(x, Truncation::params(budget));
    ASSERT_TRUE(t) << t.error();
    EXPECT_LE(t->numParams(), budget);
  }
  // HOOI never loses to plain HOSVD.
  Options hosvdOnly;
  hosvdOnly.maxIterations = 0;
  Expected<Tucker<T>> hosvd = tucker(x, Truncation::rank(3), hosvdOnly);
  Expected<Tucker<T>> hooi = tucker(x, Truncation::rank(3));
  ASSERT_TRUE(hosvd && hooi);
  EXPECT_EQ(hosvd->iterations, 0);
  EXPECT_LE(hooi->relError, hosvd->relError);
}

TYPED_TEST(TensorFormatsTest, TensorTrainRecoversLowRankTensors) {
  using T = TypeParam;
  std::vector<int64_t> shape = {5, 6, 7, 4};
  Tensor<T> x = randomTrain<T>(shape, {1, 3, 4, 2, 1}, 151);
  for (auto method : {SvdMethod::Exact, SvdMethod::Randomized}) {
    Options options;
    options.svd = method;
    Expected<TensorTrain<T>> tt =
        tensorTrain(x, Truncation::ranks({3, 4, 2}), options);
    ASSERT_TRUE(tt) << tt.error();
    EXPECT_LT(tt->relError, recoveryTolerance<T>());
    EXPECT_EQ(tt->ranks(), (std::vector<int64_t>{1, 3, 4, 2, 1}));
    EXPECT_EQ(tt->numParams(), 1 * 5 * 3 + 3 * 6 * 4 + 4 * 7 * 2 + 2 * 4 * 1);
    Expected<TensorTrain<T>> byError =
        tensorTrain(x, Truncation::error(1e-3), options);
    ASSERT_TRUE(byError);
    EXPECT_EQ(byError->ranks(), (std::vector<int64_t>{1, 3, 4, 2, 1}));
  }
}

TYPED_TEST(TensorFormatsTest, TensorTrainPoliciesHold) {
  using T = TypeParam;
  std::vector<int64_t> shape = {4, 5, 6, 5, 4};
  Tensor<T> x = randomTensor<T>(shape, 161);
  for (auto method : {SvdMethod::Exact, SvdMethod::Randomized}) {
    Options options;
    options.svd = method;
    for (double eps : {0.6, 0.3, 0.1, 0.01}) {
      Expected<TensorTrain<T>> tt =
          tensorTrain(x, Truncation::error(eps), options);
      ASSERT_TRUE(tt) << tt.error();
      EXPECT_LE(tt->relError, eps);
      EXPECT_NEAR(tt->relError, measuredError(x, tt->reconstruct()), 1e-7);
      Expected<TensorTrain<T>> capped =
          tensorTrain(x, Truncation::error(eps).withMaxRank(6), options);
      ASSERT_TRUE(capped);
      for (int64_t r : capped->ranks())
        EXPECT_LE(r, 6);
    }
    for (int64_t budget : {24, 100, 1000, 3000}) {
      Expected<TensorTrain<T>> tt =
          tensorTrain(x, Truncation::params(budget), options);
      ASSERT_TRUE(tt) << tt.error();
      EXPECT_LE(tt->numParams(), budget);
    }
    Expected<TensorTrain<T>> uniform =
        tensorTrain(x, Truncation::rank(5), options);
    ASSERT_TRUE(uniform);
    EXPECT_EQ(uniform->ranks(), (std::vector<int64_t>{1, 4, 5, 5, 4, 1}));
  }
}

TEST(DecompDeterminismTest, RunsAreBitIdentical) {
  RowMatrix<float> w = randomMatrix<float>(120, 90, 171);
  Tensor<float> x = randomTensor<float>({6, 7, 8}, 172);
  auto svd1 = randomizedSvd(w, Truncation::rank(12));
  auto svd2 = randomizedSvd(w, Truncation::rank(12));
  ASSERT_TRUE(svd1 && svd2);
  EXPECT_TRUE(sameBits(svd1->u.data(), svd2->u.data(), svd1->u.size()));
  EXPECT_TRUE(sameBits(svd1->v.data(), svd2->v.data(), svd1->v.size()));
  EXPECT_EQ(svd1->relError, svd2->relError);
  auto eps1 = randomizedSvd(w, Truncation::error(0.3));
  auto eps2 = randomizedSvd(w, Truncation::error(0.3));
  EXPECT_TRUE(sameBits(eps1->u.data(), eps2->u.data(), eps1->u.size()));

  Options sketch;
  sketch.svd = SvdMethod::Randomized;
  auto k1 = kroneckerSum(w, 12, 9, Truncation::rank(3), sketch);
  auto k2 = kroneckerSum(w, 12, 9, Truncation::rank(3), sketch);
  EXPECT_TRUE(sameBits(k1->a[2].data(), k2->a[2].data(), k1->a[2].size()));

  auto cp1 = cpAls(x, Truncation::rank(10)); // rank above two modes: padding
  auto cp2 = cpAls(x, Truncation::rank(10));
  ASSERT_TRUE(cp1 && cp2);
  for (size_t k = 0; k < 3; ++k)
    EXPECT_TRUE(sameBits(cp1->factors[k].data(), cp2->factors[k].data(),
                         cp1->factors[k].size()));
  auto t1 = tucker(x, Truncation::params(150));
  auto t2 = tucker(x, Truncation::params(150));
  EXPECT_TRUE(
      sameBits(t1->core.data.data(), t2->core.data.data(), t1->core.numel()));
  auto tt1 = tensorTrain(x, Truncation::error(0.2), sketch);
  auto tt2 = tensorTrain(x, Truncation::error(0.2), sketch);
  ASSERT_EQ(tt1->ranks(), tt2->ranks());
  for (size_t k = 0; k < tt1->cores.size(); ++k)
    EXPECT_TRUE(sameBits(tt1->cores[k].data.data(), tt2->cores[k].data.data(),
                         tt1->cores[k].numel()));
}

} // namespace
