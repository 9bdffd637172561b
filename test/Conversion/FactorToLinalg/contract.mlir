// RUN: facet-opt %s -convert-factor-to-linalg -split-input-file | FileCheck %s

// Low rank: two 2-D contractions x[M, K]·U[K, r], then ·V[r, N], in the
// form facet-pack-weights packs (constant [K, N] weight, zero-filled init).
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @svd
// CHECK-SAME: (%[[ARG:.*]]: tensor<4x16xf32>)
// CHECK: %[[U:.*]] = arith.constant dense<1.000000e+00> : tensor<16x2xf32>
// CHECK: %[[V:.*]] = arith.constant dense<2.000000e+00> : tensor<2x8xf32>
// CHECK: %[[F1:.*]] = linalg.fill {{.*}} -> tensor<4x2xf32>
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[ARG]], %[[U]] : tensor<4x16xf32>, tensor<16x2xf32>) outs(%[[F1]] : tensor<4x2xf32>)
// CHECK: %[[F2:.*]] = linalg.fill {{.*}} -> tensor<4x8xf32>
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[T]], %[[V]] : tensor<4x2xf32>, tensor<2x8xf32>) outs(%[[F2]] : tensor<4x8xf32>)
// CHECK: return %[[Y]]
func.func @svd(%x: tensor<4x16xf32>) -> tensor<4x8xf32> {
  %u = arith.constant dense<1.0> : tensor<16x2xf32>
  %v = arith.constant dense<2.0> : tensor<2x8xf32>
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 2>, path = array<i64: 0, 1, 0, 1>} : (tensor<4x16xf32>, tensor<16x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// A core stored [N, K] (torch's Linear) is transposed at compile time; the
// activation's leading dims fold into M and come back after.
// CHECK-LABEL: func.func @batched_transposed
// CHECK-DAG: %[[WT:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[XC:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x3x2xf32> into tensor<6x2xf32>
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%[[XC]], %[[WT]] : tensor<6x2xf32>, tensor<2x2xf32>)
// CHECK: tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 2] : tensor<6x2xf32> into tensor<2x3x2xf32>
func.func @batched_transposed(%x: tensor<2x3x2xf32>) -> tensor<2x3x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %y = factor.contract "bsk,nk->bsn" (%x, %w) {format = #factor.format<dense>, ranks = array<i64>} : (tensor<2x3x2xf32>, tensor<2x2xf32>) -> tensor<2x3x2xf32>
  return %y : tensor<2x3x2xf32>
}

// -----

// TT-matrix: contracting the first core's input index, which is not
// innermost in x[m, a, b], transposes the activation first; the core
// [a, c, u] becomes [a, (c u)].
// CHECK-LABEL: func.func @tt
// CHECK: %[[XT:.*]] = linalg.transpose ins(%{{.*}} : tensor<5x2x3xf32>) outs(%{{.*}} : tensor<5x3x2xf32>) permutation = [0, 2, 1]
// CHECK: %[[XC:.*]] = tensor.collapse_shape %[[XT]] {{\[\[}}0, 1], [2]] : tensor<5x3x2xf32> into tensor<15x2xf32>
// CHECK: linalg.generic {{.*}} ins(%[[XC]], %{{.*}} : tensor<15x2xf32>, tensor<2x8xf32>)
// CHECK: tensor.expand_shape {{.*}} : tensor<15x8xf32> into tensor<5x3x2x4xf32>
// CHECK: linalg.transpose
// CHECK: linalg.generic
// CHECK-NOT: factor.contract
func.func @tt(%x: tensor<5x2x3xf32>) -> tensor<5x2x2xf32> {
  %g1 = arith.constant dense<1.0> : tensor<2x2x4xf32>
  %g2 = arith.constant dense<1.0> : tensor<4x3x2xf32>
  %y = factor.contract "mab,acu,ubd->mcd" (%x, %g1, %g2) {format = #factor.format<tt>, ranks = array<i64: 4>, path = array<i64: 0, 1, 0, 1>} : (tensor<5x2x3xf32>, tensor<2x2x4xf32>, tensor<4x3x2xf32>) -> tensor<5x2x2xf32>
  return %y : tensor<5x2x2xf32>
}

// -----

// CP: x·A (x transposed so that a is innermost), then ·B where the rank
// index r is shared and still needed: a batch index, so that step is one
// linalg.generic over (m, r, b) with b reduced; then ·C as a 2-D product.
// CHECK-LABEL: func.func @cp
// CHECK: linalg.transpose ins(%{{.*}} : tensor<3x2x5xf32>) outs(%{{.*}} : tensor<3x5x2xf32>) permutation = [0, 2, 1]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<15x2xf32>, tensor<2x4xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape {{.*}} : tensor<15x4xf32> into tensor<3x5x4xf32>
// CHECK: %[[B:.*]] = linalg.generic {indexing_maps = [{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[E]], %{{.*}} : tensor<3x5x4xf32>, tensor<5x4xf32>) outs(%{{.*}} : tensor<3x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[B]], %{{.*}} : tensor<3x4xf32>, tensor<4x6xf32>)
func.func @cp(%x: tensor<3x2x5xf32>) -> tensor<3x6xf32> {
  %a = arith.constant dense<1.0> : tensor<2x4xf32>
  %b = arith.constant dense<1.0> : tensor<5x4xf32>
  %c = arith.constant dense<1.0> : tensor<6x4xf32>
  %y = factor.contract "mab,ar,br,cr->mc" (%x, %a, %b, %c) {format = #factor.format<cp>, ranks = array<i64: 4>, path = array<i64: 0, 1, 0, 2, 0, 1>} : (tensor<3x2x5xf32>, tensor<2x4xf32>, tensor<5x4xf32>, tensor<6x4xf32>) -> tensor<3x6xf32>
  return %y : tensor<3x6xf32>
}

// -----

// Cores multiplied first (the path says so): two constants are contracted
// at compile time (U·V = 3 everywhere), not on every call; the activation
// then meets the product in one GEMM.
// CHECK-LABEL: func.func @cores_first
// CHECK-NOT: tensor<4x3xf32>, tensor<3x4xf32>
// CHECK: %[[UV:.*]] = arith.constant dense<3.000000e+00> : tensor<4x4xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[UV]] : tensor<2x4xf32>, tensor<4x4xf32>)
func.func @cores_first(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %u = arith.constant dense<1.0> : tensor<4x3xf32>
  %v = arith.constant dense<1.0> : tensor<3x4xf32>
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 3>, path = array<i64: 1, 2, 0, 1>} : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
