#!/usr/bin/env python3
"""Fused vs unfused attention, side by side in one process.

Builds one multi-head self-attention block as exporters write it (Q/K/V
MatMul + Add, head Reshape/Transpose, Q·Kᵀ, Div by √d, mask, Softmax, ·V,
head merge, output MatMul + Add) for each configuration and sequence length,
compiles it twice — with the attention raised to facet.attention and run as
the fused online-softmax kernel (the default), and with
`--raise-attention=false` (the ops one by one, the score matrix
materialized) — checks that both agree with onnxruntime, and times both
(and onnxruntime) through the C ABI, interleaved, median of --runs.

Also times the attention core alone (`--core`: the same block without the
projections, q/k/v as inputs), where the difference is all attention's.

    python3 benchmarks/attention.py [--seqs 128,512,2048] [--runs 10]
                                    [--markdown FILE]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
import facet  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_with_onnxruntime import median_ms  # noqa: E402

COMPILE = os.path.join(ROOT, "build", "bin", "facet-compile")


def attention_block(seq, d, heads, causal, projections, seed=0):
    """An exporter-style MHA block on x [1, seq, d] (or on q, k, v)."""
    rng = np.random.default_rng(seed)
    dh = d // heads
    f = TensorProto.FLOAT
    nodes, inits, inputs = [], [], []

    def const(name, value):
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op, ins, **attrs):
        out = f"{op.lower()}_{len(nodes)}"
        nodes.append(helper.make_node(op, ins, [out], **attrs))
        return out

    def proj(x, tag):
        w = const(f"w{tag}", (rng.standard_normal((d, d)) *
                              (0.6 / np.sqrt(d))).astype(np.float32))
        b = const(f"b{tag}", (rng.standard_normal(d) * 0.02).astype(np.float32))
        return node("Add", [node("MatMul", [x, w]), b])

    split = const("split_shape", np.array([1, seq, heads, dh], np.int64))
    merge = const("merge_shape", np.array([1, seq, d], np.int64))
    if projections:
        inputs.append(helper.make_tensor_value_info("x", f, [1, seq, d]))
        q, k, v = proj("x", "q"), proj("x", "k"), proj("x", "v")
    else:
        for n in "qkv":
            inputs.append(helper.make_tensor_value_info(n, f, [1, seq, d]))
        q, k, v = "q", "k", "v"
    qh = node("Transpose", [node("Reshape", [q, split])], perm=[0, 2, 1, 3])
    kt = node("Transpose", [node("Reshape", [k, split])], perm=[0, 2, 3, 1])
    vh = node("Transpose", [node("Reshape", [v, split])], perm=[0, 2, 1, 3])
    s = node("Div", [node("MatMul", [qh, kt]),
                     const("sqrt_d", np.array(np.sqrt(dh), np.float32))])
    if causal:
        tril = np.tril(np.ones((seq, seq), bool)).reshape(1, 1, seq, seq)
        s = node("Where", [const("causal", tril), s,
                           const("fill", np.array(np.finfo(np.float32).min,
                                                  np.float32))])
    p = node("Softmax", [s], axis=-1)
    o = node("Transpose", [node("MatMul", [p, vh])], perm=[0, 2, 1, 3])
    o = node("Reshape", [o, merge])
    if projections:
        o = proj(o, "o")
    nodes[-1].output[0] = "y"
    g = helper.make_graph(nodes, "attention", inputs,
                          [helper.make_tensor_value_info("y", f, [1, seq, d])],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seqs", default="128,512,2048")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--configs", default="bert,gpt",
                    help="bert: d=384, 12 heads, no mask; gpt: d=768, 12 "
                         "heads, causal")
    ap.add_argument("--core", action="store_true",
                    help="time the attention core only (no projections)")
    ap.add_argument("--no-ort", action="store_true")
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args()
    configs = {"bert": (384, 12, False), "gpt": (768, 12, True)}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for cfg in args.configs.split(","):
            d, heads, causal = configs[cfg]
            for seq in [int(s) for s in args.seqs.split(",")]:
                m = attention_block(seq, d, heads, causal, not args.core)
                path = os.path.join(tmp, f"{cfg}{seq}.onnx")
                onnx.save(m, path)
                libs = {}
                for label, flags in (("fused", []),
                                     ("unfused", ["--raise-attention=false"])):
                    so = os.path.join(tmp, f"{cfg}{seq}-{label}.so")
                    subprocess.run([COMPILE, path, "-o", so] + flags,
                                   check=True)
                    libs[label] = facet.load(so)
                rng = np.random.default_rng(1)
                names = [i.name for i in m.graph.input]
                feeds = {n: rng.standard_normal((1, seq, d)).astype(np.float32)
                         for n in names}
                sess = None if args.no_ort else ort.InferenceSession(
                    path, providers=["CPUExecutionProvider"],
                    sess_options=_one_thread())
                ref = (sess.run(None, feeds)[0] if sess else
                       libs["unfused"].run(feeds)["y"])
                for label, lib in libs.items():
                    got = lib.run(feeds)["y"]
                    err = np.abs(got - ref).max() / np.abs(ref).max()
                    if err > 1e-4:
                        sys.exit(f"{cfg} seq {seq} {label}: relative error "
                                 f"{err:.2e}")
                times = {k: [] for k in libs}
                if sess:
                    times["onnxruntime"] = []
                # Interleaved rounds so that load on the machine hits all.
                for _ in range(3):
                    for label, lib in libs.items():
                        times[label].append(median_ms(
                            lambda: lib.run(feeds), max(1, args.runs // 3)))
                    if sess:
                        times["onnxruntime"].append(median_ms(
                            lambda: sess.run(None, feeds),
                            max(1, args.runs // 3)))
                t = {k: float(np.median(v)) for k, v in times.items()}
                rows.append((cfg, d, heads, causal, seq, t))
                print(f"{cfg} d={d} h={heads} {'causal' if causal else 'full'}"
                      f" seq {seq}: fused {t['fused']:.3f} ms, unfused "
                      f"{t['unfused']:.3f} ms ({t['unfused'] / t['fused']:.2f}x)"
                      + (f", onnxruntime {t['onnxruntime']:.3f} ms"
                         if sess else ""), flush=True)
    lines = ["| block | mask | seq | fused (ms) | unfused (ms) | speed-up |"
             + (" onnxruntime (ms) |" if not args.no_ort else ""),
             "|---|---|---|---|---|---|" + ("---|" if not args.no_ort else "")]
    for cfg, d, heads, causal, seq, t in rows:
        lines.append(f"| {cfg} d={d}, {heads} heads{' (core)' if args.core else ''}"
                     f" | {'causal' if causal else 'none'} | {seq} | "
                     f"{t['fused']:.2f} | {t['unfused']:.2f} | "
                     f"{t['unfused'] / t['fused']:.2f}x |" +
                     (f" {t['onnxruntime']:.2f} |" if not args.no_ort else ""))
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(table + "\n")


def _one_thread():
    o = ort.SessionOptions()
    o.intra_op_num_threads = 1
    o.inter_op_num_threads = 1
    return o


if __name__ == "__main__":
    main()
