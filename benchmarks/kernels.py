#!/usr/bin/env python3
"""Kernel benchmark of issue 4: one-matmul models y = x[M,K] · W with a
constant weight, compiled by facet-compile (-O3, native CPU, 1 thread), vs
Eigen (one thread, -O3 -march=native) vs the machine's measured FMA peak,
all run from this one script on the same machine, back to back.

  python3 benchmarks/kernels.py [--out docs/Performance-kernels.md]

Facet is timed by `facet-run --bench` (median of repeated calls of the
compiled function, C++ timer); Eigen by benchmarks/kernels/eigen_gemm.cpp
(median); peak by benchmarks/kernels/peak.c (12 independent FMA chains).
Each Facet result is checked against numpy before it is timed.
Columns: W [K,N] (MatMul) and W [N,K] (Gemm transB=1, torch's Linear).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "benchmarks", "kernels")
MS = [1, 8, 32, 128, 512]
KN = [(768, 768), (768, 3072), (3072, 768), (1024, 4096)]


def build_tools(tmp):
    eigen = os.path.join(tmp, "eigen_gemm")
    peak = os.path.join(tmp, "peak")
    subprocess.run(["clang++-22", "-O3", "-march=native", "-ffp-contract=fast",
                    "-I/usr/include/eigen3", os.path.join(HERE, "eigen_gemm.cpp"),
                    "-o", eigen], check=True)
    subprocess.run(["clang-22", "-O2", "-march=native",
                    os.path.join(HERE, "peak.c"), "-o", peak], check=True)
    return eigen, peak


def make_model(path, m, k, n, trans_b, rng):
    w = rng.standard_normal((n, k) if trans_b else (k, n)).astype(np.float32)
    node = (helper.make_node("Gemm", ["x", "W"], ["y"], transB=1) if trans_b
            else helper.make_node("MatMul", ["x", "W"], ["y"]))
    graph = helper.make_graph(
        [node], "mm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "W")])
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return w.T if trans_b else w


def facet_ms(args, tmp, m, k, n, trans_b, rng):
    base = os.path.join(tmp, f"mm_{m}_{k}_{n}_{int(trans_b)}")
    w = make_model(base + ".onnx", m, k, n, trans_b, rng)
    x = rng.standard_normal((m, k)).astype(np.float32)
    np.save(base + "_x.npy", x)
    subprocess.run([args.facet_compile, base + ".onnx", "-O3", "-o",
                    base + ".so"], check=True)
    run = [args.facet_run, base + ".so", "--input", f"x={base}_x.npy"]
    subprocess.run(run + ["--output-dir", base + "_out", "--quiet"],
                   check=True)
    y = np.load(os.path.join(base + "_out", "y.npy"))
    ref = x.astype(np.float64) @ w.astype(np.float64)
    err = np.abs(y - ref).max() / np.abs(ref).max()
    if err > 1e-5:
        sys.exit(f"wrong result for {m}x{k}x{n} transB={trans_b}: {err:.1e}")
    # Enough runs for ~0.3 s.
    est = parse_ms(subprocess.run(run + ["--bench", "3", "--quiet"],
                                  check=True, capture_output=True,
                                  text=True).stdout)
    reps = int(min(5000, max(10, 300 / max(est, 1e-3))))
    out = subprocess.run(run + ["--bench", str(reps), "--warmup", "5",
                                "--quiet"],
                         check=True, capture_output=True, text=True).stdout
    return parse_ms(out)


def parse_ms(text):
    found = re.search(r"median=([0-9.eE+-]+) ms", text)
    if not found:
        sys.exit("facet-run printed no latency: " + text)
    return float(found.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    build = os.path.join(ROOT, "build", "bin")
    ap.add_argument("--facet-compile",
                    default=os.path.join(build, "facet-compile"))
    ap.add_argument("--facet-run", default=os.path.join(build, "facet-run"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs",
                                                  "Performance-kernels.md"))
    ap.add_argument("--m", type=int, nargs="+", default=MS)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    cpu = next((line.split(":", 1)[1].strip()
                for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "unknown CPU")
    with tempfile.TemporaryDirectory() as tmp:
        eigen, peak_bin = build_tools(tmp)
        peak = float(re.search(r"peak ([0-9.]+)", subprocess.run(
            [peak_bin], check=True, capture_output=True,
            text=True).stdout).group(1))
        rows = []
        for m in args.m:
            for k, n in KN:
                flop = 2.0 * m * k * n
                f_nn = facet_ms(args, tmp, m, k, n, False, rng)
                f_nt = facet_ms(args, tmp, m, k, n, True, rng)
                e_nn, e_nt = (float(re.search(r"median_ms=([0-9.]+)",
                                              subprocess.run(
                                                  [eigen, str(m), str(k),
                                                   str(n), v],
                                                  check=True,
                                                  capture_output=True,
                                                  text=True).stdout).group(1))
                              for v in ("nn", "nt"))
                g = [flop / t / 1e6 for t in (f_nn, f_nt, e_nn, e_nt)]
                rows.append(
                    f"| {m} | {k}x{n} | {g[0]:.1f} | {g[1]:.1f} | {g[2]:.1f} "
                    f"| {g[3]:.1f} | {100 * g[0] / peak:.0f} % | "
                    f"{g[0] / g[2]:.2f} | {g[1] / g[3]:.2f} |")
                print(rows[-1], flush=True)
    header = [
        "# Kernel benchmark: Facet vs Eigen vs peak (fp32, 1 thread)", "",
        f"Machine: {cpu}; measured FMA peak **{peak:.1f} GFLOP/s** "
        "(benchmarks/kernels/peak.c, same run).",
        f"Measured {time.strftime('%Y-%m-%d')} with:", "",
        "    python3 benchmarks/kernels.py", "",
        "GFLOP/s = 2·M·K·N / median time. nn: W [K,N] (MatMul); "
        "nt: W [N,K] (Gemm transB=1).", "",
        "| M | K x N | Facet nn | Facet nt | Eigen nn | Eigen nt | "
        "Facet nn % of peak | Facet/Eigen nn | Facet/Eigen nt |",
        "|---|---|---|---|---|---|---|---|---|"]
    text = "\n".join(header + rows) + "\n"
    print(text)
    with open(args.out, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
