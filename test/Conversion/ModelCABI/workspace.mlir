// RUN: facet-opt %s -facet-emit-model-c-abi | FileCheck %s

// With workspace slots (facet-plan-buffers), facet_run takes the cached
// workspace (atomic exchange with NULL) or allocates one, passes one
// pointer per slot at its 64-byte aligned offset, and afterwards puts the
// workspace back unless another call already did (then frees it). A
// destructor frees the cached one when the library is unloaded. Out of
// memory returns 2. Every input and output pointer is noalias.
module attributes {facet.workspace_slots = array<i64: 100, 64>,
    facet.model_signature = {
    inputs = [{dtype = 1 : i32, name = "x", type = tensor<2xf32>}],
    outputs = [{dtype = 1 : i32, name = "y", type = tensor<2xf32>}]}} {
  llvm.func @_facet_main(%x: !llvm.ptr, %y: !llvm.ptr, %s0: !llvm.ptr, %s1: !llvm.ptr) {
    llvm.return
  }
}

// CHECK-DAG: llvm.func @aligned_alloc(i64, i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @free(!llvm.ptr)
// CHECK: llvm.func internal @_facet_main(%{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK: llvm.mlir.global internal @__facet_workspace() {{.*}} : !llvm.ptr
// CHECK:   llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.func internal @__facet_free_workspace()
// CHECK:   %[[W:.*]] = llvm.atomicrmw xchg %{{.*}}, %{{.*}} acq_rel
// CHECK:   llvm.call @free(%[[W]])
// CHECK: llvm.mlir.global_dtors dtors = [@__facet_free_workspace]
// CHECK: llvm.func @facet_run
// CHECK:   %[[C:.*]] = llvm.atomicrmw xchg %{{.*}}, %{{.*}} acq_rel
// CHECK:   %[[NONE:.*]] = llvm.icmp "eq" %[[C]]
// CHECK:   llvm.cond_br %[[NONE]], ^[[ALLOC:.*]], ^[[BODY:.*]](%[[C]] : !llvm.ptr)
// CHECK: ^[[ALLOC]]:
// CHECK:   %[[SIZE:.*]] = llvm.mlir.constant(192 : i64)
// CHECK:   %[[FRESH:.*]] = llvm.call @aligned_alloc(%{{.*}}, %[[SIZE]])
// CHECK:   llvm.cond_br %{{.*}}, ^[[OOM:.*]], ^[[BODY]](%[[FRESH]] : !llvm.ptr)
// CHECK: ^[[OOM]]:
// CHECK:   %[[TWO:.*]] = llvm.mlir.constant(2 : i32)
// CHECK:   llvm.return %[[TWO]]
// CHECK: ^[[BODY]](%[[WS:.*]]: !llvm.ptr):
// CHECK:   %[[OFF:.*]] = llvm.mlir.constant(128 : i64)
// CHECK:   %[[S1:.*]] = llvm.getelementptr %[[WS]][%[[OFF]]]
// CHECK:   llvm.call @_facet_main(%{{.*}}, %{{.*}}, %[[WS]], %[[S1]])
// CHECK:   %[[PAIR:.*]] = llvm.cmpxchg %{{.*}}, %{{.*}}, %[[WS]] acq_rel monotonic
// CHECK:   %[[OK:.*]] = llvm.extractvalue %[[PAIR]][1]
// CHECK:   llvm.cond_br %[[OK]], ^[[DONE:.*]], ^[[FREE:[^ ]*]]
// CHECK: ^[[FREE]]:
// CHECK:   llvm.call @free(%[[WS]])
