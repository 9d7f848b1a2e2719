// What the token path measured: per-stage statistics, request outcomes, and per (resource,
// target) pair the access each resource had, with the first time it was denied and why.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "misim/directory_ids.hpp"
#include "misim/histogram.hpp"
#include "misim/time.hpp"
#include "misim/time_weighted.hpp"

namespace misim {

/// The outcome of one application call at its target.
enum class AccessOutcome : std::uint8_t {
  kGranted,
  kNoToken,           // the client could not get a token (the endpoint or AAD failed)
  kTokenExpired,      // the token presented had expired
  kWrongAudience,     // the token was for another audience
  kNoRoleAssignment,  // RBAC (as the target sees it, after propagation) permits nothing
  kTargetGone,        // the target no longer exists
};

[[nodiscard]] std::string_view to_string(AccessOutcome outcome) noexcept;

/// Every call of one resource to one target.
struct alignas(64) AccessPair {  // one cache line: every call updates its pair
  ResourceId resource;
  ResourceId target;
  std::uint64_t granted = 0;
  std::uint64_t denied = 0;
  SimTime first_granted = kForever;
  SimTime last_granted = -1;
  SimTime first_denied = kForever;
  SimTime last_denied = -1;
  AccessOutcome first_denial = AccessOutcome::kGranted;
  /// The outcome of the latest call (meaningful once granted + denied > 0).
  AccessOutcome last_outcome = AccessOutcome::kGranted;
};

/// A stage that is not a single station (the token endpoints of many hosts together).
struct EndpointStatistics {
  std::uint64_t arrivals = 0;
  std::uint64_t completed = 0;
  std::uint64_t rejected = 0;  // 429 for the rate or concurrency limit
  Histogram latency;           // ns, admitted requests, arrival to answer
  TimeWeighted in_flight;      // summed over hosts
  std::size_t hosts = 0;
  int max_concurrent = 1;
};

struct TokenPathStatistics {
  std::uint64_t calls = 0;              // application calls
  std::uint64_t client_cache_hits = 0;  // calls served from the SDK's cache
  std::uint64_t acquisitions = 0;       // token acquisitions started by clients
  std::uint64_t background_refreshes = 0;
  std::uint64_t requests = 0;  // requests to endpoints, retries included
  std::uint64_t retries = 0;
  std::uint64_t failed_acquisitions = 0;
  std::uint64_t endpoint_cache_hits = 0;  // answered from IMDS's cache
  std::uint64_t aad_requests = 0;
  std::uint64_t tokens_issued = 0;
  std::uint64_t certificates_issued = 0;  // by MIRP, for identities created during the run
  std::uint64_t certificate_rolls = 0;
  std::uint64_t certificate_roll_failures = 0;  // failed rolls (each retry counts)
  std::uint64_t certificates_expired = 0;       // of live identities, not rolled in time
  std::map<int, std::uint64_t> by_status;       // endpoint answers seen by clients
  Histogram acquisition_latency;                // ns, from start to token or give-up
  EndpointStatistics endpoint;
  /// Requests refused by a host endpoint's own rules or by AAD's federated-credential check, by
  /// reason (docs/model.md, "Other hosts' token endpoints"); the keys are static strings.
  std::map<std::string_view, std::uint64_t> refused;
};

}  // namespace misim
