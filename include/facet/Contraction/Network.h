//===- Network.h - Tensor networks and their contraction order --*- C++ -*-===//
//
// A factorized weight applied to an activation is a small tensor network: an
// einsum equation over the activation and the cores. This library (plain
// C++17, no MLIR) parses the equations, searches the cheapest pairwise
// contraction order for the actual index sizes, and evaluates networks on
// constant data (for densifying and merging cores at compile time).
//
// No library does the order search for us in C++ (opt_einsum is Python), so
// it is written here: exact dynamic programming over subsets for up to
// `kMaxExactOperands` operands, greedy beyond. See docs/Factor.md.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CONTRACTION_NETWORK_H
#define FACET_CONTRACTION_NETWORK_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace facet::contraction {

/// An einsum equation "mk,kr,rn->mn": one subscript per operand and one for
/// the result, each a string of index letters [a-zA-Z].
struct Equation {
  std::vector<std::string> inputs;
  std::string output;

  std::string str() const;
};

/// Parses `text` into `eq`. Checks the syntax only: letters, commas, exactly
/// one "->", no index repeated within one subscript. Returns "" on success,
/// else what is wrong.
std::string parseEquation(const std::string &text, Equation &eq);

/// Checks an equation against operand shapes: one subscript per shape with
/// one letter per dimension, every letter of the same size wherever it
/// appears, every output letter present in some input, and every input
/// letter either in the output or in at least two inputs (an index summed
/// within a single operand is no factorization). On success fills `sizes`
/// (letter -> size) and returns "", else the message.
std::string checkEquation(const Equation &eq,
                          const std::vector<std::vector<int64_t>> &shapes,
                          std::vector<std::pair<char, int64_t>> &sizes);

/// The size of `letter` in `sizes` (0 when absent).
int64_t sizeOf(const std::vector<std::pair<char, int64_t>> &sizes,
               char letter);

/// How expensive a pairwise contraction is. Each step costs
///   2·(multiply-adds) + memoryWeight·(elements read + elements written),
/// i.e. FLOPs plus memory traffic expressed in FLOP-equivalents. The default
/// (8 FLOPs per fp32 element moved, 2 per byte) is the balance of one core
/// that does ~100 GFLOP/s against ~50 GB/s from L2/L3.
///
/// Two optional terms make it the cost of Facet's CPU GEMMs (off by default,
/// where the search is target-independent; `facet-compile` sets them from
/// the target; measured in docs/Factor.md). Both apply to steps of the
/// run-time operand (operand 0 and what it was contracted with) with a
/// constant, the steps that become packed GEMMs x[M, K] · W[K, N]:
///  - `panelWidth` P: N (the constant's letters kept in the result) is
///    computed in whole panels of P columns, N rounded up to a multiple;
///  - `halfRateK` h: a reduction of length K runs at K / (K + h) of the
///    FLOP rate of a long one (each output's accumulators are set up and
///    stored once per K multiply-adds).
///
/// `keepConstantsSmall` (default on): the lowering contracts a step between
/// two constants at compile time, so its result is what the compiled model
/// stores; such a step whose result has more elements than its two operands
/// is priced out (×1e6), so a model holds no more weights than its cores
/// (what the factorizer's report counts).
struct CostModel {
  double memoryWeight = 8.0;
  int64_t panelWidth = 1;
  double halfRateK = 0;
  bool keepConstantsSmall = true;
};

/// One pairwise step in opt_einsum's convention: operands `lhs` and `rhs` of
/// the current list are removed (lhs < rhs) and their result appended.
struct Step {
  int lhs = 0;
  int rhs = 0;
};

/// A full contraction order with its cost under a `CostModel`.
struct Path {
  std::vector<Step> steps;
  double flops = 0;   ///< 2 × multiply-adds over all steps
  double traffic = 0; ///< elements read and written over all steps
  double cost = 0;    ///< flops (with the GEMM terms) + memoryWeight × traffic
  /// Elements of the run-time operand the lowering to GEMMs transposes
  /// (transposedElements); not part of `cost`.
  double transposed = 0;
  /// Subscript of each step's result, in the order the lowering produces.
  std::vector<std::string> intermediates;
};

/// Networks up to this many operands are searched exactly (3^n subsets).
constexpr int kMaxExactOperands = 10;

/// The cheapest order for `eq` with letter sizes `sizes` (as filled by
/// checkEquation): exact DP over subsets up to kMaxExactOperands operands,
/// greedy (cheapest next step) beyond or when `greedy` is set.
Path searchOrder(const Equation &eq,
                 const std::vector<std::pair<char, int64_t>> &sizes,
                 const CostModel &model = {}, bool greedy = false);

/// The cost of a given order (e.g. one read back from the IR). Returns an
/// empty message and fills `path` (steps kept) on success; a step out of
/// range or an incomplete order is an error.
std::string evaluateOrder(const Equation &eq,
                          const std::vector<std::pair<char, int64_t>> &sizes,
                          const std::vector<Step> &steps,
                          const CostModel &model, Path &path);

/// The letters of the result of contracting subscripts `a` and `b` when the
/// letters in `keep` are still needed afterwards: a's kept letters in a's
/// order, then b's kept letters not in a, in b's order.
std::string pairResult(const std::string &a, const std::string &b,
                       const std::string &keep);

/// How the lowering makes a step of a run-time operand `a` with a constant
/// `c` one GEMM x[M, K] · W[K, N]: M = a's letters not in c, K = the letters
/// both share, N = c's other letters (each in its operand's order). `gemm`
/// is false when a shared letter is still needed afterwards (in `keep`: a
/// batch index) or nothing is contracted; the step is then a generic loop.
struct GemmSplit {
  bool gemm = false;
  std::string freeA, contracted, freeB;
};
GemmSplit splitAsGemm(const std::string &a, const std::string &c,
                      const std::string &keep);

/// Elements of the run-time operand that the lowering to GEMMs
/// (convert-factor-to-linalg) transposes along `steps`: before each step of
/// the activation with a constant whose contracted letters are not its last
/// ones, and at the end when the result's letters are not in `eq.output`'s
/// order. Operand 0 is the activation. (Path::transposed of evaluateOrder.)
double transposedElements(const Equation &eq,
                          const std::vector<std::pair<char, int64_t>> &sizes,
                          const std::vector<Step> &steps);

/// Evaluates a whole network on dense row-major data in double precision,
/// contracting pairwise in the order `steps` (searchOrder's if empty).
/// `operands[i]` has the shape given by its subscript and `sizes`.
/// Returns the result laid out by `eq.output`.
std::vector<double>
evaluate(const Equation &eq, const std::vector<std::pair<char, int64_t>> &sizes,
         const std::vector<std::vector<double>> &operands,
         const std::vector<Step> &steps = {});

/// Contracts two dense tensors: out[result] = Σ a[sa]·b[sb] over the letters
/// not in `result`. All letters of `result` must occur in sa or sb.
std::vector<double>
contractPair(const std::string &sa, const std::vector<double> &a,
             const std::string &sb, const std::vector<double> &b,
             const std::string &result,
             const std::vector<std::pair<char, int64_t>> &sizes);

/// Permutes dense data from subscript `from` to subscript `to` (same letters).
std::vector<double>
permute(const std::string &from, const std::vector<double> &data,
        const std::string &to,
        const std::vector<std::pair<char, int64_t>> &sizes);

} // namespace facet::contraction

#endif // FACET_CONTRACTION_NETWORK_H
