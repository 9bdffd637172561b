// RUN: facet-opt %s -canonicalize | FileCheck %s

// Identity folds to its operand.
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>)
// CHECK-NOT: facet.identity
// CHECK: return %[[X]]
func.func @identity(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = facet.identity %x : tensor<2xf32>
  %1 = facet.identity %0 : tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// Unused constants and ops without side effects are erased.
// CHECK-LABEL: func.func @dead
// CHECK-NOT: facet.
func.func @dead(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = facet.constant dense<1.0> : tensor<2xf32>
  %0 = facet.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %x : tensor<2xf32>
}
