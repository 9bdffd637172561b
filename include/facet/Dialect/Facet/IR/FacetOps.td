//===- FacetOps.td - facet dialect operations ---------------*- tablegen -*-===//
//
// Each op mirrors one ONNX op. Result types are inferred from operand types
// (InferTypeOpInterface), which also makes the verifier check them.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_DIALECT_FACET_IR_FACETOPS_TD
#define FACET_DIALECT_FACET_IR_FACETOPS_TD

include "facet/Dialect/Facet/IR/FacetDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// ONNX's numeric tensor element types that Facet handles today.
def Facet_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def Facet_NumericTensor
    : RankedTensorOf<[F16, BF16, F32, F64, I8, I16, I32, I64]>;
def Facet_AnyTensor : RankedTensorOf<[AnyType]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Facet_ConstantOp : Facet_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "A constant tensor (ONNX initializer or Constant node)";
  let description = [{
    Holds a weight or a Constant node's value. Large values are
    `dense_resource` blobs so that printed IR stays small and the data is not
    copied into the attribute storage twice.

    ```mlir
    %w = facet.constant dense_resource<fc1.weight> : tensor<4x3xf32>
    ```
  }];
  let arguments = (ins TypedAttrInterface:$value);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Facet_MatMulOp : Facet_Op<"matmul", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "ONNX MatMul: numpy.matmul semantics";
  let description = [{
    Matrix product with numpy.matmul semantics: 1-D operands are promoted
    (and the promoted dimension dropped from the result), leading batch
    dimensions broadcast.

    ```mlir
    %y = facet.matmul %x, %w : (tensor<8x16x32xf32>, tensor<32x64xf32>) -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins Facet_FloatTensor:$lhs, Facet_FloatTensor:$rhs);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Facet_GemmOp : Facet_Op<"gemm", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "ONNX Gemm: alpha * op(A) * op(B) + beta * C";
  let description = [{
    General matrix multiply on 2-D operands, `op(X)` being X or its transpose
    per `trans_a`/`trans_b`. The optional `c` is unidirectionally broadcast to
    the M x N result.

    ```mlir
    %y = facet.gemm %x, %w, %b {trans_b = true}
        : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Facet_FloatTensor:$a, Facet_FloatTensor:$b,
      Optional<Facet_FloatTensor>:$c,
      DefaultValuedAttr<F32Attr, "1.0">:$alpha,
      DefaultValuedAttr<F32Attr, "1.0">:$beta,
      DefaultValuedAttr<BoolAttr, "false">:$trans_a,
      DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def Facet_AddOp : Facet_Op<"add", [Pure, Commutative,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "ONNX Add with numpy (multidirectional) broadcasting";
  let arguments = (ins Facet_NumericTensor:$lhs, Facet_NumericTensor:$rhs);
  let results = (outs Facet_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Facet_ReluOp : Facet_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "ONNX Relu: max(x, 0)";
  let arguments = (ins Facet_FloatTensor:$input);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Facet_IdentityOp : Facet_Op<"identity", [Pure,
    SameOperandsAndResultType]> {
  let summary = "ONNX Identity";
  let arguments = (ins Facet_AnyTensor:$input);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

#endif // FACET_DIALECT_FACET_IR_FACETOPS_TD
