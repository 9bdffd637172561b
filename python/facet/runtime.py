"""ctypes binding of the C ABI of compiled Facet models (FacetModel.h)."""
import ctypes
import os
from dataclasses import dataclass
from typing import Dict, List, Mapping, Tuple, Union

import numpy as np

ABI_VERSION = 1

# ONNX TensorProto.DataType -> numpy dtype.
_DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 5: np.int16, 6: np.int32,
           7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64}


class _Info(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64))]


@dataclass(frozen=True)
class TensorInfo:
    name: str
    dtype: np.dtype
    shape: Tuple[int, ...]


class CompiledModel:
    """A loaded model library. ``run`` is thread-safe (the C ABI is
    reentrant)."""

    def __init__(self, path: str):
        # An absolute path: dlopen would search the library path for a bare
        # file name.
        self.path = os.path.abspath(path)
        self._lib = ctypes.CDLL(self.path, mode=ctypes.RTLD_LOCAL)
        lib = self._lib
        lib.facet_abi_version.restype = ctypes.c_uint32
        version = lib.facet_abi_version()
        if version != ABI_VERSION:
            raise RuntimeError(f"{path}: C ABI version {version}, this "
                               f"package supports {ABI_VERSION}")
        for fn in ("facet_input_info", "facet_output_info"):
            getattr(lib, fn).restype = ctypes.POINTER(_Info)
            getattr(lib, fn).argtypes = [ctypes.c_int32]
        lib.facet_run.restype = ctypes.c_int32
        lib.facet_run.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self.inputs = self._infos(lib.facet_num_inputs(), lib.facet_input_info)
        self.outputs = self._infos(lib.facet_num_outputs(),
                                   lib.facet_output_info)

    @staticmethod
    def _infos(count, fn) -> List[TensorInfo]:
        infos = []
        for i in range(count):
            info = fn(i).contents
            if info.dtype not in _DTYPES:
                raise RuntimeError(f"unsupported dtype code {info.dtype}")
            infos.append(TensorInfo(
                info.name.decode(), np.dtype(_DTYPES[info.dtype]),
                tuple(info.shape[d] for d in range(info.rank))))
        return infos

    def run(self, feeds: Union[Mapping[str, np.ndarray], List[np.ndarray]]
            ) -> Dict[str, np.ndarray]:
        if not isinstance(feeds, Mapping):
            feeds = {info.name: v for info, v in zip(self.inputs, feeds)}
        unknown = set(feeds) - {i.name for i in self.inputs}
        if unknown:
            raise KeyError(f"not inputs of the model: {sorted(unknown)}")
        arrays = []
        for info in self.inputs:
            if info.name not in feeds:
                raise KeyError(f"missing input '{info.name}'")
            a = np.asarray(feeds[info.name])
            if a.dtype != info.dtype or a.shape != info.shape:
                raise ValueError(
                    f"input '{info.name}': expected {info.dtype}"
                    f"{list(info.shape)}, got {a.dtype}{list(a.shape)}")
            arrays.append(np.ascontiguousarray(a))
        outs = [np.empty(o.shape, o.dtype) for o in self.outputs]
        in_ptrs = (ctypes.c_void_p * max(1, len(arrays)))(
            *[a.ctypes.data for a in arrays])
        out_ptrs = (ctypes.c_void_p * max(1, len(outs)))(
            *[o.ctypes.data for o in outs])
        rc = self._lib.facet_run(in_ptrs, out_ptrs)
        if rc != 0:
            raise RuntimeError(f"facet_run failed with code {rc}")
        return {info.name: o for info, o in zip(self.outputs, outs)}


def load(path: str) -> CompiledModel:
    return CompiledModel(path)
