// RUN: facet-opt %s -split-input-file -verify-diagnostics
// Every verifier error of facet.attention.

func.func @rank(%q: tensor<8x32xf32>, %x: tensor<2x8x32xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{query must be a static 3-D tensor [batch, sequence, heads x head size], got 'tensor<8x32xf32>'}}
  %o = facet.attention %q, %x, %x {num_heads = 4 : i64, scale = 1.0 : f32} : (tensor<8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @batch(%q: tensor<2x8x32xf32>, %k: tensor<3x8x32xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{query, key and value must have one batch size}}
  %o = facet.attention %q, %k, %k {num_heads = 4 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<3x8x32xf32>, tensor<3x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @kv_length(%q: tensor<2x8x32xf32>, %k: tensor<2x8x32xf32>, %v: tensor<2x9x32xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{key and value must have one sequence length, got 8 and 9}}
  %o = facet.attention %q, %k, %v {num_heads = 4 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x9x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @heads(%x: tensor<2x8x32xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{query's last dimension (32) is not divisible by num_heads (5)}}
  %o = facet.attention %x, %x, %x {num_heads = 5 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @zero_heads(%x: tensor<2x8x32xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{num_heads must be at least 1, got 0}}
  %o = facet.attention %x, %x, %x {num_heads = 0 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @groups(%x: tensor<2x8x32xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{num_heads (4) must be a multiple of kv_num_heads (3)}}
  %o = facet.attention %x, %x, %x {num_heads = 4 : i64, kv_num_heads = 3 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @key_width(%q: tensor<2x8x32xf32>, %k: tensor<2x8x24xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{key's last dimension must be kv_num_heads x the query head size = 32, got 24}}
  %o = facet.attention %q, %k, %q {num_heads = 4 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<2x8x24xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @element_types(%q: tensor<2x8x32xf32>, %k: tensor<2x8x32xf16>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{query, key and value must have one element type}}
  %o = facet.attention %q, %k, %q {num_heads = 4 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf16>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @output(%x: tensor<2x8x32xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{output must be [2, 8, 32] of the query's element type, got 'tensor<2x8x16xf32>'}}
  %o = facet.attention %x, %x, %x {num_heads = 4 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x16xf32>
  return %o : tensor<2x8x16xf32>
}

// -----

func.func @mask_shape(%x: tensor<2x8x32xf32>, %m: tensor<2x1x8x7xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{mask of shape [2, 1, 8, 7] does not broadcast to [batch, heads, queries, keys] = [2, 4, 8, 8]}}
  %o = facet.attention %x, %x, %x mask %m : tensor<2x1x8x7xf32> {num_heads = 4 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @mask_type(%x: tensor<2x8x32xf32>, %m: tensor<8x8xi32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{mask must be boolean (i1) or of the query's element type, got 'i32'}}
  %o = facet.attention %x, %x, %x mask %m : tensor<8x8xi32> {num_heads = 4 : i64, scale = 1.0 : f32} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @causal_offset(%x: tensor<2x8x32xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{causal_offset must be non-negative, got -1}}
  %o = facet.attention %x, %x, %x {num_heads = 4 : i64, scale = 1.0 : f32, causal = true, causal_offset = -1 : i64} : (tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %o : tensor<2x8x32xf32>
}

// -----

func.func @past_key_shape(%x: tensor<1x3x8xf32>, %pk: tensor<1x2x5x8xf32>, %pv: tensor<1x2x5x4xf32>) -> tensor<1x3x8xf32> {
  // expected-error @+1 {{past_key must be [batch, kv heads, past, head size] = [1, 2, 5, 4] of the query's element type, got 'tensor<1x2x5x8xf32>'}}
  %o = facet.attention %x, %x, %x past(%pk, %pv : tensor<1x2x5x8xf32>, tensor<1x2x5x4xf32>) {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  return %o : tensor<1x3x8xf32>
}

// -----

func.func @past_value_shape(%x: tensor<1x3x8xf32>, %pk: tensor<1x2x5x4xf32>, %pv: tensor<1x2x6x4xf32>) -> tensor<1x3x8xf32> {
  // expected-error @+1 {{past_value must be [1, 2, 5, 4] of the query's element type, got 'tensor<1x2x6x4xf32>'}}
  %o = facet.attention %x, %x, %x past(%pk, %pv : tensor<1x2x5x4xf32>, tensor<1x2x6x4xf32>) {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  return %o : tensor<1x3x8xf32>
}

// -----

func.func @cache_too_small(%x: tensor<1x3x8xf32>, %pk: tensor<1x2x2x4xf32>, %len: tensor<1xi64>) -> tensor<1x3x8xf32> {
  // expected-error @+1 {{a static cache of 2 rows cannot take 3 new keys}}
  %o = facet.attention %x, %x, %x past(%pk, %pk : tensor<1x2x2x4xf32>, tensor<1x2x2x4xf32>) past_length %len : tensor<1xi64> {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  return %o : tensor<1x3x8xf32>
}

// -----

func.func @length_without_past(%x: tensor<1x3x8xf32>, %len: tensor<1xi64>) -> tensor<1x3x8xf32> {
  // expected-error @+1 {{past_length needs past_key and past_value}}
  %o = facet.attention %x, %x, %x past_length %len : tensor<1xi64> {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  return %o : tensor<1x3x8xf32>
}

// -----

func.func @length_shape(%x: tensor<1x3x8xf32>, %pk: tensor<1x2x8x4xf32>, %len: tensor<2xi64>) -> tensor<1x3x8xf32> {
  // expected-error @+1 {{past_length must be a [1] integer tensor, got 'tensor<2xi64>'}}
  %o = facet.attention %x, %x, %x past(%pk, %pk : tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>) past_length %len : tensor<2xi64> {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  return %o : tensor<1x3x8xf32>
}

// -----

func.func @present_shape(%x: tensor<1x3x8xf32>) -> (tensor<1x3x8xf32>, tensor<1x2x4x4xf32>, tensor<1x2x3x4xf32>) {
  // expected-error @+1 {{present_key must be [1, 2, 3, 4], got 'tensor<1x2x4x4xf32>'}}
  %o, %k, %v = facet.attention %x, %x, %x {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x3x8xf32>, tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>, tensor<1x2x4x4xf32>, tensor<1x2x3x4xf32>
  return %o, %k, %v : tensor<1x3x8xf32>, tensor<1x2x4x4xf32>, tensor<1x2x3x4xf32>
}
