// RUN: facet-opt %s -factor-choose-contraction-order | FileCheck %s
// RUN: facet-opt %s -factor-choose-contraction-order=keep-constants-small=0 | FileCheck %s --check-prefix=GROW

// The order that factor-choose-contraction-order picks for each canonical
// network, at a decode size (M = 1) and a prefill size (M = 512). Paths are
// opt_einsum's: pairs of positions in the current operand list, the result
// appended. facet.flops is 2 x the multiply-adds of the chosen order.

// Low rank, r = 32 << 768: x·U then ·V at every size.
// CHECK-LABEL: func.func @svd_m1
// CHECK: facet.flops = 98304 : i64{{.*}}path = array<i64: 0, 1, 0, 1>
func.func @svd_m1(%x: tensor<1x768xf32>, %c0: tensor<768x32xf32>, %c1: tensor<32x768xf32>) -> tensor<1x768xf32> {
  %y = factor.contract "mk,kr,rn->mn" (%x, %c0, %c1) {format = #factor.format<svd>, ranks = array<i64: 32>} : (tensor<1x768xf32>, tensor<768x32xf32>, tensor<32x768xf32>) -> tensor<1x768xf32>
  return %y : tensor<1x768xf32>
}

// CHECK-LABEL: func.func @svd_m512
// CHECK: facet.flops = 50331648 : i64{{.*}}path = array<i64: 0, 1, 0, 1>
func.func @svd_m512(%x: tensor<512x768xf32>, %c0: tensor<768x32xf32>, %c1: tensor<32x768xf32>) -> tensor<512x768xf32> {
  %y = factor.contract "mk,kr,rn->mn" (%x, %c0, %c1) {format = #factor.format<svd>, ranks = array<i64: 32>} : (tensor<512x768xf32>, tensor<768x32xf32>, tensor<32x768xf32>) -> tensor<512x768xf32>
  return %y : tensor<512x768xf32>
}

// A rank above K·N/(K+N): at M = 1 the chain is cheaper, at M = 512 it pays
// to multiply the cores first (their cost does not grow with M).
// CHECK-LABEL: func.func @overparameterized_svd_m1
// CHECK: facet.flops = 12288 : i64{{.*}}path = array<i64: 0, 1, 0, 1>
func.func @overparameterized_svd_m1(%x: tensor<1x64xf32>, %c0: tensor<64x48xf32>, %c1: tensor<48x64xf32>) -> tensor<1x64xf32> {
  %y = factor.contract "mk,kr,rn->mn" (%x, %c0, %c1) {format = #factor.format<svd>, ranks = array<i64: 48>} : (tensor<1x64xf32>, tensor<64x48xf32>, tensor<48x64xf32>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// CHECK-LABEL: func.func @overparameterized_svd_m512
// CHECK: facet.flops = 4587520 : i64{{.*}}path = array<i64: 1, 2, 0, 1>
func.func @overparameterized_svd_m512(%x: tensor<512x64xf32>, %c0: tensor<64x48xf32>, %c1: tensor<48x64xf32>) -> tensor<512x64xf32> {
  %y = factor.contract "mk,kr,rn->mn" (%x, %c0, %c1) {format = #factor.format<svd>, ranks = array<i64: 48>} : (tensor<512x64xf32>, tensor<64x48xf32>, tensor<48x64xf32>) -> tensor<512x64xf32>
  return %y : tensor<512x64xf32>
}

// Tucker-2 (U1 [K,16], core [16,256], U2 [N,256]): at M = 1 the chain
// x·U1·G·U2ᵀ; at M = 512, G·U2ᵀ first (M-independent), then two products.
// CHECK-LABEL: func.func @tucker2_m1
// CHECK: facet.flops = 425984 : i64{{.*}}path = array<i64: 0, 1, 0, 2, 0, 1>
func.func @tucker2_m1(%x: tensor<1x768xf32>, %c0: tensor<768x16xf32>, %c1: tensor<16x256xf32>, %c2: tensor<768x256xf32>) -> tensor<1x768xf32> {
  %y = factor.contract "mk,kp,pq,nq->mn" (%x, %c0, %c1, %c2) {format = #factor.format<tucker>, ranks = array<i64: 16, 256>} : (tensor<1x768xf32>, tensor<768x16xf32>, tensor<16x256xf32>, tensor<768x256xf32>) -> tensor<1x768xf32>
  return %y : tensor<1x768xf32>
}

// CHECK-LABEL: func.func @tucker2_m512
// CHECK: facet.flops = 31457280 : i64{{.*}}path = array<i64: 0, 1, 0, 1, 0, 1>
func.func @tucker2_m512(%x: tensor<512x768xf32>, %c0: tensor<768x16xf32>, %c1: tensor<16x256xf32>, %c2: tensor<768x256xf32>) -> tensor<512x768xf32> {
  %y = factor.contract "mk,kp,pq,nq->mn" (%x, %c0, %c1, %c2) {format = #factor.format<tucker>, ranks = array<i64: 16, 256>} : (tensor<512x768xf32>, tensor<768x16xf32>, tensor<16x256xf32>, tensor<768x256xf32>) -> tensor<512x768xf32>
  return %y : tensor<512x768xf32>
}

// TT-matrix (MPO) 8x8x12 -> 8x8x12, bonds 16: the activation goes through
// the cores one by one (last core first: its index is innermost). Merging
// the first two cores would need 3x fewer FLOPs at M = 512, but the merged
// core (65536 elements, folded at compile time) is 3.8x larger than the two
// (keep-constants-small, the default, prices that out: a model never holds
// more weights than its cores); allowed, M = 512 merges them (GROW).
// CHECK-LABEL: func.func @tt_m1
// CHECK: facet.flops = 3637248 : i64{{.*}}path = array<i64: 0, 3, 1, 2, 0, 1>
// GROW-LABEL: func.func @tt_m1
// GROW: path = array<i64: 0, 3, 1, 2, 0, 1>
func.func @tt_m1(%x: tensor<1x8x8x12xf32>, %c0: tensor<8x8x16xf32>, %c1: tensor<16x8x8x16xf32>, %c2: tensor<16x12x12xf32>) -> tensor<1x8x8x12xf32> {
  %y = factor.contract "mabc,adu,ubev,vcf->mdef" (%x, %c0, %c1, %c2) {format = #factor.format<tt>, ranks = array<i64: 16, 16>} : (tensor<1x8x8x12xf32>, tensor<8x8x16xf32>, tensor<16x8x8x16xf32>, tensor<16x12x12xf32>) -> tensor<1x8x8x12xf32>
  return %y : tensor<1x8x8x12xf32>
}

// CHECK-LABEL: func.func @tt_m512
// CHECK: facet.flops = 1862270976 : i64{{.*}}path = array<i64: 0, 3, 1, 2, 0, 1>
// GROW-LABEL: func.func @tt_m512
// GROW: facet.flops = 624951296 : i64{{.*}}path = array<i64: 1, 2, 1, 2, 0, 1>
func.func @tt_m512(%x: tensor<512x8x8x12xf32>, %c0: tensor<8x8x16xf32>, %c1: tensor<16x8x8x16xf32>, %c2: tensor<16x12x12xf32>) -> tensor<512x8x8x12xf32> {
  %y = factor.contract "mabc,adu,ubev,vcf->mdef" (%x, %c0, %c1, %c2) {format = #factor.format<tt>, ranks = array<i64: 16, 16>} : (tensor<512x8x8x12xf32>, tensor<8x8x16xf32>, tensor<16x8x8x16xf32>, tensor<16x12x12xf32>) -> tensor<512x8x8x12xf32>
  return %y : tensor<512x8x8x12xf32>
}

// CP of W [24,32,24,32], rank 64 (a hyperedge): one core at a time; with
// growing folds allowed, at M = 512 the two input-side cores meet first
// (into a 24x32x64 core, 8.7x the two).
// CHECK-LABEL: func.func @cp_m1
// CHECK: facet.flops = 202752 : i64{{.*}}path = array<i64: 0, 2, 0, 3, 0, 2, 0, 1>
// GROW-LABEL: func.func @cp_m1
// GROW: path = array<i64: 0, 2, 0, 3, 0, 2, 0, 1>
func.func @cp_m1(%x: tensor<1x24x32xf32>, %c0: tensor<24x64xf32>, %c1: tensor<32x64xf32>, %c2: tensor<24x64xf32>, %c3: tensor<32x64xf32>) -> tensor<1x24x32xf32> {
  %y = factor.contract "mab,ar,br,cr,dr->mcd" (%x, %c0, %c1, %c2, %c3) {format = #factor.format<cp>, ranks = array<i64: 64>} : (tensor<1x24x32xf32>, tensor<24x64xf32>, tensor<32x64xf32>, tensor<24x64xf32>, tensor<32x64xf32>) -> tensor<1x24x32xf32>
  return %y : tensor<1x24x32xf32>
}

// CHECK-LABEL: func.func @cp_m512
// CHECK: facet.flops = 103809024 : i64{{.*}}path = array<i64: 0, 2, 0, 3, 0, 2, 0, 1>
// GROW-LABEL: func.func @cp_m512
// GROW: facet.flops = 100859904 : i64{{.*}}path = array<i64: 1, 2, 0, 3, 0, 1, 0, 1>
func.func @cp_m512(%x: tensor<512x24x32xf32>, %c0: tensor<24x64xf32>, %c1: tensor<32x64xf32>, %c2: tensor<24x64xf32>, %c3: tensor<32x64xf32>) -> tensor<512x24x32xf32> {
  %y = factor.contract "mab,ar,br,cr,dr->mcd" (%x, %c0, %c1, %c2, %c3) {format = #factor.format<cp>, ranks = array<i64: 64>} : (tensor<512x24x32xf32>, tensor<24x64xf32>, tensor<32x64xf32>, tensor<24x64xf32>, tensor<32x64xf32>) -> tensor<512x24x32xf32>
  return %y : tensor<512x24x32xf32>
}

// Sum of 4 Kronecker products: x·B then ·A at both sizes.
// CHECK-LABEL: func.func @kronecker_m1
// CHECK: facet.flops = 344064 : i64{{.*}}path = array<i64: 0, 2, 0, 1>
func.func @kronecker_m1(%x: tensor<1x24x32xf32>, %c0: tensor<4x24x24xf32>, %c1: tensor<4x32x32xf32>) -> tensor<1x24x32xf32> {
  %y = factor.contract "mab,tac,tbd->mcd" (%x, %c0, %c1) {format = #factor.format<kronecker>, ranks = array<i64: 4>} : (tensor<1x24x32xf32>, tensor<4x24x24xf32>, tensor<4x32x32xf32>) -> tensor<1x24x32xf32>
  return %y : tensor<1x24x32xf32>
}

// CHECK-LABEL: func.func @kronecker_m512
// CHECK: facet.flops = 176160768 : i64{{.*}}path = array<i64: 0, 2, 0, 1>
func.func @kronecker_m512(%x: tensor<512x24x32xf32>, %c0: tensor<4x24x24xf32>, %c1: tensor<4x32x32xf32>) -> tensor<512x24x32xf32> {
  %y = factor.contract "mab,tac,tbd->mcd" (%x, %c0, %c1) {format = #factor.format<kronecker>, ranks = array<i64: 4>} : (tensor<512x24x32xf32>, tensor<4x24x24xf32>, tensor<4x32x32xf32>) -> tensor<512x24x32xf32>
  return %y : tensor<512x24x32xf32>
}
