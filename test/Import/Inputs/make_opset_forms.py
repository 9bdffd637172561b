#!/usr/bin/env python3
"""Writes small models of one op in the forms different opsets use."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(out_dir, name, opset, node, in_shape, inits=(), outputs=("y",)):
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None)
         for o in outputs],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in inits])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.save(model, os.path.join(out_dir, name + ".onnx"))


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    n = helper.make_node
    i64 = lambda *v: np.array(v, np.int64)
    save(d, "squeeze11", 11, n("Squeeze", ["x"], ["y"], name="y", axes=[1]),
         [2, 1, 3])
    save(d, "squeeze13", 13, n("Squeeze", ["x", "a"], ["y"], name="y"),
         [2, 1, 3], [("a", i64(1))])
    save(d, "reducemean13", 13,
         n("ReduceMean", ["x"], ["y"], name="y", axes=[-2]), [2, 3, 4])
    save(d, "reducemean18", 18, n("ReduceMean", ["x", "a"], ["y"], name="y"),
         [2, 3, 4], [("a", i64(1))])
    save(d, "reducemean18_attr", 18,
         n("ReduceMean", ["x"], ["y"], name="y", axes=[1]), [2, 3, 4])
    save(d, "split11", 11,
         n("Split", ["x"], ["y", "z"], name="y", axis=1, split=[2, 4]),
         [2, 6], outputs=("y", "z"))
    save(d, "split13", 13, n("Split", ["x", "s"], ["y", "z"], name="y", axis=1),
         [2, 6], [("s", i64(2, 4))], outputs=("y", "z"))
    save(d, "split18", 18,
         n("Split", ["x"], ["a", "b", "c"], name="y", axis=1, num_outputs=3),
         [2, 7], outputs=("a", "b", "c"))
    save(d, "clip6", 6, n("Clip", ["x"], ["y"], name="y", min=-1.0, max=1.0),
         [2, 3])
    save(d, "clip13", 13, n("Clip", ["x", "lo", "hi"], ["y"], name="y"),
         [2, 3], [("lo", np.array(-1, np.float32)),
                  ("hi", np.array(1, np.float32))])
    save(d, "softmax11", 11, n("Softmax", ["x"], ["y"], name="y", axis=1),
         [2, 3, 4])
    save(d, "softmax13", 13, n("Softmax", ["x"], ["y"], name="y", axis=1),
         [2, 3, 4])


if __name__ == "__main__":
    main()
