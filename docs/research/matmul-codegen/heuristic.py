#!/usr/bin/env python3
"""Tile-size heuristic (measured on AVX2 Zen 3 here; AVX-512 values given for the Zen 5 target).
Prints: T1 T2 MODE   (T1 = cache tile m,n,k ; T2 = register tile m,n,k ; 0 = untiled ; MODE peel|"")"""
import sys
def tiles(M, N, K, vl=8, nregs=16):
    # vl = f32 lanes per vector register (8 = AVX2, 16 = AVX-512); nregs = 16 (AVX2) or 32 (AVX-512)
    nr = 2 * vl                       # two vector registers of C per row
    if M <= 8:                        # GEMV-like: walk K outermost in small blocks, wide N register tile
        mr = min(M, 4 if vl == 8 else 8)
        nr_g = 64 if M == 1 else (2 * nr if mr * (2 * nr // vl) <= nregs - 4 else nr)
        t1 = (0, 0, 8 if M == 1 else 16); t2 = (mr, nr_g, 8)
    else:
        mr = 6 if vl == 8 else 8      # mr*2 accumulators: 12 of 16 ymm / 16 of 32 zmm (12x32 = 24 zmm also fits)
        mc = min(M, 8 * mr)           # A block mc x kc in L2, B panel kc x nr in L1
        t1 = (mc, 128, 256); t2 = (mr, nr, 4)
    peel = any(((S if a == 0 else a) % b) or (S % (a or S)) % b for S, a, b in zip((M, N, K), t1, t2))
    return t1, t2, "peel" if peel else ""
if __name__ == "__main__":
    M, K, N = map(int, sys.argv[1:4])
    vl = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    t1, t2, mode = tiles(M, N, K, vl, 16 if vl == 8 else 32)
    print(",".join(map(str, t1)), ",".join(map(str, t2)), mode)
