#!/usr/bin/env python3
"""Facet's main job on the bundled language model (examples/tinygpt: a
1.6M-parameter GPT-2-style decoder trained on the King James Bible, see
models/tinygpt/README.md):

  1. compile it dense, ahead of time, into a shared library;
  2. compile it factorized at a budget (default: η = 0.5 of the transformer
     blocks' parameters, allocated across their MLP layers (activation-aware
     SVD, calibrated on a few windows of training text) and their attention
     layers (joint low rank of the per-head W_Q·W_Kᵀ and W_V·W_O); the LM
     head, the most sensitive layer, stays dense), with the compression
     report;
  3. generate text from the same prompt with both;
  4. print parameters, latency per token, held-out perplexity of both (and of
     onnxruntime on the ONNX file, the reference), and the report's summary.

  python3 examples/tinygpt/demo.py [--build build] [--keep 0.5] [--tokens 40]
                                   [--attention lowrank|tucker|auto|none]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "models", "tinygpt"))
sys.path.insert(0, os.path.join(ROOT, "python"))
import evaluate  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402

CONTEXT = 128


def write_windows(ids, root, count):
    """`count` input sets of one 128-token window each (input_ids.npy)."""
    x, _ = evaluate.windows_of(ids, CONTEXT)
    for i in range(min(count, len(x))):
        d = os.path.join(root, f"set{i:02d}")
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "input_ids.npy"), x[i:i + 1])
    return min(count, len(x))


def timed(cmd):
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"demo: {' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")
    return time.perf_counter() - start, r.stdout


def per_token_ms(model, ids, runs):
    """Median time of one next-token step (a 1x128 forward) in ms."""
    x = np.zeros((1, CONTEXT), np.int64)
    x[0, :len(ids)] = ids[:CONTEXT]
    model(x)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        model(x)
        times.append(time.perf_counter() - t)
    return 1e3 * float(np.median(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--keep", type=float, default=0.5,
                    help="η of the linear layers' parameters (default 0.5)")
    ap.add_argument("--format", default="svd")
    ap.add_argument("--attention", default="lowrank",
                    help="also factorize the attention layers in this form "
                         "under the same budget (lowrank | tucker | auto; "
                         "none: only the linear layers)")
    ap.add_argument("--layers", default="^/transformer/",
                    help="layers to factorize (regex; default: the "
                         "transformer blocks, not the LM head)")
    ap.add_argument("--tokens", type=int, default=40,
                    help="tokens to generate (default 40)")
    ap.add_argument("--runs", type=int, default=50,
                    help="timed runs per latency figure")
    ap.add_argument("--out", help="keep the libraries and the report here")
    args = ap.parse_args()

    compiler = os.path.join(args.build, "bin", "facet-compile")
    model_path = os.path.join(HERE, "tinygpt.onnx")
    tok = Tokenizer.load(os.path.join(HERE, "tokenizer.json"))
    heldout = tok.encode(open(os.path.join(HERE, "heldout.txt")).read())
    calib = tok.encode(open(os.path.join(HERE, "calibration.txt")).read())
    prompt = open(os.path.join(HERE, "prompt.txt")).read().strip()

    work = args.out or tempfile.mkdtemp(prefix="facet-demo-")
    os.makedirs(work, exist_ok=True)
    try:
        n_cal = write_windows(calib, os.path.join(work, "calibration"), 8)
        n_val = write_windows(heldout, os.path.join(work, "validation"), 8)
        dense_so = os.path.join(work, "tinygpt-dense.so")
        fact_so = os.path.join(work, "tinygpt-factorized.so")
        report = os.path.join(work, "report.json")
        shape = f"--shape=input_ids=1x{CONTEXT}"
        print(f"== compile {os.path.relpath(model_path, ROOT)} dense "
              f"(input_ids 1x{CONTEXT})", flush=True)
        t_dense, _ = timed([compiler, model_path, shape, "-O3",
                            "-o", dense_so])
        print(f"   {t_dense:.1f} s -> {dense_so}")
        attn = [] if args.attention == "none" else \
            [f"--factorize-attention={args.attention}"]
        print(f"== compile it factorized: --factorize={args.format} "
              f"--keep={args.keep} --layers='{args.layers}' "
              f"{' '.join(attn)}, calibrated on "
              f"{n_cal} windows of training "
              f"text, fidelity on {n_val} held-out windows", flush=True)
        t_fact, table = timed([compiler, model_path, shape, "-O3",
                               f"--factorize={args.format}",
                               f"--keep={args.keep}",
                               f"--layers={args.layers}", *attn,
                               "--calibration", os.path.join(work, "calibration"),
                               "--validation", os.path.join(work, "validation"),
                               "--report", report, "-o", fact_so])
        print(f"   {t_fact:.1f} s -> {fact_so} (report: {report}, "
              f"{os.path.splitext(report)[0]}.html)")

        dense = evaluate.facet_model(dense_so)
        fact = evaluate.facet_model(fact_so)
        ort = evaluate.onnx_model(model_path)
        prompt_ids = tok.encode(prompt)
        print(f"\n== generate {args.tokens} tokens after: \"{prompt}\" "
              "(temperature 0.8, top-k 40, seed 0)")
        for name, m in (("dense", dense), ("factorized", fact)):
            out = evaluate.generate(m, prompt_ids, args.tokens,
                                    temperature=0.8, top_k=40, seed=0)
            text = tok.decode(out[len(prompt_ids):]).replace("\n", " / ")
            print(f"   {name:>10}: ...{text}")

        rep = json.load(open(report))
        t = rep["totals"]
        ppl = {k: evaluate.perplexity(m, heldout)["ppl"]
               for k, m in (("onnxruntime", ort), ("dense", dense),
                            ("factorized", fact))}
        lat = {k: per_token_ms(m, prompt_ids, args.runs)
               for k, m in (("onnxruntime", ort), ("dense", dense),
                            ("factorized", fact))}
        print("\n== results (one thread; latency = one next-token step, a "
              f"1x{CONTEXT} forward, median of {args.runs})")
        print(f"   {'':12} {'parameters':>12} {'ms/token':>9} "
              f"{'held-out ppl':>13}")
        params = {"onnxruntime": t["model_params_before"],
                  "dense": t["model_params_before"],
                  "factorized": t["model_params_after"]}
        for k in ("onnxruntime", "dense", "factorized"):
            print(f"   {k:12} {params[k]:>12,} {lat[k]:>9.3f} {ppl[k]:>13.2f}")
        print(f"   factorized vs dense: {lat['dense'] / lat['factorized']:.2f}x "
              f"faster, η = {t['model_keep']:.3f} of the model's parameters, "
              f"perplexity x{ppl['factorized'] / ppl['dense']:.2f}")
        fid = {f["name"]: f for f in rep["fidelity"]["outputs"]}.get("logits")
        if fid:
            print(f"   next-token fidelity on held-out windows: mean KL "
                  f"{fid['kl']:.4f}, top-1 agreement {fid['top1']:.3f}")
        print("\n== compression report (summary)")
        factored = sum(not layer["dense"] for layer in rep["layers"])
        print(f"   {factored} of the {t['layers']} selected layers "
              "factorized, "
              f"{t['params_before']:,} -> {t['params_after']:,} parameters "
              f"(η = {t['keep']:.3f}), {rep['seconds']:.1f} s")
        for layer in rep["layers"]:
            what = ("dense: " + layer["reason"]) if layer["dense"] else (
                f"{layer['format']} rank {layer['ranks'][0]}, "
                f"ε {layer['error']:.3f}"
                + (f", ε(act) {layer['activation_error']:.3f}"
                   if layer["activation_error"] is not None else ""))
            print(f"   {layer['name']:<40} {layer['shape'][0]:>4}x"
                  f"{layer['shape'][1]:<5} {what}")
    finally:
        if not args.out:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
