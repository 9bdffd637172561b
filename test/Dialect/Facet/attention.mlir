// RUN: facet-opt %s -split-input-file | facet-opt | FileCheck %s
// facet.attention prints and parses back in each of its forms.

// CHECK-LABEL: func @self_attention
// CHECK: facet.attention %arg0, %arg0, %arg0 {num_heads = 4 : i64, scale = 1.250000e-01 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
func.func @self_attention(%x: tensor<2x8x32xf32>) -> tensor<2x8x32xf32> {
  %o = facet.attention %x, %x, %x {num_heads = 4 : i64, scale = 0.125 : f32}
      : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

// Causal with an offset and a finite fill, an additive padding mask.
// CHECK-LABEL: func @causal_masked
// CHECK: facet.attention %arg0, %arg1, %arg2 mask %arg3 : tensor<2x1x1x8xf32> {causal = true, causal_offset = 2 : i64, mask_fill = -3.40282347E+38 : f32, num_heads = 2 : i64, scale = 5.000000e-01 : f32}
func.func @causal_masked(%q: tensor<2x6x8xf32>, %k: tensor<2x8x8xf32>, %v: tensor<2x8x8xf32>, %m: tensor<2x1x1x8xf32>) -> tensor<2x6x8xf32> {
  %o = facet.attention %q, %k, %v mask %m : tensor<2x1x1x8xf32>
      {num_heads = 2 : i64, scale = 0.5 : f32, causal = true, causal_offset = 2 : i64, mask_fill = -3.40282347E+38 : f32}
      : (tensor<2x6x8xf32>, tensor<2x8x8xf32>, tensor<2x8x8xf32>) -> tensor<2x6x8xf32>
  return %o : tensor<2x6x8xf32>
}

// -----

// Grouped-query heads, a boolean mask, different key and value head sizes.
// CHECK-LABEL: func @gqa_bool_mask
// CHECK: facet.attention %arg0, %arg1, %arg2 mask %arg3 : tensor<8x8xi1> {kv_num_heads = 2 : i64, num_heads = 4 : i64, scale = 1.000000e+00 : f32} : (tensor<1x8x32xf32>, tensor<1x8x16xf32>, tensor<1x8x24xf32>) -> tensor<1x8x48xf32>
func.func @gqa_bool_mask(%q: tensor<1x8x32xf32>, %k: tensor<1x8x16xf32>, %v: tensor<1x8x24xf32>, %m: tensor<8x8xi1>) -> tensor<1x8x48xf32> {
  %o = facet.attention %q, %k, %v mask %m : tensor<8x8xi1>
      {num_heads = 4 : i64, kv_num_heads = 2 : i64, scale = 1.0 : f32}
      : (tensor<1x8x32xf32>, tensor<1x8x16xf32>, tensor<1x8x24xf32>) -> tensor<1x8x48xf32>
  return %o : tensor<1x8x48xf32>
}

// -----

// A past appended: present holds P + Skv keys.
// CHECK-LABEL: func @past
// CHECK: %{{.*}}, %{{.*}}, %{{.*}} = facet.attention %arg0, %arg0, %arg0 past(%arg1, %arg2 : tensor<1x2x5x4xf32>, tensor<1x2x5x4xf32>) {causal = true, num_heads = 2 : i64, scale = 5.000000e-01 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>
func.func @past(%x: tensor<1x3x8xf32>, %pk: tensor<1x2x5x4xf32>, %pv: tensor<1x2x5x4xf32>) -> (tensor<1x3x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>) {
  %o, %k, %v = facet.attention %x, %x, %x past(%pk, %pv : tensor<1x2x5x4xf32>, tensor<1x2x5x4xf32>)
      {num_heads = 2 : i64, scale = 0.5 : f32, causal = true}
      : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>
  return %o, %k, %v : tensor<1x3x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>
}

// -----

// A static cache of 16 rows (decode mode): present is the cache.
// CHECK-LABEL: func @static_cache
// CHECK: facet.attention %arg0, %arg0, %arg0 past(%arg1, %arg2 : tensor<1x2x16x4xf32>, tensor<1x2x16x4xf32>) past_length %arg3 : tensor<1xi64>
func.func @static_cache(%x: tensor<1x1x8xf32>, %pk: tensor<1x2x16x4xf32>, %pv: tensor<1x2x16x4xf32>, %len: tensor<1xi64>) -> (tensor<1x1x8xf32>, tensor<1x2x16x4xf32>, tensor<1x2x16x4xf32>) {
  %o, %k, %v = facet.attention %x, %x, %x past(%pk, %pv : tensor<1x2x16x4xf32>, tensor<1x2x16x4xf32>) past_length %len : tensor<1xi64>
      {num_heads = 2 : i64, scale = 0.5 : f32, causal = true}
      : (tensor<1x1x8xf32>, tensor<1x1x8xf32>, tensor<1x1x8xf32>) -> tensor<1x1x8xf32>, tensor<1x2x16x4xf32>, tensor<1x2x16x4xf32>
  return %o, %k, %v : tensor<1x1x8xf32>, tensor<1x2x16x4xf32>, tensor<1x2x16x4xf32>
}
