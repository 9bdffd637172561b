// RUN: facet-opt %s | facet-opt | FileCheck %s
// Every facet op parses, prints and re-parses.

// CHECK-LABEL: func.func @ops
func.func @ops(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>,
               %v: tensor<3xf32>, %batch: tensor<5x2x3xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>, tensor<5x2x4xf32>) {
  // CHECK: facet.constant dense<1.000000e+00> : tensor<3x4xf32>
  %c = facet.constant dense<1.0> : tensor<3x4xf32>
  // CHECK: facet.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, trans_b = true}
  %g = facet.gemm %x, %w, %b {alpha = 0.5 : f32, trans_b = true}
      : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  // CHECK: facet.gemm %{{.*}}, %{{.*}} :
  %g2 = facet.gemm %x, %c : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  // CHECK: facet.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  %mv = facet.matmul %x, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  // CHECK: facet.matmul %{{.*}}, %{{.*}} : (tensor<5x2x3xf32>, tensor<3x4xf32>) -> tensor<5x2x4xf32>
  %bm = facet.matmul %batch, %c : (tensor<5x2x3xf32>, tensor<3x4xf32>) -> tensor<5x2x4xf32>
  // CHECK: facet.add %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %a = facet.add %g, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  // CHECK: facet.relu %{{.*}} : tensor<2x4xf32>
  %r = facet.relu %a : tensor<2x4xf32>
  // CHECK: facet.identity %{{.*}} : tensor<2x4xf32>
  %i = facet.identity %g2 : tensor<2x4xf32>
  return %r, %i, %mv, %bm : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>, tensor<5x2x4xf32>
}
