// summary.json: built as an ordered JSON document so keys come out in a fixed, readable order.
#include "misim/summary.hpp"

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "misim/confidence.hpp"
#include "misim/fingerprint.hpp"
#include "misim/version.hpp"

namespace misim {

using Json = nlohmann::ordered_json;

struct Summary::Document {
  Json root;
};

namespace {

/// A param's value as a JSON number when it is one, so scripts can compute with it.
Json param_value(const std::string& text) {
  double d = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, d);
  if (ec == std::errc() && ptr == end) {
    std::int64_t i = 0;
    auto [iptr, iec] = std::from_chars(text.data(), end, i);
    if (iec == std::errc() && iptr == end) return i;
    return d;
  }
  return text;
}

/// mean, p50, p90, p99 and max of a histogram of nanoseconds, in milliseconds.
Json latency_ms(const Histogram& h) {
  Json j;
  j["count"] = h.count();
  j["mean"] = h.mean() / 1e6;
  j["p50"] = h.percentile(0.50) / 1e6;
  j["p90"] = h.percentile(0.90) / 1e6;
  j["p99"] = h.percentile(0.99) / 1e6;
  j["max"] = h.max() / 1e6;
  return j;
}

Json stage_json(const Station& station, SimTime now) {
  const StationStatistics& s = station.statistics();
  Json j;
  j["servers"] = station.config().servers;
  if (station.config().queue_capacity >= 0) {
    j["queue_capacity"] = station.config().queue_capacity;
  } else {
    j["queue_capacity"] = "unlimited";
  }
  j["latency"] = station.config().service.describe();
  j["arrivals"] = s.arrivals;
  j["completed"] = s.completed;
  j["rejected"] = s.rejected;
  j["utilization"] = station.utilization(now);
  j["mean_queue_length"] = s.queue_length.mean(now);
  j["max_queue_length"] = s.queue_length.max();
  j["wait_ms"] = latency_ms(s.wait);
  // The mean wait's 95% interval from batch means over this one run (Law & Kelton 9.5.3).
  if (s.wait_batches.batches() >= 2) {
    const double dof = static_cast<double>(s.wait_batches.batches() - 1);
    const ConfidenceInterval ci = mean_interval(s.wait_batches.mean(), s.wait_batches.standard_error(), dof);
    j["wait_ms"]["mean_ci95"] = Json::array({ci.low / 1e6, ci.high / 1e6});
  }
  j["sojourn_ms"] = latency_ms(s.sojourn);
  return j;
}

/// Live counts of the directory's entities at the end of the run, and the state of its role
/// assignments: what an architect checks after deletions.
Json directory_json(const Directory& dir, SimTime now) {
  Json j;
  j["tenants"] = dir.live_count(EntityKind::kTenant);
  j["subscriptions"] = dir.live_count(EntityKind::kSubscription);
  j["resource_groups"] = dir.live_count(EntityKind::kResourceGroup);
  j["resources"] = dir.live_count(EntityKind::kResource);
  std::uint64_t by_kind[3] = {0, 0, 0};
  for (std::size_t i = 0; i < dir.count(EntityKind::kIdentity); ++i) {
    const Identity& id = dir.identity(IdentityId(static_cast<std::uint32_t>(i)));
    if (id.life.alive()) ++by_kind[static_cast<int>(id.kind)];
  }
  j["identities"] = Json{{"system_assigned", by_kind[0]}, {"user_assigned", by_kind[1]}, {"service_principals", by_kind[2]}};
  std::uint64_t orphaned = 0;
  for (std::size_t i = 0; i < dir.count(EntityKind::kRoleAssignment); ++i) {
    const RoleAssignmentId id(static_cast<std::uint32_t>(i));
    if (dir.role_assignment(id).life.alive() && dir.is_orphaned(id)) ++orphaned;
  }
  j["role_assignments"] = dir.live_count(EntityKind::kRoleAssignment);
  j["orphaned_role_assignments"] = orphaned;
  std::uint64_t objects = 0;
  for (std::size_t i = 0; i < dir.count(EntityKind::kTenant); ++i) {
    objects += dir.directory_objects(TenantId(static_cast<std::uint32_t>(i)), now);
  }
  j["directory_objects"] = objects;
  return j;
}

const Json* find_path(const Json& root, std::string_view path) {
  const Json* node = &root;
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    const std::string key(path.substr(0, dot));
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return node;
}

}  // namespace

Summary::Summary(const Scenario& scenario, const Simulation& simulation, const RunInfo& run)
    : doc_(std::make_unique<Document>()) {
  Json& j = doc_->root;
  const SimTime now = simulation.now();
  j["misim_version"] = kVersion;
  j["scenario"] = scenario.name;
  j["file"] = scenario.file;
  j["seed"] = simulation.config().seed;
  Json params = Json::object();
  for (const Param& p : scenario.params) params[p.name] = param_value(p.value);
  j["params"] = params;
  j["duration_s"] = to_seconds(simulation.config().duration);
  j["warmup_s"] = to_seconds(simulation.config().warmup);
  j["sim_time_s"] = to_seconds(now);
  j["interrupted"] = run.interrupted;
  j["events"] = simulation.executed_events();
  j["wall_s"] = run.wall_seconds;
  j["events_per_s"] = run.wall_seconds > 0 ? static_cast<double>(simulation.executed_events()) / run.wall_seconds : 0.0;
  j["fingerprint"] = to_hex64(simulation.fingerprint());

  Json stages = Json::object();
  Histogram all_latency;
  for (std::size_t i = 0; i < simulation.stage_count(); ++i) {
    const Station& st = simulation.stage(i);
    stages[st.name()] = stage_json(st, now);
    all_latency.merge(st.statistics().sojourn);
  }
  j["stages"] = stages;

  const RequestCounts& r = simulation.requests();
  Json requests;
  requests["total"] = r.total;
  requests["by_status"] = Json{{"ok", r.completed}, {"rejected", r.rejected}};
  requests["in_flight"] = r.total - r.completed - r.rejected;
  requests["cache_hits"] = 0;  // token caches come with the token path
  requests["latency_ms"] = latency_ms(all_latency);
  j["requests"] = requests;
  j["access"] = Json{{"granted", 0}, {"denied", 0}, {"pairs", Json::array()}};
  j["directory"] = directory_json(simulation.directory(), now);
  Json timeline = Json::array();
  for (const TimelineRecord& t : simulation.timeline()) {
    Json tj{{"at_s", to_seconds(t.at)}, {"operation", t.operation}, {"applied", t.applied}};
    if (!t.applied) tj["error"] = t.error;
    timeline.push_back(tj);
  }
  j["timeline"] = timeline;

  Json expectations = Json::array();
  for (const MetricExpectation& e : scenario.expectations) {
    ExpectationResult result{e.text, e.place, std::nullopt, false, ""};
    const Json* value = find_path(j, e.metric);
    if (value == nullptr || !value->is_number()) {
      result.detail = "summary.json has no number at '" + e.metric + "'";
    } else {
      const double actual = value->get<double>();
      result.actual = actual;
      result.met = (!e.below || actual < *e.below) && (!e.above || actual > *e.above);
      if (!result.met) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "actual value %.6g", actual);
        result.detail = buf;
      }
    }
    Json ej;
    ej["expect"] = e.text;
    ej["where"] = e.place.file + ":" + std::to_string(e.place.line);
    ej["met"] = result.met;
    if (result.actual) ej["actual"] = *result.actual;
    if (!result.detail.empty()) ej["detail"] = result.detail;
    expectations.push_back(ej);
    expectations_.push_back(std::move(result));
  }
  j["expectations"] = expectations;
  j["expectations_met"] = expectations_met();
}

Summary::~Summary() = default;

std::string Summary::json_text() const { return doc_->root.dump(2) + "\n"; }

std::optional<double> Summary::metric(std::string_view path) const {
  const Json* value = find_path(doc_->root, path);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return value->get<double>();
}

bool Summary::expectations_met() const noexcept {
  for (const ExpectationResult& e : expectations_) {
    if (!e.met) return false;
  }
  return true;
}

}  // namespace misim
