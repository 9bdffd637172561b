// RUN: facet-opt %s -split-input-file -convert-facet-to-linalg | FileCheck %s

// numpy broadcasting in both directions: size-1 dims read index 0, missing
// leading dims are not indexed.
// CHECK-DAG: #[[L:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[R:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[L]], #[[R]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK: arith.addf
// CHECK: -> tensor<2x3x4xf32>
func.func @add_broadcast(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = facet.add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Integer Add uses arith.addi.
// CHECK-LABEL: func.func @add_int
// CHECK: arith.addi
func.func @add_int(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  %0 = facet.add %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @relu
// CHECK: linalg.generic
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: arith.maximumf %{{.*}}, %[[Z]] : f32
func.func @relu(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = facet.relu %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Identity disappears; constants become arith.constant.
// CHECK-LABEL: func.func @identity_constant
// CHECK: %[[C:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: return %[[C]]
func.func @identity_constant() -> tensor<4xf32> {
  %c = facet.constant dense<1.0> : tensor<4xf32>
  %0 = facet.identity %c : tensor<4xf32>
  return %0 : tensor<4xf32>
}
