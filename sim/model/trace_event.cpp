// The Recorder and the names of trace levels and event kinds (misim/trace_event.hpp).
#include "misim/trace_event.hpp"

#include <bit>

namespace misim {

std::string_view to_string(TraceLevel level) noexcept {
  switch (level) {
    case TraceLevel::kNone:
      return "none";
    case TraceLevel::kLifecycle:
      return "lifecycle";
    case TraceLevel::kRequests:
      return "requests";
    case TraceLevel::kAll:
      return "all";
  }
  return "unknown";
}

bool parse_trace_level(std::string_view text, TraceLevel& level) noexcept {
  for (TraceLevel l : {TraceLevel::kNone, TraceLevel::kLifecycle, TraceLevel::kRequests, TraceLevel::kAll}) {
    if (text == to_string(l)) {
      level = l;
      return true;
    }
  }
  return false;
}

std::string_view to_string(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::kOperation:
      return "operation";
    case EventKind::kFault:
      return "fault";
    case EventKind::kRoleVisibility:
      return "role_visibility";
    case EventKind::kIdentityReplicated:
      return "identity_replicated";
    case EventKind::kCertificate:
      return "certificate";
    case EventKind::kAccessChange:
      return "access_change";
    case EventKind::kTokenRequest:
      return "token_request";
    case EventKind::kAttempt:
      return "attempt";
    case EventKind::kStationVisit:
      return "station_visit";
    case EventKind::kRejected:
      return "rejected";
    case EventKind::kCall:
      return "call";
    case EventKind::kSample:
      return "sample";
    case EventKind::kStationTotals:
      return "station_totals";
  }
  return "unknown";
}

void Recorder::attach(EventSink& sink, TraceLevel level) {
  if (level == TraceLevel::kNone) return;
  sinks_.push_back({&sink, level});
  if (level > max_level_) max_level_ = level;
}

void Recorder::begin(const RunInfo& run) {
  for (const Attached& a : sinks_) a.sink->on_begin(run);
}

void Recorder::entity(const EntityInfo& entity) {
  for (const Attached& a : sinks_) a.sink->on_entity(entity);
}

void Recorder::end(SimTime now, bool interrupted) {
  for (const Attached& a : sinks_) a.sink->on_end(now, interrupted);
}

void Recorder::hash(const TraceEvent& e) {
  // Field by field, as integers: no padding bytes and no host byte order reach the digest.
  fingerprint_.add(
      {static_cast<std::uint64_t>(e.time), static_cast<std::uint64_t>(e.begin),
       static_cast<std::uint64_t>(e.service_start), e.request, std::bit_cast<std::uint64_t>(e.value),
       (static_cast<std::uint64_t>(e.resource) << 32) | e.identity,
       (static_cast<std::uint64_t>(e.target) << 32) | e.entity, (static_cast<std::uint64_t>(e.count) << 32) | e.busy,
       (static_cast<std::uint64_t>(e.status) << 48) | (static_cast<std::uint64_t>(e.station) << 32) |
           (static_cast<std::uint64_t>(e.kind) << 16) | (static_cast<std::uint64_t>(e.entity_kind) << 8) | e.flags});
}

}  // namespace misim
