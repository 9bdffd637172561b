#!/usr/bin/env python3
"""Writes DIR/model.onnx whose 4x4 weight `w` lives in external data, with
the location made deliberately good or bad. y = x @ w with w = arange(16).

    make_external_model.py DIR KIND
KIND: ok | offset | absolute | dotdot | symlink-out | symlink-in | missing |
      short | length-mismatch
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def main():
    out_dir, kind = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    w = np.arange(16, dtype=np.float32).reshape(4, 4)
    data = w.tobytes()
    location, offset, length = "weights.bin", 0, len(data)
    outside = os.path.join(os.path.dirname(os.path.abspath(out_dir)),
                           "outside.bin")
    with open(outside, "wb") as f:
        f.write(data)
    payload = data
    if kind == "offset":
        payload, offset = b"\0" * 64 + data, 64
    if kind == "short":
        payload = data[:40]
    if kind not in ("missing", "symlink-out", "absolute", "dotdot"):
        os.makedirs(os.path.join(out_dir, "sub"), exist_ok=True)
        with open(os.path.join(out_dir, "sub", location), "wb") as f:
            f.write(payload)
        location = "sub/" + location
    if kind == "absolute":
        location = outside
    elif kind == "dotdot":
        location = "../outside.bin"
    elif kind == "symlink-out":
        link = os.path.join(out_dir, "link.bin")
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(outside, link)
        location = "link.bin"
    elif kind == "symlink-in":
        link = os.path.join(out_dir, "alias.bin")
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.join("sub", "weights.bin"), link)
        location = "alias.bin"
    elif kind == "length-mismatch":
        length = 32
    t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4, 4])
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", str(offset)),
                 ("length", str(length))):
        e = t.external_data.add()
        e.key, e.value = k, v
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "ext",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [t])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    with open(os.path.join(out_dir, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())


if __name__ == "__main__":
    main()
