"""Compiles one-contraction ONNX models over awkward shapes and checks the
compiled code against numpy (float64 reference): the tiled kernels must be
right for every remainder (M, N, K not multiples of the tiles), both weight
layouts, batch dims and activation-activation products, and a threaded
build must give the 1-thread result up to rounding.

Prints one line per case and `contraction shapes: N ok` at the end.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "python"))
import facet  # noqa: E402


def linear_model(path, x_shape, k, n, trans_b, rng):
    """y = x · W (MatMul, W [K,N]) or Gemm(transB=1) (W [N,K])."""
    w = rng.standard_normal((n, k) if trans_b else (k, n)).astype(np.float32)
    y_shape = list(x_shape[:-1]) + [n]
    if trans_b:
        node = helper.make_node("Gemm", ["x", "W"], ["y"], transB=1)
    else:
        node = helper.make_node("MatMul", ["x", "W"], ["y"])
    graph = helper.make_graph(
        [node], "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        [numpy_helper.from_array(w, "W")])
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return (w.T if trans_b else w).astype(np.float64)


def batched_model(path, a_shape, b_shape, transpose_b=False):
    """y = a · b, both inputs (attention's probs · V), or a · bᵀ with an
    explicit Transpose (scores = Q · Kᵀ)."""
    out = list(a_shape[:-1]) + [b_shape[-2 if transpose_b else -1]]
    perm = list(range(len(b_shape) - 2)) + [len(b_shape) - 1,
                                            len(b_shape) - 2]
    nodes = [helper.make_node("Transpose", ["b"], ["bt"], perm=perm),
             helper.make_node("MatMul", ["a", "bt"], ["y"])] \
        if transpose_b else [helper.make_node("MatMul", ["a", "b"], ["y"])]
    graph = helper.make_graph(
        nodes, "bmm",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, a_shape),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, b_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out)])
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def compile_model(args, onnx_path, lib, threads=1):
    cmd = [args.facet_compile, onnx_path, "-o", lib] + args.compile_flag
    if threads > 1:
        cmd += ["--threads", str(threads)]
    subprocess.run(cmd, check=True)
    return facet.load(lib)


def check(label, got, ref):
    err = np.abs(got - ref).max() / max(np.abs(ref).max(), 1e-30)
    ok = err < 1e-5
    print(f"{label}: {'ok' if ok else 'FAIL'} (max rel err {err:.1e})")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--facet-compile", default="facet-compile")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--compile-flag", action="append", default=[],
                    help="extra facet-compile flag (repeatable), e.g. "
                         "--compile-flag=--mattr=-avx512f")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    rng = np.random.default_rng(7)
    ok = count = 0
    # (x shape, K, N, transB): decode, odd M/K/N, panel padding, batch dims,
    # sizes beyond one cache tile (M > 64, K > 256, N > 128).
    linear = [([1, 7], 7, 5, 0), ([1, 64], 64, 48, 1), ([2, 33], 33, 17, 0),
              ([3, 100], 100, 70, 1), ([5, 16], 16, 16, 0),
              ([37, 300], 300, 130, 0), ([130, 260], 260, 200, 1),
              ([2, 9, 24], 24, 40, 0), ([8, 512], 512, 20, 1)]
    for i, (x_shape, k, n, tb) in enumerate(linear):
        path = os.path.join(args.workdir, f"linear{i}.onnx")
        w = linear_model(path, x_shape, k, n, tb, rng)
        x = rng.standard_normal(x_shape).astype(np.float32)
        model = compile_model(args, path, path[:-5] + ".so")
        ref = x.astype(np.float64) @ w
        count += 1
        ok += check(f"linear x{x_shape} K={k} N={n} transB={tb}",
                    model.run([x])["y"], ref)
    batched = [([2, 4, 8, 8], [2, 4, 8, 32], False),
               ([1, 3, 5, 7], [1, 3, 7, 20], False),
               ([2, 6, 9], [2, 9, 16], False),
               ([2, 4, 9, 32], [2, 4, 20, 32], True),
               ([1, 2, 3, 5], [1, 2, 16, 5], True)]
    for i, (a_shape, b_shape, tb) in enumerate(batched):
        path = os.path.join(args.workdir, f"bmm{i}.onnx")
        batched_model(path, a_shape, b_shape, tb)
        a = rng.standard_normal(a_shape).astype(np.float32)
        b = rng.standard_normal(b_shape).astype(np.float32)
        model = compile_model(args, path, path[:-5] + ".so")
        bt = np.swapaxes(b, -1, -2) if tb else b
        count += 1
        ok += check(f"batched {a_shape} x {b_shape}{'ᵀ' if tb else ''}",
                    model.run([a, b])["y"],
                    a.astype(np.float64) @ bt.astype(np.float64))
    # Threads: the panel blocks split across 2 threads; same result.
    path = os.path.join(args.workdir, "threads.onnx")
    w = linear_model(path, [70, 200], 200, 400, 1, rng)
    x = rng.standard_normal((70, 200)).astype(np.float32)
    one = compile_model(args, path, path[:-5] + "1.so").run([x])["y"]
    two = compile_model(args, path, path[:-5] + "2.so", threads=2).run([x])["y"]
    count += 2
    ok += check("threads=2 vs numpy", two, x.astype(np.float64) @ w)
    same = np.array_equal(one, two)
    print(f"threads=2 vs threads=1: {'ok' if same else 'FAIL'} (bitwise)")
    ok += same
    print(f"contraction shapes: {ok} of {count} ok")
    return 0 if ok == count else 1


if __name__ == "__main__":
    sys.exit(main())
