//===- ModelLibrary.h - Load and run a compiled model -----------*- C++ -*-===//
//
// Loads a shared library produced by facet-compile (dlopen, RTLD_LOCAL, so
// several models can live in one process), checks its ABI version and runs it
// on host tensors, validating every input against the model's signature.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_MODELLIBRARY_H
#define FACET_RUNTIME_MODELLIBRARY_H

#include "facet/Runtime/FacetModel.h"
#include "facet/Runtime/Tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace facet::runtime {

struct TensorSpec {
  std::string name;
  int32_t dtype;
  std::vector<int64_t> shape;
};

class ModelLibrary {
public:
  /// Returns null and sets `error` when the library cannot be loaded, lacks
  /// a symbol of FacetModel.h, or has another ABI version.
  static std::unique_ptr<ModelLibrary> open(const std::string &path,
                                            std::string &error);
  ~ModelLibrary();
  ModelLibrary(const ModelLibrary &) = delete;
  ModelLibrary &operator=(const ModelLibrary &) = delete;

  const std::vector<TensorSpec> &inputs() const { return inputSpecs; }
  const std::vector<TensorSpec> &outputs() const { return outputSpecs; }

  /// Checks `inputs` (in the model's input order) against the signature,
  /// allocates `outputs` and runs the model.
  Status run(const std::vector<const Tensor *> &inputs,
             std::vector<Tensor> &outputs) const;
  /// Runs on raw buffers, no checks: for timing loops.
  int32_t runRaw(const void *const *inputs, void *const *outputs) const {
    return runFn(inputs, outputs);
  }

private:
  ModelLibrary() = default;
  void *handle = nullptr;
  int32_t (*runFn)(const void *const *, void *const *) = nullptr;
  std::vector<TensorSpec> inputSpecs, outputSpecs;
};

std::string shapeToString(const std::vector<int64_t> &shape);

} // namespace facet::runtime

#endif // FACET_RUNTIME_MODELLIBRARY_H
