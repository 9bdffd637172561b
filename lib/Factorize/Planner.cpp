//===- Planner.cpp - Options per layer, plans, rewriting ------------------===//

#include "Attention.h"
#include "Internal.h"

#include "facet/Contraction/Network.h"
#include "facet/Decomp/Decomp.h"
#include "facet/Rank/Allocation.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Operation.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/Regex.h"

#include <Eigen/Cholesky>
#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <unistd.h>

using namespace mlir;
using namespace facet::factorize;
using namespace facet::factorize::detail;
namespace decomp = facet::decomp;
namespace contraction = facet::contraction;
using FactorFormat = facet::factor::Format;

const char *facet::factorize::formatName(Format f) {
  switch (f) {
  case Format::SVD:
    return "svd";
  case Format::Kronecker:
    return "kronecker";
  case Format::CP:
    return "cp";
  case Format::Tucker:
    return "tucker";
  case Format::TT:
    return "tt";
  case Format::Auto:
    return "auto";
  case Format::AttnLowRank:
    return "attn-lowrank";
  case Format::AttnTucker:
    return "attn-tucker";
  }
  return "?";
}

bool facet::factorize::parseAttentionFormat(StringRef text, Format &f) {
  if (text == "lowrank")
    f = Format::AttnLowRank;
  else if (text == "tucker")
    f = Format::AttnTucker;
  else if (text == "auto")
    f = Format::Auto;
  else
    return false;
  return true;
}

bool facet::factorize::parseFormat(StringRef text, Format &f) {
  for (Format c : {Format::SVD, Format::Kronecker, Format::CP, Format::Tucker,
                   Format::TT, Format::Auto})
    if (text == formatName(c)) {
      f = c;
      return true;
    }
  return false;
}

static const char *policyName(Policy p) {
  switch (p) {
  case Policy::Rank:
    return "rank";
  case Policy::Energy:
    return "energy";
  case Policy::Error:
    return "error";
  case Policy::Keep:
    return "keep";
  case Policy::Fidelity:
    return "fidelity";
  }
  return "?";
}

namespace {

using RowMatrixF = decomp::RowMatrix<float>;
using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;

/// FLOP-equivalents per activation element the lowering transposes between
/// GEMM steps, when the GEMM terms are on: a permuted copy whose innermost
/// dimension changes is strided scalar work (measured ~1.3 ns per element
/// for a [128,16,9,48] -> [128,48,16,9] copy, about 150 FLOPs of the GEMM's
/// rate; 64 is the middle of what 3- and 4-D copies cost).
constexpr double kTransposeWeight = 64.0;

struct NetworkCost {
  double cost = 0, flops = 0;
};

/// Cost of x[M, inDims] through the cores, at M rows.
NetworkCost networkCost(int64_t m, const std::string &inSub,
                        const std::vector<int64_t> &inDims,
                        const std::vector<std::string> &coreSubs,
                        const std::vector<SmallVector<int64_t>> &coreShapes,
                        const std::string &outSub,
                        const contraction::CostModel &model) {
  contraction::Equation eq;
  eq.inputs.push_back("m" + inSub);
  eq.inputs.insert(eq.inputs.end(), coreSubs.begin(), coreSubs.end());
  eq.output = "m" + outSub;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<int64_t> x = {m};
  x.insert(x.end(), inDims.begin(), inDims.end());
  shapes.push_back(x);
  for (const auto &s : coreShapes)
    shapes.emplace_back(s.begin(), s.end());
  std::vector<std::pair<char, int64_t>> sizes;
  std::string err = contraction::checkEquation(eq, shapes, sizes);
  (void)err;
  contraction::Path p = contraction::searchOrder(eq, sizes, model);
  double cost = p.cost;
  if (model.panelWidth > 1 || model.halfRateK > 0)
    cost += kTransposeWeight * p.transposed;
  return {cost, p.flops};
}

/// The dense layer x[M, K] · W[K, N] under the same model: one step.
NetworkCost denseCost(int64_t m, int64_t k, int64_t n,
                      const contraction::CostModel &model) {
  return networkCost(m, "k", {k}, {"kn"}, {{k, n}}, "n", model);
}

/// The largest divisor of n that is at most sqrt(n)·(n's share).
int64_t balancedDivisor(int64_t n, double root) {
  int64_t target =
      static_cast<int64_t>(std::floor(std::pow(double(n), root) + 1e-9));
  for (int64_t d = std::max<int64_t>(1, target); d >= 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

std::vector<int64_t> split2(int64_t n) {
  int64_t a = balancedDivisor(n, 0.5);
  return {a, n / a};
}

std::vector<int64_t> split3(int64_t n) {
  int64_t a = balancedDivisor(n, 1.0 / 3);
  std::vector<int64_t> rest = split2(n / a);
  return {a, rest[0], rest[1]};
}

bool nontrivial(const std::vector<int64_t> &dims) {
  for (int64_t d : dims)
    if (d < 2)
      return false;
  return true;
}

/// Rows padded up to a product of three near-equal factors (embeddings).
std::vector<int64_t> paddedSplit3(int64_t rows) {
  int64_t c = static_cast<int64_t>(std::ceil(std::cbrt(double(rows))));
  std::vector<int64_t> best;
  int64_t bestProduct = INT64_MAX;
  for (int64_t a = std::max<int64_t>(2, c - 4); a <= c + 4; ++a)
    for (int64_t b = std::max<int64_t>(2, c - 4); b <= c + 4; ++b) {
      int64_t last = (rows + a * b - 1) / (a * b);
      if (last < 2)
        continue;
      // Least padding first, then the most balanced split.
      int64_t product = a * b * last;
      int64_t widest = std::max({a, b, last});
      if (product < bestProduct ||
          (product == bestProduct && widest < std::max({best[0], best[1],
                                                        best[2]}))) {
        bestProduct = product;
        best = {a, b, last};
      }
    }
  return best;
}

/// One way to store a layer.
struct Candidate {
  Format format = Format::SVD;
  bool dense = false;
  bool accepted = true; ///< cheaper than dense at the compiled shapes
  bool belowFloor = false; ///< rank under Options::minRank (budgets skip it)
  std::vector<int64_t> ranks;
  int64_t params = 0;
  double loss = 0;      ///< allocation objective: ε² (activation-weighted)
  double error = -1;    ///< plain ε when known before building
  NetworkCost cost;
  int svdRank = 0;      ///< SVD and Kronecker: terms kept
  int built = -1;       ///< index into LayerState::networks
  int attnOption = -1;  ///< attention: index into LayerState::attnCandidates
};

struct LayerState {
  Layer layer;
  std::vector<float> w; ///< [K, N]
  double normSq = 0;
  // The SVD (of W, or of LᵀW when whitened), kept up to `svdKept` columns.
  bool haveSvd = false;
  RowMatrixF u, v; ///< K × R, N × R
  std::vector<double> s;
  std::vector<double> spectrum;
  double svdNormSq = 0; ///< ‖W‖² or ‖LᵀW‖²
  bool whitened = false;
  MatrixD chol; ///< L, G + λI = LLᵀ, when calibrated
  // Kronecker: all terms of the chosen split.
  std::vector<int64_t> kIn, kOut;
  std::vector<RowMatrixF> kronA, kronB;
  std::vector<double> kronSpectrum;
  double kronNormSq = 0;
  std::vector<CoreNetwork> networks;
  std::vector<Candidate> candidates;
  NetworkCost dense;
  LayerPlan plan;
  double seconds = 0;
  // Attention layers (Attention.h).
  facet::factorize::detail::AttentionAnalysisPtr attention;
  std::vector<facet::factorize::detail::AttentionCandidate> attnCandidates;
};

CoreNetwork svdNetwork(const LayerState &st, int r) {
  CoreNetwork net;
  net.format = FactorFormat::svd;
  net.ranks = {r};
  net.inDims = {st.layer.k};
  net.outDims = {st.layer.n};
  net.inSub = "k";
  net.outSub = "n";
  net.coreSubs = {"kr", "rn"};
  int64_t k = st.layer.k, n = st.layer.n;
  MatrixD us(k, r);
  for (int64_t i = 0; i < k; ++i)
    for (int j = 0; j < r; ++j)
      us(i, j) = double(st.u(i, j)) * st.s[j];
  if (st.whitened)
    us = st.chol.transpose().triangularView<Eigen::Upper>().solve(us);
  std::vector<float> a(k * r), b(r * n);
  for (int64_t i = 0; i < k; ++i)
    for (int j = 0; j < r; ++j)
      a[i * r + j] = static_cast<float>(us(i, j));
  for (int j = 0; j < r; ++j)
    for (int64_t i = 0; i < n; ++i)
      b[j * n + i] = st.v(i, j);
  net.cores = {std::move(a), std::move(b)};
  net.coreShapes = {{k, r}, {r, n}};
  return net;
}

CoreNetwork kroneckerNetwork(const LayerState &st, int terms) {
  CoreNetwork net;
  net.format = FactorFormat::kronecker;
  net.ranks = {terms};
  net.inDims = st.kIn;
  net.outDims = st.kOut;
  net.inSub = "ab";
  net.outSub = "cd";
  net.coreSubs = {"tac", "tbd"};
  int64_t k1 = st.kIn[0], k2 = st.kIn[1], n1 = st.kOut[0], n2 = st.kOut[1];
  std::vector<float> a(terms * k1 * n1), b(terms * k2 * n2);
  for (int t = 0; t < terms; ++t) {
    for (int64_t i = 0; i < k1; ++i)
      for (int64_t j = 0; j < n1; ++j)
        a[(t * k1 + i) * n1 + j] = st.kronA[t](i, j);
    for (int64_t i = 0; i < k2; ++i)
      for (int64_t j = 0; j < n2; ++j)
        b[(t * k2 + i) * n2 + j] = st.kronB[t](i, j);
  }
  net.cores = {std::move(a), std::move(b)};
  net.coreShapes = {{terms, k1, n1}, {terms, k2, n2}};
  return net;
}

CoreNetwork ttNetwork(const decomp::TTMatrix<float> &tt) {
  CoreNetwork net;
  net.format = FactorFormat::tt;
  std::vector<int64_t> r = tt.ranks();
  net.ranks.assign(r.begin() + 1, r.end() - 1);
  net.inDims = tt.rowDims;
  net.outDims = tt.colDims;
  net.inSub = "abc";
  net.outSub = "def";
  net.coreSubs = {"adu", "ubev", "vcf"};
  for (size_t k = 0; k < 3; ++k) {
    const decomp::Tensor<float> &c = tt.cores[k];
    net.cores.push_back(c.data);
    SmallVector<int64_t> shape(c.shape.begin(), c.shape.end());
    if (k == 0)
      shape.erase(shape.begin()); // r_0 = 1
    if (k == 2)
      shape.pop_back(); // r_3 = 1
    net.coreShapes.push_back(shape);
  }
  net.error = tt.relError;
  return net;
}

CoreNetwork tuckerNetwork(const decomp::Tucker<float> &t,
                          const std::vector<int64_t> &kIn,
                          const std::vector<int64_t> &kOut) {
  CoreNetwork net;
  net.format = FactorFormat::tucker;
  net.ranks = t.ranks();
  net.inDims = kIn;
  net.outDims = kOut;
  net.inSub = "ab";
  net.outSub = "cd";
  net.coreSubs = {"ap", "bq", "pqst", "cs", "dt"};
  auto mat = [](const RowMatrixF &m) {
    return std::vector<float>(m.data(), m.data() + m.size());
  };
  net.cores = {mat(t.factors[0]), mat(t.factors[1]), t.core.data,
               mat(t.factors[2]), mat(t.factors[3])};
  std::vector<int64_t> r = t.ranks();
  net.coreShapes = {{kIn[0], r[0]},  {kIn[1], r[1]},  {r[0], r[1], r[2], r[3]},
                    {kOut[0], r[2]}, {kOut[1], r[3]}};
  net.error = t.relError;
  return net;
}

CoreNetwork cpNetwork(const decomp::CP<float> &cp,
                      const std::vector<int64_t> &kIn,
                      const std::vector<int64_t> &kOut) {
  CoreNetwork net;
  net.format = FactorFormat::cp;
  int64_t r = cp.rank();
  net.ranks = {r};
  net.inDims = kIn;
  net.outDims = kOut;
  net.inSub = "ab";
  net.outSub = "cd";
  net.coreSubs = {"ar", "br", "cr", "dr"};
  for (int k = 0; k < 4; ++k) {
    RowMatrixF f = cp.factors[k];
    if (k == 0)
      for (int64_t j = 0; j < r; ++j)
        f.col(j) *= cp.weights[j]; // λ folds into the first factor
    net.cores.emplace_back(f.data(), f.data() + f.size());
    net.coreShapes.push_back({f.rows(), r});
  }
  net.error = cp.relError;
  return net;
}

/// TT-matrix of an embedding table [rows, D], rows padded to row_dims.
CoreNetwork ttEmbeddingNetwork(const decomp::TTMatrix<float> &tt) {
  CoreNetwork net;
  net.format = FactorFormat::tt;
  net.ranks = tt.ranks();
  net.inDims = tt.rowDims;
  net.outDims = tt.colDims;
  for (const auto &c : tt.cores) {
    net.cores.push_back(c.data);
    net.coreShapes.emplace_back(c.shape.begin(), c.shape.end());
  }
  net.error = tt.relError;
  return net;
}

NetworkCost costOf(const CoreNetwork &net, int64_t m,
                   const contraction::CostModel &model) {
  std::vector<SmallVector<int64_t>> shapes = net.coreShapes;
  return networkCost(m, net.inSub, net.inDims, net.coreSubs, shapes,
                     net.outSub, model);
}

/// The planner's cost model: the contraction-order search's, with the
/// target's GEMM terms when facet-compile knows the target.
contraction::CostModel costModelOf(const Options &o) {
  contraction::CostModel model;
  model.memoryWeight = kMemoryWeight;
  model.panelWidth = o.panelWidth;
  model.halfRateK = o.halfRateK;
  return model;
}

std::string fmtShape(const Layer &l) {
  return std::to_string(l.k) + "x" + std::to_string(l.n);
}

} // namespace

struct Planner::Impl {
  Options options;
  contraction::CostModel costModel; ///< costModelOf(options)
  const Calibration *calibration = nullptr;
  std::vector<LayerState> layers;
  Report report;
  bool analyzed = false;

  LogicalResult analyzeLayer(LayerState &st, std::string &error);
  LogicalResult addSvd(LayerState &st, std::string &error);
  LogicalResult addKronecker(LayerState &st, std::string &error);
  LogicalResult addTensorFormats(LayerState &st, Format f,
                                 std::string &error);
  LogicalResult addEmbedding(LayerState &st, std::string &error);
  LogicalResult addAttention(LayerState &st, std::string &error);
  void addBuilt(LayerState &st, Format f, CoreNetwork net, double loss);
  /// Whether a candidate counts: smaller and cheaper (by the cost guard's
  /// ratio) than the dense layer, or anything under accept-all.
  bool accepts(const Candidate &c, const LayerState &st) const {
    return options.acceptAll ||
           (c.params < st.layer.denseParams() &&
            (st.layer.kind == Layer::Embedding ||
             c.cost.cost <= options.maxCostRatio * st.dense.cost));
  }
};

Planner::Planner(std::vector<Layer> layers, const Options &options,
                 const Calibration *calibration)
    : impl(std::make_unique<Impl>()) {
  impl->options = options;
  impl->costModel = costModelOf(options);
  impl->calibration = calibration;
  for (Layer &l : layers) {
    LayerState st;
    st.layer = l;
    impl->layers.push_back(std::move(st));
  }
  impl->report.format = formatName(options.format);
  impl->report.policy = policyName(options.policy);
  impl->report.policyValue = options.value;
  impl->report.rankMultiple = options.rankMultiple;
  impl->report.calibrated = calibration != nullptr;
}

Planner::~Planner() = default;
const Report &Planner::report() const { return impl->report; }
Report &Planner::report() { return impl->report; }

void Planner::Impl::addBuilt(LayerState &st, Format f, CoreNetwork net,
                             double loss) {
  Candidate c;
  c.format = f;
  c.ranks = net.ranks;
  c.params = net.numParams();
  c.loss = loss;
  c.error = net.error;
  c.cost = st.layer.kind == Layer::Embedding ? NetworkCost{}
                                             : costOf(net, st.layer.m, costModel);
  c.accepted = accepts(c, st);
  c.built = static_cast<int>(st.networks.size());
  st.networks.push_back(std::move(net));
  st.candidates.push_back(c);
}

LogicalResult Planner::Impl::addSvd(LayerState &st, std::string &error) {
  const Layer &l = st.layer;
  int64_t k = l.k, n = l.n, full = std::min(k, n);
  Eigen::Map<const RowMatrixF> w(st.w.data(), k, n);
  RowMatrixF a = w;
  if (calibration) {
    auto it = calibration->find(l.name);
    if (it == calibration->end() || it->second.k != k) {
      error = "layer '" + l.name + "': no calibration statistics of size " +
              std::to_string(k);
      return failure();
    }
    Eigen::Map<const MatrixD> g(it->second.data.data(), k, k);
    double trace = g.trace() / double(k);
    // SVD-LLM whitening: G + λI = LLᵀ, factor LᵀW, un-whiten by L⁻ᵀ.
    for (double lambda = 1e-6; lambda < 1; lambda *= 100) {
      MatrixD reg = g;
      reg.diagonal().array() += lambda * trace + 1e-12;
      Eigen::LLT<MatrixD> llt(reg);
      if (llt.info() == Eigen::Success) {
        st.chol = llt.matrixL();
        st.whitened = true;
        break;
      }
    }
    if (!st.whitened) {
      error = "layer '" + l.name +
              "': the calibration Gram matrix is not positive definite";
      return failure();
    }
    MatrixD wd = w.cast<double>();
    a = (st.chol.transpose() * wd).cast<float>();
  }
  // The break-even rank bounds what is worth keeping.
  int64_t keep = full;
  if (options.policy != Policy::Rank)
    keep = std::min<int64_t>(full, (k * n) / (k + n) + 1);
  else
    keep = std::min<int64_t>(full, static_cast<int64_t>(options.value));
  decomp::Truncation trunc = decomp::Truncation::rank(std::max<int64_t>(1, keep));
  decomp::Expected<decomp::LowRank<float>> svd =
      full > 2048 ? decomp::randomizedSvd(a, trunc) : decomp::truncatedSvd(a, trunc);
  if (!svd) {
    error = "layer '" + l.name + "': " + svd.error();
    return failure();
  }
  st.u = svd->u;
  st.v = svd->v;
  st.s.assign(svd->s.data(), svd->s.data() + svd->s.size());
  st.spectrum = svd->singularValues;
  st.svdNormSq = 0;
  for (int64_t i = 0; i < a.size(); ++i)
    st.svdNormSq += double(a.data()[i]) * a.data()[i];
  st.haveSvd = true;
  // One candidate per rank: params r(K+N), loss = discarded energy share.
  double kept = 0;
  int64_t multiple =
      options.policy == Policy::Rank ? 1 : std::max<int64_t>(1, options.rankMultiple);
  for (int64_t r = 1; r <= static_cast<int64_t>(st.s.size()); ++r) {
    kept += st.s[r - 1] * st.s[r - 1];
    if (r % multiple != 0)
      continue; // a rank the GEMMs would pad to the next panel
    Candidate c;
    c.format = Format::SVD;
    c.ranks = {r};
    c.svdRank = static_cast<int>(r);
    c.params = r * (k + n);
    c.loss = std::max(0.0, st.svdNormSq - kept) / std::max(st.svdNormSq, 1e-300);
    if (!st.whitened)
      c.error = std::sqrt(c.loss);
    c.cost = networkCost(l.m, "k", {k}, {"kr", "rn"}, {{k, r}, {r, n}}, "n",
                         costModel);
    c.accepted = accepts(c, st);
    c.belowFloor = r < std::min<int64_t>(options.minRank, full);
    st.candidates.push_back(c);
  }
  return success();
}

/// A budget's TT rank ladder for a TT-matrix with these row and column
/// modes: the rungs up to the largest bond rank, which ends it (larger
/// ranks are the same train, and the decomposition refuses them).
static std::vector<decomp::Truncation>
ttRankLadder(std::initializer_list<int64_t> rungs,
             const std::vector<int64_t> &rows,
             const std::vector<int64_t> &cols) {
  std::vector<int64_t> modes;
  for (size_t i = 0; i < rows.size() && i < cols.size(); ++i)
    modes.push_back(rows[i] * cols[i]);
  int64_t bound = decomp::largestBondRank(modes);
  std::vector<decomp::Truncation> ladder;
  for (int64_t r : rungs) {
    ladder.push_back(decomp::Truncation::rank(std::min(r, bound)));
    if (r >= bound)
      break;
  }
  return ladder;
}

LogicalResult Planner::Impl::addKronecker(LayerState &st, std::string &error) {
  const Layer &l = st.layer;
  st.kIn = split2(l.k);
  st.kOut = split2(l.n);
  if (!nontrivial(st.kIn) || !nontrivial(st.kOut))
    return success(); // no useful split (a prime dimension)
  Eigen::Map<const RowMatrixF> w(st.w.data(), l.k, l.n);
  int64_t maxTerms = std::min(st.kIn[0] * st.kOut[0], st.kIn[1] * st.kOut[1]);
  int64_t limit = options.policy == Policy::Rank
                      ? static_cast<int64_t>(options.value)
                      : maxTerms;
  if (limit > maxTerms) {
    error = "--rank=" + std::to_string(limit) + ": layer '" + l.name + "' (" +
            fmtShape(l) + ", Kronecker factors " + std::to_string(st.kIn[0]) +
            "x" + std::to_string(st.kOut[0]) + " and " +
            std::to_string(st.kIn[1]) + "x" + std::to_string(st.kOut[1]) +
            ") has at most " + std::to_string(maxTerms) + " terms";
    return failure();
  }
  decomp::Expected<decomp::KroneckerSum<float>> ks = decomp::kroneckerSum(
      RowMatrixF(w), st.kIn[0], st.kOut[0], decomp::Truncation::rank(limit));
  if (!ks) {
    error = "layer '" + l.name + "': " + ks.error();
    return failure();
  }
  st.kronA = ks->a;
  st.kronB = ks->b;
  st.kronSpectrum = ks->singularValues;
  double total = 0;
  for (double s : ks->singularValues)
    total += s * s;
  double kept = 0;
  for (int64_t t = 1; t <= ks->numTerms(); ++t) {
    kept += ks->singularValues[t - 1] * ks->singularValues[t - 1];
    Candidate c;
    c.format = Format::Kronecker;
    c.ranks = {t};
    c.svdRank = static_cast<int>(t);
    c.params = t * (st.kIn[0] * st.kOut[0] + st.kIn[1] * st.kOut[1]);
    c.loss = std::max(0.0, total - kept) / std::max(total, 1e-300);
    c.error = std::sqrt(c.loss);
    int64_t ti = t;
    c.cost = networkCost(l.m, "ab", st.kIn, {"tac", "tbd"},
                         {{ti, st.kIn[0], st.kOut[0]},
                          {ti, st.kIn[1], st.kOut[1]}},
                         "cd", costModel);
    c.accepted = accepts(c, st);
    c.belowFloor = t < std::min<int64_t>(options.minRank, maxTerms);
    st.candidates.push_back(c);
  }
  return success();
}

LogicalResult Planner::Impl::addTensorFormats(LayerState &st, Format f,
                                              std::string &error) {
  const Layer &l = st.layer;
  Eigen::Map<const RowMatrixF> w(st.w.data(), l.k, l.n);
  double total = double(l.k) * double(l.n);
  decomp::Options dopts;
  std::vector<decomp::Truncation> truncs;
  std::vector<int64_t> kIn, kOut;
  if (f == Format::TT) {
    kIn = split3(l.k);
    kOut = split3(l.n);
  } else {
    kIn = split2(l.k);
    kOut = split2(l.n);
  }
  if (!nontrivial(kIn) || !nontrivial(kOut))
    return success();
  std::vector<int64_t> dims = {kIn[0], kIn[1], kOut[0], kOut[1]};
  int64_t dimSum = dims[0] + dims[1] + dims[2] + dims[3];
  switch (options.policy) {
  case Policy::Rank:
    truncs.push_back(decomp::Truncation::rank(static_cast<int64_t>(options.value)));
    break;
  case Policy::Error:
    truncs.push_back(decomp::Truncation::error(options.value));
    break;
  case Policy::Energy:
    truncs.push_back(decomp::Truncation::error(
        std::max(1e-6, std::sqrt(std::max(0.0, 1 - options.value)))));
    break;
  default:
    // A ladder of sizes for the budget allocation.
    if (f == Format::TT) {
      truncs = ttRankLadder({2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128}, kIn,
                            kOut);
    } else if (f == Format::Tucker) {
      for (double frac : {0.125, 0.25, 0.375, 0.5, 0.625, 0.75}) {
        std::vector<int64_t> r;
        for (int64_t d : dims)
          r.push_back(std::max<int64_t>(1, static_cast<int64_t>(
                                               std::ceil(frac * double(d)))));
        truncs.push_back(decomp::Truncation::ranks(r));
      }
    } else {
      double full = total / double(dimSum);
      for (double frac : {1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4})
        truncs.push_back(decomp::Truncation::rank(
            std::max<int64_t>(1, static_cast<int64_t>(frac * full))));
    }
  }
  for (const decomp::Truncation &t : truncs) {
    if (f == Format::TT) {
      decomp::Expected<decomp::TTMatrix<float>> tt =
          decomp::ttMatrix(RowMatrixF(w), kIn, kOut, t);
      if (!tt) {
        error = "layer '" + l.name + "' (" + fmtShape(l) + "): " + tt.error();
        return failure();
      }
      if (tt->numParams() >= l.k * l.n && options.policy != Policy::Rank)
        break; // the ladder only grows from here
      CoreNetwork net = ttNetwork(*tt);
      addBuilt(st, f, std::move(net), tt->relError * tt->relError);
      continue;
    }
    decomp::Tensor<float> x(dims, st.w);
    if (f == Format::Tucker) {
      dopts.maxIterations = 10;
      decomp::Expected<decomp::Tucker<float>> t4 = decomp::tucker(x, t, dopts);
      if (!t4) {
        error = "layer '" + l.name + "' (" + fmtShape(l) + "): " + t4.error();
        return failure();
      }
      addBuilt(st, f, tuckerNetwork(*t4, kIn, kOut),
               t4->relError * t4->relError);
    } else {
      dopts.maxIterations = 25;
      decomp::Expected<decomp::CP<float>> cp = decomp::cpAls(x, t, dopts);
      if (!cp) {
        error = "layer '" + l.name + "' (" + fmtShape(l) + "): " + cp.error();
        return failure();
      }
      addBuilt(st, f, cpNetwork(*cp, kIn, kOut), cp->relError * cp->relError);
    }
  }
  return success();
}

LogicalResult Planner::Impl::addEmbedding(LayerState &st, std::string &error) {
  const Layer &l = st.layer;
  std::vector<int64_t> rowDims = paddedSplit3(l.k), colDims = split3(l.n);
  if (rowDims.empty() || !nontrivial(colDims))
    return success();
  int64_t padded = rowDims[0] * rowDims[1] * rowDims[2];
  RowMatrixF w = RowMatrixF::Zero(padded, l.n);
  w.topRows(l.k) = Eigen::Map<const RowMatrixF>(st.w.data(), l.k, l.n);
  std::vector<decomp::Truncation> truncs;
  switch (options.policy) {
  case Policy::Rank:
    truncs.push_back(decomp::Truncation::rank(static_cast<int64_t>(options.value)));
    break;
  case Policy::Error:
    truncs.push_back(decomp::Truncation::error(options.value));
    break;
  case Policy::Energy:
    truncs.push_back(decomp::Truncation::error(
        std::max(1e-6, std::sqrt(std::max(0.0, 1 - options.value)))));
    break;
  default:
    truncs = ttRankLadder({4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256},
                          rowDims, colDims);
  }
  decomp::Options dopts;
  dopts.svd = padded * l.n > (1 << 22) ? decomp::SvdMethod::Randomized
                                        : decomp::SvdMethod::Exact;
  for (const decomp::Truncation &t : truncs) {
    decomp::Expected<decomp::TTMatrix<float>> tt =
        decomp::ttMatrix(w, rowDims, colDims, t, dopts);
    if (!tt) {
      error = "embedding '" + l.name + "' (" + fmtShape(l) + "): " + tt.error();
      return failure();
    }
    if (tt->numParams() >= l.k * l.n && options.policy != Policy::Rank)
      break;
    addBuilt(st, Format::TT, ttEmbeddingNetwork(*tt),
             tt->relError * tt->relError);
  }
  return success();
}

LogicalResult Planner::Impl::addAttention(LayerState &st, std::string &error) {
  int64_t rank = options.policy == Policy::Rank
                     ? static_cast<int64_t>(options.value)
                     : 0;
  double flops = 0, cost = 0;
  if (failed(detail::analyzeAttention(st.layer, *options.attention, rank,
                                      st.attention, st.attnCandidates, flops,
                                      cost, error)))
    return failure();
  st.dense = {cost, flops};
  for (size_t i = 0; i < st.attnCandidates.size(); ++i) {
    const detail::AttentionCandidate &a = st.attnCandidates[i];
    Candidate c;
    c.format = a.format;
    c.ranks = a.ranks;
    c.params = a.params;
    c.loss = a.loss;
    c.error = a.error;
    c.cost = {a.cost, a.flops};
    c.accepted = accepts(c, st);
    c.belowFloor = *std::min_element(a.ranks.begin(), a.ranks.end()) <
                   std::min<int64_t>(options.minRank, st.layer.n);
    c.attnOption = static_cast<int>(i);
    st.candidates.push_back(c);
  }
  return success();
}

LogicalResult Planner::Impl::analyzeLayer(LayerState &st, std::string &error) {
  const Layer &l = st.layer;
  if (l.kind == Layer::Attention)
    return addAttention(st, error);
  st.w = readWeight(l);
  if (st.w.empty()) {
    error = "layer '" + l.name + "': cannot read its constant weight";
    return failure();
  }
  st.normSq = 0;
  for (float x : st.w)
    st.normSq += double(x) * x;
  st.dense = l.kind == Layer::Embedding ? NetworkCost{}
                                        : denseCost(l.m, l.k, l.n, costModel);
  if (l.kind == Layer::Embedding)
    return addEmbedding(st, error);
  if (options.policy == Policy::Rank && options.format == Format::SVD &&
      options.value > std::min(l.k, l.n)) {
    error = "--rank=" + std::to_string(static_cast<int64_t>(options.value)) +
            ": larger than layer '" + l.name + "' (" + fmtShape(l) +
            ") allows (at most " + std::to_string(std::min(l.k, l.n)) + ")";
    return failure();
  }
  Format f = options.format;
  if (f == Format::SVD || f == Format::Auto)
    if (failed(addSvd(st, error)))
      return failure();
  if (f == Format::Kronecker || f == Format::Auto)
    if (failed(addKronecker(st, error)))
      return failure();
  if (f == Format::TT || f == Format::Tucker || f == Format::CP)
    if (failed(addTensorFormats(st, f, error)))
      return failure();
  if (f == Format::Auto)
    for (Format g : {Format::TT, Format::Tucker})
      if (failed(addTensorFormats(st, g, error)))
        return failure();
  return success();
}

LogicalResult Planner::analyze(std::string &error) {
  Impl &d = *impl;
  const Options &o = d.options;
  switch (o.policy) {
  case Policy::Rank:
    if (o.value < 1 || o.value != std::floor(o.value)) {
      error = "--rank=" + std::to_string(o.value) +
              ": a rank is a whole number ≥ 1";
      return failure();
    }
    if (o.format == Format::Auto) {
      error = "--factorize=auto needs --keep, --fidelity, --error or "
              "--energy: a rank means something different in each format";
      return failure();
    }
    break;
  case Policy::Energy:
    if (!(o.value > 0 && o.value <= 1)) {
      error = "--energy=" + std::to_string(o.value) +
              ": the kept energy fraction must be in (0, 1]";
      return failure();
    }
    break;
  case Policy::Error:
    if (!(o.value > 0 && o.value < 1)) {
      error = "--error=" + std::to_string(o.value) +
              ": the relative error ε must be in (0, 1)";
      return failure();
    }
    break;
  case Policy::Keep:
    if (!(o.value > 0 && o.value <= 1)) {
      error = "--keep=" + std::to_string(o.value) +
              ": the keep ratio η (parameters after / before) must be in "
              "(0, 1]";
      return failure();
    }
    break;
  case Policy::Fidelity:
    if (!(o.value > 0)) {
      error = "--fidelity=" + std::to_string(o.value) +
              ": the fidelity bound δ must be positive";
      return failure();
    }
    break;
  }
  if (!o.layerPattern.empty()) {
    llvm::Regex re(o.layerPattern);
    std::string reErr;
    if (!re.isValid(reErr)) {
      error = "--layers='" + o.layerPattern + "': " + reErr;
      return failure();
    }
    std::vector<LayerState> kept;
    for (LayerState &st : d.layers)
      if (re.match(st.layer.name))
        kept.push_back(std::move(st));
    if (kept.empty()) {
      error = "--layers='" + o.layerPattern + "' matches none of the " +
              std::to_string(d.layers.size()) + " factorizable layers";
      if (!d.layers.empty())
        error += " (e.g. '" + d.layers.front().layer.name + "')";
      return failure();
    }
    d.layers = std::move(kept);
  }
  if (d.layers.empty()) {
    error = "the model has no layer Facet can factorize (a MatMul or Gemm "
            "with a constant 2-D f32 weight" +
            std::string(o.embeddings ? ", or a Gather on a constant table" : "") +
            ")";
    return failure();
  }
  bool tty = o.progress && isatty(2);
  for (size_t i = 0; i < d.layers.size(); ++i) {
    LayerState &st = d.layers[i];
    if (tty)
      fprintf(stderr, "\r\033[Kfactorize: analyzing %zu/%zu %s (%s)", i + 1,
              d.layers.size(), st.layer.name.c_str(),
              fmtShape(st.layer).c_str());
    auto start = std::chrono::steady_clock::now();
    if (failed(d.analyzeLayer(st, error))) {
      if (tty)
        fprintf(stderr, "\n");
      return failure();
    }
    st.seconds = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - start)
                     .count();
  }
  if (tty)
    fprintf(stderr, "\r\033[Kfactorize: analyzed %zu layers\n",
            d.layers.size());
  d.analyzed = true;
  return success();
}

/// What the global allocation minimizes per layer, from ε²: −log(1 − ε²),
/// the log of the share of the layer's output energy the factorization
/// loses. Summed over layers it is −log Π(1 − ε_l²): the energy a chain of
/// layers keeps multiplies, so one layer cut to ε ≈ 0.7 costs more than
/// three at 0.4 — unlike Σ ε², which on MiniLM concentrates all the error in
/// a few layers and measures worse on outputs than one uniform rank
/// (docs/Factorize.md).
static double allocationLoss(double epsSq) {
  return -std::log(std::max(1e-12, 1.0 - std::min(epsSq, 1.0)));
}

/// The candidate a per-layer policy picks (or -1: dense), and why not.
static int pickPerLayer(const LayerState &st, const Options &o,
                        std::string &reason) {
  const std::vector<Candidate> &cs = st.candidates;
  if (cs.empty()) {
    reason = o.rankMultiple > 1
                 ? "no rank that is a multiple of " +
                       std::to_string(o.rankMultiple) +
                       " is below this shape's break-even rank, or no "
                       "useful split of it (a prime dimension)"
                 : "no useful factorization of this shape (a prime "
                   "dimension)";
    return -1;
  }
  int best = -1;
  if (o.policy == Policy::Rank) {
    for (size_t i = 0; i < cs.size(); ++i)
      if (st.layer.kind == Layer::Embedding ||
          st.layer.kind == Layer::Attention ||
          (cs[i].format == o.format &&
           (cs[i].format == Format::TT || cs[i].format == Format::Tucker ||
            cs[i].format == Format::CP ||
            cs[i].svdRank == static_cast<int>(o.value))))
        best = static_cast<int>(i);
  } else {
    // Error / energy: the fewest parameters within ε among accepted ones.
    double eps = o.policy == Policy::Error
                     ? o.value
                     : std::sqrt(std::max(0.0, 1 - o.value));
    for (size_t i = 0; i < cs.size(); ++i) {
      if (!cs[i].accepted || std::sqrt(cs[i].loss) > eps + 1e-12)
        continue;
      if (best < 0 || cs[i].params < cs[best].params)
        best = static_cast<int>(i);
    }
    if (best < 0) {
      reason = "no factored form within ε = " + std::to_string(eps) +
               " is cheaper than dense at these shapes";
      return -1;
    }
  }
  if (best < 0) {
    reason = "no factorization of this shape";
    return -1;
  }
  if (!cs[best].accepted) {
    const Candidate &c = cs[best];
    char buf[256];
    std::string ranks;
    for (size_t i = 0; i < c.ranks.size(); ++i)
      ranks += (i ? "," : "") + std::to_string(c.ranks[i]);
    if (c.params >= st.layer.denseParams())
      snprintf(buf, sizeof buf,
               "ranks %s hold %lld parameters, not fewer than dense (%lld)",
               ranks.c_str(), (long long)c.params,
               (long long)st.layer.denseParams());
    else
      snprintf(buf, sizeof buf,
               "factored cost %.3g > dense %.3g at %lld rows (FLOPs + "
               "traffic)",
               c.cost.cost, st.dense.cost, (long long)st.layer.m);
    reason = buf;
    return -1;
  }
  return best;
}

LogicalResult Planner::plan(std::string &error, double keep) {
  Impl &d = *impl;
  const Options &o = d.options;
  Report &rep = d.report;
  std::vector<int> choice(d.layers.size(), -1);
  std::vector<std::string> reasons(d.layers.size());
  bool budget = keep >= 0 || o.policy == Policy::Keep;
  if (!budget && o.policy == Policy::Fidelity) {
    error = "internal error: a fidelity bound is planned through keep ratios "
            "by the driver";
    return failure();
  }
  if (budget) {
    double eta = keep >= 0 ? keep : o.value;
    int64_t total = 0;
    std::vector<facet::rank::LayerOptions> lo;
    std::vector<std::vector<int>> ids;
    for (const LayerState &st : d.layers) {
      total += st.layer.denseParams();
      facet::rank::LayerOptions opts;
      std::vector<int> id;
      for (size_t i = 0; i < st.candidates.size(); ++i)
        if (st.candidates[i].accepted && !st.candidates[i].belowFloor) {
          opts.options.push_back(
              {st.candidates[i].params, allocationLoss(st.candidates[i].loss)});
          id.push_back(static_cast<int>(i));
        }
      opts.options.push_back({st.layer.denseParams(), 0.0}); // dense
      id.push_back(-1);
      lo.push_back(opts);
      ids.push_back(id);
    }
    int64_t limit = static_cast<int64_t>(std::floor(eta * double(total)));
    std::optional<facet::rank::Allocation> a;
    if (o.allocation == Allocation::Uniform) {
      // Every layer on its own budget η·K·N: the best option that fits it
      // (dense when nothing cheaper fits).
      a.emplace();
      for (size_t l = 0; l < lo.size(); ++l) {
        int64_t own = static_cast<int64_t>(
            std::floor(eta * double(d.layers[l].layer.denseParams())));
        int pick = static_cast<int>(lo[l].options.size()) - 1; // dense
        for (size_t i = 0; i + 1 < lo[l].options.size(); ++i)
          if (lo[l].options[i].params <= own &&
              (pick == static_cast<int>(lo[l].options.size()) - 1 ||
               lo[l].options[i].loss < lo[l].options[pick].loss))
            pick = static_cast<int>(i);
        a->choice.push_back(pick);
      }
    } else {
      a = facet::rank::allocateExact(lo, limit);
    }
    if (!a) {
      char buf[360];
      std::string multiple =
          o.rankMultiple > 1
              ? ", multiples of " + std::to_string(o.rankMultiple)
              : std::string();
      snprintf(buf, sizeof buf,
               "--keep=%g: impossible budget: the smallest factorization of "
               "the %zu selected layers Facet accepts keeps η = %.4f "
               "(%lld of %lld parameters; ranks ≥ %lld%s, cheaper than dense "
               "only)",
               eta, d.layers.size(),
               double(facet::rank::minimumParams(lo)) / double(total),
               (long long)facet::rank::minimumParams(lo), (long long)total,
               (long long)o.minRank, multiple.c_str());
      error = buf;
      return failure();
    }
    for (size_t l = 0; l < d.layers.size(); ++l) {
      choice[l] = ids[l][a->choice[l]];
      if (choice[l] < 0) {
        bool any = false, floored = false;
        for (const Candidate &c : d.layers[l].candidates) {
          any |= c.accepted && !c.belowFloor;
          floored |= c.accepted && c.belowFloor;
        }
        reasons[l] =
            any ? (o.allocation == Allocation::Uniform
                       ? "no factored form within the layer's own η is "
                         "cheaper than dense"
                       : "the budget is better spent elsewhere (kept dense "
                         "by the allocation)")
            : floored
                ? "only ranks below --min-rank=" + std::to_string(o.minRank) +
                      " would be cheaper than dense at these shapes"
                : "no factored form is cheaper than dense at these shapes";
      }
    }
  } else {
    for (size_t l = 0; l < d.layers.size(); ++l)
      choice[l] = pickPerLayer(d.layers[l], o, reasons[l]);
  }
  rep.layers.clear();
  rep.paramsBefore = rep.paramsAfter = 0;
  for (size_t l = 0; l < d.layers.size(); ++l) {
    LayerState &st = d.layers[l];
    LayerPlan p;
    p.paramsBefore = st.layer.denseParams();
    p.flopsBefore = st.dense.flops;
    p.costBefore = st.dense.cost;
    if (choice[l] < 0) {
      p.format = "dense";
      p.dense = true;
      p.reason = reasons[l];
      p.paramsAfter = p.paramsBefore;
      p.flopsAfter = p.flopsBefore;
      p.costAfter = p.costBefore;
    } else {
      const Candidate &c = st.candidates[choice[l]];
      p.format = formatName(c.format);
      p.ranks = c.ranks;
      p.paramsAfter = c.params;
      p.flopsAfter = c.cost.flops;
      p.costAfter = c.cost.cost;
      p.error = c.error;
      p.option = choice[l];
    }
    if (st.layer.kind == Layer::Embedding && !p.dense) {
      // A lookup per token: Σ_k (Π_{l≤k} d_l) r_{k-1} r_k multiply-adds.
      const CoreNetwork &net = st.networks[st.candidates[choice[l]].built];
      double per = 0, prefix = 1;
      for (size_t k = 0; k < net.outDims.size(); ++k) {
        prefix *= double(net.outDims[k]);
        per += prefix * double(net.ranks[k]) * double(net.ranks[k + 1]);
      }
      p.flopsAfter = 2 * per * double(st.layer.m);
    }
    st.plan = p;
    rep.paramsBefore += p.paramsBefore;
    rep.paramsAfter += p.paramsAfter;
    LayerReport lr;
    lr.layer = st.layer;
    lr.plan = p;
    lr.spectrum = st.haveSvd ? st.spectrum : st.kronSpectrum;
    lr.analyzeSeconds = st.seconds;
    rep.layers.push_back(lr);
  }
  return success();
}

LogicalResult Planner::apply(ModuleOp module, bool linalg,
                             std::string &error) {
  Impl &d = *impl;
  Report &rep = d.report;
  MLIRContext *ctx = module.getContext();
  ctx->getOrLoadDialect<facet::factor::FactorDialect>();
  ctx->getOrLoadDialect<arith::ArithDialect>();
  ctx->getOrLoadDialect<tensor::TensorDialect>();
  ctx->getOrLoadDialect<linalg::LinalgDialect>();
  std::vector<Layer> found = findLayers(module, linalg, d.options.embeddings,
                                       d.options.attention.has_value());
  rep.modelParamsBefore = countModelParams(module);
  std::map<std::string, Layer> byName;
  for (Layer &l : found)
    byName[l.name] = l;
  for (size_t i = 0; i < d.layers.size(); ++i) {
    LayerState &st = d.layers[i];
    LayerReport &lr = rep.layers[i];
    auto it = byName.find(st.layer.name);
    if (it == byName.end() || it->second.k != st.layer.k ||
        it->second.n != st.layer.n) {
      error = "internal error: layer '" + st.layer.name +
              "' is not in the module the plan is applied to";
      return failure();
    }
    const Layer &target = it->second;
    if (st.plan.dense)
      continue;
    const Candidate &c = st.candidates[st.plan.option];
    if (st.layer.kind == Layer::Attention) {
      lr.plan.error = c.error;
      st.plan.error = c.error;
      if (failed(detail::rewriteAttention(target, *st.attention,
                                          st.attnCandidates[c.attnOption],
                                          error)))
        return failure();
      continue;
    }
    CoreNetwork net = c.built >= 0 ? st.networks[c.built]
                      : c.format == Format::SVD
                          ? svdNetwork(st, c.svdRank)
                          : kroneckerNetwork(st, c.svdRank);
    // ε measured on the reconstruction when the numerics did not give it.
    if (c.error < 0 || st.whitened) {
      contraction::Equation eq;
      for (const std::string &s : net.coreSubs)
        eq.inputs.push_back(s);
      std::vector<std::vector<int64_t>> shapes;
      for (const auto &s : net.coreShapes)
        shapes.emplace_back(s.begin(), s.end());
      std::vector<std::pair<char, int64_t>> sizes;
      eq.output = net.inSub + net.outSub;
      std::string msg = contraction::checkEquation(eq, shapes, sizes);
      std::vector<std::vector<double>> cores;
      for (const auto &cv : net.cores)
        cores.emplace_back(cv.begin(), cv.end());
      std::vector<double> what = contraction::evaluate(eq, sizes, cores);
      double diff = 0;
      for (size_t j = 0; j < what.size(); ++j) {
        double e = what[j] - st.w[j];
        diff += e * e;
      }
      net.error = std::sqrt(diff / std::max(st.normSq, 1e-300));
      if (st.whitened) {
        Eigen::Map<const RowMatrixF> w(st.w.data(), st.layer.k, st.layer.n);
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic,
                                       Eigen::RowMajor>>
            wh(what.data(), st.layer.k, st.layer.n);
        MatrixD delta = w.cast<double>() - MatrixD(wh);
        double num = (st.chol.transpose() * delta).squaredNorm();
        lr.plan.activationError = std::sqrt(num / std::max(st.svdNormSq, 1e-300));
      }
    } else {
      net.error = c.error;
    }
    if (!st.whitened && d.calibration && st.layer.kind == Layer::Linear)
      lr.plan.activationError = -1;
    lr.plan.error = net.error;
    st.plan.error = net.error;
    LogicalResult r = st.layer.kind == Layer::Embedding
                          ? rewriteEmbedding(target, net, error)
                          : rewriteLinear(target, net, error);
    if (failed(r))
      return failure();
    if (d.options.progress && isatty(2))
      fprintf(stderr, "\r\033[Kfactorize: rewrote %zu/%zu %s", i + 1,
              d.layers.size(), st.layer.name.c_str());
  }
  if (d.options.progress && isatty(2))
    fprintf(stderr, "\r\033[K");
  // The dense weights the factored layers replaced, and what only they
  // fed (a Transpose of the weight): dead side-effect-free ops.
  while (true) {
    SmallVector<Operation *> dead;
    module.walk([&](Operation *op) {
      if (op != module && isOpTriviallyDead(op))
        dead.push_back(op);
    });
    if (dead.empty())
      break;
    for (Operation *op : dead)
      op->erase();
  }
  rep.modelParamsAfter = countModelParams(module);
  return success();
}
