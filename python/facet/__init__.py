"""Facet's Python package.

Today it loads models compiled by ``facet-compile`` (shared libraries with the
C ABI of ``include/facet/Runtime/FacetModel.h``) and runs them on numpy
arrays, with no dependency beyond numpy::

    import facet
    model = facet.load("model.so")
    outputs = model.run({"x": x})      # dict: output name -> numpy array
"""
from .runtime import CompiledModel, TensorInfo, load

__all__ = ["CompiledModel", "TensorInfo", "load"]
