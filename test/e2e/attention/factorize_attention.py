"""Factorized attention end to end:

1. exactness at full rank: attn-lowrank at rank = head size and attn-tucker
   at full multilinear ranks (accepted although not smaller, accept-all=1)
   reproduce the dense model (GPT-2-style with random weights; tinygpt);
2. fidelity at reduced rank: tinygpt's attention layers factorized at
   η = 0.75 and 0.5 of their parameters (attn-lowrank, attn-tucker), next-
   token KL and top-1
   agreement with the dense model on held-out text windows (the report's
   fidelity, measured by the compiled models); fidelity falls as η falls.

Prints the figures and `factorize attention: ok`.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "models", "tinygpt"))
import facet  # noqa: E402

TINYGPT = os.path.join(ROOT, "examples", "tinygpt", "tinygpt.onnx")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def exactness(args, name, model, shape, head, vocab):
    w = os.path.join(args.workdir, name)
    os.makedirs(w, exist_ok=True)
    mlir = os.path.join(w, "dense.mlir")
    run([args.facet_compile, model, f"--shape=input_ids={shape}",
         "--emit=facet", "--mlir-print-debuginfo", "-o", mlir])
    run([args.facet_compile, mlir, "-o", os.path.join(w, "dense.so")])
    dense = facet.load(os.path.join(w, "dense.so"))
    ids = np.random.default_rng(0).integers(
        0, vocab, [int(d) for d in shape.split("x")]).astype(np.int64)
    ref = dense.run({dense.inputs[0].name: ids})
    ref = ref[list(ref)[0]].astype(np.float64)
    for fmt in ("lowrank", "tucker"):
        out = os.path.join(w, fmt + ".mlir")
        report = os.path.join(w, fmt + ".json")
        run([args.facet_opt, mlir, "--facet-factorize-linear=format=svd "
             f"rank={head} attention={fmt} accept-all=1 "
             f"layers=attn/MatMul_1 report={report}", "-o", out])
        layers = json.load(open(report))["layers"]
        if not layers or any(l["kind"] != "attention" or l["dense"]
                             for l in layers):
            sys.exit(f"FAIL {name} {fmt}: not every attention factored")
        run([args.facet_compile, out, "-o", os.path.join(w, fmt + ".so")])
        lib = facet.load(os.path.join(w, fmt + ".so"))
        got = lib.run({lib.inputs[0].name: ids})
        got = got[list(got)[0]].astype(np.float64)
        rel = np.linalg.norm(got - ref) / np.linalg.norm(ref)
        print(f"{name}: attn-{fmt} at full rank ({len(layers)} layers, ranks "
              f"{layers[0]['ranks']}): relative error {rel:.1e} vs dense")
        if rel > 1e-5:
            sys.exit(f"FAIL {name} {fmt}: full rank is not exact")


def fidelity(args):
    from tokenizer import Tokenizer
    import evaluate
    w = os.path.join(args.workdir, "fidelity")
    os.makedirs(w, exist_ok=True)
    tok = Tokenizer.load(os.path.join(ROOT, "examples", "tinygpt",
                                      "tokenizer.json"))
    text = open(os.path.join(ROOT, "examples", "tinygpt", "heldout.txt")).read()
    x, _ = evaluate.windows_of(tok.encode(text), 128)
    val = os.path.join(w, "val")
    for i in range(args.windows):
        d = os.path.join(val, f"set{i:02d}")
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "input_ids.npy"), x[i:i + 1])
    results = {}
    variants = [("attn-lowrank", ["--factorize-attention=lowrank",
                                  "--layers=attn/MatMul_1"]),
                ("attn-tucker", ["--factorize-attention=tucker",
                                 "--layers=attn/MatMul_1"])]
    for label, flags in variants:
        for keep in (0.75, 0.5):
            report = os.path.join(w, f"{label[:8]}-{keep}.json")
            run([args.facet_compile, TINYGPT, "--shape=input_ids=1x128",
                 "--factorize=svd", f"--keep={keep}", *flags,
                 "--validation", val, "--report", report,
                 "-o", os.path.join(w, "m.so")])
            r = json.load(open(report))
            f = r["fidelity"]["outputs"][0]
            t = r["totals"]
            results[(label, keep)] = f
            formats = sorted({l["format"] for l in r["layers"]})
            print(f"tinygpt, {label}, η = {keep}: kept {t['keep']:.3f} of "
                  f"{t['params_before']} ({', '.join(formats)}); next-token "
                  f"KL {f['kl']:.4f}, top-1 agreement {f['top1']:.3f}")
            if t["keep"] > keep + 1e-9:
                sys.exit(f"FAIL {label}: budget exceeded")
    for label in ("attn-lowrank", "attn-tucker"):
        hi, lo = results[(label, 0.75)], results[(label, 0.5)]
        if not (0 < hi["kl"] < lo["kl"]):
            sys.exit(f"FAIL {label}: KL does not grow as η falls "
                     f"({hi['kl']} at 0.75, {lo['kl']} at 0.5)")
    print("fidelity falls with η: ok")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--facet-compile", default="facet-compile")
    ap.add_argument("--facet-opt", default="facet-opt")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--windows", type=int, default=3)
    args = ap.parse_args()
    gpt2 = os.path.join(args.workdir, "gpt2.onnx")
    run([sys.executable, os.path.join(ROOT, "models", "gpt2", "make_gpt2.py"),
         "-o", gpt2])
    exactness(args, "gpt2", gpt2, "2x16", 32, 1000)
    exactness(args, "tinygpt", TINYGPT, "1x64", 40, 1024)
    fidelity(args)
    print("factorize attention: ok")


if __name__ == "__main__":
    main()
