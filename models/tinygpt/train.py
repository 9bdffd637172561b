#!/usr/bin/env python3
"""Trains tinygpt, a small GPT-2-style decoder, on the King James Bible and
writes it as ONNX through models/gpt2/make_gpt2.py (no torch.onnx).

Corpus: the Debian package bible-kjv (`apt-get install bible-kjv`, which
pulls in bible-kjv-text, the compressed text); its `bible` program prints
the text, which this script reads as one verse a line, verse numbers and
chapter headings dropped. Or --text FILE: any UTF-8 text.
Split: the last --val-frac (7 %) of the lines (the end of the New
Testament) is held out for validation; the tokenizer is learned from the
training part only.

Model: GPT2LMHeadModel's architecture (learned position embeddings,
pre-LayerNorm blocks, causal self-attention, GELU(tanh) MLP 4x, final
LayerNorm, LM head tied to the token embedding, no biases on the head).
Tokenizer: byte-level BPE learned here (tokenizer.py).

Needs torch (training only; `python3 -m pip install torch`), numpy, onnx,
onnxruntime. Installs nothing. Deterministic for fixed seeds on 1 thread.

Writes to --out (default examples/tinygpt): tinygpt.onnx, tokenizer.json,
heldout.txt (the first --heldout-bytes of the validation split),
prompt.txt; to --work (default models/tinygpt/out, not committed): the
trained weights (weights.npz, the names make_gpt2.py reads, Conv1D layout)
and a torch checkpoint; and models/tinygpt/metrics.json.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from tokenizer import train_bpe  # noqa: E402
import evaluate  # noqa: E402

PROMPT = "And it came to pass, when the king heard these words, that he"


def kjv_text():
    """Every verse of the KJV from the `bible` program of Debian's bible-kjv,
    one a line."""
    try:
        out = subprocess.run(["bible", "-l", "100000", "gen1:1-rev22:21"], check=True,
                             capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit("train.py: no `bible` program: apt-get install bible-kjv (or pass --text)")
    verses = [m.group(1) for m in re.finditer(r"^[ \t]+\d+ (.*\S)[ \t]*$", out, re.M)]
    if len(verses) != 31102:
        sys.exit(f"train.py: expected the 31102 verses of the KJV, read {len(verses)}")
    return "\n".join(verses) + "\n"


def split_text(text, val_frac):
    """Splits at the line boundary nearest (1 - val_frac) of the characters."""
    cut = text.rfind("\n", 0, int(len(text) * (1 - val_frac))) + 1
    return text[:cut], text[cut:]


def build_model(torch, cfg):
    nn, F = torch.nn, torch.nn.functional
    d, nh = cfg["d_model"], cfg["n_head"]

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(d, eps=1e-5)
            self.c_attn = nn.Linear(d, 3 * d)
            self.attn_proj = nn.Linear(d, d)
            self.ln_2 = nn.LayerNorm(d, eps=1e-5)
            self.c_fc = nn.Linear(d, 4 * d)
            self.mlp_proj = nn.Linear(4 * d, d)
            self.drop = nn.Dropout(cfg["dropout"])

        def forward(self, x):
            B, T, _ = x.shape
            q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
            q, k, v = (t.view(B, T, nh, d // nh).transpose(1, 2) for t in (q, k, v))
            a = F.scaled_dot_product_attention(
                q, k, v, is_causal=True, dropout_p=cfg["dropout"] if self.training else 0.0)
            x = x + self.drop(self.attn_proj(a.transpose(1, 2).reshape(B, T, d)))
            h = self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
            return x + self.drop(h)

    class TinyGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(cfg["vocab"], d)
            self.wpe = nn.Embedding(cfg["n_ctx"], d)
            self.drop = nn.Dropout(cfg["dropout"])
            self.h = nn.ModuleList([Block() for _ in range(cfg["n_layer"])])
            self.ln_f = nn.LayerNorm(d, eps=1e-5)
            # GPT-2's initialization
            for name, p in self.named_parameters():
                if name.endswith("bias"):
                    nn.init.zeros_(p)
                elif "ln" in name:
                    nn.init.ones_(p)
                else:
                    std = 0.02 / math.sqrt(2 * cfg["n_layer"]) if name.endswith("proj.weight") \
                        else 0.02
                    nn.init.normal_(p, 0.0, std)

        def forward(self, ids):
            pos = torch.arange(ids.shape[1], device=ids.device)
            x = self.drop(self.wte(ids) + self.wpe(pos))
            for blk in self.h:
                x = blk(x)
            return self.ln_f(x) @ self.wte.weight.T  # tied LM head

    return TinyGPT()


def export_weights(model, cfg):
    """The trained tensors under make_gpt2.make_weights()'s names, Conv1D
    weights as [in, out]."""
    sd = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    w = {"transformer.wte.weight": sd["wte.weight"], "transformer.wpe.weight": sd["wpe.weight"],
         "transformer.ln_f.weight": sd["ln_f.weight"], "transformer.ln_f.bias": sd["ln_f.bias"]}
    names = {"ln_1": "ln_1", "ln_2": "ln_2", "c_attn": "attn.c_attn",
             "attn_proj": "attn.c_proj", "c_fc": "mlp.c_fc", "mlp_proj": "mlp.c_proj"}
    for i in range(cfg["n_layer"]):
        for mine, theirs in names.items():
            W, b = sd[f"h.{i}.{mine}.weight"], sd[f"h.{i}.{mine}.bias"]
            w[f"transformer.h.{i}.{theirs}.weight"] = W if mine.startswith("ln") else W.T.copy()
            w[f"transformer.h.{i}.{theirs}.bias"] = b
    return w


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--text", help="train on this UTF-8 file instead of the KJV")
    ap.add_argument("--out", default=os.path.join(REPO, "examples", "tinygpt"))
    ap.add_argument("--work", default=os.path.join(HERE, "out"))
    ap.add_argument("--metrics", default=os.path.join(HERE, "metrics.json"))
    ap.add_argument("--val-frac", type=float, default=0.07)
    ap.add_argument("--vocab", type=int, default=1024)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--d-model", type=int, default=160)
    ap.add_argument("--n-ctx", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--steps", type=int, default=2600)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--heldout-bytes", type=int, default=8192)
    args = ap.parse_args()

    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_start = time.time()

    if args.text:
        with open(args.text, encoding="utf-8") as fh:
            text = fh.read()
        corpus = os.path.abspath(args.text)
    else:
        text = kjv_text()
        corpus = "King James Bible, Debian bible-kjv 4.38 (`bible -l 100000 gen1:1-rev22:21`)"
    train_text, val_text = split_text(text, args.val_frac)
    t0 = time.time()
    tok = train_bpe(train_text, args.vocab)
    train_ids = np.array(tok.encode(train_text), np.int64)
    val_ids = np.array(tok.encode(val_text), np.int64)
    print(f"corpus: {len(text)} chars ({len(train_text)} train, {len(val_text)} validation); "
          f"BPE {tok.vocab_size} in {time.time() - t0:.1f}s; {len(train_ids)} train / "
          f"{len(val_ids)} validation tokens ({len(train_text) / len(train_ids):.2f} chars/token)",
          flush=True)

    cfg = {"n_layer": args.n_layer, "n_head": args.n_head, "d_model": args.d_model,
           "vocab": tok.vocab_size, "n_ctx": args.n_ctx, "dropout": args.dropout}
    model = build_model(torch, cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {cfg}, {n_params} parameters", flush=True)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        t = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * (args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * t)))

    def torch_logits(ids):
        model.eval()
        with torch.no_grad():
            return model(torch.from_numpy(np.ascontiguousarray(ids))).numpy()

    C = args.n_ctx
    # an evenly spaced sample of training windows, as many as validation has
    n_val_windows = (len(val_ids) - 1) // C
    stride = max(1, ((len(train_ids) - 1) // C) // n_val_windows)
    train_sample = np.concatenate([train_ids[i * C * stride:i * C * stride + C + 1]
                                   for i in range(n_val_windows)])
    # the windows above overlap by nothing only within each C+1 slice: evaluate each alone
    def train_ppl():
        x = train_sample.reshape(n_val_windows, C + 1)
        nll = 0.0
        for s in range(0, len(x), 32):
            lp = evaluate.log_softmax(torch_logits(x[s:s + 32, :-1]))
            nll -= np.take_along_axis(lp, x[s:s + 32, 1:, None], -1).sum()
        return math.exp(nll / (n_val_windows * C))

    gen = torch.Generator().manual_seed(args.seed)
    data = torch.from_numpy(train_ids)
    history = []
    t_train = time.time()
    ema = None
    for step in range(args.steps):
        model.train()
        starts = torch.randint(0, len(train_ids) - C - 1, (args.batch,), generator=gen)
        xb = torch.stack([data[s:s + C + 1] for s in starts.tolist()])
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        logits = model(xb[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, cfg["vocab"]), xb[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if (step + 1) % 100 == 0:
            el = time.time() - t_train
            print(f"step {step + 1}/{args.steps}  loss {ema:.4f} (ppl {math.exp(ema):.2f})  "
                  f"lr {lr_at(step):.2e}  {el:.0f}s  "
                  f"{(step + 1) * args.batch * C / el:.0f} tok/s", flush=True)
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps:
            te = time.time()
            v = evaluate.perplexity(torch_logits, val_ids, C, batch=32)["ppl"]
            history.append({"step": step + 1, "train_loss_ema": round(ema, 4),
                            "val_ppl": round(v, 3), "elapsed_s": round(time.time() - t_train, 1)})
            print(f"  eval at step {step + 1}: held-out perplexity {v:.3f} "
                  f"({time.time() - te:.1f}s)", flush=True)
            t_train += time.time() - te  # training time excludes evaluation
    train_s = time.time() - t_train

    tr_ppl = train_ppl()
    val = evaluate.perplexity(torch_logits, val_ids, C, batch=32)
    print(f"trained in {train_s:.0f}s: train perplexity {tr_ppl:.3f}, held-out {val['ppl']:.3f} "
          f"({val['tokens']} tokens)", flush=True)

    # --- write the weights, the tokenizer, the text files, the ONNX model
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    torch.save({"cfg": cfg, "state_dict": model.state_dict()},
               os.path.join(args.work, "tinygpt.pt"))
    w = export_weights(model, cfg)
    npz = os.path.join(args.work, "weights.npz")
    np.savez(npz, **w)
    tok.save(os.path.join(args.out, "tokenizer.json"))
    cut = val_text.rfind("\n", 0, args.heldout_bytes) + 1
    heldout = val_text[:cut]
    with open(os.path.join(args.out, "heldout.txt"), "w", encoding="utf-8") as fh:
        fh.write(heldout)
    with open(os.path.join(args.out, "prompt.txt"), "w", encoding="utf-8") as fh:
        fh.write(PROMPT + "\n")
    onnx_path = os.path.join(args.out, "tinygpt.onnx")
    subprocess.run([sys.executable, os.path.join(REPO, "models", "gpt2", "make_gpt2.py"),
                    "--weights", npz, "--n-head", str(cfg["n_head"]), "-o", onnx_path,
                    "--check"], check=True)

    # --- check the ONNX model against torch
    ort = evaluate.onnx_model(onnx_path)
    rng = np.random.default_rng(0)
    diffs = []
    for shape in [(1, C), (2, C), (3, 17), (1, 1)]:
        starts = rng.integers(0, len(val_ids) - shape[1], shape[0])
        x = np.stack([val_ids[s:s + shape[1]] for s in starts])
        a, b = ort(x), torch_logits(x)
        diffs.append(float(np.abs(a - b).max()))
    max_diff = max(diffs)
    print(f"onnxruntime vs torch logits: max abs diff {max_diff:.2e} over shapes "
          f"1x{C}, 2x{C}, 3x17, 1x1", flush=True)
    val_ort = evaluate.perplexity(ort, val_ids, C, batch=32)
    held_ids = tok.encode(heldout)
    held_torch = evaluate.perplexity(torch_logits, held_ids, C)
    held_ort = evaluate.perplexity(ort, held_ids, C)
    rel = abs(val_ort["ppl"] - val["ppl"]) / val["ppl"]
    print(f"held-out perplexity: torch {val['ppl']:.4f}, onnxruntime {val_ort['ppl']:.4f} "
          f"(rel diff {rel:.1e}); heldout.txt: torch {held_torch['ppl']:.4f}, "
          f"onnxruntime {held_ort['ppl']:.4f} ({held_ort['tokens']} tokens)", flush=True)
    prompt = tok.encode(PROMPT)
    greedy = tok.decode(evaluate.generate(ort, prompt, 80, C))
    sampled = tok.decode(evaluate.generate(ort, prompt, 80, C, 0.8, 40, 0))
    print("greedy:  " + greedy + "\nsampled: " + sampled, flush=True)

    metrics = {
        "corpus": corpus, "corpus_chars": len(text), "val_frac": args.val_frac,
        "train_tokens": int(len(train_ids)), "val_tokens": int(len(val_ids)),
        "chars_per_token": round(len(train_text) / len(train_ids), 3),
        "config": cfg, "parameters": int(n_params),
        "hyper": {k: getattr(args, k) for k in ("steps", "batch", "lr", "min_lr_frac", "warmup",
                                                 "weight_decay", "seed", "threads")},
        "tokens_seen": args.steps * args.batch * C,
        "train_seconds": round(train_s, 1), "total_seconds": round(time.time() - t_start, 1),
        "train_ppl": round(tr_ppl, 3), "val_ppl_torch": round(val["ppl"], 4),
        "val_ppl_onnxruntime": round(val_ort["ppl"], 4), "val_ppl_rel_diff": rel,
        "heldout_txt_tokens": held_ort["tokens"],
        "heldout_txt_ppl_torch": round(held_torch["ppl"], 4),
        "heldout_txt_ppl_onnxruntime": round(held_ort["ppl"], 4),
        "onnx_vs_torch_max_abs_logit_diff": max_diff,
        "onnx_bytes": os.path.getsize(onnx_path), "history": history,
        "greedy": greedy, "sampled_T0.8_topk40_seed0": sampled,
        "torch": torch.__version__,
    }
    with open(args.metrics, "w") as fh:
        json.dump(metrics, fh, indent=1)
        fh.write("\n")
    ok = rel < 0.01 and max_diff < 1e-3
    print(f"train.py: {'ok' if ok else 'ONNX MISMATCH'}; wrote {args.out} and {args.metrics}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
