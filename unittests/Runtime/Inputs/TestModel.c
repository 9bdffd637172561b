/*===- TestModel.c - A hand-written model implementing FacetModel.h -------===*\
|*                                                                            *|
|* y = 2 * x (float32 [2, 3]); n = count of b != 0 (bool [3] -> int64 []).    *|
|* Built three ways to exercise ModelLibrary's checks: as is, with another    *|
|* ABI version (FACET_TEST_ABI), and without facet_run (FACET_TEST_NO_RUN).   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "facet/Runtime/FacetModel.h"

#include <stddef.h>

#ifndef FACET_TEST_ABI
#define FACET_TEST_ABI FACET_ABI_VERSION
#endif

#define EXPORT __attribute__((visibility("default")))

static const int64_t kXShape[] = {2, 3};
static const int64_t kBShape[] = {3};
static const facet_tensor_info kInputs[] = {
    {"x", FACET_DTYPE_FLOAT, 2, kXShape},
    {"b", FACET_DTYPE_BOOL, 1, kBShape},
};
static const facet_tensor_info kOutputs[] = {
    {"y", FACET_DTYPE_FLOAT, 2, kXShape},
    {"n", FACET_DTYPE_INT64, 0, NULL},
};

EXPORT uint32_t facet_abi_version(void) { return FACET_TEST_ABI; }
EXPORT int32_t facet_num_inputs(void) { return 2; }
EXPORT int32_t facet_num_outputs(void) { return 2; }

EXPORT const facet_tensor_info *facet_input_info(int32_t index) {
  return index >= 0 && index < 2 ? &kInputs[index] : NULL;
}

EXPORT const facet_tensor_info *facet_output_info(int32_t index) {
  return index >= 0 && index < 2 ? &kOutputs[index] : NULL;
}

#ifndef FACET_TEST_NO_RUN
EXPORT int32_t facet_run(const void *const *inputs, void *const *outputs) {
  if (!inputs || !outputs || !inputs[0] || !inputs[1] || !outputs[0] ||
      !outputs[1])
    return 1;
  const float *x = (const float *)inputs[0];
  const unsigned char *b = (const unsigned char *)inputs[1];
  float *y = (float *)outputs[0];
  int64_t *n = (int64_t *)outputs[1];
  for (int i = 0; i < 6; ++i)
    y[i] = 2 * x[i];
  *n = 0;
  for (int i = 0; i < 3; ++i)
    *n += b[i] != 0;
  return 0;
}
#endif
