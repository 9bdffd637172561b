//===- Attention.cpp - Attention layers: finding, analysis, rewriting -----===//
//
// See Attention.h for the two formats and docs/Attention.md for the math.
//
//===----------------------------------------------------------------------===//

#include "Attention.h"
#include "Internal.h"

#include "facet/Decomp/Decomp.h"
#include "facet/Dialect/Facet/IR/FacetOps.h"
#include "facet/Dialect/Factor/IR/FactorOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace facet::factorize;
using namespace facet::factorize::detail;
namespace decomp = facet::decomp;

namespace {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;

/// A constant bias that broadcasts as [out] (any leading 1s).
bool biasOf(Value v, int64_t out, std::vector<float> &bias, bool read) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape() || t.getNumElements() != out ||
      t.getDimSize(t.getRank() - 1) != out)
    return false;
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  if (!read)
    return true;
  std::vector<double> d;
  if (!facet::factor::readConstant(v, d))
    return false;
  bias.assign(d.begin(), d.end());
  return true;
}

/// W [in, out] (from [out, in] when transposed).
bool weightOf(Value v, bool transposed, Projection &p, bool read) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() != 2 || !t.hasStaticShape() ||
      !t.getElementType().isF32())
    return false;
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  p.in = t.getDimSize(transposed ? 1 : 0);
  p.out = t.getDimSize(transposed ? 0 : 1);
  if (!read)
    return true;
  std::vector<double> d;
  if (!facet::factor::readConstant(v, d))
    return false;
  p.w.resize(p.in * p.out);
  for (int64_t i = 0; i < p.in; ++i)
    for (int64_t j = 0; j < p.out; ++j)
      p.w[i * p.out + j] =
          static_cast<float>(transposed ? d[j * p.in + i] : d[i * p.out + j]);
  return true;
}

/// y = x·W (+ b) by facet.matmul (+ facet.add) or facet.gemm (alpha = beta
/// = 1, transA = 0), possibly reshaped.
bool projectionOf(Value y, Projection &p, bool read) {
  Value core = y;
  if (auto r = core.getDefiningOp<facet::ReshapeOp>())
    core = r.getInput();
  Value bias;
  if (auto add = core.getDefiningOp<facet::AddOp>()) {
    Value a = add.getLhs(), b = add.getRhs();
    bool aMat = a.getDefiningOp<facet::MatMulOp>() != nullptr;
    bool bMat = b.getDefiningOp<facet::MatMulOp>() != nullptr;
    if (aMat == bMat)
      return false;
    bias = aMat ? b : a;
    core = aMat ? a : b;
    if (core.getType() != add.getType())
      return false;
  }
  if (auto mm = core.getDefiningOp<facet::MatMulOp>()) {
    if (!weightOf(mm.getRhs(), false, p, read))
      return false;
    auto xt = mm.getLhs().getType();
    if (xt.getRank() < 2 || xt.getDimSize(xt.getRank() - 1) != p.in)
      return false;
    p.input = mm.getLhs();
    p.ops = {mm};
  } else if (auto gemm = core.getDefiningOp<facet::GemmOp>()) {
    if (bias || gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f ||
        (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f) ||
        !weightOf(gemm.getB(), gemm.getTransB(), p, read))
      return false;
    bias = gemm.getC();
    p.input = gemm.getA();
    p.ops = {gemm};
  } else {
    return false;
  }
  if (bias) {
    if (!biasOf(bias, p.out, p.bias, read))
      return false;
  } else if (read) {
    p.bias.assign(p.out, 0.0f);
  }
  return true;
}

/// q/k/v: a projection, or a slice of the last dim of one (fused QKV).
bool inputProjection(Value v, Projection &p, bool read) {
  if (auto s = v.getDefiningOp<facet::SliceOp>()) {
    auto in = s.getInput().getType(), out = s.getType();
    int64_t rank = in.getRank();
    for (int64_t d = 0; d < rank; ++d)
      if (s.getSteps()[d] != 1 ||
          (d + 1 < rank &&
           (s.getStarts()[d] != 0 || in.getDimSize(d) != out.getDimSize(d))))
        return false;
    Projection whole;
    if (!projectionOf(s.getInput(), whole, read))
      return false;
    int64_t c0 = s.getStarts()[rank - 1], width = out.getDimSize(rank - 1);
    p.input = whole.input;
    p.ops = whole.ops;
    p.in = whole.in;
    p.out = width;
    if (read) {
      p.w.resize(p.in * width);
      for (int64_t i = 0; i < p.in; ++i)
        for (int64_t j = 0; j < width; ++j)
          p.w[i * width + j] = whole.w[i * whole.out + c0 + j];
      p.bias.assign(whole.bias.begin() + c0, whole.bias.begin() + c0 + width);
    }
    return true;
  }
  return projectionOf(v, p, read);
}

/// The output projection: the attention's only user chain o -> [reshape]
/// -> matmul (+ add) or gemm; p.result is the value it produces.
bool outputProjection(Value o, Projection &p, bool read) {
  if (!o.hasOneUse())
    return false;
  Operation *user = *o.getUsers().begin();
  Value x = o;
  if (auto r = dyn_cast<facet::ReshapeOp>(user)) {
    if (!r.getResult().hasOneUse())
      return false;
    x = r.getResult();
    user = *x.getUsers().begin();
  }
  if (auto mm = dyn_cast<facet::MatMulOp>(user)) {
    if (mm.getLhs() != x || !weightOf(mm.getRhs(), false, p, read))
      return false;
    p.ops = {mm};
    p.result = mm.getResult();
    p.input = x;
    if (mm.getResult().hasOneUse())
      if (auto add = dyn_cast<facet::AddOp>(*mm.getResult().getUsers().begin())) {
        Value other = add.getLhs() == mm.getResult() ? add.getRhs()
                                                     : add.getLhs();
        if (add.getType() == mm.getType() &&
            biasOf(other, p.out, p.bias, read)) {
          p.result = add.getResult();
          return true;
        }
      }
    if (read)
      p.bias.assign(p.out, 0.0f);
    return true;
  }
  if (auto gemm = dyn_cast<facet::GemmOp>(user)) {
    if (gemm.getA() != x || gemm.getTransA() ||
        gemm.getAlpha().convertToFloat() != 1.0f ||
        (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f) ||
        !weightOf(gemm.getB(), gemm.getTransB(), p, read))
      return false;
    if (gemm.getC()) {
      if (!biasOf(gemm.getC(), p.out, p.bias, read))
        return false;
    } else if (read) {
      p.bias.assign(p.out, 0.0f);
    }
    p.ops = {gemm};
    p.result = gemm.getResult();
    p.input = x;
    return true;
  }
  return false;
}

int64_t rowsOf(Value x) {
  auto t = cast<RankedTensorType>(x.getType());
  return t.getNumElements() / t.getDimSize(t.getRank() - 1);
}

} // namespace

bool facet::factorize::detail::matchAttentionSite(Operation *op,
                                                  AttentionSite &site,
                                                  bool read) {
  auto attn = dyn_cast<facet::AttentionOp>(op);
  if (!attn || attn.getPastKey() || attn.getPresentKey() ||
      attn.getKVHeads() != attn.getHeads() ||
      !attn.getQuery().getType().getElementType().isF32())
    return false;
  site = AttentionSite();
  site.attention = op;
  site.heads = attn.getHeads();
  site.dk = attn.getQKHeadSize();
  site.dv = attn.getVHeadSize();
  auto qt = attn.getQuery().getType();
  site.batch = qt.getDimSize(0);
  site.sq = qt.getDimSize(1);
  site.skv = attn.getKey().getType().getDimSize(1);
  if (!inputProjection(attn.getQuery(), site.q, read) ||
      !inputProjection(attn.getKey(), site.k, read) ||
      !inputProjection(attn.getValue(), site.v, read) ||
      !outputProjection(attn.getOutput(), site.o, read))
    return false;
  // Rows of each projection's input must be the attention's rows.
  if (rowsOf(site.q.input) != site.batch * site.sq ||
      rowsOf(site.k.input) != site.batch * site.skv ||
      rowsOf(site.v.input) != site.batch * site.skv ||
      site.o.in != site.heads * site.dv)
    return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Analysis
//===----------------------------------------------------------------------===//

struct facet::factorize::detail::AttentionAnalysis {
  int64_t h = 0, dk = 0, dv = 0, dq = 0, dkIn = 0, dvIn = 0, dout = 0;
  int64_t mq = 0, mk = 0, batch = 0, sq = 0, skv = 0;
  double scale = 1;
  bool shared = false; ///< q, k, v read one input (Tucker possible)
  // Low rank, per head, ordered by singular value (scale folded into A):
  //   scores: A_h (dq+1 rows: the last is the query bias) · B_hᵀ (dkIn)
  //   values: C_h (dvIn × Dv) · D_h (Dv × dout)
  std::vector<MatrixD> a, bk, c, dOut;
  std::vector<double> qkSigma, voSigma; ///< [h][i] flattened, h-major
  double qkTotal = 0, voTotal = 0;
  std::vector<double> outBias; ///< b_O + Σ_h b_V,h W_O,h
  // Original weights (for the Tucker candidates' errors and cores).
  std::vector<MatrixD> wq, wk, wv, wo; ///< per head: dq×Dk, dk×Dk, dv×Dv, Dv×dout
  std::vector<Eigen::VectorXd> bq;
  struct TuckerFactors {
    MatrixD u1, u2; ///< d × R1, Dh × R2 (orthonormal columns)
  };
  std::vector<TuckerFactors> tucker;
};

void facet::factorize::detail::AttentionAnalysisDeleter::operator()(
    AttentionAnalysis *a) const {
  delete a;
}

namespace {

/// A·Bᵀ = (Qa·U·√Σ)(Qb·V·√Σ)ᵀ with singular values σ: the factored SVD.
void factoredSvd(const MatrixD &a, const MatrixD &b, MatrixD &left,
                 MatrixD &right, std::vector<double> &sigma) {
  Eigen::HouseholderQR<MatrixD> qa(a), qb(b);
  int64_t r = a.cols();
  MatrixD qA = qa.householderQ() * MatrixD::Identity(a.rows(), r);
  MatrixD qB = qb.householderQ() * MatrixD::Identity(b.rows(), r);
  MatrixD rA = qA.transpose() * a, rB = qB.transpose() * b;
  Eigen::JacobiSVD<MatrixD> svd(rA * rB.transpose(),
                                Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::VectorXd s = svd.singularValues();
  Eigen::VectorXd root = s.array().sqrt();
  left = qA * svd.matrixU() * root.asDiagonal();
  right = qB * svd.matrixV() * root.asDiagonal();
  sigma.assign(s.data(), s.data() + s.size());
}

/// ‖A·Bᵀ − Â·B̂ᵀ‖²_F through the small Gram matrices.
double productErrorSq(const MatrixD &a, const MatrixD &b, const MatrixD &ah,
                      const MatrixD &bh) {
  double full = ((a.transpose() * a) * (b.transpose() * b)).trace();
  double cross = ((a.transpose() * ah) * (bh.transpose() * b)).trace();
  double hat = ((ah.transpose() * ah) * (bh.transpose() * bh)).trace();
  return std::max(0.0, full - 2 * cross + hat);
}

std::vector<int64_t> ladder(int64_t d) {
  std::vector<int64_t> out;
  for (int64_t r : {1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64,
                    80, 96, 112, 128})
    if (r < d)
      out.push_back(r);
  out.push_back(d);
  return out;
}

double matmulCost(double m, double k, double n, double &flops) {
  double f = 2 * m * k * n;
  flops += f;
  return f + kMemoryWeight * (m * k + k * n + m * n);
}

/// FLOPs and cost of an attention with these widths (per head rq / rv).
void attentionCost(const AttentionAnalysis &a, int64_t rq, int64_t rv,
                   double &flops, double &cost) {
  flops = 0;
  cost = matmulCost(a.mq, a.dq, a.h * rq, flops) +
         matmulCost(a.mk, a.dkIn, a.h * rq, flops) +
         matmulCost(a.mk, a.dvIn, a.h * rv, flops) +
         matmulCost(a.mq, a.h * rv, a.dout, flops);
  double core = 2.0 * a.batch * a.h * a.sq * a.skv * (rq + rv);
  flops += core;
  cost += core + kMemoryWeight * double(a.batch) * a.h *
                     (a.sq * (rq + rv) + a.skv * (rq + rv));
}

void tuckerCost(const AttentionAnalysis &a, int64_t r1, int64_t r2,
                double &flops, double &cost) {
  flops = 0;
  cost = matmulCost(a.mq, a.dq, r1, flops) +
         3 * matmulCost(a.mq, r1, a.h * r2, flops) +
         matmulCost(a.mq, a.h * r2, r1, flops) +
         matmulCost(a.mq, r1, a.dout, flops);
  double core = 2.0 * a.batch * a.h * a.sq * a.skv * (2 * r2);
  flops += core;
  cost += core + kMemoryWeight * double(a.batch) * a.h * (a.sq + a.skv) * 2 * r2;
}

} // namespace

LogicalResult facet::factorize::detail::analyzeAttention(
    const Layer &layer, Format which, int64_t rank, AttentionAnalysisPtr &out,
    std::vector<AttentionCandidate> &candidates, double &denseFlops,
    double &denseCost, std::string &error) {
  AttentionSite site;
  if (!matchAttentionSite(layer.op, site, /*read=*/true)) {
    error = "attention '" + layer.name + "': cannot read its projections";
    return failure();
  }
  auto attn = cast<facet::AttentionOp>(layer.op);
  AttentionAnalysisPtr an(new AttentionAnalysis);
  AttentionAnalysis &a = *an;
  a.h = site.heads;
  a.dk = site.dk;
  a.dv = site.dv;
  a.dq = site.q.in;
  a.dkIn = site.k.in;
  a.dvIn = site.v.in;
  a.dout = site.o.out;
  a.batch = site.batch;
  a.sq = site.sq;
  a.skv = site.skv;
  a.mq = site.batch * site.sq;
  a.mk = site.batch * site.skv;
  a.scale = attn.getScale().convertToDouble();
  a.shared = site.q.input == site.k.input && site.k.input == site.v.input &&
             a.dk == a.dv && a.dq == a.dout;
  auto block = [](const Projection &p, int64_t col0, int64_t width) {
    MatrixD m(p.in, width);
    for (int64_t i = 0; i < p.in; ++i)
      for (int64_t j = 0; j < width; ++j)
        m(i, j) = p.w[i * p.out + col0 + j];
    return m;
  };
  a.outBias.assign(site.o.bias.begin(), site.o.bias.end());
  bool narrow = a.dq < a.dk || a.dkIn < a.dk || a.dvIn < a.dv || a.dout < a.dv;
  for (int64_t h = 0; h < a.h && !narrow; ++h) {
    MatrixD wq = block(site.q, h * a.dk, a.dk), wk = block(site.k, h * a.dk, a.dk);
    MatrixD wv = block(site.v, h * a.dv, a.dv);
    MatrixD wo(a.dv, a.dout);
    for (int64_t i = 0; i < a.dv; ++i)
      for (int64_t j = 0; j < a.dout; ++j)
        wo(i, j) = site.o.w[(h * a.dv + i) * a.dout + j];
    Eigen::VectorXd bq(a.dk), bv(a.dv);
    for (int64_t i = 0; i < a.dk; ++i)
      bq(i) = site.q.bias[h * a.dk + i];
    for (int64_t i = 0; i < a.dv; ++i)
      bv(i) = site.v.bias[h * a.dv + i];
    // The value bias, through softmax (rows sum to 1), is a constant.
    Eigen::VectorXd folded = wo.transpose() * bv;
    for (int64_t j = 0; j < a.dout; ++j)
      a.outBias[j] += folded(j);
    // Scores: s·[W_Q; b_Q]·W_Kᵀ (the key bias adds a per-query constant).
    MatrixD aq(a.dq + 1, a.dk);
    aq.topRows(a.dq) = wq * a.scale;
    aq.row(a.dq) = bq.transpose() * a.scale;
    MatrixD left, right;
    std::vector<double> sigma;
    factoredSvd(aq, wk, left, right, sigma);
    a.a.push_back(left);
    a.bk.push_back(right);
    for (double s : sigma) {
      a.qkSigma.push_back(s);
      a.qkTotal += s * s;
    }
    factoredSvd(wv, wo.transpose(), left, right, sigma);
    a.c.push_back(left);
    a.dOut.push_back(right.transpose());
    for (double s : sigma) {
      a.voSigma.push_back(s);
      a.voTotal += s * s;
    }
    a.wq.push_back(wq);
    a.wk.push_back(wk);
    a.wv.push_back(wv);
    a.wo.push_back(wo);
    a.bq.push_back(bq);
  }
  attentionCost(a, a.dk, a.dv, denseFlops, denseCost);
  // A projection narrower than a head leaves nothing to truncate.
  if (a.dq < a.dk || a.dkIn < a.dk || a.dvIn < a.dv || a.dout < a.dv) {
    out = std::move(an);
    return success();
  }

  // Low rank: every (rq, rv) of the ladders.
  if (which == Format::AttnLowRank || which == Format::Auto) {
    auto tailShare = [&](const std::vector<double> &sig, int64_t d,
                         int64_t r, double total) {
      double tail = 0;
      for (int64_t h = 0; h < a.h; ++h)
        for (int64_t i = r; i < d; ++i)
          tail += sig[h * d + i] * sig[h * d + i];
      return tail / std::max(total, 1e-300);
    };
    std::vector<int64_t> lq = ladder(a.dk), lv = ladder(a.dv);
    if (rank > 0) {
      lq = {std::min(rank, a.dk)};
      lv = {std::min(rank, a.dv)};
    }
    for (int64_t rq : lq)
      for (int64_t rv : lv) {
        AttentionCandidate c;
        c.format = Format::AttnLowRank;
        c.ranks = {rq, rv};
        c.params = a.h * (rq * (a.dq + a.dkIn) + rv * (a.dvIn + a.dout));
        c.loss = (tailShare(a.qkSigma, a.dk, rq, a.qkTotal) +
                  tailShare(a.voSigma, a.dv, rv, a.voTotal)) /
                 2;
        c.error = std::sqrt(c.loss);
        attentionCost(a, rq, rv, c.flops, c.cost);
        candidates.push_back(c);
      }
  }

  // Head-shared Tucker of [W_Q,h | W_K,h | W_V,h | W_O,hᵀ] (d × Dh × 4 × H).
  if ((which == Format::AttnTucker || which == Format::Auto) && a.shared) {
    int64_t d = a.dq, dh = a.dk;
    decomp::Tensor<float> x({d, dh, 4, a.h});
    for (int64_t i = 0; i < d; ++i)
      for (int64_t j = 0; j < dh; ++j)
        for (int64_t h = 0; h < a.h; ++h) {
          double vals[4] = {a.wq[h](i, j), a.wk[h](i, j), a.wv[h](i, j),
                            a.wo[h](j, i)};
          for (int64_t t = 0; t < 4; ++t)
            x.data[((i * dh + j) * 4 + t) * a.h + h] = float(vals[t]);
        }
    std::vector<std::pair<int64_t, int64_t>> sizes;
    if (rank > 0)
      sizes.push_back({std::min(d, rank * a.h), std::min(dh, rank)});
    else
      for (double f1 : {0.25, 0.5, 0.75})
        for (double f2 : {0.5, 1.0})
          sizes.push_back(
              {std::max<int64_t>(1, int64_t(std::ceil(f1 * d))),
               std::max<int64_t>(1, int64_t(std::ceil(f2 * dh)))});
    decomp::Options dopts;
    dopts.maxIterations = 5;
    for (auto [r1, r2] : sizes) {
      decomp::Expected<decomp::Tucker<float>> t = decomp::tucker(
          x, decomp::Truncation::ranks({r1, r2, 4, a.h}), dopts);
      if (!t) {
        error = "attention '" + layer.name + "': " + t.error();
        return failure();
      }
      AttentionAnalysis::TuckerFactors f;
      f.u1 = t->factors[0].cast<double>();
      f.u2 = t->factors[1].cast<double>();
      // ε of the scores' and values' maps from the projected weights.
      MatrixD p1 = f.u1 * f.u1.transpose(), p2 = f.u2 * f.u2.transpose();
      double qkErr = 0, voErr = 0;
      for (int64_t h = 0; h < a.h; ++h) {
        MatrixD aq(d + 1, dh), aqh(d + 1, dh);
        aq.topRows(d) = a.wq[h] * a.scale;
        aq.row(d) = a.bq[h].transpose() * a.scale;
        aqh.topRows(d) = p1 * a.wq[h] * p2 * a.scale;
        aqh.row(d) = a.bq[h].transpose() * p2 * a.scale;
        MatrixD wkh = p1 * a.wk[h] * p2;
        qkErr += productErrorSq(aq, a.wk[h], aqh, wkh);
        MatrixD wvh = p1 * a.wv[h] * p2;
        MatrixD woh = p2 * a.wo[h] * p1; // Dh × d
        voErr += productErrorSq(a.wv[h], a.wo[h].transpose(), wvh,
                                woh.transpose());
      }
      AttentionCandidate c;
      c.format = Format::AttnTucker;
      c.ranks = {r1, r2};
      c.params = 2 * d * r1 + 4 * a.h * r1 * r2;
      c.loss = (qkErr / std::max(a.qkTotal, 1e-300) +
                voErr / std::max(a.voTotal, 1e-300)) /
               2;
      c.error = std::sqrt(c.loss);
      tuckerCost(a, r1, r2, c.flops, c.cost);
      c.tucker = static_cast<int>(a.tucker.size());
      a.tucker.push_back(std::move(f));
      candidates.push_back(c);
    }
  }
  out = std::move(an);
  return success();
}

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

namespace {

Value constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
               const std::vector<double> &data) {
  return facet::factor::createConstant(
      b, loc, RankedTensorType::get(shape, b.getF32Type()), data,
      "attention_core");
}

/// x[..., K] · W[K, N] (+ bias) as facet ops, then reshaped to `shape`.
Value project(OpBuilder &b, Location loc, Value x, const MatrixD &w,
              const std::vector<double> *bias, ArrayRef<int64_t> shape) {
  std::vector<double> data(w.rows() * w.cols());
  for (int64_t i = 0; i < w.rows(); ++i)
    for (int64_t j = 0; j < w.cols(); ++j)
      data[i * w.cols() + j] = w(i, j);
  Value wc = constant(b, loc, {w.rows(), w.cols()}, data);
  auto xt = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> yShape(xt.getShape().drop_back());
  yShape.push_back(w.cols());
  auto yType = RankedTensorType::get(yShape, b.getF32Type());
  Value y = facet::MatMulOp::create(b, loc, yType, x, wc);
  if (bias) {
    Value bc = constant(b, loc, {w.cols()}, *bias);
    y = facet::AddOp::create(b, loc, yType, y, bc);
  }
  auto want = RankedTensorType::get(shape, b.getF32Type());
  if (y.getType() != want)
    y = facet::ReshapeOp::create(b, loc, want, y);
  return y;
}

} // namespace

LogicalResult facet::factorize::detail::rewriteAttention(
    const Layer &target, const AttentionAnalysis &a,
    const AttentionCandidate &cand, std::string &error) {
  AttentionSite site;
  if (!matchAttentionSite(target.op, site, /*read=*/false)) {
    error = "internal error: attention '" + target.name +
            "' lost its projections";
    return failure();
  }
  auto attn = cast<facet::AttentionOp>(target.op);
  OpBuilder b(site.o.result.getDefiningOp());
  b.setInsertionPointAfterValue(site.o.result);
  Location loc = attn.getLoc();
  int64_t h = a.h;
  MatrixD wq, wk, wv, wo;
  std::vector<double> bq;
  int64_t rq, rv;
  Value zIn; // Tucker: the shared reduced input
  MatrixD u1t;
  if (cand.format == Format::AttnLowRank) {
    rq = cand.ranks[0];
    rv = cand.ranks[1];
    wq.resize(a.dq, h * rq);
    wk.resize(a.dkIn, h * rq);
    wv.resize(a.dvIn, h * rv);
    wo.resize(h * rv, a.dout);
    bq.resize(h * rq);
    for (int64_t i = 0; i < h; ++i) {
      wq.middleCols(i * rq, rq) = a.a[i].topLeftCorner(a.dq, rq);
      for (int64_t j = 0; j < rq; ++j)
        bq[i * rq + j] = a.a[i](a.dq, j);
      wk.middleCols(i * rq, rq) = a.bk[i].leftCols(rq);
      wv.middleCols(i * rv, rv) = a.c[i].leftCols(rv);
      wo.middleRows(i * rv, rv) = a.dOut[i].topRows(rv);
    }
  } else {
    const auto &f = a.tucker[cand.tucker];
    int64_t r1 = cand.ranks[0], r2 = cand.ranks[1];
    rq = rv = r2;
    wq.resize(r1, h * r2);
    wk.resize(r1, h * r2);
    wv.resize(r1, h * r2);
    wo.resize(h * r2, r1);
    bq.resize(h * r2);
    for (int64_t i = 0; i < h; ++i) {
      wq.middleCols(i * r2, r2) =
          f.u1.transpose() * a.wq[i] * f.u2 * a.scale;
      Eigen::VectorXd bqi = f.u2.transpose() * a.bq[i] * a.scale;
      for (int64_t j = 0; j < r2; ++j)
        bq[i * r2 + j] = bqi(j);
      wk.middleCols(i * r2, r2) = f.u1.transpose() * a.wk[i] * f.u2;
      wv.middleCols(i * r2, r2) = f.u1.transpose() * a.wv[i] * f.u2;
      wo.middleRows(i * r2, r2) = f.u2.transpose() * a.wo[i] * f.u1;
    }
    u1t = f.u1.transpose();
    auto xt = cast<RankedTensorType>(site.q.input.getType());
    SmallVector<int64_t> zShape(xt.getShape().drop_back());
    zShape.push_back(r1);
    zIn = project(b, loc, site.q.input, f.u1, nullptr, zShape);
  }
  Value qIn = zIn ? zIn : site.q.input, kIn = zIn ? zIn : site.k.input,
        vIn = zIn ? zIn : site.v.input;
  Value q = project(b, loc, qIn, wq, &bq, {a.batch, a.sq, h * rq});
  Value k = project(b, loc, kIn, wk, nullptr, {a.batch, a.skv, h * rq});
  Value v = project(b, loc, vIn, wv, nullptr, {a.batch, a.skv, h * rv});
  auto outType =
      RankedTensorType::get({a.batch, a.sq, h * rv}, b.getF32Type());
  auto attn2 = facet::AttentionOp::create(
      b, loc, outType, Type(), Type(), q, k, v, attn.getMask(), Value(),
      Value(), Value(), attn.getNumHeadsAttr(), attn.getKvNumHeadsAttr(),
      b.getF32FloatAttr(1.0f), attn.getCausalAttr(),
      attn.getCausalOffsetAttr(), attn.getMaskFillAttr());
  // o' through the output maps, shaped as the projection's input was.
  auto inType = cast<RankedTensorType>(site.o.input.getType());
  SmallVector<int64_t> oShape(inType.getShape().drop_back());
  oShape.push_back(h * rv);
  Value o = attn2.getOutput();
  if (o.getType() != RankedTensorType::get(oShape, b.getF32Type()))
    o = facet::ReshapeOp::create(
        b, loc, RankedTensorType::get(oShape, b.getF32Type()), o);
  auto resultType = cast<RankedTensorType>(site.o.result.getType());
  Value y;
  if (zIn) {
    SmallVector<int64_t> midShape(oShape.begin(), oShape.end() - 1);
    midShape.push_back(u1t.rows());
    Value mid = project(b, loc, o, wo, nullptr, midShape);
    y = project(b, loc, mid, u1t, &a.outBias, resultType.getShape());
  } else {
    y = project(b, loc, o, wo, &a.outBias, resultType.getShape());
  }
  if (y.getType() != resultType) {
    error = "internal error: factored attention '" + target.name +
            "' gives a different type";
    return failure();
  }
  site.o.result.replaceAllUsesWith(y);
  if (failed(mlir::verify(attn2))) {
    error = "internal error: invalid factored attention '" + target.name + "'";
    return failure();
  }
  // The old attention, its projections and weights die with their uses.
  llvm::SetVector<Operation *> worklist;
  worklist.insert(site.o.result.getDefiningOp());
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!op->use_empty() || !mlir::isPure(op))
      continue;
    SmallVector<Value> operands(op->getOperands());
    op->erase();
    for (Value v : operands)
      if (Operation *def = v.getDefiningOp())
        worklist.insert(def);
  }
  return success();
}
