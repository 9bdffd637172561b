#!/bin/bash
# usage: lower.sh in.mlir(after vec, memref level, func @_facet_main private) out.o
set -e
in=$1; out=$2
sed 's/func.func private @_facet_main/func.func @mm_kernel/' $in > ${out%.o}.pub.mlir
mlir-opt-22 ${out%.o}.pub.mlir --pass-pipeline='builtin.module(convert-vector-to-scf{full-unroll=true},convert-linalg-to-loops,lower-affine,convert-scf-to-cf,canonicalize,cse,convert-vector-to-llvm,expand-strided-metadata,lower-affine,finalize-memref-to-llvm,convert-arith-to-llvm,convert-math-to-llvm,convert-func-to-llvm{use-bare-ptr-memref-call-conv},convert-cf-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts,canonicalize)' -o ${out%.o}.llvm.mlir
mlir-translate-22 --mlir-to-llvmir ${out%.o}.llvm.mlir -o ${out%.o}.ll
# emulate Facet: reassoc/contract fast-math flags on fp ops -> clang -ffast-math is a stand-in; opt -O3 then llc
clang-22 -O3 -march=native -ffp-contract=fast ${FASTMATH:--ffast-math} -c ${out%.o}.ll -o $out
