/* Runs a compiled model from several threads at once: each thread feeds its
 * own input, computed once beforehand on the main thread, and checks that
 * every concurrent result is bit-identical to it (the workspace of
 * temporaries must never be shared between calls in flight).
 * Usage: concurrent_client LIB. Single float input and output assumed. */
#include "facet/Runtime/FacetModel.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define RUNS 500

static int32_t (*run)(const void *const *, void *const *);
static long n, m;

typedef struct {
  float *x, *ref, *y;
  int bad;
} job;

static void *work(void *arg) {
  job *j = arg;
  const void *ins[1] = {j->x};
  void *outs[1] = {j->y};
  for (int r = 0; r < RUNS; ++r)
    if (run(ins, outs) != 0 || memcmp(j->y, j->ref, m * sizeof(float)) != 0)
      ++j->bad;
  return NULL;
}

static long count(const facet_tensor_info *t) {
  long c = 1;
  for (int32_t d = 0; d < t->rank; ++d)
    c *= t->shape[d];
  return c;
}

int main(int argc, char **argv) {
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    printf("dlopen: %s\n", dlerror());
    return 1;
  }
  const facet_tensor_info *(*input_info)(int32_t) =
      (const facet_tensor_info *(*)(int32_t))dlsym(lib, "facet_input_info");
  const facet_tensor_info *(*output_info)(int32_t) =
      (const facet_tensor_info *(*)(int32_t))dlsym(lib, "facet_output_info");
  run = (int32_t(*)(const void *const *, void *const *))dlsym(lib, "facet_run");
  n = count(input_info(0));
  m = count(output_info(0));
  job jobs[THREADS];
  for (int t = 0; t < THREADS; ++t) {
    jobs[t].x = malloc(n * sizeof(float));
    jobs[t].ref = malloc(m * sizeof(float));
    jobs[t].y = malloc(m * sizeof(float));
    jobs[t].bad = 0;
    for (long i = 0; i < n; ++i)
      jobs[t].x[i] = (float)((i * 7 + t * 13) % 17) / 4.0f - 2.0f;
    const void *ins[1] = {jobs[t].x};
    void *outs[1] = {jobs[t].ref};
    if (run(ins, outs) != 0) {
      printf("run failed\n");
      return 1;
    }
  }
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; ++t)
    pthread_create(&threads[t], NULL, work, &jobs[t]);
  int bad = 0;
  for (int t = 0; t < THREADS; ++t) {
    pthread_join(threads[t], NULL);
    bad += jobs[t].bad;
  }
  /* Distinct inputs must give distinct outputs, or the check proves little. */
  int distinct = memcmp(jobs[0].ref, jobs[1].ref, m * sizeof(float)) != 0;
  printf("concurrent runs: %d threads x %d, %d mismatches, distinct=%d\n",
         THREADS, RUNS, bad, distinct);
  dlclose(lib);
  return bad != 0;
}
