#!/usr/bin/env python3
"""Factorized attention: fidelity to the dense model at reduced rank.

For each model and keep ratio η of its attention parameters (the Q/K/V/O
projections), compiles the model with the attention factorized

  - svd:          each projection by its own truncated SVD (attention
                  projections as four linear layers, the pre-attention way);
  - attn-lowrank: per-head bilinear forms W_Q,h·W_K,hᵀ and W_V,h·W_O,h
                  truncated jointly (scores and values in reduced spaces);
  - attn-tucker:  head-shared Tucker of the stacked per-head projections;
  - attn-auto:    both attention formats compete in one allocation;

and reads the report's fidelity (measured by the compiled models on real
text): next-token KL and top-1 agreement for tinygpt (held-out KJV windows),
sentence-embedding cosine for MiniLM-L6 (real weights, when installed).
Then the whole transformer blocks of tinygpt at η = 0.5 (the demo's
budget), linear layers only vs linear and attention layers in one
allocation, with held-out perplexity.

    python3 benchmarks/attention_factorize.py [--keeps 0.75,0.5,0.35]
        [--markdown FILE] [--no-minilm]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "models", "tinygpt"))
sys.path.insert(0, os.path.join(ROOT, "models", "minilm"))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "factor"))
import facet  # noqa: E402

COMPILE = os.path.join(ROOT, "build", "bin", "facet-compile")
TINYGPT = os.path.join(ROOT, "examples", "tinygpt", "tinygpt.onnx")

FORMATS = [("svd", []),
           ("attn-lowrank", ["--factorize-attention=lowrank"]),
           ("attn-tucker", ["--factorize-attention=tucker"]),
           ("attn-auto", ["--factorize-attention=auto"])]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def tinygpt_windows(root, count, offset=0):
    from tokenizer import Tokenizer
    import evaluate
    tok = Tokenizer.load(os.path.join(ROOT, "examples", "tinygpt",
                                      "tokenizer.json"))
    text = open(os.path.join(ROOT, "examples", "tinygpt", "heldout.txt")).read()
    x, y = evaluate.windows_of(tok.encode(text), 128)
    for i in range(count):
        d = os.path.join(root, f"set{i:02d}")
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "input_ids.npy"), x[offset + i:offset + i + 1])
    return x, y


def perplexity(lib_path, x, y, count):
    lib = facet.load(lib_path)
    nll, n = 0.0, 0
    for i in range(count):
        logits = lib.run({"input_ids": x[i:i + 1]})["logits"][0].astype(np.float64)
        logits -= logits.max(-1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        nll -= logp[np.arange(len(y[i])), y[i]].sum()
        n += len(y[i])
    return float(np.exp(nll / n))


def attention_rows(tmp, keeps, model, shapes, val, layers_attn, layers_svd,
                   metric):
    rows = []
    for label, flags in FORMATS:
        for keep in keeps:
            report = os.path.join(tmp, "r.json")
            layer_flag = layers_svd if label == "svd" else layers_attn
            run([COMPILE, model, *shapes, "--factorize=svd", f"--keep={keep}",
                 f"--layers={layer_flag}", *flags, "--validation", val,
                 "--report", report, "--emit=facet", "-o", os.devnull])
            r = json.load(open(report))
            f = r["fidelity"]["outputs"]
            f = next(o for o in f if o["name"] in ("logits", "sentence_embedding"))
            formats = {}
            for l in r["layers"]:
                formats[l["format"]] = formats.get(l["format"], 0) + 1
            rows.append((label, keep, r["totals"]["keep"], f, formats))
            print(f"  {label:13} η = {keep}: kept {r['totals']['keep']:.3f}, "
                  + metric(f) + f"  {formats}", flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--keeps", default="0.75,0.5,0.35")
    ap.add_argument("--windows", type=int, default=8)
    ap.add_argument("--no-minilm", action="store_true")
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args()
    keeps = [float(k) for k in args.keeps.split(",")]
    md = []
    with tempfile.TemporaryDirectory() as tmp:
        val = os.path.join(tmp, "tiny-val")
        x, y = tinygpt_windows(val, args.windows)
        print("tinygpt (4 layers, d=160, 4 heads of 40), attention parameters "
              "only:")
        rows = attention_rows(
            tmp, keeps, TINYGPT, ["--shape=input_ids=1x128"], val,
            "attn/MatMul_1", "attn/c_",
            lambda f: f"KL {f['kl']:.4f}, top-1 {f['top1']:.3f}")
        md += ["### tinygpt: attention layers only (held-out KJV, "
               f"{args.windows} windows of 128 tokens)", "",
               "| format | η asked | η kept | next-token KL | top-1 agreement |",
               "|---|---|---|---|---|"]
        md += [f"| {l} | {k} | {kk:.3f} | {f['kl']:.4f} | {f['top1']:.3f} |"
               for l, k, kk, f, _ in rows]
        md.append("")

        print("tinygpt, transformer blocks at η = 0.5: linear only vs "
              "linear + attention:")
        md += ["### tinygpt: the transformer blocks at η = 0.5 (demo budget)",
               "", "| layers allocated | η kept | KL | top-1 | held-out ppl |",
               "|---|---|---|---|---|"]
        ppl_x, ppl_y = x[args.windows:], y[args.windows:]
        count = min(32, len(ppl_x))
        dense = os.path.join(tmp, "dense.so")
        run([COMPILE, TINYGPT, "--shape=input_ids=1x128", "-o", dense])
        md.append(f"| dense | 1 | 0 | 1 | {perplexity(dense, ppl_x, ppl_y, count):.2f} |")
        for i, (label, flags) in enumerate((
                ("linear (projections by SVD)", []),
                ("linear + attn-lowrank", ["--factorize-attention=lowrank"]),
                ("linear + attn-auto", ["--factorize-attention=auto"]))):
            # A fresh path each: a library loaded once stays loaded.
            so = os.path.join(tmp, f"m{i}.so")
            report = os.path.join(tmp, "r.json")
            run([COMPILE, TINYGPT, "--shape=input_ids=1x128", "--factorize=svd",
                 "--keep=0.5", "--layers=/transformer/h", *flags,
                 "--validation", val, "--report", report, "-o", so])
            r = json.load(open(report))
            f = r["fidelity"]["outputs"][0]
            ppl = perplexity(so, ppl_x, ppl_y, count)
            md.append(f"| {label} | {r['totals']['keep']:.3f} | {f['kl']:.4f} | "
                      f"{f['top1']:.3f} | {ppl:.2f} |")
            print(f"  {label}: kept {r['totals']['keep']:.3f}, KL {f['kl']:.4f}, "
                  f"top-1 {f['top1']:.3f}, perplexity {ppl:.2f}", flush=True)
        md.append("")

        if not args.no_minilm:
            import export_minilm
            import minilm_factorize
            model = os.path.join(tmp, "minilm.onnx")
            run([sys.executable, os.path.join(ROOT, "models", "minilm",
                                              "export_minilm.py"), "-o", model])
            vocab = export_minilm.load_vocab(export_minilm.locate_model())
            lines = minilm_factorize.text_lines()
            mval = os.path.join(tmp, "minilm-val")
            minilm_factorize.write_sets(mval, lines[32:48], vocab, 4, 64)
            shapes = [f"--shape={n}=4x64" for n in
                      ("input_ids", "attention_mask", "token_type_ids")]
            print("MiniLM-L6 (real weights; 6 layers, d=384, 12 heads of 32), "
                  "attention parameters only:")
            rows = attention_rows(
                tmp, keeps, model, shapes, mval, "attention/self/MatMul_1",
                "attention", lambda f: f"cosine {f['cosine']:.4f}, "
                                       f"rel-L2 {f['rel_l2']:.4f}")
            md += ["### MiniLM-L6: attention layers only (sentence embedding, "
                   "16 sentences of held-out text)", "",
                   "| format | η asked | η kept | cosine | relative L2 |",
                   "|---|---|---|---|---|"]
            md += [f"| {l} | {k} | {kk:.3f} | {f['cosine']:.4f} | "
                   f"{f['rel_l2']:.4f} |" for l, k, kk, f, _ in rows]
            md.append("")
    text = "\n".join(md)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
