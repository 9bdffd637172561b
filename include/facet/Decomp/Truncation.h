//===- Truncation.h - One truncation policy for every format ----*- C++ -*-===//
//
// Every decomposition routine takes the same `Truncation`: a rank (uniform or
// one per mode/bond), OR a relative Frobenius error ε, OR a parameter budget,
// plus an optional cap on every rank. Users of TensorLy, tntorch and t3f
// complain that each routine reads "rank" differently; here the meaning of
// each policy is fixed and documented per format in docs/Decomp.md.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_DECOMP_TRUNCATION_H
#define FACET_DECOMP_TRUNCATION_H

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace facet::decomp {

class Truncation {
public:
  enum class Kind {
    /// One rank for every mode/bond (`rank`) or one per mode/bond (`ranks`).
    Rank,
    /// The smallest result whose relative error ‖W − Ŵ‖_F/‖W‖_F ≤ ε.
    Error,
    /// The most accurate result the routine finds with at most this many
    /// parameters.
    Params,
  };

  /// Rank r: for matrices the rank, for Kronecker sums the number of terms,
  /// for CP the number of components, for Tucker the rank of every mode and
  /// for TT the rank of every bond (clipped where the shape allows less).
  static Truncation rank(int64_t r) {
    Truncation t(Kind::Rank);
    t.rankList = {r};
    return t;
  }
  /// One rank per mode (Tucker) or per bond (TT: d − 1 values).
  static Truncation ranks(std::vector<int64_t> rs) {
    Truncation t(Kind::Rank);
    t.rankList = std::move(rs);
    return t;
  }
  /// Relative Frobenius error ε, 0 < ε < 1.
  static Truncation error(double eps) {
    Truncation t(Kind::Error);
    t.eps = eps;
    return t;
  }
  /// At most `maxParams` parameters in the result (see each format's
  /// `numParams()`).
  static Truncation params(int64_t maxParams) {
    Truncation t(Kind::Params);
    t.budget = maxParams;
    return t;
  }

  /// Caps every rank the policy picks at `cap` (≥ 1). The cap wins over ε:
  /// the result then reports the error it reached, which may exceed ε.
  Truncation withMaxRank(int64_t cap) const {
    Truncation t = *this;
    t.rankCap = cap;
    return t;
  }

  Kind kind() const { return policy; }
  /// The ranks of a `Rank` policy (one value for a uniform rank).
  const std::vector<int64_t> &rankValues() const { return rankList; }
  double errorTarget() const { return eps; }
  int64_t paramBudget() const { return budget; }
  /// The rank cap, or INT64_MAX when none was given.
  int64_t maxRank() const { return rankCap; }

  /// Checks what does not depend on the shape: ranks ≥ 1, 0 < ε < 1, a
  /// positive budget and a cap ≥ 1. Returns "" when valid, else the message.
  std::string validate() const;

  /// "rank 8", "ranks [4, 8, 4]", "eps 0.01", "params 10000", with
  /// ", max rank 32" when capped; for messages and reports.
  std::string describe() const;

private:
  explicit Truncation(Kind kind) : policy(kind) {}

  Kind policy;
  std::vector<int64_t> rankList;
  double eps = 0;
  int64_t budget = 0;
  int64_t rankCap = std::numeric_limits<int64_t>::max();
};

} // namespace facet::decomp

#endif // FACET_DECOMP_TRUNCATION_H
