// RUN: facet-opt %s -split-input-file -facet-pack-weights | FileCheck %s

// x[M,K] · W[K,N] with a constant W: W is repacked into panels [N/16][K][16]
// (Wp[b,k,j] = W[k, 16b+j]) and the result reshaped back.
// CHECK-LABEL: func.func @matmul_kn
// CHECK: %[[WP:.*]] = arith.constant dense<{{.*}}> : tensor<2x3x16xf32>
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[X:.*]], #[[W:.*]], #[[O:.*]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %[[WP]] : tensor<5x3xf32>, tensor<2x3x16xf32>)
// CHECK-SAME: facet.packed_contraction
// CHECK: tensor.collapse_shape %[[G]] {{\[}}[0], [1, 2]] : tensor<5x2x16xf32> into tensor<5x32xf32>
#x = affine_map<(m, k, n) -> (m, k)>
#w = affine_map<(m, k, n) -> (k, n)>
#o = affine_map<(m, k, n) -> (m, n)>
func.func @matmul_kn(%x: tensor<5x3xf32>) -> tensor<5x32xf32> {
  %w = arith.constant dense<1.0> : tensor<3x32xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<5x32xf32>) -> tensor<5x32xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %w : tensor<5x3xf32>, tensor<3x32xf32>) outs(%f : tensor<5x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<5x32xf32>
  return %r : tensor<5x32xf32>
}

// -----

// A transposed weight W[N,K] (Gemm transB=1), batch dims folded into M, and
// N = 20 padded to 2 panels: the padding columns are sliced off.
// CHECK-LABEL: func.func @linear_nk_batched
// CHECK: %[[WP:.*]] = arith.constant dense<{{.*}}> : tensor<2x4x16xf32>
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[G:.*]] = linalg.generic
// CHECK-SAME: ins(%[[X]], %[[WP]] : tensor<6x4xf32>, tensor<2x4x16xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[G]]
// CHECK: %[[S:.*]] = tensor.extract_slice %[[C]][0, 0] [6, 20] [1, 1] : tensor<6x32xf32> to tensor<6x20xf32>
// CHECK: tensor.expand_shape %[[S]] {{\[}}[0, 1], [2]] output_shape [2, 3, 20] : tensor<6x20xf32> into tensor<2x3x20xf32>
#x3 = affine_map<(b, m, n, k) -> (b, m, k)>
#w3 = affine_map<(b, m, n, k) -> (n, k)>
#o3 = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @linear_nk_batched(%x: tensor<2x3x4xf32>) -> tensor<2x3x20xf32> {
  %w = arith.constant dense<2.0> : tensor<20x4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x20xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x3x20xf32>) -> tensor<2x3x20xf32>
  %r = linalg.generic {indexing_maps = [#x3, #w3, #o3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<2x3x4xf32>, tensor<20x4xf32>) outs(%f : tensor<2x3x20xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x20xf32>
  return %r : tensor<2x3x20xf32>
}

// -----

// Two activations (no constant weight): left alone.
// CHECK-LABEL: func.func @activations
// CHECK-NOT: facet.packed_contraction
// CHECK: linalg.generic
// CHECK-NOT: facet.packed_contraction
#x = affine_map<(m, k, n) -> (m, k)>
#w = affine_map<(m, k, n) -> (k, n)>
#o = affine_map<(m, k, n) -> (m, n)>
func.func @activations(%x: tensor<5x3xf32>, %w: tensor<3x32xf32>) -> tensor<5x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<5x32xf32>) -> tensor<5x32xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %w : tensor<5x3xf32>, tensor<3x32xf32>) outs(%f : tensor<5x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<5x32xf32>
  return %r : tensor<5x32xf32>
}

// -----

// An accumulator that is not a zero fill (out += x·W) is left alone.
// CHECK-LABEL: func.func @accumulate
// CHECK-NOT: facet.packed_contraction
#x = affine_map<(m, k, n) -> (m, k)>
#w = affine_map<(m, k, n) -> (k, n)>
#o = affine_map<(m, k, n) -> (m, n)>
func.func @accumulate(%x: tensor<5x3xf32>, %acc: tensor<5x32xf32>) -> tensor<5x32xf32> {
  %w = arith.constant dense<1.0> : tensor<3x32xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %w : tensor<5x3xf32>, tensor<3x32xf32>) outs(%acc : tensor<5x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<5x32xf32>
  return %r : tensor<5x32xf32>
}

// -----

// The panel layout, on values: W[K=2,N=3] = [[1,2,3],[4,5,6]] and its
// transpose W[N,K] give the same panel, zero-padded to 16 lanes.
// CHECK-LABEL: func.func @layout
// CHECK-COUNT-2: arith.constant dense<{{\[}}{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00, 0.000000e+00, {{.*}}], [4.000000e+00, 5.000000e+00, 6.000000e+00, 0.000000e+00, {{.*}}]]]> : tensor<1x2x16xf32>
#x = affine_map<(m, n, k) -> (m, k)>
#wkn = affine_map<(m, n, k) -> (k, n)>
#wnk = affine_map<(m, n, k) -> (n, k)>
#o = affine_map<(m, n, k) -> (m, n)>
func.func @layout(%x: tensor<1x2xf32>) -> (tensor<1x3xf32>, tensor<1x3xf32>) {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %wt = arith.constant dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]> : tensor<3x2xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  %r = linalg.generic {indexing_maps = [#x, #wkn, #o], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x2xf32>, tensor<2x3xf32>) outs(%f : tensor<1x3xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x3xf32>
  %rt = linalg.generic {indexing_maps = [#x, #wnk, #o], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wt : tensor<1x2xf32>, tensor<3x2xf32>) outs(%f : tensor<1x3xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x3xf32>
  return %r, %rt : tensor<1x3xf32>, tensor<1x3xf32>
}
