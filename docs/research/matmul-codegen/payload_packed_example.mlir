func.func private @_facet_main(%x: tensor<128x768xf32>, %wp: tensor<192x768x16xf32>) -> tensor<128x3072xf32> {
  %e = tensor.empty() : tensor<128x192x16xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x192x16xf32>) -> tensor<128x192x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, b, n, k) -> (m, k)>, affine_map<(m, b, n, k) -> (b, k, n)>, affine_map<(m, b, n, k) -> (m, b, n)>],
       facet.contraction, iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<128x768xf32>, tensor<192x768x16xf32>) outs(%f : tensor<128x192x16xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %p = arith.mulf %a, %b fastmath<reassoc,contract> : f32
      %s = arith.addf %c, %p fastmath<reassoc,contract> : f32
      linalg.yield %s : f32
  } -> tensor<128x192x16xf32>
  %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<128x192x16xf32> into tensor<128x3072xf32>
  return %c : tensor<128x3072xf32>
}
