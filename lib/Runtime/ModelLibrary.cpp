//===- ModelLibrary.cpp - Load and run a compiled model -------------------===//

#include "facet/Runtime/ModelLibrary.h"

#include <dlfcn.h>

using namespace facet::runtime;

std::string facet::runtime::shapeToString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::unique_ptr<ModelLibrary> ModelLibrary::open(const std::string &path,
                                                 std::string &error) {
  error.clear();
  // dlopen searches the library path for a name without a slash.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    error = "cannot load '" + path + "': " + (why ? why : "unknown error");
    return nullptr;
  }
  std::unique_ptr<ModelLibrary> lib(new ModelLibrary());
  lib->handle = handle;
  auto sym = [&](const char *name) -> void * {
    dlerror();
    void *p = dlsym(handle, name);
    if (!p && error.empty()) {
      const char *why = dlerror();
      error = "'" + path + "' is not a Facet model: it lacks " + name +
              (why ? std::string(" (") + why + ")" : std::string());
    }
    return p;
  };
  auto version = reinterpret_cast<uint32_t (*)()>(sym("facet_abi_version"));
  auto numInputs = reinterpret_cast<int32_t (*)()>(sym("facet_num_inputs"));
  auto numOutputs = reinterpret_cast<int32_t (*)()>(sym("facet_num_outputs"));
  using InfoFn = const facet_tensor_info *(*)(int32_t);
  auto inputInfo = reinterpret_cast<InfoFn>(sym("facet_input_info"));
  auto outputInfo = reinterpret_cast<InfoFn>(sym("facet_output_info"));
  lib->runFn =
      reinterpret_cast<int32_t (*)(const void *const *, void *const *)>(
          sym("facet_run"));
  if (!error.empty())
    return nullptr;
  if (version() != FACET_ABI_VERSION) {
    error = "'" + path + "' has C ABI version " + std::to_string(version()) +
            ", this runtime supports " + std::to_string(FACET_ABI_VERSION);
    return nullptr;
  }
  auto collect = [&](int32_t count, InfoFn fn, std::vector<TensorSpec> &specs) {
    for (int32_t i = 0; i < count; ++i) {
      const facet_tensor_info *info = fn(i);
      if (!info || !info->name || info->rank < 0 ||
          (info->rank > 0 && !info->shape) || !dtypeSize(info->dtype)) {
        error = "'" + path + "' has a malformed tensor description";
        return false;
      }
      specs.push_back(
          {info->name, info->dtype,
           std::vector<int64_t>(info->shape, info->shape + info->rank)});
    }
    return true;
  };
  if (!collect(numInputs(), inputInfo, lib->inputSpecs) ||
      !collect(numOutputs(), outputInfo, lib->outputSpecs))
    return nullptr;
  return lib;
}

ModelLibrary::~ModelLibrary() {
  if (handle)
    dlclose(handle);
}

Status ModelLibrary::run(const std::vector<const Tensor *> &inputs,
                         std::vector<Tensor> &outputs) const {
  if (inputs.size() != inputSpecs.size())
    return Status::error("the model takes " +
                         std::to_string(inputSpecs.size()) + " inputs, got " +
                         std::to_string(inputs.size()));
  // facet_run refuses NULL element pointers, which empty vectors may give
  // for tensors with a zero dimension.
  static char emptyBuffer[1];
  auto nonNull = [](const std::vector<char> &data) -> const void * {
    return data.empty() ? emptyBuffer : data.data();
  };
  std::vector<const void *> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSpec &spec = inputSpecs[i];
    if (!inputs[i])
      return Status::error("input '" + spec.name + "' is missing");
    const Tensor &t = *inputs[i];
    if (t.dtype != spec.dtype || t.shape != spec.shape)
      return Status::error("input '" + spec.name + "' must be " +
                           dtypeName(spec.dtype) + shapeToString(spec.shape) +
                           ", got " + dtypeName(t.dtype) +
                           shapeToString(t.shape));
    size_t bytes = t.numElements() * dtypeSize(t.dtype);
    if (t.data.size() != bytes)
      return Status::error(
          "input '" + spec.name + "' holds " + std::to_string(t.data.size()) +
          " bytes, its type and shape need " + std::to_string(bytes));
    in.push_back(nonNull(t.data));
  }
  outputs.assign(outputSpecs.size(), Tensor());
  std::vector<void *> out;
  for (size_t i = 0; i < outputSpecs.size(); ++i) {
    Tensor &t = outputs[i];
    t.dtype = outputSpecs[i].dtype;
    t.shape = outputSpecs[i].shape;
    t.data.assign(t.numElements() * dtypeSize(t.dtype), 0);
    out.push_back(const_cast<void *>(nonNull(t.data)));
  }
  // facet_run refuses NULL arrays; keep them non-null for models without
  // inputs or outputs.
  const void *dummyIn = nullptr;
  void *dummyOut = nullptr;
  int32_t rc = runFn(in.empty() ? &dummyIn : in.data(),
                     out.empty() ? &dummyOut : out.data());
  if (rc != 0)
    return Status::error("facet_run failed with code " + std::to_string(rc));
  return Status::success();
}
