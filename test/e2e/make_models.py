#!/usr/bin/env python3
"""Generates random-weight ONNX models for end-to-end tests.

Each kind exercises a different slice of the importer and lowering; sizes and
weights come from --seed, so each test compiles a model that is in no file
of the repository.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def weight(rng, shape, name):
    return numpy_helper.from_array(
        (rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32),
        name)


def mlp(rng, batch_param):
    """Gemm(transB=1)+bias, Relu, MatMul, Add, Relu, Gemm(alpha, beta)."""
    d_in, d_h, d_h2, d_out = (int(v) for v in rng.integers(5, 70, size=4))
    inits = [weight(rng, (d_h, d_in), "fc1.weight"),
             weight(rng, (d_h,), "fc1.bias"),
             weight(rng, (d_h, d_h2), "fc2.weight"),
             weight(rng, (d_h2,), "fc2.bias"),
             weight(rng, (d_h2, d_out), "head.weight"),
             weight(rng, (1, d_out), "head.bias")]
    nodes = [
        helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h1"],
                         name="fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["a1"], name="act1"),
        helper.make_node("MatMul", ["a1", "fc2.weight"], ["h2"], name="fc2"),
        helper.make_node("Add", ["h2", "fc2.bias"], ["h2b"], name="fc2_bias"),
        helper.make_node("Relu", ["h2b"], ["a2"], name="act2"),
        helper.make_node("Gemm", ["a2", "head.weight", "head.bias"], ["y"],
                         name="head", alpha=0.5, beta=2.0),
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       [batch_param, d_in])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                       [batch_param, d_out])],
        inits)
    return graph


def batched(rng, batch_param):
    """3-D MatMul against a 2-D weight and a broadcast batch MatMul, Gemm with
    transA, two outputs (one is a graph input passed through Identity)."""
    s, k, n = (int(v) for v in rng.integers(3, 20, size=3))
    inits = [weight(rng, (k, n), "proj"),
             weight(rng, (1, n, k), "mix"),
             weight(rng, (k, n), "gemm_a")]
    nodes = [
        helper.make_node("MatMul", ["x", "proj"], ["p"], name="proj_mm"),
        helper.make_node("MatMul", ["p", "mix"], ["q"], name="mix_mm"),
        helper.make_node("Relu", ["q"], ["y"], name="relu"),
        helper.make_node("Gemm", ["gemm_a", "z"], ["g"], name="gemm_ta",
                         transA=1),
        helper.make_node("Identity", ["z"], ["z_out"], name="pass"),
    ]
    graph = helper.make_graph(
        nodes, "batched",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       [batch_param, s, k]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [k, 7])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                       [batch_param, s, k]),
         helper.make_tensor_value_info("g", TensorProto.FLOAT, [n, 7]),
         helper.make_tensor_value_info("z_out", TensorProto.FLOAT, [k, 7])],
        inits)
    return graph


KINDS = {"mlp": mlp, "batched": batched}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("kind", choices=sorted(KINDS))
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--batch", default="batch",
                    help="batch dimension: a name (dynamic) or a number")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    batch = int(args.batch) if args.batch.isdigit() else args.batch
    graph = KINDS[args.kind](rng, batch)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", args.opset)],
        producer_name="facet-tests")
    onnx.checker.check_model(model)
    onnx.save(model, args.output)


if __name__ == "__main__":
    main()
