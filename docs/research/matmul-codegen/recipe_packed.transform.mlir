module attributes {transform.with_named_sequence} {
  transform.named_sequence @facet_tile(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match attributes{"facet.contraction"} in %root : (!transform.any_op) -> !transform.any_op
    // loops (m, nb, n16, k): cache tile; n16 (the packed 16-wide panel) is never tiled
    %t1, %l1:3 = transform.structured.tile_using_for %mm tile_sizes [64, 8, 0, 256]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %t2, %l2:3 = transform.structured.tile_using_for %t1 tile_sizes [4, 1, 0, 4]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)

    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    // the unit-dim folding rebuilt the tiles (dropping attributes): re-find them inside the cache loops
    %v = transform.structured.match ops{["linalg.generic"]} in %l1#0 : (!transform.any_op) -> !transform.any_op
    transform.annotate %v "facet.vec" : !transform.any_op
    transform.yield
  }
  transform.named_sequence @facet_vectorize(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match attributes{"facet.vec"} in %root : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %ops vector_sizes [4, 16, 4] : !transform.any_op
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
