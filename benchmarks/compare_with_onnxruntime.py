#!/usr/bin/env python3
"""Runs an ONNX model with onnxruntime and its Facet-compiled library side by
side, in one process, on the same inputs: checks the outputs agree and prints
the median latency of each over --runs runs (after warm-up), same thread
count. Writes a markdown table with --markdown FILE.

    python3 benchmarks/compare_with_onnxruntime.py MODEL.onnx MODEL.so \\
        --input NAME=FILE.npy [--runs 200] [--threads 1]
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
import facet  # noqa: E402


def median_min_ms(fn, runs, warmup):
    """(median, min) of `runs` timed calls after `warmup` untimed ones, ms."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times)


def median_ms(fn, runs, warmup=1):
    """Median of `runs` timed calls after `warmup` untimed ones, in ms."""
    return median_min_ms(fn, runs, warmup)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("model")
    ap.add_argument("library")
    ap.add_argument("--input", action="append", default=[],
                    help="NAME=FILE.npy (random inputs when omitted)")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--markdown", help="append a markdown table row here")
    args = ap.parse_args()

    compiled = facet.load(args.library)
    feeds = {}
    for spec in args.input:
        name, path = spec.split("=", 1)
        feeds[name] = np.load(path)
    rng = np.random.default_rng(0)
    for info in compiled.inputs:
        if info.name not in feeds:
            feeds[info.name] = rng.standard_normal(info.shape).astype(
                info.dtype)

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    session = ort.InferenceSession(args.model, opts,
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    ref = dict(zip(names, session.run(names, feeds)))
    got = compiled.run(feeds)
    worst = max(float(np.max(np.abs(got[n] - ref[n]))) for n in names)

    f_med, f_min = median_min_ms(lambda: compiled.run(feeds), args.runs,
                             args.warmup)
    o_med, o_min = median_min_ms(lambda: session.run(names, feeds), args.runs,
                             args.warmup)
    print(f"max |facet - onnxruntime| over outputs: {worst:.3e}")
    print(f"{'runtime':<14}{'median ms':>12}{'min ms':>10}")
    print(f"{'facet':<14}{f_med:>12.4f}{f_min:>10.4f}")
    print(f"{'onnxruntime':<14}{o_med:>12.4f}{o_min:>10.4f}")
    print(f"speed-up of facet over onnxruntime (median): {o_med / f_med:.2f}x"
          f" at {args.threads} thread(s)")
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write(f"| {os.path.basename(args.model)} | {args.threads} | "
                    f"{f_med:.4f} | {o_med:.4f} | {o_med / f_med:.2f}x | "
                    f"{worst:.1e} |\n")


if __name__ == "__main__":
    main()
