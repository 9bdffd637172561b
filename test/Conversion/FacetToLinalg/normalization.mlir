// RUN: facet-opt %s -split-input-file -convert-facet-to-linalg | FileCheck %s

// Softmax: max, exp(x - max), sum, divide; every step a linalg.generic
// reading the reduced tensors through maps that drop the axis.
// CHECK-LABEL: func.func @softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK-NOT: math.log
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = facet.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// LogSoftmax subtracts log(sum) instead of dividing.
// CHECK-LABEL: func.func @log_softmax
// CHECK: math.log
// CHECK-NOT: arith.divf
func.func @log_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = facet.softmax %x {axis = 1 : i64, log = true} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// LayerNorm: mean, centered values, variance, rsqrt(var + eps), then one
// generic applying scale and bias (broadcast over the normalized dims).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm
// CHECK: math.rsqrt
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[COL]], #[[COL]], #[[ID]]]
func.func @layer_norm(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  %0 = facet.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
