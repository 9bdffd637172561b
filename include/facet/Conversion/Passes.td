//===- Passes.td - Facet conversion passes ------------------*- tablegen -*-===//
#ifndef FACET_CONVERSION_PASSES_TD
#define FACET_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertFacetToLinalg : Pass<"convert-facet-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower facet graph ops to linalg, tensor and arith";
  let description = [{
    Rewrites every `facet` op into upstream tensor-level IR: contractions into
    `linalg.matmul` or `linalg.generic` (transposes and batch broadcasting in
    the indexing maps), elementwise ops with numpy broadcasting into
    `linalg.generic`, constants into `arith.constant`, `facet.attention`
    into the fused online-softmax kernel (docs/Attention.md). Requires static shapes;
    an op with a dynamic shape is an error naming the op.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect",
  ];
  let options = [
    Option<"vectorLanes", "vector-lanes", "int64_t", "8",
           "f32 lanes per vector register (8 AVX2, 16 AVX-512): the block "
           "sizes of the fused attention kernel">,
  ];
}

def ConvertFactorToLinalg : Pass<"convert-factor-to-linalg"> {
  let summary = "Lower factor.contract and factor.tt_gather to linalg";
  let description = [{
    Each `factor.contract` becomes its pairwise contractions in the order of
    its `path` (searched when absent, see factor-choose-contraction-order).
    A step of a run-time tensor with a constant core is a plain 2-D
    contraction `x[M, K] · W[K, N]` (the core permuted and reshaped at compile
    time, the run-time side transposed only when needed), the form that
    `facet-pack-weights` packs and the CPU code generation tiles; other steps
    are one `linalg.generic` each. `factor.tt_gather` becomes one
    `linalg.generic` per core, gathering core slices by the indices' digits:
    the dense table is never built.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def EmitModelCABI : Pass<"facet-emit-model-c-abi", "mlir::ModuleOp"> {
  let summary = "Emit the C ABI of include/facet/Runtime/FacetModel.h";
  let description = [{
    Runs on the LLVM dialect, after the model's entry function was lowered
    with the bare-pointer calling convention and its results turned into
    out-parameters. Reads the module's `facet.model_signature` attribute
    (names, element types and shapes of inputs and outputs), makes the entry
    function internal, and adds `facet_run`, `facet_num_inputs`,
    `facet_input_info`, ... with the tensor descriptions as constant globals.
    With a `facet.workspace_slots` attribute (facet-plan-buffers) the entry
    takes one more pointer per slot: facet_run hands it slots of a workspace
    that it caches across calls (atomic exchange; a concurrent call
    allocates its own). Input and output pointers are marked noalias.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"_facet_main\"",
           "Name of the lowered entry function">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // FACET_CONVERSION_PASSES_TD
