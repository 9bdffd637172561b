"""A two-layer MLP as ONNX for the factorization tests: Gemm (transB=1, the
weight [N, K] as torch's Linear stores it, with bias) -> Relu -> MatMul,
weights with decaying spectra (σ_i ∝ i^-1/2, like trained layers) and
inputs with correlated features (so activation-aware factorization has
something to find). Optionally writes input sets for --calibration and
--validation: DIR/set<i>/x.npy.

  make_factor_model.py -o model.onnx [--batch 16] [--sets DIR N SEED]...
                       [--dims K H N]   (default 96 128 64)
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper



def decaying(rng, m, n):
    u, _ = np.linalg.qr(rng.standard_normal((m, m)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    r = min(m, n)
    s = 1.0 / np.sqrt(np.arange(1, r + 1))
    return ((u[:, :r] * s) @ v[:, :r].T).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--sets", nargs=3, action="append", default=[],
                    metavar=("DIR", "N", "SEED"))
    ap.add_argument("--dims", nargs=3, type=int, default=[96, 128, 64],
                    metavar=("K", "H", "N"))
    args = ap.parse_args()
    K, H, N = args.dims
    rng = np.random.default_rng(0)
    w1 = decaying(rng, H, K)  # [N=H, K] for transB
    b1 = (0.1 * rng.standard_normal(H)).astype(np.float32)
    w2 = decaying(rng, H, N)
    nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], transB=1,
                              name="/fc1/Gemm"),
             helper.make_node("Relu", ["h"], ["r"], name="/act/Relu"),
             helper.make_node("MatMul", ["r", "w2"], ["y"],
                              name="/fc2/MatMul")]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       ["batch", K])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                       ["batch", N])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
         numpy_helper.from_array(w2, "w2")])
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]), args.output)
    # Inputs live near a 12-dimensional subspace of the K features.
    basis = np.random.default_rng(1).standard_normal((12, K))
    for d, n, seed in args.sets:
        r = np.random.default_rng(int(seed))
        for i in range(int(n)):
            os.makedirs(os.path.join(d, f"set{i}"), exist_ok=True)
            x = (r.standard_normal((args.batch, 12)) @ basis +
                 0.05 * r.standard_normal((args.batch, K))).astype(np.float32)
            np.save(os.path.join(d, f"set{i}", "x.npy"), x)


if __name__ == "__main__":
    main()
