// RUN: facet-opt %s | facet-opt | FileCheck %s

// The op round-trips with its provenance and an explicit order.
// CHECK-LABEL: func.func @svd
// CHECK: factor.contract "mk,kr,rn->mn"(%{{.*}}, %{{.*}}, %{{.*}}) {error = 1.250000e-01 : f64, format = #factor.format<svd>, path = array<i64: 0, 1, 0, 1>, ranks = array<i64: 8>, source = "/fc1/MatMul"} : (tensor<4x16xf32>, tensor<16x8xf32>, tensor<8x32xf32>) -> tensor<4x32xf32>
func.func @svd(%x: tensor<4x16xf32>, %u: tensor<16x8xf32>, %v: tensor<8x32xf32>) -> tensor<4x32xf32> {
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 8>, source = "/fc1/MatMul", error = 0.125 : f64, path = array<i64: 0, 1, 0, 1>} : (tensor<4x16xf32>, tensor<16x8xf32>, tensor<8x32xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// Hyperedges (CP's rank index in every core) and batch dims are allowed.
// CHECK-LABEL: func.func @cp
// CHECK: factor.contract "zmab,ar,br,cr,dr->zmcd"
func.func @cp(%x: tensor<2x3x4x5xf64>, %a: tensor<4x6xf64>, %b: tensor<5x6xf64>, %c: tensor<7x6xf64>, %d: tensor<8x6xf64>) -> tensor<2x3x7x8xf64> {
  %y = factor.contract "zmab,ar,br,cr,dr->zmcd" (%x, %a, %b, %c, %d) {format = #factor.format<cp>, ranks = array<i64: 6>} : (tensor<2x3x4x5xf64>, tensor<4x6xf64>, tensor<5x6xf64>, tensor<7x6xf64>, tensor<8x6xf64>) -> tensor<2x3x7x8xf64>
  return %y : tensor<2x3x7x8xf64>
}

// CHECK-LABEL: func.func @tt_embedding
// CHECK: factor.tt_gather %{{.*}}, %{{.*}}, %{{.*}} {col_dims = array<i64: 4, 2>, ranks = array<i64: 1, 3, 1>, row_dims = array<i64: 5, 4>, rows = 17 : i64} : (tensor<2x3xi64>, tensor<1x5x4x3xf32>, tensor<3x4x2x1xf32>) -> tensor<2x3x8xf32>
func.func @tt_embedding(%ids: tensor<2x3xi64>, %g1: tensor<1x5x4x3xf32>, %g2: tensor<3x4x2x1xf32>) -> tensor<2x3x8xf32> {
  %e = factor.tt_gather %ids, %g1, %g2 {rows = 17 : i64, row_dims = array<i64: 5, 4>, col_dims = array<i64: 4, 2>, ranks = array<i64: 1, 3, 1>} : (tensor<2x3xi64>, tensor<1x5x4x3xf32>, tensor<3x4x2x1xf32>) -> tensor<2x3x8xf32>
  return %e : tensor<2x3x8xf32>
}
