/* A plain C host of a compiled model: loads it with dlopen, checks the ABI's
 * queries and edge cases, runs it on an input of ones and prints the output.
 * Usage: abi_client LIB */
#include "facet/Runtime/FacetModel.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#define LOAD(var, name)                                                        \
  var = dlsym(lib, name);                                                      \
  if (!var) {                                                                  \
    printf("missing %s\n", name);                                              \
    return 1;                                                                  \
  }

int main(int argc, char **argv) {
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    printf("dlopen: %s\n", dlerror());
    return 1;
  }
  uint32_t (*version)(void);
  int32_t (*num_inputs)(void), (*num_outputs)(void);
  const facet_tensor_info *(*input_info)(int32_t), *(*output_info)(int32_t);
  int32_t (*run)(const void *const *, void *const *);
  LOAD(version, "facet_abi_version");
  LOAD(num_inputs, "facet_num_inputs");
  LOAD(num_outputs, "facet_num_outputs");
  LOAD(input_info, "facet_input_info");
  LOAD(output_info, "facet_output_info");
  LOAD(run, "facet_run");
  printf("abi=%u inputs=%d outputs=%d\n", version(), num_inputs(),
         num_outputs());
  for (int32_t i = 0; i < num_inputs(); ++i) {
    const facet_tensor_info *t = input_info(i);
    printf("input %d: %s dtype=%d rank=%d shape=", i, t->name, t->dtype,
           t->rank);
    for (int32_t d = 0; d < t->rank; ++d)
      printf("%s%lld", d ? "x" : "", (long long)t->shape[d]);
    printf("\n");
  }
  const facet_tensor_info *out = output_info(0);
  printf("output 0: %s dtype=%d rank=%d\n", out->name, out->dtype, out->rank);
  printf("input_info(-1)=%s input_info(%d)=%s output_info(1000)=%s\n",
         input_info(-1) ? "ptr" : "NULL", num_inputs(),
         input_info(num_inputs()) ? "ptr" : "NULL",
         output_info(1000) ? "ptr" : "NULL");

  /* Single float input and output assumed by this client. */
  const facet_tensor_info *in = input_info(0);
  long n = 1, m = 1;
  for (int32_t d = 0; d < in->rank; ++d)
    n *= in->shape[d];
  for (int32_t d = 0; d < out->rank; ++d)
    m *= out->shape[d];
  float *x = malloc(n * sizeof(float)), *y = malloc(m * sizeof(float));
  for (long i = 0; i < n; ++i)
    x[i] = 1.0f;
  const void *ins[1] = {x};
  void *outs[1] = {y};
  const void *null_ins[1] = {NULL};
  printf("run(NULL, outs)=%d run(ins, NULL)=%d run({NULL}, outs)=%d\n",
         run(NULL, outs), run(ins, NULL), run(null_ins, outs));
  int rc = run(ins, outs);
  printf("run=%d y=", rc);
  for (long i = 0; i < m; ++i)
    printf("%s%g", i ? "," : "", y[i]);
  printf("\n");
  free(x);
  free(y);
  return rc;
}
