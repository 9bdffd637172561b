// RUN: facet-opt %s -split-input-file -verify-diagnostics

func.func @matmul_inner_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{inner dimensions differ: [2, 3] x [4, 5]}}
  // expected-error @+1 {{'facet.matmul' op failed to infer returned types}}
  %0 = facet.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_batch_mismatch(%a: tensor<3x2x3xf32>, %b: tensor<4x3x5xf32>) -> tensor<3x2x5xf32> {
  // expected-error @+2 {{batch dimensions do not broadcast}}
  // expected-error @+1 {{'facet.matmul' op failed to infer returned types}}
  %0 = facet.matmul %a, %b : (tensor<3x2x3xf32>, tensor<4x3x5xf32>) -> tensor<3x2x5xf32>
  return %0 : tensor<3x2x5xf32>
}

// -----

func.func @matmul_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<2x5xf32>' are incompatible with return type(s) of operation 'tensor<2x6xf32>'}}
  // expected-error @+1 {{'facet.matmul' op failed to infer returned types}}
  %0 = facet.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{operands must have rank >= 1}}
  // expected-error @+1 {{'facet.matmul' op failed to infer returned types}}
  %0 = facet.matmul %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @matmul_integer(%a: tensor<2x3xi64>, %b: tensor<3x5xi64>) -> tensor<2x5xi64> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = facet.matmul %a, %b : (tensor<2x3xi64>, tensor<3x5xi64>) -> tensor<2x5xi64>
  return %0 : tensor<2x5xi64>
}

// -----

func.func @gemm_not_2d(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{A and B must be 2-D, got [2, 3, 4] and [4, 5]}}
  // expected-error @+1 {{'facet.gemm' op failed to infer returned types}}
  %0 = facet.gemm %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @gemm_trans_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{inner dimensions differ: A [2, 3], B [3, 5] (transposed)}}
  // expected-error @+1 {{'facet.gemm' op failed to infer returned types}}
  %0 = facet.gemm %a, %b {trans_b = true} : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gemm_bad_bias(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<3xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{C of shape [3] does not broadcast to [2, 5]}}
  // expected-error @+1 {{'facet.gemm' op failed to infer returned types}}
  %0 = facet.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @add_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{operand shapes [2, 3] and [2] do not broadcast}}
  // expected-error @+1 {{'facet.add' op failed to infer returned types}}
  %0 = facet.add %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @add_mixed_types(%a: tensor<2xf32>, %b: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+2 {{operands have different element types: f32 and i64}}
  // expected-error @+1 {{'facet.add' op failed to infer returned types}}
  %0 = facet.add %a, %b : (tensor<2xf32>, tensor<2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @relu_integer(%a: tensor<2xi64>) -> tensor<2xi64> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = facet.relu %a : tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @constant_type_mismatch() -> tensor<2xf32> {
  // expected-error @+1 {{all of {value, result} have same type}}
  %0 = "facet.constant"() <{value = dense<1.0> : tensor<3xf32>}> : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
