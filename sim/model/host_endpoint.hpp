// The state the token path keeps for the token endpoints other than IMDS (App Service, Arc HIMDS,
// AKS workload identity), for the Azure.Identity (.NET) probe, and for resources' AAD regions.
// Private to sim/model. The rules are TokenPath members defined in host_endpoint.cpp, so that
// token_path.cpp only calls them at a few hooks; docs/model.md ("Other hosts' token endpoints").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "misim/identity_selection.hpp"
#include "misim/random.hpp"
#include "misim/resource_type.hpp"
#include "misim/time.hpp"

namespace misim {

/// The endpoints with rules of their own; the others (IMDS, and types without an endpoint) use IMDS's.
[[nodiscard]] constexpr bool is_other_host(TokenEndpoint kind) noexcept {
  return kind == TokenEndpoint::kAppService || kind == TokenEndpoint::kArcHimds ||
         kind == TokenEndpoint::kWorkloadIdentity;
}

/// Why a host endpoint or AAD refused a token request: TokenPathStatistics::refused's keys, and
/// summary.json's `requests.refused` (docs/model.md, "Other hosts' token endpoints").
namespace refusal {
/// App Service: client_id, principal_id/object_id and mi_res_id are mutually exclusive (400).
inline constexpr std::string_view kSelectorsExclusive = "selectors_exclusive";
/// App Service: no selector means the system-assigned identity, and there is none (400).
inline constexpr std::string_view kNoSystemAssigned = "no_system_assigned";
/// Arc HIMDS: a request names an identity; HIMDS serves the system-assigned one only (400).
inline constexpr std::string_view kArcUserAssigned = "arc_user_assigned";
/// AAD, AKS exchange: no federated credential matches the token's issuer and subject (AADSTS70021).
inline constexpr std::string_view kNoFederatedCredential = "no_federated_credential";
/// AAD, AKS exchange: the matching federated credential was added too recently to have replicated
/// (AADSTS70021 as for no match, azure-facts.md:56).
inline constexpr std::string_view kFederatedCredentialReplicating = "federated_credential_replicating";
/// AAD, AKS exchange: the service-account token has expired (AADSTS700024).
inline constexpr std::string_view kAssertionExpired = "assertion_expired";
/// .NET probe: no answer within the probe's timeout (counted as 408).
inline constexpr std::string_view kProbeTimeout = "probe_timeout";
}  // namespace refusal

/// What one call workload's requests carry beyond IMDS's selector.
struct HostRequest {
  /// Selectors the request names (0: none; more than 1 App Service refuses).
  std::uint8_t selectors = 0;
  /// AKS: the service-account token's issuer and subject.
  std::string issuer;
  std::string subject;
};

/// A probe or challenge in progress, per acquisition (the acquisition pool's index); `request`
/// tells a stale entry from a reused pool slot.
struct Preflight {
  std::uint64_t request = 0;  // the acquisition's request id + 1; 0: none
  std::uint8_t pending = 0;   // kProbe or kChallenge while one is out
  std::uint8_t answered = 0;  // round trips answered so far (not counted as the profile's retries)
  bool keyed = false;         // Arc: the next request carries the key
};

struct HostEndpointState {
  static constexpr std::uint8_t kProbe = 1;
  static constexpr std::uint8_t kChallenge = 2;
  static constexpr std::uint16_t kUnplaced = UINT16_MAX;

  std::vector<HostRequest> requests;  // by workload
  std::vector<bool> probed;           // by slot: the .NET client's probe has been answered
  std::vector<Preflight> preflight;   // by acquisition index
  // Per-resource AAD regions: by name from the configuration, by resource index once seen.
  std::unordered_map<std::string, std::uint16_t> region_by_name;
  std::vector<std::uint16_t> region;  // by resource index; kUnplaced: spread by id
  std::size_t resources_placed = 0;
  // Federated credentials: those with an index below this existed before the run (replicated);
  // a later one's replication time, drawn when first needed (-1 until then).
  std::uint32_t credentials_before_run = 0;
  std::vector<SimTime> credential_replicated_at;
  RandomStream latency{0, 0, 0};  // reseeded by resolve_host_requests(): latencies, Arc key reads
};

}  // namespace misim
