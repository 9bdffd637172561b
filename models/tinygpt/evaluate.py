#!/usr/bin/env python3
"""Held-out perplexity and text generation of a tinygpt-style language model,
with numpy only (onnxruntime to run an .onnx file, Facet's Python package to
run a compiled .so). No torch.

    python3 models/tinygpt/evaluate.py examples/tinygpt/tinygpt.onnx
    python3 models/tinygpt/evaluate.py /tmp/tinygpt.so      # facet-compile'd, e.g. 1x128

A model is any callable `logits = f(input_ids)`: int64 [batch, seq] ->
float32 [batch, seq, vocab]. A callable with a `fixed_shape` attribute
(batch, seq) only takes that shape, as a compiled library does: perplexity()
then batches windows by that batch and generate() pads its input on the
right to that length (the model is causal, so the logits of the real
positions do not depend on the padding).

Importable:
    perplexity(f, ids, window=128)      -> {"ppl", "nll", "tokens", "windows"}
    generate(f, prompt_ids, n_new, ...)  -> list of ids (prompt + new)
    onnx_model(path), facet_model(path), load_model(path)
"""
import argparse
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tokenizer import Tokenizer  # noqa: E402

REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
EXAMPLE = os.path.join(REPO, "examples", "tinygpt")


class _Model:
    def __init__(self, fn, fixed_shape=None, name=""):
        self.fn, self.fixed_shape, self.name = fn, fixed_shape, name

    def __call__(self, ids):
        return self.fn(ids)


def onnx_model(path, threads=1):
    """onnxruntime session as a logits callable (any batch and length)."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    return _Model(lambda ids: sess.run(["logits"], {"input_ids": ids})[0], None,
                  "onnxruntime")


def facet_model(path):
    """A facet-compile'd library as a logits callable, of its fixed shape."""
    sys.path.insert(0, os.path.join(REPO, "python"))
    import facet
    m = facet.load(path)
    shape = tuple(m.inputs[0].shape)
    return _Model(lambda ids: m.run({"input_ids": ids})["logits"], shape, "facet")


def load_model(path, threads=1):
    return facet_model(path) if path.endswith(".so") else onnx_model(path, threads)


def log_softmax(x):
    x = x.astype(np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def windows_of(ids, window):
    """Non-overlapping windows: inputs ids[i*w : i*w+w], targets shifted by
    one, for every full window (the partial tail is dropped, so every window
    has the same shape). Every token but the first of the text is a target
    once; each window starts with an empty context."""
    ids = np.asarray(ids, dtype=np.int64)
    n = (len(ids) - 1) // window
    x = np.stack([ids[i * window:i * window + window] for i in range(n)]) if n else \
        np.zeros((0, window), np.int64)
    y = np.stack([ids[i * window + 1:i * window + window + 1] for i in range(n)]) if n else \
        np.zeros((0, window), np.int64)
    return x, y


def perplexity(f, ids, window=128, batch=8):
    """Per-token perplexity exp(mean NLL) of the next-token predictions
    over non-overlapping windows of `window` tokens (see windows_of)."""
    fixed = getattr(f, "fixed_shape", None)
    if fixed is not None:
        batch, window = fixed
    x, y = windows_of(ids, window)
    if len(x) == 0:
        raise ValueError(f"text of {len(ids)} tokens has no full window of {window}")
    total = 0.0
    for s in range(0, len(x), batch):
        xb, yb = x[s:s + batch], y[s:s + batch]
        n = len(xb)
        if fixed is not None and n < batch:  # pad the last batch with copies
            xb = np.concatenate([xb, np.repeat(xb[-1:], batch - n, 0)])
        lp = log_softmax(np.asarray(f(xb))[:n])
        total -= np.take_along_axis(lp, yb[..., None], -1).sum()
    count = y.size
    nll = float(total / count)
    return {"ppl": math.exp(nll), "nll": nll, "tokens": int(count), "windows": len(x),
            "window": window}


def generate(f, prompt_ids, n_new, context=128, temperature=0.0, top_k=None, seed=0,
             stop=None):
    """Appends n_new tokens to prompt_ids: greedy when temperature is 0,
    otherwise sampled from softmax(logits / temperature) (top_k most likely
    only, if given) with a seeded numpy generator. The model sees the last
    `context` tokens. Stops early after a token in `stop`. Returns prompt +
    new ids as a list."""
    fixed = getattr(f, "fixed_shape", None)
    if fixed is not None:
        context = fixed[1]
    rng = np.random.default_rng(seed)
    ids = list(int(i) for i in prompt_ids)
    if not ids:
        raise ValueError("empty prompt")
    for _ in range(n_new):
        ctx = ids[-context:]
        n = len(ctx)
        x = np.array([ctx], np.int64)
        if fixed is not None:
            x = np.zeros(fixed, np.int64)
            x[:, :n] = ctx
        logits = np.asarray(f(x))[0, n - 1].astype(np.float64)
        if temperature <= 0:
            nxt = int(np.argmax(logits))
        else:
            z = logits / temperature
            if top_k:
                kth = np.sort(z)[-min(top_k, len(z))]
                z = np.where(z < kth, -np.inf, z)
            p = np.exp(z - z.max())
            p /= p.sum()
            nxt = int(rng.choice(len(p), p=p))
        ids.append(nxt)
        if stop is not None and nxt in stop:
            break
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", nargs="?", default=os.path.join(EXAMPLE, "tinygpt.onnx"),
                    help=".onnx (onnxruntime) or .so (facet-compile'd); default the bundled one")
    ap.add_argument("--tokenizer", default=os.path.join(EXAMPLE, "tokenizer.json"))
    ap.add_argument("--heldout", default=os.path.join(EXAMPLE, "heldout.txt"))
    ap.add_argument("--prompt-file", default=os.path.join(EXAMPLE, "prompt.txt"))
    ap.add_argument("--prompt", help="prompt text (instead of --prompt-file)")
    ap.add_argument("--window", type=int, default=128)
    ap.add_argument("--tokens", type=int, default=120, help="tokens to generate")
    ap.add_argument("--temperature", type=float, default=0.8,
                    help="sampling temperature of the second sample (the first is greedy)")
    ap.add_argument("--top-k", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime threads")
    args = ap.parse_args()

    tok = Tokenizer.load(args.tokenizer)
    f = load_model(args.model, args.threads)
    with open(args.heldout, encoding="utf-8") as fh:
        ids = tok.encode(fh.read())
    t0 = time.time()
    r = perplexity(f, ids, args.window)
    print(f"perplexity ({f.name}): {r['ppl']:.3f} per token over {r['tokens']} held-out "
          f"tokens ({r['windows']} windows of {r['window']}; NLL {r['nll']:.4f} nats) "
          f"in {time.time() - t0:.2f}s")
    prompt = args.prompt
    if prompt is None:
        with open(args.prompt_file, encoding="utf-8") as fh:
            prompt = fh.read().rstrip("\n")
    p = tok.encode(prompt)
    for label, temp in (("greedy", 0.0), (f"sampled (T={args.temperature}, top-k "
                                           f"{args.top_k}, seed {args.seed})",
                                           args.temperature)):
        t0 = time.time()
        out = generate(f, p, args.tokens, args.window, temp, args.top_k, args.seed)
        dt = time.time() - t0
        print(f"--- {label}, {args.tokens} tokens in {dt:.2f}s ---")
        print(tok.decode(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
