//===- FactorOps.td - factor dialect operations --------------*- tablegen -*-===//

#ifndef FACET_DIALECT_FACTOR_IR_FACTOROPS_TD
#define FACET_DIALECT_FACTOR_IR_FACTOROPS_TD

include "facet/Dialect/Factor/IR/FactorDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Factor_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;

def Factor_ContractOp : Factor_Op<"contract", [Pure]> {
  let summary = "Contract an activation with the cores of a factorized weight";
  let description = [{
    `result = einsum(equation, input, cores...)`: the first operand is the
    activation (a run-time value), the others are the cores of a factorized
    weight (constants once a model is factorized, but any value is allowed).
    The equation is einsum's, with letters a-z, A-Z:

    ```mlir
    // y[m, n] = sum_{k, r} x[m, k] U[k, r] V[r, n]: a rank-32 SVD.
    %y = factor.contract "mk,kr,rn->mn" (%x, %u, %v)
           {format = #factor.format<svd>, ranks = array<i64: 32>,
            source = "/layer.0/fc1/MatMul", error = 0.125 : f64}
           : (tensor<128x768xf32>, tensor<768x32xf32>, tensor<32x3072xf32>)
             -> tensor<128x3072xf32>
    ```

    Attributes keep the provenance: `format` (how the cores were computed),
    `ranks` (the format's ranks: one for SVD/CP/Kronecker terms, one per mode
    for Tucker, the bonds for TT), optional `source` (the layer it replaced)
    and `error` (ε = ‖W − Ŵ‖_F / ‖W‖_F when known). Optional `path` is the
    pairwise contraction order chosen by `factor-choose-contraction-order`,
    in opt_einsum's convention: pairs (i, j), i < j, of positions in the
    current operand list; both are removed and their result appended.

    The verifier checks that the equation parses, has one subscript per
    operand with one index per dimension, gives every index one size,
    puts every result index in some operand, has every operand index either
    in the result or in a second operand, and that the result type is the
    one the equation gives; and that a `path`, if present, is a complete
    order.
  }];
  let arguments = (ins Factor_FloatTensor:$input,
                       Variadic<Factor_FloatTensor>:$cores,
                       StrAttr:$equation,
                       Factor_FormatAttr:$format,
                       DenseI64ArrayAttr:$ranks,
                       OptionalAttr<StrAttr>:$source,
                       OptionalAttr<F64Attr>:$error,
                       OptionalAttr<DenseI64ArrayAttr>:$path);
  let results = (outs Factor_FloatTensor:$result);
  let assemblyFormat = [{
    $equation `(` $input (`,` $cores^)? `)` attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The parsed equation (the verifier guarantees it parses).
    ::facet::contraction::Equation getParsedEquation();
    /// Index letter -> size, from the operand types.
    std::vector<std::pair<char, int64_t>> getIndexSizes();
    /// The `path` attribute as steps (empty when absent).
    std::vector<::facet::contraction::Step> getPathSteps();
    /// Parameters held by the cores (elements of all cores).
    int64_t getNumCoreParams();
  }];
}

def Factor_TTGatherOp : Factor_Op<"tt_gather", [Pure]> {
  let summary = "Rows of a tensor-train embedding table, never densified";
  let description = [{
    `result[..., :] = T[indices[...], :]` where the table T [rows, D] is held
    as a TT-matrix: row index i < Π row_dims splits into digits
    (i_1, ..., i_d) (row-major), the column into (j_1, ..., j_d) over
    `col_dims`, and T[i, j] = G_1[:, i_1, j_1, :] · ... · G_d[:, i_d, j_d, :]
    with cores G_k of shape [r_{k-1}, row_dims[k], col_dims[k], r_k],
    r_0 = r_d = 1. A lookup contracts d small slices per index: the dense
    table is never built (TensorGPT, COMPRESSION.md).

    Indices follow ONNX Gather on axis 0: negative ones count from `rows`;
    out-of-range ones are clamped into [0, rows) (as facet.gather does).

    ```mlir
    %e = factor.tt_gather %ids, %g1, %g2, %g3
           {rows = 30522 : i64, row_dims = array<i64: 32, 32, 30>,
            col_dims = array<i64: 8, 8, 6>, ranks = array<i64: 1, 16, 16, 1>}
           : (tensor<1x128xi64>, tensor<1x32x8x16xf32>, tensor<16x32x8x16xf32>,
              tensor<16x30x6x1xf32>) -> tensor<1x128x384xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I32, I64]>:$indices,
                       Variadic<Factor_FloatTensor>:$cores,
                       I64Attr:$rows,
                       DenseI64ArrayAttr:$row_dims,
                       DenseI64ArrayAttr:$col_dims,
                       DenseI64ArrayAttr:$ranks,
                       OptionalAttr<StrAttr>:$source,
                       OptionalAttr<F64Attr>:$error);
  let results = (outs Factor_FloatTensor:$result);
  let assemblyFormat = [{
    $indices `,` $cores attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // FACET_DIALECT_FACTOR_IR_FACTOROPS_TD
