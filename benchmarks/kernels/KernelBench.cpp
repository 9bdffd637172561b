//===- KernelBench.cpp - Facet vs Eigen vs peak, one process --------------===//
//
// Times, side by side in one process and on one thread:
//   peak      an FMA loop with independent accumulators (the machine's
//             single-core fp32 peak, AVX-512 or AVX2 as compiled for);
//   facet_nn  a library from facet-compile for y = MatMul(x[M,K], W[K,N]);
//   facet_nt  the same with W stored as [N,K] and Gemm(transB=1), which is
//             what torch exports for nn.Linear;
//   eigen_nn  C.noalias() = A * B, all row-major;
//   eigen_nt  C.noalias() = A * Bt.transpose().
// Every Facet library is checked against Eigen before anything is timed.
//
//   facet-kernel-bench [--benchmark_...] MANIFEST
//
// MANIFEST has one line per shape: "M K N W.npy NN.so NT.so", where W.npy is
// the [K,N] float32 weight both libraries were compiled with (NT.so holds its
// transpose). benchmarks/kernels.py writes it and reads the JSON output.
//
//===----------------------------------------------------------------------===//

#include "facet/Runtime/ModelLibrary.h"

#include <Eigen/Core>
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace facet::runtime;

namespace {

using RowMajor =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Map = Eigen::Map<RowMajor, Eigen::Aligned64>;

//===----------------------------------------------------------------------===//
// Peak: kAcc independent FMA chains, enough to cover latency x throughput.
//===----------------------------------------------------------------------===//

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
Vec splat(float v) { return _mm512_set1_ps(v); }
Vec fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int kLanes = 8;
Vec splat(float v) { return _mm256_set1_ps(v); }
Vec fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
#else
#error "facet-kernel-bench needs AVX2+FMA or AVX-512 (-march=native)"
#endif

constexpr int kAcc = 12;
constexpr long kPeakSteps = 1 << 20;

float fmaLoop() {
  Vec acc[kAcc];
  for (int j = 0; j < kAcc; ++j)
    acc[j] = splat(0.001f * j);
  Vec b = splat(0.9999f), c = splat(1e-5f);
  // Opaque operands: the chains cannot be folded or hoisted.
  asm volatile("" : "+v"(b), "+v"(c));
  for (long i = 0; i < kPeakSteps; ++i)
    for (int j = 0; j < kAcc; ++j)
      acc[j] = fmadd(acc[j], b, c);
  // Every lane is used, so no compiler can narrow the vectors.
  float sum = 0;
  for (int j = 0; j < kAcc; ++j) {
    float lanes[kLanes];
    std::memcpy(lanes, &acc[j], sizeof(lanes));
    for (float v : lanes)
      sum += v;
  }
  return sum;
}

void setFlops(benchmark::State &state, double flopsPerIteration) {
  state.counters["GFLOPS"] = benchmark::Counter(
      flopsPerIteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void benchPeak(benchmark::State &state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(fmaLoop());
  setFlops(state, 2.0 * kAcc * kLanes * kPeakSteps);
}

//===----------------------------------------------------------------------===//
// One shape: its buffers, the two Facet libraries and the Eigen products.
//===----------------------------------------------------------------------===//

struct AlignedFree {
  void operator()(float *p) const { std::free(p); }
};
using Buffer = std::unique_ptr<float[], AlignedFree>;

Buffer allocate(long n) {
  size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  return Buffer(static_cast<float *>(std::aligned_alloc(64, bytes)));
}

struct Shape {
  long m, k, n;
  Buffer x, w, wt, y; // x [M,K], w [K,N], wt [N,K], y [M,N]
  std::unique_ptr<ModelLibrary> nn, nt;

  Map X() const { return Map(x.get(), m, k); }
  Map W() const { return Map(w.get(), k, n); }
  Map Wt() const { return Map(wt.get(), n, k); }
  Map Y() const { return Map(y.get(), m, n); }
  double flops() const { return 2.0 * m * k * n; }
  std::string name() const {
    return std::to_string(m) + "x" + std::to_string(k) + "x" +
           std::to_string(n);
  }
  void eigenNN() const { Y().noalias() = X() * W(); }
  void eigenNT() const { Y().noalias() = X() * Wt().transpose(); }
  int32_t facet(const ModelLibrary &lib) const {
    const void *in[] = {x.get()};
    void *out[] = {y.get()};
    return lib.runRaw(in, out);
  }
};

bool fail(const std::string &message) {
  std::fprintf(stderr, "facet-kernel-bench: %s\n", message.c_str());
  return false;
}

bool openLibrary(const std::string &path, const Shape &s,
                 std::unique_ptr<ModelLibrary> &lib) {
  std::string error;
  lib = ModelLibrary::open(path, error);
  if (!lib)
    return fail(path + ": " + error);
  const auto &in = lib->inputs(), &out = lib->outputs();
  if (in.size() != 1 || out.size() != 1 || in[0].dtype != FACET_DTYPE_FLOAT ||
      out[0].dtype != FACET_DTYPE_FLOAT ||
      in[0].shape != std::vector<int64_t>{s.m, s.k} ||
      out[0].shape != std::vector<int64_t>{s.m, s.n})
    return fail(path + ": expected float32 [" + std::to_string(s.m) + "," +
                std::to_string(s.k) + "] -> [" + std::to_string(s.m) + "," +
                std::to_string(s.n) + "]");
  return true;
}

/// max |facet - eigen| / max |eigen| over the output.
double relativeError(const RowMajor &facet, const RowMajor &eigen) {
  double scale = std::max(eigen.cwiseAbs().maxCoeff(), 1e-30f);
  return (facet - eigen).cwiseAbs().maxCoeff() / scale;
}

bool loadShape(const std::string &line, Shape &s, double tolerance) {
  std::istringstream fields(line);
  std::string wPath, nnPath, ntPath;
  if (!(fields >> s.m >> s.k >> s.n >> wPath >> nnPath >> ntPath))
    return fail("bad manifest line: " + line);
  Tensor w;
  Status status = readNpy(wPath, w);
  if (!status)
    return fail(status.message);
  if (w.dtype != FACET_DTYPE_FLOAT || w.shape != std::vector<int64_t>{s.k, s.n})
    return fail(wPath + ": expected float32 [K,N]");

  s.x = allocate(s.m * s.k);
  s.w = allocate(s.k * s.n);
  s.wt = allocate(s.n * s.k);
  s.y = allocate(s.m * s.n);
  std::copy_n(reinterpret_cast<const float *>(w.data.data()), s.k * s.n,
              s.w.get());
  s.Wt() = s.W().transpose();
  std::mt19937 gen(42);
  std::normal_distribution<float> normal;
  std::generate_n(s.x.get(), s.m * s.k, [&] { return normal(gen); });
  if (!openLibrary(nnPath, s, s.nn) || !openLibrary(ntPath, s, s.nt))
    return false;

  s.eigenNN();
  RowMajor reference = s.Y();
  for (auto *lib : {s.nn.get(), s.nt.get()}) {
    s.Y().setZero();
    if (s.facet(*lib) != 0)
      return fail(s.name() + ": facet_run failed");
    double err = relativeError(s.Y(), reference);
    std::printf("check %s %s: max rel error vs Eigen %.2e\n", s.name().c_str(),
                lib == s.nn.get() ? "nn" : "nt", err);
    if (!(err <= tolerance))
      return fail(s.name() + ": Facet result differs from Eigen");
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr,
                 "usage: facet-kernel-bench [--benchmark_...] "
                 "MANIFEST\n  MANIFEST lines: M K N W.npy NN.so NT.so\n");
    return 2;
  }
  std::ifstream manifest(argv[1]);
  if (!manifest) {
    fail(std::string("cannot read ") + argv[1]);
    return 1;
  }

  std::vector<std::unique_ptr<Shape>> shapes;
  for (std::string line; std::getline(manifest, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    shapes.push_back(std::make_unique<Shape>());
    if (!loadShape(line, *shapes.back(), /*tolerance=*/1e-4))
      return 1;
  }

  benchmark::RegisterBenchmark("peak", benchPeak)->UseRealTime();
  for (const auto &owned : shapes) {
    const Shape *s = owned.get();
    auto add = [&](const char *kind, auto body) {
      benchmark::RegisterBenchmark(
          (std::string(kind) + "/" + s->name()).c_str(),
          [s, body](benchmark::State &state) {
            body(); // Untimed: warm caches after the interleaved others.
            for (auto _ : state) {
              body();
              benchmark::ClobberMemory();
            }
            setFlops(state, s->flops());
          })
          ->UseRealTime();
    };
    add("facet_nn", [s] { s->facet(*s->nn); });
    add("facet_nt", [s] { s->facet(*s->nt); });
    add("eigen_nn", [s] { s->eigenNN(); });
    add("eigen_nt", [s] { s->eigenNT(); });
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
