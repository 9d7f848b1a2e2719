#include "distribution_spec.hpp"

#include <cmath>

#include "language.hpp"

namespace misim::scenario {

namespace {

Distribution take(const Document& doc, const YAML::Node& at, Result<Distribution> d, const std::string& what) {
  if (!d) doc.fail(at, what + ": " + d.error().message);
  return *std::move(d);
}

double ns(const Document& doc, const MapReader& m, std::string_view key) {
  return static_cast<double>(doc.duration(m.require(key), m.what() + " '" + std::string(key) + "'"));
}

/// The mean in ns from 'mean', or from 'rate' (a service rate: the mean is its reciprocal), so a
/// queueing scenario can be written with the rates of the formulas (mu = 10/s).
double mean_ns(const Document& doc, const MapReader& m, const std::string& what) {
  if (m.has("rate") && m.has("mean")) doc.fail(m.node(), what + ": give 'mean' or 'rate', not both");
  if (!m.has("rate")) return ns(doc, m, "mean");
  const Rate rate = doc.rate(m.get("rate"), what + " 'rate'");
  if (rate.per_second <= 0.0) doc.fail(m.get("rate"), what + " 'rate' must be more than 0");
  return 1e9 / rate.per_second;
}

}  // namespace

Distribution read_duration_distribution(const Document& doc, const YAML::Node& node, const std::string& what) {
  if (node.IsScalar()) return Distribution::constant(static_cast<double>(doc.duration(node, what)));
  if (!node.IsMap())
    doc.fail(node, what + " must be a duration such as 5ms or a mapping such as {dist: exponential, mean: 5ms}");
  // First find the kind, to check the remaining keys against that kind's parameters.
  const YAML::Node kind_node = node["dist"];
  const std::vector<std::string_view>& kinds = words(Choice::kDistributionKind);
  if (!kind_node.IsDefined()) {
    doc.fail(node, "missing required key 'dist' in " + what + "; expected one of the kinds " + comma_list(kinds));
  }
  const std::string kind = doc.choice(kind_node, what + " 'dist'", kinds);
  const std::vector<std::string_view>& allowed = keys(distribution_section(kind));
  if (kind == "constant") {
    // 'mean' is accepted too (language.cpp says why): for a constant the mean is its value.
    MapReader m(doc, node, what, allowed);
    if (m.has("value") + m.has("mean") + m.has("rate") > 1)
      doc.fail(node, what + ": give one of 'value', 'mean' or 'rate'");
    return Distribution::constant(m.has("value") ? ns(doc, m, "value") : mean_ns(doc, m, what));
  }
  if (kind == "exponential") {
    MapReader m(doc, node, what, allowed);
    return take(doc, node, Distribution::exponential(mean_ns(doc, m, what)), what);
  }
  if (kind == "uniform") {
    MapReader m(doc, node, what, allowed);
    return take(doc, node, Distribution::uniform(ns(doc, m, "low"), ns(doc, m, "high")), what);
  }
  if (kind == "normal") {
    MapReader m(doc, node, what, allowed);
    return take(doc, node, Distribution::normal(ns(doc, m, "mean"), ns(doc, m, "sd")), what);
  }
  if (kind == "lognormal") {
    MapReader m(doc, node, what, allowed);
    if (m.has("median") || m.has("p99")) {
      if (m.has("mu") || m.has("sigma"))
        doc.fail(node, what + ": give either median and p99, or mu and sigma, not both");
      return take(doc, node, Distribution::lognormal_median_p99(ns(doc, m, "median"), ns(doc, m, "p99")), what);
    }
    // mu and sigma describe ln(X) with X in seconds, the convention of most published fits.
    const double mu = doc.number(m.require("mu"), what + " 'mu'", -50.0, 50.0);
    const double sigma = doc.number(m.require("sigma"), what + " 'sigma'", 0.0, 10.0);
    return take(doc, node, Distribution::lognormal(mu + std::log(1e9), sigma), what);
  }
  if (kind == "gamma") {
    MapReader m(doc, node, what, allowed);
    const double shape = doc.number(m.require("shape"), what + " 'shape'", 1e-6, 1e6);
    return take(doc, node, Distribution::gamma(shape, ns(doc, m, "scale")), what);
  }
  if (kind == "erlang") {
    MapReader m(doc, node, what, allowed);
    const auto k = static_cast<int>(doc.integer(m.require("k"), what + " 'k'", 1, 1000));
    return take(doc, node, Distribution::erlang(k, ns(doc, m, "mean")), what);
  }
  // empirical: {dist: empirical, percentiles: {p0: 1ms, p50: 40ms, p99: 300ms, p100: 2s}}
  MapReader m(doc, node, what, allowed);
  const YAML::Node table = m.require("percentiles");
  if (!table.IsMap()) doc.fail(table, what + " 'percentiles' must map p0..p100 to durations");
  std::vector<QuantilePoint> points;
  for (auto it = table.begin(); it != table.end(); ++it) {
    const std::string key = it->first.Scalar();
    double q = -1;
    if (key.size() >= 2 && key[0] == 'p') {
      char* end = nullptr;
      q = std::strtod(key.c_str() + 1, &end);
      if (end == nullptr || *end != '\0') q = -1;
    }
    if (!(q >= 0 && q <= 100))
      doc.fail(it->first, what + ": percentile keys are p0 to p100 (e.g. p50, p99.9), got '" + key + "'");
    points.push_back({q / 100.0, static_cast<double>(doc.duration(it->second, what + " '" + key + "'"))});
  }
  return take(doc, node, Distribution::empirical(std::move(points)), what);
}

}  // namespace misim::scenario
