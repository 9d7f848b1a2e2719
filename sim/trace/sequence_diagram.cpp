// Mermaid sequence diagrams of token requests (misim/sequence_diagram.hpp). The participants are
// the roles of docs/model.md's token path: the application's client SDK on its host, the host's
// token endpoint (IMDS, or what the host's type asks instead: token_endpoint_name.hpp), the AAD
// region that served it, and the target the token is for.
#include "misim/sequence_diagram.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "entity_names.hpp"
#include "lifecycle_words.hpp"
#include "misim/token_endpoint_name.hpp"
#include "trace_rules.hpp"

namespace misim {

namespace {

/// The HTTP reason phrase, for the statuses misim's endpoints answer.
std::string_view reason(std::uint16_t status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

std::string status_text(std::uint16_t status) {
  const std::string_view r = reason(status);
  return r.empty() ? std::to_string(status) : std::to_string(status) + " " + std::string(r);
}

/// A duration as people read it: "0.25 ms", "45.3 ms", "1.20 s", "2.5 min".
std::string readable(SimTime ns) {
  char buf[48];
  const double ms = static_cast<double>(ns) / 1e6;
  if (ns < kMillisecond) {
    std::snprintf(buf, sizeof buf, "%.3g ms", ms);
  } else if (ns < kSecond) {
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  } else if (ns < kMinute) {
    std::snprintf(buf, sizeof buf, "%.2f s", ms / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f min", ms / 6e4);
  }
  return buf;
}

/// Text safe inside a Mermaid statement: ';' ends one and '#' starts an entity code.
std::string mermaid_text(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == ';' || c == '#' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

std::string name_of(const EntityNames& names, EntityKind kind, std::uint32_t index) {
  std::string out;
  names.append_name(out, kind, index);
  return out.empty() ? "(none)" : out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RequestSequence

struct RequestSequence::State {
  std::uint64_t request;
  TraceHeader header;
  EntityNames names;
  std::vector<TraceEvent> attempts;
  std::vector<std::vector<std::uint32_t>> faults_during;  // per attempt: faults active when answered
  std::vector<std::uint32_t> active_faults;               // RunInfo::faults indices, now
  std::vector<TraceEvent> visits;                         // AAD visits of its attempts
  std::vector<TraceEvent> rejections;                     // turned away by a full AAD queue
  std::vector<TraceEvent> calls;                          // calls presented with the token at the instant it came
  std::optional<TraceEvent> end;                          // its kTokenRequest
  bool plain_customer = false;                            // the id is a plain stage customer's
  bool past_end = false;                                  // an event after the request's end was read
  SimTime last_time = 0;
  std::uint64_t token_requests_seen = 0;

  void on_event(const TraceEvent& e);
  [[nodiscard]] std::string diagram() const;
  void attempt_lines(std::string& out, std::size_t index) const;
};

void RequestSequence::State::on_event(const TraceEvent& e) {
  last_time = e.time;
  if (end) {
    // Calls that waited for this token are presented at the instant it arrived, right after.
    if (e.time > end->time) {
      past_end = true;
    } else if (e.kind == EventKind::kCall && e.resource == end->resource && e.target == end->target) {
      calls.push_back(e);
    }
    return;
  }
  if (e.kind == EventKind::kTokenRequest) ++token_requests_seen;
  if (e.kind == EventKind::kFault) {
    std::erase(active_faults, e.count);
    if (e.status == 1) active_faults.push_back(e.count);
  }
  if (e.request != request) return;
  switch (e.kind) {
    case EventKind::kAttempt:
      attempts.push_back(e);
      faults_during.push_back(active_faults);
      break;
    case EventKind::kStationVisit:
      if (of_token_request(e)) {
        visits.push_back(e);
      } else {
        plain_customer = true;
      }
      break;
    case EventKind::kRejected:
      if (of_token_request(e)) rejections.push_back(e);
      break;
    case EventKind::kTokenRequest:
      end = e;
      break;
    default:
      break;
  }
}

void RequestSequence::State::attempt_lines(std::string& out, std::size_t index) const {
  const TraceEvent& a = attempts[index];
  const bool last = index + 1 == attempts.size();
  const std::string number = std::to_string(a.count + 1);
  out += "    App->>IMDS: attempt " + number + ": GET token at " + format_clock(a.begin) + "\n";
  const TraceEvent* visit = nullptr;
  for (const TraceEvent& v : visits) {
    if (v.time <= a.time && v.begin >= a.begin) visit = &v;
  }
  const TraceEvent* rejected = nullptr;
  for (const TraceEvent& r : rejections) {
    if (r.time <= a.time && r.time >= a.begin) rejected = &r;
  }
  const std::string status = status_text(a.status);
  if (rejected_at_endpoint(a)) {
    out += "    Note over IMDS: over its rate or concurrency limit\n";
    out += "    IMDS-->>App: " + status + " at once\n";
  } else if ((a.flags & kFlagCacheHit) != 0) {
    out += "    Note over IMDS: answered from its token cache\n";
    out += "    IMDS-->>App: " + status + " after " + readable(a.time - a.begin) + "\n";
  } else if (visit != nullptr) {
    out += "    IMDS->>AAD: token request after " + readable(visit->begin - a.begin) + "\n";
    if (visit->service_start > visit->begin) {
      out += "    Note over AAD: waited " + readable(visit->service_start - visit->begin) + " for a server\n";
    }
    out += "    Note over AAD: served in " + readable(visit->time - visit->service_start) + "\n";
    out += "    AAD-->>IMDS: " + std::string(a.status == kHttpOk ? "token" : status) + "\n";
    out += "    IMDS-->>App: " + status + " after " + readable(a.time - a.begin) + "\n";
  } else if (rejected != nullptr || a.status == kHttpServiceUnavailable || a.status == kHttpTooManyRequests) {
    // AAD answered without serving it: its queue was full, an outage, or its throttle.
    out += "    IMDS->>AAD: token request\n";
    if (rejected != nullptr) out += "    Note over AAD: queue full\n";
    for (const std::uint32_t f : faults_during[index]) {
      if (f < header.run.faults.size()) out += "    Note over AAD: " + mermaid_text(header.run.faults[f]) + "\n";
    }
    out += "    AAD-->>IMDS: " + status + "\n";
    out += "    IMDS-->>App: " + status + " after " + readable(a.time - a.begin) + "\n";
  } else {
    out += "    IMDS-->>App: " + status + " after " + readable(a.time - a.begin) + "\n";
  }
  if (!last) {
    // The next attempt's start tells the client's retry delay.
    for (const TraceEvent& next : attempts) {
      if (next.count == a.count + 1) {
        out += "    Note over App: retries in " + readable(next.begin - a.time) + "\n";
        break;
      }
    }
  }
}

std::string RequestSequence::State::diagram() const {
  const TraceEvent& r = *end;
  const std::string host = mermaid_text(name_of(names, EntityKind::kResource, r.resource));
  const std::string target = mermaid_text(name_of(names, EntityKind::kResource, r.target));
  const std::string identity = mermaid_text(name_of(names, EntityKind::kIdentity, r.identity));
  std::string endpoint = "imds";
  std::string endpoint_role = " (token endpoint)";
  if (!attempts.empty() && attempts.front().station < header.run.stations.size()) {
    endpoint = header.run.stations[attempts.front().station].name;
  }
  // The endpoint station stands for every host's endpoint: name it by what the host asks, but for
  // IMDS, which is the station's own name.
  static const ResourceTypeRegistry kTypes = ResourceTypeRegistry::with_builtins();
  const std::string_view host_type = names.type(EntityKind::kResource, r.resource);
  if (const std::optional<ResourceTypeId> type = kTypes.find(host_type)) {
    const TokenEndpoint kind = kTypes.info(*type).endpoint;
    if (kind != TokenEndpoint::kImds && kind != TokenEndpoint::kNone) {
      endpoint = std::string(token_endpoint_name(kind, host_type));
      endpoint_role.clear();  // the words say it
    }
  }
  // The region that served it, or the only one there is.
  std::string aad = "AAD";
  if (!visits.empty() && visits.front().station < header.run.stations.size()) {
    aad = header.run.stations[visits.front().station].name;
  } else if (std::count_if(header.run.stations.begin(), header.run.stations.end(),
                           [](const StationInfo& s) { return s.role == "aad"; }) == 1) {
    aad = std::find_if(header.run.stations.begin(), header.run.stations.end(), [](const StationInfo& s) {
            return s.role == "aad";
          })->name;
  }
  std::string out = "%% misim trace sequence: token request " + std::to_string(request) + " of scenario " +
                    mermaid_text(header.scenario) + "\n";
  out += "sequenceDiagram\n";
  out += "    participant App as App on " + host + " (client SDK)\n";
  out += "    participant IMDS as " + mermaid_text(endpoint) + endpoint_role + "\n";
  out += "    participant AAD as " + mermaid_text(aad) + " (Entra ID)\n";
  out += "    participant Target as " + target + "\n";
  out += "    Note over App: ";
  out += (r.flags & kFlagBackground) != 0 ? "refreshes its token" : "needs a token";
  out += " for " + target + " at " + format_clock(r.begin) + "\n";
  for (std::size_t i = 0; i < attempts.size(); ++i) attempt_lines(out, i);
  const std::string tries = std::to_string(attempts.size()) + (attempts.size() == 1 ? " attempt" : " attempts");
  if (r.status == kHttpOk) {
    out += "    Note over App: token for " + identity + " after " + tries + ", " + readable(r.time - r.begin) + "\n";
    for (const TraceEvent& c : calls) {
      const std::string n = std::to_string(c.count) + (c.count == 1 ? " call" : " calls");
      out += "    App->>Target: " + n + " with the token\n";
      out += "    Target-->>App: " + std::string(c.status == 0 ? "" : "denied, ") + mermaid_text(lifecycle_state(c)) +
             "\n";
    }
  } else {
    out += "    Note over App: gives up after " + tries + ", " + readable(r.time - r.begin) + " (" +
           status_text(r.status) + ")\n";
  }
  return out;
}

RequestSequence::RequestSequence(std::uint64_t request) : state_(std::make_unique<State>()) {
  state_->request = request;
}
RequestSequence::~RequestSequence() = default;

void RequestSequence::on_header(const TraceHeader& header) { state_->header = header; }
void RequestSequence::on_entity(const TraceEntity& entity) { state_->names.add(entity); }
void RequestSequence::on_event(const TraceEvent& event) { state_->on_event(event); }
bool RequestSequence::done() const noexcept { return state_->past_end; }
bool RequestSequence::found() const noexcept { return state_->end.has_value(); }

std::size_t RequestSequence::retained_records() const noexcept {
  const State& s = *state_;
  return s.names.size() + s.attempts.size() + s.visits.size() + s.rejections.size() + s.calls.size();
}

std::string RequestSequence::why_not_found() const {
  const State& s = *state_;
  const std::string id = "request " + std::to_string(s.request);
  if (s.header.level < TraceLevel::kRequests) {
    return "the trace was recorded at level '" + std::string(to_string(s.header.level)) +
           "', which has no requests (run with --trace requests or all)";
  }
  if (s.plain_customer) return id + " is a customer of a plain stage, not a token request";
  if (!s.attempts.empty()) return id + " was still in flight when the run ended";
  return "no token request " + std::to_string(s.request) + " in the trace (" + std::to_string(s.token_requests_seen) +
         " token requests ended; list some with --list)";
}

std::string RequestSequence::mermaid() const { return found() ? state_->diagram() : std::string(); }

// ---------------------------------------------------------------------------------------------
// RequestIndex

struct RequestIndex::State {
  std::size_t first_limit;
  std::size_t failed_limit;
  TraceLevel level = TraceLevel::kNone;
  EntityNames names;
  std::vector<std::string> first;
  std::vector<std::string> failed;
  std::uint64_t seen = 0;

  [[nodiscard]] std::string line(const TraceEvent& r) const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%10llu  %s  ", static_cast<unsigned long long>(r.request),
                  format_clock(r.begin).c_str());
    std::string out = buf;
    out += name_of(names, EntityKind::kResource, r.resource) + " -> " + name_of(names, EntityKind::kResource, r.target);
    out += " as " + name_of(names, EntityKind::kIdentity, r.identity) + ": ";
    out +=
        status_text(r.status) + " after " + std::to_string(r.count + 1) + (r.count == 0 ? " attempt, " : " attempts, ");
    out += readable(r.time - r.begin);
    if ((r.flags & kFlagBackground) != 0) out += " (background refresh)";
    return out;
  }
};

RequestIndex::RequestIndex(std::size_t first, std::size_t failed) : state_(std::make_unique<State>()) {
  state_->first_limit = first;
  state_->failed_limit = failed;
}
RequestIndex::~RequestIndex() = default;

void RequestIndex::on_header(const TraceHeader& header) { state_->level = header.level; }
void RequestIndex::on_entity(const TraceEntity& entity) { state_->names.add(entity); }

void RequestIndex::on_event(const TraceEvent& e) {
  if (e.kind != EventKind::kTokenRequest) return;
  State& s = *state_;
  ++s.seen;
  if (s.first.size() < s.first_limit) {
    s.first.push_back(s.line(e));
  } else if (e.status != kHttpOk && s.failed.size() < s.failed_limit) {
    s.failed.push_back(s.line(e));
  }
}

bool RequestIndex::done() const noexcept {
  return state_->first.size() >= state_->first_limit && state_->failed.size() >= state_->failed_limit;
}

std::size_t RequestIndex::retained_records() const noexcept {
  return state_->names.size() + state_->first.size() + state_->failed.size();
}

std::string RequestIndex::text() const {
  const State& s = *state_;
  if (s.level < TraceLevel::kRequests) {
    return "no token requests: the trace was recorded at level '" + std::string(to_string(s.level)) +
           "' (run with --trace requests or all)\n";
  }
  if (s.first.empty()) return "no token request ended in this trace\n";
  std::string out = "   request  began         host -> target as identity: outcome\n";
  for (const std::string& l : s.first) out += l + "\n";
  if (!s.failed.empty()) {
    out += "failed later:\n";
    for (const std::string& l : s.failed) out += l + "\n";
  }
  return out;
}

}  // namespace misim
