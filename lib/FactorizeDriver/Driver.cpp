//===- Driver.cpp - Calibration, fidelity and the fidelity policy ---------===//

#include "facet/Factorize/Driver.h"

#include "facet/Conversion/Passes.h"
#include "facet/Runtime/ModelLibrary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <unistd.h>

using namespace mlir;
using namespace facet;
using namespace facet::factorize;
using runtime::Tensor;

bool facet::factorize::parseFidelityMetric(StringRef text, FidelityMetric &m) {
  for (FidelityMetric c : {FidelityMetric::RelL2, FidelityMetric::Cosine,
                           FidelityMetric::KL, FidelityMetric::Top1})
    if (text == fidelityMetricName(c)) {
      m = c;
      return true;
    }
  return false;
}

const char *facet::factorize::fidelityMetricName(FidelityMetric m) {
  switch (m) {
  case FidelityMetric::RelL2:
    return "rel-l2";
  case FidelityMetric::Cosine:
    return "cosine";
  case FidelityMetric::KL:
    return "kl";
  case FidelityMetric::Top1:
    return "top1";
  }
  return "?";
}

namespace {

struct Spec {
  std::string name;
  int32_t dtype;
  std::vector<int64_t> shape;
};

std::vector<Spec> signatureOf(ModuleOp module, StringRef which) {
  std::vector<Spec> specs;
  auto sig = module->getAttrOfType<DictionaryAttr>(kModelSignatureAttr);
  if (!sig)
    return specs;
  auto list = sig.getAs<ArrayAttr>(which);
  if (!list)
    return specs;
  for (Attribute a : list) {
    auto d = cast<DictionaryAttr>(a);
    Spec s;
    s.name = d.getAs<StringAttr>("name").str();
    s.dtype = static_cast<int32_t>(d.getAs<IntegerAttr>("dtype").getInt());
    auto t = cast<RankedTensorType>(d.getAs<TypeAttr>("type").getValue());
    s.shape.assign(t.getShape().begin(), t.getShape().end());
    specs.push_back(s);
  }
  return specs;
}

bool exists(const std::string &p) { return llvm::sys::fs::exists(p); }

/// The file of input `i` in set directory `dir`, or "".
std::string inputFile(const std::string &dir, const Spec &spec, size_t i) {
  for (std::string base : {spec.name, "input_" + std::to_string(i)})
    for (const char *ext : {".npy", ".pb"}) {
      std::string p = dir + "/" + base + ext;
      if (exists(p))
        return p;
    }
  return "";
}

/// A temporary directory removed when this goes out of scope.
struct TempDir {
  SmallString<128> path;
  TempDir() {
    if (llvm::sys::fs::createUniqueDirectory("facet-factorize", path))
      path.clear();
  }
  ~TempDir() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
};

/// Compiles `module` (consumed: pass a clone) and runs it on every set.
LogicalResult runModel(ModuleOp module, const DriverOptions &options,
                       const std::vector<InputSet> &sets,
                       std::vector<std::vector<Tensor>> &outputs,
                       std::string &error) {
  TempDir dir;
  if (dir.path.empty()) {
    error = "cannot create a temporary directory";
    return failure();
  }
  std::string lib = (dir.path + "/model.so").str();
  if (failed(compileToLibrary(module, options.codegen, options.lowering, lib,
                              error)))
    return failure();
  std::unique_ptr<runtime::ModelLibrary> model =
      runtime::ModelLibrary::open(lib, error);
  if (!model)
    return failure();
  outputs.clear();
  for (const InputSet &set : sets) {
    std::vector<const Tensor *> in;
    for (const Tensor &t : set.tensors)
      in.push_back(&t);
    std::vector<Tensor> out;
    runtime::Status st = model->run(in, out);
    if (!st) {
      error = "running the model on input set '" + set.name +
              "' failed: " + st.message;
      return failure();
    }
    outputs.push_back(std::move(out));
  }
  return success();
}

OwningOpRef<ModuleOp> cloneModule(ModuleOp module) {
  return OwningOpRef<ModuleOp>(module.clone());
}

/// Adds every linear layer's input as an output of @main and returns, per
/// layer name, the index of its output.
LogicalResult instrument(ModuleOp module,
                         std::vector<std::pair<std::string, int>> &where,
                         std::string &error) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  auto sig = module->getAttrOfType<DictionaryAttr>(kModelSignatureAttr);
  if (!main || !sig) {
    error = "the model has no @main with a signature";
    return failure();
  }
  std::vector<Layer> layers = findLayers(module, false, false);
  auto ret = cast<func::ReturnOp>(main.getBody().back().getTerminator());
  SmallVector<Value> results(ret.getOperands());
  SmallVector<Attribute> outSig(sig.getAs<ArrayAttr>("outputs").getValue());
  Builder b(module.getContext());
  llvm::DenseMap<Value, int> index;
  for (const Layer &l : layers) {
    if (l.kind != Layer::Linear)
      continue;
    auto it = index.find(l.activation);
    if (it == index.end()) {
      it = index.insert({l.activation, static_cast<int>(results.size())}).first;
      results.push_back(l.activation);
      outSig.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("name", b.getStringAttr(
                                      "__facet_calibration_" +
                                      std::to_string(results.size()))),
           b.getNamedAttr("type", TypeAttr::get(l.activation.getType())),
           b.getNamedAttr("dtype", b.getI32IntegerAttr(1))}));
    }
    where.push_back({l.name, it->second});
  }
  OpBuilder ob(ret);
  func::ReturnOp::create(ob, ret.getLoc(), results);
  ret.erase();
  main.setFunctionType(
      b.getFunctionType(main.getArgumentTypes(), ValueRange(results).getTypes()));
  module->setAttr(kModelSignatureAttr,
                  b.getDictionaryAttr(
                      {b.getNamedAttr("inputs", sig.get("inputs")),
                       b.getNamedAttr("outputs", b.getArrayAttr(outSig))}));
  return success();
}

LogicalResult collectCalibration(ModuleOp module, const DriverOptions &options,
                                 const std::vector<InputSet> &sets,
                                 Calibration &calib, std::string &error) {
  OwningOpRef<ModuleOp> clone = cloneModule(module);
  std::vector<std::pair<std::string, int>> where;
  if (failed(instrument(*clone, where, error)))
    return failure();
  std::vector<std::vector<Tensor>> outs;
  if (failed(runModel(*clone, options, sets, outs, error)))
    return failure();
  // One Gram matrix per distinct activation, shared by its layers.
  std::map<int, Gram> grams;
  for (const auto &[name, idx] : where) {
    if (grams.count(idx))
      continue;
    Gram g;
    for (const std::vector<Tensor> &o : outs) {
      const Tensor &t = o[idx];
      int64_t k = t.shape.back();
      int64_t rows = t.numElements() / k;
      if (g.data.empty()) {
        g.k = k;
        g.data.assign(k * k, 0.0);
      }
      Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic,
                                     Eigen::RowMajor>>
          x(reinterpret_cast<const float *>(t.data.data()), rows, k);
      Eigen::MatrixXd xd = x.cast<double>();
      Eigen::Map<Eigen::MatrixXd> gm(g.data.data(), k, k);
      gm.noalias() += xd.transpose() * xd;
      g.rows += rows;
    }
    grams[idx] = std::move(g);
  }
  for (const auto &[name, idx] : where)
    calib[name] = grams[idx];
  return success();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

} // namespace

LogicalResult facet::factorize::loadInputSets(ModuleOp module,
                                              const std::string &dir,
                                              std::vector<InputSet> &sets,
                                              std::string &error) {
  std::vector<Spec> specs = signatureOf(module, "inputs");
  if (!llvm::sys::fs::is_directory(dir)) {
    error = "'" + dir + "' is not a directory of input files";
    return failure();
  }
  std::vector<std::string> dirs;
  if (!specs.empty() && !inputFile(dir, specs[0], 0).empty()) {
    dirs.push_back(dir);
  } else {
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      if (llvm::sys::fs::is_directory(it->path()))
        dirs.push_back(it->path());
    std::sort(dirs.begin(), dirs.end());
  }
  if (dirs.empty()) {
    error = "'" + dir + "' holds no input set: expected " +
            (specs.empty() ? std::string("input files")
                           : specs[0].name + ".npy (or .pb, or input_0.pb)") +
            " in it or in its subdirectories";
    return failure();
  }
  sets.clear();
  for (const std::string &d : dirs) {
    InputSet set;
    set.name = llvm::sys::path::filename(d).str();
    for (size_t i = 0; i < specs.size(); ++i) {
      std::string file = inputFile(d, specs[i], i);
      if (file.empty()) {
        error = "input set '" + d + "': no file for input '" + specs[i].name +
                "' (" + specs[i].name + ".npy, " + specs[i].name +
                ".pb or input_" + std::to_string(i) + ".pb)";
        return failure();
      }
      Tensor t;
      runtime::Status st = runtime::readTensorFile(file, t);
      if (!st) {
        error = st.message;
        return failure();
      }
      if (t.dtype != specs[i].dtype || t.shape != specs[i].shape) {
        error = "'" + file + "': input '" + specs[i].name + "' is compiled as " +
                runtime::dtypeName(specs[i].dtype) +
                runtime::shapeToString(specs[i].shape) + ", the file holds " +
                runtime::dtypeName(t.dtype) + runtime::shapeToString(t.shape);
        return failure();
      }
      set.tensors.push_back(std::move(t));
    }
    sets.push_back(std::move(set));
  }
  return success();
}

std::vector<Report::Fidelity> facet::factorize::compareOutputs(
    const std::vector<std::string> &names,
    const std::vector<std::vector<Tensor>> &reference,
    const std::vector<std::vector<Tensor>> &test) {
  std::vector<Report::Fidelity> out;
  for (size_t o = 0; o < names.size(); ++o) {
    if (reference.empty() || reference[0][o].dtype != 1)
      continue;
    Report::Fidelity f;
    f.output = names[o];
    double diff = 0, norm = 0, cosSum = 0, klSum = 0;
    int64_t rows = 0, agree = 0;
    bool logits = lower(names[o]).find("logit") != std::string::npos;
    for (size_t s = 0; s < reference.size(); ++s) {
      const Tensor &a = reference[s][o], &b = test[s][o];
      const float *x = reinterpret_cast<const float *>(a.data.data());
      const float *y = reinterpret_cast<const float *>(b.data.data());
      int64_t n = a.numElements();
      int64_t d = a.shape.empty() ? 1 : a.shape.back();
      for (int64_t i = 0; i < n; ++i) {
        diff += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
        norm += double(x[i]) * x[i];
      }
      for (int64_t r = 0; d > 0 && r < n / d; ++r) {
        const float *xr = x + r * d, *yr = y + r * d;
        double dot = 0, nx = 0, ny = 0;
        for (int64_t j = 0; j < d; ++j) {
          dot += double(xr[j]) * yr[j];
          nx += double(xr[j]) * xr[j];
          ny += double(yr[j]) * yr[j];
        }
        cosSum += (nx > 0 && ny > 0) ? dot / std::sqrt(nx * ny)
                                     : (nx == ny ? 1.0 : 0.0);
        if (logits) {
          double mx = *std::max_element(xr, xr + d);
          double my = *std::max_element(yr, yr + d);
          double zx = 0, zy = 0;
          for (int64_t j = 0; j < d; ++j) {
            zx += std::exp(xr[j] - mx);
            zy += std::exp(yr[j] - my);
          }
          double kl = 0;
          for (int64_t j = 0; j < d; ++j) {
            double lp = xr[j] - mx - std::log(zx);
            double lq = yr[j] - my - std::log(zy);
            kl += std::exp(lp) * (lp - lq);
          }
          klSum += std::max(0.0, kl);
          agree += (std::max_element(xr, xr + d) - xr) ==
                   (std::max_element(yr, yr + d) - yr);
        }
        ++rows;
      }
    }
    f.relL2 = norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
    f.cosine = rows ? cosSum / double(rows) : 1.0;
    if (logits && rows) {
      f.kl = klSum / double(rows);
      f.top1 = double(agree) / double(rows);
    }
    out.push_back(f);
  }
  return out;
}

double facet::factorize::deltaOf(const std::vector<Report::Fidelity> &fid,
                                 FidelityMetric metric) {
  double worst = 0;
  bool any = false;
  for (const Report::Fidelity &f : fid) {
    double v = -1;
    switch (metric) {
    case FidelityMetric::RelL2:
      v = f.relL2;
      break;
    case FidelityMetric::Cosine:
      v = 1 - f.cosine;
      break;
    case FidelityMetric::KL:
      v = f.kl;
      break;
    case FidelityMetric::Top1:
      v = f.top1 >= 0 ? 1 - f.top1 : -1;
      break;
    }
    if (v >= 0) {
      worst = std::max(worst, v);
      any = true;
    }
  }
  return any ? worst : -1;
}

LogicalResult facet::factorize::factorizeModel(ModuleOp module,
                                               const DriverOptions &options,
                                               Report &report,
                                               std::string &error) {
  auto start = std::chrono::steady_clock::now();
  const Options &fo = options.factorize;
  bool tty = fo.progress && isatty(2);
  auto say = [&](const std::string &msg) {
    if (tty)
      fprintf(stderr, "factorize: %s\n", msg.c_str());
  };
  std::vector<InputSet> calibSets, validSets;
  if (!options.calibrationDir.empty() &&
      failed(loadInputSets(module, options.calibrationDir, calibSets, error))) {
    error = "--calibration: " + error;
    return failure();
  }
  if (!options.validationDir.empty()) {
    if (failed(loadInputSets(module, options.validationDir, validSets,
                             error))) {
      error = "--validation: " + error;
      return failure();
    }
  } else {
    validSets = calibSets;
  }
  if (fo.policy == Policy::Fidelity && validSets.empty()) {
    error = "--fidelity needs inputs to measure δ on: --validation DIR or "
            "--calibration DIR";
    return failure();
  }

  Calibration calib;
  if (!calibSets.empty()) {
    say("running the dense model on " + std::to_string(calibSets.size()) +
        " calibration set(s)");
    if (failed(collectCalibration(module, options, calibSets, calib, error)))
      return failure();
  }
  Planner planner(findLayers(module, false, fo.embeddings,
                             fo.attention.has_value()),
                  fo,
                  calibSets.empty() ? nullptr : &calib);
  if (failed(planner.analyze(error)))
    return failure();

  std::vector<std::string> outNames;
  for (const Spec &s : signatureOf(module, "outputs"))
    outNames.push_back(s.name);
  std::vector<std::vector<Tensor>> reference;
  if (!validSets.empty()) {
    say("running the dense model on " + std::to_string(validSets.size()) +
        " validation set(s)");
    OwningOpRef<ModuleOp> dense = cloneModule(module);
    if (failed(runModel(*dense, options, validSets, reference, error)))
      return failure();
  }
  // Fidelity of the current plan, on a compiled clone.
  std::vector<Report::Fidelity> lastFid;
  auto measurePlan = [&]() -> LogicalResult {
    OwningOpRef<ModuleOp> clone = cloneModule(module);
    if (failed(planner.apply(*clone, false, error)))
      return failure();
    std::vector<std::vector<Tensor>> outs;
    if (failed(runModel(*clone, options, validSets, outs, error)))
      return failure();
    lastFid = compareOutputs(outNames, reference, outs);
    return success();
  };
  // ... of the plan at keep ratio `eta`.
  auto measure = [&](double eta, double &delta) -> LogicalResult {
    if (failed(planner.plan(error, eta)) || failed(measurePlan()))
      return failure();
    delta = deltaOf(lastFid, options.metric);
    return success();
  };

  std::vector<std::pair<double, double>> curve;
  std::vector<Report::Fidelity> finalFid;
  double chosen = -1;
  if (fo.policy == Policy::Fidelity) {
    double bound = fo.value;
    // The least compression tried; dense (η = 1) always meets any δ.
    double hi = 0.95, delta;
    say("fidelity search: η = 0.95");
    if (failed(measure(hi, delta)))
      return failure();
    curve.push_back({hi, delta});
    if (delta < 0) {
      error = std::string("--fidelity-metric=") +
              fidelityMetricName(options.metric) +
              ": no output of the model has it (kl and top1 need an output "
              "named *logits*)";
      return failure();
    }
    if (delta > bound) {
      char buf[256];
      snprintf(buf, sizeof buf,
               "--fidelity=%g: no factorization meets it: the least "
               "compression Facet tries (η = 0.95) already gives δ = %.4g "
               "(%s)",
               bound, delta, fidelityMetricName(options.metric));
      error = buf;
      return failure();
    }
    chosen = hi;
    finalFid = lastFid;
    // The smallest feasible η: the plan of a tiny budget fails with the
    // minimum in its message, so bisect from a feasible lower end instead.
    double lo = 0.02;
    std::string probe;
    while (lo < hi && failed(planner.plan(probe, lo)))
      lo *= 1.5;
    for (int it = 0; it < 7 && hi - lo > 0.01; ++it) {
      double mid = it == 0 ? lo : 0.5 * (lo + hi);
      say("fidelity search: η = " + std::to_string(mid));
      if (failed(measure(mid, delta)))
        return failure();
      curve.push_back({mid, delta});
      if (delta <= bound) {
        hi = mid;
        chosen = mid;
        finalFid = lastFid;
        if (it == 0)
          break; // even the smallest budget meets it
      } else if (it > 0) {
        lo = mid;
      }
    }
    if (failed(planner.plan(error, chosen)) ||
        failed(planner.apply(module, false, error)))
      return failure();
  } else {
    if (failed(planner.plan(error)))
      return failure();
    if (!validSets.empty()) {
      say("measuring fidelity on " + std::to_string(validSets.size()) +
          " set(s)");
      if (failed(measurePlan()))
        return failure();
      finalFid = lastFid;
    }
    if (failed(planner.apply(module, false, error)))
      return failure();
  }
  report = planner.report();
  report.fidelity = finalFid;
  report.fidelitySamples = static_cast<int64_t>(validSets.size());
  report.curve = curve;
  if (!validSets.empty())
    report.fidelityMetric = fidelityMetricName(options.metric);
  if (fo.policy == Policy::Fidelity)
    report.policyValue = fo.value;
  report.seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  (void)chosen;
  return success();
}
