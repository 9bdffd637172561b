//===- AttentionLowering.cpp - facet.attention as a fused kernel ----------===//
//
// facet.attention becomes one loop nest (scf + vector on tensors) that never
// materializes the [Sq, T] score matrix: for each batch, head and block of
// Br query rows it walks the keys in blocks of Bc with an online softmax
// (running max m, running sum l, accumulator acc of Br x Dv), FlashAttention
// style:
//
//   s   = scale · q_blk · K_blkᵀ            (Br x Bc, FMAs over d, the key
//                                            block read contiguously from a
//                                            transposed copy Kᵀ [B,G,Dk,T])
//   s   = causal fill / + mask / -inf past the last key
//   m'  = max(m, rowmax s);  p = exp(s - m');  α = exp(m - m')
//   l   = α·l + rowsum p;    acc = α·acc + p · V_blk   (V rows contiguous)
//   out = acc / l
//
// Causal attention visits only the key blocks a query block can see: blocks
// wholly below the diagonal run unmasked, the diagonal blocks with a select,
// and blocks wholly above it are skipped (their scores are the fill value,
// whose exp underflows to 0 against any visible score). With an additive
// mask as well the fill is no longer the last word (fill + mask may be the
// row maximum of a row whose every visible key is masked), so those blocks
// are visited without computing q·k, and their P·V update runs only when
// some row could see a contribution (max s > m - 110, below which exp is 0).
//
// Static cache (decode mode, `past_length` L): the keys are the cache with
// rows L..L+Skv-1 replaced by the new ones; the loop bounds are run-time
// values (T = L + Skv). Register blocking: Bc = 16 keys (two AVX2 vectors),
// Br = 4 / 2 / 1 query rows for Dv <= 16 / 32 / larger, so that s (Br·Bc)
// and acc (Br·Dv) fit in the 16 vector registers.
//
//===----------------------------------------------------------------------===//

#include "AttentionLowering.h"

#include "facet/Dialect/Facet/IR/FacetOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace facet;

namespace {

int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

struct Kernel {
  ImplicitLocOpBuilder *bp = nullptr;
  ImplicitLocOpBuilder &builder() const { return *bp; }
  /// The same kernel, building at `nb`.
  Kernel at(ImplicitLocOpBuilder &nb) const {
    Kernel k = *this;
    k.bp = &nb;
    return k;
  }
  // Shapes.
  int64_t B = 0, Sq = 0, H = 0, G = 0, Dk = 0, Dv = 0, Skv = 0, P = 0;
  int64_t Tcap = 0, Tpad = 0, Br = 1, Bc = 16, SqPad = 0;
  int64_t lanes = 8, accumulators = 8;
  bool causal = false, staticCache = false;
  bool vDirect = false; // vt is the value input itself (no past, no padding)
  int64_t causalOffset = 0;
  float scale = 1, fill = 0;
  // Values.
  Value q, kt, vt, mask; // mask: f32, rank 4 after reshaping (may be null)
  bool boolMask = false; // mask holds 1 (keep) / 0 (put the fill)
  SmallVector<int64_t> maskShape;
  Value L, T; // index: past length (or P), keys attended
  Value head;  // index: the head a query block belongs to (its scratch)

  Type f32() { return builder().getF32Type(); }
  VectorType vec(int64_t n) { return VectorType::get({n}, f32()); }
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(builder(), v); }
  Value fconst(float v) {
    return arith::ConstantOp::create(builder(), f32(), builder().getF32FloatAttr(v));
  }
  Value splat(Value s, int64_t n) {
    return vector::BroadcastOp::create(builder(), vec(n), s);
  }
  Value minI(Value x, Value y) { return arith::MinSIOp::create(builder(), x, y); }
  Value maxI(Value x, Value y) { return arith::MaxSIOp::create(builder(), x, y); }
  Value add(Value x, Value y) { return arith::AddIOp::create(builder(), x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(builder(), x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(builder(), x, y); }
  Value ceilDiv(Value x, int64_t d) {
    return arith::CeilDivSIOp::create(builder(), x, idx(d));
  }
  Value floorDiv(Value x, int64_t d) {
    return arith::FloorDivSIOp::create(builder(), x, idx(d));
  }

  /// The mask's block of keys j0..j0+Bc for query row `row` of head `h`.
  Value maskBlock(Value bi, Value h, Value row, Value j0) {
    SmallVector<Value> at;
    Value zero = idx(0);
    at.push_back(maskShape[0] == 1 ? zero : bi);
    at.push_back(maskShape[1] == 1 ? zero : h);
    at.push_back(maskShape[2] == 1 ? zero : row);
    if (maskShape[3] == 1) {
      at.push_back(zero);
      return splat(tensor::ExtractOp::create(builder(), mask, at), Bc);
    }
    at.push_back(j0);
    return vector::TransferReadOp::create(builder(), vec(Bc), mask, at,
                                          fconst(0), ArrayRef<bool>{true});
  }
};

/// Chunks of the Dv lanes of an output row: 8-wide, the last narrower.
SmallVector<std::pair<int64_t, int64_t>> chunksOf(int64_t dv, int64_t lanes) {
  SmallVector<std::pair<int64_t, int64_t>> out;
  for (int64_t o = 0; o < dv; o += lanes)
    out.push_back({o, std::min<int64_t>(lanes, dv - o)});
  return out;
}

/// State of the online softmax for Br rows, carried by the key loop: the
/// scratch block of probabilities, then per row m_r, l_r and the output
/// accumulator acc_r in 8-lane chunks.
struct RowState {
  Value scratch;
  SmallVector<Value> m, l;
  SmallVector<SmallVector<Value>> acc;
  SmallVector<Value> flat() const {
    SmallVector<Value> out = {scratch};
    for (size_t r = 0; r < m.size(); ++r) {
      out.push_back(m[r]);
      out.push_back(l[r]);
      llvm::append_range(out, acc[r]);
    }
    return out;
  }
  static RowState unflat(ValueRange v, int64_t rows, int64_t chunks) {
    RowState s;
    s.scratch = v[0];
    size_t i = 1;
    for (int64_t r = 0; r < rows; ++r) {
      s.m.push_back(v[i++]);
      s.l.push_back(v[i++]);
      s.acc.emplace_back(v.begin() + i, v.begin() + i + chunks);
      i += chunks;
    }
    return s;
  }
};

/// One online-softmax step with the scores `s` of key block j0.
RowState update(Kernel &k, const RowState &st, ArrayRef<Value> s, Value bi,
                Value g, Value j0) {
  ImplicitLocOpBuilder &b = k.builder();
  RowState out;
  Value negInf = k.fconst(-std::numeric_limits<float>::infinity());
  Value zero = k.fconst(0);
  Value scratch = st.scratch;
  auto chunks = chunksOf(k.Dv, k.lanes);
  for (int64_t r = 0; r < k.Br; ++r) {
    Value mb = vector::ReductionOp::create(b, vector::CombiningKind::MAXNUMF,
                                           s[r]);
    Value mNew = arith::MaxNumFOp::create(b, st.m[r], mb);
    // A row that has seen only -inf keeps m = -inf and p = 0 (no NaN).
    Value isInf =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, mNew, negInf);
    Value mSafe = arith::SelectOp::create(b, isInf, zero, mNew);
    Value alpha =
        math::ExpOp::create(b, arith::SubFOp::create(b, st.m[r], mSafe));
    Value pr = math::ExpOp::create(
        b, arith::SubFOp::create(b, s[r], k.splat(mSafe, k.Bc)));
    Value sum = vector::ReductionOp::create(b, vector::CombiningKind::ADD, pr);
    out.m.push_back(mNew);
    out.l.push_back(arith::AddFOp::create(
        b, arith::MulFOp::create(b, st.l[r], alpha), sum));
    SmallVector<Value> acc;
    for (auto [c, chunk] : llvm::enumerate(chunks))
      acc.push_back(arith::MulFOp::create(b, st.acc[r][c],
                                          k.splat(alpha, chunk.second)));
    out.acc.push_back(acc);
    // p goes to memory so that the P·V step broadcasts it from there.
    scratch = vector::TransferWriteOp::create(
                  b, pr, scratch, ValueRange{k.head, k.idx(r), k.idx(0)},
                  ArrayRef<bool>{true})
                  .getResult();
  }
  out.scratch = scratch;
  // acc += p · V[j0 .. j0+Bc), a group of chunks at a time so that about
  // as many accumulators as registers allow are live: for each key (a
  // loop, so that the code stays small), one V row slice, Br broadcasts of
  // p from the scratch block.
  int64_t group = std::max<int64_t>(1, k.accumulators / k.Br);
  for (size_t c0 = 0; c0 < chunks.size(); c0 += group) {
    size_t c1 = std::min(chunks.size(), c0 + group);
    SmallVector<Value> init;
    for (int64_t r = 0; r < k.Br; ++r)
      for (size_t c = c0; c < c1; ++c)
        init.push_back(out.acc[r][c]);
    auto loop = scf::ForOp::create(
        b, k.idx(0), k.idx(k.Bc), k.idx(1), init,
        [&](OpBuilder &nb, Location loc, Value j, ValueRange acc) {
          ImplicitLocOpBuilder ib(loc, nb);
          Kernel kk = k.at(ib);
          SmallVector<Value> pj;
          for (int64_t r = 0; r < kk.Br; ++r)
            pj.push_back(tensor::ExtractOp::create(
                ib, scratch, ValueRange{kk.head, kk.idx(r), j}));
          Value row = kk.add(j0, j);
          SmallVector<Value> next(acc.begin(), acc.end());
          for (size_t c = c0; c < c1; ++c) {
            auto [off, width] = chunks[c];
            // V rows straight from the value input [B, Skv, G·Dv], or
            // from the padded copy [B, G, Tpad, Dv].
            SmallVector<Value> vIdx =
                kk.vDirect
                    ? SmallVector<Value>{bi, row,
                                         kk.add(kk.mul(g, kk.idx(kk.Dv)),
                                                kk.idx(off))}
                    : SmallVector<Value>{bi, g, row, kk.idx(off)};
            Value v = vector::TransferReadOp::create(
                ib, kk.vec(width), kk.vt, vIdx, kk.fconst(0),
                ArrayRef<bool>{true});
            for (int64_t r = 0; r < kk.Br; ++r) {
              size_t at = r * (c1 - c0) + (c - c0);
              next[at] = vector::FMAOp::create(ib, kk.splat(pj[r], width), v,
                                               next[at]);
            }
          }
          scf::YieldOp::create(ib, next);
        });
    for (int64_t r = 0; r < k.Br; ++r)
      for (size_t c = c0; c < c1; ++c)
        out.acc[r][c] = loop.getResult(r * (c1 - c0) + (c - c0));
  }
  return out;
}

/// scale · q[rows] · Kᵀ[:, j0 .. j0+Bc): Br x Bc/8 accumulators.
SmallVector<Value> scores(Kernel &k, ArrayRef<Value> rows, Value bi, Value h,
                          Value g, Value j0) {
  ImplicitLocOpBuilder &b = k.builder();
  SmallVector<Value> init(k.Br, k.splat(k.fconst(0), k.Bc));
  Value hOff = k.mul(h, k.idx(k.Dk));
  auto loop = scf::ForOp::create(
      b, k.idx(0), k.idx(k.Dk), k.idx(1), init,
      [&](OpBuilder &nb, Location loc, Value d, ValueRange acc) {
        ImplicitLocOpBuilder ib(loc, nb);
        Value krow = vector::TransferReadOp::create(
            ib, k.vec(k.Bc), k.kt, ValueRange{bi, g, d, j0},
            arith::ConstantOp::create(ib, k.f32(), ib.getF32FloatAttr(0)),
            ArrayRef<bool>{true});
        SmallVector<Value> next;
        Value col = arith::AddIOp::create(ib, hOff, d);
        for (int64_t r = 0; r < k.Br; ++r) {
          Value qv = tensor::ExtractOp::create(ib, k.q,
                                               ValueRange{bi, rows[r], col});
          Value qs = vector::BroadcastOp::create(ib, k.vec(k.Bc), qv);
          next.push_back(vector::FMAOp::create(ib, qs, krow, acc[r]));
        }
        scf::YieldOp::create(ib, next);
      });
  SmallVector<Value> s;
  Value sc = k.splat(k.fconst(k.scale), k.Bc);
  for (int64_t r = 0; r < k.Br; ++r)
    s.push_back(arith::MulFOp::create(b, loop.getResult(r), sc));
  return s;
}

/// Builds a [dims...] tensor element by element from `body(indices)`.
Value generate(ImplicitLocOpBuilder &b, ArrayRef<int64_t> shape,
               function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  Value init = tensor::EmptyOp::create(b, shape, b.getF32Type());
  unsigned rank = shape.size();
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(rank, b.getContext())};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, type, ValueRange{}, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location loc, ValueRange) {
        SmallVector<Value> ivs;
        for (unsigned i = 0; i < rank; ++i)
          ivs.push_back(linalg::IndexOp::create(nb, loc, i));
        linalg::YieldOp::create(nb, loc, body(nb, loc, ivs));
      });
  return generic.getResult(0);
}

/// Key or value j of kv-head g, component d, from the past and the new
/// rows: the static cache (new rows at L..L+Skv-1 of the past), the
/// concatenation (past then new) or the new rows only; 0 past T.
Value keyOrValue(OpBuilder &nb, Location loc, Value fresh, Value past,
                 int64_t headSize, int64_t skv, int64_t p, bool staticCache,
                 Value lIdx, Value bi, Value g, Value j, Value d) {
  ImplicitLocOpBuilder b(loc, nb);
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, v); };
  Value zeroF = arith::ConstantOp::create(b, b.getF32Type(),
                                          b.getF32FloatAttr(0));
  Value start = staticCache ? lIdx : c(p);
  Value rel = arith::SubIOp::create(b, j, start);
  Value inNew = arith::AndIOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::sge, rel, c(0)),
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, rel, c(skv)));
  Value relC = arith::MaxSIOp::create(
      b, c(0), arith::MinSIOp::create(b, rel, c(skv - 1)));
  Value col = arith::AddIOp::create(
      b, arith::MulIOp::create(b, g, c(headSize)), d);
  Value newV = tensor::ExtractOp::create(b, fresh, ValueRange{bi, relC, col});
  Value result = arith::SelectOp::create(b, inNew, newV, zeroF);
  if (past) {
    Value inPast =
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, j, c(p));
    Value jC = arith::MinSIOp::create(b, j, c(p - 1));
    Value pastV = tensor::ExtractOp::create(b, past, ValueRange{bi, g, jC, d});
    // The new rows win over the cache they overwrite.
    Value usePast = arith::AndIOp::create(
        b, inPast, arith::XOrIOp::create(
                       b, inNew,
                       arith::ConstantOp::create(b, b.getBoolAttr(true))));
    result = arith::SelectOp::create(b, usePast, pastV, result);
  }
  return result;
}

struct AttentionLowering : OpConversionPattern<AttentionOp> {
  AttentionLowering(MLIRContext *ctx, int64_t lanes)
      : OpConversionPattern(ctx), lanes(lanes) {}
  int64_t lanes;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getQuery().getType().getElementType().isF32())
      return op.emitError("facet.attention is lowered for f32 only, got ")
             << op.getQuery().getType().getElementType();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Kernel k;
    k.bp = &b;
    auto qType = op.getQuery().getType();
    k.B = qType.getDimSize(0);
    k.Sq = qType.getDimSize(1);
    k.H = op.getHeads();
    k.G = op.getKVHeads();
    k.Dk = op.getQKHeadSize();
    k.Dv = op.getVHeadSize();
    k.Skv = op.getKey().getType().getDimSize(1);
    k.staticCache = static_cast<bool>(op.getPastLength());
    k.P = op.getPastKey() ? op.getPastKey().getType().getDimSize(2) : 0;
    k.Tcap = op.getNumKeys();
    // Br x Bc/lanes score accumulators, about as many as the registers
    // allow (8 of AVX2's 16, 16 of AVX-512's 32): 4 rows, or 1 or 2 rows
    // with longer key blocks when decoding.
    k.lanes = lanes;
    k.accumulators = lanes >= 16 ? 16 : 8;
    k.Br = std::min<int64_t>(k.Sq, 4);
    if (k.Br == 3)
      k.Br = 4;
    k.Bc = lanes * std::max<int64_t>(1, k.accumulators / k.Br);
    k.Tpad = roundUp(k.Tcap, k.Bc);
    k.SqPad = roundUp(k.Sq, k.Br);
    k.causal = op.getCausal();
    k.causalOffset = op.getCausalOffset();
    k.scale = op.getScale().convertToFloat();
    k.fill = op.getMaskFill().convertToFloat();
    k.q = adaptor.getQuery();

    // The number of past rows (run time in a static cache) and of keys.
    if (k.staticCache) {
      Value l = tensor::ExtractOp::create(b, adaptor.getPastLength(),
                                          ValueRange{k.idx(0)});
      l = arith::IndexCastOp::create(b, b.getIndexType(), l);
      k.L = k.maxI(k.idx(0), k.minI(l, k.idx(k.P - k.Skv)));
      k.T = k.add(k.L, k.idx(k.Skv));
    } else {
      k.L = k.idx(k.P);
      k.T = k.idx(k.Tcap);
    }

    Value key = adaptor.getKey(), value = adaptor.getValue();
    Value pastKey = adaptor.getPastKey(), pastValue = adaptor.getPastValue();
    Value lIdx = k.L;
    int64_t skv = k.Skv, p = k.P, dk = k.Dk, dv = k.Dv;
    bool sc = k.staticCache;
    // Kᵀ [B, G, Dk, Tpad] and V [B, G, Tpad, Dv], zero past T. Without a
    // past and with whole key blocks, V is read where it is and Kᵀ is a
    // plain transpose (which the CPU code generation vectorizes).
    if (!sc && !pastKey && !pastValue && k.Tpad == skv) {
      auto f32 = b.getF32Type();
      Value key4 = tensor::ExpandShapeOp::create(
          b, RankedTensorType::get({k.B, skv, k.G, dk}, f32), key,
          ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
      Value init = tensor::EmptyOp::create(
          b, ArrayRef<int64_t>{k.B, k.G, dk, skv}, f32);
      k.kt = linalg::TransposeOp::create(b, key4, init,
                                         ArrayRef<int64_t>{0, 2, 3, 1})
                 .getResult()[0];
      k.vt = value;
      k.vDirect = true;
    } else {
      k.kt = generate(b, {k.B, k.G, k.Dk, k.Tpad},
                      [&](OpBuilder &nb, Location loc, ValueRange iv) {
                        return keyOrValue(nb, loc, key, pastKey, dk, skv, p,
                                          sc, lIdx, iv[0], iv[1], iv[3], iv[2]);
                      });
      k.vt = generate(b, {k.B, k.G, k.Tpad, k.Dv},
                      [&](OpBuilder &nb, Location loc, ValueRange iv) {
                        return keyOrValue(nb, loc, value, pastValue, dv, skv,
                                          p, sc, lIdx, iv[0], iv[1], iv[2],
                                          iv[3]);
                      });
    }

    // The mask as f32 [mb, mh, mq, mk] (booleans as 1 = keep, 0 = put the
    // fill); a key dimension that is not a whole number of blocks is padded
    // (those keys are cut off by the bound T), so every read is in bounds.
    if (Value m = adaptor.getMask()) {
      auto mt = cast<RankedTensorType>(m.getType());
      int64_t lead = 4 - mt.getRank();
      SmallVector<int64_t> shape(lead, 1);
      llvm::append_range(shape, mt.getShape());
      bool isBool = mt.getElementType().isInteger(1);
      int64_t mk = shape[3];
      bool pad = mk != 1 && mk % k.Bc != 0;
      if (isBool || pad || lead > 0) {
        SmallVector<int64_t> padded = shape;
        if (pad)
          padded[3] = roundUp(mk, k.Bc);
        Value src = m;
        m = generate(b, padded, [&](OpBuilder &nb, Location loc,
                                    ValueRange iv) {
          ImplicitLocOpBuilder ib(loc, nb);
          SmallVector<Value> at(iv.drop_front(lead));
          Value zero = arith::ConstantOp::create(ib, ib.getF32Type(),
                                                 ib.getF32FloatAttr(0));
          Value inside;
          if (pad && !at.empty()) {
            Value last = at.back();
            inside = arith::CmpIOp::create(
                ib, arith::CmpIPredicate::slt, last,
                arith::ConstantIndexOp::create(ib, mk));
            at.back() = arith::MinSIOp::create(
                ib, last, arith::ConstantIndexOp::create(ib, mk - 1));
          }
          Value v = tensor::ExtractOp::create(ib, src, at);
          if (isBool)
            v = arith::SelectOp::create(
                ib, v,
                arith::ConstantOp::create(ib, ib.getF32Type(),
                                          ib.getF32FloatAttr(1)),
                zero);
          if (inside)
            v = arith::SelectOp::create(ib, inside, v, zero);
          return v;
        });
        shape = padded;
      }
      k.mask = m;
      k.maskShape = shape;
      k.boolMask = isBool;
    }

    Value out = tensor::EmptyOp::create(
        b, ArrayRef<int64_t>{k.B, k.SqPad, k.H * k.Dv}, b.getF32Type());
    out = buildLoops(k, out);
    if (k.SqPad != k.Sq) {
      SmallVector<OpFoldResult> offsets(3, b.getIndexAttr(0)),
          strides(3, b.getIndexAttr(1));
      SmallVector<OpFoldResult> sizes = {b.getIndexAttr(k.B),
                                         b.getIndexAttr(k.Sq),
                                         b.getIndexAttr(k.H * k.Dv)};
      out = tensor::ExtractSliceOp::create(
          b, RankedTensorType::get({k.Sq}, b.getF32Type()).clone(
                 ArrayRef<int64_t>{k.B, k.Sq, k.H * k.Dv}),
          out, offsets, sizes, strides);
    }
    SmallVector<Value> results = {out};
    if (op.getPresentKey()) {
      int64_t t = k.Tcap;
      results.push_back(
          generate(b, {k.B, k.G, t, k.Dk},
                   [&](OpBuilder &nb, Location loc, ValueRange iv) {
                     return keyOrValue(nb, loc, key, pastKey, dk, skv, p, sc,
                                       lIdx, iv[0], iv[1], iv[2], iv[3]);
                   }));
      results.push_back(
          generate(b, {k.B, k.G, t, k.Dv},
                   [&](OpBuilder &nb, Location loc, ValueRange iv) {
                     return keyOrValue(nb, loc, value, pastValue, dv, skv, p,
                                       sc, lIdx, iv[0], iv[1], iv[2], iv[3]);
                   }));
    }
    rewriter.replaceOp(op, results);
    return success();
  }

  static Value buildLoops(Kernel &k, Value out) {
    ImplicitLocOpBuilder &b = k.builder();
    int64_t groups = k.H / k.G;
    // The probabilities of one block, [Br, Bc] per head (heads may run on
    // threads), reused by every block.
    Value scratch = tensor::EmptyOp::create(
        b, ArrayRef<int64_t>{k.H, k.Br, k.Bc}, b.getF32Type());
    auto forB = scf::ForOp::create(
        b, k.idx(0), k.idx(k.B), k.idx(1), ValueRange{out, scratch},
        [&](OpBuilder &b1, Location l1, Value bi, ValueRange o1) {
          auto forH = scf::ForOp::create(
              b1, l1, arith::ConstantIndexOp::create(b1, l1, 0),
              arith::ConstantIndexOp::create(b1, l1, k.H),
              arith::ConstantIndexOp::create(b1, l1, 1), o1,
              [&](OpBuilder &b2, Location l2, Value h, ValueRange o2) {
                auto forI = scf::ForOp::create(
                    b2, l2, arith::ConstantIndexOp::create(b2, l2, 0),
                    arith::ConstantIndexOp::create(b2, l2, k.SqPad),
                    arith::ConstantIndexOp::create(b2, l2, k.Br), o2,
                    [&](OpBuilder &b3, Location l3, Value i0, ValueRange o3) {
                      ImplicitLocOpBuilder ib(l3, b3);
                      Kernel kk = k.at(ib);
                      kk.head = h;
                      Value g = arith::DivUIOp::create(
                          ib, h, arith::ConstantIndexOp::create(ib, groups));
                      auto [res, scr] =
                          queryBlock(kk, o3[0], o3[1], bi, h, g, i0);
                      scf::YieldOp::create(ib, ValueRange{res, scr});
                    });
                scf::YieldOp::create(b2, l2, forI.getResults());
              });
          // Heads are independent (disjoint output columns, their own
          // scratch): with --threads they run as an OpenMP loop.
          forH->setAttr("facet.parallel", b1.getUnitAttr());
          scf::YieldOp::create(b1, l1, forH.getResults());
        });
    return forB.getResult(0);
  }

  /// One block of Br query rows from i0: all key blocks, then the result.
  static std::pair<Value, Value> queryBlock(Kernel &k, Value out,
                                            Value scratch, Value bi, Value h,
                                            Value g, Value i0) {
    ImplicitLocOpBuilder &b = k.builder();
    SmallVector<Value> rows, rowsClamped;
    for (int64_t r = 0; r < k.Br; ++r) {
      Value row = k.add(i0, k.idx(r));
      rows.push_back(row);
      rowsClamped.push_back(k.minI(row, k.idx(k.Sq - 1)));
    }
    // Key blocks: [0, nFull) need no mask but an additive one; [nFull,
    // nEnd) need the causal select and/or the bound T; [nEnd, nAll) are
    // wholly causally masked.
    Value nAll = k.ceilDiv(k.T, k.Bc);
    Value nFull, nEnd;
    Value off = k.add(k.L, k.idx(k.causalOffset)); // visible: j <= i + off
    if (k.causal) {
      Value firstEnd = k.minI(k.T, k.add(k.add(i0, off), k.idx(1)));
      Value lastEnd = k.minI(k.T, k.add(k.add(i0, off), k.idx(k.Br)));
      nFull = k.floorDiv(firstEnd, k.Bc);
      nEnd = k.ceilDiv(lastEnd, k.Bc);
    } else {
      nFull = k.floorDiv(k.T, k.Bc);
      nEnd = nAll;
    }
    auto chunks = chunksOf(k.Dv, k.lanes);
    int64_t nChunks = chunks.size();
    RowState init;
    init.scratch = scratch;
    for (int64_t r = 0; r < k.Br; ++r) {
      init.m.push_back(k.fconst(-std::numeric_limits<float>::infinity()));
      init.l.push_back(k.fconst(0));
      SmallVector<Value> acc;
      for (auto [off, width] : chunks)
        acc.push_back(k.splat(k.fconst(0), width));
      init.acc.push_back(acc);
    }

    auto keyLoop = [&](Value lb, Value ub, RowState st, int phase) {
      auto loop = scf::ForOp::create(
          b, lb, ub, k.idx(1), st.flat(),
          [&](OpBuilder &nb, Location loc, Value jb, ValueRange state) {
            ImplicitLocOpBuilder ib(loc, nb);
            Kernel kk = k.at(ib);
            RowState cur = RowState::unflat(state, kk.Br, nChunks);
            Value j0 = arith::MulIOp::create(ib, jb, kk.idx(kk.Bc));
            SmallVector<Value> s;
            Value jv;
            if (phase > 0) {
              Value step = vector::StepOp::create(
                  ib, VectorType::get({kk.Bc}, ib.getIndexType()));
              jv = arith::AddIOp::create(
                  ib, step,
                  vector::BroadcastOp::create(
                      ib, VectorType::get({kk.Bc}, ib.getIndexType()), j0));
            }
            if (phase < 2) {
              s = scores(kk, rowsClamped, bi, h, g, j0);
            } else {
              for (int64_t r = 0; r < kk.Br; ++r)
                s.push_back(kk.splat(kk.fconst(kk.fill), kk.Bc));
            }
            auto idxVec = [&](Value v) {
              return vector::BroadcastOp::create(
                  ib, VectorType::get({kk.Bc}, ib.getIndexType()), v);
            };
            for (int64_t r = 0; r < kk.Br; ++r) {
              if (phase == 1 && kk.causal) {
                Value limit = kk.add(rows[r], off);
                Value masked = arith::CmpIOp::create(
                    ib, arith::CmpIPredicate::sgt, jv, idxVec(limit));
                s[r] = arith::SelectOp::create(
                    ib, masked, kk.splat(kk.fconst(kk.fill), kk.Bc), s[r]);
              }
              if (kk.mask && kk.boolMask) {
                Value keep = arith::CmpFOp::create(
                    ib, arith::CmpFPredicate::ONE,
                    kk.maskBlock(bi, h, rowsClamped[r], j0),
                    kk.splat(kk.fconst(0), kk.Bc));
                s[r] = arith::SelectOp::create(
                    ib, keep, s[r], kk.splat(kk.fconst(kk.fill), kk.Bc));
              } else if (kk.mask) {
                s[r] = arith::AddFOp::create(
                    ib, s[r], kk.maskBlock(bi, h, rowsClamped[r], j0));
              }
              if (phase > 0) {
                Value past = arith::CmpIOp::create(
                    ib, arith::CmpIPredicate::sge, jv, idxVec(kk.T));
                s[r] = arith::SelectOp::create(
                    ib, past,
                    kk.splat(
                        kk.fconst(-std::numeric_limits<float>::infinity()),
                        kk.Bc),
                    s[r]);
              }
            }
            RowState next;
            if (phase < 2) {
              next = update(kk, cur, s, bi, g, j0);
            } else {
              // Only if some row could see a contribution.
              Value any;
              for (int64_t r = 0; r < kk.Br; ++r) {
                Value mb = vector::ReductionOp::create(
                    ib, vector::CombiningKind::MAXNUMF, s[r]);
                // exp(mb - m) > 0 iff mb - m > -103.9 (f32); computed as a
                // difference, which is exact where m and mb are huge.
                Value gap = arith::SubFOp::create(ib, mb, cur.m[r]);
                Value c = arith::CmpFOp::create(
                    ib, arith::CmpFPredicate::OGT, gap, kk.fconst(-110.0f));
                any = any ? arith::OrIOp::create(ib, any, c).getResult() : c;
              }
              SmallVector<Type> types;
              for (Value v : state)
                types.push_back(v.getType());
              auto ifOp = scf::IfOp::create(ib, types, any, true);
              {
                OpBuilder::InsertionGuard guard(ib);
                ib.setInsertionPointToStart(&ifOp.getThenRegion().front());
                Kernel k2 = kk.at(ib);
                RowState upd = update(k2, cur, s, bi, g, j0);
                scf::YieldOp::create(ib, upd.flat());
                ib.setInsertionPointToStart(&ifOp.getElseRegion().front());
                scf::YieldOp::create(ib, state);
              }
              next = RowState::unflat(ifOp.getResults(), kk.Br, nChunks);
            }
            scf::YieldOp::create(ib, next.flat());
          });
      return RowState::unflat(loop.getResults(), k.Br, nChunks);
    };

    RowState st = keyLoop(k.idx(0), nFull, init, 0);
    st = keyLoop(nFull, nEnd, st, 1);
    if (k.causal && k.mask && std::isfinite(k.fill))
      st = keyLoop(nEnd, nAll, st, 2);

    Value zero = k.fconst(0);
    Value col = k.mul(h, k.idx(k.Dv));
    for (int64_t r = 0; r < k.Br; ++r) {
      Value pos = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, st.l[r],
                                        zero);
      Value inv = arith::SelectOp::create(
          b, pos, arith::DivFOp::create(b, k.fconst(1), st.l[r]), zero);
      for (auto [c, chunk] : llvm::enumerate(chunks)) {
        Value o = arith::MulFOp::create(b, st.acc[r][c],
                                        k.splat(inv, chunk.second));
        out = vector::TransferWriteOp::create(
                  b, o, out,
                  ValueRange{bi, rows[r], k.add(col, k.idx(chunk.first))},
                  ArrayRef<bool>{true})
                  .getResult();
      }
    }
    return {out, st.scratch};
  }
};

} // namespace

void facet::populateAttentionLoweringPatterns(RewritePatternSet &patterns,
                                              int64_t vectorLanes) {
  patterns.add<AttentionLowering>(patterns.getContext(),
                                  std::max<int64_t>(4, vectorLanes));
}
