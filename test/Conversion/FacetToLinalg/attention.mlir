// RUN: facet-opt %s -split-input-file --convert-facet-to-linalg="vector-lanes=8" --canonicalize --cse | FileCheck %s
// RUN: facet-opt %s -split-input-file --convert-facet-to-linalg="vector-lanes=16" --canonicalize --cse | FileCheck %s --check-prefix=AVX512
// facet.attention becomes the fused kernel: keys laid out transposed and
// values padded to whole key blocks (linalg.generic), then loops over heads
// and blocks of 4 query rows, each walking the key blocks with an online
// softmax in registers (vector.fma, math.exp); no [queries, keys] tensor.

// Causal: the blocks below the diagonal unmasked, the diagonal ones with a
// select, none above it (two key loops, bounded by the query block).
// CHECK-LABEL: func @causal
// CHECK-NOT: tensor<1x2x8x8xf32>
// CHECK: tensor.empty() : tensor<1x2x8x16xf32>
// CHECK-NEXT: %[[KT:.*]] = linalg.generic
// CHECK: tensor.empty() : tensor<1x2x16x8xf32>
// CHECK-NEXT: %[[V:.*]] = linalg.generic
// CHECK: tensor.empty() : tensor<2x4x16xf32>
// CHECK: scf.for %[[H:.*]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[I0:.*]] = %c0 to %c8 step %c4
// CHECK: %[[FULL:[0-9]+]] = arith.floordivsi %{{.*}}, %c16 : index
// CHECK: %[[END:[0-9]+]] = arith.ceildivsi %{{.*}}, %c16 : index
// CHECK: scf.for %{{.*}} = %c0 to %[[FULL]] step %c1
// CHECK: vector.transfer_read %[[KT]]
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.transfer_read %[[V]]
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK: scf.for %{{.*}} = %[[FULL]] to %[[END]] step %c1
// CHECK: arith.cmpi sgt, %{{.*}} : vector<16xindex>
// CHECK-NOT: scf.for %{{.*}} = %[[END]]
// CHECK: vector.transfer_write
// AVX512-LABEL: func @causal
// AVX512: tensor.empty() : tensor<2x4x64xf32>
// AVX512: vector.fma {{.*}} : vector<64xf32>
// AVX512: vector.fma {{.*}} : vector<8xf32>
func.func @causal(%x: tensor<1x8x16xf32>) -> tensor<1x8x16xf32> {
  %o = facet.attention %x, %x, %x {num_heads = 2 : i64, scale = 0.5 : f32, causal = true}
      : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return %o : tensor<1x8x16xf32>
}

// -----

// Causal with a padding mask and a finite fill (GPT-2's finfo.min): the
// blocks above the diagonal are visited too (fill + mask may win in a row
// whose visible keys are all masked), without computing q·k, and their P·V
// update runs only where a contribution survives (scf.if). The mask's key
// dimension is padded to the block.
// CHECK-LABEL: func @causal_padded
// CHECK: tensor.empty() : tensor<1x1x1x16xf32>
// CHECK-NEXT: linalg.generic
// CHECK: scf.for %{{.*}} = %c0 to %[[FULL:[0-9]+]] step %c1
// CHECK: scf.for %{{.*}} = %[[FULL]] to %[[END:[0-9]+]] step %c1
// CHECK: scf.for %{{.*}} = %[[END]] to %c1 step %c1
// CHECK: scf.if
func.func @causal_padded(%x: tensor<1x8x16xf32>, %m: tensor<1x1x1x8xf32>) -> tensor<1x8x16xf32> {
  %o = facet.attention %x, %x, %x mask %m : tensor<1x1x1x8xf32> {num_heads = 2 : i64, scale = 0.5 : f32, causal = true, mask_fill = -3.40282347E+38 : f32}
      : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return %o : tensor<1x8x16xf32>
}

// -----

// A boolean mask becomes an additive one (0 or the fill), broadcast rank
// and padding included; no causal: every key block, the last one bounded.
// CHECK-LABEL: func @bool_mask
// CHECK: tensor.empty() : tensor<1x1x8x16xf32>
// CHECK-NEXT: %[[M:.*]] = linalg.generic
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK: scf.for
// CHECK: vector.transfer_read %[[M]]
// CHECK: arith.cmpi sge, %{{.*}} : vector<16xindex>
func.func @bool_mask(%x: tensor<1x8x16xf32>, %m: tensor<8x8xi1>) -> tensor<1x8x16xf32> {
  %o = facet.attention %x, %x, %x mask %m : tensor<8x8xi1> {num_heads = 2 : i64, scale = 0.5 : f32}
      : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return %o : tensor<1x8x16xf32>
}

// -----

// Decode against a static cache: one query row, key blocks of 64, the
// number of keys read from past_length at run time; present = the cache
// with the new row written.
// CHECK-LABEL: func @decode
// CHECK: %[[L:.*]] = tensor.extract %arg3[%c0] : tensor<1xi64>
// CHECK: arith.index_cast %[[L]] : i64 to index
// CHECK: tensor.empty() : tensor<1x2x4x64xf32>
// CHECK: tensor.empty() : tensor<2x1x64xf32>
// CHECK: arith.ceildivsi
// CHECK: vector.fma {{.*}} : vector<64xf32>
// CHECK: tensor.empty() : tensor<1x2x32x4xf32>
// CHECK-NEXT: %[[PK:.*]] = linalg.generic
// CHECK: %[[PV:.*]] = linalg.generic
// CHECK: return %{{.*}}, %[[PK]], %[[PV]]
func.func @decode(%x: tensor<1x1x8xf32>, %pk: tensor<1x2x32x4xf32>, %pv: tensor<1x2x32x4xf32>, %len: tensor<1xi64>) -> (tensor<1x1x8xf32>, tensor<1x2x32x4xf32>, tensor<1x2x32x4xf32>) {
  %o, %k, %v = facet.attention %x, %x, %x past(%pk, %pv : tensor<1x2x32x4xf32>, tensor<1x2x32x4xf32>) past_length %len : tensor<1xi64>
      {num_heads = 2 : i64, scale = 0.5 : f32, causal = true}
      : (tensor<1x1x8xf32>, tensor<1x1x8xf32>, tensor<1x1x8xf32>) -> tensor<1x1x8xf32>, tensor<1x2x32x4xf32>, tensor<1x2x32x4xf32>
  return %o, %k, %v : tensor<1x1x8xf32>, tensor<1x2x32x4xf32>, tensor<1x2x32x4xf32>
}
