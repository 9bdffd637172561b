// RUN: facet-opt %s -split-input-file -canonicalize | FileCheck %s

// Shape arithmetic on small constants folds away.
// CHECK-LABEL: func.func @int_arith
// CHECK-NEXT: %[[C:.*]] = facet.constant dense<[2, 4, 12]> : tensor<3xi64>
// CHECK-NEXT: return %[[C]]
func.func @int_arith() -> tensor<3xi64> {
  %a = facet.constant dense<[1, 2]> : tensor<2xi64>
  %b = facet.constant dense<2> : tensor<1xi64>
  %m = facet.mul %a, %b : (tensor<2xi64>, tensor<1xi64>) -> tensor<2xi64>
  %c = facet.constant dense<[24]> : tensor<1xi64>
  %d = facet.div %c, %b : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %r = facet.concat %m, %d {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  return %r : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @gather_slice_cast
// CHECK-DAG: facet.constant dense<7> : tensor<i64>
// CHECK-DAG: facet.constant dense<[5, 3]> : tensor<2xi64>
// CHECK-DAG: facet.constant dense<[true, false]> : tensor<2xi1>
// CHECK-NOT: facet.gather
func.func @gather_slice_cast() -> (tensor<i64>, tensor<2xi64>, tensor<2xi1>) {
  %s = facet.constant dense<[3, 7, 5]> : tensor<3xi64>
  %i = facet.constant dense<-2> : tensor<i64>
  %g = facet.gather %s[%i] {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %r = facet.slice %s {starts = array<i64: 2>, steps = array<i64: -2>} : tensor<3xi64> -> tensor<2xi64>
  %f = facet.constant dense<[1.5, 0.0]> : tensor<2xf32>
  %b = facet.cast %f : tensor<2xf32> -> tensor<2xi1>
  return %g, %r, %b : tensor<i64>, tensor<2xi64>, tensor<2xi1>
}

// -----

// Comparisons and Where on constants (a mask) fold.
// CHECK-LABEL: func.func @mask
// CHECK-NEXT: %[[C:.*]] = facet.constant dense<{{\[\[}}0.000000e+00, -1.000000e+04], [0.000000e+00, 0.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @mask() -> tensor<2x2xf32> {
  %ones = facet.constant dense<1.0> : tensor<2x2xf32>
  %tri = facet.trilu %ones {upper = false, k = 0 : i64} : tensor<2x2xf32>
  %zero = facet.constant dense<0.0> : tensor<f32>
  %keep = facet.greater %tri, %zero : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xi1>
  %big = facet.constant dense<-1.0e4> : tensor<f32>
  %m = facet.where %keep, %zero, %big : (tensor<2x2xi1>, tensor<f32>, tensor<f32>) -> tensor<2x2xf32>
  return %m : tensor<2x2xf32>
}

// -----

// Identity reshapes, transposes, expands and slices fold to their input;
// a reshape of a reshape reads the original.
// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = facet.reshape %[[X]] : tensor<2x3xf32> -> tensor<6xf32>
// CHECK-NEXT: return %[[X]], %[[R]]
func.func @identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<6xf32>) {
  %0 = facet.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = facet.transpose %0 {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = facet.expand %1 : tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = facet.slice %2 {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = facet.reshape %3 : tensor<2x3xf32> -> tensor<3x2xf32>
  %5 = facet.reshape %4 : tensor<3x2xf32> -> tensor<6xf32>
  return %3, %5 : tensor<2x3xf32>, tensor<6xf32>
}
