// Timing harness: calls the compiled kernel  void mm_kernel(float* x, float* w, float* out)
// x[M][K]; w[K][N] (TRANSB=0) or w[N][K] (TRANSB=1); out[M][N]. Bare-pointer memref ABI.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>
#include <algorithm>
extern "C" void mm_kernel(float*, float*, float*);
int main(int argc, char** argv) {
  const long M = MM_M, K = MM_K, N = MM_N;
  float* x = (float*)aligned_alloc(64, sizeof(float) * M * K);
  float* w = (float*)aligned_alloc(64, sizeof(float) * K * N);
  float* o = (float*)aligned_alloc(64, sizeof(float) * M * N);
  srand(1);
  for (long i = 0; i < M * K; ++i) x[i] = (rand() % 17 - 8) / 8.0f;
  for (long i = 0; i < K * N; ++i) w[i] = (rand() % 13 - 6) / 8.0f;
#ifdef PACKED
  // compile-time pre-packing emulated: w[K][N] -> wp[N/PACKED][K][PACKED]
  float* wp = (float*)aligned_alloc(64, sizeof(float) * K * N);
  for (long b = 0; b < N / PACKED; ++b) for (long k = 0; k < K; ++k) for (long j = 0; j < PACKED; ++j)
    wp[(b * K + k) * PACKED + j] = w[k * N + b * PACKED + j];
  float* wk = wp;
#else
  float* wk = w;
#endif
  mm_kernel(x, wk, o);
  // check a sample of outputs (values are exact in fp32: small dyadic rationals)
  int bad = 0;
  for (long s = 0; s < 2000; ++s) {
    long i = (s * 7919) % M, j = (s * 104729 + s / 3) % N;
    double acc = 0;
    for (long k = 0; k < K; ++k)
      acc += (double)x[i * K + k] * (TRANSB ? w[j * K + k] : w[k * N + j]);
    if (std::fabs(acc - o[i * N + j]) > 1e-3 * (1 + std::fabs(acc))) { if (bad++ < 3) printf("MISMATCH %ld %ld %f %f\n", i, j, acc, o[i*N+j]); }
  }
  double flop = 2.0 * M * N * K;
  std::vector<double> t;
  auto T0 = std::chrono::steady_clock::now();
  double budget = argc > 1 ? atof(argv[1]) : 0.4;
  while (true) {
    auto a = std::chrono::steady_clock::now();
    mm_kernel(x, wk, o);
    auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double>(b - a).count());
    if ((std::chrono::duration<double>(b - T0).count() > budget && t.size() >= 5) || t.size() >= 20000) break;
  }
  std::sort(t.begin(), t.end());
  printf("%s M=%ld K=%ld N=%ld best_gflops=%.1f median_gflops=%.1f median_us=%.1f reps=%zu ok=%d\n", VARIANT, M, K, N,
         flop / t[0] * 1e-9, flop / t[t.size() / 2] * 1e-9, t[t.size() / 2] * 1e6, t.size(), bad == 0);
}
