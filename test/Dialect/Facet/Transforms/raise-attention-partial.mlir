// RUN: facet-opt %s -split-input-file --facet-raise-attention | FileCheck %s
// Subgraphs that are only partly attention stay as they are (and correct):
// no facet.attention appears, the softmax and both products remain.

// The probabilities are also a result (output_attentions).
// CHECK-LABEL: func @probs_used
// CHECK-NOT: facet.attention
// CHECK: facet.softmax
// CHECK: facet.matmul
func.func @probs_used(%x: tensor<1x4x8xf32>) -> (tensor<1x4x8xf32>, tensor<1x2x4x4xf32>) {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %s {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om, %p : tensor<1x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// The raw scores are also a result.
// CHECK-LABEL: func @scores_used
// CHECK-NOT: facet.attention
// CHECK: facet.softmax
func.func @scores_used(%x: tensor<1x4x8xf32>) -> (tensor<1x4x8xf32>, tensor<1x2x4x4xf32>) {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %c = facet.constant dense<2.0> : tensor<f32>
  %sd = facet.div %s, %c : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %sd {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om, %sd : tensor<1x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// Softmax over the queries (axis 2), not the keys.
// CHECK-LABEL: func @wrong_axis
// CHECK-NOT: facet.attention
// CHECK: facet.softmax %{{.*}} {axis = 2 : i64}
func.func @wrong_axis(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %s {axis = 2 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om : tensor<1x4x8xf32>
}

// -----

// Q is reshaped straight to [B, H, S, D] (no head transpose): its rows are
// not one token's heads, so this is not multi-head attention of q.
// CHECK-LABEL: func @no_head_split
// CHECK-NOT: facet.attention
// CHECK: facet.softmax
func.func @no_head_split(%x: tensor<1x4x8xf32>) -> tensor<1x2x4x4xf32> {
  %q = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x2x4x4xf32>
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %q, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %s {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %q : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %o : tensor<1x2x4x4xf32>
}

// -----

// The scores scaled by a tensor (one factor per key), not a scalar.
// CHECK-LABEL: func @tensor_scale
// CHECK-NOT: facet.attention
// CHECK: facet.softmax
func.func @tensor_scale(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %c = facet.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %sd = facet.mul %s, %c : (tensor<1x2x4x4xf32>, tensor<4xf32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %sd {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om : tensor<1x4x8xf32>
}

// -----

// Softmax of a plain matrix product that is no Q·Kᵀ of heads (an MLP-style
// attention over a constant), and no ·V.
// CHECK-LABEL: func @no_qk
// CHECK-NOT: facet.attention
// CHECK: facet.softmax
func.func @no_qk(%x: tensor<1x2x4x4xf32>, %w: tensor<4x4xf32>) -> tensor<1x2x4x4xf32> {
  %s = facet.matmul %x, %w : (tensor<1x2x4x4xf32>, tensor<4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %s {axis = 3 : i64} : tensor<1x2x4x4xf32>
  return %p : tensor<1x2x4x4xf32>
}

// -----

// A run-time boolean mask and an additive mask together: the op takes one.
// CHECK-LABEL: func @two_masks
// CHECK-NOT: facet.attention
// CHECK: facet.where
// CHECK: facet.softmax
func.func @two_masks(%x: tensor<1x4x8xf32>, %b: tensor<1x1x4x4xi1>, %m: tensor<1x1x1x4xf32>) -> tensor<1x4x8xf32> {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %fill = facet.constant dense<-1.0e9> : tensor<f32>
  %sw = facet.where %b, %s, %fill : (tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %sm = facet.add %sw, %m : (tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %sm {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om : tensor<1x4x8xf32>
}

// -----

// The scale applied after the mask (it would scale the mask as well).
// CHECK-LABEL: func @scale_after_mask
// CHECK-NOT: facet.attention
// CHECK: facet.softmax
func.func @scale_after_mask(%x: tensor<1x4x8xf32>, %m: tensor<1x1x1x4xf32>) -> tensor<1x4x8xf32> {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %sm = facet.add %s, %m : (tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x2x4x4xf32>
  %c = facet.constant dense<2.0> : tensor<f32>
  %sd = facet.div %sm, %c : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %sd {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om : tensor<1x4x8xf32>
}

// -----

// V scaled before ·V.
// CHECK-LABEL: func @scaled_values
// CHECK-NOT: facet.attention
// CHECK: facet.softmax
func.func @scaled_values(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %s {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %c = facet.constant dense<2.0> : tensor<f32>
  %vs = facet.mul %qh, %c : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %vs : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om : tensor<1x4x8xf32>
}
