// RUN: facet-opt %s -split-input-file -verify-diagnostics

func.func @no_cores(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{needs at least one core besides the activation}}
  %y = factor.contract "mk->mk" (%x) {format = #factor.format<svd>, ranks = array<i64: 1>} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @no_arrow(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{equation expected one '->' in 'mk,kn'}}
  %y = factor.contract "mk,kn" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @bad_letter(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{subscripts are letters a-z, A-Z; got '1'}}
  %y = factor.contract "m1,1n->mn" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @diagonal(%x: tensor<4x4xf32>, %w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{subscript 'kk' repeats an index}}
  %y = factor.contract "kk,kn->kn" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<4x4xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @subscript_count(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{the equation has 3 operand subscripts for 2 operands}}
  %y = factor.contract "mk,kr,rn->mn" (%x, %w) {format = #factor.format<svd>, ranks = array<i64: 1>} : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @rank_mismatch(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{operand #1 has rank 2 but subscript 'kxn' has 3 indices}}
  %y = factor.contract "mk,kxn->mn" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @size_mismatch(%x: tensor<4x16xf32>, %w: tensor<12x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{index 'k' has size 16 and 12 (operand #1)}}
  %y = factor.contract "mk,kn->mn" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<4x16xf32>, tensor<12x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @unknown_result_index(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>) -> tensor<4x8x2xf32> {
  // expected-error @+1 {{result index 'z' appears in no operand}}
  %y = factor.contract "mk,kn->mnz" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8x2xf32>
  return %y : tensor<4x8x2xf32>
}

// -----

func.func @dangling_index(%x: tensor<4x16xf32>, %w: tensor<16x8x3xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{index 'q' appears in one operand only and not in the result}}
  %y = factor.contract "mk,knq->mn" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<4x16xf32>, tensor<16x8x3xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @result_shape(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{result type 'tensor<8x4xf32>' does not match the equation's result shape [4, 8]}}
  %y = factor.contract "mk,kn->mn" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @element_type(%x: tensor<4x16xf32>, %w: tensor<16x8xf64>) -> tensor<4x8xf32> {
  // expected-error @+1 {{cores must have the activation's element type 'f32', got 'tensor<16x8xf64>'}}
  %y = factor.contract "mk,kn->mn" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<4x16xf32>, tensor<16x8xf64>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @bad_rank(%x: tensor<4x16xf32>, %u: tensor<16x2xf32>, %v: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{ranks must be at least 1, got 0}}
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 0>} : (tensor<4x16xf32>, tensor<16x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @negative_error(%x: tensor<4x16xf32>, %u: tensor<16x2xf32>, %v: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{error must be non-negative, got -1}}
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 2>, error = -1.0 : f64} : (tensor<4x16xf32>, tensor<16x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @odd_path(%x: tensor<4x16xf32>, %u: tensor<16x2xf32>, %v: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{path must hold pairs of operand positions}}
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 2>, path = array<i64: 0, 1, 0>} : (tensor<4x16xf32>, tensor<16x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @short_path(%x: tensor<4x16xf32>, %u: tensor<16x2xf32>, %v: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{path: a contraction order of 3 operands has 2 steps, not 1}}
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 2>, path = array<i64: 0, 1>} : (tensor<4x16xf32>, tensor<16x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @path_out_of_range(%x: tensor<4x16xf32>, %u: tensor<16x2xf32>, %v: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{path: contraction step (1, 2) must name two operands i < j of the 2 left}}
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 2>, path = array<i64: 0, 1, 1, 2>} : (tensor<4x16xf32>, tensor<16x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @tt_core_shape(%ids: tensor<3xi64>, %g1: tensor<1x5x4x3xf32>, %g2: tensor<2x4x2x1xf32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{core #1 must have shape [3, 4, 2, 1], got 'tensor<2x4x2x1xf32>'}}
  %e = factor.tt_gather %ids, %g1, %g2 {rows = 17 : i64, row_dims = array<i64: 5, 4>, col_dims = array<i64: 4, 2>, ranks = array<i64: 1, 3, 1>} : (tensor<3xi64>, tensor<1x5x4x3xf32>, tensor<2x4x2x1xf32>) -> tensor<3x8xf32>
  return %e : tensor<3x8xf32>
}

// -----

func.func @tt_rows(%ids: tensor<3xi64>, %g1: tensor<1x5x4x3xf32>, %g2: tensor<3x4x2x1xf32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{rows (21) must be in [1, 20], the product of row_dims}}
  %e = factor.tt_gather %ids, %g1, %g2 {rows = 21 : i64, row_dims = array<i64: 5, 4>, col_dims = array<i64: 4, 2>, ranks = array<i64: 1, 3, 1>} : (tensor<3xi64>, tensor<1x5x4x3xf32>, tensor<3x4x2x1xf32>) -> tensor<3x8xf32>
  return %e : tensor<3x8xf32>
}

// -----

func.func @tt_ranks(%ids: tensor<3xi64>, %g1: tensor<1x5x4x3xf32>, %g2: tensor<3x4x2x1xf32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{ranks must hold 3 bond ranks starting and ending with 1}}
  %e = factor.tt_gather %ids, %g1, %g2 {rows = 20 : i64, row_dims = array<i64: 5, 4>, col_dims = array<i64: 4, 2>, ranks = array<i64: 3, 1>} : (tensor<3xi64>, tensor<1x5x4x3xf32>, tensor<3x4x2x1xf32>) -> tensor<3x8xf32>
  return %e : tensor<3x8xf32>
}

// -----

func.func @tt_dims(%ids: tensor<3xi64>, %g1: tensor<1x5x4x3xf32>, %g2: tensor<3x4x2x1xf32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{row_dims and col_dims need one entry per core (2), got 1 and 2}}
  %e = factor.tt_gather %ids, %g1, %g2 {rows = 5 : i64, row_dims = array<i64: 5>, col_dims = array<i64: 4, 2>, ranks = array<i64: 1, 3, 1>} : (tensor<3xi64>, tensor<1x5x4x3xf32>, tensor<3x4x2x1xf32>) -> tensor<3x8xf32>
  return %e : tensor<3x8xf32>
}

// -----

func.func @tt_result(%ids: tensor<3xi64>, %g1: tensor<1x5x4x3xf32>, %g2: tensor<3x4x2x1xf32>) -> tensor<3x9xf32> {
  // expected-error @+1 {{result type 'tensor<3x9xf32>' must be the indices' shape followed by 8 (the product of col_dims)}}
  %e = factor.tt_gather %ids, %g1, %g2 {rows = 20 : i64, row_dims = array<i64: 5, 4>, col_dims = array<i64: 4, 2>, ranks = array<i64: 1, 3, 1>} : (tensor<3xi64>, tensor<1x5x4x3xf32>, tensor<3x4x2x1xf32>) -> tensor<3x9xf32>
  return %e : tensor<3x9xf32>
}
