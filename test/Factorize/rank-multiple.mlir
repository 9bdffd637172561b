// The pass option rank-multiple (facet-compile --rank-multiple): policies
// other than a fixed rank only give ranks that are multiples of it. On the
// 16x24 layer "fc": energy 0.6 needs rank 5, so a multiple of 4 gives 8;
// keep 0.7 affords rank 6, so a multiple of 4 gives 4.
// RUN: facet-opt %S/Inputs/one-layer.mlir --facet-factorize-linear="energy=0.6" | FileCheck %s --check-prefix=E1
// RUN: facet-opt %S/Inputs/one-layer.mlir --facet-factorize-linear="energy=0.6 rank-multiple=4" | FileCheck %s --check-prefix=E4
// RUN: facet-opt %S/Inputs/one-layer.mlir --facet-factorize-linear="keep=0.7" | FileCheck %s --check-prefix=K1
// RUN: facet-opt %S/Inputs/one-layer.mlir --facet-factorize-linear="keep=0.7 rank-multiple=4" | FileCheck %s --check-prefix=K4
// RUN: facet-opt %S/Inputs/one-layer.mlir --facet-factorize-linear="rank=5 rank-multiple=4" | FileCheck %s --check-prefix=E1
// RUN: not facet-opt %S/Inputs/one-layer.mlir --facet-factorize-linear="keep=0.5 rank-multiple=0" 2>&1 | FileCheck %s --check-prefix=BAD
// E1: factor.contract {{.*}}ranks = array<i64: 5>
// E4: factor.contract {{.*}}ranks = array<i64: 8>
// K1: factor.contract {{.*}}ranks = array<i64: 6>
// K4: factor.contract {{.*}}ranks = array<i64: 4>
// BAD: error: rank-multiple 0: must be at least 1
// No multiple of 16 is below this layer's break-even rank (9): it stays
// dense, and the report says why.
// RUN: facet-opt %S/Inputs/one-layer.mlir --facet-factorize-linear="error=0.9 rank-multiple=16 report=%t.json" > /dev/null
// RUN: FileCheck %s --input-file=%t.json --check-prefix=NONE
// NONE: "format": "dense", {{.*}}"reason": "no rank that is a multiple of 16 is below this shape's break-even rank
