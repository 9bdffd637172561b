"""densify(factorize(W)) equals the reconstruction the numerics report: for
every format, facet-opt factorizes a weight (--facet-factorize-linear, with
a JSON report), densifies the result (--factor-densify), and the relative
error of the dense weight read back from the IR must equal the report's ε
(and the op's `error` attribute). An SVD at a rank must also meet
Eckart–Young: ε² = the discarded share of Σσ², from numpy's SVD.

Prints one line per case and `densify error: N ok` at the end.
"""
import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np

CASES = [("svd", "rank=12"), ("svd", "error=0.5"), ("kronecker", "rank=3"),
         ("tucker", "rank=4"), ("tt", "rank=3"), ("cp", "rank=20"),
         ("svd", "keep=0.3")]


def module(w, m):
    k, n = w.shape
    blob = "0x04000000" + w.astype(np.float32).tobytes().hex().upper()
    return f"""func.func @main(%x: tensor<{m}x{k}xf32>) -> tensor<{m}x{n}xf32> {{
  %w = facet.constant dense_resource<w> : tensor<{k}x{n}xf32>
  %y = facet.matmul %x, %w : (tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> loc("fc")
  return %y : tensor<{m}x{n}xf32>
}}
{{-#
  dialect_resources: {{
    builtin: {{
      w: "{blob}"
    }}
  }}
#-}}
"""


def read_dense(text, shape):
    """The weight of the densified factor.contract (factor-densify names its
    blob dense_weight), reshaped to [K, N]: the tensor formats keep K and N
    split, row-major, as the activation is."""
    m = re.search(r"arith\.constant dense_resource<(dense_weight\w*)> : "
                  r"tensor<([0-9x]+)xf32>", text)
    if not m:
        sys.exit("FAIL: no densified weight in the output")
    blob = re.search(m.group(1) + r': "0x([0-9A-F]+)"', text).group(1)
    data = bytes.fromhex(blob)[4:]  # uint32 alignment first
    return np.frombuffer(data, dtype=np.float32).reshape(shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--facet-opt", default="facet-opt")
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    rng = np.random.default_rng(9)
    # A 64x96 weight with a decaying spectrum, like trained layers.
    u, _ = np.linalg.qr(rng.standard_normal((64, 64)))
    v, _ = np.linalg.qr(rng.standard_normal((96, 64)))
    s = 1.0 / np.sqrt(np.arange(1, 65))
    w = ((u * s) @ v.T + 0.01 * rng.standard_normal((64, 96))).astype(
        np.float32)
    path = os.path.join(args.workdir, "w.mlir")
    with open(path, "w") as fh:
        fh.write(module(w, 128))
    sigma = np.linalg.svd(w.astype(np.float64), compute_uv=False)
    ok = 0
    for fmt, policy in CASES:
        report = os.path.join(args.workdir, f"{fmt}_{policy}.json")
        # accept-all: this is about the numerics, not the cost guard (which
        # keeps a TT of this small layer dense).
        opts = f"format={fmt} {policy} accept-all=1 report={report}"
        r = subprocess.run([args.facet_opt, path,
                            f"--facet-factorize-linear={opts}",
                            "--factor-densify"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"FAIL {fmt} {policy}: {r.stderr}")
        layer = json.load(open(report))["layers"][0]
        if layer["dense"]:
            sys.exit(f"FAIL {fmt} {policy}: stayed dense: {layer['reason']}")
        dense = read_dense(r.stdout, w.shape).astype(np.float64)
        eps = np.linalg.norm(w - dense) / np.linalg.norm(w)
        attr = float(re.search(r"error = ([0-9.eE+-]+) : f64", r.stdout)
                     .group(1))
        if abs(eps - layer["error"]) > 1e-4 * max(eps, 1e-3) + 1e-6 or \
                abs(attr - layer["error"]) > 1e-9 * max(1, attr):
            sys.exit(f"FAIL {fmt} {policy}: densified ε {eps:.6g}, report "
                     f"{layer['error']:.6g}, attribute {attr:.6g}")
        line = (f"{fmt} {policy}: ranks {layer['ranks']}, params "
                f"{layer['params_after']}, ε {eps:.5f} = report "
                f"{layer['error']:.5f}")
        if fmt == "svd":
            r_ = layer["ranks"][0]
            ey = np.sqrt((sigma[r_:] ** 2).sum() / (sigma ** 2).sum())
            if abs(ey - eps) > 1e-4:
                sys.exit(f"FAIL {fmt} {policy}: Eckart-Young says {ey:.6g}")
            line += f" = Eckart-Young {ey:.5f}"
        print(line + ": ok")
        ok += 1
    print(f"densify error: {ok} ok")


if __name__ == "__main__":
    main()
