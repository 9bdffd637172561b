//===- AllocationTest.cpp - Global rank allocation is optimal -------------===//

#include "facet/Rank/Allocation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

using namespace facet::rank;

namespace {

/// The optimum by enumerating every combination.
double bruteForce(const std::vector<LayerOptions> &layers, int64_t budget) {
  double best = std::numeric_limits<double>::infinity();
  std::vector<int> choice(layers.size(), 0);
  std::function<void(size_t, int64_t, double)> rec = [&](size_t l, int64_t p,
                                                         double loss) {
    if (p > budget)
      return;
    if (l == layers.size()) {
      best = std::min(best, loss);
      return;
    }
    for (const Option &o : layers[l].options)
      rec(l + 1, p + o.params, loss + layers[l].weight * o.loss);
  };
  rec(0, 0, 0);
  return best;
}

/// An SVD-like profile: rank r costs r·(m+n), loses the spectrum's tail;
/// plus the dense option (m·n, 0).
LayerOptions svdLayer(std::mt19937_64 &rng, int m, int n, bool dense) {
  std::uniform_real_distribution<double> u(0.2, 1.0);
  std::vector<double> s2;
  double v = 1;
  for (int i = 0; i < std::min(m, n); ++i) {
    v *= u(rng);
    s2.push_back(v);
  }
  double total = 0;
  for (double x : s2)
    total += x;
  LayerOptions l;
  double tail = total;
  for (int r = 1; r <= static_cast<int>(s2.size()); ++r) {
    tail -= s2[r - 1];
    l.options.push_back({int64_t(r) * (m + n), std::max(0.0, tail / total)});
  }
  if (dense)
    l.options.push_back({int64_t(m) * n, 0.0});
  return l;
}

TEST(AllocationTest, ExactMatchesBruteForce) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int> dim(2, 6), count(2, 4);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<LayerOptions> layers;
    int64_t dense = 0;
    for (int l = 0, n = count(rng); l < n; ++l) {
      int m = dim(rng), k = dim(rng);
      layers.push_back(svdLayer(rng, m, k, trial % 2 == 0));
      // Random, non-convex options too.
      if (trial % 3 == 0)
        layers.back().options.push_back(
            {int64_t(rng() % (m * k)) + 1, double(rng() % 100) / 100});
      layers.back().weight = 0.5 + double(rng() % 10) / 10;
      dense += int64_t(m) * k;
    }
    int64_t budget = minimumParams(layers) +
                     int64_t(rng() % std::max<int64_t>(1, dense));
    // units >= budget: one parameter per unit, no rounding.
    std::optional<Allocation> a = allocateExact(layers, budget, budget);
    ASSERT_TRUE(a);
    EXPECT_LE(a->params, budget);
    EXPECT_NEAR(a->loss, bruteForce(layers, budget), 1e-12);
    std::optional<Allocation> g = allocateGreedy(layers, budget);
    ASSERT_TRUE(g);
    EXPECT_LE(g->params, budget);
    EXPECT_GE(g->loss, a->loss - 1e-12);
  }
}

TEST(AllocationTest, RoundedBudgetStillHolds) {
  std::mt19937_64 rng(2);
  std::vector<LayerOptions> layers;
  for (int l = 0; l < 6; ++l)
    layers.push_back(svdLayer(rng, 60 + 7 * l, 50, true));
  for (int64_t budget : {2000, 5000, 9999}) {
    std::optional<Allocation> coarse = allocateExact(layers, budget, 100);
    std::optional<Allocation> fine = allocateExact(layers, budget, budget);
    ASSERT_TRUE(coarse && fine);
    EXPECT_LE(coarse->params, budget);
    // Coarse units lose a little optimality, never feasibility.
    EXPECT_GE(coarse->loss, fine->loss - 1e-12);
    EXPECT_LE(coarse->loss, fine->loss + 0.2);
  }
}

TEST(AllocationTest, GreedyIsOptimalOnConvexProfilesWithEqualSteps) {
  // Same (m + n) everywhere and convex losses: each greedy step is the
  // fractional-knapsack optimum, and with equal step costs it is exact.
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<LayerOptions> layers;
    for (int l = 0; l < 4; ++l)
      layers.push_back(svdLayer(rng, 8, 8, false));
    int64_t budget = 16 * (4 + int64_t(rng() % 20));
    std::optional<Allocation> a = allocateExact(layers, budget, budget);
    std::optional<Allocation> g = allocateGreedy(layers, budget);
    ASSERT_TRUE(a && g);
    EXPECT_NEAR(g->loss, a->loss, 1e-12);
  }
}

TEST(AllocationTest, ImpossibleBudget) {
  std::vector<LayerOptions> layers(2);
  layers[0].options = {{10, 1.0}, {20, 0.0}};
  layers[1].options = {{5, 1.0}};
  EXPECT_EQ(minimumParams(layers), 15);
  EXPECT_FALSE(allocateExact(layers, 14));
  EXPECT_FALSE(allocateGreedy(layers, 14));
  std::optional<Allocation> a = allocateExact(layers, 25);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->choice, (std::vector<int>{1, 0}));
}

TEST(AllocationTest, RelativeLossesDoNotStarveSmallLayers) {
  // Two layers with the same relative spectrum; one has 100x the norm. By
  // relative error both get the same rank (equal costs); by raw error the
  // small one would be cut to its minimum.
  LayerOptions big, small;
  std::vector<double> tail = {0.5, 0.25, 0.125, 0.0625, 0.0};
  for (int r = 1; r <= 5; ++r) {
    big.options.push_back({10 * r, tail[r - 1]});
    small.options.push_back({10 * r, tail[r - 1]});
  }
  std::optional<Allocation> rel = allocateExact({big, small}, 60, 60);
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->choice[0], rel->choice[1]);
  big.weight = 1e4; // raw squared error: norm² weighting
  std::optional<Allocation> raw = allocateExact({big, small}, 60, 60);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->choice[1], 0);
}

} // namespace
