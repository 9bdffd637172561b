//===- Passes.td - Facet's transformations of upstream IR ---*- tablegen -*-===//
//
// Passes that work on upstream dialects (linalg, tensor, ...) and so also run
// in other MLIR compilers' pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TRANSFORMS_PASSES_TD
#define FACET_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FuseElementwise : Pass<"facet-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops into elementwise consumers only";
  let description = [{
    Like upstream `linalg-fuse-elementwise-ops`, but a producer is fused only
    into a consumer whose loops are all parallel, and only when the consumer
    is its single user. Upstream also fuses into reductions, which recomputes
    the producer once per reduction step: an activation (erf, exp) fused into
    the matmul that consumes it runs N times per element.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def FuseIntoReductions : Pass<"facet-fuse-into-reductions"> {
  let summary = "Fuse elementwise producers into consumers that read each element once";
  let description = [{
    What facet-fuse-elementwise does (a single-use producer into an
    elementwise consumer), and also: an elementwise producer into a
    reduction whose operand map is a permutation of all its loops (it reads
    each element once: softmax's row max, layernorm's row sums), and a cheap
    producer (at most 4 arithmetic ops, no math functions) into each of
    several such consumers, so that attention's scale-and-mask or a bias +
    residual add is recomputed where it is read instead of written to memory
    and read back.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def CopiesToLinalg : Pass<"facet-copies-to-linalg"> {
  let summary = "Rewrite strided memref.copy as linalg.copy";
  let description = [{
    After bufferization, copies between views with non-identity layouts
    (insert_slice into a concatenation, a slice of a split) would lower to a
    call of `memrefCopy` from MLIR's C runner utilities, which compiled
    models must not depend on. They become `linalg.copy` (and so loops);
    copies between contiguous buffers stay memcpy.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def WidenBoolConstants : Pass<"facet-widen-bool-constants"> {
  let summary = "Feed constant i1 tensors to linalg ops as i8";
  let description = [{
    An `arith.constant` i1 tensor read by a `linalg.generic` (a causal mask)
    becomes an i8 tensor of 0/1 that the op truncates to i1 per element: i1
    loads do not vectorize (LLVM bit-packs vectors of i1, the array holds one
    byte per element), byte loads do.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def UnshareFills : Pass<"facet-unshare-fills"> {
  let summary = "Give every use of a linalg.fill its own fill";
  let description = [{
    On tensors, right before bufferization: a `linalg.fill` result used by
    several ops (CSE merges the zero-filled accumulators of all matmuls) is
    cloned, with its `tensor.empty`, once per further use. Bufferization then
    fills each accumulator in place instead of keeping one zero tensor alive
    and copying it before every use.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def PackWeights : Pass<"facet-pack-weights"> {
  let summary = "Repack constant contraction weights into column panels";
  let description = [{
    A contraction `out[m..., n] = sum_k x[m..., k] * W[k, n]` (or `W[n, k]`)
    whose weight is a constant f32 matrix becomes a contraction over
    `x[M, K]` and a new constant `Wp[N/P, K, P]`, `Wp[b, k, j] = W[k, b*P + j]`
    (N zero-padded to a multiple of P), followed by reshapes back to the
    original result. The micro-kernel then reads one contiguous P-wide row
    per k step, and a transposed weight (Gemm transB=1, torch's Linear) costs
    nothing. The new contraction is tagged `facet.packed_contraction` for
    `facet-tile-contractions`.
  }];
  let options = [
    Option<"panelWidth", "panel-width", "int64_t", "16",
           "Columns per panel: two vector registers of f32 (16 for AVX2)">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def TileContractions : Pass<"facet-tile-contractions"> {
  let summary = "Two-level tiling and peeling of packed contractions";
  let description = [{
    Tiles every `facet.packed_contraction` into cache tiles and register
    tiles chosen per shape (docs/CodeGen.md), peels the loops that do not
    divide so that every tile has a static shape, drops unit dims and tags
    the register tiles `facet.vec` for `facet-vectorize-contractions`.
    With `parallel`, the loops that threads share are marked
    `facet.parallel`: the panel blocks of packed contractions (their row
    blocks when there are fewer panel blocks than threads), the outer
    loop of activation products, and, for every other linalg op (elementwise,
    reductions, transposes) with at least 2^15 iterations, a loop over
    `threads` equal chunks of its first parallel dim that they divide.
    Runs on tensors, before bufferization.
  }];
  let options = [
    Option<"vectorLanes", "vector-lanes", "int64_t", "8",
           "f32 lanes per vector register of the target (8 AVX2, 16 AVX-512)">,
    Option<"parallel", "parallel", "bool", "false",
           "Mark the panel-block loops facet.parallel (for threads), and "
           "split every other big enough linalg op into `threads` parallel "
           "chunks">,
    Option<"threads", "threads", "int64_t", "2",
           "Chunks a parallel split makes (the thread count)">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::vector::VectorDialect"];
}

def VectorizeContractions : Pass<"facet-vectorize-contractions",
                                 "mlir::ModuleOp"> {
  let summary = "Vectorize the register tiles tagged facet.vec";
  let description = [{
    Runs after bufferization: vectorizes the static register tiles, hoists
    the accumulators out of the k loop and lowers the vector contraction to
    FMAs, with a fixed transform-dialect script (in TileContractions.cpp).
  }];
  let dependentDialects = ["mlir::transform::TransformDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def ParallelizeTiles : Pass<"facet-parallelize-tiles"> {
  let summary = "Run loops marked facet.parallel as OpenMP worksharing loops";
  let description = [{
    After bufferization: the loops that facet-tile-contractions marked
    (independent iterations writing disjoint parts of a result) become
    `omp.wsloop { omp.loop_nest }`. The marked loops of a function body,
    from the first to the last, share one `omp.parallel` (one fork/join per
    call, not per loop): the side effects between them run in `omp.single`,
    pure ops (constants, views) move in front; an op that is neither pure
    nor result-free (an allocation) ends such a run. Marked loops nested
    elsewhere get an `omp.parallel` each.
  }];
  let dependentDialects = ["mlir::omp::OpenMPDialect"];
}

def PlanBuffers : Pass<"facet-plan-buffers", "mlir::ModuleOp"> {
  let summary = "Place a function's temporary buffers in one reused workspace";
  let description = [{
    After bufferization (before buffer deallocation): every statically
    shaped `memref.alloc` in the entry block of function `entry` is placed
    in a slot; buffers whose live ranges (measured on the entry block's
    operations, through views and reshapes) do not overlap may share a slot,
    like registers. Each slot becomes a new trailing argument
    `memref<S x i8>` marked `llvm.noalias` (slots are disjoint memory, so
    LLVM still knows that buffers in different slots never alias), each
    allocation a `memref.view` of its slot, and the module gets
    `facet.workspace_slots = array<i64: S0, S1, ...>`. Buffers that escape
    (returned, passed to a call) keep their allocation.
    facet-emit-model-c-abi then carves the slots out of one workspace that
    the library allocates once, instead of every intermediate on every call.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"_facet_main\"",
           "Function whose temporaries are planned">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def LowerReductions : Pass<"facet-lower-reductions"> {
  let summary = "Lower linalg reductions to loops that carry the accumulator";
  let description = [{
    On buffers: a `linalg.generic` with one output whose reduction loops are
    innermost becomes parallel `scf.for` loops around reduction loops that
    carry the accumulator as an `iter_args` value (loaded once, stored once),
    instead of `convert-linalg-to-loops`' load and store per iteration. LLVM
    can then keep it in a register and vectorize the reduction without
    proving that the output does not alias the inputs (temporaries share one
    workspace after facet-plan-buffers).
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::affine::AffineDialect"];
}

def ApproximateMath : Pass<"facet-approximate-math"> {
  let summary = "Replace f32 erf, tanh, exp and constant powers by vectorizable code";
  let description = [{
    Upstream MLIR's polynomial approximations (accurate to a few ulp in f32)
    instead of scalar libm calls, so that Gelu, Tanh and Softmax vectorize;
    and upstream's algebraic simplifications, so that `powf` with a small
    constant exponent (x^2, x^3, x^0.5, ...) becomes multiplications/sqrt.
  }];
  let dependentDialects = ["mlir::math::MathDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::vector::VectorDialect"];
}

#endif // FACET_TRANSFORMS_PASSES_TD
