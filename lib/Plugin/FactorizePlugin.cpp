//===- Plugin.cpp - Facet's factorization as an mlir-opt pass plugin ------===//
//
//   mlir-opt-22 --load-pass-plugin=lib/FacetFactorizePlugin.so \
//     --pass-pipeline='builtin.module(factor-factorize-contractions{keep=0.5},
//                      convert-factor-to-linalg)' in.mlir
//
// Registers the factorization, order-search, densify and lowering passes;
// the factor dialect loads with them (their dependent dialects).
//
//===----------------------------------------------------------------------===//

#include "facet/Conversion/Passes.h"
#include "facet/Dialect/Factor/Transforms/Passes.h"
#include "facet/Factorize/Passes.h"

#include "mlir/Tools/Plugins/PassPlugin.h"

extern "C" LLVM_ATTRIBUTE_WEAK ::mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "FacetFactorize", "v0.1", []() {
            facet::factorize::registerFactorizeContractions();
            facet::factor::registerFactorTransformsPasses();
            facet::registerConvertFactorToLinalg();
          }};
}
