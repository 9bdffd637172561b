#!/usr/bin/env python3
"""Generate Facet-like tensor payloads and the transform library for the matmul recipe.

payload variants:
  matmul  : named linalg.matmul, B is [K,N]
  gen_mkn : linalg.generic, loops (m,k,n), B [K,N]   (what Facet emits for MatMul)
  gen_nt  : linalg.generic, loops (m,n,k), B [N,K]   (what Facet emits for Gemm transB=1)
"""
import sys, argparse

def payload_packed(M, K, N, P=16):
    NB = N // P
    return f"""func.func private @_facet_main(%x: tensor<{M}x{K}xf32>, %wp: tensor<{NB}x{K}x{P}xf32>) -> tensor<{M}x{N}xf32> {{
  %e = tensor.empty() : tensor<{M}x{NB}x{P}xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<{M}x{NB}x{P}xf32>) -> tensor<{M}x{NB}x{P}xf32>
  %r = linalg.generic {{indexing_maps = [affine_map<(m, b, n, k) -> (m, k)>, affine_map<(m, b, n, k) -> (b, k, n)>, affine_map<(m, b, n, k) -> (m, b, n)>],
       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}}
      ins(%x, %wp : tensor<{M}x{K}xf32>, tensor<{NB}x{K}x{P}xf32>) outs(%f : tensor<{M}x{NB}x{P}xf32>) {{
    ^bb0(%a: f32, %b: f32, %c: f32):
      %p = arith.mulf %a, %b fastmath<reassoc,contract> : f32
      %s = arith.addf %c, %p fastmath<reassoc,contract> : f32
      linalg.yield %s : f32
  }} -> tensor<{M}x{NB}x{P}xf32>
  %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<{M}x{NB}x{P}xf32> into tensor<{M}x{N}xf32>
  return %c : tensor<{M}x{N}xf32>
}}
"""

def payload(M, K, N, variant):
    if variant == "packed":
        return payload_packed(M, K, N)
    bshape = f"{N}x{K}" if variant == "gen_nt" else f"{K}x{N}"
    head = f"""func.func private @_facet_main(%x: tensor<{M}x{K}xf32>, %w: tensor<{bshape}xf32>) -> tensor<{M}x{N}xf32> {{
  %e = tensor.empty() : tensor<{M}x{N}xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32>
"""
    if variant == "matmul":
        body = f"""  %r = linalg.matmul ins(%x, %w : tensor<{M}x{K}xf32>, tensor<{bshape}xf32>) outs(%f : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32>
"""
    else:
        if variant == "gen_mkn":
            maps = "affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>"
            its = '"parallel", "reduction", "parallel"'
        else:
            maps = "affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>"
            its = '"parallel", "parallel", "reduction"'
        body = f"""  %r = linalg.generic {{indexing_maps = [{maps}], iterator_types = [{its}]}}
      ins(%x, %w : tensor<{M}x{K}xf32>, tensor<{bshape}xf32>) outs(%f : tensor<{M}x{N}xf32>) {{
    ^bb0(%a: f32, %b: f32, %c: f32):
      %p = arith.mulf %a, %b fastmath<reassoc,contract> : f32
      %s = arith.addf %c, %p fastmath<reassoc,contract> : f32
      linalg.yield %s : f32
  }} -> tensor<{M}x{N}xf32>
"""
    return head + body + f"""  return %r : tensor<{M}x{N}xf32>
}}
"""

def order(variant):
    # position of (m, n, k) in the op's loop dims, and interchange giving loop order m, n, k
    if variant == "gen_mkn":
        return (0, 2, 1)
    return (0, 1, 2)

def sizes(variant, m, n, k):
    pos = order(variant)
    out = [0, 0, 0]
    out[pos[0]], out[pos[1]], out[pos[2]] = m, n, k
    return out

def lib(variant, t1, t2, pad=False, peel=False, masked=False, shape=None):
    # shape = (M, N, K)
    """t1 = (m,n,k) cache tile, t2 = (m,n,k) register tile. 0 = don't tile."""
    pos = order(variant)
    inter = list(pos)  # loops generated in order m, n, k
    s1 = sizes(variant, *t1); s2 = sizes(variant, *t2)
    n1 = sum(1 for v in s1 if v); n2 = sum(1 for v in s2 if v)
    ty = lambda n: ", ".join(["!transform.any_op"] * (n + 1))
    lp = lambda n: f"%l{{}}:{n}" if n > 1 else "%l{}"
    def tile(src, dst, s, n, lvl):
        if n == 0:
            return f"    {dst} = transform.cast {src} : !transform.any_op to !transform.any_op\n"
        l = (lp(n)).format(lvl)
        return (f"    {dst}, {l} = transform.structured.tile_using_for {src} tile_sizes {s} interchange = {inter}\n"
                f"        : (!transform.any_op) -> ({ty(n)})\n")
    padtxt = ""
    if pad:
        padtxt = f"""    %padded, %pad, %copy = transform.structured.pad %t2 {{
        padding_values = [0.0 : f32, 0.0 : f32, 0.0 : f32],
        padding_dimensions = [0, 1, 2], pad_to_multiple_of = {s2}, nofold_flags = [0, 0, 0],
        copy_back_op = "linalg.copy"}} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.annotate %padded "facet.vec" : !transform.any_op
"""
    elif peel:
        # peel a register-level loop only where its trip count may leave a partial tile
        def needs(S, a, b):
            return (a % b != 0) or ((S % a) % b != 0)
        padtxt = '    transform.annotate %t2 "facet.vec" : !transform.any_op\n'
        # register loops handles: %l2#0 = m, %l2#1 = n, %l2#2 = k (loop order m, n, k); peel inner (n) first
        for idx, (S, a, b) in [(2, (shape[2], t1[2], t2[2])), (1, (shape[1], t1[1], t2[1])), (0, (shape[0], t1[0], t2[0]))]:
            if needs(S, a if a else S, b):
                padtxt += f"""    %p{idx} = transform.cast %l2#{idx} : !transform.any_op to !transform.op<"scf.for">
    %p{idx}_main, %p{idx}_rem = transform.loop.peel %p{idx} : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
"""
    else:
        padtxt = '    transform.annotate %t2 "facet.vec" : !transform.any_op\n'
    vs = f" vector_sizes {s2}" if (peel or masked) else ""
    return f"""module attributes {{transform.with_named_sequence}} {{
  // Phase 1, on tensors (before one-shot-bufferize): two-level tiling of the contraction.
  transform.named_sequence @facet_tile(%root: !transform.any_op {{transform.readonly}}) {{
    %mm = transform.structured.match attributes{{"facet.contraction"}} in %root : (!transform.any_op) -> !transform.any_op
{tile("%mm", "%t1", s1, n1, 1)}{tile("%t1", "%t2", s2, n2, 2)}{padtxt}    transform.yield
  }}
  // Phase 2, on memrefs (after one-shot-bufferize + buffer-results-to-out-params):
  // vectorize the register tiles, hoist C out of the k loop, lower vector ops.
  transform.named_sequence @facet_vectorize(%root: !transform.any_op {{transform.readonly}}) {{
    %ops = transform.structured.match attributes{{"facet.vec"}} in %root : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %ops{vs} : !transform.any_op
    %f = transform.structured.match ops{{["func.func"]}} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {{
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.lower_masked_transfers
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.canonicalization
    }} : !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    transform.apply_patterns to %f {{
      transform.apply_patterns.memref.fold_memref_alias_ops
    }} : !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    %h = transform.structured.hoist_redundant_vector_transfers %f : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %h {{
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerparallel"
      transform.apply_patterns.vector.split_transfer_full_partial split_transfer_strategy = "linalg-copy"
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_1d"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.lower_broadcast
    }} : !transform.any_op
    transform.apply_patterns to %h {{
      transform.apply_patterns.canonicalization
    }} : !transform.any_op
    transform.apply_cse to %h : !transform.any_op
    transform.yield
  }}
}}
"""

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["payload", "lib"])
    ap.add_argument("--M", type=int); ap.add_argument("--K", type=int); ap.add_argument("--N", type=int)
    ap.add_argument("--variant", default="gen_mkn")
    ap.add_argument("--t1", default="64,128,256"); ap.add_argument("--t2", default="8,32,1")
    ap.add_argument("--pad", action="store_true"); ap.add_argument("--peel", action="store_true"); ap.add_argument("--masked", action="store_true")
    ap.add_argument("--tag", action="store_true", help="tag the contraction with facet.contraction")
    a = ap.parse_args()
    if a.what == "payload":
        p = payload(a.M, a.K, a.N, a.variant)
        if a.tag:
            p = p.replace("%r = linalg.matmul ins", "%r = linalg.matmul {facet.contraction} ins") \
                 .replace("iterator_types = [", "facet.contraction, iterator_types = [")
        sys.stdout.write(p)
    else:
        t1 = tuple(int(v) for v in a.t1.split(",")); t2 = tuple(int(v) for v in a.t2.split(","))
        sys.stdout.write(lib(a.variant, t1, t2, pad=a.pad, peel=a.peel, masked=a.masked, shape=(a.M, a.N, a.K)))
