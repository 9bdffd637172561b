// RUN: facet-opt %s -split-input-file -facet-lower-reductions | FileCheck %s

// A row reduction: the accumulator is loaded once per row, carried through
// the reduction loop and stored once.
// CHECK-LABEL: func.func @row_max
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK:   %[[INIT:.*]] = memref.load %arg1[%[[I]]]
// CHECK:   %[[R:.*]] = scf.for %[[J:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32)
// CHECK:     %[[V:.*]] = memref.load %arg0[%[[I]], %[[J]]]
// CHECK:     %[[M:.*]] = arith.maximumf %[[ACC]], %[[V]]
// CHECK:     scf.yield %[[M]]
// CHECK:   memref.store %[[R]], %arg1[%[[I]]]
// CHECK-NOT: linalg.generic
func.func @row_max(%in: memref<4x16xf32>, %out: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%in : memref<4x16xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Two reduction dims nest, each carrying the accumulator; linalg.index
// becomes the loop's induction variable; broadcast operands load through
// their maps.
// CHECK-LABEL: func.func @two_reductions
// CHECK: scf.for %[[I:[^ ]*]] =
// CHECK:   memref.load %arg2[%[[I]]]
// CHECK:   scf.for %[[J:[^ ]*]] = {{.*}} iter_args
// CHECK:     scf.for %[[K:[^ ]*]] = {{.*}} iter_args
// CHECK:       memref.load %arg0[%[[I]], %[[J]], %[[K]]]
// CHECK:       memref.load %arg1[%[[K]]]
// CHECK:       arith.index_cast %[[K]]
// CHECK:       scf.yield
// CHECK:     scf.yield
// CHECK:   memref.store
func.func @two_reductions(%in: memref<2x3x4xf32>, %w: memref<4xf32>, %out: memref<2xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (k)>,
                                   affine_map<(i, j, k) -> (i)>],
                  iterator_types = ["parallel", "reduction", "reduction"]}
      ins(%in, %w : memref<2x3x4xf32>, memref<4xf32>) outs(%out : memref<2xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %k = linalg.index 2 : index
    %ki = arith.index_cast %k : index to i32
    %kf = arith.sitofp %ki : i32 to f32
    %p = arith.mulf %a, %b : f32
    %q = arith.mulf %p, %kf : f32
    %s = arith.addf %acc, %q : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A reduction that is not innermost (a matmul in (m, k, n) order), a
// tensor op and a parallel op are left to convert-linalg-to-loops.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
func.func @left_alone(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>,
                      %t: tensor<4xf32>) -> tensor<f32> {
  linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>,
                                   affine_map<(m, k, n) -> (m, n)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>],
                  iterator_types = ["parallel", "parallel"]}
      outs(%c : memref<4x16xf32>) {
  ^bb0(%acc: f32):
    %s = arith.addf %acc, %acc : f32
    linalg.yield %s : f32
  }
  %e = tensor.empty() : tensor<f32>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>],
                       iterator_types = ["reduction"]}
      ins(%t : tensor<4xf32>) outs(%e : tensor<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
