//===- FactorDialect.td - The factor dialect -----------------*- tablegen -*-===//
//
// The `factor` dialect holds factorized weights as small tensor networks: an
// activation contracted with constant cores by an einsum equation. One op
// serves every format (low-rank, Kronecker, CP, Tucker, tensor-train/MPO);
// the formats differ only in how the cores were computed and in the shape of
// the network. See docs/Factor.md.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_DIALECT_FACTOR_IR_FACTORDIALECT_TD
#define FACET_DIALECT_FACTOR_IR_FACTORDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Factor_Dialect : Dialect {
  let name = "factor";
  let summary = "Factorized tensor contractions of activations with constant cores";
  let description = [{
    `factor.contract` contracts an activation with the cores of a factorized
    weight by an einsum equation, keeping the provenance of the
    factorization (format, ranks, source layer, reconstruction error) and,
    once chosen, the pairwise contraction order. The dialect works on plain
    tensors so that any MLIR pipeline can produce and lower it.
  }];
  let cppNamespace = "::facet::factor";
  let useDefaultAttributePrinterParser = 1;
  let hasCanonicalizer = 0;
}

class Factor_Op<string mnemonic, list<Trait> traits = []>
    : Op<Factor_Dialect, mnemonic, traits>;

def Factor_Format : I32EnumAttr<"Format",
    "How the cores of a factorized weight were computed", [
  I32EnumAttrCase<"dense", 0>,
  I32EnumAttrCase<"svd", 1>,
  I32EnumAttrCase<"kronecker", 2>,
  I32EnumAttrCase<"cp", 3>,
  I32EnumAttrCase<"tucker", 4>,
  I32EnumAttrCase<"tt", 5>
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::facet::factor";
}

def Factor_FormatAttr : EnumAttr<Factor_Dialect, Factor_Format, "format"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // FACET_DIALECT_FACTOR_IR_FACTORDIALECT_TD
