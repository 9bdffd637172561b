// RUN: facet-opt %s --facet-factorize-linear="rank=2" -split-input-file | FileCheck %s
// RUN: facet-opt %s --facet-factorize-linear="rank=2" -split-input-file --factor-densify | FileCheck %s --check-prefix=DENSE

// A rank-2 weight at rank 2: x[2, 3, 6] · W[6, 8] becomes the activation
// (its leading dims as upper-case letters) through U·S [6, 2] and Vᵀ [2, 8],
// with the layer's name and ε = 0 (exact). Densified, the product of the
// cores is W again.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[U:.*]] = arith.constant dense<{{.*}}> : tensor<6x2xf32>
// CHECK: %[[V:.*]] = arith.constant dense<{{.*}}> : tensor<2x8xf32>
// CHECK: %[[Y:.*]] = factor.contract "ABk,kr,rn->ABn"(%{{.*}}, %[[U]], %[[V]]) {error = {{.*}} : f64, format = #factor.format<svd>, ranks = array<i64: 2>, source = "fc1"} : (tensor<2x3x6xf32>, tensor<6x2xf32>, tensor<2x8xf32>) -> tensor<2x3x8xf32>
// CHECK-NOT: facet.matmul
// CHECK: return %[[Y]]
// DENSE-LABEL: func.func @matmul
// DENSE: arith.constant dense<{{\[\[}}-1.0000{{[0-9]*}}, 4.0000{{[0-9]*}}, 5.0000{{[0-9]*}}, {{.*}}> : tensor<6x8xf32>
// DENSE: factor.contract "ABk,kn->ABn"
func.func @matmul(%x: tensor<2x3x6xf32>) -> tensor<2x3x8xf32> {
  %w = facet.constant dense<[[-1.000000e+00, 4.000000e+00, 5.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00, 0.000000e+00, 2.000000e+00], [1.000000e+00, -2.000000e+00, -1.000000e+00, 2.000000e+00, 1.000000e+00, -2.000000e+00, 0.000000e+00, 2.000000e+00], [2.000000e+00, -5.000000e+00, -4.000000e+00, 3.000000e+00, 1.000000e+00, -4.000000e+00, 0.000000e+00, 2.000000e+00], [2.000000e+00, -6.000000e+00, -6.000000e+00, 2.000000e+00, 0.000000e+00, -4.000000e+00, 0.000000e+00, 0.000000e+00], [-2.000000e+00, 2.000000e+00, -2.000000e+00, -6.000000e+00, -4.000000e+00, 4.000000e+00, 0.000000e+00, -8.000000e+00], [-2.000000e+00, 5.000000e+00, 4.000000e+00, -3.000000e+00, -1.000000e+00, 4.000000e+00, 0.000000e+00, -2.000000e+00]]> : tensor<6x8xf32>
  %y = facet.matmul %x, %w : (tensor<2x3x6xf32>, tensor<6x8xf32>) -> tensor<2x3x8xf32> loc("fc1")
  return %y : tensor<2x3x8xf32>
}

// -----

// Gemm with transB (torch's Linear), alpha and a bias with beta: the
// transposed weight is factorized as [K, N], alpha folds into U, beta·C is
// added after the contraction.
// CHECK-LABEL: func.func @gemm
// CHECK: %[[Y:.*]] = factor.contract "Ak,kr,rn->An"(%{{.*}}, %{{.*}}, %{{.*}}) {{.*}}source = "proj"
// CHECK: %[[C:.*]] = facet.mul %{{.*}}, %{{.*}} : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
// CHECK: %[[R:.*]] = facet.add %[[Y]], %[[C]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: return %[[R]]
func.func @gemm(%x: tensor<4x6xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %w = facet.constant dense<[[-1.000000e+00, 0.000000e+00, 0.000000e+00, 3.000000e+00, 1.000000e+00, 3.000000e+00], [-6.000000e+00, 4.000000e+00, 0.000000e+00, -2.000000e+00, -6.000000e+00, -2.000000e+00], [6.000000e+00, -4.000000e+00, 0.000000e+00, 2.000000e+00, 6.000000e+00, 2.000000e+00], [4.000000e+00, -2.000000e+00, 0.000000e+00, -2.000000e+00, 2.000000e+00, -2.000000e+00], [3.000000e+00, -1.000000e+00, 0.000000e+00, -4.000000e+00, 0.000000e+00, -4.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [-2.000000e+00, 2.000000e+00, 0.000000e+00, -4.000000e+00, -4.000000e+00, -4.000000e+00], [2.000000e+00, 0.000000e+00, 0.000000e+00, -6.000000e+00, -2.000000e+00, -6.000000e+00]]> : tensor<8x6xf32>
  %y = facet.gemm %x, %w, %b {trans_b = true, alpha = 2.0 : f32, beta = 0.5 : f32} : (tensor<4x6xf32>, tensor<8x6xf32>, tensor<8xf32>) -> tensor<4x8xf32> loc("proj")
  return %y : tensor<4x8xf32>
}

// -----

// A weight that is not a constant, a transposed activation (transA) and a
// 1-D activation are not layers Facet factorizes: left alone.
// CHECK-LABEL: func.func @not_layers
// CHECK: facet.matmul %{{.*}}, %{{.*}} : (tensor<4x6xf32>, tensor<6x8xf32>)
// CHECK: facet.gemm {{.*}}trans_a = true
// CHECK: factor.contract
func.func @not_layers(%x: tensor<4x6xf32>, %w: tensor<6x8xf32>, %xt: tensor<6x4xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %c = facet.constant dense<[[-1.000000e+00, 4.000000e+00, 5.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00, 0.000000e+00, 2.000000e+00], [1.000000e+00, -2.000000e+00, -1.000000e+00, 2.000000e+00, 1.000000e+00, -2.000000e+00, 0.000000e+00, 2.000000e+00], [2.000000e+00, -5.000000e+00, -4.000000e+00, 3.000000e+00, 1.000000e+00, -4.000000e+00, 0.000000e+00, 2.000000e+00], [2.000000e+00, -6.000000e+00, -6.000000e+00, 2.000000e+00, 0.000000e+00, -4.000000e+00, 0.000000e+00, 0.000000e+00], [-2.000000e+00, 2.000000e+00, -2.000000e+00, -6.000000e+00, -4.000000e+00, 4.000000e+00, 0.000000e+00, -8.000000e+00], [-2.000000e+00, 5.000000e+00, 4.000000e+00, -3.000000e+00, -1.000000e+00, 4.000000e+00, 0.000000e+00, -2.000000e+00]]> : tensor<6x8xf32>
  %a = facet.matmul %x, %w : (tensor<4x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
  %b = facet.gemm %xt, %c {trans_a = true} : (tensor<6x4xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
  %d = facet.matmul %x, %c : (tensor<4x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32> loc("kept")
  return %a, %b, %d : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// The torch dynamo exporter stores a Linear weight [N, K] and transposes it
// in the graph: the Transpose of the constant is looked through (and goes
// away with the dense weight).
// CHECK-LABEL: func.func @transposed_weight
// CHECK-NOT: facet.transpose
// CHECK: factor.contract "Ak,kr,rn->An"({{.*}}) {{.*}}ranks = array<i64: 2>, source = "fc_t"}
// CHECK-NOT: facet.transpose
func.func @transposed_weight(%x: tensor<4x6xf32>) -> tensor<4x8xf32> {
  %w = facet.constant dense<[[-1.000000e+00, 0.000000e+00, 0.000000e+00, 3.000000e+00, 1.000000e+00, 3.000000e+00], [-6.000000e+00, 4.000000e+00, 0.000000e+00, -2.000000e+00, -6.000000e+00, -2.000000e+00], [6.000000e+00, -4.000000e+00, 0.000000e+00, 2.000000e+00, 6.000000e+00, 2.000000e+00], [4.000000e+00, -2.000000e+00, 0.000000e+00, -2.000000e+00, 2.000000e+00, -2.000000e+00], [3.000000e+00, -1.000000e+00, 0.000000e+00, -4.000000e+00, 0.000000e+00, -4.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [-2.000000e+00, 2.000000e+00, 0.000000e+00, -4.000000e+00, -4.000000e+00, -4.000000e+00], [2.000000e+00, 0.000000e+00, 0.000000e+00, -6.000000e+00, -2.000000e+00, -6.000000e+00]]> : tensor<8x6xf32>
  %t = facet.transpose %w {perm = array<i64: 1, 0>} : tensor<8x6xf32> -> tensor<6x8xf32>
  %y = facet.matmul %x, %t : (tensor<4x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32> loc("fc_t")
  return %y : tensor<4x8xf32>
}
