// Eigen 3, one thread: out[M,N] = x[M,K] · w, w [K,N] (nn) or [N,K] (nt,
// Gemm transB=1). Prints the median time of repeated runs (~0.3 s in all).
// Usage: eigen_gemm M K N nn|nt
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

int main(int argc, char **argv) {
  if (argc != 5)
    return 2;
  long m = atol(argv[1]), k = atol(argv[2]), n = atol(argv[3]);
  bool nt = argv[4][1] == 't';
  std::vector<float> xs(m * k), ws(k * n), os(m * n);
  for (float &v : xs)
    v = (rand() % 17 - 8) / 8.0f;
  for (float &v : ws)
    v = (rand() % 13 - 6) / 8.0f;
  Eigen::Map<Mat> x(xs.data(), m, k), out(os.data(), m, n);
  Eigen::Map<Mat> w(ws.data(), nt ? n : k, nt ? k : n);
  auto run = [&] {
    if (nt)
      out.noalias() = x * w.transpose();
    else
      out.noalias() = x * w;
  };
  run();
  std::vector<double> t;
  auto start = std::chrono::steady_clock::now();
  while (true) {
    auto a = std::chrono::steady_clock::now();
    run();
    auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double>(b - a).count());
    if ((std::chrono::duration<double>(b - start).count() > 0.3 &&
         t.size() >= 5) ||
        t.size() >= 20000)
      break;
  }
  std::sort(t.begin(), t.end());
  printf("median_ms=%.6f\n", t[t.size() / 2] * 1e3);
}
