//===- Passes.td - facet graph passes ------------------------*- tablegen -*-===//

#ifndef FACET_DIALECT_FACET_TRANSFORMS_PASSES_TD
#define FACET_DIALECT_FACET_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def RaiseAttention : Pass<"facet-raise-attention", "mlir::ModuleOp"> {
  let summary = "Raise multi-head attention subgraphs to facet.attention";
  let description = [{
    Finds the subgraphs exporters write for multi-head attention — head
    split (Reshape to [B, S, H, D], Transpose), Q·Kᵀ, the 1/√d scale (Mul or
    Div by a scalar, on the scores or on q and k), masks (a constant causal
    mask through Where or an additive constant, an additive padding mask, a
    boolean mask through Where), Softmax over the keys, ·V, head merge
    (Transpose, Reshape) — and replaces each by one `facet.attention` on the
    projected q, k and v. The projections stay where they are (ordinary
    linear layers). A subgraph that is only partly there, or whose
    intermediates (scores, probabilities) are used elsewhere, is left as it
    is. docs/Attention.md lists the forms recognized.
  }];
}

def KVCache : Pass<"facet-kv-cache", "mlir::ModuleOp"> {
  let summary = "Decode mode: give every attention a key/value cache";
  let description = [{
    For single-token decoding: each `facet.attention` of @main gets a static
    key/value cache of `size` rows as new function inputs
    `past_key.<i>` [B, G, size, Dk] and `past_value.<i>` [B, G, size, Dv]
    and outputs `present_key.<i>` / `present_value.<i>` (the cache with the
    new rows written), and one input `past_length` ([1] int64): the number
    of valid cache rows, which is also where the new token goes. The new
    token attends to the past and to itself (a causal decoder). Position
    ids that the graph computes as a constant 0..S-1 (no-cache exports)
    become past_length + 0..S-1.
  }];
  let options = [
    Option<"size", "size", "int64_t", "0", "Cache rows (the context length)">,
  ];
}

#endif // FACET_DIALECT_FACET_TRANSFORMS_PASSES_TD
