//===- Network.cpp - Tensor networks and their contraction order ----------===//

#include "facet/Contraction/Network.h"

#include <Eigen/Core>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

using namespace facet::contraction;

std::string Equation::str() const {
  std::string s;
  for (size_t i = 0; i < inputs.size(); ++i)
    s += (i ? "," : "") + inputs[i];
  return s + "->" + output;
}

static bool hasRepeat(const std::string &s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (s.find(s[i], i + 1) != std::string::npos)
      return true;
  return false;
}

std::string facet::contraction::parseEquation(const std::string &text,
                                              Equation &eq) {
  eq = Equation();
  size_t arrow = text.find("->");
  if (arrow == std::string::npos || text.find("->", arrow + 1) !=
                                        std::string::npos)
    return "expected one '->' in '" + text + "'";
  std::string lhs = text.substr(0, arrow), rhs = text.substr(arrow + 2);
  size_t start = 0;
  while (true) {
    size_t comma = lhs.find(',', start);
    eq.inputs.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  eq.output = rhs;
  for (const std::string &s : eq.inputs) {
    for (char c : s)
      if (!std::isalpha(static_cast<unsigned char>(c)))
        return "'" + text + "': subscripts are letters a-z, A-Z; got '" +
               std::string(1, c) + "'";
    if (hasRepeat(s))
      return "'" + text + "': subscript '" + s +
             "' repeats an index (diagonals are not contractions)";
  }
  for (char c : eq.output)
    if (!std::isalpha(static_cast<unsigned char>(c)))
      return "'" + text + "': subscripts are letters a-z, A-Z; got '" +
             std::string(1, c) + "'";
  if (hasRepeat(eq.output))
    return "'" + text + "': the result subscript '" + eq.output +
           "' repeats an index";
  return "";
}

int64_t facet::contraction::sizeOf(
    const std::vector<std::pair<char, int64_t>> &sizes, char letter) {
  for (const auto &[c, n] : sizes)
    if (c == letter)
      return n;
  return 0;
}

std::string facet::contraction::checkEquation(
    const Equation &eq, const std::vector<std::vector<int64_t>> &shapes,
    std::vector<std::pair<char, int64_t>> &sizes) {
  sizes.clear();
  if (eq.inputs.size() != shapes.size())
    return "the equation has " + std::to_string(eq.inputs.size()) +
           " operand subscripts for " + std::to_string(shapes.size()) +
           " operands";
  for (size_t i = 0; i < shapes.size(); ++i) {
    const std::string &s = eq.inputs[i];
    if (s.size() != shapes[i].size())
      return "operand #" + std::to_string(i) + " has rank " +
             std::to_string(shapes[i].size()) + " but subscript '" + s +
             "' has " + std::to_string(s.size()) + " indices";
    for (size_t d = 0; d < s.size(); ++d) {
      int64_t n = shapes[i][d];
      if (n < 1)
        return "operand #" + std::to_string(i) + " dimension " +
               std::to_string(d) + " must be static and at least 1";
      int64_t seen = sizeOf(sizes, s[d]);
      if (seen == 0)
        sizes.emplace_back(s[d], n);
      else if (seen != n)
        return "index '" + std::string(1, s[d]) + "' has size " +
               std::to_string(seen) + " and " + std::to_string(n) +
               " (operand #" + std::to_string(i) + ")";
    }
  }
  for (char c : eq.output)
    if (sizeOf(sizes, c) == 0)
      return "result index '" + std::string(1, c) +
             "' appears in no operand";
  for (const auto &[c, n] : sizes) {
    int count = 0;
    for (const std::string &s : eq.inputs)
      count += s.find(c) != std::string::npos;
    if (count < 2 && eq.output.find(c) == std::string::npos)
      return "index '" + std::string(1, c) +
             "' appears in one operand only and not in the result";
  }
  return "";
}

std::string facet::contraction::pairResult(const std::string &a,
                                           const std::string &b,
                                           const std::string &keep) {
  std::string out;
  for (char c : a)
    if (keep.find(c) != std::string::npos)
      out += c;
  for (char c : b)
    if (keep.find(c) != std::string::npos && out.find(c) == std::string::npos)
      out += c;
  return out;
}

namespace {

using Mask = uint64_t;

int letterBit(char c) {
  return c >= 'a' && c <= 'z' ? c - 'a' : 26 + (c - 'A');
}

Mask maskOf(const std::string &s) {
  Mask m = 0;
  for (char c : s)
    m |= Mask(1) << letterBit(c);
  return m;
}

std::string lettersOf(Mask m, const std::string &order) {
  std::string out;
  for (char c : order)
    if (m & (Mask(1) << letterBit(c)))
      out += c;
  return out;
}

/// The network in bit masks: one letter mask per operand, letter sizes by
/// bit.
struct Masks {
  std::vector<Mask> operands;
  Mask output = 0;
  double size[52] = {};

  Masks(const Equation &eq,
        const std::vector<std::pair<char, int64_t>> &sizes) {
    for (const std::string &s : eq.inputs)
      operands.push_back(maskOf(s));
    output = maskOf(eq.output);
    for (int i = 0; i < 52; ++i)
      size[i] = 1;
    for (const auto &[c, n] : sizes)
      size[letterBit(c)] = static_cast<double>(n);
  }

  double volume(Mask m) const {
    double v = 1;
    for (int i = 0; m; ++i, m >>= 1)
      if (m & 1)
        v *= size[i];
    return v;
  }
};

/// Cost of contracting tensors with letters `a` and `b` into `out`:
/// `flops` (2 × multiply-adds), `traffic` (elements), and `cost` (the
/// model's, with the GEMM terms); `activation` is 1 when `a` holds the
/// run-time operand, 2 when `b` does, 0 when neither (constants only).
void stepCost(const Masks &net, Mask a, Mask b, Mask out,
              const CostModel &model, double &flops, double &traffic,
              double &cost, int activation = 0) {
  flops = 2 * net.volume(a | b);
  traffic = net.volume(a) + net.volume(b) + net.volume(out);
  cost = flops + model.memoryWeight * traffic;
  if (!activation && model.keepConstantsSmall &&
      net.volume(out) > net.volume(a) + net.volume(b))
    cost *= 1e6;
  if (!activation || (model.panelWidth <= 1 && model.halfRateK <= 0))
    return;
  double gemm = flops;
  Mask act = activation == 1 ? a : b, weight = activation == 1 ? b : a;
  Mask n = weight & ~act & out;
  double k = net.volume(a & b & ~out);
  if (model.panelWidth > 1) {
    double p = static_cast<double>(model.panelWidth);
    double nv = net.volume(n);
    gemm = gemm / nv * (std::ceil(nv / p) * p);
  }
  if (model.halfRateK > 0)
    gemm *= 1 + model.halfRateK / k;
  cost = gemm + model.memoryWeight * traffic;
}

/// Turns a binary contraction tree (split[S] = one half of S) into
/// opt_einsum steps, with the subscripts of the intermediates.
void emitSteps(const Equation &eq, const std::vector<Mask> &letters,
               const std::vector<uint32_t> &split, uint32_t set,
               std::vector<uint32_t> &items, Path &path,
               const std::string &allLetters,
               std::vector<std::string> &itemSubscripts) {
  if ((set & (set - 1)) == 0)
    return;
  uint32_t a = split[set], b = set ^ a;
  emitSteps(eq, letters, split, a, items, path, allLetters, itemSubscripts);
  emitSteps(eq, letters, split, b, items, path, allLetters, itemSubscripts);
  int ia = std::find(items.begin(), items.end(), a) - items.begin();
  int ib = std::find(items.begin(), items.end(), b) - items.begin();
  int lo = std::min(ia, ib), hi = std::max(ia, ib);
  // The side holding the activation (operand 0) leads the result.
  uint32_t first = items[lo], second = items[hi];
  std::string sf = itemSubscripts[lo], ss = itemSubscripts[hi];
  if ((second & 1) && !(first & 1))
    std::swap(sf, ss), std::swap(first, second);
  std::string res =
      pairResult(sf, ss, lettersOf(letters[set], allLetters));
  path.steps.push_back({lo, hi});
  path.intermediates.push_back(res);
  items.erase(items.begin() + hi);
  items.erase(items.begin() + lo);
  itemSubscripts.erase(itemSubscripts.begin() + hi);
  itemSubscripts.erase(itemSubscripts.begin() + lo);
  items.push_back(set);
  itemSubscripts.push_back(res);
}

std::string allLettersOf(const Equation &eq) {
  std::string all;
  for (const std::string &s : eq.inputs)
    for (char c : s)
      if (all.find(c) == std::string::npos)
        all += c;
  return all;
}

} // namespace

std::string facet::contraction::evaluateOrder(
    const Equation &eq, const std::vector<std::pair<char, int64_t>> &sizes,
    const std::vector<Step> &steps, const CostModel &model, Path &path) {
  Masks net(eq, sizes);
  path = Path();
  std::vector<Mask> items = net.operands;
  std::vector<bool> hasActivation(items.size(), false);
  std::vector<std::string> subs = eq.inputs;
  if (!hasActivation.empty())
    hasActivation[0] = true;
  if (steps.size() + 1 != eq.inputs.size())
    return "a contraction order of " + std::to_string(eq.inputs.size()) +
           " operands has " + std::to_string(eq.inputs.size() - 1) +
           " steps, not " + std::to_string(steps.size());
  for (const Step &s : steps) {
    int n = static_cast<int>(items.size());
    if (s.lhs < 0 || s.rhs < 0 || s.lhs >= n || s.rhs >= n ||
        s.lhs >= s.rhs)
      return "contraction step (" + std::to_string(s.lhs) + ", " +
             std::to_string(s.rhs) +
             ") must name two operands i < j of the " + std::to_string(n) +
             " left";
    Mask rest = net.output;
    for (int i = 0; i < n; ++i)
      if (i != s.lhs && i != s.rhs)
        rest |= items[i];
    Mask a = items[s.lhs], b = items[s.rhs];
    Mask out = (a | b) & rest;
    double f, t, cost;
    stepCost(net, a, b, out, model, f, t, cost,
             hasActivation[s.lhs] ? 1 : hasActivation[s.rhs] ? 2 : 0);
    path.flops += f;
    path.traffic += t;
    path.cost += cost;
    std::string sa = subs[s.lhs], sb = subs[s.rhs];
    if (hasActivation[s.rhs] && !hasActivation[s.lhs])
      std::swap(sa, sb);
    std::string kept = lettersOf(out, sa + sb);
    // The lowering makes a step of the activation with a constant a GEMM,
    // after transposing the activation when its contracted letters are not
    // its last ones.
    if (hasActivation[s.lhs] != hasActivation[s.rhs]) {
      GemmSplit g = splitAsGemm(sa, sb, kept);
      if (g.gemm && sa != g.freeA + g.contracted)
        path.transposed += net.volume(hasActivation[s.lhs] ? a : b);
    }
    std::string res = pairResult(sa, sb, kept);
    bool act = hasActivation[s.lhs] || hasActivation[s.rhs];
    for (int idx : {s.rhs, s.lhs}) {
      items.erase(items.begin() + idx);
      subs.erase(subs.begin() + idx);
      hasActivation.erase(hasActivation.begin() + idx);
    }
    items.push_back(out);
    subs.push_back(res);
    hasActivation.push_back(act);
    path.intermediates.push_back(res);
  }
  // And once more at the end when the result is not in the output's order.
  if (!subs.empty() && subs[0] != eq.output)
    path.transposed += net.volume(items[0]);
  path.steps = steps;
  return "";
}

GemmSplit facet::contraction::splitAsGemm(const std::string &a,
                                          const std::string &c,
                                          const std::string &keep) {
  auto has = [](const std::string &s, char l) {
    return s.find(l) != std::string::npos;
  };
  GemmSplit split;
  for (char l : a) {
    if (!has(c, l))
      split.freeA += l;
    else if (has(keep, l))
      return split; // a batch index
    else
      split.contracted += l;
  }
  for (char l : c)
    if (!has(a, l))
      split.freeB += l;
  split.gemm = !split.contracted.empty();
  return split;
}

double facet::contraction::transposedElements(
    const Equation &eq, const std::vector<std::pair<char, int64_t>> &sizes,
    const std::vector<Step> &steps) {
  Path path;
  evaluateOrder(eq, sizes, steps, CostModel(), path);
  return path.transposed;
}

Path facet::contraction::searchOrder(
    const Equation &eq, const std::vector<std::pair<char, int64_t>> &sizes,
    const CostModel &model, bool greedy) {
  Masks net(eq, sizes);
  int n = static_cast<int>(eq.inputs.size());
  Path path;
  if (n < 2)
    return path;

  if (!greedy && n <= kMaxExactOperands) {
    uint32_t full = (1u << n) - 1;
    std::vector<Mask> inSet(full + 1, 0);
    for (uint32_t s = 1; s <= full; ++s) {
      int low = __builtin_ctz(s);
      inSet[s] = inSet[s & (s - 1)] | net.operands[low];
    }
    // letters[S]: the letters of the intermediate that contracts S.
    std::vector<Mask> letters(full + 1, 0);
    for (uint32_t s = 1; s <= full; ++s)
      letters[s] = inSet[s] & (inSet[full ^ s] | net.output);
    std::vector<double> best(full + 1,
                             std::numeric_limits<double>::infinity());
    std::vector<double> bestFlops(full + 1, 0), bestTraffic(full + 1, 0);
    std::vector<uint32_t> split(full + 1, 0);
    for (int i = 0; i < n; ++i)
      best[1u << i] = 0;
    // Subsets in increasing order: both halves are smaller numbers.
    for (uint32_t s = 1; s <= full; ++s) {
      if ((s & (s - 1)) == 0)
        continue;
      uint32_t low = s & (~s + 1);
      // Halves a containing the lowest member, b = s ^ a non-empty.
      for (uint32_t a = (s - 1) & s; a; a = (a - 1) & s) {
        if (!(a & low))
          continue;
        uint32_t b = s ^ a;
        double f, t, cost;
        stepCost(net, letters[a], letters[b], letters[s], model, f, t, cost,
                 (a & 1u) ? 1 : (b & 1u) ? 2 : 0);
        double c = best[a] + best[b] + cost;
        if (c < best[s]) {
          best[s] = c;
          split[s] = a;
          bestFlops[s] = bestFlops[a] + bestFlops[b] + f;
          bestTraffic[s] = bestTraffic[a] + bestTraffic[b] + t;
        }
      }
    }
    std::vector<uint32_t> items;
    for (int i = 0; i < n; ++i)
      items.push_back(1u << i);
    std::vector<std::string> subs = eq.inputs;
    emitSteps(eq, letters, split, full, items, path, allLettersOf(eq), subs);
    path.flops = bestFlops[full];
    path.traffic = bestTraffic[full];
    path.cost = best[full];
    Path walk; // the step-by-step walk knows what the lowering transposes
    evaluateOrder(eq, sizes, path.steps, model, walk);
    path.transposed = walk.transposed;
    return path;
  }

  // Greedy: the cheapest next step, among pairs that share an index when
  // any do (outer products only when nothing else is left).
  std::vector<Mask> items = net.operands;
  std::vector<bool> act(items.size(), false);
  act[0] = true;
  std::vector<Step> steps;
  while (items.size() > 1) {
    int m = static_cast<int>(items.size());
    double bestCost = std::numeric_limits<double>::infinity();
    double bestSize = 0;
    bool bestShares = false;
    Step pick;
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j) {
        Mask rest = net.output;
        for (int k = 0; k < m; ++k)
          if (k != i && k != j)
            rest |= items[k];
        Mask out = (items[i] | items[j]) & rest;
        bool shares = (items[i] & items[j]) != 0;
        double f, t, cost;
        stepCost(net, items[i], items[j], out, model, f, t, cost,
                 act[i] ? 1 : act[j] ? 2 : 0);
        double c = cost;
        double size = net.volume(out);
        bool better = (shares && !bestShares) ||
                      (shares == bestShares &&
                       (c < bestCost || (c == bestCost && size < bestSize)));
        if (better) {
          bestCost = c, bestSize = size, bestShares = shares;
          pick = {i, j};
        }
      }
    Mask rest = net.output;
    for (int k = 0; k < m; ++k)
      if (k != pick.lhs && k != pick.rhs)
        rest |= items[k];
    Mask out = (items[pick.lhs] | items[pick.rhs]) & rest;
    bool joined = act[pick.lhs] || act[pick.rhs];
    items.erase(items.begin() + pick.rhs);
    items.erase(items.begin() + pick.lhs);
    act.erase(act.begin() + pick.rhs);
    act.erase(act.begin() + pick.lhs);
    items.push_back(out);
    act.push_back(joined);
    steps.push_back(pick);
  }
  evaluateOrder(eq, sizes, steps, model, path);
  return path;
}

//===----------------------------------------------------------------------===//
// Dense evaluation
//===----------------------------------------------------------------------===//

static std::vector<int64_t>
shapeOf(const std::string &s,
        const std::vector<std::pair<char, int64_t>> &sizes) {
  std::vector<int64_t> shape;
  for (char c : s)
    shape.push_back(sizeOf(sizes, c));
  return shape;
}

static int64_t volumeOf(const std::string &s,
                        const std::vector<std::pair<char, int64_t>> &sizes) {
  int64_t v = 1;
  for (char c : s)
    v *= sizeOf(sizes, c);
  return v;
}

std::vector<double> facet::contraction::permute(
    const std::string &from, const std::vector<double> &data,
    const std::string &to,
    const std::vector<std::pair<char, int64_t>> &sizes) {
  if (from == to)
    return data;
  std::vector<int64_t> toShape = shapeOf(to, sizes);
  // Stride in `from` of each letter of `to`.
  std::vector<int64_t> fromStrides(from.size(), 1);
  for (int i = static_cast<int>(from.size()) - 2; i >= 0; --i)
    fromStrides[i] = fromStrides[i + 1] * sizeOf(sizes, from[i + 1]);
  std::vector<int64_t> stride(to.size());
  for (size_t i = 0; i < to.size(); ++i)
    stride[i] = fromStrides[from.find(to[i])];
  std::vector<double> out(data.size());
  std::vector<int64_t> idx(to.size(), 0);
  int64_t src = 0;
  for (size_t o = 0; o < out.size(); ++o) {
    out[o] = data[src];
    for (int d = static_cast<int>(to.size()) - 1; d >= 0; --d) {
      src += stride[d];
      if (++idx[d] < toShape[d])
        break;
      src -= stride[d] * toShape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/// Sums `data` (subscript s) over the letters not in `keep`.
static std::vector<double>
sumOut(std::string &s, const std::vector<double> &data, const std::string &keep,
       const std::vector<std::pair<char, int64_t>> &sizes) {
  std::string kept, dropped;
  for (char c : s)
    (keep.find(c) != std::string::npos ? kept : dropped) += c;
  if (dropped.empty())
    return data;
  std::vector<double> p = permute(s, data, kept + dropped, sizes);
  int64_t inner = volumeOf(dropped, sizes), outer = volumeOf(kept, sizes);
  std::vector<double> out(outer, 0.0);
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t j = 0; j < inner; ++j)
      out[i] += p[i * inner + j];
  s = kept;
  return out;
}

std::vector<double> facet::contraction::contractPair(
    const std::string &saIn, const std::vector<double> &aIn,
    const std::string &sbIn, const std::vector<double> &bIn,
    const std::string &result,
    const std::vector<std::pair<char, int64_t>> &sizes) {
  std::string sa = saIn, sb = sbIn;
  // Letters that only one side has and the result drops are summed first.
  std::vector<double> a = sumOut(sa, aIn, result + sb, sizes);
  std::vector<double> b = sumOut(sb, bIn, result + sa, sizes);
  std::string batch, freeA, freeB, contracted;
  for (char c : sa) {
    bool inB = sb.find(c) != std::string::npos;
    bool inR = result.find(c) != std::string::npos;
    if (inB && inR)
      batch += c;
    else if (inB)
      contracted += c;
    else
      freeA += c;
  }
  for (char c : sb)
    if (sa.find(c) == std::string::npos)
      freeB += c;
  std::vector<double> pa = permute(sa, a, batch + freeA + contracted, sizes);
  std::vector<double> pb = permute(sb, b, batch + contracted + freeB, sizes);
  int64_t nb = volumeOf(batch, sizes), m = volumeOf(freeA, sizes),
          k = volumeOf(contracted, sizes), n = volumeOf(freeB, sizes);
  using Mat =
      Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  std::vector<double> out(nb * m * n);
  for (int64_t i = 0; i < nb; ++i) {
    Eigen::Map<const Mat> ma(pa.data() + i * m * k, m, k);
    Eigen::Map<const Mat> mb(pb.data() + i * k * n, k, n);
    Eigen::Map<Mat> mo(out.data() + i * m * n, m, n);
    mo.noalias() = ma * mb;
  }
  return permute(batch + freeA + freeB, out, result, sizes);
}

std::vector<double> facet::contraction::evaluate(
    const Equation &eq, const std::vector<std::pair<char, int64_t>> &sizes,
    const std::vector<std::vector<double>> &operands,
    const std::vector<Step> &stepsIn) {
  std::vector<Step> steps = stepsIn;
  if (steps.empty() && operands.size() > 1)
    steps = searchOrder(eq, sizes).steps;
  std::vector<std::string> subs = eq.inputs;
  std::vector<std::vector<double>> data = operands;
  for (const Step &s : steps) {
    std::string keep = eq.output;
    for (size_t i = 0; i < subs.size(); ++i)
      if (static_cast<int>(i) != s.lhs && static_cast<int>(i) != s.rhs)
        keep += subs[i];
    std::string res = pairResult(subs[s.lhs], subs[s.rhs], keep);
    std::vector<double> r =
        contractPair(subs[s.lhs], data[s.lhs], subs[s.rhs], data[s.rhs], res,
                     sizes);
    for (int idx : {s.rhs, s.lhs}) {
      subs.erase(subs.begin() + idx);
      data.erase(data.begin() + idx);
    }
    subs.push_back(res);
    data.push_back(std::move(r));
  }
  // A single operand left: sum what the result drops, then lay it out.
  std::string s = subs[0];
  std::vector<double> r = sumOut(s, data[0], eq.output, sizes);
  return permute(s, r, eq.output, sizes);
}
