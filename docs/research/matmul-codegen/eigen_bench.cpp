// Eigen 3 reference, single thread: out[M,N] = x[M,K] * w  with w [K,N] (nn) or [N,K] (nt, Gemm transB=1)
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Dense>
#include <chrono>
#include <cstdio>
#include <vector>
#include <algorithm>
using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
int main(int argc, char** argv) {
  long M = atol(argv[1]), K = atol(argv[2]), N = atol(argv[3]); bool nt = argc > 4 && argv[4][0] == 't';
  std::vector<float> xs(M * K), ws(K * N), os(M * N);
  for (auto& v : xs) v = (rand() % 17 - 8) / 8.0f;
  for (auto& v : ws) v = (rand() % 13 - 6) / 8.0f;
  Eigen::Map<Mat> X(xs.data(), M, K), O(os.data(), M, N);
  Eigen::Map<Mat> W(ws.data(), nt ? N : K, nt ? K : N);
  auto run = [&] { if (nt) O.noalias() = X * W.transpose(); else O.noalias() = X * W; };
  run();
  std::vector<double> t; auto T0 = std::chrono::steady_clock::now();
  while (true) {
    auto a = std::chrono::steady_clock::now(); run(); auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double>(b - a).count());
    if ((std::chrono::duration<double>(b - T0).count() > 0.3 && t.size() >= 5) || t.size() >= 20000) break;
  }
  std::sort(t.begin(), t.end()); double f = 2.0 * M * N * K;
  printf("eigen_%s M=%ld K=%ld N=%ld best_gflops=%.1f median_gflops=%.1f median_us=%.1f reps=%zu ok=1\n", nt ? "nt" : "nn", M, K, N,
         f / t[0] * 1e-9, f / t[t.size() / 2] * 1e-9, t[t.size() / 2] * 1e6, t.size());
}
