//===- Allocation.cpp - Ranks across layers under a global budget ---------===//

#include "facet/Rank/Allocation.h"

#include <algorithm>
#include <limits>

using namespace facet::rank;

int64_t facet::rank::minimumParams(const std::vector<LayerOptions> &layers) {
  int64_t total = 0;
  for (const LayerOptions &l : layers) {
    int64_t best = std::numeric_limits<int64_t>::max();
    for (const Option &o : l.options)
      best = std::min(best, o.params);
    total += best;
  }
  return total;
}

static Allocation finish(const std::vector<LayerOptions> &layers,
                         std::vector<int> choice) {
  Allocation a;
  for (size_t l = 0; l < layers.size(); ++l) {
    const Option &o = layers[l].options[choice[l]];
    a.params += o.params;
    a.loss += layers[l].weight * o.loss;
  }
  a.choice = std::move(choice);
  return a;
}

std::optional<Allocation>
facet::rank::allocateExact(const std::vector<LayerOptions> &layers,
                           int64_t budget, int64_t units) {
  if (layers.empty())
    return Allocation();
  if (budget < minimumParams(layers))
    return std::nullopt;
  units = std::max<int64_t>(1, std::min(units, budget));
  // Every option's cost rounds up to whole units of `unit` parameters and at
  // most budget / unit units are spent, so the real total stays ≤ budget.
  int64_t unit = (budget + units - 1) / units;
  int64_t cap = budget / unit;
  const double inf = std::numeric_limits<double>::infinity();
  size_t n = layers.size();
  // best[l][b]: least loss of layers [0, l] using at most b units.
  std::vector<std::vector<double>> best(n, std::vector<double>(cap + 1, inf));
  std::vector<std::vector<int>> pick(n, std::vector<int>(cap + 1, -1));
  for (size_t l = 0; l < n; ++l) {
    const LayerOptions &layer = layers[l];
    for (size_t o = 0; o < layer.options.size(); ++o) {
      int64_t c = (layer.options[o].params + unit - 1) / unit;
      if (c > cap)
        continue;
      double loss = layer.weight * layer.options[o].loss;
      for (int64_t b = c; b <= cap; ++b) {
        double prev = l == 0 ? 0.0 : best[l - 1][b - c];
        if (prev + loss < best[l][b]) {
          best[l][b] = prev + loss;
          pick[l][b] = static_cast<int>(o);
        }
      }
    }
  }
  if (best[n - 1][cap] == inf) {
    // Rounding up made the cheapest choice miss the budget: fall back to
    // the cheapest options (they fit the real budget, checked above).
    std::vector<int> choice(n);
    for (size_t l = 0; l < n; ++l)
      choice[l] = std::min_element(layers[l].options.begin(),
                                   layers[l].options.end(),
                                   [](const Option &a, const Option &b) {
                                     return a.params < b.params;
                                   }) -
                  layers[l].options.begin();
    return finish(layers, choice);
  }
  std::vector<int> choice(n);
  int64_t b = cap;
  for (size_t l = n; l-- > 0;) {
    int o = pick[l][b];
    choice[l] = o;
    b -= (layers[l].options[o].params + unit - 1) / unit;
  }
  return finish(layers, choice);
}

std::optional<Allocation>
facet::rank::allocateGreedy(const std::vector<LayerOptions> &layers,
                            int64_t budget) {
  size_t n = layers.size();
  // Each layer's lower convex hull of (params, loss), by increasing params.
  std::vector<std::vector<int>> hull(n);
  for (size_t l = 0; l < n; ++l) {
    const std::vector<Option> &opts = layers[l].options;
    std::vector<int> idx(opts.size());
    for (size_t i = 0; i < idx.size(); ++i)
      idx[i] = static_cast<int>(i);
    std::sort(idx.begin(), idx.end(), [&](int a, int b) {
      return opts[a].params != opts[b].params ? opts[a].params < opts[b].params
                                              : opts[a].loss < opts[b].loss;
    });
    std::vector<int> h;
    for (int i : idx) {
      if (!h.empty() && opts[i].loss >= opts[h.back()].loss)
        continue; // dominated
      while (h.size() >= 2) {
        const Option &a = opts[h[h.size() - 2]], &b = opts[h.back()],
                     &c = opts[i];
        // b lies on or above the segment a-c: drop it.
        double cross = (double(b.params - a.params)) * (c.loss - a.loss) -
                       (b.loss - a.loss) * double(c.params - a.params);
        if (cross <= 0)
          h.pop_back();
        else
          break;
      }
      h.push_back(i);
    }
    hull[l] = h;
  }
  std::vector<size_t> at(n, 0);
  int64_t used = 0;
  for (size_t l = 0; l < n; ++l)
    used += layers[l].options[hull[l][0]].params;
  if (used > budget)
    return std::nullopt;
  while (true) {
    double bestRate = 0;
    int bestLayer = -1;
    for (size_t l = 0; l < n; ++l) {
      if (at[l] + 1 >= hull[l].size())
        continue;
      const Option &cur = layers[l].options[hull[l][at[l]]];
      const Option &nxt = layers[l].options[hull[l][at[l] + 1]];
      int64_t dp = nxt.params - cur.params;
      if (used + dp > budget)
        continue;
      double rate = layers[l].weight * (cur.loss - nxt.loss) /
                    std::max<double>(1.0, double(dp));
      if (rate > bestRate) {
        bestRate = rate;
        bestLayer = static_cast<int>(l);
      }
    }
    if (bestLayer < 0)
      break;
    const std::vector<int> &h = hull[bestLayer];
    used += layers[bestLayer].options[h[at[bestLayer] + 1]].params -
            layers[bestLayer].options[h[at[bestLayer]]].params;
    ++at[bestLayer];
  }
  std::vector<int> choice(n);
  for (size_t l = 0; l < n; ++l)
    choice[l] = hull[l][at[l]];
  return finish(layers, choice);
}
