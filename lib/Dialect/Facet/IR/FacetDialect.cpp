//===- FacetDialect.cpp - facet dialect registration ----------------------===//
#include "facet/Dialect/Facet/IR/FacetDialect.h"
#include "facet/Dialect/Facet/IR/FacetOps.h"

using namespace mlir;
using namespace facet;

#include "facet/Dialect/Facet/IR/FacetOpsDialect.cpp.inc"

void FacetDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "facet/Dialect/Facet/IR/FacetOps.cpp.inc"
      >();
}

Operation *FacetDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type || !isa<ElementsAttr>(value))
    return nullptr;
  return ConstantOp::create(builder, loc, typed);
}
