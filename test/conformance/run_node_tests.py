#!/usr/bin/env python3
"""Runs the ONNX backend node tests (Debian's libonnx-testdata) of the ops
Facet supports: import, compile, run, compare with the stored outputs.

A test is selected when every node of its model is one of OPS. Each test is
compiled by facet-compile and run by facet-run on every test_data_set_*;
outputs must match (floats: rtol 1e-3, atol 1e-5, NaNs in the same places;
integers and bools: exactly).

Inputs that the model uses as shapes, axes or bounds (Reshape's shape,
Unsqueeze's axes, Range's limits, ...) must be known at compile time in
Facet. When the compiler says so, the test is compiled again with those
inputs bound to the test's values (`facet-compile --bind`); the report counts
such tests as "bound". Everything else runs on the compiled code.

Skips are decided from the model before running, by the SKIP_RULES table,
each with its reason; a failing test is never skipped.

Prints one line per non-passing test, a per-op table, and the final line
`conformance: N passed, M failed, K skipped`.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

# The ops of issue 3 (default domain), plus ReduceL2.
OPS = {
    "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Reciprocal",
    "Neg", "Abs", "Exp", "Log", "Tanh", "Erf", "Sigmoid", "Relu", "Gelu",
    "Softmax", "LogSoftmax", "LayerNormalization", "ReduceMean", "ReduceSum",
    "ReduceMax", "ReduceL2", "Reshape", "Transpose", "Squeeze", "Unsqueeze",
    "Flatten", "Concat", "Split", "Slice", "Gather", "Shape", "Expand",
    "Where", "Equal", "Less", "Greater", "Not", "Cast", "Constant",
    "ConstantOfShape", "Range", "Identity", "Trilu", "Min", "Max", "Clip",
    "Einsum",
}

SUPPORTED_DTYPES = {TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.INT64,
                    TensorProto.INT32, TensorProto.INT8, TensorProto.INT16,
                    TensorProto.BOOL, TensorProto.FLOAT16}


def _value_types(model):
    g = model.graph
    for vi in list(g.input) + list(g.output):
        yield vi.name, vi.type
    for n in g.node:
        if n.op_type == "Cast":
            for a in n.attribute:
                if a.name == "to":
                    yield n.name or n.output[0], TensorProto.DataType.Name(a.i)


def _tensor_dtypes(model):
    out = set()
    for vi in list(model.graph.input) + list(model.graph.output):
        if vi.type.HasField("tensor_type"):
            out.add(vi.type.tensor_type.elem_type)
    for init in model.graph.initializer:
        out.add(init.data_type)
    for n in model.graph.node:
        for a in n.attribute:
            if n.op_type in ("Cast",) and a.name == "to":
                out.add(a.i)
            if a.type == onnx.AttributeProto.TENSOR:
                out.add(a.t.data_type)
    return out


def _non_tensor_io(model):
    return any(not vi.type.HasField("tensor_type")
               for vi in list(model.graph.input) + list(model.graph.output))


def _empty_boundary(model):
    # Empty integer inputs (e.g. ReduceSum's axes = []) are bound at compile
    # time and never reach the boundary.
    inputs = [vi for vi in model.graph.input
              if vi.type.tensor_type.elem_type not in (TensorProto.INT64,
                                                       TensorProto.INT32)]
    for vi in inputs + list(model.graph.output):
        if vi.type.HasField("tensor_type"):
            dims = vi.type.tensor_type.shape.dim
            if any(d.HasField("dim_value") and d.dim_value == 0 for d in dims):
                return True
    return False


# (reason, predicate on the model). The first rule that matches skips.
SKIP_RULES = [
    ("element type outside float32/float64/float16/int8-64/bool "
     "(uint*, bfloat16, string, complex, float8)",
     lambda m: bool(_tensor_dtypes(m) - SUPPORTED_DTYPES)),
    ("sequence, map or optional graph inputs/outputs",
     _non_tensor_io),
    ("a graph input or output with no elements (empty tensors at the "
     "compiled model's boundary are not supported)",
     _empty_boundary),
]

CONSTANT_INPUT_ERROR = re.compile(
    r"must be a constant|must be constant scalars")


def skip_reason(model):
    for reason, pred in SKIP_RULES:
        if pred(model):
            return reason
    return None


def sanitize(name):
    s = "".join(c if c.isalnum() or c in "_.-" else "_" for c in name)
    return "_" + s if s in ("", ".", "..") else s


def compare(got, ref):
    if got.shape != ref.shape or got.dtype != ref.dtype:
        return (f"got {got.dtype}{list(got.shape)}, expected "
                f"{ref.dtype}{list(ref.shape)}")
    if ref.dtype.kind == "f":
        if not np.array_equal(np.isnan(got), np.isnan(ref)):
            return "NaNs in different places"
        if not np.allclose(got, ref, rtol=1e-3, atol=1e-5, equal_nan=True):
            err = np.nanmax(np.abs(got.astype(np.float64) - ref))
            return f"max abs error {err:.3e}"
    elif not np.array_equal(got, ref):
        return "values differ"
    return None


def run_test(test_dir, tools, workdir):
    """Returns (status, detail, bound) with status in ok/fail."""
    name = os.path.basename(test_dir)
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    inits = {i.name for i in model.graph.initializer}
    inputs = [vi for vi in model.graph.input if vi.name not in inits]
    outputs = [vo.name for vo in model.graph.output]
    data_sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))
    work = os.path.join(workdir, name)
    os.makedirs(work, exist_ok=True)
    lib = os.path.join(work, "model.so")
    cmd = [tools["compile"], os.path.join(test_dir, "model.onnx"), "-o", lib]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        bound = []
        if r.returncode and CONSTANT_INPUT_ERROR.search(r.stderr):
            # Bind the inputs that must be compile-time constants: integer
            # inputs, and scalars (Range's float bounds).
            first = data_sets[0]
            extra = []
            for i, vi in enumerate(inputs):
                tt = vi.type.tensor_type
                scalar = len(tt.shape.dim) == 0
                if tt.elem_type in (TensorProto.INT64, TensorProto.INT32) \
                        or scalar:
                    extra += ["--bind", f"{vi.name}={first}/input_{i}.pb"]
                    bound.append(vi.name)
            r = subprocess.run(cmd + extra, capture_output=True, text=True,
                               timeout=120)
        if r.returncode:
            return "fail", "compile: " + (r.stderr.strip().splitlines() or
                                          ["no message"])[0], bound
        for ds in data_sets:
            out_dir = os.path.join(work, os.path.basename(ds))
            os.makedirs(out_dir, exist_ok=True)
            run = [tools["run"], lib, "--quiet", "--output-dir", out_dir]
            for i, vi in enumerate(inputs):
                if vi.name not in bound:
                    run += ["--input", f"{vi.name}={ds}/input_{i}.pb"]
            r = subprocess.run(run, capture_output=True, text=True,
                               timeout=120)
            if r.returncode:
                return "fail", "run: " + r.stderr.strip()[:300], bound
            for i, out in enumerate(outputs):
                ref = numpy_helper.to_array(
                    onnx.load_tensor(os.path.join(ds, f"output_{i}.pb")))
                got = np.load(os.path.join(out_dir, sanitize(out) + ".npy"))
                problem = compare(got, ref)
                if problem:
                    return ("fail", f"{os.path.basename(ds)} output '{out}': "
                                    f"{problem}", bound)
        return "ok", "", bound
    except subprocess.TimeoutExpired:
        return "fail", "timed out", []
    finally:
        shutil.rmtree(work, ignore_errors=True)


def select(data_dir, pattern):
    tests = []
    for d in sorted(glob.glob(os.path.join(data_dir, "test_*"))):
        if pattern and not re.search(pattern, os.path.basename(d)):
            continue
        model_path = os.path.join(d, "model.onnx")
        if not os.path.exists(model_path):
            continue
        model = onnx.load(model_path, load_external_data=False)
        ops = {n.op_type for n in model.graph.node}
        if not ops or not ops <= OPS:
            continue
        # Attribute the test to its first op (the op under test).
        tests.append((d, model.graph.node[0].op_type
                      if len(ops) == 1 else sorted(ops - {"Constant"} or
                                                   ops)[0],
                      skip_reason(model)))
    return tests


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_bin = os.path.normpath(os.path.join(here, "..", "..", "build",
                                                "bin"))
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--facet-compile",
                    default=shutil.which("facet-compile") or
                    os.path.join(default_bin, "facet-compile"))
    ap.add_argument("--facet-run",
                    default=shutil.which("facet-run") or
                    os.path.join(default_bin, "facet-run"))
    ap.add_argument("--data-dir",
                    default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--filter", default=None, help="regex on test names")
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--json", help="write per-test results here")
    ap.add_argument("--markdown", help="write the per-op table here")
    ap.add_argument("--list", action="store_true",
                    help="print the selection and skip reasons, run nothing")
    ap.add_argument("--expect-all-pass", action="store_true",
                    help="exit 1 if any selected test fails")
    args = ap.parse_args()

    if not os.path.isdir(args.data_dir):
        sys.exit(f"no ONNX test data in {args.data_dir} "
                 "(apt-get install libonnx-testdata)")
    tests = select(args.data_dir, args.filter)
    if args.list:
        for d, op, reason in tests:
            print(f"{os.path.basename(d)} [{op}]"
                  + (f" SKIP: {reason}" if reason else ""))
        return 0

    tools = {"compile": args.facet_compile, "run": args.facet_run}
    results = {}
    workdir = tempfile.mkdtemp(prefix="facet-conformance-")
    try:
        with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
            futures = {}
            for d, op, reason in tests:
                name = os.path.basename(d)
                if reason:
                    results[name] = {"op": op, "status": "skip",
                                     "detail": reason, "bound": []}
                    continue
                futures[pool.submit(run_test, d, tools, workdir)] = (name, op)
            for f in concurrent.futures.as_completed(futures):
                name, op = futures[f]
                status, detail, bound = f.result()
                results[name] = {"op": op, "status": status,
                                 "detail": detail, "bound": bound}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    per_op = {}
    for name in sorted(results):
        r = results[name]
        row = per_op.setdefault(r["op"], {"ok": 0, "fail": 0, "skip": 0,
                                          "bound": 0})
        row[r["status"]] += 1
        row["bound"] += bool(r["bound"]) and r["status"] == "ok"
        if r["status"] == "fail":
            print(f"FAIL {name}: {r['detail']}")
        elif r["status"] == "skip":
            print(f"SKIP {name}: {r['detail']}")
    lines = ["| op | passed | of which with bound inputs | failed | skipped |",
             "|---|---|---|---|---|"]
    for op in sorted(per_op):
        row = per_op[op]
        lines.append(f"| {op} | {row['ok']} | {row['bound']} | {row['fail']} "
                     f"| {row['skip']} |")
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
    passed = sum(r["status"] == "ok" for r in results.values())
    failed = sum(r["status"] == "fail" for r in results.values())
    skipped = sum(r["status"] == "skip" for r in results.values())
    print(f"conformance: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if (args.expect_all_pass and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
