#!/usr/bin/env bash
# Configures (once) and builds Facet in ./build with Ninja and ccache.
# Usage: scripts/build.sh [ninja targets...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${FACET_BUILD_DIR:-$ROOT/build}"
JOBS="${FACET_JOBS:-$(nproc)}"

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DPython3_EXECUTABLE="$(command -v python3)" >"$BUILD.configure.log" 2>&1 || {
    cat "$BUILD.configure.log"; exit 1; }
fi
ninja -C "$BUILD" -j "$JOBS" "$@"
