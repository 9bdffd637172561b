#!/bin/bash
# usage: build.sh MODE VARIANT M K N [T1 T2 [pad]]    MODE = naive | recipe
# produces build/<name>.exe ; prints its name
set -e
cd /tmp/mm-research
MODE=$1; VAR=$2; M=$3; K=$4; N=$5; T1=${6:-64,128,256}; T2=${7:-8,32,1}; PAD=$8  # "", pad, peel or masked
name=${MODE}_${VAR}_${M}x${K}x${N}
[ $MODE = recipe ] && name=${name}_${T1//,/-}_${T2//,/-}${PAD:+_$PAD}
d=build/$name; mkdir -p $d
python3 gen.py payload --M $M --K $K --N $N --variant $VAR --tag > $d/payload.mlir
BUF='one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-results-to-out-params{hoist-static-allocs},canonicalize,cse,buffer-deallocation-pipeline'
if [ $MODE = naive ]; then
  mlir-opt-22 $d/payload.mlir --pass-pipeline="builtin.module($BUF)" -o $d/mid.mlir
else
  python3 gen.py lib --M $M --K $K --N $N --variant $VAR --t1 $T1 --t2 $T2 ${PAD:+--$PAD} > $d/lib.mlir
  mlir-opt-22 $d/payload.mlir --pass-pipeline="builtin.module(transform-preload-library{transform-library-paths=$d/lib.mlir},transform-interpreter{entry-point=facet_tile},canonicalize,cse,$BUF,transform-interpreter{entry-point=facet_vectorize},canonicalize,cse)" -o $d/mid.mlir
fi
./lower.sh $d/mid.mlir $d/k.o 2>/dev/null
TB=0; [ $VAR = gen_nt ] && TB=1
clang++-22 -O2 -DMM_M=$M -DMM_K=$K -DMM_N=$N -DTRANSB=$TB -DVARIANT="\"$name\"" harness.cpp $d/k.o -o $d/run.exe
echo $d/run.exe
