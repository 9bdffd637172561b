"""Facet's Python package.

It loads models compiled by ``facet-compile`` (shared libraries with the C ABI
of ``include/facet/Runtime/FacetModel.h``) and runs them on numpy arrays, with
no dependency beyond numpy, and compiles ONNX models from Python::

    import facet
    model = facet.load("model.so")
    outputs = model.run({"x": x})      # dict: output name -> numpy array

    model = facet.compile("model.onnx", shapes={"x": (8, 128)},
                          factorize="svd", keep=0.5)
    model.report["totals"]["keep"]
"""
from .compiler import CompileError, compile
from .runtime import CompiledModel, TensorInfo, load

__all__ = ["CompiledModel", "CompileError", "TensorInfo", "compile", "load"]
