#!/usr/bin/env python3
"""Erf's (and so exact Gelu's) accuracy over the f32 line: compiles a model
of Erf on [1, N] (Gelu = x·(1 + erf(x/√2))/2 beside it), runs it with
facet-run on a dense grid of [-8, 8] plus special values, and compares with
math.erf in double precision. Prints the max absolute error of each output
and fails above the bound."""
import argparse
import math
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

p = argparse.ArgumentParser()
p.add_argument("--workdir", required=True)
p.add_argument("--facet-compile", default="facet-compile")
p.add_argument("--facet-run", default="facet-run")
p.add_argument("--bound", type=float, default=5e-7)
a = p.parse_args()
os.makedirs(a.workdir, exist_ok=True)

grid = np.linspace(-8, 8, 1 << 20, dtype=np.float32)
special = np.array([0.0, -0.0, 1e-30, -1e-30, 1e-8, 4.0, -4.0, 3.9999, 1e30,
                    -1e30, np.inf, -np.inf], np.float32)
x = np.concatenate([grid, special])[None, :]
n = x.shape[1]
c = lambda name, v: numpy_helper.from_array(np.array(v, np.float32), name)
nodes = [helper.make_node("Erf", ["x"], ["erf"]),
         helper.make_node("Div", ["x", "sqrt2"], ["z"]),
         helper.make_node("Erf", ["z"], ["e"]),
         helper.make_node("Add", ["e", "one"], ["e1"]),
         helper.make_node("Mul", ["x", "e1"], ["g"]),
         helper.make_node("Mul", ["g", "half"], ["gelu"])]
graph = helper.make_graph(
    nodes, "erf", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
    [helper.make_tensor_value_info(o, TensorProto.FLOAT, [1, n])
     for o in ("erf", "gelu")],
    [c("sqrt2", math.sqrt(2)), c("one", 1.0), c("half", 0.5)])
model = os.path.join(a.workdir, "erf.onnx")
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
          model)
np.save(os.path.join(a.workdir, "x.npy"), x)
lib = os.path.join(a.workdir, "erf.so")
subprocess.run([a.facet_compile, model, "-o", lib], check=True)
subprocess.run([a.facet_run, lib, "--input", "x=" + os.path.join(a.workdir, "x.npy"),
                "--output-dir", a.workdir, "--quiet"], check=True,
               stdout=subprocess.DEVNULL)

np.seterr(invalid="ignore")
xd = x[0].astype(np.float64)
ref = {"erf": np.array([math.erf(v) for v in xd])}
ref["gelu"] = np.where(np.isinf(xd), np.maximum(xd, 0),
                       xd * (1 + np.array([math.erf(v / math.sqrt(2)) for v in xd])) / 2)
ok = True
for name, r in ref.items():
    got = np.load(os.path.join(a.workdir, name + ".npy"))[0].astype(np.float64)
    # Gelu's error scales with |x| (x times erf's error); compare per unit x.
    scale = np.maximum(1.0, np.abs(xd)) if name == "gelu" else 1.0
    finite = np.isfinite(r) & (np.abs(xd) < 1e29)
    err = np.abs(got - r)[finite] / (scale[finite] if name == "gelu" else 1.0)
    worst = err.max()
    bad = worst > a.bound
    print(f"{name}: max abs error {worst:.2e} (bound {a.bound:.0e}) "
          f"at x = {xd[finite][err.argmax()]:.6g}: {'FAIL' if bad else 'ok'}")
    ok &= not bad
got = np.load(os.path.join(a.workdir, "erf.npy"))[0]
at = {float(v): g for v, g in zip(x[0], got)}
if np.any(np.abs(got) > 1) or at[np.inf] != 1 or at[-np.inf] != -1 or \
        at[float(np.float32(1e30))] != 1 or at[float(np.float32(-1e30))] != -1:
    print("erf: values outside [-1, 1] or erf(±inf), erf(±1e30) != ±1: FAIL")
    ok = False
else:
    print("erf: |erf| <= 1, erf(±inf) = erf(±1e30) = ±1: ok")
sys.exit(0 if ok else 1)
