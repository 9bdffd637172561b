"""Decode mode (facet-compile --kv-cache=N) against onnxruntime: the
model compiled for one new token per step with a static key/value cache is
run token by token (past_length = t, the caches fed back from the present
outputs), and its logits at every step must equal onnxruntime's logits of
the whole sequence at that position (the no-cache export). Prints the
signature, the worst error and `decode: ok`.

  decode.py MODEL.onnx --facet-compile facet-compile --workdir DIR
            [--cache 32] [--tokens 20] [--batch 2] [--vocab 1000]
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "python"))
import facet  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--facet-compile", default="facet-compile")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--cache", type=int, default=32)
    ap.add_argument("--tokens", type=int, default=20)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=1000)
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    lib = os.path.join(args.workdir, "decode.so")
    subprocess.run([args.facet_compile, args.model, "-o", lib,
                    f"--shape=input_ids={args.batch}x1",
                    f"--kv-cache={args.cache}"], check=True)
    m = facet.load(lib)
    print("inputs:", ", ".join(f"{i.name}{list(i.shape)}" for i in m.inputs))
    print("outputs:", ", ".join(f"{o.name}{list(o.shape)}" for o in m.outputs))
    rng = np.random.default_rng(0)
    ids = rng.integers(0, args.vocab, (args.batch, args.tokens)).astype(np.int64)
    ref = ort.InferenceSession(args.model).run(None, {"input_ids": ids})[0]
    # Garbage in the unused cache rows must not matter.
    feeds = {i.name: rng.standard_normal(i.shape).astype(np.float32) * 100
             for i in m.inputs if i.name.startswith("past_k") or
             i.name.startswith("past_v")}
    worst = 0.0
    scale = np.abs(ref).max()
    for t in range(args.tokens):
        feeds["input_ids"] = ids[:, t:t + 1]
        feeds["past_length"] = np.array([t], np.int64)
        out = m.run(feeds)
        worst = max(worst, float(np.abs(out["logits"][:, 0] - ref[:, t]).max()))
        for name in list(feeds):
            if name.startswith("past_key") or name.startswith("past_value"):
                feeds[name] = out["present" + name[len("past"):]]
    print(f"{args.tokens} steps vs onnxruntime on the whole sequence: max abs "
          f"error {worst:.3g} (logits up to {scale:.3g})")
    if worst > args.tol * max(1.0, scale):
        sys.exit("FAIL: decode differs from the full-sequence model")
    print("decode: ok")


if __name__ == "__main__":
    main()
