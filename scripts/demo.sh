#!/usr/bin/env bash
# Facet's main job on the bundled example: compile examples/mlp/mlp.onnx ahead
# of time into a shared library, run it, print its outputs and latency, and
# compare with onnxruntime on the same input.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${FACET_BUILD_DIR:-$ROOT/build}"
cd "$ROOT"

bash scripts/setup.sh
bash scripts/build.sh facet-compile facet-run

MODEL=examples/mlp/mlp.onnx
INPUT=examples/mlp/input.npy
OUT="$BUILD/examples"
mkdir -p "$OUT"
BATCH=$(python3 -c "import numpy; print(numpy.load('$INPUT').shape[0])")

echo "== compile $MODEL (batch $BATCH)"
start=$(date +%s%N)
"$BUILD/bin/facet-compile" "$MODEL" --shape "features=${BATCH}x128" -O3 -o "$OUT/mlp.so"
end=$(date +%s%N)
echo "compiled to $OUT/mlp.so in $(( (end - start) / 1000000 )) ms"

echo "== run"
"$BUILD/bin/facet-run" "$OUT/mlp.so" --input "features=$INPUT" \
  --output-dir "$OUT" --bench 200

echo "== onnxruntime on the same input (1 thread)"
python3 benchmarks/compare_with_onnxruntime.py "$MODEL" "$OUT/mlp.so" \
  --input "features=$INPUT" --runs 200
