// RUN: facet-opt %s -split-input-file -convert-facet-to-linalg | FileCheck %s

// Each elementwise op is one linalg.generic with the scalar computation.
// CHECK-LABEL: func.func @arith
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.divf
// CHECK: math.powf
// CHECK: arith.minimumf
// CHECK: arith.maximumf
func.func @arith(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = facet.sub %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = facet.mul %0, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = facet.div %1, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = facet.pow %2, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = facet.min %3, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %5 = facet.max %4, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %5 : tensor<4xf32>
}

// -----

// Integer division truncates (divsi); integer pow uses math.ipowi.
// CHECK-LABEL: func.func @int_ops
// CHECK: arith.divsi
// CHECK: math.ipowi
func.func @int_ops(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  %0 = facet.div %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %1 = facet.pow %0, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %1 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @compare_where
// CHECK: arith.cmpf olt
// CHECK: arith.cmpi sgt
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @compare_where(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<4xi64>, %j: tensor<4xi64>) -> tensor<4xf32> {
  %0 = facet.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = facet.greater %i, %j : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
  %2 = facet.equal %0, %1 : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %3 = facet.where %2, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @unary
// CHECK: math.sqrt
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.tanh
// CHECK: math.erf
// CHECK: arith.negf
// CHECK: math.absf
func.func @unary(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = facet.sqrt %a : tensor<4xf32>
  %1 = facet.exp %0 : tensor<4xf32>
  %2 = facet.log %1 : tensor<4xf32>
  %3 = facet.tanh %2 : tensor<4xf32>
  %4 = facet.erf %3 : tensor<4xf32>
  %5 = facet.neg %4 : tensor<4xf32>
  %6 = facet.abs %5 : tensor<4xf32>
  return %6 : tensor<4xf32>
}

// -----

// Exact Gelu uses erf(x / sqrt 2); the tanh approximation uses tanh.
// CHECK-LABEL: func.func @gelu
// CHECK: math.erf
// CHECK: math.tanh
func.func @gelu(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = facet.gelu %a : tensor<4xf32>
  %1 = facet.gelu %0 {tanh_approximation = true} : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Cast: float to int truncates toward zero, to bool compares with zero.
// CHECK-LABEL: func.func @cast
// CHECK: arith.fptosi
// CHECK: arith.cmpi ne
// CHECK: arith.uitofp
func.func @cast(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = facet.cast %a : tensor<4xf32> -> tensor<4xi64>
  %1 = facet.cast %0 : tensor<4xi64> -> tensor<4xi1>
  %2 = facet.cast %1 : tensor<4xi1> -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Clip with scalar bounds reads them through rank-0 maps.
// CHECK-DAG: #[[S:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @clip
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[S]], #[[S]], #{{.*}}]
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @clip(%a: tensor<4xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<4xf32> {
  %0 = facet.clip %a min %lo : tensor<f32> max %hi : tensor<f32> : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @sigmoid_not
// CHECK: math.exp
// CHECK: arith.xori
func.func @sigmoid_not(%a: tensor<4xf32>, %b: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xi1>) {
  %0 = facet.sigmoid %a : tensor<4xf32>
  %1 = facet.not %b : tensor<4xi1>
  return %0, %1 : tensor<4xf32>, tensor<4xi1>
}
