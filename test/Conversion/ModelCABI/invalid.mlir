// RUN: facet-opt %s -split-input-file -facet-emit-model-c-abi -verify-diagnostics

// expected-error @+1 {{module has no facet.model_signature attribute}}
module {
  llvm.func @_facet_main() {
    llvm.return
  }
}

// -----

// expected-error @+1 {{no lowered entry function '_facet_main'}}
module attributes {facet.model_signature = {inputs = [], outputs = []}} {
}

// -----

module attributes {facet.model_signature = {
    inputs = [{dtype = 1 : i32, name = "x", type = tensor<2xf32>}],
    outputs = [{dtype = 1 : i32, name = "y", type = tensor<2xf32>}]}} {
  // expected-error @+1 {{entry must take 2 pointers and return nothing}}
  llvm.func @_facet_main(%x: !llvm.ptr) {
    llvm.return
  }
}

// -----

// expected-error @+1 {{malformed inputs entry in facet.model_signature}}
module attributes {facet.model_signature = {
    inputs = [{name = "x", type = tensor<?xf32>, dtype = 1 : i32}],
    outputs = []}} {
  llvm.func @_facet_main(%x: !llvm.ptr) {
    llvm.return
  }
}
