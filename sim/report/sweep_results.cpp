// A sweep's results as files: results.csv (per point and metric), runs.csv (per run) and
// results.json (both). Nothing machine-dependent goes in (no wall times, no thread or rank), and
// rows come in (point, replication) order, so the files are byte-identical however the sweep ran.
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "misim/sweep.hpp"

namespace misim {

namespace {

using Json = nlohmann::ordered_json;

/// The shortest text that reads back as the same double; empty for NaN (no value).
std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Json json_number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

/// A param's value as a JSON number when it is one (as summary.json writes params).
Json param_value(const std::string& text) {
  const char* end = text.data() + text.size();
  std::int64_t i = 0;
  if (auto [p, ec] = std::from_chars(text.data(), end, i); ec == std::errc() && p == end) return i;
  double d = 0;
  if (auto [p, ec] = std::from_chars(text.data(), end, d); ec == std::errc() && p == end) return d;
  return text;
}

Json statistics_json(const MetricStatistics& s) {
  Json j;
  j["n"] = s.n;
  j["mean"] = json_number(s.mean);
  j["sd"] = json_number(s.sd);
  j["ci95"] = Json::array({json_number(s.ci_low), json_number(s.ci_high)});
  j["half_width"] = json_number(s.half_width());
  return j;
}

}  // namespace

std::string sweep_results_csv(const SweepDefinition& sweep, const std::vector<PointSummary>& points) {
  std::string out = "point";
  for (const std::string& name : sweep.swept) out += "," + csv_field(name);
  out += ",metric,n,mean,sd,ci95_low,ci95_high,ci95_half_width,runs,failed\n";
  for (const PointSummary& p : points) {
    std::string params;
    for (const auto& [name, value] : sweep.points[p.point]) params += "," + csv_field(value);
    for (std::size_t m = 0; m < sweep.metrics.size(); ++m) {
      const MetricStatistics& s = p.metrics[m];
      out += std::to_string(p.point) + params + "," + csv_field(sweep.metrics[m]) + "," + std::to_string(s.n) + "," +
             csv_number(s.mean) + "," + csv_number(s.sd) + "," + csv_number(s.ci_low) + "," + csv_number(s.ci_high) +
             "," + csv_number(s.half_width()) + "," + std::to_string(p.runs) + "," + std::to_string(p.failed) + "\n";
    }
  }
  return out;
}

std::string sweep_runs_csv(const SweepDefinition& sweep, const std::vector<RunRecord>& records) {
  std::string out = "point,replication,seed";
  for (const std::string& name : sweep.swept) out += "," + csv_field(name);
  out += ",status,expectations_met";
  for (const std::string& m : sweep.metrics) out += "," + csv_field(m);
  out += ",error\n";
  for (const RunRecord& r : records) {
    out += std::to_string(r.run.point) + "," + std::to_string(r.run.replication) + "," + std::to_string(r.run.seed);
    for (const auto& [name, value] : sweep.points[r.run.point]) out += "," + csv_field(value);
    out += r.ok ? ",ok," : ",failed,";
    out += r.ok ? (r.expectations_met ? "true" : "false") : "";
    for (std::size_t m = 0; m < sweep.metrics.size(); ++m) {
      out += ",";
      if (r.ok && m < r.metrics.size() && r.metrics[m]) out += csv_number(*r.metrics[m]);
    }
    out += "," + csv_field(r.error) + "\n";
  }
  return out;
}

std::string sweep_results_json(const SweepDefinition& sweep, const std::vector<PointSummary>& points,
                               const std::vector<RunRecord>& records) {
  Json j;
  j["sweep"] = sweep.name;
  if (!sweep.description.empty()) j["description"] = sweep.description;
  j["file"] = sweep.file;
  j["scenario"] = sweep.scenario_file;
  j["definition"] = sweep_definition_hash(sweep);
  j["seed"] = sweep.seed;
  j["common_random_numbers"] = sweep.common_random_numbers;
  if (sweep.duration) j["duration_s"] = to_seconds(*sweep.duration);
  j["replications"] = sweep.replications;
  if (sweep.precision) {
    j["precision"] = Json{{"metric", sweep.metrics[sweep.precision->metric]},
                          {"relative_half_width", sweep.precision->relative_half_width},
                          {"max_replications", sweep.precision->max_replications}};
  }
  j["confidence_level"] = 0.95;
  j["params"] = sweep.swept;
  j["metrics"] = sweep.metrics;
  Json point_list = Json::array();
  for (const PointSummary& p : points) {
    Json pj;
    pj["point"] = p.point;
    Json params = Json::object();
    for (const auto& [name, value] : sweep.points[p.point]) params[name] = param_value(value);
    pj["params"] = params;
    pj["runs"] = p.runs;
    pj["failed"] = p.failed;
    Json metrics = Json::object();
    for (std::size_t m = 0; m < sweep.metrics.size(); ++m) metrics[sweep.metrics[m]] = statistics_json(p.metrics[m]);
    pj["metrics"] = metrics;
    point_list.push_back(pj);
  }
  j["points"] = point_list;
  Json runs = Json::array();
  for (const RunRecord& r : records) {
    Json rj;
    rj["point"] = r.run.point;
    rj["replication"] = r.run.replication;
    rj["seed"] = r.run.seed;
    rj["status"] = r.ok ? "ok" : "failed";
    if (r.ok) {
      rj["expectations_met"] = r.expectations_met;
      rj["events"] = r.events;
      Json metrics = Json::object();
      for (std::size_t m = 0; m < sweep.metrics.size(); ++m) {
        metrics[sweep.metrics[m]] = m < r.metrics.size() && r.metrics[m] ? Json(*r.metrics[m]) : Json(nullptr);
      }
      rj["metrics"] = metrics;
    } else {
      rj["error"] = r.error;
    }
    runs.push_back(rj);
  }
  j["runs"] = runs;
  return j.dump(2) + "\n";
}

}  // namespace misim
