// RUN: facet-opt %s -split-input-file -facet-approximate-math | FileCheck %s

// erf, tanh and exp become polynomial arithmetic (no libm call left).
// CHECK-LABEL: func.func @gelu_parts
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK-NOT: math.exp
// CHECK: arith.mulf
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK-NOT: math.exp
// Others stay as they are.
// CHECK: math.sqrt
func.func @gelu_parts(%x: f32) -> (f32, f32, f32, f32) {
  %a = math.erf %x : f32
  %b = math.tanh %x : f32
  %c = math.exp %x : f32
  %d = math.sqrt %x : f32
  return %a, %b, %c, %d : f32, f32, f32, f32
}

// -----

// A power with a small constant exponent (gelu_new's x^3) becomes
// multiplications; a general power stays a call.
// CHECK-LABEL: func.func @powers
// CHECK-SAME: (%[[X:.*]]: f32, %[[Y:.*]]: f32)
// CHECK: %[[SQ:.*]] = arith.mulf %[[X]], %[[X]]
// CHECK: %[[CUBE:.*]] = arith.mulf %[[X]], %[[SQ]]
// CHECK: %[[GEN:.*]] = math.powf %[[X]], %[[Y]]
// CHECK: return %[[CUBE]], %[[GEN]]
func.func @powers(%x: f32, %y: f32) -> (f32, f32) {
  %c3 = arith.constant 3.0 : f32
  %a = math.powf %x, %c3 : f32
  %b = math.powf %x, %y : f32
  return %a, %b : f32, f32
}

// -----

// erf is one rational function of the clamped argument, elementwise on
// vectors too: clamp to [-4, 4], x·P(x²) over Q(x²) (a single division, no
// per-interval selects), the result clamped to [-1, 1].
// CHECK-LABEL: func.func @erf_rational
// CHECK-SAME: (%[[X:.*]]: vector<16xf32>)
// CHECK-NOT: arith.select
// CHECK: %[[HI:.*]] = arith.minimumf %[[X]], %{{.*}} : vector<16xf32>
// CHECK: %[[C:.*]] = arith.maximumf %[[HI]], %{{.*}} : vector<16xf32>
// CHECK: %[[X2:.*]] = arith.mulf %[[C]], %[[C]]
// CHECK-COUNT-6: math.fma
// CHECK: %[[P:.*]] = arith.mulf %[[C]], %{{.*}}
// CHECK-COUNT-4: math.fma
// CHECK: %[[R:.*]] = arith.divf %[[P]], %{{.*}}
// CHECK: arith.minimumf %[[R]]
// CHECK: arith.maximumf
// CHECK-NOT: arith.select
// CHECK-NOT: math.erf
func.func @erf_rational(%x: vector<16xf32>) -> vector<16xf32> {
  %a = math.erf %x : vector<16xf32>
  return %a : vector<16xf32>
}
