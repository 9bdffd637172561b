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

// -----

// Marked loops of one function body share one parallel region: each is a
// worksharing loop, the side effects between them run on one thread
// (omp.single), the pure ops (a view) move in front of the region.
// CHECK-LABEL: func.func @merged
// CHECK: memref.subview
// CHECK: omp.parallel {
// CHECK-NEXT: omp.wsloop {
// CHECK: omp.single {
// CHECK:   memref.store
// CHECK:   omp.terminator
// CHECK: omp.wsloop {
// CHECK: memref.store %{{.*}}, %subview[
// CHECK: omp.terminator
// CHECK-NOT: omp.parallel
// CHECK: return
func.func @merged(%m: memref<24xf32>, %n: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c24 = arith.constant 24 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c24 step %c8 {
    memref.store %one, %m[%i] : memref<24xf32>
  } {facet.parallel}
  memref.store %one, %m[%c0] : memref<24xf32>
  %v = memref.subview %n[8] [24] [1] : memref<32xf32> to memref<24xf32, strided<[1], offset: 8>>
  scf.for %i = %c0 to %c24 step %c8 {
    memref.store %one, %v[%i] : memref<24xf32, strided<[1], offset: 8>>
  } {facet.parallel}
  return
}

// -----

// An allocation between two marked loops ends the run: two regions.
// CHECK-LABEL: func.func @split_by_alloc
// CHECK: omp.parallel
// CHECK: memref.alloc
// CHECK: omp.parallel
func.func @split_by_alloc(%m: memref<24xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c24 = arith.constant 24 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c24 step %c8 {
    memref.store %one, %m[%i] : memref<24xf32>
  } {facet.parallel}
  %a = memref.alloc() : memref<24xf32>
  scf.for %i = %c0 to %c24 step %c8 {
    memref.store %one, %a[%i] : memref<24xf32>
  } {facet.parallel}
  memref.copy %a, %m : memref<24xf32> to memref<24xf32>
  memref.dealloc %a : memref<24xf32>
  return
}
