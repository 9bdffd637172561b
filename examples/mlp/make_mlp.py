#!/usr/bin/env python3
"""Writes the bundled example: a 3-layer MLP classifier (128 -> 256 -> 256 ->
10) with fixed-seed random weights, exported the way torch writes Linear
layers (Gemm with transB=1), with a dynamic batch dimension, plus one input
batch. Re-running it reproduces mlp.onnx and input.npy byte for byte.

    python3 examples/mlp/make_mlp.py --out-dir examples/mlp
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out-dir", default=os.path.dirname(__file__))
    ap.add_argument("--batch", type=int, default=8)
    args = ap.parse_args()
    rng = np.random.default_rng(2026)
    dims = [128, 256, 256, 10]
    inits, nodes = [], []
    x = "features"
    for i, (d_in, d_out) in enumerate(zip(dims, dims[1:])):
        w = (rng.standard_normal((d_out, d_in)) * np.sqrt(2.0 / d_in))
        b = rng.standard_normal(d_out) * 0.1
        inits += [numpy_helper.from_array(w.astype(np.float32),
                                          f"layers.{i}.weight"),
                  numpy_helper.from_array(b.astype(np.float32),
                                          f"layers.{i}.bias")]
        y = "logits" if i == len(dims) - 2 else f"/layers.{i}/Gemm_output_0"
        nodes.append(helper.make_node(
            "Gemm", [x, f"layers.{i}.weight", f"layers.{i}.bias"], [y],
            name=f"/layers.{i}/Gemm", alpha=1.0, beta=1.0, transB=1))
        if y != "logits":
            x = f"/layers.{i}/Relu_output_0"
            nodes.append(helper.make_node("Relu", [y], [x],
                                          name=f"/layers.{i}/Relu"))
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT,
                                       ["batch", dims[0]])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       ["batch", dims[-1]])],
        inits)
    model = helper.make_model(graph, producer_name="facet-examples",
                              opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(args.out_dir, "mlp.onnx"))
    np.save(os.path.join(args.out_dir, "input.npy"),
            rng.standard_normal((args.batch, dims[0])).astype(np.float32))


if __name__ == "__main__":
    main()
