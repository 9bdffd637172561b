// RUN: facet-opt %s -split-input-file -facet-parallelize-tiles | FileCheck %s

// A marked loop becomes an OpenMP worksharing loop with the same bounds.
// CHECK-LABEL: func.func @marked
// CHECK: omp.parallel {
// CHECK:   omp.wsloop {
// CHECK:     omp.loop_nest (%[[IV:.*]]) : index = (%c0) to (%c24) step (%c8) {
// CHECK:       memref.store %{{.*}}, %arg0[%[[IV]]]
// CHECK:       omp.yield
// CHECK:   omp.terminator
// CHECK-NOT: scf.for
func.func @marked(%m: memref<24xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c24 = arith.constant 24 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c24 step %c8 {
    memref.store %one, %m[%i] : memref<24xf32>
  } {facet.parallel}
  return
}

// -----

// Unmarked loops stay sequential.
// CHECK-LABEL: func.func @unmarked
// CHECK-NOT: omp.
// CHECK: scf.for
func.func @unmarked(%m: memref<24xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c24 = arith.constant 24 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c24 step %c8 {
    memref.store %one, %m[%i] : memref<24xf32>
  }
  return
}
