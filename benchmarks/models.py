#!/usr/bin/env python3
"""Whole-model latency, Facet vs onnxruntime, side by side in one process.

Builds the test-suite models (models/), compiles each with facet-compile for
the benchmarked shape, and times Facet (through the C ABI, python/facet) and
onnxruntime on the same inputs at each thread count; checks the outputs
agree. Writes a markdown table (--markdown) and prints it.

    python3 benchmarks/models.py [--runs 20] [--rounds 3] [--threads 1 2]
                                 [--only MiniLM] [--markdown FILE]

Each thread count is its own Facet build (--threads N); onnxruntime uses
intra_op_num_threads = N. Each column is the best over --rounds alternating
rounds of the median of --runs calls.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
import facet  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_with_onnxruntime import median_ms  # noqa: E402

COMPILE = os.path.join(ROOT, "build", "bin", "facet-compile")


def cases(tmp):
    """(label, model path, inputs dict)."""
    out = []
    minilm = os.path.join(tmp, "minilm.onnx")
    subprocess.run([sys.executable, os.path.join(ROOT, "models", "minilm",
                                                 "export_minilm.py"),
                    "-o", minilm, "--emit-inputs", os.path.join(tmp, "mini"),
                    "--batch", "1", "--seq", "128"], check=True,
                   stdout=subprocess.DEVNULL)
    feeds = {n: np.load(os.path.join(tmp, "mini", n + ".npy"))
             for n in ("input_ids", "attention_mask", "token_type_ids")}
    out.append(("MiniLM-L6, seq 128", minilm, feeds))
    gpt2 = os.path.join(tmp, "gpt2.onnx")
    subprocess.run([sys.executable, os.path.join(ROOT, "models", "gpt2",
                                                 "make_gpt2.py"),
                    "-o", gpt2], check=True, stdout=subprocess.DEVNULL)
    rng = np.random.default_rng(0)
    for seq, label in ((128, "GPT-2-style (2 layers, d=128), seq 128"),
                       (1, "GPT-2-style, single-token decode")):
        out.append((label, gpt2,
                    {"input_ids": rng.integers(0, 1000, (1, seq))}))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternating rounds of Facet and onnxruntime; each "
                         "column is the best of the rounds' medians")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--markdown")
    ap.add_argument("--only", help="run only the models whose label contains "
                    "this text (e.g. MiniLM, decode)")
    args = ap.parse_args()
    rows = ["| model | threads | Facet ms | onnxruntime ms | speed-up | "
            "max abs diff | Facet compile s |", "|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for label, path, feeds in cases(tmp):
            if args.only and args.only not in label:
                continue
            shapes = []
            for name, v in feeds.items():
                shapes += ["--shape", name + "=" + "x".join(map(str, v.shape))]
            for threads in args.threads:
                # Each thread count is its own build (--threads N).
                lib = os.path.join(tmp, f"m{len(rows)}.so")
                start = time.perf_counter()
                subprocess.run([COMPILE, path, "-O3", "-o", lib,
                                "--threads", str(threads)] + shapes,
                               check=True)
                compile_s = time.perf_counter() - start
                model = facet.load(lib)
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = threads
                opts.inter_op_num_threads = 1
                sess = ort.InferenceSession(path, opts,
                                            providers=["CPUExecutionProvider"])
                names = [o.name for o in sess.get_outputs()]
                ref = sess.run(names, feeds)
                got = model.run(feeds)
                diff = max(float(np.max(np.abs(got[n] - r)))
                           for n, r in zip(names, ref))
                # Alternating rounds, best median of each: a transient load
                # on the machine (it is shared) then costs a round, not the
                # row. Between the two runtimes a pause lets the other's
                # spinning worker threads (libomp's KMP_BLOCKTIME is 200 ms)
                # go to sleep, so neither times against the other's spin.
                f = o = float("inf")
                for _ in range(args.rounds):
                    f = min(f, median_ms(lambda: model.run(feeds), args.runs,
                                         args.warmup))
                    time.sleep(0.3)
                    o = min(o, median_ms(lambda: sess.run(names, feeds),
                                         args.runs, args.warmup))
                    time.sleep(0.3)
                del sess
                rows.append(f"| {label} | {threads} | {f:.2f} | {o:.2f} | "
                            f"{o / f:.2f}x | {diff:.1e} | {compile_s:.1f} |")
                print(rows[-1], flush=True)
    table = "\n".join(rows)
    print(table)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(table + "\n")


if __name__ == "__main__":
    main()
