#!/bin/bash
# Build (core 0) then run (core 1) everything for the results table. Output: results.txt
cd /tmp/mm-research
: > exes.txt
for M in 1 8 32 128 512; do for KN in "768 768" "768 3072" "3072 768" "1024 4096"; do
  set -- $KN; K=$1; N=$2
  read T1 T2 MODE < <(python3 heuristic.py $M $K $N)
  for V in gen_mkn gen_nt; do
    taskset -c 0 ./build.sh naive $V $M $K $N >> exes.txt 2>>build_err.txt
    taskset -c 0 ./build.sh recipe $V $M $K $N $T1 $T2 $MODE >> exes.txt 2>>build_err.txt || echo "BUILD FAIL recipe $V $M $K $N" >> build_err.txt
  done
done; done
echo built
: > results.txt
for M in 1 8 32 128 512; do for KN in "768 768" "768 3072" "3072 768" "1024 4096"; do
  set -- $KN
  taskset -c 1 ./eigen_bench $M $1 $2 >> results.txt; taskset -c 1 ./eigen_bench $M $1 $2 t >> results.txt
done; done
while read e; do budget=0.3; case $e in *naive*) budget=0.5;; esac; taskset -c 1 $e $budget >> results.txt; done < exes.txt
echo done
