#!/usr/bin/env python3
"""The evaluation workbench: any ONNX model plus inputs, Facet dense, Facet
factorized (any number of variants) and onnxruntime side by side, in one
process, same threads:

  - output agreement (Facet dense vs onnxruntime),
  - δ of each variant against the dense model (relative L2, mean cosine,
    and for outputs named *logits* mean KL and top-1 agreement;
    python/facet/metrics.py), and perplexity when text is given,
  - latency (median of repeated runs), parameters and η.

It writes a markdown table (--out) and an SVG plot (--plot: η vs δ and
latency per variant).

  python3 benchmarks/workbench.py MODEL.onnx --inputs DIR \\
      --variant "svd 0.5=--factorize=svd --keep=0.5" \\
      --variant "aware 0.5=--factorize=svd --keep=0.5 --calibration CAL" \\
      [--text FILE --tokenizer examples/tinygpt/tokenizer.json --window 128] \\
      [--threads 1] [--runs 20] [--out table.md] [--plot plot.svg]

DIR holds input sets as facet-compile reads them (DIR/NAME.npy, or one
subdirectory per set); every set must have the same shapes, which are the
compiled shapes. With --text, the model's single int64 input is fed
non-overlapping windows of the tokenized text (of the compiled shape) and
perplexity of its `logits` output is reported.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import facet  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_with_onnxruntime import median_ms  # noqa: E402
from facet import metrics  # noqa: E402


def load_sets(root):
    """[{name: array}] from DIR/NAME.npy or DIR/*/NAME.npy."""
    def one(d):
        return {f[:-4]: np.load(os.path.join(d, f))
                for f in sorted(os.listdir(d)) if f.endswith(".npy")}
    direct = one(root)
    if direct:
        return [direct]
    sets = [one(os.path.join(root, d)) for d in sorted(os.listdir(root))
            if os.path.isdir(os.path.join(root, d))]
    if not sets or not sets[0]:
        sys.exit(f"workbench: no NAME.npy input sets in {root}")
    return sets


def onnx_params(path):
    m = onnx.load(path, load_external_data=False)
    n = 0
    for init in m.graph.initializer:
        n += int(np.prod(init.dims)) if init.dims else 1
    for node in m.graph.node:
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value":
                    n += int(np.prod(a.t.dims)) if a.t.dims else 1
    return n


def compile_model(compiler, model, shapes, threads, flags, out, report=None):
    """Seconds the compile took, or the compiler's error (a str)."""
    cmd = [compiler, model, *[f"--shape={n}={s}" for n, s in shapes.items()],
           "-O3", f"--threads={threads}", *flags]
    if report:
        cmd += ["--report", report]
    cmd += ["-o", out]
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return f"{shlex.join(cmd)} failed:\n{r.stdout}{r.stderr}"
    return time.perf_counter() - start


def text_windows(args, shape):
    sys.path.insert(0, os.path.join(ROOT, "models", "tinygpt"))
    from tokenizer import Tokenizer
    tok = Tokenizer.load(args.tokenizer)
    ids = np.asarray(tok.encode(open(args.text).read()), np.int64)
    batch, window = shape
    n = (len(ids) - 1) // window
    if n < 1:
        sys.exit(f"workbench: {args.text} has no full window of {window}")
    n -= n % batch if n >= batch else 0
    x = np.stack([ids[i * window:(i + 1) * window] for i in range(n)])
    y = np.stack([ids[i * window + 1:(i + 1) * window + 1] for i in range(n)])
    return x, y, batch


def svg_plot(rows, path, title):
    """η (x) against δ (left axis, dots and line) and latency bars."""
    pts = [r for r in rows if r["kind"] == "variant"]
    w, h, pad = 640, 300, 50
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' "
           "font-family='sans-serif' font-size='11'>",
           f"<rect width='{w}' height='{h}' fill='white' stroke='#ccc'/>",
           f"<text x='{w / 2}' y='16' text-anchor='middle' font-size='13'>"
           f"{title}</text>"]
    maxd = max([r["delta"] for r in pts] + [1e-9]) * 1.15
    maxl = max(r["ms"] for r in rows) * 1.15

    def X(eta):
        return pad + (w - 2 * pad) * eta

    def Y(v, top):
        return h - pad - (h - 2 * pad) * v / top
    # axes
    out.append(f"<line x1='{pad}' y1='{h - pad}' x2='{w - pad}' "
               f"y2='{h - pad}' stroke='#333'/>")
    out.append(f"<line x1='{pad}' y1='{pad}' x2='{pad}' y2='{h - pad}' "
               "stroke='#333'/>")
    for e in (0, 0.25, 0.5, 0.75, 1.0):
        out.append(f"<text x='{X(e)}' y='{h - pad + 14}' "
                   f"text-anchor='middle'>{e}</text>")
    out.append(f"<text x='{w / 2}' y='{h - 8}' text-anchor='middle'>"
               "η (model parameters kept)</text>")
    out.append(f"<text x='{pad - 6}' y='{pad - 8}' fill='#2563eb'>δ "
               f"(rel. L2, max {maxd / 1.15:.3g})</text>")
    out.append(f"<text x='{w - pad}' y='{pad - 8}' text-anchor='end' "
               f"fill='#9ca3af'>latency ms (max {maxl / 1.15:.3g})</text>")
    # Builds with the same η side by side.
    slot = {}
    for r in rows:
        slot.setdefault(round(r["eta"], 2), []).append(r)
    offset = {id(r): 14 * (i - (len(g) - 1) / 2)
              for g in slot.values() for i, r in enumerate(g)}
    for r in rows:
        x = X(r["eta"]) + offset[id(r)]
        out.append(f"<rect x='{x - 6}' y='{Y(r['ms'], maxl)}' width='12' "
                   f"height='{h - pad - Y(r['ms'], maxl)}' fill='#d1d5db'/>")
        out.append(f"<text transform='translate({x + 3},{Y(r['ms'], maxl) - 4})"
                   f" rotate(-60)' fill='#6b7280' font-size='9'>"
                   f"{r['label']} {r['ms']:.2f}</text>")
    # One line per series (the label's part before '/').
    colors = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"]
    series = {}
    for r in pts:
        series.setdefault(r["label"].split("/")[0] if "/" in r["label"]
                          else "", []).append(r)
    for i, (name, group) in enumerate(sorted(series.items())):
        c = colors[i % len(colors)]
        group = sorted(group, key=lambda r: r["eta"])
        out.append(f"<polyline fill='none' stroke='{c}' stroke-width='1.5' "
                   "points='" + " ".join(f"{X(r['eta'])},{Y(r['delta'], maxd)}"
                                        for r in group) + "'/>")
        for r in group:
            out.append(f"<circle cx='{X(r['eta'])}' cy='{Y(r['delta'], maxd)}'"
                       f" r='3.5' fill='{c}'/>")
        if name:
            out.append(f"<text x='{w - pad - 4}' y='{pad + 14 * (i + 1)}' "
                       f"text-anchor='end' fill='{c}'>{name}</text>")
    out.append("</svg>")
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--inputs", required=True, help="input sets (see above)")
    ap.add_argument("--variant", action="append", default=[],
                    metavar="LABEL=FLAGS",
                    help="a factorized build: facet-compile flags; "
                         "'SERIES/LABEL' draws SERIES as one line")
    ap.add_argument("--text", help="text for perplexity (LM with one input)")
    ap.add_argument("--tokenizer", default=os.path.join(
        ROOT, "examples", "tinygpt", "tokenizer.json"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternating timing rounds; each build's best "
                         "median counts (default 3)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", help="markdown file (default: stdout only)")
    ap.add_argument("--plot", help="SVG plot")
    ap.add_argument("--title", default="")
    ap.add_argument("--keep", help="keep the compiled libraries here")
    args = ap.parse_args()

    compiler = os.path.join(args.build, "bin", "facet-compile")
    sets = load_sets(args.inputs)
    shapes = {n: "x".join(map(str, a.shape)) for n, a in sets[0].items()}
    work = args.keep or tempfile.mkdtemp(prefix="facet-workbench-")
    os.makedirs(work, exist_ok=True)

    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(args.model, so,
                                providers=["CPUExecutionProvider"])
    out_names = [o.name for o in sess.get_outputs()]

    builds = [("Facet dense", [], None)]
    for v in args.variant:
        label, _, flags = v.partition("=")
        builds.append((label, shlex.split(flags), True))
    libs, reports, ctime, failed = {}, {}, {}, {}
    for i, (label, flags, factored) in enumerate(builds):
        so_path = os.path.join(work, f"b{i}.so")
        rep = os.path.join(work, f"b{i}.json") if factored else None
        print(f"workbench: compiling {label}", file=sys.stderr, flush=True)
        took = compile_model(compiler, args.model, shapes, args.threads,
                             flags, so_path, rep)
        if isinstance(took, str):
            if not factored:
                sys.exit(f"workbench: {took}")
            # A variant the compiler refuses (e.g. an impossible budget) is
            # listed under the table with its message; the others still run.
            print(f"workbench: {label}: {took}", file=sys.stderr, flush=True)
            failed[label] = took.strip().splitlines()[-1]
            continue
        ctime[label] = took
        libs[label] = facet.load(so_path)
        if rep:
            with open(rep) as fh:
                reports[label] = json.load(fh)

    def run_ort(feeds):
        return dict(zip(out_names, sess.run(out_names, feeds)))

    runners = {"onnxruntime": run_ort}
    for label in libs:
        runners[label] = libs[label].run
    outs = {k: [f(s) for s in sets] for k, f in runners.items()}

    dense_params = onnx_params(args.model)
    text = text_windows(args, next(iter(sets[0].values())).shape) \
        if args.text else None
    in_name = next(iter(sets[0]))

    # Latency: --rounds alternating rounds over all builds, the best median
    # of each (a transient load on a shared machine costs a round, not a
    # row).
    best = {label: float("inf") for label in runners}
    for _ in range(args.rounds):
        for label, f in runners.items():
            best[label] = min(best[label],
                              median_ms(lambda: f(sets[0]), args.runs))
    rows = []
    for label, f in runners.items():
        row = {"label": label, "kind": "variant" if label in reports else
               "reference", "ms": best[label]}
        if label in reports:
            t = reports[label]["totals"]
            row["params"] = t["model_params_after"]
            row["eta"] = t["model_params_after"] / t["model_params_before"]
            row["eta_layers"] = t["keep"]
        else:
            row["params"] = dense_params
            row["eta"] = 1.0
        # δ against Facet dense; agreement of dense with onnxruntime.
        ref = "Facet dense" if label != "Facet dense" else "onnxruntime"
        if label != "onnxruntime":
            fid = {}
            for name in out_names:
                a = np.concatenate([o[name].reshape(-1) for o in outs[ref]])
                b = np.concatenate([o[name].reshape(-1) for o in outs[label]])
                shape = outs[ref][0][name].shape
                fid[name] = metrics.fidelity(a.reshape(-1, shape[-1]),
                                             b.reshape(-1, shape[-1]),
                                             "logit" in name.lower())
            row["fidelity"] = fid
            row["delta"] = max(v["rel_l2"] for v in fid.values())
        if text is not None:
            x, y, batch = text
            nll_logits = []
            for i in range(0, len(x), batch):
                xb = x[i:i + batch]
                if len(xb) < batch:
                    break
                lg = f({in_name: xb})["logits"]
                nll_logits.append((lg, y[i:i + batch]))
            lg = np.concatenate([a for a, _ in nll_logits])
            tg = np.concatenate([b for _, b in nll_logits])
            row["ppl"] = metrics.perplexity(lg, tg)
        if label in ctime:
            row["compile_s"] = ctime[label]
        rows.append(row)

    ort_ms = rows[0]["ms"]
    dense_ms = rows[1]["ms"]
    first = out_names[0]
    logit_out = next((n for n in out_names if "logit" in n.lower()), None)
    hdr = ["build", "params", "η", "ms", "vs onnxruntime", "vs Facet dense",
           f"rel L2 ({first})", f"cosine ({first})"]
    if logit_out:
        hdr += ["KL", "top-1"]
    if text is not None:
        hdr += ["perplexity"]
    hdr += ["compile s"]
    lines = ["| " + " | ".join(hdr) + " |",
             "|" + "|".join("---" if i == 0 else "---:"
                            for i in range(len(hdr))) + "|"]
    for r in rows:
        fid = r.get("fidelity", {}).get(first)
        cells = [r["label"], f"{r['params']:,}", f"{r['eta']:.3f}",
                 f"{r['ms']:.3f}", f"{ort_ms / r['ms']:.2f}x",
                 f"{dense_ms / r['ms']:.2f}x",
                 f"{fid['rel_l2']:.2e}" if fid else "–",
                 f"{fid['cosine']:.5f}" if fid else "–"]
        if logit_out:
            lf = r.get("fidelity", {}).get(logit_out)
            cells += [f"{lf['kl']:.4f}" if lf else "–",
                      f"{lf['top1']:.4f}" if lf else "–"]
        if text is not None:
            cells += [f"{r['ppl']:.2f}"]
        cells += [f"{r['compile_s']:.1f}" if "compile_s" in r else "–"]
        lines.append("| " + " | ".join(cells) + " |")
    import platform
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                if ln.startswith("model name")), platform.processor())
    note = (f"{os.path.basename(args.model)}, inputs "
            f"{', '.join(f'{n} {s}' for n, s in shapes.items())}, "
            f"{len(sets)} input set(s), {args.threads} thread(s), median of "
            f"{args.runs} runs (best of {args.rounds} alternating rounds), "
            f"{cpu}, {time.strftime('%Y-%m-%d')}. δ of a "
            "factorized build is against Facet dense; Facet dense's row is "
            "its agreement with onnxruntime.")
    for label, message in failed.items():
        note += f"\nNot built: {label}: {message}"
    table = "\n".join(lines)
    print(table)
    print("\n" + note)
    for r in rows:
        if r["label"] in reports:
            print(f"  {r['label']}: η of the factorized layers "
                  f"{r['eta_layers']:.3f}")
    if args.out:
        with open(args.out, "a" if os.path.exists(args.out) else "w") as fh:
            cmd = shlex.join(["python3", "benchmarks/workbench.py",
                              *sys.argv[1:]])
            fh.write(f"\n### {args.title or os.path.basename(args.model)}\n\n"
                     f"    {cmd}\n\n{table}\n\n{note}\n")
            if args.plot:
                rel = os.path.relpath(os.path.abspath(args.plot),
                                      os.path.dirname(os.path.abspath(
                                          args.out)))
                fh.write(f"\n![{args.title or 'plot'}]({rel})\n")
    if args.plot:
        svg_plot(rows, args.plot, args.title or os.path.basename(args.model))


if __name__ == "__main__":
    main()
