// RUN: facet-opt %s -split-input-file -convert-facet-to-linalg | FileCheck %s

// A mean reduction: a sum over the reduced loop, a division by the count,
// and a free reshape back to the keepdims shape.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @mean_keepdims
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: arith.addf
// CHECK: %[[N:.*]] = arith.constant 3.000000e+00 : f32
// CHECK: arith.divf %{{.*}}, %[[N]]
// CHECK: tensor.collapse_shape
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x4xf32>
func.func @mean_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = facet.reduce %x {axes = array<i64: 1>, keepdims = true, kind = "mean"} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// Max starts from -inf.
// CHECK-LABEL: func.func @max_all
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
func.func @max_all(%x: tensor<2x3xf32>) -> tensor<f32> {
  %0 = facet.reduce %x {axes = array<i64: 0, 1>, keepdims = false, kind = "max"} : tensor<2x3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Integer sums use arith.addi.
// CHECK-LABEL: func.func @sum_int
// CHECK: arith.addi
func.func @sum_int(%x: tensor<4xi64>) -> tensor<i64> {
  %0 = facet.reduce %x {axes = array<i64: 0>, keepdims = false, kind = "sum"} : tensor<4xi64> -> tensor<i64>
  return %0 : tensor<i64>
}
