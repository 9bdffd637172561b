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
def Facet_BoolTensor : RankedTensorOf<[I1]>;
def Facet_SignedTensor : RankedTensorOf<[F16, BF16, F32, F64, I8, I16, I32, I64]>;
def Facet_ComparableTensor
    : RankedTensorOf<[F16, BF16, F32, F64, I1, I8, I16, I32, I64]>;
def Facet_IndexTensor : RankedTensorOf<[I32, I64]>;

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

// Elementwise binary ops with numpy (multidirectional) broadcasting; the
// result has the operands' element type.
class Facet_BroadcastBinaryOp<string mnemonic, string onnx, Type tensorType,
                              list<Trait> traits = []>
    : Facet_Op<mnemonic, !listconcat(traits, [Pure,
          DeclareOpInterfaceMethods<InferTypeOpInterface>])> {
  let summary = "ONNX " # onnx # " with numpy broadcasting";
  let arguments = (ins tensorType:$lhs, tensorType:$rhs);
  let results = (outs tensorType:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Facet_AddOp : Facet_BroadcastBinaryOp<"add", "Add", Facet_NumericTensor,
                                          [Commutative]>;
def Facet_SubOp : Facet_BroadcastBinaryOp<"sub", "Sub", Facet_NumericTensor>;
def Facet_MulOp : Facet_BroadcastBinaryOp<"mul", "Mul", Facet_NumericTensor,
                                          [Commutative]>;
def Facet_DivOp : Facet_BroadcastBinaryOp<"div", "Div (integers truncate)",
                                          Facet_NumericTensor>;
def Facet_PowOp : Facet_BroadcastBinaryOp<"pow", "Pow (exponent cast to the "
                                          "base's type)", Facet_NumericTensor>;
def Facet_MinOp : Facet_BroadcastBinaryOp<"min", "Min (one pair)",
                                          Facet_NumericTensor, [Commutative]>;
def Facet_MaxOp : Facet_BroadcastBinaryOp<"max", "Max (one pair)",
                                          Facet_NumericTensor, [Commutative]>;

// Comparisons: numpy broadcasting, boolean (i1) result.
class Facet_CompareOp<string mnemonic, string onnx>
    : Facet_Op<mnemonic, [Pure,
          DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "ONNX " # onnx # ": elementwise comparison, bool result";
  let arguments = (ins Facet_ComparableTensor:$lhs,
                       Facet_ComparableTensor:$rhs);
  let results = (outs Facet_BoolTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Facet_EqualOp : Facet_CompareOp<"equal", "Equal">;
def Facet_LessOp : Facet_CompareOp<"less", "Less">;
def Facet_GreaterOp : Facet_CompareOp<"greater", "Greater">;

def Facet_WhereOp : Facet_Op<"where", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "ONNX Where: select with three-way numpy broadcasting";
  let arguments = (ins Facet_BoolTensor:$condition, Facet_AnyTensor:$x,
                       Facet_AnyTensor:$y);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = [{
    $condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

// Elementwise unary ops: same type in and out.
class Facet_UnaryOp<string mnemonic, string onnx, Type tensorType,
                    list<Trait> traits = []>
    : Facet_Op<mnemonic, !listconcat(traits, [Pure,
          SameOperandsAndResultType])> {
  let summary = "ONNX " # onnx;
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Facet_ReluOp : Facet_UnaryOp<"relu", "Relu: max(x, 0)", Facet_FloatTensor>;
def Facet_SqrtOp : Facet_UnaryOp<"sqrt", "Sqrt", Facet_FloatTensor>;
def Facet_ReciprocalOp : Facet_UnaryOp<"reciprocal", "Reciprocal",
                                       Facet_FloatTensor>;
def Facet_ExpOp : Facet_UnaryOp<"exp", "Exp", Facet_FloatTensor>;
def Facet_LogOp : Facet_UnaryOp<"log", "Log", Facet_FloatTensor>;
def Facet_TanhOp : Facet_UnaryOp<"tanh", "Tanh", Facet_FloatTensor>;
def Facet_ErfOp : Facet_UnaryOp<"erf", "Erf", Facet_FloatTensor>;
def Facet_SigmoidOp : Facet_UnaryOp<"sigmoid", "Sigmoid: 1 / (1 + exp(-x))",
                                    Facet_FloatTensor>;
def Facet_NegOp : Facet_UnaryOp<"neg", "Neg", Facet_SignedTensor> {
  let hasFolder = 1;
}
def Facet_AbsOp : Facet_UnaryOp<"abs", "Abs", Facet_SignedTensor>;
def Facet_NotOp : Facet_UnaryOp<"not", "Not", Facet_BoolTensor> {
  let hasFolder = 1;
}

def Facet_GeluOp : Facet_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "ONNX Gelu (opset 20): exact (erf) or tanh approximation";
  let arguments = (ins Facet_FloatTensor:$input,
                       DefaultValuedAttr<BoolAttr, "false">:$tanh_approximation);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Facet_ClipOp : Facet_Op<"clip", [Pure, AttrSizedOperandSegments]> {
  let summary = "ONNX Clip with optional scalar bounds";
  let arguments = (ins Facet_NumericTensor:$input,
                       Optional<Facet_NumericTensor>:$min,
                       Optional<Facet_NumericTensor>:$max);
  let results = (outs Facet_NumericTensor:$result);
  let assemblyFormat = [{
    $input (`min` $min^ `:` type($min))? (`max` $max^ `:` type($max))?
    attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Facet_CastOp : Facet_Op<"cast", [Pure]> {
  let summary = "ONNX Cast (float/int/bool conversions, saturate ignored)";
  let description = [{
    Converts elementwise to the result's element type. Float to int rounds
    toward zero; any nonzero value casts to true.
  }];
  let arguments = (ins Facet_AnyTensor:$input);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalizations and reductions
//===----------------------------------------------------------------------===//

def Facet_SoftmaxOp : Facet_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "ONNX Softmax / LogSoftmax (opset 13) along one axis";
  let arguments = (ins Facet_FloatTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$log);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Facet_LayerNormOp : Facet_Op<"layer_norm", [Pure]> {
  let summary = "ONNX LayerNormalization over dims [axis, rank)";
  let arguments = (ins Facet_FloatTensor:$input, Facet_FloatTensor:$scale,
                       Optional<Facet_FloatTensor>:$bias, I64Attr:$axis,
                       F32Attr:$epsilon);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Facet_ReduceOp : Facet_Op<"reduce", [Pure]> {
  let summary = "ONNX ReduceSum / ReduceMean / ReduceMax / ReduceL2 over "
                "static axes";
  let description = [{
    `kind` is "sum", "mean", "max" or "l2" (sqrt of the sum of squares). `axes` are normalized, sorted and
    unique; with `keepdims` the reduced dims stay as size 1. An empty
    `axes` list reduces nothing (the importer resolves ONNX's
    `noop_with_empty_axes` into an explicit list).
  }];
  let arguments = (ins Facet_NumericTensor:$input, StrAttr:$kind,
                       DenseI64ArrayAttr:$axes, BoolAttr:$keepdims);
  let results = (outs Facet_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement (all static: shape operands are folded into types/attrs)
//===----------------------------------------------------------------------===//

def Facet_ReshapeOp : Facet_Op<"reshape", [Pure]> {
  let summary = "Reshape (also ONNX Flatten, Squeeze, Unsqueeze) to the "
                "result type";
  let arguments = (ins Facet_AnyTensor:$input);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Facet_TransposeOp : Facet_Op<"transpose", [Pure]> {
  let summary = "ONNX Transpose";
  let arguments = (ins Facet_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Facet_ExpandOp : Facet_Op<"expand", [Pure]> {
  let summary = "ONNX Expand: broadcast to the result type";
  let arguments = (ins Facet_AnyTensor:$input);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Facet_ConcatOp : Facet_Op<"concat", [Pure]> {
  let summary = "ONNX Concat along a (normalized) axis";
  let arguments = (ins Variadic<Facet_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Facet_SliceOp : Facet_Op<"slice", [Pure]> {
  let summary = "Static strided slice (ONNX Slice and Split)";
  let description = [{
    result[i0, i1, ...] = input[starts[0] + i0 * steps[0], ...] for every
    dimension; steps may be negative. The result type gives the sizes.
  }];
  let arguments = (ins Facet_AnyTensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$steps);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Facet_GatherOp : Facet_Op<"gather", [Pure]> {
  let summary = "ONNX Gather along an axis (negative indices wrap)";
  let arguments = (ins Facet_AnyTensor:$data, Facet_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = [{
    $data `[` $indices `]` attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Facet_TriluOp : Facet_Op<"trilu", [Pure, SameOperandsAndResultType]> {
  let summary = "ONNX Trilu: keep the upper or lower triangle (diagonal k)";
  let arguments = (ins Facet_AnyTensor:$input, BoolAttr:$upper, I64Attr:$k);
  let results = (outs Facet_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Facet_EinsumOp : Facet_Op<"einsum", [Pure]> {
  let summary = "ONNX Einsum with an explicit, ellipsis-free equation";
  let description = [{
    The importer normalizes the equation: explicit `->` output, ellipses
    expanded into letters.
  }];
  let arguments = (ins Variadic<Facet_NumericTensor>:$inputs,
                       StrAttr:$equation);
  let results = (outs Facet_NumericTensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention (raised from the exporters' subgraphs, or ONNX Attention-23)
//===----------------------------------------------------------------------===//

def Facet_AttentionOp : Facet_Op<"attention", [Pure, AttrSizedOperandSegments,
    AttrSizedResultSegments]> {
  let summary = "Multi-head scaled dot-product attention on projected q/k/v";
  let description = [{
    The core of multi-head attention, after the Q/K/V projections and before
    the output projection (those stay `facet.matmul`/`facet.gemm`, see
    docs/Attention.md for why). With H = `num_heads`, G = `kv_num_heads`
    (default H; H must be a multiple of G, head h reads key/value head
    h / (H / G)):

    - `query` [B, Sq, H·Dk], `key` [B, Skv, G·Dk], `value` [B, Skv, G·Dv],
      heads contiguous in the last dimension (ONNX's 3-D layout);
    - keys/values: with `past_key` [B, G, P, Dk] / `past_value` [B, G, P, Dv]
      the new ones are appended (T = P + Skv keys); with `past_length` as
      well (a [1] integer tensor L, the *static cache* of decode mode) the
      past holds L valid rows of P, the new ones are written at rows
      L .. L+Skv-1 and T = L + Skv keys are attended (the rest ignored);
      without a past T = Skv;
    - s[b,h,i,j] = `scale` · Σ_d q[b,i,h,d]·k[b,h,j,d];
    - `causal`: s = `mask_fill` where j > i + `causal_offset` + (P, or L),
      the key index counted from the first key;
    - `mask` (optional), broadcast (numpy, right-aligned) to [B, H, Sq, T]:
      a float mask is added to s (after the causal fill); an i1 mask keeps
      s where true and puts `mask_fill` elsewhere;
    - p = softmax over j (a row whose scores are all -inf gives zeros);
      output[b,i,h·Dv+e] = Σ_j p[b,h,i,j]·v[b,h,j,e]: [B, Sq, H·Dv].
    - `present_key` / `present_value` (optional results): the keys and
      values attended, [B, G, T, D] (static cache: [B, G, P, D], the cache
      with the new rows written).

    ```mlir
    %o = facet.attention %q, %k, %v mask %m : tensor<2x1x1x8xf32>
        {num_heads = 12 : i64, scale = 0.176776692 : f32}
        : (tensor<2x8x384xf32>, tensor<2x8x384xf32>, tensor<2x8x384xf32>)
        -> tensor<2x8x384xf32>
    ```
  }];
  let arguments = (ins Facet_FloatTensor:$query, Facet_FloatTensor:$key,
      Facet_FloatTensor:$value, Optional<Facet_AnyTensor>:$mask,
      Optional<Facet_FloatTensor>:$past_key,
      Optional<Facet_FloatTensor>:$past_value,
      Optional<Facet_IndexTensor>:$past_length,
      I64Attr:$num_heads, OptionalAttr<I64Attr>:$kv_num_heads, F32Attr:$scale,
      DefaultValuedAttr<BoolAttr, "false">:$causal,
      DefaultValuedAttr<I64Attr, "0">:$causal_offset,
      DefaultValuedAttr<F32Attr, "-std::numeric_limits<float>::infinity()">:$mask_fill);
  let results = (outs Facet_FloatTensor:$output,
      Optional<Facet_FloatTensor>:$present_key,
      Optional<Facet_FloatTensor>:$present_value);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^ `:` type($mask))?
    (`past` `(` $past_key^ `,` $past_value `:` type($past_key) `,` type($past_value) `)`)?
    (`past_length` $past_length^ `:` type($past_length))?
    attr-dict `:` `(` type($query) `,` type($key) `,` type($value) `)` `->`
    type($output) (`,` type($present_key)^ `,` type($present_value))?
  }];
  let extraClassDeclaration = [{
    /// H / G, the heads and key/value heads.
    int64_t getHeads() { return getNumHeadsAttr().getInt(); }
    int64_t getKVHeads() {
      return getKvNumHeads() ? static_cast<int64_t>(*getKvNumHeads())
                             : getHeads();
    }
    /// Dk and Dv, the head sizes of query/key and of value.
    int64_t getQKHeadSize();
    int64_t getVHeadSize();
    /// T, the keys attended, when static (not with `past_length`).
    int64_t getNumKeys();
  }];
  let hasVerifier = 1;
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
