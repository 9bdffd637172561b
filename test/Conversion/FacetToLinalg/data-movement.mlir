// RUN: facet-opt %s -split-input-file -convert-facet-to-linalg | FileCheck %s

// Reshape is a collapse + expand (a view after bufferization).
// CHECK-LABEL: func.func @reshape
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = facet.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x4x3xf32>) permutation = [0, 2, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<2x4x3xf32> {
  %0 = facet.transpose %x {perm = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// Concat inserts each input at its offset along the axis.
// CHECK-LABEL: func.func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [2, 2] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, 2] [2, 3] [1, 1]
func.func @concat(%a: tensor<2x2xf32>, %b: tensor<2x3xf32>) -> tensor<2x5xf32> {
  %0 = facet.concat %a, %b {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Positive steps: a strided extract_slice.
// CHECK-LABEL: func.func @slice_strided
// CHECK: tensor.extract_slice %{{.*}}[1, 0] [2, 3] [2, 1] : tensor<5x3xf32> to tensor<2x3xf32>
func.func @slice_strided(%x: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %0 = facet.slice %x {starts = array<i64: 1, 0>, steps = array<i64: 2, 1>} : tensor<5x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Negative steps read backwards through the indexing map.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0) -> (-d0 + 4)>
// CHECK-LABEL: func.func @slice_reversed
// CHECK: linalg.generic {indexing_maps = [#[[REV]],
func.func @slice_reversed(%x: tensor<5xf32>) -> tensor<5xf32> {
  %0 = facet.slice %x {starts = array<i64: 4>, steps = array<i64: -1>} : tensor<5xf32> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Gather reads the table with tensor.extract at the (wrapped, clamped)
// run-time index.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.select
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<10x4xf32>
func.func @gather(%table: tensor<10x4xf32>, %ids: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %0 = facet.gather %table[%ids] {axis = 0 : i64} : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic {indexing_maps = [#[[B]], #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<1x4xf32>)
func.func @expand(%x: tensor<1x4xf32>) -> tensor<3x4xf32> {
  %0 = facet.expand %x : tensor<1x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Trilu keeps col - row <= k (lower) via linalg.index.
// CHECK-LABEL: func.func @trilu
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: arith.cmpi sle
// CHECK: arith.select
func.func @trilu(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = facet.trilu %x {upper = false, k = 0 : i64} : tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Einsum: output letters are parallel loops, summed letters reductions.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @einsum
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @einsum(%a: tensor<2x3x4xf32>, %b: tensor<2x5x4xf32>) -> tensor<2x3x5xf32> {
  %0 = facet.einsum %a, %b {equation = "bsd,btd->bst"} : (tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
