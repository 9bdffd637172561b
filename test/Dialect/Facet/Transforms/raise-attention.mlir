// RUN: facet-opt %s -split-input-file --facet-raise-attention | FileCheck %s
// Each form exporters write multi-head attention in becomes one
// facet.attention on the projected q, k, v ([B, S, H·D]).

// BERT eager (torch): heads split by Reshape + Transpose (K's permute and
// transpose(-1, -2) fused into [0,2,3,1]), scores Div by √d, the additive
// padding mask, Softmax, ·V, merge.
// CHECK-LABEL: func @bert_eager
// CHECK-NEXT: %[[O:.*]] = facet.attention %arg0, %arg1, %arg2 mask %arg3 : tensor<2x1x1x8xf32> {num_heads = 4 : i64, scale = 0.353553385 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @bert_eager(%q: tensor<2x8x32xf32>, %k: tensor<2x8x32xf32>, %v: tensor<2x8x32xf32>, %mask: tensor<2x1x1x8xf32>) -> tensor<2x8x32xf32> {
  %q4 = facet.reshape %q : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
  %qh = facet.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x8xf32> -> tensor<2x4x8x8xf32>
  %k4 = facet.reshape %k : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
  %kt = facet.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : tensor<2x8x4x8xf32> -> tensor<2x4x8x8xf32>
  %v4 = facet.reshape %v : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
  %vh = facet.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x8xf32> -> tensor<2x4x8x8xf32>
  %s = facet.matmul %qh, %kt : (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %c = facet.constant dense<2.82842708> : tensor<f32>
  %sd = facet.div %s, %c : (tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
  %sm = facet.add %sd, %mask : (tensor<2x4x8x8xf32>, tensor<2x1x1x8xf32>) -> tensor<2x4x8x8xf32>
  %p = facet.softmax %sm {axis = 3 : i64} : tensor<2x4x8x8xf32>
  %o = facet.matmul %p, %vh : (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<2x4x8x8xf32> -> tensor<2x8x4x8xf32>
  %om = facet.reshape %ot : tensor<2x8x4x8xf32> -> tensor<2x8x32xf32>
  return %om : tensor<2x8x32xf32>
}

// -----

// torch's scaled_dot_product_attention export: the scale computed from the
// head size (Sqrt, Div), q and kᵀ each multiplied by √scale; K transposed
// in two steps ([0,2,1,3] then [0,1,3,2]).
// CHECK-LABEL: func @sdpa
// CHECK-NEXT: facet.attention %arg0, %arg1, %arg2 mask %arg3 : tensor<2x1x8x8xf32> {num_heads = 4 : i64, scale = 0.353553{{[0-9]*}} : f32}
// CHECK-NOT: facet.softmax
func.func @sdpa(%q: tensor<2x8x32xf32>, %k: tensor<2x8x32xf32>, %v: tensor<2x8x32xf32>, %mask: tensor<2x1x8x8xf32>) -> tensor<2x8x32xf32> {
  %q4 = facet.reshape %q : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
  %qh = facet.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x8xf32> -> tensor<2x4x8x8xf32>
  %k4 = facet.reshape %k : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
  %kh = facet.transpose %k4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x8xf32> -> tensor<2x4x8x8xf32>
  %kt = facet.transpose %kh {perm = array<i64: 0, 1, 3, 2>} : tensor<2x4x8x8xf32> -> tensor<2x4x8x8xf32>
  %v4 = facet.reshape %v : tensor<2x8x32xf32> -> tensor<2x8x4x8xf32>
  %vh = facet.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x8x4x8xf32> -> tensor<2x4x8x8xf32>
  %d = facet.constant dense<8.0> : tensor<1xf32>
  %one = facet.constant dense<1.0> : tensor<1xf32>
  %sq = facet.sqrt %d : tensor<1xf32>
  %scale = facet.div %one, %sq : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  %root = facet.sqrt %scale : tensor<1xf32>
  %qs = facet.mul %qh, %root : (tensor<2x4x8x8xf32>, tensor<1xf32>) -> tensor<2x4x8x8xf32>
  %ks = facet.mul %kt, %root : (tensor<2x4x8x8xf32>, tensor<1xf32>) -> tensor<2x4x8x8xf32>
  %s = facet.matmul %qs, %ks : (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %sm = facet.add %s, %mask : (tensor<2x4x8x8xf32>, tensor<2x1x8x8xf32>) -> tensor<2x4x8x8xf32>
  %p = facet.softmax %sm {axis = 3 : i64} : tensor<2x4x8x8xf32>
  %o = facet.matmul %p, %vh : (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<2x4x8x8xf32> -> tensor<2x8x4x8xf32>
  %om = facet.reshape %ot : tensor<2x8x4x8xf32> -> tensor<2x8x32xf32>
  return %om : tensor<2x8x32xf32>
}

// -----

// GPT-2 (HF eager): fused QKV Gemm then Split (slices), the causal mask a
// constant bool [1, 1, S, S] through Where(mask, s, finfo.min), then the
// additive padding mask; the merge reshaped for the output Conv1D.
// CHECK-LABEL: func @gpt2_fused_qkv
// CHECK: %[[QKV:.*]] = facet.reshape %{{.*}} : tensor<8x96xf32> -> tensor<2x4x96xf32>
// CHECK-DAG: %[[Q:.*]] = facet.slice %[[QKV]] {starts = array<i64: 0, 0, 0>
// CHECK-DAG: %[[K:.*]] = facet.slice %[[QKV]] {starts = array<i64: 0, 0, 32>
// CHECK-DAG: %[[V:.*]] = facet.slice %[[QKV]] {starts = array<i64: 0, 0, 64>
// CHECK: %[[O:.*]] = facet.attention %[[Q]], %[[K]], %[[V]] mask %arg2 : tensor<2x1x1x4xf32> {causal = true, mask_fill = -3.40282347E+38 : f32, num_heads = 4 : i64, scale = 0.353553385 : f32}
// CHECK-NEXT: %[[R:.*]] = facet.reshape %[[O]] : tensor<2x4x32xf32> -> tensor<8x32xf32>
// CHECK-NEXT: return %[[R]]
func.func @gpt2_fused_qkv(%x: tensor<8x32xf32>, %w: tensor<32x96xf32>, %mask: tensor<2x1x1x4xf32>) -> tensor<8x32xf32> {
  %g = facet.gemm %x, %w : (tensor<8x32xf32>, tensor<32x96xf32>) -> tensor<8x96xf32>
  %qkv = facet.reshape %g : tensor<8x96xf32> -> tensor<2x4x96xf32>
  %q = facet.slice %qkv {starts = array<i64: 0, 0, 0>, steps = array<i64: 1, 1, 1>} : tensor<2x4x96xf32> -> tensor<2x4x32xf32>
  %k = facet.slice %qkv {starts = array<i64: 0, 0, 32>, steps = array<i64: 1, 1, 1>} : tensor<2x4x96xf32> -> tensor<2x4x32xf32>
  %v = facet.slice %qkv {starts = array<i64: 0, 0, 64>, steps = array<i64: 1, 1, 1>} : tensor<2x4x96xf32> -> tensor<2x4x32xf32>
  %q4 = facet.reshape %q : tensor<2x4x32xf32> -> tensor<2x4x4x8xf32>
  %qh = facet.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x4x4x8xf32> -> tensor<2x4x4x8xf32>
  %k4 = facet.reshape %k : tensor<2x4x32xf32> -> tensor<2x4x4x8xf32>
  %kt = facet.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : tensor<2x4x4x8xf32> -> tensor<2x4x8x4xf32>
  %v4 = facet.reshape %v : tensor<2x4x32xf32> -> tensor<2x4x4x8xf32>
  %vh = facet.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x4x4x8xf32> -> tensor<2x4x4x8xf32>
  %s = facet.matmul %qh, %kt : (tensor<2x4x4x8xf32>, tensor<2x4x8x4xf32>) -> tensor<2x4x4x4xf32>
  %c = facet.constant dense<2.82842708> : tensor<f32>
  %sd = facet.div %s, %c : (tensor<2x4x4x4xf32>, tensor<f32>) -> tensor<2x4x4x4xf32>
  %causal = facet.constant dense<[[[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]]]> : tensor<1x1x4x4xi1>
  %min = facet.constant dense<-3.40282347E+38> : tensor<f32>
  %sw = facet.where %causal, %sd, %min : (tensor<1x1x4x4xi1>, tensor<2x4x4x4xf32>, tensor<f32>) -> tensor<2x4x4x4xf32>
  %sm = facet.add %sw, %mask : (tensor<2x4x4x4xf32>, tensor<2x1x1x4xf32>) -> tensor<2x4x4x4xf32>
  %p = facet.softmax %sm {axis = 3 : i64} : tensor<2x4x4x4xf32>
  %o = facet.matmul %p, %vh : (tensor<2x4x4x4xf32>, tensor<2x4x4x8xf32>) -> tensor<2x4x4x8xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<2x4x4x8xf32> -> tensor<2x4x4x8xf32>
  %om = facet.reshape %ot : tensor<2x4x4x8xf32> -> tensor<8x32xf32>
  return %om : tensor<8x32xf32>
}

// -----

// GPT-2 with --causal-mask trilu, unfolded: ConstantOfShape's ones, Trilu,
// Cast to bool.
// CHECK-LABEL: func @trilu_mask
// CHECK: facet.attention %arg0, %arg0, %arg0 {causal = true, mask_fill = -3.40282347E+38 : f32, num_heads = 2 : i64, scale = 1.000000e+00 : f32}
// CHECK-NOT: facet.softmax
func.func @trilu_mask(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ones = facet.constant dense<1.0> : tensor<4x4xf32>
  %tril = facet.trilu %ones {k = 0 : i64, upper = false} : tensor<4x4xf32>
  %bool = facet.cast %tril : tensor<4x4xf32> -> tensor<4x4xi1>
  %min = facet.constant dense<-3.40282347E+38> : tensor<f32>
  %sw = facet.where %bool, %s, %min : (tensor<4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %sw {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om : tensor<1x4x8xf32>
}

// -----

// GPT-2 sdpa (is_causal): an additive constant 0 / -inf causal mask.
// CHECK-LABEL: func @additive_causal
// CHECK: facet.attention %arg0, %arg0, %arg0 {causal = true, num_heads = 2 : i64, scale = 1.000000e+00 : f32}
func.func @additive_causal(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %m = facet.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %sm = facet.add %s, %m : (tensor<1x2x4x4xf32>, tensor<4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %sm {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om : tensor<1x4x8xf32>
}

// -----

// Fewer queries than keys: the causal mask sliced from a bool buffer at
// rows k_len - q_len (bottom-right aligned) gives causal_offset 2.
// CHECK-LABEL: func @causal_offset
// CHECK: facet.attention %arg0, %arg1, %arg1 {causal = true, causal_offset = 2 : i64, mask_fill = -3.40282347E+38 : f32, num_heads = 2 : i64, scale = 1.000000e+00 : f32} : (tensor<1x2x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x2x8xf32>
func.func @causal_offset(%q: tensor<1x2x8xf32>, %kv: tensor<1x4x8xf32>) -> tensor<1x2x8xf32> {
  %q4 = facet.reshape %q : tensor<1x2x8xf32> -> tensor<1x2x2x4xf32>
  %qh = facet.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x2x4xf32> -> tensor<1x2x2x4xf32>
  %k4 = facet.reshape %kv : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kt = facet.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vh = facet.transpose %k4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x2x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x2x4xf32>
  %buffer = facet.constant dense<[[[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]]]> : tensor<1x1x4x4xi1>
  %causal = facet.slice %buffer {starts = array<i64: 0, 0, 2, 0>, steps = array<i64: 1, 1, 1, 1>} : tensor<1x1x4x4xi1> -> tensor<1x1x2x4xi1>
  %min = facet.constant dense<-3.40282347E+38> : tensor<f32>
  %sw = facet.where %causal, %s, %min : (tensor<1x1x2x4xi1>, tensor<1x2x2x4xf32>, tensor<f32>) -> tensor<1x2x2x4xf32>
  %p = facet.softmax %sw {axis = 3 : i64} : tensor<1x2x2x4xf32>
  %o = facet.matmul %p, %vh : (tensor<1x2x2x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x2x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x2x4xf32> -> tensor<1x2x2x4xf32>
  %om = facet.reshape %ot : tensor<1x2x2x4xf32> -> tensor<1x2x8xf32>
  return %om : tensor<1x2x8xf32>
}

// -----

// A run-time boolean mask through Where(mask, s, fill) is the op's i1 mask;
// Where(mask, fill, s) keeps where the mask is false (negated).
// CHECK-LABEL: func @bool_masks
// CHECK: facet.attention %arg0, %arg0, %arg0 mask %arg1 : tensor<1x1x4x4xi1> {mask_fill = -1.000000e+09 : f32, num_heads = 2 : i64, scale = 1.000000e+00 : f32}
// CHECK: %[[N:.*]] = facet.not %arg1 : tensor<1x1x4x4xi1>
// CHECK: facet.attention %arg0, %arg0, %arg0 mask %[[N]] : tensor<1x1x4x4xi1> {mask_fill = -1.000000e+09 : f32, num_heads = 2 : i64, scale = 1.000000e+00 : f32}
func.func @bool_masks(%x: tensor<1x4x8xf32>, %m: tensor<1x1x4x4xi1>) -> (tensor<1x4x8xf32>, tensor<1x4x8xf32>) {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %fill = facet.constant dense<-1.0e9> : tensor<f32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %sw = facet.where %m, %s, %fill : (tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %sw {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot = facet.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om = facet.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  %s2 = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %sw2 = facet.where %m, %fill, %s2 : (tensor<1x1x4x4xi1>, tensor<f32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %p2 = facet.softmax %sw2 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o2 = facet.matmul %p2, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ot2 = facet.transpose %o2 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %om2 = facet.reshape %ot2 : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %om, %om2 : tensor<1x4x8xf32>, tensor<1x4x8xf32>
}

// -----

// The heads used without merging: the op's output is split back.
// CHECK-LABEL: func @unmerged
// CHECK: %[[O:.*]] = facet.attention %arg0, %arg0, %arg0 {num_heads = 2 : i64, scale = 1.000000e+00 : f32}
// CHECK: %[[R:.*]] = facet.reshape %[[O]] : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
// CHECK: %[[T:.*]] = facet.transpose %[[R]] {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
// CHECK: return %[[T]]
func.func @unmerged(%x: tensor<1x4x8xf32>) -> tensor<1x2x4x4xf32> {
  %x4 = facet.reshape %x : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = facet.transpose %x4 {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = facet.transpose %x4 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = facet.matmul %qh, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = facet.softmax %s {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %o = facet.matmul %p, %qh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %o : tensor<1x2x4x4xf32>
}
