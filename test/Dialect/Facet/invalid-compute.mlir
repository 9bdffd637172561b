// RUN: facet-opt %s -split-input-file -verify-diagnostics

func.func @reduce_kind(%x: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{unknown reduction kind 'prod'}}
  %0 = facet.reduce %x {axes = array<i64: 0>, keepdims = false, kind = "prod"} : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @reduce_axes_order(%x: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{axes must be sorted and unique}}
  %0 = facet.reduce %x {axes = array<i64: 1, 0>, keepdims = false, kind = "sum"} : tensor<2x3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @reduce_result(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result type must be 'tensor<2x1xf32>'}}
  %0 = facet.reduce %x {axes = array<i64: 1>, keepdims = true, kind = "sum"} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = facet.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x8xf32>, %s: tensor<4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{scale and bias must broadcast to the normalized shape [8], got 'tensor<4xf32>'}}
  %0 = facet.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @clip_bounds(%x: tensor<4xf32>, %lo: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{bounds must be scalars, got 'tensor<2xf32>'}}
  %0 = facet.clip %x min %lo : tensor<2xf32> : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @cast_shape(%x: tensor<4xf32>) -> tensor<2x2xi64> {
  // expected-error @+1 {{cannot change the shape}}
  %0 = facet.cast %x : tensor<4xf32> -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

func.func @where_types(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xi64>) -> tensor<4xf32> {
  // expected-error @+2 {{branches have different element types: f32 and i64}}
  // expected-error @+1 {{'facet.where' op failed to infer returned types}}
  %0 = facet.where %c, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @compare_result(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{result #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = facet.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
