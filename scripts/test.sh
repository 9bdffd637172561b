#!/usr/bin/env bash
# Installs what is missing, builds Facet and runs every test: lit (dialects,
# importer, conversions, error cases, end to end against onnxruntime) and the
# GoogleTest unit tests. Ends with one line "facet tests: N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${FACET_BUILD_DIR:-$ROOT/build}"
cd "$ROOT"

bash scripts/setup.sh || exit 1
bash scripts/build.sh all || exit 1

lit_log="$BUILD/lit.log"
/usr/lib/llvm-22/bin/lit -sv "$BUILD/test" 2>&1 | tee "$lit_log"
lit_rc=${PIPESTATUS[0]}
ctest_log="$BUILD/ctest.log"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" 2>&1 | tee "$ctest_log"
ctest_rc=${PIPESTATUS[0]}

count() { grep -Eo "^ *$1: +[0-9]+" "$lit_log" | grep -Eo '[0-9]+$' || echo 0; }
lit_pass=$(count Passed); lit_fail=$(count Failed)
lit_xfail=$(count "Expectedly Failed")
ctest_total=$(grep -Eo 'out of [0-9]+' "$ctest_log" | grep -Eo '[0-9]+' || echo 0)
ctest_fail=$(grep -Eo '[0-9]+ tests failed' "$ctest_log" | grep -Eo '^[0-9]+' || echo 0)
passed=$((lit_pass + lit_xfail + ctest_total - ctest_fail))
failed=$((lit_fail + ctest_fail))
if [ "$lit_rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
if [ "$ctest_rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "facet tests: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$lit_rc" = 0 ] && [ "$ctest_rc" = 0 ]
