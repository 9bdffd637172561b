// RUN: facet-opt %s -split-input-file -facet-fuse-into-reductions | FileCheck %s

// Softmax's scale-and-mask: cheap, read by the row max and by the exp; it
// is recomputed in both and never written to memory.
// CHECK-LABEL: func.func @scale_mask
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<4x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} ins(%arg0, %{{.*}} : tensor<4x16xf32>, tensor<4xf32>)
// CHECK: arith.mulf
// CHECK: math.exp
// CHECK-NOT: linalg.generic
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
func.func @scale_mask(%s: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %c = arith.constant 0.125 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.mulf %x, %c : f32
    linalg.yield %y : f32
  } -> tensor<4x16xf32>
  %er = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %m = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<4x16xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %y = arith.maximumf %acc, %x : f32
    linalg.yield %y : f32
  } -> tensor<4xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %m : tensor<4x16xf32>, tensor<4xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%x: f32, %mx: f32, %o: f32):
    %d = arith.subf %x, %mx : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x16xf32>
  return %p : tensor<4x16xf32>
}

// -----

// An expensive producer (exp) read by a reduction and by another op stays
// materialized; a matmul (each element read N times) never gets a producer.
// CHECK-LABEL: func.func @not_fused
// CHECK-COUNT-4: linalg.generic
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @not_fused(%s: tensor<4x16xf32>, %w: tensor<16x8xf32>)
    -> (tensor<4xf32>, tensor<4x16xf32>, tensor<4x8xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %x = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = math.exp %v : f32
    linalg.yield %y : f32
  } -> tensor<4x16xf32>
  %er = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%z : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x16xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %y = arith.addf %acc, %v : f32
    linalg.yield %y : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = arith.mulf %v, %v : f32
    linalg.yield %y : f32
  } -> tensor<4x16xf32>
  %ec = tensor.empty() : tensor<4x8xf32>
  %fc = linalg.fill ins(%z : f32) outs(%ec : tensor<4x8xf32>) -> tensor<4x8xf32>
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%sq, %w : tensor<4x16xf32>, tensor<16x8xf32>) outs(%fc : tensor<4x8xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %y = arith.addf %acc, %p : f32
    linalg.yield %y : f32
  } -> tensor<4x8xf32>
  return %sum, %x, %mm : tensor<4xf32>, tensor<4x16xf32>, tensor<4x8xf32>
}
