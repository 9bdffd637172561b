"""End to end for the factor dialect: one factor.contract per canonical
network (low-rank, Kronecker sum, CP, Tucker, TT-matrix), at a decode size
(M = 1) and a prefill size (M = 128), compiled by facet-compile from MLIR and
run by facet-run; each output must match numpy's einsum of the same cores
(float64), and the densified module (factor-densify) must give the same
result as the factorized one. Then a TT embedding (factor.tt_gather) must
return the rows of the table numpy rebuilds from the same cores, for
negative indices (counted from the end) and out-of-range ones (clamped).

Prints one line per case and `factor layers: N ok` at the end.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "lit-utils"))
from factor_mlir import contract_module, tt_gather_module  # noqa: E402

# name, equation, activation dims after M, core shapes, format, ranks
CASES = [
    ("svd", "mk,kr,rn->mn", [96], [(96, 12), (12, 80)], "svd", [12]),
    ("kronecker", "mab,tac,tbd->mcd", [8, 12], [(3, 8, 6), (3, 12, 10)],
     "kronecker", [3]),
    ("cp", "mab,ar,br,cr,dr->mcd", [8, 12],
     [(8, 7), (12, 7), (6, 7), (10, 7)], "cp", [7]),
    ("tucker", "mab,ap,bq,pqst,cs,dt->mcd", [8, 12],
     [(8, 4), (12, 5), (4, 5, 3, 6), (6, 3), (10, 6)], "tucker", [4, 5, 3, 6]),
    ("tt", "mabc,adu,ubev,vcf->mdef", [4, 6, 5],
     [(4, 3, 5), (5, 6, 4, 7), (7, 5, 2)], "tt", [5, 7]),
    ("batched-svd", "bsk,kr,rn->bsn", [96], [(96, 12), (12, 80)], "svd", [12]),
]


def output_shape(eq, x_shape, cores):
    sizes = {}
    ins, out = eq.split("->")
    for sub, shape in zip(ins.split(","), [x_shape] + [c.shape for c in cores]):
        sizes.update(zip(sub, shape))
    return [sizes[c] for c in out]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--facet-compile", default="facet-compile")
    ap.add_argument("--facet-opt", default="facet-opt")
    ap.add_argument("--facet-run", default="facet-run")
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    rng = np.random.default_rng(5)
    ok = 0
    for name, eq, dims, core_shapes, fmt, ranks in CASES:
        for m in (1, 128):
            lead = [2, m] if name.startswith("batched") else [m]
            x_shape = lead + dims
            cores = [rng.standard_normal(s).astype(np.float32) for s in
                     core_shapes]
            x = rng.standard_normal(x_shape).astype(np.float32)
            out_shape = output_shape(eq, x_shape, cores)
            base = os.path.join(args.workdir, f"{name}_m{m}")
            with open(base + ".mlir", "w") as fh:
                fh.write(contract_module(eq, x_shape, cores, out_shape, fmt,
                                         ranks, source=name))
            np.save(base + "_x.npy", x)
            ref = np.einsum(eq, x.astype(np.float64),
                            *[c.astype(np.float64) for c in cores])
            run([args.facet_opt, base + ".mlir", "--factor-densify",
                 "-o", base + "_dense.mlir"])
            results = {}
            for variant in ("", "_dense"):
                lib = base + variant + ".so"
                run([args.facet_compile, base + variant + ".mlir", "-o", lib])
                outdir = base + variant + "_out"
                run([args.facet_run, lib, "--input", f"input_0={base}_x.npy",
                     "--output-dir", outdir, "--quiet"])
                results[variant] = np.load(os.path.join(outdir,
                                                        "output_0.npy"))
            scale = np.abs(ref).max()
            err = np.abs(results[""] - ref).max() / scale
            err_dense = np.abs(results["_dense"] - ref).max() / scale
            if err > 1e-5 or err_dense > 1e-5:
                print(f"FAIL {name} M={m}: factored {err:.2e}, densified "
                      f"{err_dense:.2e} (relative to max |y|)")
                sys.exit(1)
            print(f"{name} M={m} {x_shape}->{out_shape}: ok "
                  f"(error {err:.1e}, densified {err_dense:.1e})")
            ok += 1
    ok += check_tt_gather(args, rng)
    print(f"factor layers: {ok} ok")


def check_tt_gather(args, rng):
    rows, row_dims, col_dims, ranks = 50, [4, 3, 5], [2, 3, 4], [1, 3, 4, 1]
    cores = [rng.standard_normal((ranks[k], row_dims[k], col_dims[k],
                                  ranks[k + 1])).astype(np.float32)
             for k in range(3)]
    # table[(i1 i2 i3), (j1 j2 j3)] = G1[0,i1,j1,:] G2[:,i2,j2,:] G3[:,i3,j3,0]
    t = np.einsum("aidb,bjec,ckfd->ijkdef", *[c.astype(np.float64)
                                               for c in cores])
    table = t.reshape(60, 24)[:rows]
    ids = np.array([[0, 49, 7, -1], [-50, 23, 60, -70]], dtype=np.int64)
    want = table[np.clip(np.where(ids < 0, ids + rows, ids), 0, rows - 1)]
    base = os.path.join(args.workdir, "tt_gather")
    with open(base + ".mlir", "w") as fh:
        fh.write(tt_gather_module(ids.shape, cores, rows, row_dims, col_dims,
                                  ranks))
    np.save(base + "_ids.npy", ids)
    run([args.facet_compile, base + ".mlir", "-o", base + ".so"])
    run([args.facet_run, base + ".so", "--input", f"input_0={base}_ids.npy",
         "--output-dir", base + "_out", "--quiet"])
    got = np.load(os.path.join(base + "_out", "output_0.npy"))
    err = np.abs(got - want).max() / np.abs(want).max()
    if err > 1e-5:
        print(f"FAIL tt_gather: error {err:.2e}")
        sys.exit(1)
    print(f"tt_gather {list(ids.shape)} rows {rows} -> {list(got.shape)}: ok "
          f"(error {err:.1e})")
    return 1


if __name__ == "__main__":
    main()
