//===- facet-opt.cpp - mlir-opt with Facet's dialects and passes ----------===//
#include "facet/Compiler/Compiler.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  facet::registerFacetPasses();
  mlir::DialectRegistry registry;
  facet::registerFacetCompilerDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Facet optimizer driver\n", registry));
}
