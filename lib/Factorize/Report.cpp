//===- Report.cpp - The compression report: JSON, table, HTML -------------===//
//
// Schema (version 1) in docs/Factorize.md. The HTML page is self-contained
// (inline SVG, no scripts, no network): spectra with the cut, ranks and kept
// parameters per layer, and the η–δ curve of a fidelity search.
//
//===----------------------------------------------------------------------===//

#include "facet/Factorize/Factorize.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

using namespace facet::factorize;

namespace {

std::string num(double v) {
  if (!std::isfinite(v))
    return "null";
  char buf[64];
  snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string quote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

std::string html(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

template <typename T> std::string list(const std::vector<T> &v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + num(static_cast<double>(v[i]));
  return s + "]";
}

double ratio(int64_t a, int64_t b) { return b ? double(a) / double(b) : 0; }

} // namespace

std::string facet::factorize::reportToJson(const Report &r) {
  std::ostringstream os;
  os << "{\n  \"facet_report_version\": 1,\n";
  os << "  \"format\": " << quote(r.format) << ",\n";
  os << "  \"policy\": " << quote(r.policy) << ",\n";
  os << "  \"policy_value\": " << num(r.policyValue) << ",\n";
  os << "  \"rank_multiple\": " << r.rankMultiple << ",\n";
  os << "  \"calibrated\": " << (r.calibrated ? "true" : "false") << ",\n";
  os << "  \"layers\": [";
  double flopsBefore = 0, flopsAfter = 0;
  int factored = 0;
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const LayerReport &l = r.layers[i];
    const LayerPlan &p = l.plan;
    flopsBefore += p.flopsBefore;
    flopsAfter += p.flopsAfter;
    factored += !p.dense;
    os << (i ? "," : "") << "\n    {";
    os << "\"name\": " << quote(l.layer.name);
    os << ", \"kind\": "
       << quote(l.layer.kind == Layer::Embedding   ? "embedding"
                : l.layer.kind == Layer::Attention ? "attention"
                                                   : "linear");
    os << ", \"shape\": [" << l.layer.k << ", " << l.layer.n << "]";
    os << ", \"rows\": " << l.layer.m;
    os << ", \"format\": " << quote(p.format);
    os << ", \"ranks\": " << list(p.ranks);
    os << ", \"params_before\": " << p.paramsBefore;
    os << ", \"params_after\": " << p.paramsAfter;
    os << ", \"flops_before\": " << num(p.flopsBefore);
    os << ", \"flops_after\": " << num(p.flopsAfter);
    os << ", \"cost_before\": " << num(p.costBefore);
    os << ", \"cost_after\": " << num(p.costAfter);
    os << ", \"error\": " << num(p.dense ? 0.0 : p.error);
    os << ", \"activation_error\": "
       << (p.activationError >= 0 ? num(p.activationError) : "null");
    os << ", \"dense\": " << (p.dense ? "true" : "false");
    os << ", \"reason\": " << quote(p.reason);
    os << ", \"seconds\": " << num(l.analyzeSeconds);
    os << "}";
  }
  os << "\n  ],\n";
  os << "  \"totals\": {\"layers\": " << r.layers.size()
     << ", \"factored\": " << factored
     << ", \"params_before\": " << r.paramsBefore
     << ", \"params_after\": " << r.paramsAfter
     << ", \"keep\": " << num(ratio(r.paramsAfter, r.paramsBefore))
     << ", \"model_params_before\": " << r.modelParamsBefore
     << ", \"model_params_after\": " << r.modelParamsAfter
     << ", \"model_keep\": "
     << num(ratio(r.modelParamsAfter, r.modelParamsBefore))
     << ", \"flops_before\": " << num(flopsBefore)
     << ", \"flops_after\": " << num(flopsAfter) << "},\n";
  os << "  \"fidelity\": ";
  if (r.fidelity.empty()) {
    os << "null,\n";
  } else {
    os << "{\"samples\": " << r.fidelitySamples << ", \"outputs\": [";
    for (size_t i = 0; i < r.fidelity.size(); ++i) {
      const Report::Fidelity &f = r.fidelity[i];
      auto opt = [](double v) { return v >= 0 ? num(v) : std::string("null"); };
      os << (i ? ", " : "") << "{\"name\": " << quote(f.output)
         << ", \"rel_l2\": " << opt(f.relL2) << ", \"cosine\": "
         << opt(f.cosine) << ", \"kl\": " << opt(f.kl)
         << ", \"top1\": " << opt(f.top1) << "}";
    }
    os << "]},\n";
  }
  os << "  \"curve\": [";
  for (size_t i = 0; i < r.curve.size(); ++i)
    os << (i ? ", " : "") << "{\"keep\": " << num(r.curve[i].first)
       << ", \"delta\": " << num(r.curve[i].second) << "}";
  os << "],\n";
  os << "  \"fidelity_metric\": " << quote(r.fidelityMetric) << ",\n";
  os << "  \"seconds\": " << num(r.seconds) << "\n}\n";
  return os.str();
}

std::string facet::factorize::reportToTable(const Report &r) {
  std::ostringstream os;
  char buf[512];
  size_t width = 5;
  for (const LayerReport &l : r.layers)
    width = std::max(width, l.layer.name.size());
  width = std::min<size_t>(width, 60);
  snprintf(buf, sizeof buf, "%-*s %11s %-9s %-14s %10s %10s %8s %8s\n",
           int(width), "layer", "shape", "format", "ranks", "params", "kept",
           "ε", "ε(act)");
  os << buf;
  for (const LayerReport &l : r.layers) {
    const LayerPlan &p = l.plan;
    std::string ranks;
    for (size_t i = 0; i < p.ranks.size(); ++i)
      ranks += (i ? "," : "") + std::to_string(p.ranks[i]);
    std::string name = l.layer.name;
    if (name.size() > width)
      name = "…" + name.substr(name.size() - width + 1);
    std::string shape =
        std::to_string(l.layer.k) + "x" + std::to_string(l.layer.n);
    char act[32] = "-";
    if (p.activationError >= 0)
      snprintf(act, sizeof act, "%.4f", p.activationError);
    snprintf(buf, sizeof buf, "%-*s %11s %-9s %-14s %10lld %9.1f%% %8.4f %8s\n",
             int(width), name.c_str(), shape.c_str(), p.format.c_str(),
             ranks.empty() ? "-" : ranks.c_str(), (long long)p.paramsAfter,
             100 * ratio(p.paramsAfter, p.paramsBefore),
             p.dense ? 0.0 : p.error, act);
    os << buf;
    if (p.dense && !p.reason.empty())
      os << "    kept dense: " << p.reason << "\n";
  }
  snprintf(buf, sizeof buf,
           "factorized layers: %lld -> %lld parameters (η = %.4f); whole "
           "model: %lld -> %lld (η = %.4f)\n",
           (long long)r.paramsBefore, (long long)r.paramsAfter,
           ratio(r.paramsAfter, r.paramsBefore), (long long)r.modelParamsBefore,
           (long long)r.modelParamsAfter,
           ratio(r.modelParamsAfter, r.modelParamsBefore));
  os << buf;
  for (const Report::Fidelity &f : r.fidelity) {
    os << "fidelity on " << r.fidelitySamples << " input set(s), output '"
       << f.output << "':";
    if (f.relL2 >= 0) {
      snprintf(buf, sizeof buf, " relative L2 %.4g", f.relL2);
      os << buf;
    }
    if (f.cosine >= 0) {
      snprintf(buf, sizeof buf, ", mean cosine %.6f", f.cosine);
      os << buf;
    }
    if (f.kl >= 0) {
      snprintf(buf, sizeof buf, ", mean KL %.4g, top-1 agreement %.4f", f.kl,
               f.top1);
      os << buf;
    }
    os << "\n";
  }
  return os.str();
}

namespace {

/// A small line chart of log10(σ_i / σ_1) with a vertical cut at `cut`.
std::string spectrumSvg(const std::vector<double> &s, int64_t cut,
                        bool dense) {
  const int w = 220, h = 110, pad = 4;
  std::ostringstream os;
  os << "<svg width='" << w << "' height='" << h
     << "' viewBox='0 0 " << w << " " << h
     << "' xmlns='http://www.w3.org/2000/svg'><rect width='" << w
     << "' height='" << h << "' fill='#fafafa' stroke='#ccc'/>";
  if (s.empty() || s[0] <= 0)
    return os.str() + "</svg>";
  double lo = -4;
  size_t n = s.size();
  os << "<polyline fill='none' stroke='#2563eb' stroke-width='1.2' points='";
  for (size_t i = 0; i < n; ++i) {
    double v = s[i] > 0 ? std::max(lo, std::log10(s[i] / s[0])) : lo;
    double x = pad + (w - 2 * pad) * (n > 1 ? double(i) / double(n - 1) : 0);
    double y = pad + (h - 2 * pad) * (v / lo);
    os << x << "," << y << " ";
  }
  os << "'/>";
  if (!dense && cut > 0 && n > 1) {
    double x = pad + (w - 2 * pad) * double(std::min<size_t>(cut, n) - 1) /
                         double(n - 1);
    os << "<line x1='" << x << "' y1='0' x2='" << x << "' y2='" << h
       << "' stroke='#dc2626' stroke-width='1.5'/>";
  }
  os << "<text x='" << w - 4 << "' y='" << h - 4
     << "' font-size='9' text-anchor='end' fill='#555'>1e-4</text>";
  return os.str() + "</svg>";
}

} // namespace

std::string facet::factorize::reportToHtml(const Report &r) {
  std::ostringstream os;
  os << "<!doctype html><html><head><meta charset='utf-8'><title>Facet "
        "compression report</title><style>body{font-family:sans-serif;"
        "margin:2em;color:#222}table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}.grid{display:flex;"
        "flex-wrap:wrap;gap:10px}.cell{font-size:11px}</style></head><body>";
  os << "<h1>Facet compression report</h1>";
  char buf[512];
  snprintf(buf, sizeof buf,
           "<p>Format <b>%s</b>, policy <b>%s = %g</b>%s. Factorized layers: "
           "%lld → %lld parameters (η = %.4f); whole model %lld → %lld "
           "(η = %.4f). %.1f s.</p>",
           html(r.format).c_str(), html(r.policy).c_str(), r.policyValue,
           r.calibrated ? ", activation-aware (calibrated)" : "",
           (long long)r.paramsBefore, (long long)r.paramsAfter,
           ratio(r.paramsAfter, r.paramsBefore), (long long)r.modelParamsBefore,
           (long long)r.modelParamsAfter,
           ratio(r.modelParamsAfter, r.modelParamsBefore), r.seconds);
  os << buf;
  if (!r.fidelity.empty()) {
    os << "<h2>Fidelity</h2><table><tr><th>output</th><th>relative L2</th>"
          "<th>mean cosine</th><th>mean KL</th><th>top-1 agreement</th></tr>";
    for (const Report::Fidelity &f : r.fidelity) {
      auto cell = [](double v) {
        char b[32];
        if (v < 0)
          return std::string("–");
        snprintf(b, sizeof b, "%.5g", v);
        return std::string(b);
      };
      os << "<tr><td>" << html(f.output) << "</td><td>" << cell(f.relL2)
         << "</td><td>" << cell(f.cosine) << "</td><td>" << cell(f.kl)
         << "</td><td>" << cell(f.top1) << "</td></tr>";
    }
    os << "</table><p>" << r.fidelitySamples << " input set(s).</p>";
  }
  if (!r.curve.empty()) {
    const int w = 420, h = 240, pad = 36;
    double maxD = 0;
    for (auto &p : r.curve)
      maxD = std::max(maxD, p.second);
    maxD = maxD > 0 ? maxD * 1.1 : 1;
    os << "<h2>η–δ (" << html(r.fidelityMetric) << ")</h2><svg width='" << w
       << "' height='" << h << "' xmlns='http://www.w3.org/2000/svg'>"
       << "<rect width='" << w << "' height='" << h
       << "' fill='#fafafa' stroke='#ccc'/>";
    std::vector<std::pair<double, double>> pts = r.curve;
    std::sort(pts.begin(), pts.end());
    os << "<polyline fill='none' stroke='#2563eb' stroke-width='1.5' points='";
    for (auto &p : pts)
      os << pad + (w - 2 * pad) * p.first << ","
         << h - pad - (h - 2 * pad) * (p.second / maxD) << " ";
    os << "'/>";
    for (auto &p : pts)
      os << "<circle r='3' fill='#2563eb' cx='" << pad + (w - 2 * pad) * p.first
         << "' cy='" << h - pad - (h - 2 * pad) * (p.second / maxD) << "'/>";
    os << "<text x='" << w / 2 << "' y='" << h - 8
       << "' font-size='11' text-anchor='middle'>η (kept)</text>"
       << "<text x='8' y='16' font-size='11'>δ max " << maxD / 1.1 << "</text>"
       << "</svg>";
  }
  // Ranks / kept parameters per layer.
  {
    const int barH = 14, w = 640;
    int h = barH * static_cast<int>(r.layers.size()) + 10;
    os << "<h2>Kept parameters per layer</h2><svg width='" << w + 320
       << "' height='" << h << "' xmlns='http://www.w3.org/2000/svg'>";
    for (size_t i = 0; i < r.layers.size(); ++i) {
      const LayerReport &l = r.layers[i];
      double k = ratio(l.plan.paramsAfter, l.plan.paramsBefore);
      int y = 5 + barH * static_cast<int>(i);
      os << "<rect x='300' y='" << y << "' width='" << (w - 300) * k
         << "' height='" << barH - 3 << "' fill='"
         << (l.plan.dense ? "#9ca3af" : "#2563eb") << "'/>";
      std::string ranks;
      for (size_t j = 0; j < l.plan.ranks.size(); ++j)
        ranks += (j ? "," : "") + std::to_string(l.plan.ranks[j]);
      os << "<text x='296' y='" << y + barH - 4
         << "' font-size='10' text-anchor='end'>" << html(l.layer.name)
         << "</text><text x='" << 304 + (w - 300) * k << "' y='"
         << y + barH - 4 << "' font-size='10'>" << html(l.plan.format) << " "
         << html(ranks) << " (" << static_cast<int>(100 * k + 0.5)
         << "%)</text>";
    }
    os << "</svg>";
  }
  os << "<h2>Spectra and cuts</h2><p>log₁₀(σᵢ/σ₁) per layer (whitened "
        "when calibrated; for Kronecker, of the rearranged matrix), the red "
        "line at the kept rank.</p><div class='grid'>";
  for (const LayerReport &l : r.layers) {
    int64_t cut = l.plan.ranks.empty() ? 0 : l.plan.ranks[0];
    bool svdLike = l.plan.format == "svd" || l.plan.format == "kronecker";
    os << "<div class='cell'>"
       << spectrumSvg(l.spectrum, svdLike ? cut : 0, l.plan.dense) << "<br>"
       << html(l.layer.name) << "<br>" << l.layer.k << "×" << l.layer.n
       << ", " << html(l.plan.format);
    if (!l.plan.dense) {
      snprintf(buf, sizeof buf, ", ε %.3f", l.plan.error);
      os << buf;
    }
    os << "</div>";
  }
  os << "</div><h2>Layers</h2><table><tr><th>layer</th><th>shape</th>"
        "<th>format</th><th>ranks</th><th>params before</th><th>params "
        "after</th><th>MFLOP before</th><th>MFLOP after</th><th>ε</th>"
        "<th>ε (activations)</th><th>note</th></tr>";
  for (const LayerReport &l : r.layers) {
    const LayerPlan &p = l.plan;
    std::string ranks;
    for (size_t j = 0; j < p.ranks.size(); ++j)
      ranks += (j ? "," : "") + std::to_string(p.ranks[j]);
    snprintf(buf, sizeof buf,
             "<tr><td>%s</td><td>%lldx%lld</td><td>%s</td><td>%s</td>"
             "<td>%lld</td><td>%lld</td><td>%.2f</td><td>%.2f</td>"
             "<td>%.4f</td><td>%s</td><td>%s</td></tr>",
             html(l.layer.name).c_str(), (long long)l.layer.k,
             (long long)l.layer.n, html(p.format).c_str(), ranks.c_str(),
             (long long)p.paramsBefore, (long long)p.paramsAfter,
             p.flopsBefore / 1e6, p.flopsAfter / 1e6, p.dense ? 0 : p.error,
             p.activationError >= 0 ? num(p.activationError).c_str() : "–",
             html(p.reason).c_str());
    os << buf;
  }
  os << "</table></body></html>\n";
  return os.str();
}
