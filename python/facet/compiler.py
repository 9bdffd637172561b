"""`facet.compile`: an ONNX model to a loaded compiled model, from Python.

    import facet
    model = facet.compile("model.onnx", shapes={"input_ids": (1, 128)},
                          factorize="svd", keep=0.5, report="report.json")
    logits = model.run({"input_ids": ids})["logits"]
    model.report        # the compression report (dict) when factorized

It runs the `facet-compile` driver (found in $FACET_COMPILE, the build tree
next to this package, or PATH) into a temporary shared library; nothing but
numpy is needed to run the result. Keyword arguments map onto the driver's
flags: `rank`, `energy`, `error`, `keep`, `fidelity`, `calibration`,
`validation`, `layers`, `embeddings`, `min_rank`, `rank_multiple`,
`fidelity_metric`,
`threads`, `opt_level`, `mcpu`, `mattr`.
"""
import json
import os
import shutil
import subprocess
import tempfile
from typing import Mapping, Optional, Sequence

from .runtime import CompiledModel

_HERE = os.path.dirname(os.path.abspath(__file__))


class CompileError(RuntimeError):
    """facet-compile refused the model or a flag; the message is its."""


def find_compiler() -> str:
    env = os.environ.get("FACET_COMPILE")
    if env:
        return env
    tree = os.path.join(_HERE, "..", "..", "build", "bin", "facet-compile")
    if os.access(tree, os.X_OK):
        return os.path.normpath(tree)
    found = shutil.which("facet-compile")
    if found:
        return found
    raise CompileError("facet-compile not found: set FACET_COMPILE or build "
                       "Facet (scripts/build.sh)")


_FLAGS = {"rank": "--rank", "energy": "--energy", "error": "--error",
          "keep": "--keep", "fidelity": "--fidelity",
          "calibration": "--calibration", "validation": "--validation",
          "layers": "--layers", "min_rank": "--min-rank",
          "rank_multiple": "--rank-multiple",
          "fidelity_metric": "--fidelity-metric", "threads": "--threads",
          "mcpu": "--mcpu", "mattr": "--mattr"}


def compile(model: str, shapes: Optional[Mapping[str, Sequence[int]]] = None,
            output: Optional[str] = None, *, factorize: Optional[str] = None,
            report: Optional[str] = None, embeddings: bool = False,
            opt_level: int = 3, extra_args: Sequence[str] = (),
            **flags) -> CompiledModel:
    """Compiles `model` (.onnx or .mlir) and loads it. `output` keeps the
    library at that path; otherwise it is built in a temporary directory
    that is removed once the library is loaded (it stays mapped)."""
    unknown = set(flags) - set(_FLAGS)
    if unknown:
        raise TypeError(f"unknown arguments: {sorted(unknown)}")
    cmd = [find_compiler(), model, f"-O{opt_level}"]
    for name, dims in (shapes or {}).items():
        cmd.append(f"--shape={name}=" + "x".join(str(int(d)) for d in dims))
    if factorize:
        cmd.append(f"--factorize={factorize}")
    if embeddings:
        cmd.append("--embeddings")
    for key, value in flags.items():
        if value is not None:
            cmd.append(f"{_FLAGS[key]}={value}")
    tmp = None
    if report is None and factorize:
        tmp = tempfile.mkdtemp(prefix="facet-compile-")
        report = os.path.join(tmp, "report.json")
    if report:
        cmd.append(f"--report={report}")
    if output is None:
        tmp = tmp or tempfile.mkdtemp(prefix="facet-compile-")
        output = os.path.join(tmp, "model.so")
    cmd += list(extra_args) + ["-o", output]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise CompileError((r.stderr or r.stdout).strip())
    compiled = CompiledModel(output)
    compiled.report = None
    if report:
        with open(report, encoding="utf-8") as f:
            compiled.report = json.load(f)
    compiled.log = r.stdout
    if tmp:
        # The library is mapped; its file and the report can go.
        shutil.rmtree(tmp, ignore_errors=True)
    return compiled
