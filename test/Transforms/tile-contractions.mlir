// RUN: facet-opt %s -split-input-file -facet-tile-contractions | FileCheck %s
// RUN: facet-opt %s -split-input-file -facet-tile-contractions=parallel=1 | FileCheck %s --check-prefix=PAR

#x = affine_map<(m, b, n, k) -> (m, k)>
#w = affine_map<(m, b, n, k) -> (b, k, n)>
#o = affine_map<(m, b, n, k) -> (m, b, n)>

// M = 10 rows (register tile 4: 2 full tiles + a peeled remainder of 2),
// 2 panels, K = 6 (k tile 4 + a peeled remainder of 2). Every register tile
// has a static shape, the unit panel dim is dropped, and it is tagged; the
// k remainder accumulates onto the first part, so only that one starts from
// the zero fill (zero_init). (Single-iteration loops fold away: the k tile
// loop 0..4 here.)
// CHECK-LABEL: func.func @packed
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:   scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:     linalg.generic {{.*}} ins({{.*}} : tensor<4x4xf32>, tensor<4x16xf32>) outs({{.*}} : tensor<4x16xf32>) attrs = {facet.vec, facet.zero_init}
// CHECK:     linalg.generic {{.*}} ins({{.*}} : tensor<4x2xf32>, tensor<2x16xf32>) outs({{.*}} : tensor<4x16xf32>) attrs = {facet.vec} {
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:   linalg.generic {{.*}} ins({{.*}} : tensor<2x4xf32>, tensor<4x16xf32>) outs({{.*}} : tensor<2x16xf32>) attrs = {facet.vec
// CHECK:   linalg.generic {{.*}} ins({{.*}} : tensor<2x2xf32>, tensor<2x16xf32>) outs({{.*}} : tensor<2x16xf32>) attrs = {facet.vec
func.func @packed(%x: tensor<10x6xf32>, %wp: tensor<2x6x16xf32>) -> tensor<10x2x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<10x2x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<10x2x16xf32>) -> tensor<10x2x16xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<10x6xf32>, tensor<2x6x16xf32>) outs(%f : tensor<10x2x16xf32>) attrs = {facet.packed_contraction} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<10x2x16xf32>
  return %r : tensor<10x2x16xf32>
}

// -----

#x = affine_map<(m, b, n, k) -> (m, k)>
#w = affine_map<(m, b, n, k) -> (b, k, n)>
#o = affine_map<(m, b, n, k) -> (m, b, n)>
// 24 panels: cache blocks of 8 panels; with threads, the block loop is the
// one marked parallel (blocks write disjoint columns). Enough work here
// (4·1024·384 multiply-adds); @decode below is too small to be split.
// CHECK-LABEL: func.func @wide
// CHECK-NOT: facet.parallel
// PAR-LABEL: func.func @wide
// PAR: scf.for %{{.*}} = %c0 to %c24 step %c8
// PAR: } {facet.parallel}
func.func @wide(%x: tensor<4x1024xf32>, %wp: tensor<24x1024x16xf32>) -> tensor<4x24x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x24x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x24x16xf32>) -> tensor<4x24x16xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<4x1024xf32>, tensor<24x1024x16xf32>) outs(%f : tensor<4x24x16xf32>) attrs = {facet.packed_contraction} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x24x16xf32>
  return %r : tensor<4x24x16xf32>
}

// -----

#x = affine_map<(m, b, n, k) -> (m, k)>
#w = affine_map<(m, b, n, k) -> (b, k, n)>
#o = affine_map<(m, b, n, k) -> (m, b, n)>
// Decode (M = 1): 4 panels per register tile (8 accumulators), K in
// blocks of 4; the m dim is dropped. Too little work for threads.
// PAR-LABEL: func.func @decode
// PAR-NOT: facet.parallel
// CHECK-LABEL: func.func @decode
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:   scf.for %{{.*}} = %c0 to %c64 step %c4
// CHECK:     linalg.generic {{.*}} ins({{.*}} : tensor<4xf32>, tensor<4x4x16xf32>) outs({{.*}} : tensor<4x16xf32>) attrs = {facet.vec
func.func @decode(%x: tensor<1x64xf32>, %wp: tensor<8x64x16xf32>) -> tensor<1x8x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<1x64xf32>, tensor<8x64x16xf32>) outs(%f : tensor<1x8x16xf32>) attrs = {facet.packed_contraction} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  return %r : tensor<1x8x16xf32>
}

// -----

// Two activations, rhs read along n (attention's probs·V): register tiles
// of one batch element, 4 rows, 16 columns, k innermost.
// CHECK-LABEL: func.func @batched
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:   scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:     scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK:       scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:         linalg.generic {{.*}} ins({{.*}} : tensor<4x4xf32>, tensor<4x16xf32>) outs({{.*}} : tensor<4x16xf32>) attrs = {facet.vec
#a = affine_map<(h, m, k, n) -> (h, m, k)>
#b = affine_map<(h, m, k, n) -> (h, k, n)>
#c = affine_map<(h, m, k, n) -> (h, m, n)>
func.func @batched(%p: tensor<2x8x8xf32>, %v: tensor<2x8x32xf32>) -> tensor<2x8x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%p, %v : tensor<2x8x8xf32>, tensor<2x8x32xf32>) outs(%f : tensor<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8x32xf32>
  return %r : tensor<2x8x32xf32>
}

// -----

// Q·Kᵀ (rhs read along k): the rhs is transposed first, then the product
// takes the register tiles of @batched.
// (The transpose itself becomes 8x8 register transposes: tile-transposes.mlir.)
// CHECK-LABEL: func.func @transposed_rhs
// CHECK: %[[T:.*]] = scf.for {{.*}} -> (tensor<2x32x8xf32>)
// CHECK: vector.transpose {{.*}} : vector<8x8xf32> to vector<8x8xf32>
// CHECK: scf.for
// CHECK: tensor.extract_slice %[[T]]
// CHECK: linalg.generic {{.*}} attrs = {facet.vec
#a = affine_map<(h, m, n, k) -> (h, m, k)>
#b = affine_map<(h, m, n, k) -> (h, n, k)>
#c = affine_map<(h, m, n, k) -> (h, m, n)>
func.func @transposed_rhs(%q: tensor<2x8x32xf32>, %k: tensor<2x8x32xf32>) -> tensor<2x8x8xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x8x32xf32>, tensor<2x8x32xf32>) outs(%f : tensor<2x8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8x8xf32>
  return %r : tensor<2x8x8xf32>
}

// -----

#x = affine_map<(m, b, n, k) -> (m, k)>
#w = affine_map<(m, b, n, k) -> (b, k, n)>
#o = affine_map<(m, b, n, k) -> (m, b, n)>
// 12 panels (N = 384 with 32-lane panels): cache blocks of 6 panels, which
// divide 12, rather than 8 + a peeled block of 4.
// CHECK-LABEL: func.func @divisor_block
// CHECK: scf.for %{{.*}} = %c0 to %c12 step %c6
// CHECK-NOT: scf.for %{{.*}} = %c8
func.func @divisor_block(%x: tensor<16x64xf32>, %wp: tensor<12x64x16xf32>) -> tensor<16x12x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x12x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x12x16xf32>) -> tensor<16x12x16xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<16x64xf32>, tensor<12x64x16xf32>) outs(%f : tensor<16x12x16xf32>) attrs = {facet.packed_contraction} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x12x16xf32>
  return %r : tensor<16x12x16xf32>
}

// -----

// With threads: a big elementwise op is split into `threads` chunks of its
// first parallel dim that they divide (dim 0 has size 1), as a loop marked
// parallel; a small one stays whole.
// PAR-LABEL: func.func @split_elementwise
// PAR: scf.for %{{.*}} = %c0 to %c128 step %c64
// PAR:   linalg.generic {{.*}} ins(%{{.*}} : tensor<1x64x384xf32>)
// PAR: } {facet.parallel}
// PAR-NOT: facet.parallel
// PAR: linalg.generic {{.*}} ins(%{{.*}} : tensor<4x8xf32>)
// CHECK-LABEL: func.func @split_elementwise
// CHECK-NOT: scf.for
#e3 = affine_map<(a, b, c) -> (a, b, c)>
#e2 = affine_map<(a, b) -> (a, b)>
func.func @split_elementwise(%x: tensor<1x128x384xf32>, %y: tensor<4x8xf32>)
    -> (tensor<1x128x384xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<1x128x384xf32>
  %r = linalg.generic {indexing_maps = [#e3, #e3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x128x384xf32>) outs(%e : tensor<1x128x384xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<1x128x384xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %r2 = linalg.generic {indexing_maps = [#e2, #e2], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %r, %r2 : tensor<1x128x384xf32>, tensor<4x8xf32>
}

// -----

// With threads, an activation product shares its outermost loop with more
// than one iteration (the heads) among the threads.
// PAR-LABEL: func.func @batched_heads
// PAR: scf.for %{{.*}} = %c0 to %c12 step %c1
// PAR: } {facet.parallel}
// CHECK-LABEL: func.func @batched_heads
// CHECK-NOT: facet.parallel
#ha = affine_map<(b, h, m, k, n) -> (b, h, m, k)>
#hb = affine_map<(b, h, m, k, n) -> (b, h, k, n)>
#hc = affine_map<(b, h, m, k, n) -> (b, h, m, n)>
func.func @batched_heads(%p: tensor<1x12x128x128xf32>, %v: tensor<1x12x128x32xf32>) -> tensor<1x12x128x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x12x128x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x12x128x32xf32>) -> tensor<1x12x128x32xf32>
  %r = linalg.generic {indexing_maps = [#ha, #hb, #hc], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%p, %v : tensor<1x12x128x128xf32>, tensor<1x12x128x32xf32>) outs(%f : tensor<1x12x128x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x12x128x32xf32>
  return %r : tensor<1x12x128x32xf32>
}

// -----

#x = affine_map<(m, b, n, k) -> (m, k)>
#w = affine_map<(m, b, n, k) -> (b, k, n)>
#o = affine_map<(m, b, n, k) -> (m, b, n)>
// A zero-filled accumulator: the register tiles of the first k block
// (k < 256, peeled off the k-block loop) are marked zero_init, those of the
// second block (k = 256..299) are not.
// CHECK-LABEL: func.func @zero_init
// CHECK: linalg.generic {{.*}} ins({{.*}} : tensor<4x4xf32>, tensor<4x16xf32>) {{.*}} attrs = {facet.vec, facet.zero_init}
// CHECK-NOT: facet.zero_init
// CHECK: linalg.generic {{.*}} ins({{.*}} : tensor<4x4xf32>, tensor<4x16xf32>) {{.*}} attrs = {facet.vec}
// CHECK-NOT: facet.zero_init
// CHECK: return
func.func @zero_init(%x: tensor<4x300xf32>, %wp: tensor<1x300x16xf32>) -> tensor<4x1x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x1x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x1x16xf32>) -> tensor<4x1x16xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<4x300xf32>, tensor<1x300x16xf32>) outs(%f : tensor<4x1x16xf32>) attrs = {facet.packed_contraction} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x1x16xf32>
  return %r : tensor<4x1x16xf32>
}

// -----

#x = affine_map<(m, b, n, k) -> (m, k)>
#w = affine_map<(m, b, n, k) -> (b, k, n)>
#o = affine_map<(m, b, n, k) -> (m, b, n)>
// With threads, a contraction with a single panel block (N = 4 panels)
// shares its rows instead: 2 blocks of 64 rows.
// PAR-LABEL: func.func @narrow
// PAR: scf.for %{{.*}} = %c0 to %c128 step %c64
// PAR: } {facet.parallel
// CHECK-LABEL: func.func @narrow
// CHECK-NOT: facet.parallel
func.func @narrow(%x: tensor<128x512xf32>, %wp: tensor<4x512x16xf32>) -> tensor<128x4x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x4x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x4x16xf32>) -> tensor<128x4x16xf32>
  %r = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wp : tensor<128x512xf32>, tensor<4x512x16xf32>) outs(%f : tensor<128x4x16xf32>) attrs = {facet.packed_contraction} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<128x4x16xf32>
  return %r : tensor<128x4x16xf32>
}
