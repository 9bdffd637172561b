module attributes {transform.with_named_sequence} {
  // Phase 1, on tensors (before one-shot-bufferize): two-level tiling of the contraction.
  transform.named_sequence @facet_tile(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match attributes{"facet.contraction"} in %root : (!transform.any_op) -> !transform.any_op
    %t1, %l1:3 = transform.structured.tile_using_for %mm tile_sizes [48, 256, 128] interchange = [0, 2, 1]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %t2, %l2:3 = transform.structured.tile_using_for %t1 tile_sizes [6, 4, 16] interchange = [0, 2, 1]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.annotate %t2 "facet.vec" : !transform.any_op
    %p0 = transform.cast %l2#0 : !transform.any_op to !transform.op<"scf.for">
    %p0_main, %p0_rem = transform.loop.peel %p0 : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
  // Phase 2, on memrefs (after one-shot-bufferize + buffer-results-to-out-params):
  // vectorize the register tiles, hoist C out of the k loop, lower vector ops.
  transform.named_sequence @facet_vectorize(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match attributes{"facet.vec"} in %root : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %ops vector_sizes [6, 4, 16] : !transform.any_op
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.lower_masked_transfers
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.memref.fold_memref_alias_ops
    } : !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    %h = transform.structured.hoist_redundant_vector_transfers %f : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %h {
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
    } : !transform.any_op
    transform.apply_patterns to %h {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %h : !transform.any_op
    transform.yield
  }
}
