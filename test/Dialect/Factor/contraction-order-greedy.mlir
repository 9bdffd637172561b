// RUN: facet-opt %s -factor-choose-contraction-order | FileCheck %s
// RUN: facet-opt %s -factor-choose-contraction-order=greedy=1 | FileCheck %s

// A TT chain of 11 cores (12 operands) is beyond the exact search (10):
// the greedy search takes the cheapest next step among pairs that share an
// index. The end cores merge with their neighbours first (tiny, M-independent,
// and no larger than the two); then the activation goes through the others
// one by one: merging more cores would grow the weights the model holds
// (keep-constants-small). -greedy=1 gives the same.
// CHECK-LABEL: func.func @long_chain
// CHECK: path = array<i64: 1, 2, 8, 9, 0, 8, 0, 8, 0, 7, 0, 6, 0, 5, 0, 4, 0, 3, 0, 2, 0, 1>
func.func @long_chain(%x: tensor<4x2x2x2x2x2x2x2x2x2x2x2xf32>, %c0: tensor<2x2x3xf32>, %c1: tensor<3x2x2x3xf32>, %c2: tensor<3x2x2x3xf32>, %c3: tensor<3x2x2x3xf32>, %c4: tensor<3x2x2x3xf32>, %c5: tensor<3x2x2x3xf32>, %c6: tensor<3x2x2x3xf32>, %c7: tensor<3x2x2x3xf32>, %c8: tensor<3x2x2x3xf32>, %c9: tensor<3x2x2x3xf32>, %c10: tensor<3x2x2xf32>) -> tensor<4x2x2x2x2x2x2x2x2x2x2x2xf32> {
  %y = factor.contract "zabcdefghijk,aAL,LbBM,McCN,NdDO,OeEP,PfFQ,QgGR,RhHS,SiIT,TjJU,UkK->zABCDEFGHIJK" (%x, %c0, %c1, %c2, %c3, %c4, %c5, %c6, %c7, %c8, %c9, %c10) {format = #factor.format<tt>, ranks = array<i64: 3, 3, 3, 3, 3, 3, 3, 3, 3, 3>} : (tensor<4x2x2x2x2x2x2x2x2x2x2x2xf32>, tensor<2x2x3xf32>, tensor<3x2x2x3xf32>, tensor<3x2x2x3xf32>, tensor<3x2x2x3xf32>, tensor<3x2x2x3xf32>, tensor<3x2x2x3xf32>, tensor<3x2x2x3xf32>, tensor<3x2x2x3xf32>, tensor<3x2x2x3xf32>, tensor<3x2x2x3xf32>, tensor<3x2x2xf32>) -> tensor<4x2x2x2x2x2x2x2x2x2x2x2xf32>
  return %y : tensor<4x2x2x2x2x2x2x2x2x2x2x2xf32>
}
