// RUN: facet-opt %s -facet-approximate-math | FileCheck %s

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
