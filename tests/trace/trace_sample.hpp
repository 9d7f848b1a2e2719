// A synthetic trace for the trace tests, the Python reader's test and the benchmark: a header with
// every field set, entities of every kind, and events of every kind that between them set every
// field to ordinary and to extreme values (negative times, the largest integers, "no entity",
// NaN, -0.0).
#pragma once

#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "misim/result.hpp"
#include "misim/trace_event.hpp"
#include "misim/trace_file.hpp"

namespace misim::trace_sample {

inline TraceHeader header() {
  TraceHeader h;
  h.misim_version = "0.1.0";
  h.scenario = "sample";
  h.scenario_file = "scenarios/sample.yaml";
  h.scenario_hash = "0123456789abcdef";
  h.seed = 42;
  h.params = {{"vms", "100"}, {"call_rate", "1/min"}, {"empty", ""}};
  h.level = TraceLevel::kAll;
  h.run.seed = 42;
  h.run.duration = 12 * 3600 * kSecond;
  h.run.warmup = 10 * kSecond;
  h.run.sample_interval = kSecond;
  h.run.stations = {{"imds", "endpoint", 500}, {"aad.eastus", "aad", 64}, {"checkout", "stage", 1}};
  h.run.operations = {"delete web-id", "assign web-id Key Vault Secrets User on vault"};
  h.run.faults = {"aad.eastus outage"};
  h.run.audiences = {"https://vault.azure.net", "https://storage.azure.com"};
  return h;
}

/// Entities of every kind (the strings live in static storage, as EntityInfo's views require).
inline std::vector<EntityInfo> entities() {
  return {
      {EntityKind::kTenant, 0, "tenant", "contoso", 0},
      {EntityKind::kSubscription, 1, "", "", -5 * kSecond},  // empty strings, created before the run
      {EntityKind::kResourceGroup, 7, "resource_group", "rg-web", kSecond},
      {EntityKind::kResource, 123456, "virtual_machine", "web-123456", 2 * kSecond},
      {EntityKind::kIdentity, UINT32_MAX - 1, "user-assigned", "web-id", 3 * kSecond},
      {EntityKind::kRoleAssignment, 3, "role_assignment", "web-id: Key Vault Secrets User on vault",
       std::numeric_limits<SimTime>::max()},
  };
}

inline constexpr EventKind kAllKinds[] = {
    EventKind::kOperation,     EventKind::kFault,        EventKind::kRoleVisibility, EventKind::kIdentityReplicated,
    EventKind::kCertificate,   EventKind::kAccessChange, EventKind::kTokenRequest,   EventKind::kAttempt,
    EventKind::kStationVisit,  EventKind::kRejected,     EventKind::kCall,           EventKind::kSample,
    EventKind::kStationTotals,
};

/// `n` events cycling through every kind; event i's fields are a function of i that reaches the
/// extremes of every field's range.
inline TraceEvent event(std::uint64_t i) {
  constexpr std::size_t kKinds = std::size(kAllKinds);
  TraceEvent e;
  e.kind = kAllKinds[i % kKinds];
  e.time = static_cast<SimTime>(i) * 1'000'003;
  e.begin = e.time - static_cast<SimTime>(i % 7) * 5'000'000;
  e.service_start = e.begin + static_cast<SimTime>(i % 3) * 1'000'000;
  e.request = i;
  e.resource = i % 5 == 0 ? kNoEntity : static_cast<std::uint32_t>(i);
  e.identity = i % 4 == 0 ? kNoEntity : static_cast<std::uint32_t>(i / 2);
  e.target = i % 3 == 0 ? kNoEntity : static_cast<std::uint32_t>(i % 1000);
  e.entity = i % 6 == 0 ? static_cast<std::uint32_t>(i) : kNoEntity;
  e.entity_kind = static_cast<EntityKind>(i % kEntityKindCount);
  e.count = static_cast<std::uint32_t>(i % 11);
  e.busy = static_cast<std::uint32_t>(i % 13);
  e.status = static_cast<std::uint16_t>(i % 9 == 0 ? 429 : 200);
  e.station = i % 8 == 0 ? kNoStation : static_cast<std::uint16_t>(i % 3);
  e.flags = static_cast<std::uint8_t>(i % 4);
  e.value = static_cast<double>(i % 100) / 97.0;
  // The extremes, one field each, on the first events of a stream.
  switch (i) {
    case 0:
      e.time = 0;
      e.begin = std::numeric_limits<SimTime>::min();
      e.service_start = -1;
      e.value = -0.0;
      break;
    case 1:
      e.time = std::numeric_limits<SimTime>::max();
      e.begin = -90LL * 24 * 3600 * kSecond;  // a certificate issued before the run
      e.request = std::numeric_limits<std::uint64_t>::max();
      e.value = std::numeric_limits<double>::quiet_NaN();
      break;
    case 2:
      e.resource = 0;
      e.identity = 0;
      e.target = 0;
      e.entity = 0;
      e.value = std::bit_cast<double>(std::uint64_t{0x7FF0'0000'0000'0ABCULL});  // a NaN with a payload
      break;
    case 3:
      e.resource = UINT32_MAX - 1;
      e.identity = UINT32_MAX - 1;
      e.target = UINT32_MAX - 1;
      e.entity = UINT32_MAX - 1;
      e.count = UINT32_MAX;
      e.busy = UINT32_MAX;
      e.value = -std::numeric_limits<double>::infinity();
      break;
    case 4:
      e.status = UINT16_MAX;
      e.station = UINT16_MAX - 1;
      e.flags = UINT8_MAX;
      e.value = std::numeric_limits<double>::denorm_min();
      break;
    case 5:
      e = TraceEvent{};  // every field at its default
      break;
    default:
      break;
  }
  return e;
}

/// Writes a trace of the sample header, entities and `events` events (entities first).
inline Status write(const std::string& path, std::uint64_t events, TraceHeader h = header()) {
  auto writer = TraceWriter::create(path, h);
  if (!writer) return writer.error();
  (*writer)->on_begin(h.run);
  for (const EntityInfo& e : entities()) (*writer)->on_entity(e);
  for (std::uint64_t i = 0; i < events; ++i) (*writer)->on_event(event(i));
  (*writer)->on_end(h.run.duration, false);
  (*writer)->set_fingerprint(0x0123'4567'89AB'CDEFULL);
  return (*writer)->close();
}

}  // namespace misim::trace_sample
