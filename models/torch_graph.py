"""The torch.onnx.export conventions both model scripts reproduce: nodes
named `<scope>/<Op>_<k>` per module, outputs `<node>_output_<i>`, constants as
Constant nodes next to their use, folded parameters named `onnx::MatMul_<n>`.
"""
import contextlib

import numpy as np
from onnx import helper, numpy_helper


class TorchExportGraph:
    """Builds nodes and initializers named and ordered as torch does."""

    def __init__(self, opset):
        self.opset = opset
        self.nodes, self.inits = [], []
        self.counts = {}
        self.prefix = ""
        self.folded = 0

    @contextlib.contextmanager
    def scope(self, name):
        saved = self.prefix
        self.prefix = saved + "/" + name
        try:
            yield
        finally:
            self.prefix = saved

    def op(self, op_type, inputs, n_out=1, **attrs):
        key = (self.prefix, op_type)
        k = self.counts.get(key, 0)
        self.counts[key] = k + 1
        name = f"{self.prefix}/{op_type}" + (f"_{k}" if k else "")
        outs = [f"{name}_output_{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs,
                                           name=name, **attrs))
        return outs[0] if n_out == 1 else outs

    def const(self, value, dtype):
        return self.op("Constant", [],
                       value=numpy_helper.from_array(np.array(value,
                                                              dtype=dtype)))

    def i64(self, value):
        return self.const(value, np.int64)

    def f32(self, value):
        return self.const(value, np.float32)

    def init(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr),
                                                  name))
        return name

    def fold(self, arr):
        """A constant the exporter computed from a parameter (Linear's W^T)."""
        self.folded += 1
        return self.init(f"onnx::MatMul_{1000 + self.folded}", arr)

    def size(self, x, i):
        """x.size(i): Shape -> Gather(scalar index, axis=0), one Shape per
        use."""
        return self.op("Gather", [self.op("Shape", [x]), self.i64(i)], axis=0)

    def unsqueeze(self, x, axes):
        # axes is an input since opset 13
        return self.op("Unsqueeze", [x, self.i64(axes)])
