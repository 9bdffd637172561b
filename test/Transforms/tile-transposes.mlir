// RUN: facet-opt %s -split-input-file -facet-tile-contractions="vector-lanes=16" | FileCheck %s

// A transpose that moves the innermost dim (attention's Kᵀ) becomes 16x16
// tiles: one full-rank read, a register transpose, one full-rank write. A
// dim that 16 does not divide (40) leaves a peeled 16x8 tile.
// CHECK-LABEL: func.func @attention_kt
// CHECK-NOT: linalg.transpose
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x16x1x16xf32>, vector<1x16x1x16xf32>
// CHECK: vector.shape_cast {{.*}} : vector<1x16x1x16xf32> to vector<16x16xf32>
// CHECK: vector.transpose {{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<1x1x16x16xf32>, tensor<1x1x16x16xf32>
// CHECK: vector.transpose {{.*}}, [1, 0] : vector<16x8xf32> to vector<8x16xf32>
// CHECK-NOT: linalg.transpose
func.func @attention_kt(%k: tensor<1x32x2x40xf32>) -> tensor<1x2x40x32xf32> {
  %e = tensor.empty() : tensor<1x2x40x32xf32>
  %t = linalg.transpose ins(%k : tensor<1x32x2x40xf32>) outs(%e : tensor<1x2x40x32xf32>) permutation = [0, 2, 3, 1]
  return %t : tensor<1x2x40x32xf32>
}

// -----

// The innermost dim stays (heads to the front): row copies, left as they are.
// CHECK-LABEL: func.func @keeps_innermost
// CHECK: linalg.transpose
// CHECK-NOT: vector.transpose
func.func @keeps_innermost(%x: tensor<1x128x12x32xf32>) -> tensor<1x12x128x32xf32> {
  %e = tensor.empty() : tensor<1x12x128x32xf32>
  %t = linalg.transpose ins(%x : tensor<1x128x12x32xf32>) outs(%e : tensor<1x12x128x32xf32>) permutation = [0, 2, 1, 3]
  return %t : tensor<1x12x128x32xf32>
}

// -----

// Smaller than one tile, or not f32: left as they are.
// CHECK-LABEL: func.func @small_or_integer
// CHECK: linalg.transpose
// CHECK: linalg.transpose
// CHECK-NOT: vector.transpose
func.func @small_or_integer(%x: tensor<8x64xf32>, %y: tensor<64x64xi32>) -> (tensor<64x8xf32>, tensor<64x64xi32>) {
  %e = tensor.empty() : tensor<64x8xf32>
  %t = linalg.transpose ins(%x : tensor<8x64xf32>) outs(%e : tensor<64x8xf32>) permutation = [1, 0]
  %f = tensor.empty() : tensor<64x64xi32>
  %u = linalg.transpose ins(%y : tensor<64x64xi32>) outs(%f : tensor<64x64xi32>) permutation = [1, 0]
  return %t, %u : tensor<64x8xf32>, tensor<64x64xi32>
}
