#!/usr/bin/env python3
"""Runs the ONNX backend node tests (Debian's libonnx-testdata) of the ops
Facet supports: import, compile, run, compare with the stored outputs.

Selection: a test is selected when every node of its model is one of OPS
(default ONNX domain). Expanded variants (`*_expanded`, the op written out in
simpler ops) are selected the same way, by the ops they actually contain.

Each selected test is compiled by facet-compile and run by facet-run on every
test_data_set_* (input_<i>.pb feeds the i-th graph input that is not an
initializer); every output must match output_<i>.pb in shape and dtype, and
in value (floats: rtol 1e-3, atol 1e-5, NaNs in the same places; integers and
bools: exactly).

Compile-time inputs: Facet's shapes are static, so operands such as Reshape's
shape, Unsqueeze's axes or Range's bounds must be constants. When a test
feeds one of them from a graph input and facet-compile says it must be
constant, the test is compiled again with exactly those graph inputs bound to
the data set's values (`facet-compile --bind`, see CONSTANT_OPERANDS); the
report counts these tests as "bound". All other inputs are run-time inputs of
the compiled code.

Skips are decided from the model before anything runs, by SKIP_RULES, each
with its reason. A test is never skipped because it fails.

Output: one line per non-passing test (`FAIL name: ...`, `SKIP name:
reason`), a per-op table, and the final line
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
import time

import numpy as np
import onnx
import onnx.defs
from onnx import TensorProto, numpy_helper

# ---------------------------------------------------------------------------
# Skip rules: (reason, predicate on the ModelProto). The first rule that
# matches skips the test; the predicates are defined further down.
# ---------------------------------------------------------------------------
SKIP_RULES = [
    ("element type outside float32/float64/float16/int8-64/bool "
     "(uint*, bfloat16, string, complex, float8)",
     lambda model: bool(element_types(model) - SUPPORTED_ELEMENT_TYPES)),
    ("sequence, map or optional graph inputs/outputs",
     lambda model: has_non_tensor_io(model)),
    ("a graph input or output with no elements (empty tensors at the "
     "compiled model's boundary are not supported)",
     lambda model: has_empty_boundary_tensor(model)),
]

# The ops of issue 3 (default ONNX domain), plus ReduceL2, which Facet also
# implements.
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

# Element types the importer and the C ABI handle.
SUPPORTED_ELEMENT_TYPES = {
    TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16,
    TensorProto.INT8, TensorProto.INT16, TensorProto.INT32, TensorProto.INT64,
    TensorProto.BOOL,
}

# Operand positions that Facet needs as compile-time constants, per op.
# A graph input that feeds one of them (directly or through other nodes,
# except through Shape, whose result depends only on static shapes) is bound
# with --bind when facet-compile asks for a constant.
CONSTANT_OPERANDS = {
    "Reshape": (1,), "Expand": (1,), "Squeeze": (1,), "Unsqueeze": (1,),
    "Slice": (1, 2, 3, 4), "Split": (1,), "ReduceSum": (1,),
    "ReduceMean": (1,), "ReduceMax": (1,), "ReduceL2": (1,),
    "Range": (0, 1, 2), "Trilu": (1,), "ConstantOfShape": (0,),
}

# facet-compile's messages for an operand that must be a constant.
CONSTANT_INPUT_ERROR = re.compile(
    r"must be a constant|must be constant scalars")

# Test-name stems that are not an op's name (see op_under_test).
TEST_NAME_ALIASES = {"tril": "Trilu", "triu": "Trilu",
                     "mvn": "MeanVarianceNormalization"}

DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"


# ---------------------------------------------------------------------------
# Model inspection (selection, skip predicates, compile-time inputs)
# ---------------------------------------------------------------------------
def graph_inputs(model):
    """The graph inputs that are not initializers, in order."""
    inits = {i.name for i in model.graph.initializer}
    return [vi for vi in model.graph.input if vi.name not in inits]


def element_types(model):
    """Every tensor element type the model mentions: graph inputs, outputs
    and value_info, initializers, tensor attributes (Constant,
    ConstantOfShape) and Cast's target type."""
    g = model.graph
    types = set()
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        if vi.type.HasField("tensor_type"):
            types.add(vi.type.tensor_type.elem_type)
    types.update(init.data_type for init in g.initializer)
    for node in g.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR:
                types.add(attr.t.data_type)
            elif node.op_type == "Cast" and attr.name == "to":
                types.add(attr.i)
    return types


def has_non_tensor_io(model):
    g = model.graph
    return any(not vi.type.HasField("tensor_type")
               for vi in list(g.input) + list(g.output))


def has_empty_boundary_tensor(model):
    """A run-time input or an output with a zero dimension. Inputs bound at
    compile time (e.g. ReduceSum's axes = []) never reach the boundary."""
    bound = set(compile_time_inputs(model))
    values = [vi for vi in graph_inputs(model) if vi.name not in bound]
    values += list(model.graph.output)
    for vi in values:
        if vi.type.HasField("tensor_type"):
            dims = vi.type.tensor_type.shape.dim
            if any(d.HasField("dim_value") and d.dim_value == 0
                   for d in dims):
                return True
    return False


def compile_time_inputs(model):
    """Names of the graph inputs that feed an operand of CONSTANT_OPERANDS,
    in graph-input order."""
    g = model.graph
    producer = {out: node for node in g.node for out in node.output}
    inputs = {vi.name for vi in graph_inputs(model)}
    found, seen = set(), set()
    stack = [node.input[i] for node in g.node
             for i in CONSTANT_OPERANDS.get(node.op_type, ())
             if i < len(node.input) and node.input[i]]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in inputs:
            found.add(name)
        node = producer.get(name)
        if node is not None and node.op_type != "Shape":
            stack.extend(i for i in node.input if i)
    return [vi.name for vi in graph_inputs(model) if vi.name in found]


def skip_reason(model):
    for reason, predicate in SKIP_RULES:
        if predicate(model):
            return reason
    return None


def op_under_test(test_name, model_ops, schema_names):
    """The op a test is about, for the per-op table. ONNX names its tests
    test_<op>[_<variant>] with the op in snake case or lower case
    (test_reduce_sum_*, test_logsoftmax_*); the longest op name that
    prefixes the test name wins. An expanded test of an op that is not in the
    model is reported as "<Op> (expanded)"."""
    key = test_name[len("test_"):].replace("_", "").lower()
    candidates = [n for n in schema_names if key.startswith(n.lower())]
    candidates += [op for stem, op in TEST_NAME_ALIASES.items()
                   if key.startswith(stem)]
    name_op = max(candidates, key=len, default=None)
    if name_op in model_ops:
        return name_op
    if name_op and test_name.endswith("_expanded"):
        return f"{name_op} (expanded)"
    others = sorted(model_ops - {"Constant"}) or sorted(model_ops)
    return name_op or "+".join(others)


def select(data_dir, pattern):
    """[(test_dir, op, skip reason or None, compile-time inputs)] of the
    tests whose nodes are all ops of OPS, sorted by name."""
    schema_names = {s.name for s in onnx.defs.get_all_schemas()
                    if s.domain in ("", "ai.onnx")}
    tests = []
    for test_dir in sorted(glob.glob(os.path.join(data_dir, "test_*"))):
        name = os.path.basename(test_dir)
        if pattern and not re.search(pattern, name):
            continue
        model_path = os.path.join(test_dir, "model.onnx")
        if not os.path.exists(model_path):
            continue
        model = onnx.load(model_path, load_external_data=False)
        nodes = model.graph.node
        if not nodes or any(n.domain not in ("", "ai.onnx") or
                            n.op_type not in OPS for n in nodes):
            continue
        ops = {n.op_type for n in nodes}
        tests.append((test_dir, op_under_test(name, ops, schema_names),
                      skip_reason(model), compile_time_inputs(model)))
    return tests


# ---------------------------------------------------------------------------
# Running one test
# ---------------------------------------------------------------------------
def sanitize(name):
    """facet-run's file name for an output: every byte outside
    [A-Za-z0-9_.-] becomes '_' (tools/facet-run/facet-run.cpp)."""
    s = "".join(chr(b) if chr(b).isascii() and (chr(b).isalnum() or
                                               chr(b) in "_.-") else "_"
                for b in name.encode("utf-8"))
    return "_" + s if s in ("", ".", "..") else s


def compare(got, ref):
    """None when `got` matches the reference, else what differs."""
    if got.shape != ref.shape or got.dtype != ref.dtype:
        return (f"got {got.dtype}{list(got.shape)}, expected "
                f"{ref.dtype}{list(ref.shape)}")
    if ref.dtype.kind == "f":
        if not np.array_equal(np.isnan(got), np.isnan(ref)):
            return "NaNs in different places"
        close = np.isclose(got, ref, rtol=1e-3, atol=1e-5, equal_nan=True)
        if not close.all():
            diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
            return (f"max abs error {np.nanmax(diff):.3e} "
                    f"({np.count_nonzero(~close)} of {ref.size} elements "
                    "off)")
    elif not np.array_equal(got, ref):
        return (f"{np.count_nonzero(got != ref)} of {ref.size} elements "
                "differ")
    return None


def first_line(text, default="no message"):
    lines = text.strip().splitlines()
    return lines[0] if lines else default


class TestFailure(Exception):
    """A test failed; the message is the report's detail."""


def run_tool(cmd, deadline):
    """Runs a tool within the test's deadline; returns CompletedProcess."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise subprocess.TimeoutExpired(cmd, 0)
    return subprocess.run(cmd, capture_output=True, text=True,
                          timeout=remaining)


def data_set_inputs(ds, inputs, outputs):
    """{graph input name: input_<i>.pb} of a data set, after checking that
    it has one file per graph input and output."""
    n_in = len(glob.glob(os.path.join(ds, "input_*.pb")))
    n_out = len(glob.glob(os.path.join(ds, "output_*.pb")))
    if (n_in, n_out) != (len(inputs), len(outputs)):
        raise TestFailure(f"{os.path.basename(ds)} has {n_in} inputs and "
                          f"{n_out} outputs; the graph has {len(inputs)} "
                          f"and {len(outputs)}")
    return {n: os.path.join(ds, f"input_{i}.pb")
            for i, n in enumerate(inputs)}


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def compile_model(tools, model_path, lib, bind_files, deadline):
    """facet-compile MODEL -o LIB [--bind NAME=FILE]...; CompletedProcess."""
    cmd = [tools["compile"], model_path, "-o", lib]
    for name, path in bind_files.items():
        cmd += ["--bind", f"{name}={path}"]
    return run_tool(cmd, deadline)


def check_data_set(tools, lib, ds, run_inputs, outputs, out_dir, deadline):
    """Runs `lib` on the data set's run-time inputs ({name: file}) and
    compares every output with output_<i>.pb; raises TestFailure."""
    os.makedirs(out_dir)
    cmd = [tools["run"], lib, "--quiet", "--output-dir", out_dir]
    for name, path in run_inputs.items():
        cmd += ["--input", f"{name}={path}"]
    r = run_tool(cmd, deadline)
    if r.returncode:
        raise TestFailure(f"run (exit {r.returncode}): "
                          + first_line(r.stderr))
    for i, out in enumerate(outputs):
        ref = numpy_helper.to_array(
            onnx.load_tensor(os.path.join(ds, f"output_{i}.pb")))
        got_path = os.path.join(out_dir, sanitize(out) + ".npy")
        if not os.path.exists(got_path):
            raise TestFailure(f"run: no output file for '{out}'")
        problem = compare(np.load(got_path), ref)
        if problem:
            raise TestFailure(f"{os.path.basename(ds)} output '{out}': "
                              f"{problem}")


def run_test(test_dir, bindable, tools, workdir, timeout):
    """Compiles and runs one test on all its data sets.

    `bindable` are the graph inputs that feed compile-time operands. Returns
    (status, detail, bound): status "pass" or "fail", bound the graph inputs
    that were bound at compile time."""
    name = os.path.basename(test_dir)
    work = os.path.join(workdir, name)
    deadline = time.monotonic() + timeout
    bound = []
    try:
        os.makedirs(work)
        model_path = os.path.join(test_dir, "model.onnx")
        model = onnx.load(model_path, load_external_data=False)
        inputs = [vi.name for vi in graph_inputs(model)]
        outputs = [vo.name for vo in model.graph.output]
        data_sets = sorted(glob.glob(os.path.join(test_dir,
                                                  "test_data_set_*")))
        if not data_sets:
            raise TestFailure("no test_data_set_* directory")
        libs = {}  # values of the bound inputs -> compiled library
        for ds in data_sets:
            files = data_set_inputs(ds, inputs, outputs)
            # Compile as is first; bind the compile-time inputs only when
            # facet-compile says they must be constants. With bound inputs,
            # each distinct set of their values gets its own library.
            key = tuple(file_bytes(files[n]) for n in bound)
            if key not in libs:
                lib = os.path.join(work, f"model{len(libs)}.so")
                r = compile_model(tools, model_path, lib,
                                  {n: files[n] for n in bound}, deadline)
                if (r.returncode and not libs and bindable and
                        CONSTANT_INPUT_ERROR.search(r.stderr)):
                    bound = list(bindable)
                    key = tuple(file_bytes(files[n]) for n in bound)
                    r = compile_model(tools, model_path, lib,
                                      {n: files[n] for n in bound}, deadline)
                if r.returncode:
                    raise TestFailure("compile: " + first_line(r.stderr))
                libs[key] = lib
            run_inputs = {n: f for n, f in files.items() if n not in bound}
            check_data_set(tools, libs[key], ds, run_inputs, outputs,
                           os.path.join(work, os.path.basename(ds)),
                           deadline)
        return "pass", "", bound
    except TestFailure as e:
        return "fail", str(e), bound
    except subprocess.TimeoutExpired:
        return "fail", f"timed out after {timeout:g} s", bound
    except Exception as e:  # a broken data file, ...: report, don't crash
        detail = f"harness: {type(e).__name__}: {first_line(str(e))}"
        return "fail", detail, bound
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------
def per_op_table(results):
    """Markdown table: op -> passed (of which with bound inputs) / failed /
    skipped."""
    rows = {}
    for r in results.values():
        row = rows.setdefault(r["op"], {"pass": 0, "bound": 0, "fail": 0,
                                        "skip": 0})
        row[r["status"]] += 1
        row["bound"] += r["status"] == "pass" and bool(r["bound"])
    lines = ["| op | passed | of which with bound inputs | failed | skipped |",
             "|---|---|---|---|---|"]
    for op in sorted(rows, key=str.lower):
        row = rows[op]
        lines.append(f"| {op} | {row['pass']} | {row['bound']} | "
                     f"{row['fail']} | {row['skip']} |")
    return lines


def selection_table(tests):
    """Markdown table: op -> tests selected / of which skipped."""
    rows = {}
    for _, op, reason, _ in tests:
        row = rows.setdefault(op, [0, 0])
        row[0] += 1
        row[1] += reason is not None
    lines = ["| op | selected | of which skipped |", "|---|---|---|"]
    lines += [f"| {op} | {n} | {s} |"
              for op, (n, s) in sorted(rows.items(),
                                       key=lambda kv: kv[0].lower())]
    return lines


def default_tool(name):
    """build/bin next to this checkout if it has the tool, else PATH."""
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.normpath(os.path.join(here, "..", "..", "build", "bin",
                                          name))
    if os.access(built, os.X_OK):
        return built
    return shutil.which(name) or built


def parse_args():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--facet-compile", default=default_tool("facet-compile"),
                    help="facet-compile binary (default: build/bin, then "
                         "PATH)")
    ap.add_argument("--facet-run", default=default_tool("facet-run"),
                    help="facet-run binary (default: build/bin, then PATH)")
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR,
                    help=f"ONNX node test directory (default: "
                         f"{DEFAULT_DATA_DIR})")
    ap.add_argument("--filter", metavar="REGEX",
                    help="only tests whose name matches (re.search)")
    ap.add_argument("-j", type=int, default=2, metavar="N",
                    help="tests run in parallel (default: 2)")
    ap.add_argument("--timeout", type=float, default=120, metavar="SECONDS",
                    help="per-test limit, compile and all runs (default: "
                         "120)")
    ap.add_argument("--json", metavar="FILE",
                    help="write the per-test results here")
    ap.add_argument("--markdown", metavar="FILE",
                    help="write the per-op table and the counts here")
    ap.add_argument("--list", action="store_true",
                    help="print the selection and skip reasons, run nothing")
    ap.add_argument("--expect-all-pass", action="store_true",
                    help="exit 1 if any selected test fails (or none ran)")
    return ap.parse_args()


def main():
    args = parse_args()
    if not os.path.isdir(args.data_dir):
        sys.exit(f"no ONNX test data in {args.data_dir} "
                 "(apt-get install libonnx-testdata)")
    tests = select(args.data_dir, args.filter)

    if args.list:
        for test_dir, op, reason, bindable in tests:
            extra = (f" (compile-time inputs: {', '.join(bindable)})"
                     if bindable else "")
            print(f"{os.path.basename(test_dir)} [{op}]{extra}"
                  + (f" SKIP: {reason}" if reason else ""))
        print("\n".join(selection_table(tests)))
        skipped = sum(t[2] is not None for t in tests)
        print(f"selected: {len(tests)} tests, {skipped} to be skipped")
        return 0

    tools = {"compile": args.facet_compile, "run": args.facet_run}
    for tool in tools.values():
        if not (shutil.which(tool) or os.access(tool, os.X_OK)):
            sys.exit(f"cannot run {tool} (see --facet-compile/--facet-run)")

    results = {}
    workdir = tempfile.mkdtemp(prefix="facet-conformance-")
    try:
        # The work is in facet-compile/facet-run subprocesses, so threads
        # are enough to run j of them at a time.
        with concurrent.futures.ThreadPoolExecutor(max(1, args.j)) as pool:
            futures = {}
            for test_dir, op, reason, bindable in tests:
                name = os.path.basename(test_dir)
                if reason:
                    results[name] = {"op": op, "status": "skip",
                                     "detail": reason, "bound": []}
                    continue
                future = pool.submit(run_test, test_dir, bindable, tools,
                                     workdir, args.timeout)
                futures[future] = (name, op)
            for future in concurrent.futures.as_completed(futures):
                name, op = futures[future]
                status, detail, bound = future.result()
                results[name] = {"op": op, "status": status,
                                 "detail": detail, "bound": bound}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    for name in sorted(results):
        r = results[name]
        if r["status"] != "pass":
            print(f"{r['status'].upper()} {name}: {r['detail']}")
    counts = {s: sum(r["status"] == s for r in results.values())
              for s in ("pass", "fail", "skip")}
    summary = (f"conformance: {counts['pass']} passed, {counts['fail']} "
               f"failed, {counts['skip']} skipped")
    table = per_op_table(results)
    print("\n".join(table))
    print(summary)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(table) + "\n\n" + summary + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
    if args.expect_all_pass and (counts["fail"] or not counts["pass"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
