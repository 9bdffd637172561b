// RUN: facet-opt %s -convert-facet-to-linalg -verify-diagnostics

// Lowering needs static shapes and says which op lacks them.
func.func @dynamic(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{cannot lower to linalg: dynamic shape 'tensor<?x4xf32>' (fix the model's dynamic dimensions with --shape)}}
  %0 = facet.relu %a : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
