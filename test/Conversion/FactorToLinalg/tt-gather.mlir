// RUN: facet-opt %s -convert-factor-to-linalg | FileCheck %s

// Two cores: the first generic gathers G1[0, digit1(id), j1, r1] per token,
// the second contracts it with G2[r1, digit2(id), j2, 0] over r1. Indices are
// wrapped (negative) and clamped, then split into digits by division and
// remainder. No [rows, D] table appears.
// CHECK-LABEL: func.func @embedding
// CHECK: %[[IDS:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x3xi64> into tensor<6xi64>
// CHECK: %[[T1:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDS]] : tensor<6xi64>) outs(%{{.*}} : tensor<6x4x3xf32>)
// CHECK: arith.divui
// CHECK: arith.remui
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x5x4x3xf32>
// CHECK: %[[T2:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[IDS]], %[[T1]] : tensor<6xi64>, tensor<6x4x3xf32>) outs(%{{.*}} : tensor<6x4x2x1xf32>)
// CHECK: arith.remui
// CHECK: tensor.extract %{{.*}} : tensor<3x4x2x1xf32>
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[T2]] {{\[\[}}0], [1, 2, 3]] : tensor<6x4x2x1xf32> into tensor<6x8xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
// CHECK-NOT: tensor<17x8xf32>
func.func @embedding(%ids: tensor<2x3xi64>, %g1: tensor<1x5x4x3xf32>, %g2: tensor<3x4x2x1xf32>) -> tensor<2x3x8xf32> {
  %e = factor.tt_gather %ids, %g1, %g2 {rows = 17 : i64, row_dims = array<i64: 5, 4>, col_dims = array<i64: 4, 2>, ranks = array<i64: 1, 3, 1>} : (tensor<2x3xi64>, tensor<1x5x4x3xf32>, tensor<3x4x2x1xf32>) -> tensor<2x3x8xf32>
  return %e : tensor<2x3x8xf32>
}
