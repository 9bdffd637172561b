"""Writes an eager multi-head attention block whose masked scores are
replaced (Where(mask, scores, fill)) by a fill that does not swamp them
(--fill, default -1e4; also -1e9 and finfo.min), with the boolean mask a
graph input [B, 1, S, S]: rows whose keys are all masked softmax over the
fill, which the raised op must reproduce.

  make_eager_boolmask.py -o model.onnx [--fill F] [--emit-mask DIR]

--emit-mask writes DIR/mask.npy: causal, with the first query row of batch 0
masked entirely and a padded key in batch 1.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

B, S, H, D = 2, 6, 2, 4

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", required=True)
    ap.add_argument("--fill", type=float, default=-1e4)
    ap.add_argument("--emit-mask", metavar="DIR")
    args = ap.parse_args()
    f = TensorProto.FLOAT
    inits = [numpy_helper.from_array(np.array([B, S, H, D], np.int64), "split"),
             numpy_helper.from_array(np.array([B, S, H * D], np.int64), "merge"),
             numpy_helper.from_array(np.array(args.fill, np.float32), "fill"),
             numpy_helper.from_array(np.array(2.0, np.float32), "sqrt_d")]
    n = helper.make_node
    nodes = [
        n("Reshape", ["q", "split"], ["q4"]),
        n("Transpose", ["q4"], ["qh"], perm=[0, 2, 1, 3]),
        n("Reshape", ["k", "split"], ["k4"]),
        n("Transpose", ["k4"], ["kt"], perm=[0, 2, 3, 1]),
        n("Reshape", ["v", "split"], ["v4"]),
        n("Transpose", ["v4"], ["vh"], perm=[0, 2, 1, 3]),
        n("MatMul", ["qh", "kt"], ["s"]),
        n("Div", ["s", "sqrt_d"], ["sd"]),
        n("Where", ["mask", "sd", "fill"], ["sw"]),
        n("Softmax", ["sw"], ["p"], axis=-1),
        n("MatMul", ["p", "vh"], ["o"]),
        n("Transpose", ["o"], ["ot"], perm=[0, 2, 1, 3]),
        n("Reshape", ["ot", "merge"], ["y"]),
    ]
    inputs = [helper.make_tensor_value_info(x, f, [B, S, H * D]) for x in "qkv"]
    inputs.append(helper.make_tensor_value_info("mask", TensorProto.BOOL,
                                                [B, 1, S, S]))
    g = helper.make_graph(nodes, "eager_boolmask", inputs,
                          [helper.make_tensor_value_info("y", f, [B, S, H * D])],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, args.o)
    if args.emit_mask:
        import os
        os.makedirs(args.emit_mask, exist_ok=True)
        mask = np.tril(np.ones((S, S), bool))[None, None].repeat(B, 0)
        mask[0, 0, 0, :] = False
        mask[1, 0, :, 2] = False
        np.save(os.path.join(args.emit_mask, "mask.npy"), mask)
