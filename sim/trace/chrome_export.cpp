// Chrome trace-event JSON (the "JSON Object Format" of the Trace Event Format document,
// https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU), which Perfetto
// UI and chrome://tracing open. docs/traces.md ("Perfetto") shows what each track holds.
//
// Tracks: process 1 "lifecycle" (instants, one thread per family), a process per station (its
// counters, its rejections, and a plain stage's customers on lanes), and a process per host that
// made token requests: each request a complete slice on a lane of its host, its attempts nested
// inside, an attempt's AAD wait and service nested inside the attempt.
//
// Events arrive in emission order, which is end-time order, so a request's attempts and AAD visits
// come before the request's own record. Each is written at once as its own complete event (they
// need not be sorted in the file) except two kinds held for a moment:
//  - an AAD visit is held until its attempt's answer, which the model emits at the same instant
//    right after the visit, so that the visit is written after its parent and on its lane;
//  - a request's first attempt (and its visit) is held until the request ends: it begins at the
//    same nanosecond as the request, and viewers that meet a child before a parent with the same
//    start nest them the wrong way round (https://github.com/google/perfetto/issues/878).
// Both are bounded by the requests in flight at one moment, not by the length of the trace.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atomic_output_file.hpp"
#include "entity_names.hpp"
#include "lane_pool.hpp"
#include "lifecycle_words.hpp"
#include "misim/fingerprint.hpp"
#include "misim/token_path_results.hpp"
#include "misim/trace_convert.hpp"
#include "text_format.hpp"

namespace misim {

namespace {

// Process ids: lifecycle, then one per station by its index (below 65536), then one per host by
// its resource index.
constexpr std::uint32_t kLifecyclePid = 1;
constexpr std::uint32_t kFirstStationPid = 100;
constexpr std::uint32_t kFirstHostPid = 100'000;
constexpr std::uint32_t kUnknownHostPid = kFirstHostPid - 1;  // requests that name no host
// Thread ids inside the lifecycle process, one per family.
enum LifecycleTid : std::uint32_t {
  kOperationsTid = 1,
  kFaultsTid,
  kVisibilityTid,
  kIdentitiesTid,
  kAccessTid,
};
// Inside a host process: application calls on thread 0, request lanes from 1.
constexpr std::uint32_t kCallsTid = 0;
// Inside a station's process: counters and rejections on thread 0, customer lanes from 1.
constexpr std::uint32_t kStationTid = 0;

class ChromeTraceWriter final : public TraceConsumer {
 public:
  explicit ChromeTraceWriter(AtomicOutputFile file) : file_(std::move(file)), out_(file_.buffer()) {}

  void on_header(const TraceHeader& header) override;
  void on_entity(const TraceEntity& entity) override { names_.add(entity); }
  void on_event(const TraceEvent& e) override;
  Status on_footer(const TraceFooter& footer) override;
  [[nodiscard]] std::size_t retained_records() const noexcept override;

 private:
  struct OpenRequest {
    std::uint64_t request = 0;
    std::uint32_t lane = 0;
    std::uint32_t attempts = 0;
    TraceEvent first_attempt;
    TraceEvent first_visit;
    bool has_first_visit = false;
  };
  struct HostTrack {
    LanePool lanes;
    std::vector<OpenRequest> open;
    bool named = false;
  };

  // --- what goes where ---
  void on_attempt(const TraceEvent& attempt);
  void on_token_request(const TraceEvent& request);
  void on_station_visit(const TraceEvent& visit);
  void flush_unmatched_visits(SimTime before);
  void write_request(const TraceEvent& request, std::uint32_t pid, std::uint32_t tid, std::uint32_t attempts);
  void write_attempt(const TraceEvent& attempt, std::uint32_t pid, std::uint32_t tid, std::uint32_t number);
  void write_visit(const TraceEvent& visit, std::uint32_t pid, std::uint32_t tid);
  void write_plain_visit(const TraceEvent& visit);
  void write_lifecycle(const TraceEvent& e);
  void write_sample(const TraceEvent& e);
  void write_call(const TraceEvent& e);
  void write_rejection(const TraceEvent& e);
  HostTrack& host(std::uint32_t resource);
  std::uint32_t host_pid(std::uint32_t resource) const noexcept {
    return resource == kNoEntity ? kUnknownHostPid : kFirstHostPid + resource;
  }
  std::uint32_t host_lane_tid(std::uint32_t lane) const noexcept { return lane + 1; }
  std::uint32_t station_pid(std::size_t station) const noexcept {
    return kFirstStationPid + static_cast<std::uint32_t>(station);
  }
  void name_host_lane(std::uint32_t resource, std::uint32_t lane);
  [[nodiscard]] std::string_view station_name(std::uint16_t station) const noexcept;

  // --- the JSON of one event ---
  void begin_event(char phase, std::uint32_t pid, std::uint32_t tid, SimTime ts);
  void name(std::string_view text);
  void name_parts(std::string_view first, std::string_view second);
  void category(std::string_view text);
  void duration(SimTime ns);
  void arg_key(std::string_view key);
  void arg(std::string_view key, std::int64_t value);
  void arg(std::string_view key, std::string_view value);
  void arg_double(std::string_view key, double value);
  void end_event();
  void metadata(std::string_view what, std::uint32_t pid, std::uint32_t tid, std::string_view value);
  void thread_name(std::uint32_t pid, std::uint32_t tid, std::string_view first, std::string_view second,
                   std::uint32_t number);
  void write_other_data(const TraceFooter& footer);

  AtomicOutputFile file_;
  std::string& out_;
  bool first_event_ = true;
  bool args_open_ = false;
  TraceHeader header_;
  EntityNames names_;
  std::vector<HostTrack> hosts_;  // by resource index
  HostTrack unknown_host_;
  std::vector<LanePool> station_lanes_;     // plain customers, by station index
  std::vector<TraceEvent> pending_visits_;  // AAD visits of attempts not yet arrived
  std::vector<TraceEvent> totals_;          // kStationTotals, for otherData
  std::string scratch_;
};

// ---------------------------------------------------------------------------------------------
// The JSON of one event: {"ph":..,"pid":..,"tid":..,"ts":..,"name":..,"dur":..,"args":{..}}

void ChromeTraceWriter::begin_event(char phase, std::uint32_t pid, std::uint32_t tid, SimTime ts) {
  out_ += first_event_ ? "\n{\"ph\":\"" : ",\n{\"ph\":\"";
  first_event_ = false;
  out_ += phase;
  out_ += R"(","pid":)";
  text::append_unsigned(out_, pid);
  out_ += R"(,"tid":)";
  text::append_unsigned(out_, tid);
  out_ += R"(,"ts":)";
  text::append_micros(out_, ts);
}

void ChromeTraceWriter::name(std::string_view text) {
  out_ += R"(,"name":)";
  text::append_json_string(out_, text);
}

void ChromeTraceWriter::name_parts(std::string_view first, std::string_view second) {
  scratch_.assign(first);
  scratch_ += second;
  name(scratch_);
}

void ChromeTraceWriter::category(std::string_view text) {
  out_ += R"(,"cat":")";
  out_ += text;  // categories are fixed words with nothing to escape
  out_ += '"';
}

void ChromeTraceWriter::duration(SimTime ns) {
  out_ += R"(,"dur":)";
  text::append_micros(out_, ns);
}

void ChromeTraceWriter::arg_key(std::string_view key) {
  out_ += args_open_ ? R"(,")" : R"(,"args":{")";
  args_open_ = true;
  out_ += key;
  out_ += R"(":)";
}

void ChromeTraceWriter::arg(std::string_view key, std::int64_t value) {
  arg_key(key);
  text::append_integer(out_, value);
}

void ChromeTraceWriter::arg(std::string_view key, std::string_view value) {
  arg_key(key);
  text::append_json_string(out_, value);
}

void ChromeTraceWriter::arg_double(std::string_view key, double value) {
  arg_key(key);
  text::append_double(out_, value);
}

void ChromeTraceWriter::end_event() {
  if (args_open_) out_ += '}';
  args_open_ = false;
  out_ += '}';
  file_.flush_if_full();
}

void ChromeTraceWriter::metadata(std::string_view what, std::uint32_t pid, std::uint32_t tid, std::string_view value) {
  begin_event('M', pid, tid, 0);
  name(what);
  arg("name", value);
  end_event();
}

void ChromeTraceWriter::thread_name(std::uint32_t pid, std::uint32_t tid, std::string_view first,
                                    std::string_view second, std::uint32_t number) {
  scratch_.assign(first);
  scratch_ += second;
  scratch_ += ' ';
  text::append_unsigned(scratch_, number);
  begin_event('M', pid, tid, 0);
  name("thread_name");
  arg("name", scratch_);
  end_event();
}

// ---------------------------------------------------------------------------------------------

void ChromeTraceWriter::on_header(const TraceHeader& header) {
  header_ = header;
  station_lanes_.resize(header_.run.stations.size());
  out_ += R"({"traceEvents":[)";
  metadata("process_name", kLifecyclePid, 0, "lifecycle");
  // Lifecycle and stations above the hosts (Perfetto and chrome://tracing sort by this index).
  const auto sort_index = [&](std::uint32_t pid, int index) {
    begin_event('M', pid, 0, 0);
    name("process_sort_index");
    arg("sort_index", index);
    end_event();
  };
  sort_index(kLifecyclePid, -2);
  for (std::size_t s = 0; s < header_.run.stations.size(); ++s) {
    const StationInfo& station = header_.run.stations[s];
    scratch_ = "station " + station.name + " (" + station.role + ")";
    metadata("process_name", station_pid(s), 0, scratch_);
    sort_index(station_pid(s), -1);
  }
  metadata("thread_name", kLifecyclePid, kOperationsTid, "timeline operations");
  metadata("thread_name", kLifecyclePid, kFaultsTid, "faults");
  metadata("thread_name", kLifecyclePid, kVisibilityTid, "role assignment visibility");
  metadata("thread_name", kLifecyclePid, kIdentitiesTid, "identities and certificates");
  metadata("thread_name", kLifecyclePid, kAccessTid, "access changes");
}

std::string_view ChromeTraceWriter::station_name(std::uint16_t station) const noexcept {
  if (station < header_.run.stations.size()) return header_.run.stations[station].name;
  return station == kNoStation ? "endpoint" : "station";
}

ChromeTraceWriter::HostTrack& ChromeTraceWriter::host(std::uint32_t resource) {
  if (resource != kNoEntity && resource >= hosts_.size()) hosts_.resize(resource + 1);
  HostTrack& h = resource == kNoEntity ? unknown_host_ : hosts_[resource];
  if (!h.named) {
    h.named = true;
    scratch_.clear();
    if (resource == kNoEntity) scratch_ = "unknown host";
    names_.append_name(scratch_, EntityKind::kResource, resource);
    const std::string_view type = names_.type(EntityKind::kResource, resource);
    if (!type.empty()) {
      scratch_ += " (";
      scratch_ += type;
      scratch_ += ')';
    }
    metadata("process_name", host_pid(resource), 0, scratch_);
    metadata("thread_name", host_pid(resource), kCallsTid, "application calls");
  }
  return h;
}

void ChromeTraceWriter::name_host_lane(std::uint32_t resource, std::uint32_t lane) {
  thread_name(host_pid(resource), host_lane_tid(lane), "token requests", "", lane + 1);
}

void ChromeTraceWriter::on_event(const TraceEvent& e) {
  if (!pending_visits_.empty() && e.time > pending_visits_.front().time) flush_unmatched_visits(e.time);
  switch (e.kind) {
    case EventKind::kTokenRequest:
      on_token_request(e);
      break;
    case EventKind::kAttempt:
      on_attempt(e);
      break;
    case EventKind::kStationVisit:
      on_station_visit(e);
      break;
    case EventKind::kRejected:
      write_rejection(e);
      break;
    case EventKind::kCall:
      write_call(e);
      break;
    case EventKind::kSample:
      write_sample(e);
      break;
    case EventKind::kStationTotals:
      totals_.push_back(e);
      break;
    case EventKind::kOperation:
    case EventKind::kFault:
    case EventKind::kRoleVisibility:
    case EventKind::kIdentityReplicated:
    case EventKind::kCertificate:
    case EventKind::kAccessChange:
      write_lifecycle(e);
      break;
  }
}

void ChromeTraceWriter::on_station_visit(const TraceEvent& visit) {
  // An attempt's trip to AAD names its host; its attempt follows at the same instant.
  if (visit.resource != kNoEntity) {
    pending_visits_.push_back(visit);
    return;
  }
  write_plain_visit(visit);
}

void ChromeTraceWriter::flush_unmatched_visits(SimTime before) {
  // Visits whose attempt never came (a model that answers later): shown as plain customers.
  std::size_t kept = 0;
  for (const TraceEvent& v : pending_visits_) {
    if (v.time < before) {
      write_plain_visit(v);
    } else {
      pending_visits_[kept++] = v;
    }
  }
  pending_visits_.resize(kept);
}

void ChromeTraceWriter::on_attempt(const TraceEvent& attempt) {
  HostTrack& h = host(attempt.resource);
  auto open =
      std::find_if(h.open.begin(), h.open.end(), [&](const OpenRequest& r) { return r.request == attempt.request; });
  const bool first = open == h.open.end();
  if (first) {
    const LanePool::Lane lane = h.lanes.acquire(attempt.begin);
    if (lane.created) name_host_lane(attempt.resource, lane.index);
    OpenRequest r;
    r.request = attempt.request;
    r.lane = lane.index;
    r.first_attempt = attempt;
    h.open.push_back(r);
    open = h.open.end() - 1;
  }
  ++open->attempts;
  if (!first) write_attempt(attempt, host_pid(attempt.resource), host_lane_tid(open->lane), open->attempts);
  // Its AAD visit, held until now.
  std::size_t kept = 0;
  for (const TraceEvent& v : pending_visits_) {
    if (v.request != attempt.request) {
      pending_visits_[kept++] = v;
    } else if (first && !open->has_first_visit) {
      open->first_visit = v;
      open->has_first_visit = true;
    } else {
      write_visit(v, host_pid(attempt.resource), host_lane_tid(open->lane));
    }
  }
  pending_visits_.resize(kept);
}

void ChromeTraceWriter::on_token_request(const TraceEvent& request) {
  HostTrack& h = host(request.resource);
  auto open =
      std::find_if(h.open.begin(), h.open.end(), [&](const OpenRequest& r) { return r.request == request.request; });
  const std::uint32_t pid = host_pid(request.resource);
  if (open == h.open.end()) {  // no attempt was recorded (cannot happen with misim's model)
    const LanePool::Lane lane = h.lanes.acquire(request.begin);
    if (lane.created) name_host_lane(request.resource, lane.index);
    write_request(request, pid, host_lane_tid(lane.index), 0);
    h.lanes.release(lane.index, request.time);
    return;
  }
  const std::uint32_t tid = host_lane_tid(open->lane);
  write_request(request, pid, tid, open->attempts);
  write_attempt(open->first_attempt, pid, tid, 1);
  if (open->has_first_visit) write_visit(open->first_visit, pid, tid);
  h.lanes.release(open->lane, request.time);
  *open = h.open.back();
  h.open.pop_back();
}

void ChromeTraceWriter::write_request(const TraceEvent& r, std::uint32_t pid, std::uint32_t tid,
                                      std::uint32_t attempts) {
  begin_event('X', pid, tid, r.begin);
  duration(r.time - r.begin);
  name((r.flags & kFlagBackground) != 0 ? "token refresh" : "token request");
  category("request");
  arg("request", static_cast<std::int64_t>(r.request));
  arg("status", r.status);
  scratch_.clear();
  names_.append_name(scratch_, EntityKind::kIdentity, r.identity);
  arg("identity", scratch_);
  scratch_.clear();
  names_.append_name(scratch_, EntityKind::kResource, r.target);
  arg("target", scratch_);
  arg("attempts", attempts);
  arg("retries", r.count);
  end_event();
}

void ChromeTraceWriter::write_attempt(const TraceEvent& a, std::uint32_t pid, std::uint32_t tid, std::uint32_t number) {
  begin_event('X', pid, tid, a.begin);
  duration(a.time - a.begin);
  name(station_name(a.station));
  category("attempt");
  arg("request", static_cast<std::int64_t>(a.request));
  arg("attempt", number);
  arg("status", a.status);
  arg("endpoint_cache_hit", (a.flags & kFlagCacheHit) != 0 ? 1 : 0);
  end_event();
}

void ChromeTraceWriter::write_visit(const TraceEvent& v, std::uint32_t pid, std::uint32_t tid) {
  const std::string_view station = station_name(v.station);
  if (v.service_start > v.begin) {
    begin_event('X', pid, tid, v.begin);
    duration(v.service_start - v.begin);
    name_parts(station, " wait");
    category("wait");
    arg("request", static_cast<std::int64_t>(v.request));
    end_event();
  }
  begin_event('X', pid, tid, v.service_start);
  duration(v.time - v.service_start);
  name(station);
  category("service");
  arg("request", static_cast<std::int64_t>(v.request));
  end_event();
}

void ChromeTraceWriter::write_plain_visit(const TraceEvent& v) {
  if (v.station >= station_lanes_.size()) station_lanes_.resize(static_cast<std::size_t>(v.station) + 1);
  LanePool& lanes = station_lanes_[v.station];
  const LanePool::Lane lane = lanes.acquire(v.begin);
  const std::uint32_t tid = lane.index + 1;
  if (lane.created) thread_name(station_pid(v.station), tid, "customers", "", lane.index + 1);
  write_visit(v, station_pid(v.station), tid);
  lanes.release(lane.index, v.time);
}

void ChromeTraceWriter::write_lifecycle(const TraceEvent& e) {
  std::uint32_t tid = kOperationsTid;
  switch (e.kind) {
    case EventKind::kFault:
      tid = kFaultsTid;
      break;
    case EventKind::kRoleVisibility:
      tid = kVisibilityTid;
      break;
    case EventKind::kIdentityReplicated:
    case EventKind::kCertificate:
      tid = kIdentitiesTid;
      break;
    case EventKind::kAccessChange:
      tid = kAccessTid;
      break;
    default:
      break;
  }
  begin_event('i', kLifecyclePid, tid, e.time);
  scratch_.clear();
  describe_lifecycle(scratch_, e, header_.run, names_);
  name(scratch_);
  category("lifecycle");
  out_ += R"(,"s":"t")";
  arg("kind", to_string(e.kind));
  arg("state", lifecycle_state(e));
  end_event();
}

void ChromeTraceWriter::write_sample(const TraceEvent& e) {
  const std::string_view station = station_name(e.station);
  // Two counters a station: the queue (waiting and busy, in customers) and utilisation (a
  // fraction), which would be flattened on one scale if they shared a track.
  begin_event('C', station_pid(e.station), kStationTid, e.time);
  name_parts(station, " queue");
  arg("waiting", e.count);
  arg("busy", e.busy);
  end_event();
  begin_event('C', station_pid(e.station), kStationTid, e.time);
  name(station);
  arg_double("utilisation", e.value);
  end_event();
}

void ChromeTraceWriter::write_call(const TraceEvent& e) {
  host(e.resource);
  begin_event('i', host_pid(e.resource), kCallsTid, e.time);
  name_parts(e.status == 0 ? "call " : "call denied: ", lifecycle_state(e));
  category("call");
  out_ += R"(,"s":"t")";
  scratch_.clear();
  names_.append_name(scratch_, EntityKind::kResource, e.target);
  arg("target", scratch_);
  arg("calls", e.count);
  arg("sdk_cache_hit", (e.flags & kFlagCacheHit) != 0 ? 1 : 0);
  end_event();
}

void ChromeTraceWriter::write_rejection(const TraceEvent& e) {
  begin_event('i', station_pid(e.station), kStationTid, e.time);
  name_parts("turned away by ", station_name(e.station));
  category("rejected");
  out_ += R"(,"s":"p")";
  arg("request", static_cast<std::int64_t>(e.request));
  if (e.resource != kNoEntity) {
    scratch_.clear();
    names_.append_name(scratch_, EntityKind::kResource, e.resource);
    arg("host", scratch_);
  }
  end_event();
}

void ChromeTraceWriter::write_other_data(const TraceFooter& footer) {
  out_ += "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"misim_version\":";
  text::append_json_string(out_, header_.misim_version);
  out_ += R"(,"scenario":)";
  text::append_json_string(out_, header_.scenario);
  out_ += R"(,"scenario_file":)";
  text::append_json_string(out_, header_.scenario_file);
  out_ += R"(,"seed":)";
  text::append_unsigned(out_, header_.seed);
  out_ += R"(,"trace_level":)";
  text::append_json_string(out_, to_string(header_.level));
  out_ += R"(,"params":{)";
  for (std::size_t i = 0; i < header_.params.size(); ++i) {
    if (i > 0) out_ += ',';
    text::append_json_string(out_, header_.params[i].first);
    out_ += ':';
    text::append_json_string(out_, header_.params[i].second);
  }
  out_ += R"(},"fingerprint":)";
  text::append_json_string(out_, to_hex64(footer.fingerprint));
  out_ += R"(,"events":)";
  text::append_unsigned(out_, footer.events);
  out_ += R"(,"end_time_s":)";
  text::append_scaled(out_, footer.end_time, 9);
  out_ += footer.interrupted ? R"(,"interrupted":true)" : R"(,"interrupted":false)";
  out_ += R"(,"stations":[)";
  for (std::size_t i = 0; i < totals_.size(); ++i) {
    const TraceEvent& t = totals_[i];
    out_ += i > 0 ? R"(,{"name":)" : R"({"name":)";
    text::append_json_string(out_, station_name(t.station));
    out_ += R"(,"arrivals":)";
    text::append_unsigned(out_, t.request);
    out_ += R"(,"completed":)";
    text::append_integer(out_, t.service_start);
    out_ += R"(,"rejected":)";
    text::append_integer(out_, t.begin);
    out_ += R"(,"utilization":)";
    text::append_double(out_, t.value);
    out_ += '}';
  }
  out_ += "]}}\n";
}

Status ChromeTraceWriter::on_footer(const TraceFooter& footer) {
  flush_unmatched_visits(kForever);
  // Requests still in flight when the run stopped: their attempts so far, without a request slice.
  const auto write_held = [&](const HostTrack& h, std::uint32_t pid) {
    for (const OpenRequest& r : h.open) {
      write_attempt(r.first_attempt, pid, host_lane_tid(r.lane), 1);
      if (r.has_first_visit) write_visit(r.first_visit, pid, host_lane_tid(r.lane));
    }
  };
  for (std::uint32_t resource = 0; resource < hosts_.size(); ++resource)
    write_held(hosts_[resource], host_pid(resource));
  write_held(unknown_host_, kUnknownHostPid);
  write_other_data(footer);
  return file_.commit();
}

std::size_t ChromeTraceWriter::retained_records() const noexcept {
  std::size_t n = names_.size() + pending_visits_.size() + totals_.size();
  for (const HostTrack& h : hosts_) n += h.open.size() + h.lanes.size();
  n += unknown_host_.open.size() + unknown_host_.lanes.size();
  for (const LanePool& lanes : station_lanes_) n += lanes.size();
  return n;
}

}  // namespace

Result<std::unique_ptr<TraceConsumer>> chrome_trace_writer(const std::string& path) {
  Result<AtomicOutputFile> file = AtomicOutputFile::create(path);
  if (!file) return std::move(file).error();
  return std::unique_ptr<TraceConsumer>(std::make_unique<ChromeTraceWriter>(std::move(file).value()));
}

}  // namespace misim
