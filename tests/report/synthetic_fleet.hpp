// A synthetic run for the report's tests, written as the model would emit it: a fleet of VMs
// sharing one user-assigned identity calls a key vault every 10 minutes through an SDK that caches
// its token; AAD's first region is down from 12:00 to 12:30, and the first `denied` VMs, which need
// a new token then, are denied until it is back. A role assignment is removed and re-created
// early on (two lifecycle markers). Deterministic: the same fleet gives the same events.
#pragma once

#include <cstdint>
#include <string>

#include "misim/directory.hpp"
#include "misim/trace_event.hpp"

namespace misim::testing {

struct SyntheticFleet {
  std::uint32_t vms = 10'000;
  std::uint32_t denied = 500;  // VMs whose token runs out during the outage
  SimTime duration = 14 * kHour;
  SimTime sample_interval = 2 * kMinute;
};

// Stations as RunInfo names them.
inline constexpr std::uint16_t kImds = 0;
inline constexpr std::uint16_t kAadEast = 1;
inline constexpr std::uint16_t kAadWest = 2;
inline constexpr std::uint16_t kMirp = 3;

inline RunInfo synthetic_run_info(const SyntheticFleet& fleet) {
  RunInfo run;
  run.seed = 7;
  run.duration = fleet.duration;
  run.sample_interval = fleet.sample_interval;
  run.stations = {{"imds", "endpoint", static_cast<int>(fleet.vms) * 5},
                  {"aad.eastus", "aad", 64},
                  {"aad.westus", "aad", 64},
                  {"mirp", "mirp", 4}};
  run.operations = {"unassign Key Vault Secrets User from web-id at vault",
                    "assign Key Vault Secrets User to web-id at vault"};
  run.faults = {"aad.eastus outage for 30m"};
  run.audiences = {"https://vault.azure.net"};
  return run;
}

/// Feeds the whole run to `sink`: on_begin, the entities, every event in time order, on_end.
/// Returns the number of events.
inline std::uint64_t feed_synthetic_fleet(EventSink& sink, const SyntheticFleet& fleet) {
  std::uint64_t events = 0;
  std::uint64_t random = 0x9E3779B97F4A7C15ull;
  const auto next = [&random]() {  // xorshift64: latencies that vary, the same every run
    random ^= random << 13;
    random ^= random >> 7;
    random ^= random << 17;
    return random;
  };
  const auto emit = [&](const TraceEvent& e) {
    sink.on_event(e);
    ++events;
  };
  const RunInfo run = synthetic_run_info(fleet);
  sink.on_begin(run);
  std::string name;
  for (std::uint32_t i = 0; i < fleet.vms; ++i) {
    name = "web-" + std::to_string(i);
    sink.on_entity({EntityKind::kResource, i, "vm", name, 0});
  }
  const std::uint32_t vault = fleet.vms;
  sink.on_entity({EntityKind::kResource, vault, "key_vault", "vault", 0});
  sink.on_entity({EntityKind::kIdentity, 0, "user-assigned", "web-id", 0});

  const SimTime outage_begin = 12 * kHour, outage_end = outage_begin + 30 * kMinute;
  std::uint64_t request = 0;
  // A token acquisition at `t`: one attempt at IMDS, which asks AAD (or answers from its cache).
  const auto acquire = [&](std::uint32_t vm, SimTime t, bool outage) {
    TraceEvent e;
    e.request = ++request;
    e.resource = vm;
    e.identity = 0;
    e.target = vault;
    e.begin = t;
    const bool cached = next() % 4 == 0;
    const SimTime aad = outage ? 0 : static_cast<SimTime>(20 + next() % 200) * kMillisecond;
    const SimTime imds = cached ? static_cast<SimTime>(200 + next() % 300) * kMicrosecond
                                : aad + static_cast<SimTime>(1 + next() % 5) * kMillisecond;
    if (!cached && !outage) {
      TraceEvent v = e;
      v.kind = EventKind::kStationVisit;
      v.station = vm % 2 == 0 ? kAadEast : kAadWest;
      v.begin = t;
      v.service_start = t + aad / 4;
      v.time = t + aad;
      emit(v);
    }
    TraceEvent a = e;
    a.kind = EventKind::kAttempt;
    a.station = kImds;
    a.time = t + imds;
    a.status = outage ? 503 : 200;
    a.flags = cached && !outage ? kFlagCacheHit : 0;
    emit(a);
    TraceEvent r = e;
    r.kind = EventKind::kTokenRequest;
    r.time = outage ? t + 7 * kSecond : a.time;  // MSAL's retries 1, 2 and 4 s later
    r.status = a.status;
    r.count = outage ? 3 : 0;
    emit(r);
  };

  const auto minutes = static_cast<std::uint32_t>(fleet.duration / kMinute);
  for (std::uint32_t m = 0; m < minutes; ++m) {
    const SimTime t = static_cast<SimTime>(m) * kMinute;
    const bool outage = t >= outage_begin && t < outage_end;
    if (m == 120 || m == 130) {
      TraceEvent op;
      op.kind = EventKind::kOperation;
      op.time = t;
      op.count = m == 120 ? 0 : 1;
      op.status = 1;
      op.entity = 0;
      op.entity_kind = EntityKind::kRoleAssignment;
      emit(op);
    }
    if (t == outage_begin || t == outage_end) {
      TraceEvent f;
      f.kind = EventKind::kFault;
      f.time = t;
      f.status = t == outage_begin ? 1 : 0;
      f.station = kAadEast;
      emit(f);
    }
    for (std::uint32_t vm = m % 10; vm < fleet.vms; vm += 10) {
      const bool first = m < 10;
      const bool fragile = vm < fleet.denied;
      // A fragile VM's first call in and after the outage changes its access.
      const bool lost = fragile && t == outage_begin + (vm % 10) * kMinute;
      const bool regained = fragile && t == outage_end + (vm % 10) * kMinute;
      const bool denied = fragile && outage;
      // The others refresh every 6 hours, at a minute of their own (one of their calling minutes).
      const std::uint32_t refresh_minute = (vm / 10 % 36) * 10 + vm % 10;
      const bool needs_token = first || denied || regained || (!fragile && m % 360 == refresh_minute);
      if (needs_token) acquire(vm, t, denied);
      if (first || lost || regained) {
        TraceEvent change;
        change.kind = EventKind::kAccessChange;
        change.time = t;
        change.resource = vm;
        change.target = vault;
        change.status = denied ? 1 : 0;  // AccessOutcome: granted, or no token
        emit(change);
      }
      TraceEvent call;
      call.kind = EventKind::kCall;
      call.time = t;
      call.resource = vm;
      call.target = vault;
      call.identity = 0;
      call.count = 1;
      call.status = denied ? 1 : 0;
      call.flags = needs_token ? 0 : kFlagCacheHit;
      emit(call);
    }
    if (t % fleet.sample_interval == 0 && t > 0) {
      for (std::uint16_t s = 0; s < 4; ++s) {
        TraceEvent sample;
        sample.kind = EventKind::kSample;
        sample.time = t;
        sample.station = s;
        sample.count = s == kAadEast || s == kAadWest ? static_cast<std::uint32_t>(next() % (outage ? 1 : 6)) : 0;
        sample.busy = static_cast<std::uint32_t>(next() % 40);
        sample.value = static_cast<double>(sample.busy) / run.stations[s].servers;
        emit(sample);
      }
    }
  }
  for (std::uint16_t s = 0; s < 4; ++s) {
    TraceEvent totals;
    totals.kind = EventKind::kStationTotals;
    totals.time = fleet.duration;
    totals.station = s;
    totals.request = 1000 + s;
    totals.service_start = 990 + s;
    totals.begin = 10;
    totals.value = 0.25;
    emit(totals);
  }
  sink.on_end(fleet.duration, false);
  return events;
}

/// The estate of the synthetic fleet, as the report's identity graph reads it.
inline Directory synthetic_fleet_directory(const SyntheticFleet& fleet) {
  Directory dir({.seed = 7, .limits = {}});
  const TenantId tenant = *dir.create_tenant("contoso", 0);
  const SubscriptionId sub = *dir.create_subscription("prod", tenant, 0);
  const ResourceGroupId group = *dir.create_resource_group("rg-web", sub, 0);
  const ResourceTypeId vm = *dir.resource_type("vm");
  const IdentityId id = *dir.create_user_assigned("web-id", group, 0);
  for (std::uint32_t i = 0; i < fleet.vms; ++i) {
    const ResourceId r = *dir.create_resource("web-" + std::to_string(i), vm, group, 0);
    (void)dir.attach(r, id, 0);
  }
  const ResourceId vault = *dir.create_resource("vault", *dir.resource_type("key_vault"), group, 0);
  (void)dir.assign_role(id, *dir.role("Key Vault Secrets User"), vault, 0);
  return dir;
}

}  // namespace misim::testing
