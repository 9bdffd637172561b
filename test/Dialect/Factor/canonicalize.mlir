// RUN: facet-opt %s -canonicalize -split-input-file | FileCheck %s

// A Tucker core whose rank (8) exceeds the factor's dimension (4) merges
// with that factor: G·U2ᵀ [2, 4] holds fewer elements than G [2, 8] and
// U2 [4, 8] together. U1 [6, 2] then stays: U1·(G·U2ᵀ) would be larger.
// CHECK-LABEL: func.func @merge_overranked
// CHECK-DAG: %[[U:.*]] = arith.constant dense<1.000000e+00> : tensor<6x2xf32>
// CHECK-DAG: %[[M:.*]] = arith.constant dense<1.600000e+01> : tensor<2x4xf32>
// CHECK: factor.contract "mk,kp,pn->mn"(%{{.*}}, %[[U]], %[[M]]) {format = #factor.format<tucker>, ranks = array<i64: 2, 8>, source = "fc"}
func.func @merge_overranked(%x: tensor<5x6xf32>) -> tensor<5x4xf32> {
  %u1 = arith.constant dense<1.0> : tensor<6x2xf32>
  %g = arith.constant dense<2.0> : tensor<2x8xf32>
  %u2 = arith.constant dense<1.0> : tensor<4x8xf32>
  %y = factor.contract "mk,kp,pq,nq->mn" (%x, %u1, %g, %u2) {format = #factor.format<tucker>, ranks = array<i64: 2, 8>, source = "fc"} : (tensor<5x6xf32>, tensor<6x2xf32>, tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<5x4xf32>
  return %y : tensor<5x4xf32>
}

// -----

// A proper low-rank pair (U [16, 2], V [2, 16]) is left alone: merging
// would build the dense [16, 16].
// CHECK-LABEL: func.func @keep_low_rank
// CHECK: factor.contract "mk,kr,rn->mn"(%{{.*}}, %{{.*}}, %{{.*}})
func.func @keep_low_rank(%x: tensor<5x16xf32>) -> tensor<5x16xf32> {
  %u = arith.constant dense<1.0> : tensor<16x2xf32>
  %v = arith.constant dense<1.0> : tensor<2x16xf32>
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 2>} : (tensor<5x16xf32>, tensor<16x2xf32>, tensor<2x16xf32>) -> tensor<5x16xf32>
  return %y : tensor<5x16xf32>
}

// -----

// Cores that are not constants are never merged.
// CHECK-LABEL: func.func @runtime_cores
// CHECK: factor.contract "mk,kp,pq,nq->mn"
func.func @runtime_cores(%x: tensor<5x3xf32>, %g: tensor<2x8xf32>) -> tensor<5x4xf32> {
  %u1 = arith.constant dense<1.0> : tensor<3x2xf32>
  %u2 = arith.constant dense<1.0> : tensor<4x8xf32>
  %y = factor.contract "mk,kp,pq,nq->mn" (%x, %u1, %g, %u2) {format = #factor.format<tucker>, ranks = array<i64: 2, 8>} : (tensor<5x3xf32>, tensor<3x2xf32>, tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<5x4xf32>
  return %y : tensor<5x4xf32>
}
