// RUN: facet-opt %s -split-input-file -facet-tile-contractions -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" -canonicalize -cse -canonicalize -facet-vectorize-contractions | FileCheck %s

// The register tiles become FMAs (4 rows x 4 k steps); the 4x16
// accumulators (which start from a fill of ones, not zeros) are loaded
// before the k loop and stored after it, so the k loop holds only loads of
// x/W and FMAs.
// CHECK-LABEL: func.func @packed
// CHECK-NOT: facet.vec
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.load %alloc{{.*}} vector<16xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<4x16xf32>)
// CHECK-COUNT-16: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: vector.store
// CHECK: scf.yield
// CHECK-COUNT-4: vector.store {{.*}} vector<16xf32>
#x = affine_map<(m, b, n, k) -> (m, k)>
#w = affine_map<(m, b, n, k) -> (b, k, n)>
#o = affine_map<(m, b, n, k) -> (m, b, n)>
func.func @packed(%x: tensor<8x64xf32>, %wp: tensor<2x64x16xf32>) -> tensor<8x2x16xf32> {
  %z = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8x2x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x2x16xf32>) -> tensor<8x2x16xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<8x64xf32>, tensor<2x64x16xf32>) outs(%f : tensor<8x2x16xf32>) attrs = {facet.packed_contraction} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x2x16xf32>
  return %r : tensor<8x2x16xf32>
}

// -----

// The same when the result is viewed as [M, N] afterwards (as every packed
// contraction's is): upstream's hoisting refuses buffers with views, the
// accumulators are still carried through the k loop in registers.
// CHECK-LABEL: func.func @collapsed
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<4x16xf32>)
// CHECK-NOT: vector.store
// CHECK: scf.yield
// CHECK-COUNT-4: vector.store {{.*}} vector<16xf32>
// CHECK: memref.collapse_shape
#x = affine_map<(m, b, n, k) -> (m, k)>
#w = affine_map<(m, b, n, k) -> (b, k, n)>
#o = affine_map<(m, b, n, k) -> (m, b, n)>
func.func @collapsed(%x: tensor<8x64xf32>, %wp: tensor<2x64x16xf32>) -> tensor<8x32xf32> {
  %z = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8x2x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x2x16xf32>) -> tensor<8x2x16xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<8x64xf32>, tensor<2x64x16xf32>) outs(%f : tensor<8x2x16xf32>) attrs = {facet.packed_contraction} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x2x16xf32>
  %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<8x2x16xf32> into tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// Zero-filled accumulators: the tiles start from a zero vector in registers
// (no fill of the buffer, no load before the k loop, nothing stored but the
// result).
// CHECK-LABEL: func.func @zero_start
// CHECK-NOT: linalg.fill
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<4x16xf32>
// CHECK-NOT: linalg.fill
// CHECK-NOT: vector.load %alloc
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[Z]]) -> (vector<4x16xf32>)
// CHECK-NOT: vector.store
// CHECK: scf.yield
// CHECK-COUNT-4: vector.store {{.*}} vector<16xf32>
#x = affine_map<(m, b, n, k) -> (m, k)>
#w = affine_map<(m, b, n, k) -> (b, k, n)>
#o = affine_map<(m, b, n, k) -> (m, b, n)>
func.func @zero_start(%x: tensor<4x64xf32>, %wp: tensor<1x64x16xf32>) -> tensor<4x1x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x1x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x1x16xf32>) -> tensor<4x1x16xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<4x64xf32>, tensor<1x64x16xf32>) outs(%f : tensor<4x1x16xf32>) attrs = {facet.packed_contraction} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x1x16xf32>
  return %r : tensor<4x1x16xf32>
}
