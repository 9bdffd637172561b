//===- FacetDialect.td - The facet graph-level dialect ------*- tablegen -*-===//
//
// The `facet` dialect models an ONNX graph after import: one op per ONNX op,
// with ONNX semantics (numpy broadcasting, ONNX attribute meanings), on ranked
// tensors. Shapes are static once the importer has specialized the graph's
// dynamic dimensions; verifiers check every static shape they can.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_DIALECT_FACET_IR_FACETDIALECT_TD
#define FACET_DIALECT_FACET_IR_FACETDIALECT_TD

include "mlir/IR/OpBase.td"

def Facet_Dialect : Dialect {
  let name = "facet";
  let summary = "Graph-level dialect with ONNX semantics";
  let description = [{
    Facet's graph-level IR. Ops keep ONNX's semantics so that the importer is
    a direct translation and graph passes (shape specialization, constant
    folding, raising of linear layers and attention) can reason in ONNX
    terms. Node names survive as `NameLoc` locations.
  }];
  let cppNamespace = "::facet";
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 0;
  let hasConstantMaterializer = 1;
}

class Facet_Op<string mnemonic, list<Trait> traits = []>
    : Op<Facet_Dialect, mnemonic, traits>;

#endif // FACET_DIALECT_FACET_IR_FACETDIALECT_TD
