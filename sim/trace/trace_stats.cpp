// `misim trace stats`: summary.json's numbers from a trace. Each is computed the way
// sim/report/summary.cpp and the model compute it, from the events that record the same moments:
//
//   requests.by_status        kAttempt by status (every answer a client received), plus plain
//                             stage customers as 200 (kStationVisit) and 503 (kRejected)
//   requests.retries          kAttempt - kTokenRequest: every answer but a request's last led to a retry
//   requests.acquisitions     first attempts (count 0) answered
//   requests.latency_ms       kTokenRequest end - begin (else the stations' sojourn, as summary.json)
//   requests.calls, cache_hits, access.granted/denied      kCall counts
//   stages.<s>.arrivals ... utilization                    kStationTotals
//   stages.<s>.wait_ms, sojourn_ms   kStationVisit arriving after the warm-up, into a Histogram as
//                                    Station does; the endpoint: its admitted attempts' latency
//
// Histogram sums are sums of whole nanoseconds, exact below 2^53 ns (104 days of summed waiting),
// so recording in departure order gives the same means as the station's service-start order.
#include "misim/trace_stats.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "misim/fingerprint.hpp"
#include "misim/histogram.hpp"
#include "trace_rules.hpp"

namespace misim {

using Json = nlohmann::ordered_json;

namespace {

struct StationTally {
  Histogram wait;     // ns, customers arriving after the warm-up
  Histogram sojourn;  // ns, likewise; the endpoint: admitted attempts, arrival to answer
  std::uint64_t visits = 0;
  std::optional<TraceEvent> totals;
};

/// summary.cpp's latency_ms: count, then mean and percentiles of nanoseconds in milliseconds.
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

// Which trace level each field needs (a trace records the levels up to its own).
// clang-format off
const std::vector<std::pair<std::string, TraceLevel>> kFieldLevels{
    {"fingerprint", TraceLevel::kLifecycle},
    {"requests.by_status", TraceLevel::kRequests},
    {"requests.endpoint_cache_hits", TraceLevel::kRequests},
    {"requests.acquisitions", TraceLevel::kRequests},
    {"requests.retries", TraceLevel::kRequests},
    {"requests.failed_acquisitions", TraceLevel::kRequests},
    {"requests.latency_ms", TraceLevel::kRequests},
    {"stages.*.wait_ms", TraceLevel::kRequests},
    {"stages.*.sojourn_ms", TraceLevel::kRequests},
    {"requests.calls", TraceLevel::kAll},
    {"requests.cache_hits", TraceLevel::kAll},
    {"access.granted", TraceLevel::kAll},
    {"access.denied", TraceLevel::kAll},
    {"stages.*.arrivals", TraceLevel::kAll},
    {"stages.*.completed", TraceLevel::kAll},
    {"stages.*.rejected", TraceLevel::kAll},
    {"stages.*.utilization", TraceLevel::kAll},
};
// clang-format on

}  // namespace

struct TraceStatistics::State {
  TraceHeader header;
  std::vector<StationTally> stations;
  std::map<int, std::uint64_t> by_status;
  std::uint64_t plain_served = 0;
  std::uint64_t plain_rejected = 0;
  std::uint64_t attempts = 0;
  std::uint64_t first_attempts = 0;
  std::uint64_t endpoint_cache_hits = 0;
  std::uint64_t token_requests = 0;
  std::uint64_t failed_acquisitions = 0;
  Histogram acquisition_latency;
  std::uint64_t calls = 0;
  std::uint64_t cache_hits = 0;
  std::uint64_t granted = 0;
  std::uint64_t denied = 0;
  std::optional<TraceFooter> footer;

  StationTally& station(std::uint16_t index) {
    if (index >= stations.size()) stations.resize(static_cast<std::size_t>(index) + 1);
    return stations[index];
  }
  [[nodiscard]] std::string_view role(std::uint16_t index) const {
    return index < header.run.stations.size() ? std::string_view{header.run.stations[index].role} : "";
  }
  [[nodiscard]] bool has(TraceLevel level) const { return header.level >= level; }

  void on_event(const TraceEvent& e);
  [[nodiscard]] Json stage_json(const StationTally& t, bool endpoint = false) const;
  [[nodiscard]] bool token_requests_made() const;
  [[nodiscard]] Json stages_json(Histogram& all_latency) const;
  [[nodiscard]] Json requests_json(const Histogram& all_latency) const;
  [[nodiscard]] Json document() const;
};

void TraceStatistics::State::on_event(const TraceEvent& e) {
  switch (e.kind) {
    case EventKind::kAttempt:
      ++attempts;
      ++by_status[e.status];
      if (e.count == 0) ++first_attempts;
      if ((e.flags & kFlagCacheHit) != 0) ++endpoint_cache_hits;
      // The endpoint's latency counts admitted attempts, from the first (no warm-up), as
      // TokenPath::endpoint_answers records it.
      if (role(e.station) == "endpoint" && !rejected_at_endpoint(e)) {
        station(e.station).sojourn.record(static_cast<double>(e.time - e.begin));
      }
      break;
    case EventKind::kTokenRequest:
      if ((e.flags & kFlagInFlight) != 0) {
        // Work in flight at the end, which summary.json counts when it starts.
        if (e.count == 0) ++first_attempts;
        if ((e.flags & kFlagCacheHit) != 0) ++endpoint_cache_hits;
        calls += e.busy;
        break;
      }
      ++token_requests;
      if (e.status != kHttpOk) ++failed_acquisitions;
      acquisition_latency.record(static_cast<double>(e.time - e.begin));
      break;
    case EventKind::kStationVisit: {
      if (!of_token_request(e)) ++plain_served;
      StationTally& t = station(e.station);
      ++t.visits;
      if (role(e.station) != "endpoint" && e.begin >= header.run.warmup) {  // Station::measuring(arrival)
        t.wait.record(static_cast<double>(e.service_start - e.begin));
        t.sojourn.record(static_cast<double>(e.time - e.begin));
      }
      break;
    }
    case EventKind::kRejected:
      if (!of_token_request(e)) ++plain_rejected;
      break;
    case EventKind::kCall:
      calls += e.count;
      if ((e.flags & kFlagCacheHit) != 0) cache_hits += e.count;
      (e.status == 0 ? granted : denied) += e.count;
      break;
    case EventKind::kStationTotals:
      station(e.station).totals = e;
      break;
    default:
      break;
  }
}

Json TraceStatistics::State::stage_json(const StationTally& t, bool endpoint) const {
  Json j = Json::object();
  if (t.totals) {
    // kStationTotals carries its counts in request, service_start and begin (trace_event.hpp).
    j["arrivals"] = t.totals->request;
    j["completed"] = static_cast<std::uint64_t>(t.totals->service_start);
    j["rejected"] = static_cast<std::uint64_t>(t.totals->begin);
    j["utilization"] = t.totals->value;
  }
  if (has(TraceLevel::kRequests)) {
    // The endpoint has no queue (a full one answers 429): no waits, as in summary.json.
    j["wait_ms"] = latency_ms(endpoint ? Histogram{} : t.wait);
    j["sojourn_ms"] = latency_ms(t.sojourn);
  }
  return j;
}

bool TraceStatistics::State::token_requests_made() const {
  // summary.json: any request sent to an endpoint (its arrivals count every one from the start).
  for (std::size_t s = 0; s < header.run.stations.size(); ++s) {
    if (header.run.stations[s].role != "endpoint") continue;
    if (s < stations.size() && stations[s].totals) return stations[s].totals->request > 0;
  }
  return attempts > 0;
}

Json TraceStatistics::State::stages_json(Histogram& all_latency) const {
  const auto used = [&](std::size_t s, std::uint64_t seen) {
    const StationTally* t = s < stations.size() ? &stations[s] : nullptr;
    if (t != nullptr && t->totals) return t->totals->request > 0;
    return seen > 0;
  };
  const auto tally = [&](std::size_t s) { return s < stations.size() ? stations[s] : StationTally{}; };
  const std::vector<StationInfo>& info = header.run.stations;
  Json stages = Json::object();
  // summary.json's order: the endpoint ("imds"), AAD (one stage, and each region when there are
  // several), then the plain stages.
  for (std::size_t s = 0; s < info.size(); ++s) {
    if (info[s].role == "endpoint" && used(s, attempts)) stages[info[s].name] = stage_json(tally(s), true);
  }
  std::vector<std::size_t> regions;
  bool aad_used = false;
  for (std::size_t s = 0; s < info.size(); ++s) {
    if (info[s].role != "aad") continue;
    regions.push_back(s);
    if (used(s, tally(s).visits)) aad_used = true;
  }
  if (aad_used) {
    if (regions.size() == 1) {
      stages["aad"] = stage_json(tally(regions[0]));
    } else {
      // All regions as one stage, as summary.cpp's aad_json (utilisation from each region's
      // fraction times its servers: the busy-server means summary.json adds up).
      Json j;
      std::uint64_t arrivals = 0, completed = 0, rejected = 0;
      double busy = 0.0, servers = 0.0;
      Histogram wait, sojourn;
      bool totals = true;
      for (std::size_t s : regions) {
        const StationTally t = tally(s);
        if (t.totals) {
          arrivals += t.totals->request;
          completed += static_cast<std::uint64_t>(t.totals->service_start);
          rejected += static_cast<std::uint64_t>(t.totals->begin);
          busy += t.totals->value * info[s].servers;
        } else {
          totals = false;
        }
        servers += info[s].servers;
        wait.merge(t.wait);
        sojourn.merge(t.sojourn);
      }
      j["regions"] = regions.size();
      j["servers"] = servers;
      if (totals) {
        j["arrivals"] = arrivals;
        j["completed"] = completed;
        j["rejected"] = rejected;
        j["utilization"] = servers > 0 ? busy / servers : 0.0;
      }
      if (has(TraceLevel::kRequests)) {
        j["wait_ms"] = latency_ms(wait);
        j["sojourn_ms"] = latency_ms(sojourn);
      }
      stages["aad"] = j;
    }
    for (std::size_t s : regions) all_latency.merge(tally(s).sojourn);
    if (regions.size() > 1) {
      for (std::size_t s : regions) stages[info[s].name] = stage_json(tally(s));
    }
  }
  for (std::size_t s = 0; s < info.size(); ++s) {
    if (info[s].role != "stage") continue;
    stages[info[s].name] = stage_json(tally(s));
    all_latency.merge(tally(s).sojourn);
  }
  return stages;
}

Json TraceStatistics::State::requests_json(const Histogram& all_latency) const {
  Json requests = Json::object();
  if (has(TraceLevel::kRequests)) {
    std::map<int, std::uint64_t> statuses = by_status;
    if (plain_served > 0) statuses[kHttpOk] += plain_served;
    if (plain_rejected > 0) statuses[kHttpServiceUnavailable] += plain_rejected;
    Json j = Json::object();
    for (const auto& [status, count] : statuses) j[std::to_string(status)] = count;
    requests["by_status"] = j;
  }
  if (has(TraceLevel::kAll)) {
    requests["calls"] = calls;
    requests["cache_hits"] = cache_hits;
  }
  if (has(TraceLevel::kRequests)) {
    requests["endpoint_cache_hits"] = endpoint_cache_hits;
    requests["acquisitions"] = first_attempts;
    requests["retries"] = attempts - token_requests;
    requests["failed_acquisitions"] = failed_acquisitions;
    // Token acquisition latency when there were token requests, else the stages' sojourn.
    requests["latency_ms"] = latency_ms(token_requests_made() ? acquisition_latency : all_latency);
  }
  return requests;
}

Json TraceStatistics::State::document() const {
  Json j;
  j["scenario"] = header.scenario;
  j["seed"] = header.seed;
  if (footer) j["fingerprint"] = to_hex64(footer->fingerprint);
  Histogram all_latency;
  j["stages"] = stages_json(all_latency);
  j["requests"] = requests_json(all_latency);
  if (has(TraceLevel::kAll)) j["access"] = Json{{"granted", granted}, {"denied", denied}};

  Json trace;
  trace["level"] = to_string(header.level);
  if (footer) {
    trace["events"] = footer->events;
    trace["end_time_s"] = to_seconds(footer->end_time);
    trace["interrupted"] = footer->interrupted;
  }
  Json levels = Json::object();
  Json unavailable = Json::array();
  for (const auto& [field, level] : kFieldLevels) {
    levels[field] = to_string(level);
    if (!has(level)) unavailable.push_back(field);
  }
  trace["levels"] = levels;
  trace["unavailable"] = unavailable;
  j["trace"] = trace;
  return j;
}

TraceStatistics::TraceStatistics() : state_(std::make_unique<State>()) {}
TraceStatistics::~TraceStatistics() = default;

void TraceStatistics::on_header(const TraceHeader& header) {
  state_->header = header;
  state_->stations.resize(header.run.stations.size());
}

void TraceStatistics::on_event(const TraceEvent& event) { state_->on_event(event); }

Status TraceStatistics::on_footer(const TraceFooter& footer) {
  state_->footer = footer;
  return {};
}

std::size_t TraceStatistics::retained_records() const noexcept { return state_->stations.size(); }

std::string TraceStatistics::json_text() const { return state_->document().dump(2) + "\n"; }

}  // namespace misim
