/*===- FacetModel.h - C ABI of a model compiled by Facet ----------*- C -*-===*\
|*                                                                            *|
|* A shared library (or object file) produced by `facet-compile` exports      *|
|* exactly the functions declared here. The library depends on nothing but    *|
|* the C library: no MLIR, no LLVM, no Python at run time.                    *|
|*                                                                            *|
|* Contract:                                                                  *|
|*  - Every tensor is dense, row-major (C order), with the static shape the   *|
|*    model was compiled for; `facet_input_info`/`facet_output_info` describe *|
|*    them. Element types use ONNX's TensorProto.DataType numbering.          *|
|*  - `facet_run` reads `inputs[i]` (one pointer per input, in declaration    *|
|*    order) and writes `outputs[j]`; the caller owns and allocates all of    *|
|*    them. Buffers must not overlap. Inputs are never written.               *|
|*  - `facet_run` is reentrant: weights are read-only globals; temporaries   *|
|*    live in a workspace that the library allocates on first use and keeps  *|
|*    for the next call (a call that finds it in use allocates its own), so  *|
|*    concurrent calls on different buffers are safe.                        *|
|*  - The ABI version only changes when this header changes incompatibly.     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef FACET_RUNTIME_FACETMODEL_H
#define FACET_RUNTIME_FACETMODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FACET_ABI_VERSION 1

/* Element types: the values of ONNX TensorProto.DataType. */
enum facet_dtype {
  FACET_DTYPE_FLOAT = 1,
  FACET_DTYPE_UINT8 = 2,
  FACET_DTYPE_INT8 = 3,
  FACET_DTYPE_INT32 = 6,
  FACET_DTYPE_INT64 = 7,
  FACET_DTYPE_BOOL = 9,
  FACET_DTYPE_FLOAT16 = 10,
  FACET_DTYPE_DOUBLE = 11,
};

/* Description of one input or output tensor. All pointers stay valid for the
 * lifetime of the loaded library. */
typedef struct facet_tensor_info {
  const char *name;     /* the ONNX graph input/output name, NUL-terminated */
  int32_t dtype;        /* enum facet_dtype */
  int32_t rank;         /* number of dimensions (0 for a scalar) */
  const int64_t *shape; /* `rank` static dimensions */
} facet_tensor_info;

/* Returns FACET_ABI_VERSION of the compiler that produced the library. */
uint32_t facet_abi_version(void);

int32_t facet_num_inputs(void);
int32_t facet_num_outputs(void);

/* Returns NULL when `index` is out of range. */
const facet_tensor_info *facet_input_info(int32_t index);
const facet_tensor_info *facet_output_info(int32_t index);

/* Runs the model. Returns 0 on success, non-zero on failure: 1 for a NULL
 * pointer in `inputs` or `outputs`, 2 when the workspace for temporaries
 * cannot be allocated. */
int32_t facet_run(const void *const *inputs, void *const *outputs);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FACET_RUNTIME_FACETMODEL_H */
