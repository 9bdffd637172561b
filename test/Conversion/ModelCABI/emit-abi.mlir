// RUN: facet-opt %s -facet-emit-model-c-abi | FileCheck %s

// The entry becomes internal; facet_run loads one pointer per input, then per
// output, refuses NULL arrays or elements, and calls it. The info tables hold
// name, ONNX dtype, rank and shape.
module attributes {facet.model_signature = {
    inputs = [{dtype = 1 : i32, name = "x", type = tensor<2x3xf32>},
              {dtype = 7 : i32, name = "ids", type = tensor<i64>}],
    outputs = [{dtype = 1 : i32, name = "y", type = tensor<2x4xf32>}]}} {
  llvm.func @_facet_main(%x: !llvm.ptr, %ids: !llvm.ptr, %y: !llvm.ptr) {
    llvm.return
  }
}

// CHECK: llvm.func internal @_facet_main
// CHECK: llvm.mlir.global internal constant @__facet_input_name_0("x\00")
// CHECK: llvm.mlir.global internal constant @__facet_input_shape_0(dense<[2, 3]> : tensor<2xi64>)
// CHECK: llvm.mlir.global internal constant @__facet_input_name_1("ids\00")
// CHECK-NOT: @__facet_input_shape_1
// CHECK: llvm.mlir.global internal constant @__facet_input_table() {{.*}} : !llvm.array<2 x struct<(ptr, i32, i32, ptr)>>
// CHECK: llvm.mlir.global internal constant @__facet_output_name_0("y\00")
// CHECK: llvm.mlir.global internal constant @__facet_output_shape_0(dense<[2, 4]> : tensor<2xi64>)
// CHECK: llvm.func @facet_abi_version() -> i32
// CHECK:   %[[V:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK:   llvm.return %[[V]]
// CHECK: llvm.func @facet_num_inputs() -> i32
// CHECK:   llvm.mlir.constant(2 : i32)
// CHECK: llvm.func @facet_num_outputs() -> i32
// CHECK:   llvm.mlir.constant(1 : i32)
// CHECK: llvm.func @facet_input_info(%{{.*}}: i32) -> !llvm.ptr
// CHECK:   llvm.icmp "ult"
// CHECK:   llvm.select
// CHECK: llvm.func @facet_output_info(%{{.*}}: i32) -> !llvm.ptr
// CHECK: llvm.func @facet_run(%[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr) -> i32
// CHECK:   llvm.cond_br
// CHECK:   %[[P0:.*]] = llvm.load
// CHECK:   %[[P1:.*]] = llvm.load
// CHECK:   %[[P2:.*]] = llvm.load
// CHECK:   llvm.call @_facet_main(%[[P0]], %[[P1]], %[[P2]])
