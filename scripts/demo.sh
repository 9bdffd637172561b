#!/usr/bin/env bash
# Facet's main job on the bundled language model (examples/tinygpt, a
# GPT-2-style decoder trained on the King James Bible): compile it dense and
# factorized at a budget, generate text with both, and print parameters,
# latency per token, held-out perplexity and the compression report.
# Usage: scripts/demo.sh [examples/tinygpt/demo.py flags, e.g. --keep 0.6]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${FACET_BUILD_DIR:-$ROOT/build}"
cd "$ROOT"

bash scripts/setup.sh
bash scripts/build.sh facet-compile facet-run
exec python3 examples/tinygpt/demo.py --build "$BUILD" "$@"
