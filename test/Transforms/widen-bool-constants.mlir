// RUN: facet-opt %s -split-input-file -facet-widen-bool-constants | FileCheck %s

// A constant mask read by a select: the op reads an i8 copy of it and
// truncates each element; one widened constant serves every op.
// CHECK-LABEL: func.func @mask
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[}}1, 0], [1, 1]]> : tensor<2x2xi8>
// CHECK: linalg.generic {{.*}} ins(%[[W]], %{{.*}} : tensor<2x2xi8>, tensor<2x2xf32>)
// CHECK: ^bb0(%[[B:.*]]: i8, %{{.*}}: f32, %{{.*}}: f32):
// CHECK:   %[[T:.*]] = arith.trunci %[[B]] : i8 to i1
// CHECK:   arith.select %[[T]]
// CHECK: linalg.generic {{.*}} ins(%[[W]], %{{.*}} : tensor<2x2xi8>, tensor<2x2xf32>)
#id = affine_map<(i, j) -> (i, j)>
func.func @mask(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %m = arith.constant dense<[[true, false], [true, true]]> : tensor<2x2xi1>
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m, %x : tensor<2x2xi1>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%b: i1, %v: f32, %o: f32):
    %s = arith.select %b, %v, %ninf : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  %r2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m, %r : tensor<2x2xi1>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%b: i1, %v: f32, %o: f32):
    %s = arith.select %b, %v, %ninf : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  return %r, %r2 : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// i1 values that are not constants (a function argument) stay as they are.
// CHECK-LABEL: func.func @not_constant
// CHECK: ins(%arg0, %arg1 : tensor<2xi1>, tensor<2xf32>)
// CHECK: ^bb0(%{{.*}}: i1,
// CHECK-NOT: trunci
#id1 = affine_map<(i) -> (i)>
func.func @not_constant(%m: tensor<2xi1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2xf32>
  %r = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%m, %x : tensor<2xi1>, tensor<2xf32>) outs(%e : tensor<2xf32>) {
  ^bb0(%b: i1, %v: f32, %o: f32):
    %s = arith.select %b, %v, %z : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  return %r : tensor<2xf32>
}
