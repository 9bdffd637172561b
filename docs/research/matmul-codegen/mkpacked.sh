#!/bin/bash
# usage: mkpacked.sh M K N MC NBC KC MR KR [peel]  -> builds recipe for pre-packed W [N/16][K][16]
set -e; cd /tmp/mm-research
M=$1 K=$2 N=$3 MC=$4 NBC=$5 KC=$6 MR=$7 KR=$8 PEEL=$9
d=build/packed_${M}x${K}x${N}_${MC}-${NBC}-${KC}_${MR}-${KR}${PEEL:+_peel}; mkdir -p $d
python3 gen.py payload --M $M --K $K --N $N --variant packed --tag > $d/payload.mlir
PEELTXT=""
if [ -n "$PEEL" ]; then PEELTXT='
    %pm = transform.cast %l2#0 : !transform.any_op to !transform.op<"scf.for">
    %pm_main, %pm_rem = transform.loop.peel %pm : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)'; fi
cat > $d/lib.mlir <<EOT
module attributes {transform.with_named_sequence} {
  transform.named_sequence @facet_tile(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match attributes{"facet.contraction"} in %root : (!transform.any_op) -> !transform.any_op
    // loops (m, nb, n16, k): cache tile; n16 (the packed 16-wide panel) is never tiled
    %t1, %l1:3 = transform.structured.tile_using_for %mm tile_sizes [$MC, $NBC, 0, $KC]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %t2, %l2:3 = transform.structured.tile_using_for %t1 tile_sizes [$MR, 1, 0, $KR]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
$PEELTXT
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    // the unit-dim folding rebuilt the tiles (dropping attributes): re-find them inside the cache loops
    %v = transform.structured.match ops{["linalg.generic"]} in %l1#0 : (!transform.any_op) -> !transform.any_op
    transform.annotate %v "facet.vec" : !transform.any_op
    transform.yield
  }
EOT
sed "s/transform.structured.vectorize %ops vector_sizes \[[0-9, ]*\]/transform.structured.vectorize %ops vector_sizes [$MR, 16, $KR]/" vecpart.txt >> $d/lib.mlir
BUF='one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-results-to-out-params{hoist-static-allocs},canonicalize,cse,buffer-deallocation-pipeline'
mlir-opt-22 $d/payload.mlir --pass-pipeline="builtin.module(transform-preload-library{transform-library-paths=$d/lib.mlir},transform-interpreter{entry-point=facet_tile},canonicalize,cse,$BUF,transform-interpreter{entry-point=facet_vectorize},canonicalize,cse)" -o $d/mid.mlir
./lower.sh $d/mid.mlir $d/k.o 2>/dev/null
clang++-22 -O2 -DMM_M=$M -DMM_K=$K -DMM_N=$N -DTRANSB=0 -DPACKED=16 -DVARIANT="\"$(basename $d)\"" harness.cpp $d/k.o -o $d/run.exe
echo $d/run.exe
