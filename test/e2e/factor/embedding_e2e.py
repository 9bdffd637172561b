"""A TT embedding end to end: an ONNX model whose token table has low
TT-matrix ranks (built from random cores), compiled with
--factorize=tt --embeddings --error=0.001 on that table only, must match
onnxruntime on indices that include negative ones (counted from the end),
and its report must say the table was factorized without a dense copy.
Prints `embedding e2e: ok`.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "python"))
import facet  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--facet-compile", default="facet-compile")
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    rng = np.random.default_rng(4)
    # rows 1000 = 10 x 10 x 10, D = 96 = 4 x 4 x 6, bond ranks 3 and 4.
    rows, dims, cols, r = 1000, (10, 10, 10), (4, 4, 6), (1, 3, 4, 1)
    cores = [rng.standard_normal((r[k], dims[k], cols[k], r[k + 1]))
             for k in range(3)]
    t = np.einsum("aidb,bjec,ckfd->ijkdef", *cores).reshape(rows, 96)
    table = t.astype(np.float32)
    w = rng.standard_normal((96, 32)).astype(np.float32)
    nodes = [helper.make_node("Gather", ["table", "ids"], ["e"], axis=0,
                              name="/emb/Gather"),
             helper.make_node("MatMul", ["e", "w"], ["y"], name="/head/MatMul")]
    g = helper.make_graph(
        nodes, "emb",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [2, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5, 32])],
        [numpy_helper.from_array(table, "table"),
         numpy_helper.from_array(w, "w")])
    model = os.path.join(args.workdir, "emb.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
              model)
    lib = os.path.join(args.workdir, "emb.so")
    report = os.path.join(args.workdir, "report.json")
    r = subprocess.run([args.facet_compile, model, "--factorize=tt",
                        "--embeddings", "--error=0.001", "--layers=^/emb/",
                        "--report", report, "-o", lib],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {r.stderr}")
    layer = json.load(open(report))["layers"][0]
    if layer["kind"] != "embedding" or layer["dense"] or \
            layer["ranks"] != [1, 3, 4, 1] or layer["error"] > 1e-5:
        sys.exit(f"FAIL: report {layer}")
    ids = np.array([[0, 999, -1, 123, 500], [-1000, 42, 7, -500, 998]],
                   np.int64)
    import onnxruntime as ort
    want = ort.InferenceSession(model).run(None, {"ids": ids})[0]
    got = facet.load(lib).run({"ids": ids})["y"]
    err = np.abs(got - want).max() / np.abs(want).max()
    if err > 1e-5:
        sys.exit(f"FAIL: factorized model vs onnxruntime: {err:.2e}")
    print(f"table 1000x96 as TT ranks {layer['ranks']}: "
          f"{layer['params_after']} of {layer['params_before']} parameters, "
          f"ε {layer['error']:.1e}; vs onnxruntime {err:.1e}")
    print("embedding e2e: ok")


if __name__ == "__main__":
    main()
