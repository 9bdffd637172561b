#!/usr/bin/env python3
"""Compiles an ONNX model with facet-compile, runs it with facet-run on random
inputs and compares every output with onnxruntime's.

Exit status 0 when all outputs match within --rtol/--atol; prints one line per
output with the worst errors either way.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

DTYPES = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


def input_shapes(model, fixed):
    shapes = {}
    inits = {i.name for i in model.graph.initializer}
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        dims = [d.dim_value if d.HasField("dim_value") else None
                for d in vi.type.tensor_type.shape.dim]
        if vi.name in fixed:
            dims = fixed[vi.name]
        shapes[vi.name] = (dims, DTYPES[vi.type.tensor_type.elem_type])
    return shapes


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("model")
    ap.add_argument("--facet-compile", required=True)
    ap.add_argument("--facet-run", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--dynamic-dim", type=int, default=None,
                    help="give every dynamic input dimension this size (and "
                         "pass the resulting --shape flags to facet-compile)")
    ap.add_argument("--inputs-from", metavar="DIR", default=None,
                    help="feed input NAME from DIR/NAME.npy where that file exists "
                         "(its shape fixes NAME's dynamic dimensions); other inputs "
                         "stay random")
    ap.add_argument("--input-format", choices=["npy", "pb"], default="npy")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--int-high", type=int, default=10,
                    help="integer inputs are drawn from [0, N)")
    ap.add_argument("-O", dest="opt", default="2")
    ap.add_argument("--compile-flag", action="append", default=[],
                    help="extra facet-compile flag (repeatable), e.g. "
                         "--compile-flag=--mattr=-avx512f")
    args = ap.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    model = onnx.load(args.model)
    preset = {}
    if args.inputs_from is not None:
        for name in input_shapes(model, {}):
            path = os.path.join(args.inputs_from, name + ".npy")
            if os.path.exists(path):
                preset[name] = np.load(path)
    fixed = {name: list(value.shape) for name, value in preset.items()
             if any(d is None for d in input_shapes(model, {})[name][0])}
    if args.dynamic_dim is not None:
        for name, (dims, _) in input_shapes(model, {}).items():
            if name not in fixed and any(d is None for d in dims):
                fixed[name] = [args.dynamic_dim if d is None else d
                               for d in dims]
    lib = os.path.join(args.workdir, "model.so")
    cmd = [args.facet_compile, args.model, "-o", lib, "-O" + args.opt]
    cmd += args.compile_flag
    for name, dims in fixed.items():
        cmd += ["--shape", name + "=" + "x".join(str(d) for d in dims)]
    subprocess.run(cmd, check=True)

    rng = np.random.default_rng(args.seed)
    feeds = {}
    run_cmd = [args.facet_run, lib, "--output-dir", args.workdir, "--quiet"]
    for name, (dims, dtype) in input_shapes(model, fixed).items():
        if any(d is None for d in dims):
            sys.exit(f"input {name} has a dynamic shape; pass --dynamic-dim")
        if name in preset:
            value = preset[name].astype(dtype)
        elif np.issubdtype(dtype, np.floating):
            value = rng.standard_normal(dims).astype(dtype)
        else:
            # Integer inputs are usually ids/indices: keep them in
            # [0, --int-high).
            value = rng.integers(0, args.int_high, size=dims).astype(dtype)
        feeds[name] = value
        path = os.path.join(args.workdir, f"in_{len(feeds)}.{args.input_format}")
        if args.input_format == "npy":
            np.save(path, value)
        else:
            with open(path, "wb") as f:
                f.write(numpy_helper.from_array(value, name).SerializeToString())
        run_cmd += ["--input", f"{name}={path}"]
    subprocess.run(run_cmd, check=True)

    session = ort.InferenceSession(args.model,
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    expected = session.run(names, feeds)
    ok = True
    for name, ref in zip(names, expected):
        got = np.load(os.path.join(args.workdir, f"{name}.npy"))
        if got.shape != ref.shape or got.dtype != ref.dtype:
            print(f"{name}: MISMATCH shape/dtype {got.shape} {got.dtype} "
                  f"vs onnxruntime {ref.shape} {ref.dtype}")
            ok = False
            continue
        err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
        rel = err / np.maximum(np.abs(ref.astype(np.float64)), 1e-30)
        match = np.allclose(got, ref, rtol=args.rtol, atol=args.atol)
        ok &= bool(match)
        print(f"{name}: {'ok' if match else 'MISMATCH'} shape={list(got.shape)} "
              f"max_abs_err={err.max() if err.size else 0:.3e} "
              f"max_rel_err={rel.max() if rel.size else 0:.3e}")
    print("all outputs match onnxruntime" if ok else "outputs differ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
