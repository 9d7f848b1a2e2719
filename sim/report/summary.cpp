// summary.json: built as an ordered JSON document so keys come out in a fixed, readable order.
#include "misim/summary.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "misim/confidence.hpp"
#include "misim/fingerprint.hpp"
#include "misim/token_endpoint_name.hpp"
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

/// The token endpoints of all hosts as one stage: no queue (a full endpoint answers 429), so
/// wait is zero and sojourn is the endpoint's latency.
Json endpoint_json(const EndpointStatistics& e, SimTime now) {
  Json j;
  j["hosts"] = e.hosts;
  j["max_concurrent"] = e.max_concurrent;
  j["arrivals"] = e.arrivals;
  j["completed"] = e.completed;
  j["rejected"] = e.rejected;
  j["utilization"] = e.in_flight.mean(now) / (static_cast<double>(e.hosts) * e.max_concurrent);
  j["wait_ms"] = latency_ms(Histogram{});
  j["sojourn_ms"] = latency_ms(e.latency);
  return j;
}

/// What the endpoint stage stands for (docs/model.md, "Other hosts' token endpoints"): the endpoint
/// kind the calling hosts ask and its name, "mixed" and the names joined when they ask several.
void name_endpoint(const Simulation& sim, Json& stage) {
  const Directory& d = sim.directory();
  std::vector<std::pair<TokenEndpoint, std::string_view>> kinds;  // endpoint and host type, first seen
  // The hosts that made calls: their types say which endpoint they asked.
  for (const AccessPair& p : sim.access_pairs()) {
    const ResourceTypeInfo& type = d.type_of(p.resource);
    if (type.endpoint == TokenEndpoint::kNone) continue;
    const std::string_view words = token_endpoint_name(type.endpoint, type.name);
    if (std::none_of(kinds.begin(), kinds.end(),
                     [&](const auto& k) { return token_endpoint_name(k.first, k.second) == words; })) {
      kinds.emplace_back(type.endpoint, type.name);
    }
  }
  if (kinds.empty()) return;
  const bool one = std::all_of(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == kinds[0].first; });
  stage["kind"] = one ? std::string(to_string(kinds[0].first)) : std::string("mixed");
  std::string words;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    words += (i == 0 ? "" : i + 1 == kinds.size() ? " and " : ", ");
    words += token_endpoint_name(kinds[i].first, kinds[i].second);
  }
  stage["name"] = words;
}

bool aad_used(const Simulation& sim) {
  for (std::size_t r = 0; r < sim.aad_region_count(); ++r) {
    if (sim.aad_region(r).statistics().arrivals > 0) return true;
  }
  return false;
}

/// All AAD regions as one stage (one region: exactly its station's statistics).
Json aad_json(const Simulation& sim, SimTime now) {
  if (sim.aad_region_count() == 1) return stage_json(sim.aad_region(0), now);
  Json j;
  std::uint64_t arrivals = 0, completed = 0, rejected = 0;
  double busy = 0.0, servers = 0.0;
  Histogram wait, sojourn;
  for (std::size_t r = 0; r < sim.aad_region_count(); ++r) {
    const Station& st = sim.aad_region(r);
    arrivals += st.statistics().arrivals;
    completed += st.statistics().completed;
    rejected += st.statistics().rejected;
    busy += st.statistics().busy_servers.mean(now);
    servers += st.config().servers;
    wait.merge(st.statistics().wait);
    sojourn.merge(st.statistics().sojourn);
  }
  j["regions"] = sim.aad_region_count();
  j["servers"] = servers;
  j["arrivals"] = arrivals;
  j["completed"] = completed;
  j["rejected"] = rejected;
  j["utilization"] = servers > 0 ? busy / servers : 0.0;
  j["wait_ms"] = latency_ms(wait);
  j["sojourn_ms"] = latency_ms(sojourn);
  return j;
}

/// Calls granted and denied, and per (resource, target) pair when it was first denied and why.
/// Large fleets list the pairs that saw a denial first, at most kMaxPairs of them.
Json access_json(const std::vector<AccessPair>& pairs, const Directory& dir) {
  constexpr std::size_t kMaxPairs = 1000;
  std::uint64_t granted = 0, denied = 0, pairs_denied = 0;
  for (const AccessPair& p : pairs) {
    granted += p.granted;
    denied += p.denied;
    if (p.denied > 0) ++pairs_denied;
  }
  Json list = Json::array();
  const auto add = [&](const AccessPair& p) {
    Json pj{{"resource", std::string(dir.name(p.resource))},
            {"target", std::string(dir.name(p.target))},
            {"granted", p.granted},
            {"denied", p.denied}};
    if (p.granted > 0) pj["last_granted_s"] = to_seconds(p.last_granted);
    if (p.denied > 0) {
      pj["first_denied_s"] = to_seconds(p.first_denied);
      pj["first_denial"] = std::string(to_string(p.first_denial));
    }
    list.push_back(pj);
  };
  for (const AccessPair& p : pairs) {
    if (p.denied > 0 && list.size() < kMaxPairs) add(p);
  }
  for (const AccessPair& p : pairs) {
    if (p.denied == 0 && list.size() < kMaxPairs) add(p);
  }
  return Json{{"granted", granted},
              {"denied", denied},
              {"pair_count", pairs.size()},
              {"pairs_with_denials", pairs_denied},
              {"pairs", list},
              {"pairs_omitted", pairs.size() - list.size()}};
}

/// Checks an access expectation against the calls the run made from the resource to the target.
/// The access pairs by (resource name, target name), built once for all access expectations (a
/// template's expectation expands to one per instance). A name reused after a deletion keeps the
/// last pair that carried it.
using AccessIndex = std::map<std::pair<std::string_view, std::string_view>, const AccessPair*>;

AccessIndex index_access_pairs(const Simulation& sim) {
  AccessIndex index;
  for (const AccessPair& p : sim.access_pairs()) {
    index[{sim.directory().name(p.resource), sim.directory().name(p.target)}] = &p;
  }
  return index;
}

ExpectationResult evaluate_access(const AccessExpectation& e, const AccessIndex& pairs) {
  ExpectationResult r{"access " + e.text, e.place, std::nullopt, false, ""};
  const auto found = pairs.find({e.resource, e.target});
  const AccessPair* pair = found == pairs.end() ? nullptr : found->second;
  if (pair == nullptr) {
    r.detail = "no workload calls " + e.target + " from " + e.resource;
    return r;
  }
  const auto clock = [](SimTime t) { return format_clock(t); };
  switch (e.kind) {
    case AccessExpectation::Kind::kAlwaysGranted:
      r.met = pair->granted > 0 && pair->denied == 0;
      if (!r.met) {
        r.detail = pair->granted == 0 ? "no call was granted"
                                      : "first denied at " + clock(pair->first_denied) + " (" +
                                            std::string(to_string(pair->first_denial)) + ")";
      }
      break;
    case AccessExpectation::Kind::kGrantedUntil:
      r.met = pair->granted > 0 && pair->first_granted < e.at && pair->first_denied >= e.at;
      if (!r.met) {
        r.detail = pair->first_denied < e.at ? "denied at " + clock(pair->first_denied) + " (" +
                                                   std::string(to_string(pair->first_denial)) + ")"
                                             : "no call was granted before " + clock(e.at);
      }
      break;
    case AccessExpectation::Kind::kDeniedAfter: {
      const SimTime latest = e.within == kForever ? kForever : e.at + e.within;
      r.met = pair->denied > 0 && pair->first_denied >= e.at && pair->first_denied <= latest;
      if (!r.met) {
        r.detail = pair->denied == 0 ? "never denied"
                                     : "first denied at " + clock(pair->first_denied) + " (" +
                                           std::string(to_string(pair->first_denial)) + ")";
      }
      break;
    }
  }
  return r;
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
  j["identities"] =
      Json{{"system_assigned", by_kind[0]}, {"user_assigned", by_kind[1]}, {"service_principals", by_kind[2]}};
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

/// The value at a dotted path. A key may itself contain dots (the AAD regions' stages are
/// `stages["aad.westeurope"]`), so where the shortest key leads nowhere, longer ones are tried:
/// `stages.aad.westeurope.wait_ms.p99` reaches that region's p99 although `stages.aad` exists too.
const Json* find_path(const Json& root, std::string_view path) {
  if (path.empty()) return &root;
  if (!root.is_object()) return nullptr;
  for (std::size_t dot = path.find('.');; dot = path.find('.', dot + 1)) {
    auto it = root.find(std::string(path.substr(0, dot)));
    if (it != root.end()) {
      if (dot == std::string_view::npos) return &*it;
      if (const Json* found = find_path(*it, path.substr(dot + 1))) return found;
    }
    if (dot == std::string_view::npos) return nullptr;
  }
}

}  // namespace

Summary::Summary(const Scenario& scenario, const Simulation& simulation, const Execution& run)
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
  if (!run.phases.empty()) {
    Json phases = Json::object();
    for (const auto& [name, seconds] : run.phases) phases[name + "_s"] = seconds;
    j["phases"] = phases;
  }
  j["fingerprint"] = to_hex64(simulation.fingerprint());

  Json stages = Json::object();
  Histogram all_latency;
  const TokenPathStatistics& tp = simulation.token_statistics();
  if (tp.requests > 0) {
    stages["imds"] = endpoint_json(tp.endpoint, now);  // the key for every host's endpoint
    name_endpoint(simulation, stages["imds"]);
  }
  if (simulation.aad_region_count() > 0 && aad_used(simulation)) {
    stages["aad"] = aad_json(simulation, now);
    for (std::size_t r = 0; r < simulation.aad_region_count(); ++r) {
      all_latency.merge(simulation.aad_region(r).statistics().sojourn);
    }
    if (simulation.aad_region_count() > 1) {
      for (std::size_t r = 0; r < simulation.aad_region_count(); ++r) {
        stages[simulation.aad_region(r).name()] = stage_json(simulation.aad_region(r), now);
      }
    }
  }
  for (std::size_t i = 0; i < simulation.stage_count(); ++i) {
    const Station& st = simulation.stage(i);
    stages[st.name()] = stage_json(st, now);
    all_latency.merge(st.statistics().sojourn);
  }
  j["stages"] = stages;

  // Requests: token requests to the endpoints (retries included) and requests of plain stage
  // workloads, by HTTP status (a plain request turned away by a full queue counts as 503).
  const RequestCounts r = simulation.requests();
  std::map<int, std::uint64_t> by_status = tp.by_status;
  if (r.completed > 0) by_status[200] += r.completed;
  if (r.rejected > 0) by_status[503] += r.rejected;
  Json statuses = Json::object();
  for (const auto& [status, count] : by_status) statuses[std::to_string(status)] = count;
  Json requests;
  requests["total"] = tp.requests + r.total;
  requests["by_status"] = statuses;
  requests["in_flight"] = r.total - r.completed - r.rejected;
  requests["calls"] = tp.calls;
  requests["cache_hits"] = tp.client_cache_hits;
  requests["endpoint_cache_hits"] = tp.endpoint_cache_hits;
  requests["acquisitions"] = tp.acquisitions;
  requests["background_refreshes"] = tp.background_refreshes;
  requests["retries"] = tp.retries;
  requests["failed_acquisitions"] = tp.failed_acquisitions;
  requests["aad_requests"] = tp.aad_requests;
  requests["tokens_issued"] = tp.tokens_issued;
  // Refusals by a host endpoint's own rules or AAD's federated-credential check, by reason
  // (docs/model.md, "Other hosts' token endpoints"); only when there were any.
  if (!tp.refused.empty()) {
    Json refused = Json::object();
    for (const auto& [reason, count] : tp.refused) refused[std::string(reason)] = count;
    requests["refused"] = refused;
  }
  // Token acquisition latency when there are token requests, else the stages' sojourn.
  requests["latency_ms"] = latency_ms(tp.acquisitions > 0 ? tp.acquisition_latency : all_latency);
  j["requests"] = requests;
  // MIRP: certificates issued to identities created during the run, and scheduled rolls
  // (docs/model.md, "MIRP").
  j["mirp"] = Json{{"certificates_issued", tp.certificates_issued},
                   {"certificate_rolls", tp.certificate_rolls},
                   {"certificate_roll_failures", tp.certificate_roll_failures},
                   {"certificates_expired", tp.certificates_expired}};
  // ARM: the timeline's operations between issue and effect (docs/model.md, "ARM").
  const ArmStatistics& arm = simulation.arm_statistics();
  j["arm"] = Json{{"operations", arm.operations},
                  {"effects", arm.effects},
                  {"failed", arm.failed},
                  {"in_flight", arm.operations - arm.effects - arm.failed},
                  {"throttled", arm.throttled},
                  {"throttled_operations", arm.throttled_operations},
                  {"throttle_delay_s", to_seconds(arm.throttle_delay)},
                  {"held_by_outages", arm.held_by_outages},
                  {"delay_ms", latency_ms(arm.delay)}};
  j["access"] = access_json(simulation.access_pairs(), simulation.directory());
  j["directory"] = directory_json(simulation.directory(), now);
  Json timeline = Json::array();
  for (const TimelineRecord& t : simulation.timeline()) {
    Json tj{{"at_s", to_seconds(t.at)}, {"operation", t.operation}, {"applied", t.applied}};
    if (!t.applied) tj["error"] = t.error;
    tj["issued_s"] = to_seconds(t.issued);  // at_s is when it took effect, after ARM
    if (t.throttled > 0) tj["throttled"] = t.throttled;
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
  const AccessIndex access_pairs =
      scenario.access_expectations.empty() ? AccessIndex{} : index_access_pairs(simulation);
  for (const AccessExpectation& e : scenario.access_expectations) {
    ExpectationResult result = evaluate_access(e, access_pairs);
    Json ej;
    ej["expect"] = "access " + e.text;
    ej["where"] = e.place.file + ":" + std::to_string(e.place.line);
    ej["met"] = result.met;
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
