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


def op_mix(rng, batch_param):
    """Transformer-style op mix at opset 20: embedding Gather with run-time
    ids, LayerNormalization, the Shape->Gather->Div->Slice->Concat->Reshape
    head split, Transpose, QK^T, a causal mask from Trilu/Cast/Where,
    Softmax, ReduceMean/Sub/Pow/Sqrt/Erf/Tanh, Split, Sigmoid, ReduceSum,
    Greater/Not on int64, Einsum, Clip, Unsqueeze/Expand, ReduceMax,
    LogSoftmax and Gelu. The batch is fixed (2): the ids decide the shapes."""
    del batch_param
    from onnx import helper as h
    B, S, D, V = 2, 5, 8, 50
    T = TensorProto
    c = lambda a, n: numpy_helper.from_array(np.asarray(a), n)
    inits = [weight(rng, (D,), "g"), weight(rng, (D,), "beta"),
             weight(rng, (V, D), "emb"),
             c(np.array([2], np.int64), "two"), c(np.array(0.5, np.float32), "half"),
             c(np.array([0], np.int64), "zero"), c(np.array([-1], np.int64), "minus1"),
             c(np.ones((S, S), np.float32), "ones"), c(np.array(-1e9, np.float32), "neg"),
             c(np.array(2.0, np.float32), "twof"), c(np.array([3, 5], np.int64), "split"),
             c(np.array([1], np.int64), "axes1"), c(np.array(25, np.int64), "thr"),
             c(np.array(-0.5, np.float32), "cmin"), c(np.array(3.0, np.float32), "cmax"),
             c(np.array([3, 1, 1, 1], np.int64), "eshape")]
    n = h.make_node
    nodes = [
        n("Gather", ["emb", "ids"], ["e"], name="gather"),
        n("LayerNormalization", ["e", "g", "beta"], ["ln"], name="ln", axis=-1),
        n("Shape", ["ln"], ["shp"], name="shape"),
        n("Gather", ["shp", "two"], ["dlast"], name="gather_dim", axis=0),
        n("Constant", [], ["c2"], name="c2",
          value=numpy_helper.from_array(np.array([2], np.int64))),
        n("Div", ["dlast", "c2"], ["dh"], name="div_int"),
        n("Slice", ["shp", "zero", "two"], ["bs"], name="slice_bs"),
        n("Concat", ["bs", "c2", "dh"], ["newshape"], name="concat", axis=0),
        n("Reshape", ["ln", "newshape"], ["r4"], name="reshape4"),
        n("Transpose", ["r4"], ["t4"], name="split_heads", perm=[0, 2, 1, 3]),
        n("Transpose", ["t4"], ["t4T"], name="keys_t", perm=[0, 1, 3, 2]),
        n("MatMul", ["t4", "t4T"], ["scores"], name="qk"),
        n("Trilu", ["ones"], ["tri"], name="trilu", upper=0),
        n("Cast", ["tri"], ["trib"], name="to_bool", to=T.BOOL),
        n("Where", ["trib", "scores", "neg"], ["masked"], name="mask"),
        n("Softmax", ["masked"], ["p"], name="softmax", axis=-1),
        n("ReduceMean", ["p", "minus1"], ["pm"], name="reduce_mean", keepdims=1),
        n("Sub", ["p", "pm"], ["pc"], name="center"),
        n("Pow", ["pc", "twof"], ["pp"], name="square"),
        n("Sqrt", ["pp"], ["sq"], name="sqrt"),
        n("Erf", ["sq"], ["er"], name="erf"),
        n("Tanh", ["er"], ["th"], name="tanh"),
        n("Mul", ["th", "half"], ["y"], name="halve"),
        n("Split", ["e", "split"], ["s1", "s2"], name="split", axis=2),
        n("Sigmoid", ["s1"], ["sg"], name="sigmoid"),
        n("ReduceSum", ["sg", "axes1"], ["y2"], name="reduce_sum", keepdims=0),
        n("Greater", ["ids", "thr"], ["gt"], name="greater"),
        n("Not", ["gt"], ["y3"], name="not"),
        n("Einsum", ["s2", "s2"], ["y4"], name="einsum", equation="bsd,btd->bst"),
        n("Clip", ["y4", "cmin", "cmax"], ["y5"], name="clip"),
        n("Unsqueeze", ["y5", "zero"], ["y6"], name="unsqueeze"),
        n("Expand", ["y6", "eshape"], ["y7"], name="expand"),
        n("ReduceMax", ["y7", "zero"], ["y8"], name="reduce_max", keepdims=0),
        n("LogSoftmax", ["y8"], ["y9"], name="log_softmax", axis=1),
        n("Gelu", ["y9"], ["y10"], name="gelu"),
    ]
    return h.make_graph(
        nodes, "op_mix",
        [h.make_tensor_value_info("ids", T.INT64, [B, S])],
        [h.make_tensor_value_info("y", T.FLOAT, [B, 2, S, S]),
         h.make_tensor_value_info("y2", T.FLOAT, [B, 3]),
         h.make_tensor_value_info("y3", T.BOOL, [B, S]),
         h.make_tensor_value_info("y10", T.FLOAT, [B, S, S])],
        inits)


KINDS = {"mlp": mlp, "batched": batched, "op_mix": op_mix}


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
