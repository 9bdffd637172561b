//===- DecompBench.cpp - Time and error of every FacetDecomp format -------===//
//
// facet-decomp-bench [--quick] [--npy NAME=W.npy]... [--json FILE]
//   Runs every format on 768x3072 and 4096x4096 weights with a decaying
//   spectrum (σ_i ∝ i^-0.5 plus 1 % noise), and on the given .npy weights, at
//   equal parameter counts (η = 1/8 and 1/32), and prints time and ε.
// facet-decomp-bench gen --out DIR
//   Writes the synthetic weights as .npy (for crosscheck_tensorly.py).
// facet-decomp-bench run --input W.npy --format F --budget N [--svd
//     exact|randomized] [--max-iter N] [--tol T]
//   One factorization; prints one JSON line (ranks, params, time, ε).
//   F: svd, rsvd, kron, cp, tucker, tt, ttm. The matrix becomes a 4-way
//   tensor [a, b, c, d] (m = a·b, n = c·d) for cp, tucker and tt, a TT-matrix
//   with 3 row and 3 column factors for ttm, and Kronecker factors of about
//   √m × √n for kron; the chosen shapes are in the JSON.
//
// Single-threaded on purpose (EIGEN_DONT_PARALLELIZE): the numbers are per
// core.
//
//===----------------------------------------------------------------------===//

#include "facet/Decomp/Decomp.h"

#include <Eigen/QR>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace facet::decomp;

namespace {

using Matrix = RowMatrix<float>;

//===----------------------------------------------------------------------===//
// .npy files (version 1/2, little-endian <f4 or <f8, C order, 2-d)
//===----------------------------------------------------------------------===//

bool readNpy(const std::string &path, Matrix &out, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path;
    return false;
  }
  char magic[8];
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    error = path + " is not a .npy file";
    return false;
  }
  uint32_t headerLen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char *>(b), 2);
    headerLen = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char *>(b), 4);
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  }
  std::string header(headerLen, '\0');
  in.read(header.data(), headerLen);
  bool isF4 = header.find("'<f4'") != std::string::npos;
  bool isF8 = header.find("'<f8'") != std::string::npos;
  if ((!isF4 && !isF8) ||
      header.find("'fortran_order': False") == std::string::npos) {
    error =
        path + ": needs a C-order float32 or float64 array, header " + header;
    return false;
  }
  size_t open = header.find("'shape': (");
  if (open == std::string::npos) {
    error = path + ": no shape in header";
    return false;
  }
  int64_t rows = 0, cols = 0;
  if (std::sscanf(header.c_str() + open + 10, "%ld, %ld", &rows, &cols) != 2) {
    error = path + ": needs a 2-d array, header " + header;
    return false;
  }
  out.resize(rows, cols);
  if (isF4) {
    in.read(reinterpret_cast<char *>(out.data()), out.size() * 4);
  } else {
    std::vector<double> buffer(out.size());
    in.read(reinterpret_cast<char *>(buffer.data()), buffer.size() * 8);
    for (int64_t i = 0; i < out.size(); ++i)
      out.data()[i] = static_cast<float>(buffer[i]);
  }
  if (!in) {
    error = path + ": truncated data";
    return false;
  }
  return true;
}

void writeNpy(const std::string &path, const Matrix &m) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(m.rows()) + ", " +
                       std::to_string(m.cols()) + "), }";
  // Magic (6) + version (2) + length (2) + header + '\n', padded to 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = static_cast<uint16_t>(header.size());
  char lenBytes[2] = {char(len & 0xff), char(len >> 8)};
  out.write(lenBytes, 2);
  out.write(header.data(), header.size());
  out.write(reinterpret_cast<const char *>(m.data()), m.size() * 4);
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// U·diag(σ)·Vᵀ + noise with σ_i = i^-0.5 and Gaussian noise of 1 % of σ_1
/// per singular direction: the slowly decaying spectrum of trained
/// transformer weights, which is where low-rank formats struggle.
Matrix syntheticWeight(int64_t m, int64_t n, uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<float> normal;
  int64_t k = std::min(m, n);
  auto orthonormal = [&](int64_t rows) {
    Eigen::MatrixXf g(rows, k);
    for (int64_t i = 0; i < g.size(); ++i)
      g.data()[i] = normal(engine);
    Eigen::HouseholderQR<Eigen::MatrixXf> qr(g);
    return Eigen::MatrixXf(qr.householderQ() *
                           Eigen::MatrixXf::Identity(rows, k));
  };
  Eigen::MatrixXf u = orthonormal(m), v = orthonormal(n);
  Eigen::VectorXf sigma(k);
  for (int64_t i = 0; i < k; ++i)
    sigma[i] = std::pow(float(i + 1), -0.5f);
  Matrix w = u * sigma.asDiagonal() * v.transpose();
  float noise = 0.01f / std::sqrt(float(std::max(m, n)));
  for (int64_t i = 0; i < w.size(); ++i)
    w.data()[i] += noise * normal(engine);
  return w;
}

/// The divisor of n closest to `target` (the smaller one on ties).
int64_t divisorNear(int64_t n, double target) {
  int64_t best = 1;
  for (int64_t d = 1; d <= n; ++d)
    if (n % d == 0 && std::abs(d - target) < std::abs(best - target))
      best = d;
  return best;
}

/// n split into `parts` factors near n^(1/parts), largest last.
std::vector<int64_t> splitDim(int64_t n, int parts) {
  std::vector<int64_t> factors;
  int64_t rest = n;
  for (int left = parts; left > 1; --left) {
    int64_t f = divisorNear(rest, std::pow(double(rest), 1.0 / left));
    factors.push_back(f);
    rest /= f;
  }
  factors.push_back(rest);
  std::sort(factors.begin(), factors.end());
  return factors;
}

std::string listString(const std::vector<int64_t> &v, const char *sep = ",") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

//===----------------------------------------------------------------------===//
// One factorization
//===----------------------------------------------------------------------===//

struct Outcome {
  std::string format, layout, error;
  std::vector<int64_t> ranks;
  int64_t params = 0, dense = 0;
  double seconds = 0, relError = 0;
  int iterations = 0;
};

struct RunConfig {
  std::string format;
  int64_t budget = 0;
  SvdMethod svd = SvdMethod::Exact;
  int maxIterations = -1;
  double tolerance = -1;
};

Outcome runFormat(const Matrix &w, const RunConfig &config) {
  Outcome o;
  o.format = config.format;
  o.dense = w.size();
  Options options;
  options.svd = config.svd;
  if (config.maxIterations >= 0)
    options.maxIterations = config.maxIterations;
  if (config.tolerance > 0)
    options.tolerance = config.tolerance;
  Truncation trunc = Truncation::params(config.budget);
  std::vector<int64_t> rowsSplit = splitDim(w.rows(), 2),
                       colsSplit = splitDim(w.cols(), 2);
  std::vector<int64_t> shape4 = rowsSplit;
  shape4.insert(shape4.end(), colsSplit.begin(), colsSplit.end());
  auto asTensor = [&] {
    return Tensor<float>(shape4,
                         std::vector<float>(w.data(), w.data() + w.size()));
  };
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](auto &result, auto ranks, int iterations) {
    o.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (!result) {
      o.error = result.error();
      return;
    }
    o.params = result->numParams();
    o.relError = result->relError;
    o.ranks = ranks(*result);
    o.iterations = iterations;
  };
  if (config.format == "svd" || config.format == "rsvd") {
    o.layout = std::to_string(w.rows()) + "x" + std::to_string(w.cols());
    auto r = config.format == "svd" ? truncatedSvd(w, trunc, options)
                                    : randomizedSvd(w, trunc, options);
    finish(
        r,
        [](const LowRank<float> &f) { return std::vector<int64_t>{f.rank()}; },
        0);
  } else if (config.format == "kron") {
    int64_t m1 = rowsSplit[0], n1 = colsSplit[0];
    o.layout = std::to_string(m1) + "x" + std::to_string(n1) + " (x) " +
               std::to_string(w.rows() / m1) + "x" +
               std::to_string(w.cols() / n1);
    auto r = kroneckerSum(w, m1, n1, trunc, options);
    finish(
        r,
        [](const KroneckerSum<float> &f) {
          return std::vector<int64_t>{f.numTerms()};
        },
        0);
  } else if (config.format == "cp") {
    o.layout = listString(shape4, "x");
    Tensor<float> x = asTensor();
    auto r = cpAls(x, trunc, options);
    finish(
        r, [](const CP<float> &f) { return std::vector<int64_t>{f.rank()}; },
        r ? r->iterations : 0);
  } else if (config.format == "tucker") {
    o.layout = listString(shape4, "x");
    Tensor<float> x = asTensor();
    auto r = tucker(x, trunc, options);
    finish(
        r, [](const Tucker<float> &f) { return f.ranks(); },
        r ? r->iterations : 0);
  } else if (config.format == "tt") {
    o.layout = listString(shape4, "x");
    Tensor<float> x = asTensor();
    auto r = tensorTrain(x, trunc, options);
    finish(
        r, [](const TensorTrain<float> &f) { return f.ranks(); }, 0);
  } else if (config.format == "ttm") {
    std::vector<int64_t> rows = splitDim(w.rows(), 3),
                         cols = splitDim(w.cols(), 3);
    o.layout =
        "(" + listString(rows, "x") + ")x(" + listString(cols, "x") + ")";
    auto r = ttMatrix(w, rows, cols, trunc, options);
    finish(
        r, [](const TTMatrix<float> &f) { return f.ranks(); }, 0);
  } else {
    o.error = "unknown format " + config.format;
  }
  return o;
}

std::string toJson(const std::string &input, const Outcome &o) {
  std::ostringstream os;
  os.precision(8);
  os << "{\"input\": \"" << input << "\", \"format\": \"" << o.format
     << "\", \"layout\": \"" << o.layout << "\", \"ranks\": ["
     << listString(o.ranks, ", ") << "], \"params\": " << o.params
     << ", \"dense\": " << o.dense
     << ", \"eta\": " << double(o.params) / double(o.dense)
     << ", \"seconds\": " << o.seconds << ", \"rel_error\": " << o.relError
     << ", \"iterations\": " << o.iterations << ", \"error\": \"" << o.error
     << "\"}";
  return os.str();
}

//===----------------------------------------------------------------------===//
// Modes
//===----------------------------------------------------------------------===//

std::map<std::string, std::string> parseFlags(int argc, char **argv, int first,
                                              std::vector<std::string> &npys) {
  std::map<std::string, std::string> flags;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0)
      continue;
    std::string key = arg.substr(2), value = "1";
    if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0)
      value = argv[++i];
    if (key == "npy")
      npys.push_back(value);
    else
      flags[key] = value;
  }
  return flags;
}

int runOne(const std::map<std::string, std::string> &flags) {
  auto get = [&](const char *key, const char *fallback) {
    auto it = flags.find(key);
    return it == flags.end() ? std::string(fallback) : it->second;
  };
  Matrix w;
  std::string error;
  if (!readNpy(get("input", ""), w, error)) {
    std::fprintf(stderr, "facet-decomp-bench: %s\n", error.c_str());
    return 1;
  }
  RunConfig config;
  config.format = get("format", "svd");
  config.budget = std::stoll(get("budget", "0"));
  config.svd = get("svd", "exact") == "randomized" ? SvdMethod::Randomized
                                                   : SvdMethod::Exact;
  config.maxIterations = std::stoi(get("max-iter", "-1"));
  config.tolerance = std::stod(get("tol", "-1"));
  Outcome o = runFormat(w, config);
  std::printf("%s\n", toJson(get("input", ""), o).c_str());
  return o.error.empty() ? 0 : 1;
}

int generate(const std::map<std::string, std::string> &flags) {
  auto it = flags.find("out");
  std::string dir = it == flags.end() ? "." : it->second;
  writeNpy(dir + "/synthetic_768x3072.npy", syntheticWeight(768, 3072, 1));
  writeNpy(dir + "/synthetic_4096x4096.npy", syntheticWeight(4096, 4096, 2));
  std::printf("wrote %s/synthetic_768x3072.npy and synthetic_4096x4096.npy\n",
              dir.c_str());
  return 0;
}

int suite(const std::map<std::string, std::string> &flags,
          const std::vector<std::string> &npys) {
  bool quick = flags.count("quick");
  std::vector<std::pair<std::string, Matrix>> weights;
  weights.emplace_back("synthetic 768x3072", syntheticWeight(768, 3072, 1));
  if (!quick)
    weights.emplace_back("synthetic 4096x4096", syntheticWeight(4096, 4096, 2));
  for (const std::string &spec : npys) {
    size_t eq = spec.find('=');
    std::string name = eq == std::string::npos ? spec : spec.substr(0, eq);
    std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
    Matrix w;
    std::string error;
    if (!readNpy(path, w, error)) {
      std::fprintf(stderr, "facet-decomp-bench: %s\n", error.c_str());
      return 1;
    }
    weights.emplace_back(name, std::move(w));
  }
  std::ofstream json;
  if (flags.count("json"))
    json.open(flags.at("json"));

  std::printf("| weight | η target | format | layout | ranks | params | η | "
              "time (s) | ε |\n|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  for (const auto &[name, w] : weights) {
    bool big = w.size() > 8'000'000;
    // The randomized-SVD target: 4096x4096 to rank 256 on one core.
    if (w.rows() == 4096 && w.cols() == 4096) {
      RunConfig config{"rsvd", 256 * (4096 + 4096)};
      Outcome o = runFormat(w, config);
      std::printf("| %s | rank 256 | rsvd | %s | %s | %ld | %.4f | %.2f | "
                  "%.4f |\n",
                  name.c_str(), o.layout.c_str(), listString(o.ranks).c_str(),
                  long(o.params), double(o.params) / o.dense, o.seconds,
                  o.relError);
      if (json.is_open())
        json << toJson(name, o) << "\n";
    }
    for (int divisor : {8, 32}) {
      int64_t budget = w.size() / divisor;
      for (const char *format :
           {"svd", "rsvd", "kron", "tucker", "tt", "ttm", "cp"}) {
        RunConfig config{format, budget};
        std::string fmt = format;
        // Exact SVDs of 4096x4096 unfoldings take ~20 s each: sketch there.
        if (big && (fmt == "kron" || fmt == "tt" || fmt == "ttm"))
          config.svd = SvdMethod::Randomized;
        if (fmt == "tucker")
          config.maxIterations = 10;
        if (fmt == "cp") {
          // CP-ALS at ranks in the thousands is out of reach (and CP is the
          // weakest format on weights): only the small budget, small weights.
          if (big || divisor != 32)
            continue;
          config.maxIterations = 25;
          config.tolerance = 1e-4;
        }
        Outcome o = runFormat(w, config);
        std::string label = fmt;
        if (config.svd == SvdMethod::Randomized && fmt != "rsvd")
          label += " (rand)";
        if (!o.error.empty()) {
          std::printf("| %s | 1/%d | %s | error: %s |\n", name.c_str(), divisor,
                      label.c_str(), o.error.c_str());
          continue;
        }
        std::printf("| %s | 1/%d | %s | %s | %s | %ld | %.4f | %.2f | %.4f |\n",
                    name.c_str(), divisor, label.c_str(), o.layout.c_str(),
                    listString(o.ranks).c_str(), long(o.params),
                    double(o.params) / o.dense, o.seconds, o.relError);
        std::fflush(stdout);
        if (json.is_open())
          json << toJson(name, o) << "\n";
      }
    }
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> npys;
  if (argc > 1 && std::strcmp(argv[1], "run") == 0)
    return runOne(parseFlags(argc, argv, 2, npys));
  if (argc > 1 && std::strcmp(argv[1], "gen") == 0)
    return generate(parseFlags(argc, argv, 2, npys));
  std::map<std::string, std::string> flags = parseFlags(argc, argv, 1, npys);
  if (flags.count("help") || flags.count("h")) {
    std::printf("usage: facet-decomp-bench [--quick] [--npy NAME=W.npy]... "
                "[--json FILE]\n"
                "       facet-decomp-bench gen --out DIR\n"
                "       facet-decomp-bench run --input W.npy --format "
                "svd|rsvd|kron|cp|tucker|tt|ttm --budget N [--svd "
                "exact|randomized] [--max-iter N] [--tol T]\n");
    return 0;
  }
  return suite(flags, npys);
}
