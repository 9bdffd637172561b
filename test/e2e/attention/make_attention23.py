"""Writes ONNX models with the standard Attention op (opset 23) in its
forms: 3-D inputs with q_num_heads/kv_num_heads (grouped-query when they
differ), 4-D inputs, is_causal, a boolean or an additive attn_mask, a
past_key/past_value appended with present outputs, an explicit scale.

  make_attention23.py --variant NAME -o model.onnx
"""
import argparse

import onnx
from onnx import TensorProto, helper

B, S, P, H, G, D = 2, 7, 5, 4, 2, 8


def model(variant):
    f = TensorProto.FLOAT
    inputs, attrs, names, outputs = [], {}, ["q", "k", "v"], ["y"]
    sq = skv = S
    if variant.startswith("4d"):
        shapes = {"q": [B, H, sq, D], "k": [B, H, skv, D], "v": [B, H, skv, D]}
    else:
        g = G if variant == "3d-gqa" else H
        shapes = {"q": [B, sq, H * D], "k": [B, skv, g * D],
                  "v": [B, skv, g * D]}
        attrs = {"q_num_heads": H, "kv_num_heads": g}
    for n in names:
        inputs.append(helper.make_tensor_value_info(n, f, shapes[n]))
    kv = shapes["k"][1] if variant.startswith("4d") else (
        G if variant == "3d-gqa" else H)
    if variant in ("3d-causal", "4d-causal", "3d-past-causal"):
        attrs["is_causal"] = 1
    if variant == "3d-scale":
        attrs["scale"] = 0.25
    node_inputs = list(names)
    total = skv
    if variant.startswith("3d-past"):
        total = P + skv
    if variant in ("3d-boolmask", "3d-floatmask", "4d-floatmask"):
        mt = TensorProto.BOOL if variant == "3d-boolmask" else f
        inputs.append(helper.make_tensor_value_info("m", mt, [B, 1, sq, total]))
        node_inputs.append("m")
    if variant.startswith("3d-past"):
        while len(node_inputs) < 4:
            node_inputs.append("")
        for n in ("past_key", "past_value"):
            inputs.append(helper.make_tensor_value_info(n, f, [B, kv, P, D]))
            node_inputs.append(n)
        outputs += ["present_key", "present_value"]
    out_infos = [helper.make_tensor_value_info(o, f, None) for o in outputs]
    node = helper.make_node("Attention", node_inputs, outputs, **attrs)
    g = helper.make_graph([node], "attention23", inputs, out_infos)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 23)])
    m.ir_version = 10
    return m


VARIANTS = ["3d", "3d-gqa", "3d-causal", "3d-scale", "3d-boolmask",
            "3d-floatmask", "3d-past", "3d-past-causal", "4d", "4d-causal",
            "4d-floatmask"]

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--variant", choices=VARIANTS, required=True)
    ap.add_argument("-o", required=True)
    args = ap.parse_args()
    onnx.save(model(args.variant), args.o)
