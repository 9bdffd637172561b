#!/usr/bin/env python3
"""A model of activation transposes that move the innermost dim, the ways
models write them: after a Reshape of a column slice of a fused projection
(GPT-2's Kᵀ: MatMul -> Slice -> Reshape -> Transpose), of a whole tensor
(BERT's Kᵀ), 2-D with sizes no tile divides, and a transpose feeding a
MatMul (the TT/Kronecker steps' pattern). Outputs stay distinct so each
path is compared with onnxruntime."""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

p = argparse.ArgumentParser()
p.add_argument("-o", required=True)
a = p.parse_args()
rng = np.random.default_rng(0)
S, H, D = 40, 4, 40  # 40: a 16-lane tile leaves a remainder of 8
W = numpy_helper.from_array(rng.standard_normal((H * D, 3 * H * D)).astype(np.float32), "W")
W2 = numpy_helper.from_array(rng.standard_normal((53, 24)).astype(np.float32), "W2")
c = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)
nodes = [
    helper.make_node("MatMul", ["x", "W"], ["qkv"]),
    helper.make_node("Slice", ["qkv", "k0", "k1", "axis2"], ["k"]),
    helper.make_node("Reshape", ["k", "heads"], ["k4"]),
    helper.make_node("Transpose", ["k4"], ["kt"], perm=[0, 2, 3, 1]),
    helper.make_node("Reshape", ["x", "heads"], ["x4"]),
    helper.make_node("Transpose", ["x4"], ["xt"], perm=[0, 2, 3, 1]),
    helper.make_node("Transpose", ["y"], ["yt"], perm=[1, 0]),
    helper.make_node("Transpose", ["y"], ["yt2"], perm=[1, 0]),
    helper.make_node("MatMul", ["yt2", "W2"], ["ym"]),
    # Large enough (51200 elements) for --threads to share its tile loops.
    helper.make_node("Transpose", ["z"], ["zt"], perm=[1, 0]),
]
graph = helper.make_graph(
    nodes, "transposes",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, S, H * D]),
     helper.make_tensor_value_info("y", TensorProto.FLOAT, [53, 37]),
     helper.make_tensor_value_info("z", TensorProto.FLOAT, [256, 200])],
    [helper.make_tensor_value_info("kt", TensorProto.FLOAT, [1, H, D, S]),
     helper.make_tensor_value_info("xt", TensorProto.FLOAT, [1, H, D, S]),
     helper.make_tensor_value_info("yt", TensorProto.FLOAT, [37, 53]),
     helper.make_tensor_value_info("ym", TensorProto.FLOAT, [37, 24]),
     helper.make_tensor_value_info("zt", TensorProto.FLOAT, [200, 256])],
    [W, W2, c("k0", [H * D]), c("k1", [2 * H * D]), c("axis2", [2]),
     c("heads", [1, S, H, D])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), a.o)
