// TraceEvent and EventSink: the one narrow interface through which the model tells the rest of
// misim what happened (design.md, "Layers": trace and report read what the model emits through
// one sink interface; the CLI wires them).
//
// The model emits every event to a Recorder (below), which hashes it into the run's fingerprint
// and hands it to each attached sink whose level includes it. The trace writer (sim/trace), the
// report's collector (sim/report) and tests are sinks. A TraceEvent is a fixed-size record of
// integers (and one double), so emitting one allocates nothing and hashing it is the same on every
// compiler and machine.
//
//   class CountingSink : public EventSink {
//     void on_event(const TraceEvent& e) override { ++counts[static_cast<int>(e.kind)]; }
//   };
//   CountingSink sink;
//   simulation.attach(sink, TraceLevel::kAll);
//   simulation.run();
//
// Field use per kind is documented at each EventKind. Times are simulated nanoseconds. Entity
// fields hold directory indices (ResourceId::index() and so on) or kNoEntity.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "misim/directory_ids.hpp"
#include "misim/fingerprint.hpp"
#include "misim/time.hpp"

namespace misim {

/// How much a sink (the trace file, `--trace`) records. Each level includes the ones before it.
enum class TraceLevel : std::uint8_t {
  kNone = 0,       // nothing
  kLifecycle = 1,  // operations, faults, propagation, certificates, access changes, the entity table
  kRequests = 2,   // + every token request, its attempts and station visits
  kAll = 3,        // + every application call and the periodic station samples
};
[[nodiscard]] std::string_view to_string(TraceLevel level) noexcept;
/// "none", "lifecycle", "requests", "all"; false for anything else.
bool parse_trace_level(std::string_view text, TraceLevel& level) noexcept;

enum class EventKind : std::uint8_t {
  // --- lifecycle ---
  /// A timeline operation ran. count: its index in RunInfo::operations; status: 1 applied, 0 refused
  /// (or failed at ARM); entity/entity_kind: what it created, changed or deleted (kNoEntity when
  /// refused); begin: when the timeline issued it; time: when it took effect (or failed), equal to
  /// begin unless ARM delayed it (latency, 429s, an outage: docs/model.md, "ARM").
  kOperation = 1,
  /// A fault window began (status 1) or ended (status 0). count: index in RunInfo::faults;
  /// station: the station it hits.
  kFault = 2,
  /// A role assignment became visible to targets (status 1) or stopped being visible (status 0)
  /// after RBAC propagation. entity: the assignment; identity: its principal.
  kRoleVisibility = 3,
  /// A new identity reached the token endpoints (replication finished). identity.
  kIdentityReplicated = 4,
  /// MIRP issued (status 1) or rolled (status 2) an identity's certificate, failed to roll it
  /// (status 3: retried later), or it expired (status 0).
  /// identity; begin: when the certificate became valid; count: unused.
  kCertificate = 5,
  /// The outcome of a (resource, target) pair's calls changed, or its first call happened.
  /// resource, target; status: AccessOutcome (0 = granted).
  kAccessChange = 6,

  // --- requests ---
  /// A token acquisition by a client SDK ended (token, or given up). request; resource: the host;
  /// identity: the identity that got the token (kNoEntity if none); target; begin: when the client
  /// started; status: the last HTTP status; count: retries; flags: kFlagBackground.
  kTokenRequest = 16,
  /// One attempt of an acquisition at the host's token endpoint. request; resource; identity;
  /// begin: sent; time: answered; status; station: the endpoint station; flags: kFlagCacheHit when
  /// the endpoint answered from its cache.
  kAttempt = 17,
  /// A customer's visit to a station: an attempt's trip to AAD, or a plain stage's customer.
  /// request; station; begin: arrival; service_start; time: departure.
  kStationVisit = 18,
  /// A customer turned away by a station (full waiting room). request; station; time.
  kRejected = 19,

  // --- all ---
  /// Application calls presented to a target. resource, target, identity (of the token); status:
  /// AccessOutcome; count: calls at this instant; flags: kFlagCacheHit when served from the SDK's cache.
  kCall = 32,
  /// A station's state, every RunInfo::sample_interval. station; count: waiting; busy: in service;
  /// value: mean fraction of servers busy over the interval just ended.
  kSample = 33,
  /// A station's totals at the end of the run (after warm-up). station; value: utilisation; and,
  /// as 64-bit counts rather than times: request: arrivals; service_start: completed; begin: rejected.
  kStationTotals = 34,
};
[[nodiscard]] std::string_view to_string(EventKind kind) noexcept;
/// Kinds are numbered by level: below 16 lifecycle, below 32 requests, the rest all.
[[nodiscard]] constexpr TraceLevel level_of(EventKind kind) noexcept {
  const auto k = static_cast<std::uint8_t>(kind);
  if (k < 16) return TraceLevel::kLifecycle;
  if (k < 32) return TraceLevel::kRequests;
  return TraceLevel::kAll;
}

inline constexpr std::uint32_t kNoEntity = UINT32_MAX;
inline constexpr std::uint16_t kNoStation = UINT16_MAX;
inline constexpr std::uint8_t kFlagCacheHit = 1;
inline constexpr std::uint8_t kFlagBackground = 2;
/// On kStationVisit and kRejected: a plain stage workload's customer (`stage:`), not a token request.
inline constexpr std::uint8_t kFlagCustomer = 4;
/// On kTokenRequest, emitted by Simulation::finish(): an acquisition still in flight at the end.
/// time: the end; begin: when it started; count: retries so far; busy: calls waiting for it;
/// kFlagCacheHit: its current attempt is being answered from the endpoint's cache. Traces count
/// what summary.json counts at the start of work through these (trace stats equals summary.json).
inline constexpr std::uint8_t kFlagInFlight = 8;

struct TraceEvent {
  SimTime time = 0;           // when it happened; for spans, when they ended
  SimTime begin = 0;          // spans: when they began
  SimTime service_start = 0;  // station visits: when service began (waiting = service_start - begin)
  std::uint64_t request = 0;  // token request or customer id
  double value = 0.0;
  std::uint32_t resource = kNoEntity;  // calling host / resource
  std::uint32_t identity = kNoEntity;
  std::uint32_t target = kNoEntity;
  std::uint32_t entity = kNoEntity;  // the entity a lifecycle event is about
  std::uint32_t count = 0;
  std::uint32_t busy = 0;
  std::uint16_t status = 0;
  std::uint16_t station = kNoStation;  // index into RunInfo::stations
  EventKind kind = EventKind::kOperation;
  EntityKind entity_kind = EntityKind::kResource;
  std::uint8_t flags = 0;
};

/// A queueing station of the model, as traces and reports name it.
struct StationInfo {
  std::string name;  // "imds", "aad.eastus", a plain stage's name
  std::string role;  // "endpoint", "aad", "stage"
  int servers = 1;   // for the endpoint: hosts x concurrency limit
};

/// What a sink learns before the first event.
struct RunInfo {
  std::uint64_t seed = 0;
  SimTime duration = 0;
  SimTime warmup = 0;
  SimTime sample_interval = 0;
  std::vector<StationInfo> stations;
  std::vector<std::string> operations;  // the timeline's operations in words, by index
  std::vector<std::string> faults;      // the faults in words, by index
  std::vector<std::string> audiences;
};

/// An entity of the directory, announced before the first event that names it.
struct EntityInfo {
  EntityKind kind = EntityKind::kResource;
  std::uint32_t index = 0;
  std::string_view type;  // resource type ("virtual_machine"), identity kind ("user-assigned"), ...
  std::string_view name;
  SimTime created = 0;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_begin(const RunInfo& /*run*/) {}
  /// Called for every entity at the start (levels from lifecycle up) and for each one created later.
  virtual void on_entity(const EntityInfo& /*entity*/) {}
  virtual void on_event(const TraceEvent& event) = 0;
  /// The run ended at `now` (interrupted: stopped before its duration).
  virtual void on_end(SimTime /*now*/, bool /*interrupted*/) {}
};

/// The model's side of the interface: the fingerprint of every event, and the attached sinks.
class Recorder {
 public:
  void attach(EventSink& sink, TraceLevel level);
  [[nodiscard]] TraceLevel max_level() const noexcept { return max_level_; }
  [[nodiscard]] bool wants(TraceLevel level) const noexcept { return level <= max_level_; }

  /// Hashes the event (whatever the levels) and passes it to the sinks that record its level.
  void emit(const TraceEvent& event) {
    // Totals and work in flight restate the state at the end, and come only when a caller finishes
    // the run, so they stay out of the fingerprint: it is the same whether or not finish() was called.
    if (event.kind != EventKind::kStationTotals && (event.flags & kFlagInFlight) == 0) hash(event);
    const TraceLevel level = level_of(event.kind);
    if (level > max_level_) return;
    for (const Attached& a : sinks_) {
      if (level <= a.level) a.sink->on_event(event);
    }
  }
  void begin(const RunInfo& run);
  void entity(const EntityInfo& entity);
  void end(SimTime now, bool interrupted);

  [[nodiscard]] std::uint64_t fingerprint() const { return fingerprint_.digest(); }

 private:
  struct Attached {
    EventSink* sink;
    TraceLevel level;
  };
  void hash(const TraceEvent& event);

  Fingerprint fingerprint_;
  std::vector<Attached> sinks_;
  TraceLevel max_level_ = TraceLevel::kNone;
};

}  // namespace misim
