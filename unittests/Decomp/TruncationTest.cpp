//===- TruncationTest.cpp - Policy validation and error paths -------------===//
//
// Every bad argument must come back as an error value with a message that
// says what was wrong, never as a crash or an exception.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace facet::decomp;
using namespace facet::decomp::test;

namespace {

/// Expects an error whose message contains every one of `words`.
template <typename R>
void expectError(const Expected<R> &result,
                 std::initializer_list<const char *> words) {
  ASSERT_FALSE(result) << "expected an error";
  for (const char *word : words)
    EXPECT_NE(result.error().find(word), std::string::npos)
        << "message '" << result.error() << "' lacks '" << word << "'";
}

TEST(TruncationTest, ValidatesShapeFreeArguments) {
  EXPECT_EQ(Truncation::rank(3).validate(), "");
  EXPECT_EQ(Truncation::error(0.1).validate(), "");
  EXPECT_EQ(Truncation::params(10).validate(), "");
  EXPECT_EQ(Truncation::ranks({2, 3}).withMaxRank(4).validate(), "");

  EXPECT_NE(Truncation::rank(0).validate().find("at least 1"),
            std::string::npos);
  EXPECT_NE(Truncation::ranks({2, -1}).validate().find("at least 1"),
            std::string::npos);
  EXPECT_NE(Truncation::ranks({}).validate().find("at least one rank"),
            std::string::npos);
  for (double eps : {0.0, -0.5, 1.0, 2.0, std::nan("")})
    EXPECT_NE(Truncation::error(eps).validate().find("(0, 1)"),
              std::string::npos)
        << eps;
  EXPECT_NE(Truncation::params(0).validate().find("budget"), std::string::npos);
  EXPECT_NE(Truncation::rank(2).withMaxRank(0).validate().find("max rank"),
            std::string::npos);
}

TEST(TruncationTest, Describes) {
  EXPECT_EQ(Truncation::rank(8).describe(), "rank 8");
  EXPECT_EQ(Truncation::ranks({4, 8}).describe(), "ranks [4, 8]");
  EXPECT_EQ(Truncation::error(0.01).describe(), "eps 0.01");
  EXPECT_EQ(Truncation::params(100).withMaxRank(3).describe(),
            "params 100, max rank 3");
  EXPECT_EQ(Truncation::params(100).maxRank(),
            std::numeric_limits<int64_t>::max());
}

TEST(TruncationTest, MatrixRoutinesRejectBadPolicies) {
  RowMatrix<double> w = randomMatrix<double>(6, 4, 1);
  expectError(truncatedSvd(w, Truncation::rank(0)), {"truncatedSvd", "rank"});
  expectError(truncatedSvd(w, Truncation::rank(5)),
              {"rank 5 exceeds", "largest possible, 4"});
  expectError(truncatedSvd(w, Truncation::ranks({1, 2})), {"expects one rank"});
  expectError(truncatedSvd(w, Truncation::error(0)), {"(0, 1)"});
  expectError(truncatedSvd(w, Truncation::error(1)), {"(0, 1)"});
  expectError(truncatedSvd(w, Truncation::params(9)),
              {"budget 9", "smallest result", "10 parameters"});
  expectError(truncatedSvd(w, Truncation::rank(1).withMaxRank(0)),
              {"max rank"});
  expectError(truncatedSvd(RowMatrix<double>(0, 3), Truncation::rank(1)),
              {"empty"});

  expectError(randomizedSvd(w, Truncation::rank(7)),
              {"randomizedSvd", "exceeds"});
  Options badPower;
  badPower.powerIterations = -1;
  expectError(randomizedSvd(w, Truncation::rank(2), badPower),
              {"power iterations"});
  Options badOversampling;
  badOversampling.oversampling = -3;
  expectError(randomizedSvd(w, Truncation::rank(2), badOversampling),
              {"oversampling"});

  expectError(kroneckerSum(w, 4, 2, Truncation::rank(1)),
              {"kroneckerSum", "must divide", "6 x 4"});
  expectError(kroneckerSum(w, 0, 2, Truncation::rank(1)), {"must divide"});
  // R is 3·2 × 2·2 = 6 × 4: at most 4 terms, each 6 + 4 parameters.
  expectError(kroneckerSum(w, 3, 2, Truncation::rank(5)),
              {"number of terms 5 exceeds", "4"});
  expectError(kroneckerSum(w, 3, 2, Truncation::params(9)),
              {"smallest result", "10 parameters"});

  expectError(ttMatrix(w, {2, 3}, {2, 3}, Truncation::rank(1)),
              {"ttMatrix", "do not multiply"});
  expectError(ttMatrix(w, {2, 3}, {4}, Truncation::rank(1)),
              {"as many row as column factors"});
  expectError(ttMatrix(w, {6}, {4}, Truncation::rank(1)), {"at least 2"});
  expectError(ttMatrix(w, {-2, -3}, {2, 2}, Truncation::rank(1)),
              {"row factors must be >= 1"});
  // Cores (1, 2·2, r) and (r, 3·2, 1): bond rank at most 4; params ≥ 4 + 6.
  expectError(ttMatrix(w, {2, 3}, {2, 2}, Truncation::rank(5)),
              {"exceeds the largest bond rank", "4"});
  expectError(ttMatrix(w, {2, 3}, {2, 2}, Truncation::params(9)),
              {"smallest result", "10 parameters"});
}

TEST(TruncationTest, TensorRoutinesRejectBadPolicies) {
  Tensor<double> x = randomTensor<double>({3, 4, 5}, 2);
  Tensor<double> mismatched({3, 4, 5}, std::vector<double>(7, 1.0));
  Tensor<double> vector = randomTensor<double>({5}, 3);
  Tensor<double> zeroDim({3, 0, 2});

  expectError(cpAls(mismatched, Truncation::rank(1)),
              {"cpAls", "holds 60 elements", "has 7"});
  expectError(cpAls(vector, Truncation::rank(1)), {"order at least 2"});
  expectError(cpAls(zeroDim, Truncation::rank(1)), {"at least 1"});
  // CP rank of a 3×4×5 tensor is at most 60 / 5 = 12.
  expectError(cpAls(x, Truncation::rank(13)),
              {"rank 13 exceeds the largest CP rank", "12"});
  expectError(cpAls(x, Truncation::ranks({2, 2})), {"expects one rank"});
  expectError(cpAls(x, Truncation::params(11)),
              {"budget 11", "rank 1: 12 parameters"});
  expectError(cpAls(x, Truncation::error(1.5)), {"(0, 1)"});

  expectError(tucker(x, Truncation::ranks({2, 5, 2})),
              {"tucker", "rank 5 of mode 1 exceeds its dimension 4"});
  expectError(tucker(x, Truncation::ranks({2, 2})), {"expects 1 or 3 ranks"});
  expectError(tucker(x, Truncation::rank(6)), {"exceeds every dimension"});
  // All ranks 1: 1 + 3 + 4 + 5.
  expectError(tucker(x, Truncation::params(12)),
              {"budget 12", "13 parameters"});
  expectError(tucker(mismatched, Truncation::rank(1)), {"holds 60 elements"});

  expectError(tensorTrain(x, Truncation::ranks({2, 2, 2})),
              {"tensorTrain", "expects 1 or 2 bond ranks"});
  // Bond 2 of 3×4×5 is at most min(3·4, 5) = 5.
  expectError(tensorTrain(x, Truncation::ranks({2, 6})),
              {"rank 6 of bond 2 exceeds its largest, 5"});
  expectError(tensorTrain(x, Truncation::rank(6)),
              {"exceeds the largest bond rank", "5"});
  expectError(tensorTrain(x, Truncation::params(11)),
              {"budget 11", "12 parameters"});
  expectError(tensorTrain(vector, Truncation::rank(1)), {"order at least 2"});
  expectError(tensorTrain(x, Truncation::error(-1)), {"(0, 1)"});
}

TEST(TruncationTest, ExpectedHoldsValueOrError) {
  Expected<int> good(3);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 3);
  EXPECT_EQ(good.error(), "");
  Expected<int> bad(makeError("nope"));
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error(), "nope");
}

} // namespace
