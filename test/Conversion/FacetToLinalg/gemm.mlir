// RUN: facet-opt %s -split-input-file -convert-facet-to-linalg | FileCheck %s

// transB is folded into the indexing map of B (no transpose materialized);
// k stays innermost, a contiguous dot product with a row of B; the bias is a
// broadcast epilogue.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @gemm_trans_b_bias
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[BT]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[ACC]], %{{.*}} : tensor<2x4xf32>, tensor<4xf32>)
// CHECK: arith.addf
func.func @gemm_trans_b_bias(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = facet.gemm %x, %w, %b {trans_b = true} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// alpha and beta scale the product and C; transA moves A's map; with B as
// [K, N] the loops are (m, k, n).
// CHECK-DAG: #[[AT:.*]] = affine_map<(d0, d1, d2) -> (d1, d0)>
// CHECK-LABEL: func.func @gemm_alpha_beta_trans_a
// CHECK: linalg.generic {indexing_maps = [#[[AT]],
// CHECK: %[[ALPHA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: arith.mulf %[[ALPHA]]
// CHECK: %[[BETA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: arith.mulf %[[BETA]]
// CHECK: arith.addf
func.func @gemm_alpha_beta_trans_a(%x: tensor<3x2xf32>, %w: tensor<3x4xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = facet.gemm %x, %w, %c {alpha = 2.0 : f32, beta = 0.5 : f32, trans_a = true} : (tensor<3x2xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Without transposes, C or scaling, Gemm is just the contraction.
// CHECK-LABEL: func.func @gemm_plain
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-NOT: linalg.generic
func.func @gemm_plain(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = facet.gemm %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
