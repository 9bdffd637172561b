"""Writes MLIR modules holding one factor.contract of an activation with
constant cores (dense_resource blobs), for the factor dialect's end-to-end
tests: the same cores feed numpy's einsum as the independent reference.
"""
import numpy as np


def _blob(arr):
    """MLIR's textual dense_resource blob: 0x, uint32 alignment, raw bytes."""
    data = np.ascontiguousarray(arr, dtype=np.float32).tobytes()
    return "0x" + (4).to_bytes(4, "little").hex().upper() + data.hex().upper()


def _resources(cores):
    """The dialect_resources block holding core<i> for every core."""
    return ("{-#\n  dialect_resources: {\n    builtin: {\n" +
            ",\n".join(f"      core{i}: \"{_blob(c)}\""
                        for i, c in enumerate(cores)) +
            "\n    }\n  }\n#-}")


def _ttype(shape):
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


def contract_module(equation, x_shape, cores, out_shape, fmt="svd", ranks=(1,),
                    source="layer", path=None):
    """A module whose @main(x) returns factor.contract(x, cores...)."""
    lines = ["module {",
             f"  func.func @main(%x: {_ttype(x_shape)}) -> {_ttype(out_shape)} {{"]
    names = []
    for i, c in enumerate(cores):
        names.append(f"%c{i}")
        lines.append(f"    %c{i} = arith.constant dense_resource<core{i}> : "
                     f"{_ttype(c.shape)}")
    operands = ", ".join(["%x"] + names)
    types = ", ".join([_ttype(x_shape)] + [_ttype(c.shape) for c in cores])
    attrs = [f"format = #factor.format<{fmt}>",
             "ranks = array<i64: " + ", ".join(str(r) for r in ranks) + ">",
             f'source = "{source}"']
    if path is not None:
        attrs.append("path = array<i64: " +
                     ", ".join(str(p) for pair in path for p in pair) + ">")
    lines.append(f'    %y = factor.contract "{equation}" ({operands}) '
                 f'{{{", ".join(attrs)}}} : ({types}) -> {_ttype(out_shape)}')
    lines.append(f"    return %y : {_ttype(out_shape)}")
    lines += ["  }", "}", _resources(cores)]
    return "\n".join(lines) + "\n"


def tt_gather_module(ids_shape, cores, rows, row_dims, col_dims, ranks):
    """A module whose @main(ids: i64) returns factor.tt_gather(ids, cores)."""
    it = "tensor<" + "x".join(str(d) for d in ids_shape) + "xi64>"
    out_shape = list(ids_shape) + [int(np.prod(col_dims))]
    lines = ["module {",
             f"  func.func @main(%ids: {it}) -> {_ttype(out_shape)} {{"]
    for i, c in enumerate(cores):
        lines.append(f"    %c{i} = arith.constant dense_resource<core{i}> : "
                     f"{_ttype(c.shape)}")
    arr = lambda v: "array<i64: " + ", ".join(str(x) for x in v) + ">"
    operands = ", ".join(["%ids"] + [f"%c{i}" for i in range(len(cores))])
    types = ", ".join([it] + [_ttype(c.shape) for c in cores])
    lines.append(f"    %e = factor.tt_gather {operands} {{rows = {rows} : i64, "
                 f"row_dims = {arr(row_dims)}, col_dims = {arr(col_dims)}, "
                 f"ranks = {arr(ranks)}}} : ({types}) -> {_ttype(out_shape)}")
    lines.append(f"    return %e : {_ttype(out_shape)}")
    lines += ["  }", "}", _resources(cores)]
    return "\n".join(lines) + "\n"
