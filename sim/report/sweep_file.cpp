// Sweep files (docs/sweeps.md): a small YAML format, read strictly (unknown or repeated keys are
// errors) with every error at FILE:LINE:COL. sim/scenario's YAML helpers are private to that
// folder, so this reader carries the few it needs; like the scenario loader it abandons a load
// with a private exception caught at its boundary.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "misim/scenario.hpp"
#include "misim/sweep.hpp"

namespace misim {

namespace {

// Bounds that catch typos, not limits of misim: a grid of a million points or a million
// replications of a point is a slip of the keyboard, not a study anyone will wait for.
constexpr std::size_t kMaxPoints = 100'000;
constexpr std::uint64_t kMaxReplications = 1'000'000;

constexpr std::array<std::string_view, 11> kSweepKeys = {
    "name",   "description", "scenario", "duration", "seed", "replications", "common_random_numbers",
    "params", "points",      "metrics",  "precision"};
constexpr std::array<std::string_view, 3> kPrecisionKeys = {"metric", "relative_half_width", "max_replications"};

struct SweepAbort {
  Error error;
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

template <std::size_t N>
std::string did_you_mean(std::string_view word, const std::array<std::string_view, N>& known) {
  std::string_view best;
  std::size_t best_distance = 3;  // more than two edits away is a different word
  for (std::string_view k : known) {
    const std::size_t d = edit_distance(word, k);
    if (d < best_distance) {
      best = k;
      best_distance = d;
    }
  }
  return best.empty() ? std::string() : " (did you mean '" + std::string(best) + "'?)";
}

std::string quoted_list(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "'" : ", '") + w + "'";
  return out;
}

class SweepReader {
 public:
  explicit SweepReader(std::string file) : file_(std::move(file)) {}

  [[nodiscard]] SourcePlace place(const YAML::Node& node) const {
    const YAML::Mark m = node.Mark();
    if (m.line < 0) return {file_, 1, 1};  // a key that is missing: the file as a whole
    return {file_, m.line + 1, m.column + 1};
  }
  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    throw SweepAbort{Error{message, place(at)}};
  }

  /// Checks a mapping's keys against `known`: an unknown key is an error with a suggestion.
  template <std::size_t N>
  void check_keys(const YAML::Node& map, std::string_view what, const std::array<std::string_view, N>& known) const {
    std::vector<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        fail(it->first, "unknown key '" + key + "' in " + std::string(what) + did_you_mean(key, known));
      }
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) fail(it->first, "'" + key + "' is given twice");
      seen.push_back(key);
    }
  }

  [[nodiscard]] std::string text(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar() || node.Scalar().empty()) fail(node, std::string(what) + " must be a single value");
    return node.Scalar();
  }

  [[nodiscard]] std::uint64_t integer(const YAML::Node& node, std::string_view what, std::uint64_t min,
                                      std::uint64_t max) const {
    const std::string s = text(node, what);
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < min || v > max) {
      fail(node, std::string(what) + " must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not '" + s + "'");
    }
    return v;
  }

  [[nodiscard]] double number(const YAML::Node& node, std::string_view what, double above, double max) const {
    const std::string s = text(node, what);
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !(v > above) || v > max) {
      fail(node, std::string(what) + " must be a number above " + std::to_string(above) + " and at most " +
                     std::to_string(max) + ", not '" + s + "'");
    }
    return v;
  }

  [[nodiscard]] bool boolean(const YAML::Node& node, std::string_view what) const {
    const std::string s = text(node, what);
    if (s == "true") return true;
    if (s == "false") return false;
    fail(node, std::string(what) + " must be true or false, not '" + s + "'");
  }

  [[nodiscard]] const std::string& file() const noexcept { return file_; }

 private:
  std::string file_;
};

/// `params: {vms: [2, 4], throttle: [5/s, 20/s]}`: the grid is their product, the first param
/// varying slowest (as nested loops written in that order).
void read_grid(const SweepReader& r, const YAML::Node& node, SweepDefinition& sweep,
               std::vector<YAML::Node>& name_nodes) {
  if (!node.IsMap() || node.size() == 0) r.fail(node, "'params' must map param names to lists of values");
  std::vector<std::vector<std::string>> values;
  std::size_t size = 1;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = r.text(it->first, "a param name");
    if (std::find(sweep.swept.begin(), sweep.swept.end(), name) != sweep.swept.end()) {
      r.fail(it->first, "param '" + name + "' is given twice");
    }
    std::vector<std::string> list;
    if (it->second.IsSequence()) {
      // A copy of the node, not `it->second` itself: that lives in a proxy the iterator's
      // operator-> returns, gone before the loop's first step (ASan: stack-use-after-scope).
      const YAML::Node listed = it->second;
      for (const YAML::Node& v : listed) {
        const std::string value = r.text(v, "a value of param '" + name + "'");
        if (std::find(list.begin(), list.end(), value) != list.end()) {
          r.fail(v, "param '" + name + "' lists '" + value + "' twice");
        }
        list.push_back(value);
      }
      if (list.empty()) r.fail(it->second, "param '" + name + "' lists no values");
    } else {
      list.push_back(r.text(it->second, "param '" + name + "'"));  // one value: fixed for the sweep
    }
    size *= list.size();
    if (size > kMaxPoints) {
      r.fail(it->second, "the grid has more than " + std::to_string(kMaxPoints) + " points; sweep fewer values");
    }
    sweep.swept.push_back(name);
    name_nodes.push_back(it->first);
    values.push_back(std::move(list));
  }
  // Row-major product: the index of each param's value, the last param changing fastest.
  std::vector<std::size_t> at(values.size(), 0);
  for (std::size_t p = 0; p < size; ++p) {
    SweepPoint point;
    for (std::size_t i = 0; i < values.size(); ++i) point.emplace_back(sweep.swept[i], values[i][at[i]]);
    sweep.points.push_back(std::move(point));
    for (std::size_t i = values.size(); i-- > 0;) {
      if (++at[i] < values[i].size()) break;
      at[i] = 0;
    }
  }
}

/// `points: [{vms: 2, throttle: 5/s}, {vms: 8}]`: an explicit list; a param a point leaves out
/// keeps the scenario's value.
void read_points(const SweepReader& r, const YAML::Node& node, SweepDefinition& sweep,
                 std::vector<YAML::Node>& name_nodes) {
  if (!node.IsSequence() || node.size() == 0) r.fail(node, "'points' must be a list of {param: value} mappings");
  if (node.size() > kMaxPoints) r.fail(node, "more than " + std::to_string(kMaxPoints) + " points");
  std::vector<std::vector<std::pair<std::string, std::string>>> written;
  for (const YAML::Node& p : node) {
    if (!p.IsMap()) r.fail(p, "a point must be a mapping of param names to values, e.g. {vms: 100}");
    std::vector<std::pair<std::string, std::string>> values;
    for (auto it = p.begin(); it != p.end(); ++it) {
      const std::string name = r.text(it->first, "a param name");
      for (const auto& [n, v] : values) {
        if (n == name) r.fail(it->first, "param '" + name + "' is given twice in this point");
      }
      values.emplace_back(name, r.text(it->second, "param '" + name + "'"));
      if (std::find(sweep.swept.begin(), sweep.swept.end(), name) == sweep.swept.end()) {
        sweep.swept.push_back(name);
        name_nodes.push_back(it->first);
      }
    }
    written.push_back(std::move(values));
  }
  // In the sweep's order once the scenario's values fill the gaps (read_scenario).
  for (auto& values : written) sweep.points.push_back(std::move(values));
}

void read_metrics(const SweepReader& r, const YAML::Node& node, SweepDefinition& sweep) {
  if (!node.IsSequence() || node.size() == 0) {
    r.fail(node, "'metrics' must be a list of paths into summary.json, e.g. [stages.aad.sojourn_ms.p99]");
  }
  for (const YAML::Node& m : node) {
    const std::string path = r.text(m, "a metric");
    if (path.front() == '.' || path.back() == '.' || path.find("..") != std::string::npos ||
        path.find_first_of(" \t,") != std::string::npos) {
      r.fail(m, "metric '" + path + "' must be a dotted path into summary.json, e.g. stages.imds.sojourn_ms.p99");
    }
    if (std::find(sweep.metrics.begin(), sweep.metrics.end(), path) != sweep.metrics.end()) {
      r.fail(m, "metric '" + path + "' is listed twice");
    }
    sweep.metrics.push_back(path);
  }
}

void read_precision(const SweepReader& r, const YAML::Node& node, SweepDefinition& sweep) {
  if (!node.IsMap()) {
    r.fail(node, "'precision' must be a mapping, e.g. {metric: M, relative_half_width: 0.05, max_replications: 50}");
  }
  r.check_keys(node, "'precision'", kPrecisionKeys);
  if (!node["metric"].IsDefined()) r.fail(node, "'precision' needs 'metric'");
  const std::string metric = r.text(node["metric"], "'precision' 'metric'");
  PrecisionTarget target;
  const auto found = std::find(sweep.metrics.begin(), sweep.metrics.end(), metric);
  target.metric = static_cast<std::size_t>(found - sweep.metrics.begin());
  if (found == sweep.metrics.end()) sweep.metrics.push_back(metric);  // measured too, then
  if (node["relative_half_width"].IsDefined()) {
    target.relative_half_width = r.number(node["relative_half_width"], "'relative_half_width'", 0.0, 1.0);
  }
  if (node["max_replications"].IsDefined()) {
    target.max_replications =
        r.integer(node["max_replications"], "'max_replications'", sweep.replications, kMaxReplications);
  } else {
    target.max_replications = std::max(target.max_replications, sweep.replications);
  }
  // An interval needs two values: the first wave must give them.
  if (sweep.replications < 2) {
    r.fail(node, "a precision target needs 'replications' of at least 2 (the first wave gives the first interval)");
  }
  sweep.precision = target;
}

std::string stem_of(const std::string& file) {
  std::string name = std::filesystem::path(file).filename().string();
  for (std::string_view suffix : {".yaml", ".yml", ".sweep"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) name.resize(name.size() - suffix.size());
  }
  return name;
}

/// Reads the scenario the sweep names, and checks it loads and has every swept param.
void read_scenario(const SweepReader& r, const YAML::Node& node, SweepDefinition& sweep,
                   const std::vector<YAML::Node>& name_nodes, bool seed_given) {
  const std::string written = r.text(node, "'scenario'");
  std::filesystem::path path(written);
  if (path.is_relative()) path = std::filesystem::path(r.file()).parent_path() / path;
  sweep.scenario_file = path.lexically_normal().string();
  std::ifstream in(sweep.scenario_file, std::ios::binary);
  if (!in) r.fail(node, "cannot read the scenario '" + sweep.scenario_file + "' (relative to the sweep file's folder)");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  sweep.scenario_text = bytes.str();
  Result<Scenario> scenario = load_scenario_text(sweep.scenario_text, sweep.scenario_file);
  if (!scenario) throw SweepAbort{scenario.error()};
  if (!seed_given) sweep.seed = scenario->simulation.seed;
  std::vector<std::string> known;
  for (const Param& p : scenario->params) known.push_back(p.name);
  for (std::size_t i = 0; i < sweep.swept.size(); ++i) {
    if (std::find(known.begin(), known.end(), sweep.swept[i]) == known.end()) {
      r.fail(name_nodes[i], "the scenario has no param '" + sweep.swept[i] + "'" +
                                (known.empty() ? "; it has no params" : "; its params are " + quoted_list(known)));
    }
  }
  // A point that leaves a swept param out runs with the scenario's value: written out, so every
  // point names every swept param in the results.
  for (SweepPoint& point : sweep.points) {
    SweepPoint full;
    for (const std::string& name : sweep.swept) {
      const auto set = std::find_if(point.begin(), point.end(), [&](const auto& kv) { return kv.first == name; });
      if (set != point.end()) {
        full.push_back(*set);
      } else {
        const auto param = std::find_if(scenario->params.begin(), scenario->params.end(),
                                        [&](const Param& p) { return p.name == name; });
        full.emplace_back(name, param->value);
      }
    }
    point = std::move(full);
  }
}

SweepDefinition read_sweep(const std::string& text, const std::string& file) {
  const SweepReader r(file);
  const YAML::Node root = YAML::Load(text);
  if (!root.IsMap()) throw SweepAbort{Error{"a sweep file is a mapping: scenario, params, metrics, ...", {file, 1, 1}}};
  r.check_keys(root, "a sweep", kSweepKeys);
  SweepDefinition sweep;
  sweep.file = file;
  sweep.name = root["name"].IsDefined() ? r.text(root["name"], "'name'") : stem_of(file);
  if (root["description"].IsDefined()) sweep.description = r.text(root["description"], "'description'");
  if (!root["scenario"].IsDefined()) r.fail(root, "a sweep needs 'scenario': the scenario file to run");
  if (root["params"].IsDefined() && root["points"].IsDefined()) {
    r.fail(root["points"], "give either 'params' (a grid) or 'points' (a list), not both");
  }
  std::vector<YAML::Node> name_nodes;
  if (root["params"].IsDefined()) {
    read_grid(r, root["params"], sweep, name_nodes);
  } else if (root["points"].IsDefined()) {
    read_points(r, root["points"], sweep, name_nodes);
  } else {
    sweep.points.emplace_back();  // replications of the scenario as it stands
  }
  if (root["replications"].IsDefined()) {
    sweep.replications = r.integer(root["replications"], "'replications'", 1, kMaxReplications);
  }
  if (root["seed"].IsDefined()) sweep.seed = r.integer(root["seed"], "'seed'", 0, UINT64_MAX);
  if (root["common_random_numbers"].IsDefined()) {
    sweep.common_random_numbers = r.boolean(root["common_random_numbers"], "'common_random_numbers'");
  }
  if (root["duration"].IsDefined()) {
    const Result<SimTime> d = parse_duration(r.text(root["duration"], "'duration'"));
    if (!d || *d <= 0) r.fail(root["duration"], "'duration' must be a duration longer than 0s, e.g. 30m");
    sweep.duration = *d;
  }
  // A key that is missing has no place of its own (yaml-cpp throws on asking): the file is blamed.
  if (!root["metrics"].IsDefined()) {
    r.fail(root, "a sweep needs 'metrics': paths into summary.json, e.g. [requests.latency_ms.p99]");
  }
  read_metrics(r, root["metrics"], sweep);
  if (root["precision"].IsDefined()) read_precision(r, root["precision"], sweep);
  read_scenario(r, root["scenario"], sweep, name_nodes, root["seed"].IsDefined());
  return sweep;
}

}  // namespace

Result<SweepDefinition> load_sweep_text(const std::string& text, const std::string& file) {
  try {
    return read_sweep(text, file);
  } catch (const SweepAbort& abort) {
    return abort.error;
  } catch (const YAML::Exception& e) {
    return Error{"YAML: " + e.msg, SourcePlace{file, e.mark.line + 1, e.mark.column + 1}};
  }
}

Result<SweepDefinition> load_sweep_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot open the sweep file", SourcePlace{path, 0, 0}};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return load_sweep_text(buffer.str(), path);
}

}  // namespace misim
