#!/usr/bin/env python3
"""Writes deliberately malformed ONNX models that the text syntax cannot
express. Usage: make_bad_model.py KIND -o OUT"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def relu_model(initializer):
    node = helper.make_node("Add", ["x", initializer.name], ["y"], name="add")
    graph = helper.make_graph(
        [node], "bad",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])],
        [initializer])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["raw-size", "absurd-dims", "value-count"])
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    if args.kind == "raw-size":
        t = numpy_helper.from_array(np.ones((2, 2), np.float32), "w")
        t.raw_data = t.raw_data[:12]  # 3 floats for a 2x2 tensor
    elif args.kind == "absurd-dims":
        t = TensorProto(name="w", data_type=TensorProto.FLOAT,
                        dims=[1 << 30, 1 << 30, 1 << 30])
        t.raw_data = b"\0" * 16
    else:
        t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 2])
        t.float_data.extend([1.0, 2.0, 3.0])
    with open(args.output, "wb") as f:
        f.write(relu_model(t).SerializeToString())


if __name__ == "__main__":
    main()
