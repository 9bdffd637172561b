#!/usr/bin/env python3
"""Issue 6's benchmarks: η–δ and speed–δ of factorized models, through the
workbench (benchmarks/workbench.py), for MiniLM-L6 (real weights, real
text), the bundled tinygpt (perplexity on held-out text) and the GPT-2-style
decoder (random weights at GPT-2's scale):

  - uniform SVD (one rank for every layer, the weakest baseline) vs global
    allocation (--keep) vs activation-aware global allocation (--keep with
    --calibration), the latter also with ranks aligned to the target's
    register panels (--rank-multiple=auto), at several η;
  - each format at η = 0.5 (global allocation): svd, kronecker, tt, tucker,
    auto;
  - every build's latency against Facet dense and onnxruntime dense, same
    threads, one process.

  python3 benchmarks/factorize.py [--models minilm tinygpt gpt2] [--quick]
      [--out docs/Performance-factorized.md]

Writes the tables (with the commands) to --out and one SVG plot per model
and study beside it (docs/img/).
"""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile

import numpy as np
import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable


def run(cmd):
    print("+ " + shlex.join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True)


def linear_shapes(model, pattern=""):
    """[K, N] of every MatMul/Gemm whose weight is an initializer (and whose
    node name matches `pattern`)."""
    import re
    m = onnx.load(model)
    inits = {i.name: i.dims for i in m.graph.initializer}
    shapes = []
    for n in m.graph.node:
        if n.op_type in ("MatMul", "Gemm") and n.input[1] in inits and \
                len(inits[n.input[1]]) == 2 and re.search(pattern, n.name):
            k, nn = inits[n.input[1]]
            trans = any(a.name == "transB" and a.i for a in n.attribute)
            shapes.append((nn, k) if trans else (k, nn))
    return shapes


def uniform_rank(model, eta, pattern=""):
    """The one rank that keeps about η of the linear layers' parameters."""
    shapes = linear_shapes(model, pattern)
    total = sum(k * n for k, n in shapes)
    return max(1, round(eta * total / sum(k + n for k, n in shapes)))


def prepare_minilm(work, batch, seq):
    sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "factor"))
    sys.path.insert(0, os.path.join(ROOT, "models", "minilm"))
    import export_minilm
    import minilm_factorize
    model = os.path.join(work, "minilm.onnx")
    run([PY, os.path.join(ROOT, "models", "minilm", "export_minilm.py"),
         "-o", model])
    vocab = export_minilm.load_vocab(export_minilm.locate_model())
    lines = minilm_factorize.text_lines("heldout.txt")
    cal = minilm_factorize.text_lines("calibration.txt")
    minilm_factorize.write_sets(os.path.join(work, "minilm-cal"),
                                cal[:8 * batch], vocab, batch, seq)
    minilm_factorize.write_sets(os.path.join(work, "minilm-val"),
                                lines[:4 * batch], vocab, batch, seq)
    return model, os.path.join(work, "minilm-cal"), \
        os.path.join(work, "minilm-val"), []


def windows(text_file, count, seq):
    sys.path.insert(0, os.path.join(ROOT, "models", "tinygpt"))
    from tokenizer import Tokenizer
    tok = Tokenizer.load(os.path.join(ROOT, "examples", "tinygpt",
                                      "tokenizer.json"))
    ids = np.asarray(tok.encode(open(text_file).read()), np.int64)
    return [ids[i * seq:(i + 1) * seq][None] for i in range(count)]


def write_id_sets(root, arrays):
    for i, a in enumerate(arrays):
        d = os.path.join(root, f"set{i}")
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "input_ids.npy"), a)
    return root


def prepare_tinygpt(work, seq):
    ex = os.path.join(ROOT, "examples", "tinygpt")
    cal = write_id_sets(os.path.join(work, "tiny-cal"),
                        windows(os.path.join(ex, "calibration.txt"), 8, seq))
    val = write_id_sets(os.path.join(work, "tiny-val"),
                        windows(os.path.join(ex, "heldout.txt"), 4, seq))
    return os.path.join(ex, "tinygpt.onnx"), cal, val, [
        "--text", os.path.join(ex, "heldout.txt")]


def prepare_gpt2(work, seq):
    model = os.path.join(work, "gpt2.onnx")
    run([PY, os.path.join(ROOT, "models", "gpt2", "make_gpt2.py"), "-o",
         model])
    rng = np.random.default_rng(3)
    cal = write_id_sets(os.path.join(work, "gpt2-cal"),
                        [rng.integers(0, 1000, (1, seq)) for _ in range(8)])
    val = write_id_sets(os.path.join(work, "gpt2-val"),
                        [rng.integers(0, 1000, (1, seq)) for _ in range(4)])
    return model, cal, val, []


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--models", nargs="+",
                    default=["minilm", "tinygpt", "gpt2"])
    ap.add_argument("--etas", nargs="+", type=float, default=[0.3, 0.5, 0.7])
    ap.add_argument("--quick", action="store_true",
                    help="one η, no format study, few runs")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs",
                                                  "Performance-factorized.md"))
    args = ap.parse_args()
    etas = [0.5] if args.quick else args.etas
    img = os.path.join(os.path.dirname(os.path.abspath(args.out)), "img")
    os.makedirs(img, exist_ok=True)
    with open(args.out, "w") as fh:
        fh.write(
            "# Factorized models: η, δ and speed\n\n"
            "Written by `python3 benchmarks/factorize.py` "
            f"({shlex.join(sys.argv[1:]) or 'defaults'}) through the "
            "workbench: every row is a compiled library, all timed in one "
            "process with onnxruntime, same threads. η is the share of the "
            "model's parameters kept (all weights; the factorized layers' "
            "own η is the `--keep` value); δ is against Facet dense "
            "(relative L2 and mean cosine of the first output; KL and top-1 "
            "agreement of next-token distributions for language models). "
            "'uniform' keeps η of every layer (--allocation=uniform); "
            "'global' allocates ranks across layers (exact DP); 'aware' "
            "adds activation-aware whitening from calibration inputs; "
            "'aligned' restricts ranks to multiples of the target's "
            "register panel width (--rank-multiple=auto).\n")
    with tempfile.TemporaryDirectory(prefix="facet-factorize-bench-") as work:
        for name in args.models:
            if name == "minilm":
                model, cal, val, extra = prepare_minilm(work, 1, 128)
                layers = []
            elif name == "tinygpt":
                model, cal, val, extra = prepare_tinygpt(work, 128)
                layers = ["--layers=^/transformer/"]
            else:
                model, cal, val, extra = prepare_gpt2(work, 128)
                layers = ["--layers=^/transformer/"]
            lay = " ".join(layers)
            variants = []
            for eta in etas:
                variants.append(f"uniform/η{eta}=--factorize=svd --keep={eta} "
                                f"--allocation=uniform {lay}")
                variants.append(f"global/η{eta}=--factorize=svd --keep={eta} "
                                f"{lay}")
                variants.append(f"aware/η{eta}=--factorize=svd --keep={eta} "
                                f"{lay} --calibration {cal}")
                variants.append(f"aware+aligned/η{eta}=--factorize=svd "
                                f"--keep={eta} --rank-multiple=auto {lay} "
                                f"--calibration {cal}")
            base = [PY, os.path.join(ROOT, "benchmarks", "workbench.py"), model,
                    "--inputs", val, "--threads", str(args.threads), "--runs",
                    str(3 if args.quick else args.runs), "--out", args.out,
                    *extra]
            run(base + sum((["--variant", v] for v in variants), []) +
                ["--title", f"{name}: uniform vs global vs activation-aware",
                 "--plot", os.path.join(img, f"factorize-{name}-eta.svg")])
            if not args.quick:
                fmts = [f"{f}/η0.5=--factorize={f} --keep=0.5 {lay}"
                        for f in ("svd", "kronecker", "tt", "tucker", "auto")]
                run(base + sum((["--variant", v] for v in fmts), []) +
                    ["--title", f"{name}: formats at η = 0.5",
                     "--plot", os.path.join(img,
                                            f"factorize-{name}-formats.svg")])


if __name__ == "__main__":
    main()
