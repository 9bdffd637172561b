// RUN: facet-opt %s -factor-densify -split-input-file -verify-diagnostics | FileCheck %s

// U·V computed at compile time: [[1, 2], [3, 4]] · [[1, 0, 1], [0, 1, 1]].
// The result keeps the source and error, with format dense.
// CHECK-LABEL: func.func @svd
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [3.000000e+00, 4.000000e+00, 7.000000e+00]]> : tensor<2x3xf32>
// CHECK: factor.contract "mk,kn->mn"(%{{.*}}, %[[W]]) {error = 5.000000e-02 : f64, format = #factor.format<dense>, ranks = array<i64>, source = "fc1"}
func.func @svd(%x: tensor<4x2xf32>) -> tensor<4x3xf32> {
  %u = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %v = arith.constant dense<[[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]> : tensor<2x3xf32>
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 2>, source = "fc1", error = 0.05 : f64} : (tensor<4x2xf32>, tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// Kronecker: W[a, b, c, d] = A[a, c]·B[b, d], laid out (a, b) then (c, d).
// CHECK-LABEL: func.func @kronecker
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, 3.000000e+00], [4.000000e+00, 6.000000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK: factor.contract "mab,abcd->mcd"(%{{.*}}, %[[W]])
func.func @kronecker(%x: tensor<3x1x1xf32>) -> tensor<3x2x2xf32> {
  %a = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %b = arith.constant dense<[[2.0, 3.0]]> : tensor<1x2xf32>
  %y = factor.contract "mab,ac,bd->mcd" (%x, %a, %b) {format = #factor.format<kronecker>, ranks = array<i64: 1>} : (tensor<3x1x1xf32>, tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<3x2x2xf32>
  return %y : tensor<3x2x2xf32>
}

// -----

func.func @runtime_core(%x: tensor<4x2xf32>, %v: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %u = arith.constant dense<1.0> : tensor<2x2xf32>
  // expected-warning @+1 {{not densified: a core is not a constant}}
  %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v) {format = #factor.format<svd>, ranks = array<i64: 2>} : (tensor<4x2xf32>, tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}
