// RUN: facet-opt %s -split-input-file -facet-plan-buffers | FileCheck %s

// A buffer whose last use (through a reshape) comes before another's
// allocation shares its slot; buffers live at the same time get different
// slots. The slot grows to the biggest of its buffers; every slot is a
// noalias argument.
// CHECK: module attributes {facet.workspace_slots = array<i64: 64, 64>}
// CHECK-LABEL: func.func private @_facet_main
// CHECK-SAME: %[[X:[^:]*]]: memref<8xf32>, %[[Y:[^:]*]]: memref<8xf32>
// CHECK-SAME: %[[S0:[^:]*]]: memref<64xi8> {llvm.noalias}
// CHECK-SAME: %[[S1:[^:]*]]: memref<64xi8> {llvm.noalias}
// CHECK-NOT: memref.alloc
// CHECK: %[[A:.*]] = memref.view %[[S0]][%{{.*}}][] : memref<64xi8> to memref<8xf32>
// CHECK: %[[B:.*]] = memref.view %[[S1]][%{{.*}}][] : memref<64xi8> to memref<2x4xf32>
// CHECK: %[[C:.*]] = memref.view %[[S0]][%{{.*}}][] : memref<64xi8> to memref<16xf32>
// CHECK-NOT: memref.alloc
func.func private @_facet_main(%x: memref<8xf32>, %y: memref<8xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
  linalg.copy ins(%x : memref<8xf32>) outs(%a : memref<8xf32>)
  %b = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
  %ea = memref.expand_shape %a [[0, 1]] output_shape [2, 4] : memref<8xf32> into memref<2x4xf32>
  linalg.copy ins(%ea : memref<2x4xf32>) outs(%b : memref<2x4xf32>)
  %c = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %cb = memref.collapse_shape %b [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  %sc = memref.subview %c[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  linalg.copy ins(%cb : memref<8xf32>) outs(%sc : memref<8xf32, strided<[1]>>)
  %s = memref.subview %c[8] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1], offset: 8>>
  linalg.copy ins(%s : memref<8xf32, strided<[1], offset: 8>>) outs(%y : memref<8xf32>)
  return
}

// -----

// A use inside a loop keeps the buffer live until the loop ends: the buffer
// allocated after the loop cannot take its slot.
// CHECK: module attributes {facet.workspace_slots = array<i64: 64, 128>}
// CHECK-LABEL: func.func private @_facet_main
// CHECK: memref.view %arg2
// CHECK: scf.for
// CHECK: memref.view %arg3
func.func private @_facet_main(%x: memref<8xf32>, %y: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %a = memref.alloc() : memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    memref.store %v, %a[%i] : memref<8xf32>
  }
  %b = memref.alloc() : memref<32xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %b[%i] : memref<32xf32>
  }
  %sb = memref.subview %b[0] [8] [1] : memref<32xf32> to memref<8xf32, strided<[1]>>
  linalg.copy ins(%sb : memref<8xf32, strided<[1]>>) outs(%y : memref<8xf32>)
  return
}

// -----

// Buffers that escape (returned) or have dynamic shapes keep their
// allocation; with nothing left to plan the function is unchanged.
// CHECK-NOT: facet.workspace_slots
// CHECK-LABEL: func.func private @_facet_main
// CHECK-SAME: (%{{.*}}: index) -> memref<8xf32>
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
func.func private @_facet_main(%n: index) -> memref<8xf32> {
  %a = memref.alloc() : memref<8xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  return %a : memref<8xf32>
}

// -----

// Only the entry function is planned.
// CHECK-NOT: facet.workspace_slots
// CHECK-LABEL: func.func @other
// CHECK: memref.alloc
func.func @other(%y: memref<8xf32>) {
  %a = memref.alloc() : memref<8xf32>
  linalg.copy ins(%a : memref<8xf32>) outs(%y : memref<8xf32>)
  return
}
