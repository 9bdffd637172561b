//===- facet-run.cpp - Run a compiled Facet model -------------------------===//
//
//   facet-run LIB --input NAME=FILE ... [--output NAME=FILE.npy ...]
//             [--output-dir DIR] [--bench N] [--warmup K] [--quiet]
//
// Prints one line per output:
//   NAME: dtype=float32 shape=[2, 4] checksum=1.234560e+00 values=[...]
// and, with --bench, "latency: median=X ms min=Y ms mean=Z ms over N runs".
// Exit codes: 0 success, 1 runtime error, 2 bad command line.
//
//===----------------------------------------------------------------------===//

#include "facet/Runtime/ModelLibrary.h"
#include "facet/Runtime/Tensor.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace facet::runtime;

namespace {

const char *kUsage =
    "usage: facet-run LIB --input NAME=FILE ... [options]\n"
    "\n"
    "Runs a model compiled by facet-compile on inputs read from .npy or ONNX\n"
    "TensorProto .pb files; prints each output's dtype, shape, checksum (sum\n"
    "of elements) and first values.\n"
    "\n"
    "  --input NAME=FILE     an input (FILE alone if the model has one input)\n"
    "  --output NAME=FILE    write output NAME to FILE (.npy)\n"
    "  --output-dir DIR      write every output to DIR/NAME.npy\n"
    "  --bench N             then time N runs and print the median latency\n"
    "  --warmup K            untimed runs before --bench (default 3)\n"
    "  --quiet               print no output values\n"
    "  --help                this text\n";

int usageError(const std::string &msg) {
  fprintf(stderr, "facet-run: error: %s\n(see facet-run --help)\n",
          msg.c_str());
  return 2;
}

int runtimeError(const std::string &msg) {
  fprintf(stderr, "facet-run: error: %s\n", msg.c_str());
  return 1;
}

bool parseCount(const std::string &text, long &value) {
  char *end = nullptr;
  value = strtol(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0' && value >= 0 && value <= 100000000;
}

/// Output names become file names: keep them inside the directory.
std::string sanitize(const std::string &name) {
  std::string s;
  for (char c : name)
    s.push_back(isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                        c == '-' || c == '.'
                    ? c
                    : '_');
  if (s.empty() || s == "." || s == "..")
    s = "_" + s;
  return s;
}

} // namespace

int main(int argc, char **argv) {
  std::string libPath, outputDir;
  std::vector<std::pair<std::string, std::string>> inputArgs, outputArgs;
  long bench = 0, warmup = 3;
  bool quiet = false;

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string &out) {
      size_t eq = arg.find('=');
      if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
        out = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        return true;
      }
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    std::string flag = arg.substr(0, arg.find('='));
    std::string v;
    if (arg == "--help" || arg == "-h") {
      fputs(kUsage, stdout);
      return 0;
    } else if (flag == "--input" || flag == "--output") {
      if (!value(v))
        return usageError(flag + " needs a value");
      size_t eq = v.find('=');
      std::string name = eq == std::string::npos ? "" : v.substr(0, eq);
      std::string file = eq == std::string::npos ? v : v.substr(eq + 1);
      if (file.empty())
        return usageError(flag + " '" + v + "' has no file");
      if (flag == "--output" && name.empty())
        return usageError("--output needs NAME=FILE");
      (flag == "--input" ? inputArgs : outputArgs).push_back({name, file});
    } else if (flag == "--output-dir") {
      if (!value(outputDir) || outputDir.empty())
        return usageError("--output-dir needs a directory");
    } else if (flag == "--bench" || flag == "--warmup") {
      if (!value(v))
        return usageError(flag + " needs a number");
      long n;
      if (!parseCount(v, n) || (flag == "--bench" && n == 0))
        return usageError(flag + " '" + v + "' is not a valid count");
      (flag == "--bench" ? bench : warmup) = n;
    } else if (arg == "--quiet") {
      quiet = true;
    } else if (arg.rfind("-", 0) == 0) {
      return usageError("unknown option '" + arg + "'");
    } else if (libPath.empty()) {
      libPath = arg;
    } else {
      return usageError("unexpected argument '" + arg +
                        "' (the model library is '" + libPath + "')");
    }
  }
  if (libPath.empty())
    return usageError("no model library given");

  std::string error;
  std::unique_ptr<ModelLibrary> model = ModelLibrary::open(libPath, error);
  if (!model)
    return runtimeError(error);

  // Match --input flags to the model's inputs.
  const auto &specs = model->inputs();
  std::map<std::string, std::string> files;
  for (auto &[name, file] : inputArgs) {
    std::string key = name;
    if (key.empty()) {
      if (specs.size() != 1)
        return usageError("--input '" + file +
                          "' has no NAME= but the model has " +
                          std::to_string(specs.size()) + " inputs");
      key = specs[0].name;
    }
    bool known =
        std::any_of(specs.begin(), specs.end(),
                    [&](const TensorSpec &s) { return s.name == key; });
    if (!known) {
      std::string names;
      for (auto &s : specs)
        names += (names.empty() ? "" : ", ") + s.name;
      return usageError(
          "--input names '" + key +
          "', which is not an input of the model; inputs: " + names);
    }
    if (!files.emplace(key, file).second)
      return usageError("input '" + key + "' given twice");
  }
  std::vector<Tensor> tensors(specs.size());
  std::vector<const Tensor *> inputs;
  for (size_t i = 0; i < specs.size(); ++i) {
    auto it = files.find(specs[i].name);
    if (it == files.end())
      return usageError("missing --input " + specs[i].name + "=FILE (" +
                        dtypeName(specs[i].dtype) +
                        shapeToString(specs[i].shape) + ")");
    Status s = readTensorFile(it->second, tensors[i]);
    if (!s)
      return runtimeError(s.message);
    inputs.push_back(&tensors[i]);
  }
  for (auto &[name, file] : outputArgs) {
    bool known =
        std::any_of(model->outputs().begin(), model->outputs().end(),
                    [&](const TensorSpec &s) { return s.name == name; });
    if (!known)
      return usageError("--output names '" + name +
                        "', which is not an output of the model");
  }

  // Only the directory itself is created, not its parents.
  if (!outputDir.empty()) {
    struct stat st;
    if (stat(outputDir.c_str(), &st) != 0) {
      if (mkdir(outputDir.c_str(), 0777) != 0)
        return runtimeError("cannot create --output-dir '" + outputDir +
                            "': " + strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
      return runtimeError("--output-dir '" + outputDir +
                          "' is not a directory");
    }
  }

  std::vector<Tensor> outputs;
  Status s = model->run(inputs, outputs);
  if (!s)
    return runtimeError(s.message);

  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor &t = outputs[i];
    const std::string &name = model->outputs()[i].name;
    double sum = 0;
    for (int64_t j = 0; j < t.numElements(); ++j)
      sum += t.elementAsDouble(j);
    printf("%s: dtype=%s shape=%s checksum=%.6e", name.c_str(),
           dtypeName(t.dtype), shapeToString(t.shape).c_str(), sum);
    if (!quiet) {
      printf(" values=[");
      int64_t n = std::min<int64_t>(8, t.numElements());
      for (int64_t j = 0; j < n; ++j)
        printf("%s%.6g", j ? ", " : "", t.elementAsDouble(j));
      printf("%s]", t.numElements() > n ? ", ..." : "");
    }
    printf("\n");
    for (auto &[oname, file] : outputArgs)
      if (oname == name) {
        Status w = writeNpy(file, t);
        if (!w)
          return runtimeError(w.message);
      }
    if (!outputDir.empty()) {
      Status w = writeNpy(outputDir + "/" + sanitize(name) + ".npy", t);
      if (!w)
        return runtimeError(w.message);
    }
  }

  if (bench > 0) {
    // facet_run refuses NULL element pointers, as empty vectors may give.
    static char emptyBuffer[1];
    std::vector<const void *> in;
    for (const Tensor *t : inputs)
      in.push_back(t->data.empty() ? emptyBuffer : t->data.data());
    std::vector<void *> out;
    for (Tensor &t : outputs)
      out.push_back(t.data.empty() ? emptyBuffer : t.data.data());
    const void *dummyIn = nullptr;
    void *dummyOut = nullptr;
    const void *const *inPtr = in.empty() ? &dummyIn : in.data();
    void *const *outPtr = out.empty() ? &dummyOut : out.data();
    for (long i = 0; i < warmup; ++i)
      if (int32_t rc = model->runRaw(inPtr, outPtr))
        return runtimeError("facet_run failed with code " + std::to_string(rc) +
                            " in a warm-up run");
    std::vector<double> ms;
    for (long i = 0; i < bench; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      int32_t rc = model->runRaw(inPtr, outPtr);
      auto t1 = std::chrono::steady_clock::now();
      if (rc)
        return runtimeError("facet_run failed with code " + std::to_string(rc) +
                            " in a timed run");
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    double median =
        sorted.size() % 2
            ? sorted[sorted.size() / 2]
            : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
    double mean = 0;
    for (double m : ms)
      mean += m / ms.size();
    printf("latency: median=%.4f ms min=%.4f ms mean=%.4f ms over %ld runs\n",
           median, sorted.front(), mean, bench);
  }
  return 0;
}
