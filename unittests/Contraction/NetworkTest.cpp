//===- NetworkTest.cpp - Equations, order search, dense evaluation --------===//

#include "facet/Contraction/Network.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

using namespace facet::contraction;

namespace {

using Sizes = std::vector<std::pair<char, int64_t>>;

Equation parse(const std::string &text) {
  Equation eq;
  EXPECT_EQ(parseEquation(text, eq), "") << text;
  return eq;
}

TEST(EquationTest, ParsesAndPrints) {
  Equation eq = parse("mk,kr,rn->mn");
  ASSERT_EQ(eq.inputs.size(), 3u);
  EXPECT_EQ(eq.inputs[1], "kr");
  EXPECT_EQ(eq.output, "mn");
  EXPECT_EQ(eq.str(), "mk,kr,rn->mn");
}

TEST(EquationTest, RejectsBadSyntax) {
  Equation eq;
  EXPECT_NE(parseEquation("mk,kn", eq), "");
  EXPECT_NE(parseEquation("mk,kn->mn->x", eq), "");
  EXPECT_NE(parseEquation("m1,1n->mn", eq), "");
  EXPECT_NE(parseEquation("mm,mn->mn", eq), "");
  EXPECT_NE(parseEquation("mk,kn->mm", eq), "");
}

TEST(EquationTest, ChecksShapes) {
  Sizes sizes;
  EXPECT_EQ(checkEquation(parse("mk,kn->mn"), {{2, 3}, {3, 4}}, sizes), "");
  EXPECT_EQ(sizeOf(sizes, 'k'), 3);
  EXPECT_NE(checkEquation(parse("mk,kn->mn"), {{2, 3}, {5, 4}}, sizes), "");
  EXPECT_NE(checkEquation(parse("mk,kn->mn"), {{2, 3}}, sizes), "");
  EXPECT_NE(checkEquation(parse("mk,kn->mnz"), {{2, 3}, {3, 4}}, sizes), "");
  // q is summed inside one operand only.
  EXPECT_NE(checkEquation(parse("mk,knq->mn"), {{2, 3}, {3, 4, 5}}, sizes),
            "");
}

/// Every contraction order (all binary trees over the operands) by
/// exhaustive recursion; returns the cheapest cost.
double bruteForce(const Equation &eq, const Sizes &sizes,
                  const CostModel &model) {
  double best = std::numeric_limits<double>::infinity();
  std::function<void(std::vector<Step> &, int)> rec = [&](std::vector<Step> &s,
                                                          int left) {
    if (left == 1) {
      Path p;
      EXPECT_EQ(evaluateOrder(eq, sizes, s, model, p), "");
      best = std::min(best, p.cost);
      return;
    }
    for (int i = 0; i < left; ++i)
      for (int j = i + 1; j < left; ++j) {
        s.push_back({i, j});
        rec(s, left - 1);
        s.pop_back();
      }
  };
  std::vector<Step> steps;
  rec(steps, static_cast<int>(eq.inputs.size()));
  return best;
}

/// A random connected network: a chain with extra random hyperedges, some
/// letters kept in the output.
Equation randomNetwork(std::mt19937_64 &rng, int n, Sizes &sizes) {
  std::uniform_int_distribution<int> size(1, 9);
  std::string letters = "abcdefghijklmnopqrstuvwxyz";
  Equation eq;
  eq.inputs.assign(n, "");
  int next = 0;
  sizes.clear();
  auto fresh = [&]() {
    char c = letters[next++];
    sizes.emplace_back(c, size(rng));
    return c;
  };
  // Output letters: one per operand on average.
  for (int i = 0; i < n; ++i)
    if (rng() % 2 == 0) {
      char c = fresh();
      eq.inputs[i] += c;
      eq.output += c;
    }
  // Chain bonds.
  for (int i = 0; i + 1 < n; ++i) {
    char c = fresh();
    eq.inputs[i] += c;
    eq.inputs[i + 1] += c;
  }
  // A random hyperedge over 2-3 operands.
  char h = fresh();
  for (int k = 0; k < 3; ++k) {
    int i = rng() % n;
    if (eq.inputs[i].find(h) == std::string::npos)
      eq.inputs[i] += h;
  }
  int count = 0;
  for (const std::string &s : eq.inputs)
    count += s.find(h) != std::string::npos;
  if (count < 2)
    eq.output += h;
  return eq;
}

TEST(OrderSearchTest, DynamicProgrammingIsOptimal) {
  std::mt19937_64 rng(42);
  CostModel model;
  for (int trial = 0; trial < 60; ++trial) {
    int n = 2 + trial % 5; // 2..6 operands
    Sizes sizes;
    Equation eq = randomNetwork(rng, n, sizes);
    Path dp = searchOrder(eq, sizes, model);
    double brute = bruteForce(eq, sizes, model);
    EXPECT_NEAR(dp.cost, brute, 1e-9 * brute) << eq.str();
    // The reported cost is the cost of the reported steps.
    Path check;
    ASSERT_EQ(evaluateOrder(eq, sizes, dp.steps, model, check), "");
    EXPECT_NEAR(check.cost, dp.cost, 1e-9 * dp.cost) << eq.str();
    // Greedy is a valid order, never better than the optimum.
    Path greedy = searchOrder(eq, sizes, model, /*greedy=*/true);
    EXPECT_EQ(greedy.steps.size(), eq.inputs.size() - 1);
    EXPECT_GE(greedy.cost, dp.cost * (1 - 1e-12)) << eq.str();
  }
}

TEST(OrderSearchTest, OrderFollowsTheActivationSize) {
  // y = x·U·V with an over-sized rank (48 > 64·64/128): multiplying the
  // cores first pays only once M is large.
  Equation eq = parse("mk,kr,rn->mn");
  Sizes small = {{'m', 1}, {'k', 64}, {'r', 48}, {'n', 64}};
  Sizes large = {{'m', 512}, {'k', 64}, {'r', 48}, {'n', 64}};
  Path a = searchOrder(eq, small), b = searchOrder(eq, large);
  ASSERT_EQ(a.steps.size(), 2u);
  EXPECT_EQ(a.steps[0].lhs, 0);
  EXPECT_EQ(a.steps[0].rhs, 1); // x·U first
  EXPECT_EQ(b.steps[0].lhs, 1);
  EXPECT_EQ(b.steps[0].rhs, 2); // U·V first
  EXPECT_EQ(a.flops, 2.0 * (64 * 48 + 48 * 64));
}

TEST(OrderSearchTest, RejectsBadOrders) {
  Equation eq = parse("mk,kr,rn->mn");
  Sizes sizes = {{'m', 2}, {'k', 3}, {'r', 4}, {'n', 5}};
  Path p;
  EXPECT_NE(evaluateOrder(eq, sizes, {{0, 1}}, {}, p), "");
  EXPECT_NE(evaluateOrder(eq, sizes, {{1, 0}, {0, 1}}, {}, p), "");
  EXPECT_NE(evaluateOrder(eq, sizes, {{0, 3}, {0, 1}}, {}, p), "");
}

/// einsum by brute force over all index values.
std::vector<double> naiveEinsum(const Equation &eq, const Sizes &sizes,
                                const std::vector<std::vector<double>> &ops) {
  std::string all;
  for (const std::string &s : eq.inputs)
    for (char c : s)
      if (all.find(c) == std::string::npos)
        all += c;
  auto offset = [&](const std::string &sub, const std::vector<int64_t> &v) {
    int64_t o = 0;
    for (char c : sub)
      o = o * sizeOf(sizes, c) + v[all.find(c)];
    return o;
  };
  int64_t outSize = 1;
  for (char c : eq.output)
    outSize *= sizeOf(sizes, c);
  std::vector<double> out(outSize, 0.0);
  std::vector<int64_t> v(all.size(), 0);
  while (true) {
    double prod = 1;
    for (size_t i = 0; i < ops.size(); ++i)
      prod *= ops[i][offset(eq.inputs[i], v)];
    out[offset(eq.output, v)] += prod;
    size_t d = 0;
    for (; d < all.size(); ++d) {
      if (++v[d] < sizeOf(sizes, all[d]))
        break;
      v[d] = 0;
    }
    if (d == all.size())
      break;
  }
  return out;
}

TEST(EvaluateTest, MatchesNaiveEinsumInEveryOrder) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  for (int trial = 0; trial < 30; ++trial) {
    Sizes sizes;
    Equation eq = randomNetwork(rng, 2 + trial % 3, sizes);
    std::vector<std::vector<double>> ops;
    for (const std::string &s : eq.inputs) {
      int64_t n = 1;
      for (char c : s)
        n *= sizeOf(sizes, c);
      ops.emplace_back(n);
      for (double &x : ops.back())
        x = normal(rng);
    }
    std::vector<double> want = naiveEinsum(eq, sizes, ops);
    for (bool greedy : {false, true}) {
      std::vector<Step> steps = searchOrder(eq, sizes, {}, greedy).steps;
      std::vector<double> got = evaluate(eq, sizes, ops, steps);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i)
        EXPECT_NEAR(got[i], want[i], 1e-9 * (1 + std::abs(want[i])))
            << eq.str();
    }
  }
}

TEST(EvaluateTest, PermuteAndPairResult) {
  Sizes sizes = {{'a', 2}, {'b', 3}};
  std::vector<double> x = {0, 1, 2, 3, 4, 5}; // [2, 3]
  EXPECT_EQ(permute("ab", x, "ba", sizes),
            (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(pairResult("mk", "kn", "mn"), "mn");
  EXPECT_EQ(pairResult("mabr", "br", "mar"), "mar");
}

TEST(CostModelTest, GemmTermsPadPanelsAndSlowShortReductions) {
  // x[128, 384] · W[384, N]: one step with the activation. The GEMM terms
  // change the cost, never the FLOPs (2 × multiply-adds).
  Equation eq = parse("mk,kn->mn");
  auto traffic = [](double m, double k, double n) {
    return 8.0 * (m * k + k * n + m * n);
  };
  CostModel plain, gemm;
  gemm.panelWidth = 32;
  Sizes wide = {{'m', 128}, {'k', 384}, {'n', 96}};
  Sizes odd = {{'m', 128}, {'k', 384}, {'n', 100}};
  Path a = searchOrder(eq, wide, gemm), b = searchOrder(eq, odd, gemm);
  // N = 100 is computed as 128 columns, N = 96 as 96.
  EXPECT_DOUBLE_EQ(a.cost, 2.0 * 128 * 384 * 96 + traffic(128, 384, 96));
  EXPECT_DOUBLE_EQ(b.cost, 2.0 * 128 * 384 * 128 + traffic(128, 384, 100));
  EXPECT_DOUBLE_EQ(b.flops, 2.0 * 128 * 384 * 100);
  EXPECT_DOUBLE_EQ(searchOrder(eq, odd, plain).cost,
                   2.0 * 128 * 384 * 100 + traffic(128, 384, 100));
  // A reduction of K = 16 runs at half rate with halfRateK = 16.
  CostModel slowK;
  slowK.halfRateK = 16;
  Sizes shortK = {{'m', 128}, {'k', 16}, {'n', 96}};
  EXPECT_DOUBLE_EQ(searchOrder(eq, shortK, slowK).cost,
                   2 * 2.0 * 128 * 16 * 96 + traffic(128, 16, 96));
  // Steps between constants are priced as before (they have no M).
  Equation cores = parse("mk,kr,rn->mn");
  Sizes s = {{'m', 1}, {'k', 64}, {'r', 48}, {'n', 64}};
  Path p, q;
  ASSERT_EQ(evaluateOrder(cores, s, {{1, 2}, {0, 1}}, gemm, p), "");
  ASSERT_EQ(evaluateOrder(cores, s, {{1, 2}, {0, 1}}, plain, q), "");
  // ... and x · (U·V) has N = 64, two whole panels: the same cost.
  EXPECT_DOUBLE_EQ(p.flops, q.flops);
  EXPECT_DOUBLE_EQ(p.cost, q.cost);
}

TEST(CostModelTest, TransposedElementsFollowTheLowering) {
  // Kronecker: x[m,a,b] · A[t,a,c] contracts a, which is not x's last
  // letter: x is transposed (m·a·b elements); the result [m,b,t,c] meets
  // B[t,b,d] over t and b, which are not its last letters either; the
  // result [m,c,d] is in the output's order.
  Equation eq = parse("mab,tac,tbd->mcd");
  Sizes sizes = {{'m', 4}, {'a', 2}, {'b', 3}, {'t', 5}, {'c', 6}, {'d', 7}};
  EXPECT_DOUBLE_EQ(transposedElements(eq, sizes, {{0, 1}, {0, 1}}),
                   4.0 * 2 * 3 + 4.0 * 3 * 5 * 6);
  // x · U · V needs none.
  Equation svd = parse("mk,kr,rn->mn");
  Sizes s = {{'m', 4}, {'k', 8}, {'r', 2}, {'n', 8}};
  EXPECT_DOUBLE_EQ(transposedElements(svd, s, {{0, 1}, {0, 1}}), 0.0);
  // Contracting V first leaves [m, n] from x · (U·V): none either.
  EXPECT_DOUBLE_EQ(transposedElements(svd, s, {{1, 2}, {0, 1}}), 0.0);
  // The searched path carries the count of its own order, exact or greedy.
  for (bool greedy : {false, true}) {
    Path p = searchOrder(eq, sizes, CostModel(), greedy);
    EXPECT_DOUBLE_EQ(p.transposed, transposedElements(eq, sizes, p.steps));
    EXPECT_GT(p.transposed, 0.0);
  }
}

} // namespace
